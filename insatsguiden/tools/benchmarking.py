"""What the benchmark scripts share: the plain site we compare with, timed builds, and export sizes.

Issue 12 measures our build against "the plain mkdocs-material site of the same size": a
project with one hand-written Markdown page per insats carrying the same content (kept out
of the nav), the theme's own search index, and nothing else (`plain_project`). Builds are
timed as a user runs them (`timed_build`: `mkdocs build` in a subprocess); a finished site is
deleted and the disk flushed before the next build starts, so that freeing one build's
hundreds of megabytes does not fall on the next. `export_sizes` sums the published open data
by kind, as is and gzip-compressed (what a server sends).
"""
from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ..model.schema import labels

PLAIN_CONFIG = """site_name: Jämförelse
theme:
  name: material
  language: sv
  font: false
plugins:
  - search:
      lang: sv
validation:
  nav:
    omitted_files: ignore
nav:
  - Start: index.md
"""


def equivalent_markdown(insats: dict) -> str:
    """The same content a hand-written page would carry, as ordinary Markdown."""
    def bullets(items):
        return "\n".join(f"- {item}" for item in items)

    lines = [f"# {insats['namn']}", "", f"**Intag:** {labels('intagsstatus')[insats['intag']['status']]}  ",
             f"**Senast granskad:** {insats['senast_granskad']['datum']}", "", insats["syfte"], "",
             "## Kort om insatsen", "", insats["beskrivning"], "", "## Målgrupp", "", insats["malgrupp"]["beskrivning"], "",
             "### Kriterier", "", bullets(insats["kriterier"]), "", "### Kan inte ta emot", "",
             bullets(insats["uteslutningsgrunder"]), "", "### Passar inte för", "", bullets(insats["passar_inte_for"]), "",
             "## Vad deltagaren kan förvänta sig", "", bullets(insats["forvantningar"]), "", "## Så fungerar det", ""]
    lines += [f"{n}. **{step['steg']}** {step['beskrivning']}" for n, step in enumerate(insats["arbetsgang"], 1)]
    lines += ["", "## Så remitterar du", "", bullets(insats["remiss"]["steg"]), "", "## Kontakt", ""]
    lines += [f"- {k['roll']}, {k['telefon']}, {k['epost']}" for k in insats["kontakter"]]
    lines += ["", "## Mål och uppföljning", "", bullets(insats["mal"]), "", insats["uppfoljning"], ""]
    # The follow-up figures (issue 13) as a hand-written page would give them: a table for each measure.
    for indicator in insats.get("indikatorer") or []:
        unit = "Andel (%)" if indicator["enhet"] == "procent" else "Antal"
        lines += [f"### {indicator['namn']}", "", f"| Period eller grupp | {unit} |", "|---|---:|"]
        for value in indicator["varden"]:
            label = (f"{value['period']['fran']}–{value['period'].get('till', '')}" if "period" in value
                     else value["namn"])
            lines.append(f"| {label} | {value['varde']} |")
        lines.append("")
    return "\n".join(lines)


def plain_project(folder: Path, insatser: list[dict]) -> Path:
    """A plain mkdocs-material project with one hand-written page per insats, kept out of the nav."""
    (folder / "docs").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(PLAIN_CONFIG, encoding="utf-8")
    (folder / "docs" / "index.md").write_text("# Start\n", encoding="utf-8")
    for insats in insatser:
        (folder / "docs" / f"{insats['id']}.md").write_text(equivalent_markdown(insats), encoding="utf-8")
    return folder


def remove_site(site: Path) -> None:
    """Delete a built site and let the disk settle, so the next timed build does not pay for it."""
    shutil.rmtree(site, ignore_errors=True)
    os.sync()
    time.sleep(2)


def timed_build(cwd: Path, site: Path, env: dict, keep: bool = False) -> float:
    """Seconds of `mkdocs build` in cwd into site (a fresh folder); the site is removed unless keep."""
    remove_site(site)
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)], cwd=cwd,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"Bygget misslyckades i {cwd}:\n{completed.stderr[-2000:]}")
    if not keep:
        remove_site(site)
    return elapsed


# The open data by kind, as the README's Open data section names it: (label, paths under the site).
EXPORTS = (
    ("JSON-API (api/v1/)", ("api",)),
    ("HSDS 3.0 (hsds/)", ("hsds",)),
    ("CSV: insatser", ("csv/insatser.csv",)),
    ("CSV: kontakter", ("csv/kontakter.csv",)),
    ("CSV: granskning", ("csv/granskning.csv",)),
    ("Kalendrar (kalender/)", ("kalender",)),
    ("Ändringsflöde (andringar/feed.xml)", ("andringar/feed.xml",)),
    ("granskning.json", ("granskning.json",)),
    ("Diagram (diagram/)", ("diagram",)),
    ("Sökindex (pagefind/)", ("pagefind",)),
)


def export_sizes(site: Path) -> list[tuple[str, int, int, int]]:
    """(label, files, bytes, bytes gzip-compressed at level 6, file by file) for each kind of export."""
    rows = []
    for label, paths in EXPORTS:
        files = []
        for relative in paths:
            path = site / relative
            files += [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path] if path.is_file() else []
        contents = [p.read_bytes() for p in files]
        rows.append((label, len(files), sum(map(len, contents)), sum(len(gzip.compress(c, 6)) for c in contents)))
    return rows
