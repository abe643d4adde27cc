"""Keep exactly one tracking issue in step with the review report.

Pure decisions, tested locally: given the open tracking issues and this
week's report, say what to do. The workflow carries it out with `gh`.

The report mentions each owner with a GitHub account in the heading of their
own list. GitHub notifies a mention when an issue is opened, not when its body
is edited, so an update also posts a short comment that mentions the owners
whose list is new or changed; an owner whose list stayed the same is not
notified again.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.review_report import MARKER, OWNER_HEADING, valid_account

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
    comment: str = ""                # on update: mentions of the owners whose list is new or changed


# '### Samordnare (@anna): 3 försenade' -> the owner part and the account.
_OWNER = re.compile(r"^(?P<owner>.*?)(?: \(@(?P<account>[A-Za-z0-9-]+)\))?: \d+ försenade$")


def owner_sections(body: str) -> dict[str, tuple[str | None, str]]:
    """Per owner heading (without its count): (its mentioned account, the section's rows)."""
    sections: dict[str, tuple[str | None, str]] = {}
    key, account, rows = None, None, []
    for line in (body or "").splitlines() + ["## "]:
        if line.startswith("#"):
            if key is not None:
                sections[key] = (account, "\n".join(rows).strip())
            key, account, rows = None, None, []
            match = _OWNER.match(line[len(OWNER_HEADING):]) if line.startswith(OWNER_HEADING) else None
            if match:
                key = match["owner"] + (f" (@{match['account']})" if match["account"] else "")
                account = match["account"] if valid_account(match["account"]) else None
        elif key is not None:
            rows.append(line)
    return sections


def mentions_to_notify(old_body: str, new_body: str) -> list[str]:
    """Accounts whose list in the new report is new or differs from the old one, in report order."""
    before = owner_sections(old_body)
    accounts = []
    for key, (account, rows) in owner_sections(new_body).items():
        if account and before.get(key, (None, None))[1] != rows and account not in accounts:
            accounts.append(account)
    return accounts


def update_comment(accounts: list[str]) -> str:
    if not accounts:
        return ""
    names = ", ".join(f"@{a}" for a in accounts)
    return f"Granskningen är uppdaterad. Nytt eller ändrat i listan för {names}: se ärendets beskrivning."


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
    return Plan("update", number=keep["number"], body=report, close_duplicates=duplicates,
                comment=update_comment(mentions_to_notify(keep.get("body") or "", report)))


def gh_commands(plan: Plan, repo: str, body_file: str, comment_file: str = "") -> list[list[str]]:
    """The `gh` calls that carry out a plan (the body and the comment are passed in files, never on the
    command line)."""
    commands: list[list[str]] = []
    if plan.action == "open":
        commands.append(["gh", "label", "create", LABEL, "--repo", repo, "--force", "--color", "B60205",
                         "--description", "Försenade uppgifter enligt granskningen"])
        commands.append(["gh", "issue", "create", "--repo", repo, "--title", plan.title, "--label", LABEL,
                         "--body-file", body_file])
    elif plan.action == "update":
        commands.append(["gh", "issue", "edit", str(plan.number), "--repo", repo, "--body-file", body_file])
        if plan.comment and comment_file:
            commands.append(["gh", "issue", "comment", str(plan.number), "--repo", repo, "--body-file", comment_file])
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
    comment_file = ""
    if plan.comment:
        comment_file = str(Path(args.report).with_name(Path(args.report).stem + "-kommentar.md"))
        Path(comment_file).write_text(plan.comment + "\n", encoding="utf-8")
    commands = gh_commands(plan, args.repo, args.report, comment_file)
    print(f"Åtgärd: {plan.action}" + (f" (ärende #{plan.number})" if plan.number else ""))
    for command in commands:
        print(" ".join(command))
        if args.apply:
            subprocess.run(command, check=True)
    return 0
