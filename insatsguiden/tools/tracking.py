"""Keep exactly one tracking issue in step with the review report.

Pure decisions, tested locally: given the open tracking issues and this
week's report, say what to do. The workflow carries it out with `gh`.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.review_report import MARKER

TITLE = "Granskning: försenade uppgifter i Insatsguiden"
LABEL = "granskning"
CLOSING_COMMENT = "Allt är aktuellt igen enligt den schemalagda granskningen. Ärendet stängs automatiskt."


@dataclass
class Plan:
    action: str                      # open | update | close | none
    number: int | None = None        # the issue to update or close
    title: str = TITLE
    body: str = ""
    close_duplicates: list[int] = field(default_factory=list)


def _comparable(body: str) -> str:
    # The report's first heading carries the date: a new week alone is no change.
    return "\n".join(line for line in body.strip().splitlines() if not line.startswith("# Granskning av Insatsguiden"))


def decide(open_issues: list[dict], report: str, overdue: int) -> Plan:
    ours = sorted((issue for issue in open_issues if MARKER in (issue.get("body") or "")), key=lambda i: i["number"])
    keep, duplicates = (ours[0], [i["number"] for i in ours[1:]]) if ours else (None, [])
    if overdue == 0:
        if keep is None:
            return Plan("none", close_duplicates=duplicates)
        return Plan("close", number=keep["number"], body=CLOSING_COMMENT, close_duplicates=duplicates)
    if keep is None:
        return Plan("open", body=report, close_duplicates=duplicates)
    if _comparable(keep.get("body") or "") == _comparable(report):
        return Plan("none", number=keep["number"], close_duplicates=duplicates)
    return Plan("update", number=keep["number"], body=report, close_duplicates=duplicates)


def gh_commands(plan: Plan, repo: str, body_file: str) -> list[list[str]]:
    """The `gh` calls that carry out a plan (the body is passed in a file, never on the command line)."""
    commands: list[list[str]] = []
    if plan.action == "open":
        commands.append(["gh", "label", "create", LABEL, "--repo", repo, "--force", "--color", "B60205",
                         "--description", "Försenade uppgifter enligt granskningen"])
        commands.append(["gh", "issue", "create", "--repo", repo, "--title", plan.title, "--label", LABEL,
                         "--body-file", body_file])
    elif plan.action == "update":
        commands.append(["gh", "issue", "edit", str(plan.number), "--repo", repo, "--body-file", body_file])
    elif plan.action == "close":
        commands.append(["gh", "issue", "close", str(plan.number), "--repo", repo, "--comment", plan.body])
    for number in plan.close_duplicates:
        commands.append(["gh", "issue", "close", str(number), "--repo", repo, "--comment",
                         "Dubblett av granskningsärendet; stängs automatiskt."])
    return commands


def main(argv: list[str]) -> int:
    from .cli import SwedishParser

    parser = SwedishParser(prog="tracking_issue.py", description="Håller granskningsärendet aktuellt.")
    parser.add_argument("--issues", required=True, help="JSON från gh issue list")
    parser.add_argument("--report", required=True, help="rapporten i Markdown från check_freshness.py")
    parser.add_argument("--overdue", required=True, type=int, help="antal försenade")
    parser.add_argument("--repo", default="", help="OWNER/NAME")
    parser.add_argument("--apply", action="store_true", help="kör gh-kommandona")
    args = parser.parse_args(argv)
    try:
        issues = json.loads(Path(args.issues).read_text(encoding="utf-8") or "[]")
        report = Path(args.report).read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        print(f"tracking_issue.py: kunde inte läsa indata: {error}", file=sys.stderr)
        return 2
    plan = decide(issues, report, args.overdue)
    commands = gh_commands(plan, args.repo, args.report)
    print(f"Åtgärd: {plan.action}" + (f" (ärende #{plan.number})" if plan.number else ""))
    for command in commands:
        print(" ".join(command))
        if args.apply:
            subprocess.run(command, check=True)
    return 0
