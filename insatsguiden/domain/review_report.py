"""Review findings as text lines, GitHub annotations, a Markdown report and JSON."""
from __future__ import annotations

import datetime as dt
import json

from ..model.problems import github_command, markdown_code, markdown_text, visible
from .freshness import KIND_LABELS, OK, OVERDUE, SOON, STATE_LABELS, Finding, duration, message

MARKER = "<!-- insatsguiden-granskning -->"  # identifies the tracking issue's body


def summary_counts(findings: list[Finding]) -> dict[str, int]:
    return {state: sum(f.state == state for f in findings) for state in (OVERDUE, SOON, OK)}


def as_text(findings: list[Finding], filename: str, include_ok: bool = False) -> str:
    return "\n".join(visible(f"{filename}:{f.line}:{f.col}: {STATE_LABELS[f.state]}: {message(f)}")
                     for f in findings if include_ok or f.state != OK)


def as_github(findings: list[Finding], filename: str, overdue_level: str = "error") -> str:
    return "\n".join(github_command(overdue_level if f.state == OVERDUE else "warning", filename, f.line, f.col,
                                    message(f), title=STATE_LABELS[f.state])
                     for f in findings if f.state != OK)


def as_json(findings: list[Finding], filename: str, today: dt.date) -> str:
    document = {
        "datum": today.isoformat(),
        "fil": filename,
        "sammanfattning": summary_counts(findings),
        "fynd": [f.to_json() for f in findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def as_markdown(findings: list[Finding], filename: str, today: dt.date) -> str:
    counts = summary_counts(findings)
    lines = [MARKER, f"# Granskning av Insatsguiden {today.isoformat()}", "",
             f"**{counts[OVERDUE]} försenade**, {counts[SOON]} snart dags, {counts[OK]} aktuella. "
             f"Källa: {markdown_code(filename)}.", ""]
    for state, heading in ((OVERDUE, "Försenade"), (SOON, "Snart dags")):
        selected = [f for f in findings if f.state == state]
        if not selected:
            continue
        lines += [f"## {heading}", "", "| Vad | Post | Skulle vara klar | Hur länge | Ansvarig | Rad |",
                  "|---|---|---|---|---|---|"]
        for f in selected:
            if f.due is None:
                when, how_long = "–", "aldrig kontrollerad"
            elif state == OVERDUE:
                when, how_long = f.due.isoformat(), f"försenad {duration(f.offset_days)}"
            else:
                when, how_long = f.due.isoformat(), f"om {duration(-f.offset_days)}"
            lines.append(f"| {KIND_LABELS[f.kind]} | {markdown_text(f.record_name)} | {when} | {how_long} | "
                         f"{markdown_text(f.responsible)} | {markdown_code(f'{filename}:{f.line}')} ({f.field}) |")
        lines.append("")
    if not counts[OVERDUE] and not counts[SOON]:
        lines += ["Allt är aktuellt.", ""]
    return "\n".join(lines)
