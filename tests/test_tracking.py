"""The tracking issue: opened when something is overdue, updated when it changes, closed when all is fresh."""
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_script
from insatsguiden.domain.review_report import MARKER
from insatsguiden.tools.tracking import decide, gh_commands

REPORT = f"{MARKER}\n# Granskning av Insatsguiden 2026-11-23\n\n**1 försenade**\n\n| EVI | 2019-03-31 |\n"


def issue(number, body):
    return {"number": number, "title": "x", "body": body}


def test_opens_when_overdue_and_none_open():
    plan = decide([issue(5, "ett annat ärende")], REPORT, overdue=1)
    assert plan.action == "open" and plan.body == REPORT


def test_no_change_when_only_the_date_differs():
    old = REPORT.replace("2026-11-23", "2026-11-16")
    assert decide([issue(7, old)], REPORT, overdue=1).action == "none"


def test_updates_when_the_content_changes():
    plan = decide([issue(7, REPORT.replace("EVI", "UMA"))], REPORT, overdue=1)
    assert (plan.action, plan.number, plan.body) == ("update", 7, REPORT)


def test_closes_when_all_is_fresh():
    plan = decide([issue(7, REPORT)], "allt aktuellt", overdue=0)
    assert plan.action == "close" and plan.number == 7
    assert decide([], "allt aktuellt", overdue=0).action == "none"


def test_keeps_exactly_one():
    plan = decide([issue(9, REPORT), issue(7, REPORT + "x")], REPORT, overdue=1)
    assert plan.number == 7 and plan.close_duplicates == [9]


def test_gh_commands_pass_the_body_as_a_file():
    commands = gh_commands(decide([], REPORT, overdue=1), "org/repo", "report.md")
    assert commands[-1][:3] == ["gh", "issue", "create"] and "--body-file" in commands[-1]
    assert all(REPORT not in part for command in commands for part in command)


def test_script_prints_the_plan(tmp_path):
    (tmp_path / "open.json").write_text("[]", encoding="utf-8")
    (tmp_path / "report.md").write_text(REPORT, encoding="utf-8")
    completed = run_script("scripts/tracking_issue.py", "--issues", str(tmp_path / "open.json"), "--report",
                           str(tmp_path / "report.md"), "--overdue", "1", "--repo", "org/repo")
    assert completed.returncode == 0 and completed.stdout.startswith("Åtgärd: open")


def test_workflows_pass_actionlint():
    completed = subprocess.run([str(Path(sys.executable).parent / "actionlint"), *sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))],
                               cwd=ROOT, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout
