"""Review dates with fixed dates: due today, a day late, leap years, windows over the new year."""
import datetime as dt
import json

import pytest

from conftest import FIXTURES, TODAY, run_script
from insatsguiden.model.catalogue import Catalogue
from insatsguiden.domain.freshness import OK, OVERDUE, SOON, add_months, duration, evaluate, sentence, window_due
from insatsguiden.model.loader import load_text
from insatsguiden.model.validate import check

D = dt.date


@pytest.mark.parametrize("last, months, expected", [
    (D(2021, 1, 31), (1, 3), D(2022, 3, 31)),    # revised inside the window: next year's window
    (D(2018, 4, 30), (1, 3), D(2019, 3, 31)),    # after the window: next year's window
    (D(2018, 12, 31), (1, 3), D(2019, 3, 31)),   # just before the window
    (D(2019, 1, 1), (1, 3), D(2020, 3, 31)),     # first day of the window counts for it
    (D(2019, 12, 15), (11, 2), D(2021, 2, 28)),  # window over the new year, revised inside it
    (D(2020, 10, 31), (11, 2), D(2021, 2, 28)),  # window over the new year, revised before it
    (D(2023, 6, 1), (11, 2), D(2024, 2, 29)),    # ends on a leap day
    (D(2020, 3, 1), (3, 3), D(2021, 3, 31)),     # one-month window
])
def test_yearly_window(last, months, expected):
    assert window_due(last, *months) == expected


