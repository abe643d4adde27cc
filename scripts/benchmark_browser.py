#!/usr/bin/env python3
"""Measure the guide and the search in Chromium on synthetic catalogues; print the figures.

Per size: the time from an answer to an updated guide result (median of 20
changes, measured inside the page), the time to first search results and the
bytes fetched for a cold and a warm query, and the build time the guide pages
and the Pagefind index add to the build.

And per size, for each page view of the issue-12 targets (the start page, Alla
insatser plain and with a kommun chosen, the guide with a kommun chosen,
Granskning and one insats page), opened cold in a new browser context: the bytes
transferred (every response body, as is and gzip-compressed at level 6, since the
local server does not compress), the time to the load event, for pages that
fetch data the time to the rendered result, and each time's ratio to the start
page's (medians of three loads). Printed as a table; nothing is asserted.

And per size, issue 12's build measure and export sizes in the same run: the whole
build (every export and the search index) against a plain mkdocs-material site of
the same content (`tools/benchmarking.py`), first with every chart drawn anew, then
in `--rounds` interleaved pairs over the chart cache that build filled; and the
files and size of each export, as they lie and gzip-compressed.

    python scripts/benchmark_browser.py [--sizes 1000 5000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from insatsguiden.tools.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory
from insatsguiden.site.render import Site, render_page, site_pages
from insatsguiden.site.search_index import pagefind_command
from insatsguiden.tools.benchmarking import export_sizes, plain_project, timed_build
from insatsguiden.tools.synthetic import catalogue, catalogue_yaml
from insatsguiden.model.validate import validate_text

TODAY = dt.date(2026, 11, 23)

GUIDE_CHANGE = """async () => {
  const form = document.getElementById('ig-vagvisare');
  const select = form.querySelector('select[name=kommun]');
  const needs = Array.from(form.querySelectorAll('input[name=behov]'));
  const times = [];
  for (let i = 0; i < 20; i++) {
    select.selectedIndex = 1 + (i % (select.options.length - 1));
    needs.forEach((box, n) => { box.checked = n === i % needs.length; });
    const started = performance.now();
    form.dispatchEvent(new Event('change'));
    document.getElementById('ig-resultat').offsetHeight;  // force layout of the new result
    times.push(performance.now() - started);
    await new Promise(r => setTimeout(r, 0));
  }
  times.sort((a, b) => a - b);
  return {median: times[10], max: times[19], results: document.querySelectorAll('#ig-resultat .ig-resultat').length};
}"""


def build_figures(size: int, data: Path, site: Path, work: Path, rounds: int) -> float:
    """Issue 12's build measure, printed: the whole build (every export, the search index) against the plain
    mkdocs-material site of the same content (tools/benchmarking.py). First our build with every chart drawn
    anew, into an empty chart cache (kept: the page views below use this site); then `rounds` interleaved
    pairs of the plain site and our build over that cache (a rebuild, as in CI with its kept cache).
    Returns the first build's seconds."""
    env = {"INSATSGUIDEN_DATA": str(data), "INSATSGUIDEN_TODAY": TODAY.isoformat(),
           "INSATSGUIDEN_CACHE": str(work / f"diagramcache-{size}")}
    cold = timed_build(ROOT, site, env, keep=True)
    plain = plain_project(work / f"enkel-{size}", catalogue(size)["insatser"])
    pairs = [(timed_build(plain, work / "enkel-site", {}), timed_build(ROOT, work / "var-site", env))
             for _ in range(rounds)]
    ratios = [ours / simple for simple, ours in pairs]
    print(f"\nBygge, {size} insatser (hela bygget med alla exporter och sökindex mot en enkel mkdocs-material-webbplats "
          f"med samma innehåll och temats sökning; mål ≤ 1,3 vid 5 000):")
    print("  " + "   ".join(f"omgång {n}: enkel {simple:.1f} s, vår {ours:.1f} s = {ours / simple:.2f}"
                            for n, (simple, ours) in enumerate(pairs, 1)))
    print(f"  kvot (median av {rounds}): {statistics.median(ratios):.2f}; summornas kvot "
          f"{sum(o for _, o in pairs) / sum(p for p, _ in pairs):.2f}; första bygget, alla diagram ritas: {cold:.1f} s "
          f"= {cold / statistics.median(simple for simple, _ in pairs):.2f} × enkel", flush=True)
    return cold


