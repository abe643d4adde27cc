#!/usr/bin/env python3
"""Open, update or close the one tracking issue for overdue review items.

    python scripts/tracking_issue.py --issues open.json --report report.md --overdue N [--repo OWNER/NAME --apply]

`open.json` is `gh issue list --label granskning --state open --json number,title,body`.
Without --apply it only prints the plan; with it, it runs the `gh` commands.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.tracking import decide, gh_commands  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Håller granskningsärendet aktuellt.")
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