@pytest.mark.parametrize("day, months, expected", [
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2023, 2, 28), 12, D(2024, 2, 28)),
    (D(2021, 8, 31), 6, D(2022, 2, 28)),
    (D(2021, 11, 30), 3, D(2022, 2, 28)),
    (D(2021, 9, 30), 12, D(2022, 9, 30)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("days, text", [(1, "1 dag"), (29, "29 dagar"), (30, "1 månad"), (364, "12 månader"),
                                        (365, "1 år"), (2794, "7 år")])
def test_duration(days, text):
    assert duration(days) == text


AGREEMENT = """version: 1
vagvisare: {inledning: I., fragor: [{id: kommun, fraga: Kommun?, matchar: kommun}]}
kallor: [{id: k, titel: K, utgivare: U, datum: "2021"}]
kommuner: [{id: ludvika, namn: Ludvika, lan: Dalarna}]
behov: [{id: bostad, namn: Bostad, beskrivning: B.}]
organisationer: [{id: o, namn: Org, typ: kommun, kallor: [{kalla: k, avsnitt: "1"}]}]
overenskommelser:
  - id: a
    titel: Avtalet
    parter: [o]
    ansvarig: o
    status: gallande
    {rule}
    kallor: [{kalla: k, avsnitt: "1"}]
insatser:
  - id: i
    namn: Insatsen
    typ: ordinarie
    syfte: S.
    malgrupp: {beskrivning: M., kommuner: [ludvika]}
    remiss: {remittenter: [annan], egen_ansokan: true}
    intag: {status: oppen{confirmed}}
    kontakter: [{roll: Mottagning{verified}}]
    senast_granskad: {datum: "{reviewed}", av: Samordnare}
    kallor: [{kalla: k, avsnitt: "1"}]
ej_tackta_behov: []
"""


def findings(today: D, rule: str = 'revision: {regel: arligt_fonster, fonster_fran_manad: 1, fonster_till_manad: 3}\n    senast_reviderad: "2025-02-10"',
             confirmed: str = '', verified: str = '', reviewed: str = "2025-06-01", warn: int | None = None):
    text = (AGREEMENT.replace("{rule}", rule).replace("{confirmed}", confirmed).replace("{verified}", verified)
            .replace("{reviewed}", reviewed))
    data = load_text(text, "t.yaml")
    assert not check(data, "t.yaml", today), [p.text() for p in check(data, "t.yaml", today)]
    return {f.kind: f for f in evaluate(Catalogue.from_data(data, "t.yaml"), today, warn)}


def test_agreement_due_today_is_not_overdue():
    finding = findings(D(2026, 3, 31))["overenskommelse"]
    assert finding.due == D(2026, 3, 31) and finding.state == SOON and finding.offset_days == 0


def test_agreement_one_day_late():
    finding = findings(D(2026, 4, 1))["overenskommelse"]
    assert finding.state == OVERDUE and finding.offset_days == 1
    assert sentence(finding) == "Överenskommelsen skulle ha reviderats senast 2026-03-31 – försenad sedan 1 dag."


def test_warning_period_boundaries():
    assert findings(D(2026, 1, 30), warn=60)["overenskommelse"].state == SOON    # 60 days before
    assert findings(D(2026, 1, 29), warn=60)["overenskommelse"].state == OK      # 61 days before
    assert findings(D(2026, 1, 29), warn=61)["overenskommelse"].state == SOON


def test_a_revision_resets_the_clock():
    before = findings(D(2026, 11, 23), rule='revision: {regel: arligt_fonster, fonster_fran_manad: 1, fonster_till_manad: 3}\n    senast_reviderad: "2025-02-10"')
    after = findings(D(2026, 11, 23), rule='revision: {regel: arligt_fonster, fonster_fran_manad: 1, fonster_till_manad: 3}\n    senast_reviderad: "2026-02-10"')
    assert before["overenskommelse"].state == OVERDUE and before["overenskommelse"].due == D(2026, 3, 31)
    assert after["overenskommelse"].state == OK and after["overenskommelse"].due == D(2027, 3, 31)


def test_window_over_new_year_in_data():
    rule = 'revision: {regel: arligt_fonster, fonster_fran_manad: 12, fonster_till_manad: 1}\n    senast_reviderad: "2025-12-20"'
    assert findings(D(2027, 1, 31), rule=rule)["overenskommelse"].due == D(2027, 1, 31)
    assert findings(D(2027, 2, 1), rule=rule)["overenskommelse"].state == OVERDUE


def test_fixed_date_and_valid_until():
    fixed = 'revision: {regel: fast_datum, datum: "2024-02-29"}'
    assert findings(D(2024, 2, 29), rule=fixed, reviewed="2023-06-01")["overenskommelse"].state == SOON
    assert findings(D(2024, 3, 1), rule=fixed, reviewed="2023-06-01")["overenskommelse"].state == OVERDUE
    met = fixed + '\n    senast_reviderad: "2024-03-15"'
    assert findings(D(2026, 11, 23), rule=met)["overenskommelse"].state == OK
    until = 'revision: {regel: giltig_till}\n    giltighet: {fran: "2024", till: "2026-12"}'
    finding = findings(D(2026, 11, 23), rule=until)["overenskommelse"]
    assert finding.due == D(2026, 12, 31) and finding.state == SOON


def test_stale_intake_confirmation():
    fresh = findings(D(2026, 11, 23), confirmed=', bekraftad: "2026-06-01"')["intag"]
    stale = findings(D(2026, 12, 2), confirmed=', bekraftad: "2026-06-01"')["intag"]
    never = findings(D(2026, 11, 23))["intag"]
    assert fresh.due == D(2026, 12, 1) and fresh.state == SOON
    assert stale.state == OVERDUE and stale.offset_days == 1
    assert never.state == OVERDUE and never.due is None


def test_contact_age_from_settings():
    verified = ', verifierad: "2025-11-23"'
    assert findings(D(2026, 11, 23), verified=verified)["kontakt"].state == SOON
    assert findings(D(2026, 11, 24), verified=verified)["kontakt"].state == OVERDUE
    assert findings(D(2026, 11, 23))["kontakt"].due is None


def test_default_data_on_2026_11_23(default_catalogue):
    all_findings = evaluate(default_catalogue, TODAY)
    evi = next(f for f in all_findings if f.record_id == "evi-2018")
    assert evi.state == OVERDUE and evi.due == D(2019, 3, 31) and duration(evi.offset_days) == "7 år"
    assert evi.responsible == default_catalogue.organisationer["ludvika-ami"]["namn"]


def test_cli_exit_codes_and_formats():
    text = run_script("scripts/check_freshness.py", "--today", "2026-11-23")
    assert text.returncode == 1
    assert any("skulle ha reviderats senast 2019-03-31 – försenad sedan 7 år" in line for line in text.stdout.splitlines())
    line = next(l for l in text.stdout.splitlines() if "2019-03-31" in l)
    assert line.startswith("data/insatser.yaml:") and line.split(":")[1].isdigit()
    github = run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "github")
    assert github.returncode == 1 and "::error file=data/insatser.yaml,line=" in github.stdout
    report = run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "github", "--report-only")
    assert report.returncode == 0 and "::warning file=" in report.stdout and "::error" not in report.stdout
    markdown = run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "markdown")
    assert markdown.returncode == 1 and "| Överenskommelse |" in markdown.stdout and "2019-03-31" in markdown.stdout
    document = json.loads(run_script("scripts/check_freshness.py", "--today", "2026-11-23", "--format", "json").stdout)
    evi = next(f for f in document["fynd"] if f["record_id"] == "evi-2018")
    assert evi["state"] == "forsenad" and evi["due"] == "2019-03-31" and evi["days_overdue"] == 2794
    assert run_script("scripts/check_freshness.py", "--warn-days", "x").returncode == 2
    assert run_script("scripts/check_freshness.py", str(FIXTURES / "invalid" / "bad_enum.yaml")).returncode == 1


def test_nothing_overdue_exits_zero(tmp_path):
    data = tmp_path / "fresh.yaml"
    text = AGREEMENT.replace("{rule}", 'revision: {regel: fast_datum, datum: "2027-06-01"}').replace(
        "{confirmed}", ', bekraftad: "2026-11-01"').replace("{verified}", ', verifierad: "2026-11-01"').replace(
        "{reviewed}", "2026-11-01")
    data.write_text(text, encoding="utf-8")
    completed = run_script("scripts/check_freshness.py", str(data), "--today", "2026-11-23")
    assert completed.returncode == 0, completed.stdout