def export_table(site: Path, size: int) -> None:
    print(f"\nExporter, {size} insatser (filer, storlek som de ligger och gzip-komprimerade fil för fil):")
    print(f"  {'export':<36} {'filer':>6} {'MB':>8} {'MB gzip':>8}")
    for label, files, raw, compressed in export_sizes(site):
        print(f"  {label:<36} {files:>6} {raw / 1e6:>8.2f} {compressed / 1e6:>8.2f}", flush=True)


def added_build_time(text: str, site: Path) -> tuple[float, float]:
    """Seconds spent rendering the guide pages, and running Pagefind, within a build."""
    catalogue = validate_text(text, "data.yaml", TODAY).catalogue
    shared = Site.build(catalogue, TODAY)
    started = time.perf_counter()
    for page in site_pages(catalogue):
        if page.template.startswith("vagvisare"):
            render_page(page, shared)
    guide = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(pagefind_command(str(site)), check=True, capture_output=True)
    return guide, time.perf_counter() - started


SEARCH = """async (query) => {
  const input = document.getElementById('ig-sok-fraga');
  const status = document.getElementById('ig-sok-status');
  status.textContent = '';
  const done = new Promise(resolve => new MutationObserver((_, observer) => {
    if (status.textContent && !status.textContent.startsWith('Söker')) { observer.disconnect(); resolve(); }
  }).observe(status, {childList: true, characterData: true, subtree: true}));
  input.value = query;
  const started = performance.now();
  input.form.requestSubmit();
  await done;
  return {ms: performance.now() - started, hits: document.querySelectorAll('#ig-sok-resultat li').length};
}"""


def search(page, query: str) -> tuple[float, int, int]:
    """Milliseconds from submitting the query to the result list, bytes fetched, hits (measured in the page)."""
    fetched: list[int] = []

    def on_response(response):
        if "/pagefind/" in response.url:
            try:
                fetched.append(len(response.body()))
            except Exception:  # a response without a body adds nothing
                pass

    page.on("response", on_response)
    result = page.evaluate(SEARCH, query)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", on_response)
    return result["ms"], sum(fetched), result["hits"]


# --- vägvisaren as a triage: answer change → updated result, and the embedded data -----------------

TRIAGE_CHANGES = """async () => {
  const form = document.getElementById('ig-vagvisare');
  const fields = Array.from(form.elements).filter(f => f.name);
  const selects = fields.filter(f => f.tagName === 'SELECT');
  const boxes = fields.filter(f => f.type === 'checkbox');
  const radios = fields.filter(f => f.type === 'radio');
  const numbers = fields.filter(f => f.type === 'number');
  const times = [];
  for (let i = 0; i < 20; i++) {
    // Cycle through the kinds of answer: a list choice, a need, a ja/nej/vet inte, an age.
    let field;
    if (i % 4 === 0 && selects.length) {
      field = selects[(i / 4) % selects.length];
      field.selectedIndex = 1 + (i % (field.options.length - 1));
    } else if (i % 4 === 1 && boxes.length) {
      field = boxes[(i * 7) % boxes.length];
      field.checked = !field.checked;
    } else if (i % 4 === 2 && radios.length) {
      field = radios[(i * 5) % radios.length];
      field.checked = true;
    } else {
      field = numbers[0] || selects[0];
      if (field.type === 'number') { field.value = String(15 + 10 * (i % 6)); } else { field.selectedIndex = 0; }
    }
    const started = performance.now();
    field.dispatchEvent(new Event('change', {bubbles: true}));
    document.getElementById('ig-resultat').offsetHeight;  // force layout of the new result
    times.push(performance.now() - started);
    await new Promise(r => setTimeout(r, 0));
  }
  times.sort((a, b) => a - b);
  const embedded = document.getElementById('ig-vagvisare-data').textContent;
  const documents = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/kommuner/'));
  return {median: (times[9] + times[10]) / 2, max: times[19],
          cards: document.querySelectorAll('#ig-resultat .ig-resultat').length,
          bytes: new TextEncoder().encode(embedded).length,
          document: Math.max(0, ...documents.map(e => e.decodedBodySize)), query: location.search};
}"""

