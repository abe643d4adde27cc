#!/usr/bin/env python3
"""Measure validation and build time on synthetic catalogues and print the figures.

For each size: validation time and throughput (MB/s), and `mkdocs build` of
Insatsguiden with the Pagefind index against a plain mkdocs-material site with the
same content (one equivalent hand-written Markdown page per insats, kept out of the
nav, with the theme's own search index): issue 12's measure, target ≤ 1.3 at 5,000.
Three builds of ours: the catalogue without its follow-up figures (as when issue 12
was written) against a plain site without them; with the figures and their charts in
the cache of an earlier build (a rebuild, as in CI with a kept cache) against a plain
site that gives the figures as tables; and with every chart drawn anew (a first
build). The builds of one size are interleaved, so a slow spell of the machine falls
on all. Then the follow-up charts (site/charts.py): how many the synthetic catalogue
has and the time to render them all from scratch as the build does (worker processes
when there are many). Nothing here is asserted: it prints numbers.

    python scripts/benchmark.py [--sizes 100 1000 5000] [--repeat 3] [--pdf-upto 1000]
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

from insatsguiden.site import charts
from insatsguiden.tools.benchmarking import plain_project, remove_site, timed_build
from insatsguiden.tools.catalogue_pdf import ALL, PDF, linked_catalogues, make_pdfs
from insatsguiden.tools.synthetic import _NoAliasDumper, catalogue, catalogue_yaml
from insatsguiden.model.validate import validate_text

TODAY = dt.date(2026, 11, 23)


def measure_pdf(data_file: Path, work: Path) -> dict:
    """Build once (without the search index), then print every catalogue PDF as CI does (--publicera)."""
    site = work / "site-pdf"
    timed_build(ROOT, site, {"INSATSGUIDEN_DATA": str(data_file), "INSATSGUIDEN_TODAY": TODAY.isoformat(),
                             "INSATSGUIDEN_PAGEFIND": "0"}, keep=True)
    jobs = [(key, site / PDF.format(key)) for key in linked_catalogues(site)]
    started = time.perf_counter()
    printed = make_pdfs(site, jobs, TODAY, report=lambda line: None)
    seconds = time.perf_counter() - started
    whole = next(p for p in printed if p.key == ALL)
    remove_site(site)
    return {"pdfs": len(printed), "pages": sum(p.pages for p in printed), "bytes": sum(len(p.pdf) for p in printed),
            "seconds": seconds, "all_pages": whole.pages, "all_bytes": len(whole.pdf), "all_seconds": whole.seconds}


def measure(size: int, repeat: int, work: Path, pdf: bool) -> dict:
    text = catalogue_yaml(size)
    data_file = work / f"insatser-{size}.yaml"
    data_file.write_text(text, encoding="utf-8")
    megabytes = len(text.encode("utf-8")) / 1_000_000

    validation = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = validate_text(text, data_file.name, TODAY)
        validation.append(time.perf_counter() - started)
        if not result.ok:
            sys.exit("Den syntetiska katalogen är ogiltig:\n" + "\n".join(p.text() for p in result.problems[:10]))

    # The same catalogue without its follow-up figures (issue 13), and a plain site for each.
    without_figures = copy.deepcopy(catalogue(size))
    for insats in without_figures["insatser"]:
        insats.pop("indikatorer", None)
    without = work / f"insatser-{size}-utan-matt.yaml"
    without.write_text(yaml.dump(without_figures, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False,
                                 width=100), encoding="utf-8")
    plain = plain_project(work / f"plain-{size}", catalogue(size)["insatser"])
    plain_without = plain_project(work / f"plain-{size}-utan-matt", without_figures["insatser"])

    # Cold: no chart cache (INSATSGUIDEN_CACHE=0), every chart drawn as in a first build. Warm: the cache
    # folder a previous build of the same data filled, as in CI with a kept .cache or any rebuild.
    env = {"INSATSGUIDEN_DATA": str(data_file), "INSATSGUIDEN_TODAY": TODAY.isoformat(), "INSATSGUIDEN_CACHE": "0"}
    warm = {**env, "INSATSGUIDEN_CACHE": str(work / f"cache-{size}")}
    no_figures = {**env, "INSATSGUIDEN_DATA": str(without)}
    timed_build(ROOT, work / "site", warm)  # fills the warm cache; not counted
    times: dict[str, list[float]] = {name: [] for name in ("plain", "plain_without", "ours", "search", "warm",
                                                           "without_charts")}
    # Interleaved, so that a slower or faster spell of this shared machine falls on every kind of build.
    for _ in range(repeat):
        times["plain"].append(timed_build(plain, work / "plain-site", {}))
        times["plain_without"].append(timed_build(plain_without, work / "plain-site", {}))
        times["ours"].append(timed_build(ROOT, work / "site", {**env, "INSATSGUIDEN_PAGEFIND": "0"}))
        times["search"].append(timed_build(ROOT, work / "site", env))
        times["warm"].append(timed_build(ROOT, work / "site", warm))
        times["without_charts"].append(timed_build(ROOT, work / "site", no_figures))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"size": size, "mb": megabytes, "validation": statistics.median(validation), **medians,
            "added": medians["search"] - medians["without_charts"],
            **measure_charts(repeat, result.catalogue),
            "pdf": measure_pdf(data_file, work) if pdf else None}


def measure_charts(repeat: int, validated) -> dict:
    """The charts of a synthetic catalogue: how many, and the time to render them all from scratch."""
    all_charts = charts.site_charts(validated)
    render = []
    for _ in range(repeat):
        charts._SVG.clear()  # from scratch, as a fresh build; the process pool starts anew each time
        started = time.perf_counter()
        charts.render_all(all_charts)
        render.append(time.perf_counter() - started)
    return {"charts": len({c.key for c in all_charts}), "render": statistics.median(render)}


def main() -> int:
    parser = argparse.ArgumentParser(description="Mäter validering och bygge på syntetiska kataloger.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=1, help="antal körningar per mätning (median visas)")
    parser.add_argument("--pdf-upto", type=int, default=1000,
                        help="skriv ut katalogerna som PDF för storlekar upp till och med detta antal insatser")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} kärnor, median av {args.repeat} körning(ar)")
    print("Ärendets mått (issue 12): hela bygget med Pagefind / en enkel mkdocs-material-webbplats med samma "
          "innehåll och dess eget sökindex, mål ≤ 1,3 vid 5 000 insatser.\n"
          "utan mått: katalogen utan uppföljningsmått (som när ärendet skrevs) mot enkel utan mått; "
          "varm: med mått, diagrammen i cachen från ett tidigare bygge, mot enkel med måtten som tabeller; "
          "kall: med mått, alla diagram ritas, mot samma; bygge: kall utan sökindex")
    header = (f"{'insatser':>8} {'MB':>6} {'valid. s':>8} {'MB/s':>5} {'enkel s':>8} {'enkel utan s':>12} "
              f"{'utan mått s':>11} {'varm s':>7} {'kall s':>7} {'bygge s':>8} "
              f"{'kvot utan mått':>14} {'kvot varm':>9} {'kvot kall':>9}")
    print(header)
    rows = []
    with tempfile.TemporaryDirectory(prefix="insatsguiden-bench-") as tmp:
        for size in args.sizes:
            row = measure(size, args.repeat, Path(tmp), size <= args.pdf_upto)
            print(f"{row['size']:>8} {row['mb']:>6.1f} {row['validation']:>8.2f} {row['mb'] / row['validation']:>5.1f} "
                  f"{row['plain']:>8.1f} {row['plain_without']:>12.1f} {row['without_charts']:>11.1f} "
                  f"{row['warm']:>7.1f} {row['search']:>7.1f} {row['ours']:>8.1f} "
                  f"{row['without_charts'] / row['plain_without']:>14.2f} {row['warm'] / row['plain']:>9.2f} "
                  f"{row['search'] / row['plain']:>9.2f}", flush=True)
            rows.append(row)
    print()
    print("diagram: mått = diagram i den syntetiska katalogen; ritning = alla diagram från början som bygget gör "
          f"(arbetsprocesser från {charts.PARALLEL_FROM} diagram); tillägg = kall − utan mått")
    print(f"{'insatser':>8} {'mått':>6} {'ritning s':>10} {'ms/diagram':>11} {'tillägg s':>10}")
    for row in rows:
        print(f"{row['size']:>8} {row['charts']:>6} {row['render']:>10.1f} "
              f"{row['render'] / max(row['charts'], 1) * 1000:>11.1f} {row['added']:>10.1f}")
    print()
    print("utskrift: alla PDF som katalog/ länkar (som CI skriver dem efter bygget); hela = katalogen över alla insatser")
    print(f"{'insatser':>8} {'PDF':>5} {'sidor':>7} {'MB':>7} {'tid s':>7} {'hela: sidor':>12} {'hela MB':>8} {'hela s':>7}")
    for row in rows:
        if row["pdf"]:
            p = row["pdf"]
            print(f"{row['size']:>8} {p['pdfs']:>5} {p['pages']:>7} {p['bytes'] / 1e6:>7.1f} {p['seconds']:>7.1f} "
                  f"{p['all_pages']:>12} {p['all_bytes'] / 1e6:>8.1f} {p['all_seconds']:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
