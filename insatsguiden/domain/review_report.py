"""Review findings as text lines, GitHub annotations, a Markdown report and JSON.

The Markdown report is the weekly tracking issue's body. What is overdue is grouped
by owner (the record's `forvaltare` role, else who is responsible), and an owner
with a GitHub account is mentioned once, in its heading, so each person is
notified of their own list. What falls due soon is grouped by owner too, under
lower headings that mention nobody (no notification before anything is late).
An account is only ever printed as `@` followed by a name that matches the
schema's pattern for GitHub accounts; every other text from the data is escaped,
so it cannot mention anyone.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace

from ..model.problems import github_command, markdown_code, markdown_text, visible
from ..model.schema import load_schema
from .freshness import KIND_LABELS, OK, OVERDUE, SOON, STATE_LABELS, Finding, duration, message

MARKER = "<!-- insatsguiden-granskning -->"  # identifies the tracking issue's body
OWNER_HEADING = "### "                       # an owner's section in the report (tools/tracking.py reads it)
SOON_OWNER_HEADING = "#### "                 # an owner's items that fall due soon: no mention, no notification
# The schema's own pattern and length for a GitHub account ($defs/github_konto): the one definition.
_ACCOUNT = load_schema()["$defs"]["github_konto"]
ACCOUNT_PATTERN = re.compile(_ACCOUNT["pattern"].rstrip("$") + r"\Z")


def valid_account(account: object) -> bool:
    return (isinstance(account, str) and 1 <= len(account) <= _ACCOUNT["maxLength"]
            and ACCOUNT_PATTERN.match(account) is not None)


def mention(account: str | None) -> str:
    """'@name' for a valid account, else nothing (never anything the data could shape otherwise)."""
    return f"@{account}" if valid_account(account) else ""


@dataclass
class OwnerGroup:
    owner: str                  # the role, or who is responsible when the record names no role
    account: str | None         # a valid GitHub account, or None
    findings: list[Finding]


def by_owner(findings: list[Finding]) -> list[OwnerGroup]:
    """Findings per owner (and account): most items first, then by name; each group keeps the findings' order."""
    groups: dict[tuple[str, str | None], OwnerGroup] = {}
    for finding in findings:
        account = finding.owner_github if valid_account(finding.owner_github) else None
        key = (finding.owner, account)
        groups.setdefault(key, OwnerGroup(finding.owner, account, [])).findings.append(finding)
    return sorted(groups.values(), key=lambda g: (-len(g.findings), g.owner.lower(), g.account or ""))


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


TABLE_HEAD = ["| Vad | Post | Skulle vara klar | Hur länge | Ansvarig | Rad |", "|---|---|---|---|---|---|"]


def _row(f: Finding, filename: str) -> str:
    if f.due is None:
        when, how_long = "–", "aldrig kontrollerad"
    elif f.state == OVERDUE:
        when, how_long = f.due.isoformat(), f"försenad {duration(f.offset_days)}"
    else:
        when, how_long = f.due.isoformat(), f"om {duration(-f.offset_days)}"
    what = KIND_LABELS[f.kind] + (" (avstämning)" if f.field == "nasta_avstamning" else "")
    return (f"| {what} | {markdown_text(f.record_name)} | {when} | {how_long} | "
            f"{markdown_text(f.responsible)} | {markdown_code(f'{filename}:{f.line}')} ({markdown_text(f.field)}) |")


def owner_heading(group: OwnerGroup) -> str:
    """'### Samordnare, Finsam (@anna-samordnare): 3 försenade' — the only place an account is mentioned."""
    account = mention(group.account)
    return (f"{OWNER_HEADING}{markdown_text(group.owner)}{f' ({account})' if account else ''}: "
            f"{len(group.findings)} försenade")


def as_markdown(findings: list[Finding], filename: str, today: dt.date) -> str:
    counts = summary_counts(findings)
    lines = [MARKER, f"# Granskning av Insatsguiden {today.isoformat()}", "",
             f"**{counts[OVERDUE]} försenade**, {counts[SOON]} snart dags, {counts[OK]} aktuella. "
             f"Källa: {markdown_code(filename)}.", ""]
    late = [f for f in findings if f.state == OVERDUE]
    if late:
        lines += ["## Försenade per förvaltare", "",
                  "Varje förvaltare (fältet forvaltare i datafilen, annars den som är ansvarig) har sin egen lista. "
                  "Den som har angett ett GitHub-konto nämns i rubriken och får en avisering.", ""]
        for group in by_owner(late):
            lines += [owner_heading(group), "", *TABLE_HEAD, *(_row(f, filename) for f in group.findings), ""]
    soon = [f for f in findings if f.state == SOON]
    if soon:
        lines += ["## Snart dags per förvaltare", "",
                  "Det som ska vara klart inom varningstiden, per förvaltare. Här nämns ingen, så ingen får en "
                  "avisering förrän något är försenat.", ""]
        # By owner only: the account is left out here, so one role is one heading whether or not it has one.
        for group in by_owner([replace(f, owner_github=None) for f in soon]):
            lines += [f"{SOON_OWNER_HEADING}{markdown_text(group.owner)}: {len(group.findings)} snart dags", "",
                      *TABLE_HEAD, *(_row(f, filename) for f in group.findings), ""]
    if not counts[OVERDUE] and not counts[SOON]:
        lines += ["Allt är aktuellt.", ""]
    return "\n".join(lines)