# The guide fetches a kommun's document the first time that kommun is chosen: fetch them all first,
# so the timings above measure answer → result, not the network.
PRELOAD_KOMMUNER = """async () => {
  const form = document.getElementById('ig-vagvisare');
  const select = form.querySelector('select[name=kommun]');
  const status = document.getElementById('ig-resultat-status');
  let loaded = 0;
  for (const option of Array.from(select.options).filter(o => o.value)) {
    select.value = option.value;
    form.dispatchEvent(new Event('change'));
    while (!/passar|kunde inte/.test(status.textContent)) { await new Promise(r => setTimeout(r, 10)); }
    loaded += 1;
  }
  return loaded;
}"""


def triage_timing(page, size: int) -> None:
    """Median and max of 20 answer changes of every kind (select, need, ja/nej, age) until the result
    is laid out, and the bytes of the guide data the page embeds; printed, never asserted."""
    page.evaluate(PRELOAD_KOMMUNER)
    found = page.evaluate(TRIAGE_CHANGES)
    print(f"vägvisaren (triage), {size} insatser: svar→resultat median {found['median']:.1f} ms, "
          f"max {found['max']:.1f} ms; inbäddade data {found['bytes'] / 1024:.0f} KB, största hämtade "
          f"kommundokument {found['document'] / 1024:.0f} KB; "
          f"{found['cards']} insatser visade efter sista svaret", flush=True)


# --- page views: bytes and time to the load event (issue 12) --------------------------------------------

# (label, address, JavaScript condition for "the result is rendered", or None for pages that fetch nothing)
def page_views(size: int, kommun: str) -> list[tuple[str, str, str | None]]:
    return [
        ("startsidan", "", None),
        ("alla insatser", "insatser/", None),
        (f"alla insatser, kommun={kommun}", f"insatser/?kommun={kommun}",
         "document.getElementById('ig-filter-status').textContent.includes('insatser visas')"),
        ("alla insatser, typ=samordnad", "insatser/?typ=samordnad",   # no kommun: the whole summary list
         "document.getElementById('ig-filter-status').textContent.includes('insatser visas')"),
        (f"vägvisaren, kommun={kommun}", f"vagvisare/?kommun={kommun}",
         "document.querySelector('#ig-resultat .ig-grupp, #ig-ingen-traff:not([hidden])') !== null"),
        ("granskning", "granskning/", None),
        ("en insats", f"insatser/insats-{size // 2:05d}/", None),
    ]


def result_time(condition: str) -> str:
    """Milliseconds from navigation start until the condition holds (checked every frame)."""
    return ("() => new Promise(resolve => { const check = () => { if (" + condition + ") { resolve(performance.now()); } "
            "else { requestAnimationFrame(check); } }; check(); })")


def page_view(browser, address: str, rendered: str | None) -> dict:
    """One cold page view in a fresh context: bytes of every response (raw and gzip -6), ms to the load
    event and, when given, ms until the rendered-result condition holds (both from navigation start)."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(address, wait_until="load")
    load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventStart")
    result = page.evaluate(result_time(rendered)) if rendered else None
    page.wait_for_load_state("networkidle")
    raw = compressed = 0
    for response in responses:
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted response has no body
            continue
        raw += len(body)
        compressed += len(gzip.compress(body, 6))
    context.close()
    return {"load": load, "result": result, "raw": raw, "gzip": compressed, "requests": len(responses)}


def page_view_table(browser, url: str, size: int, kommun: str, repeats: int = 3) -> None:
    """Median of `repeats` cold views per page; bytes from the last (they do not vary)."""
    rows = []
    for label, address, rendered in page_views(size, kommun):
        views = [page_view(browser, url + address, rendered) for _ in range(repeats)]
        rows.append((label, address, {
            "load": statistics.median(v["load"] for v in views),
            "result": statistics.median(v["result"] for v in views) if rendered else None,
            "raw": views[-1]["raw"], "gzip": views[-1]["gzip"], "requests": views[-1]["requests"]}))
    start = rows[0][2]["load"]
    print(f"\nSidvisningar, {size} insatser (kall cache, median av {repeats}; KB = summan av svarens kroppar):")
    print(f"  {'sida':<34} {'KB gzip':>8} {'KB rå':>8} {'anrop':>6} {'load ms':>8} {'× start':>8} "
          f"{'resultat ms':>11} {'× start':>8}")
    for label, address, figures in rows:
        result = figures["result"]
        print(f"  {label:<34} {figures['gzip'] / 1024:>8.0f} {figures['raw'] / 1024:>8.0f} {figures['requests']:>6} "
              f"{figures['load']:>8.0f} {figures['load'] / start:>8.2f} "
              + (f"{result:>11.0f} {result / start:>8.2f}" if result is not None else f"{'–':>11} {'–':>8}"), flush=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description="Mäter vägvisaren och sökningen i Chromium.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=3, help="omgångar enkel/vår för byggets kvot (median visas)")
    args = parser.parse_args()
    print("Sökfrågor: ett sällsynt ord (en insats kortnamn), sedan ett ord som finns på nästan varje syntetisk sida "
          "(värsta fallet), sedan en förkortning som expanderas (FK → Försäkringskassan).")
    print(f"{'insatser':>8} {'svar→resultat ms (median/max)':>30} {'bygge s':>8} {'vägvisare s':>11} {'pagefind s':>10}  "
          "sök: ms / KB hämtat / träffar per fråga")
    with tempfile.TemporaryDirectory(prefix="insatsguiden-browser-") as tmp, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            text = catalogue_yaml(size)
            data = Path(tmp) / f"data-{size}.yaml"
            data.write_text(text, encoding="utf-8")
            site = Path(tmp) / f"site-{size}"
            build_seconds = build_figures(size, data, site, Path(tmp), args.rounds)
            export_table(site, size)
            guide_seconds, pagefind_seconds = added_build_time(text, site)
            url, server = serve_directory(site)
            page_view_table(browser, url, size, "vasteras")
            page = browser.new_page()
            page.goto(url + "vagvisare/", wait_until="networkidle")
            page.evaluate(PRELOAD_KOMMUNER)
            guide = page.evaluate(GUIDE_CHANGE)
            page.goto(url + "vagvisare/", wait_until="networkidle")
            triage_timing(page, size)   # the triage measurement (one call; see triage_timing)
            page.goto(url + "sok/", wait_until="networkidle")
            searches = [search(page, query) for query in (f"I{size // 2}", "kartläggning", "FK")]
            page.close()
            server.shutdown()
            measured = "  ".join(f"{ms:.0f} ms / {size_bytes / 1024:.0f} KB / {hits}" for ms, size_bytes, hits in searches)
            print(f"{size:>8} {guide['median']:>19.1f} / {guide['max']:>7.1f} {build_seconds:>8.1f} {guide_seconds:>11.1f} "
                  f"{pagefind_seconds:>10.1f}  {measured}", flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
