"""The browser's review recheck (docs/assets/granskning.js) agrees with freshness.py.

The real built script runs in Chromium on a real page of the built site. For
each generated case the test sets a review banner's and an intake badge's data
attributes and the reader's clock, runs the script again, and compares the
banner's state class, hidden flag and sentence, and the intake badges, with
what `freshness._state` and `freshness.sentence` say for the same dates.
"""
from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from conftest import TODAY
from insatsguiden.domain.freshness import OK, OVERDUE, PHRASES, Finding, _state, evaluate, sentence

ZONE = ZoneInfo("Europe/Stockholm")  # the reader's time zone; the script counts in the reader's local date
SENTINEL = "(orörd av skriptet)"
MIN_CASES = 300

# Days around the rules' and the duration units' boundaries.
BOUNDARY_OFFSETS = sorted({sign * days for days in (0, 1, 2, 29, 30, 31, 59, 60, 61, 364, 365, 366, 729, 730, 731,
                                                    1095, 3650) for sign in (1, -1)})
BOUNDARY_WARNS = (0, 1, 29, 30, 31, 60, 364, 365)


def generate_cases(seed: int = 20261123) -> list[dict]:
    """Cases (kind, due, warn, reader's date and hour): every boundary offset for some warning periods,
    offsets of exactly ±warn and ±warn±1, and random dates spread over twenty years."""
    rng = random.Random(seed)
    kinds = sorted(PHRASES)
    cases = []

    def add(offset: int, warn: int) -> None:
        due = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(20 * 365))
        cases.append({"kind": kinds[len(cases) % len(kinds)], "due": due, "warn": warn,
                      "reader": due + dt.timedelta(days=offset), "hour": rng.choice((0, 1, 12, 22, 23))})

    for warn in BOUNDARY_WARNS:
        for offset in BOUNDARY_OFFSETS:
            add(offset, warn)
    for warn in (0, 1, 7, 30, 45, 60, 90, 180, 364, 365):
        for offset in (warn, warn + 1, warn - 1):
            add(-offset, warn)
    for _ in range(200):
        add(rng.randint(-800, 4000), rng.randint(0, 365))
    return cases


def expected(case: dict) -> dict:
    """What freshness.py says: the state, and the sentence for a banner that shows."""
    state, offset = _state(case["due"], case["reader"], case["warn"])
    finding = Finding(case["kind"], "insatser", "x", "x", "senast_granskad.datum", 1, 1, state, case["due"], None,
                      "x", offset)
    return {"state": state, "sentence": sentence(finding), "intake_stale": state == OVERDUE}


RUN_CASE = """async ({banner, intake, script, subject, done, todo, due, warn}) => {
  const b = document.querySelectorAll('.ig-granskning[data-ig-due]')[banner];
  const i = document.querySelectorAll('.ig-intag[data-ig-due]')[intake];
  b.setAttribute('data-ig-due', due); b.setAttribute('data-ig-warn', String(warn));
  b.setAttribute('data-ig-subject', subject); b.setAttribute('data-ig-done', done); b.setAttribute('data-ig-todo', todo);
  b.className = 'ig-granskning ig-granskning-orord'; b.hidden = true;
  b.querySelector('.ig-granskning-text').textContent = '%s';
  i.setAttribute('data-ig-due', due);
  const badges = i.querySelectorAll('.ig-badge'); badges[0].hidden = false; badges[1].hidden = true;
  await new Promise((resolve, reject) => {
    const tag = document.createElement('script');
    tag.src = script; tag.onload = resolve; tag.onerror = reject;
    document.body.appendChild(tag);
  });
  return {className: b.className, hidden: b.hidden, text: b.querySelector('.ig-granskning-text').textContent,
          intakeStale: badges[0].hidden && !badges[1].hidden};
}""" % SENTINEL


@pytest.fixture(scope="module")
def review_page(browser, site_url, default_catalogue):
    """An insats page of the built site with a review banner and an intake badge pair, and the built script's address."""
    findings = evaluate(default_catalogue, TODAY)
    with_intake = {f.record_id for f in findings if f.kind == "intag" and f.due is not None}
    record = next(f.record_id for f in findings if f.kind == "granskning" and f.record_id in with_intake)
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and tab.problems.append(message.text))
    tab.clock.set_fixed_time(dt.datetime(2026, 11, 23, 12, tzinfo=ZONE).timestamp())
    tab.goto(site_url + f"insatser/{record}/", wait_until="networkidle")
    assert tab.locator("#ig-granskning-regler").count() == 1
    banner = 0
    intake = tab.evaluate("""() => [...document.querySelectorAll('.ig-intag[data-ig-due]')]
                               .findIndex(i => i.querySelectorAll('.ig-badge').length === 2)""")
    assert tab.locator(".ig-granskning[data-ig-due] .ig-granskning-text").count() >= 1 and intake >= 0
    yield tab, {"banner": banner, "intake": intake, "script": site_url + "assets/granskning.js"}
    context.close()


def test_generated_cases_cover_every_state_and_boundary():
    cases = generate_cases()
    assert len(cases) >= MIN_CASES
    states = [expected(case)["state"] for case in cases]
    assert {OK, OVERDUE} <= set(states) and len(set(states)) == 3
    offsets = {(case["reader"] - case["due"]).days for case in cases}
    assert {0, 1, -1, 30, -30, 365, -365, 366, -366} <= offsets
    assert {case["warn"] for case in cases} >= {0, 365}


def test_browser_recheck_matches_freshness_on_generated_cases(review_page):
    tab, where = review_page
    cases = generate_cases()
    mismatches = []
    for case in cases:
        moment = dt.datetime.combine(case["reader"], dt.time(case["hour"], 30), tzinfo=ZONE)
        tab.clock.set_fixed_time(moment.timestamp())
        subject, done, todo = PHRASES[case["kind"]]
        got = tab.evaluate(RUN_CASE, {**where, "subject": subject, "done": done, "todo": todo,
                                      "due": case["due"].isoformat(), "warn": case["warn"]})
        want = expected(case)
        if want["state"] == OK:  # up to date: the script leaves the build's banner as it is
            want_banner = ("ig-granskning ig-granskning-orord", True, SENTINEL)
        else:
            want_banner = (f"ig-granskning ig-granskning-{want['state']}", False, want["sentence"])
        if (got["className"], got["hidden"], got["text"]) != want_banner or got["intakeStale"] != want["intake_stale"]:
            mismatches.append(f"{case}: webbläsaren {got}, freshness.py {want_banner} intag {want['intake_stale']}")
    print(f"\n{len(cases)} fall jämförda i Chromium")
    assert not mismatches, f"{len(mismatches)} av {len(cases)} fall skiljer sig:\n" + "\n".join(mismatches[:10])
    assert tab.problems == []


def test_a_pending_decisions_banner_is_rechecked_with_the_readers_date(browser, site_url, default_catalogue):
    """A decision's banner (issue 13) carries its own due date and phrases: a decision with only a next check
    (nasta_avstamning) reads "Frågan … stämts av", one with a deadline "Beslutet … fattats", in the browser too."""
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    tab.clock.set_fixed_time(dt.datetime(2027, 11, 23, 12, tzinfo=ZONE).timestamp())
    checked = {}
    for decision_id in ("uma-som-ordinarie-verksamhet", "revision-av-evi-overenskommelsen"):
        tab.goto(site_url + f"beslut/{decision_id}/", wait_until="networkidle")
        banner = tab.locator(".ig-granskning[data-ig-due]").first
        finding = next(f for f in evaluate(default_catalogue, dt.date(2027, 11, 23)) if f.record_id == decision_id)
        assert banner.get_attribute("class") == f"ig-granskning ig-granskning-{finding.state}"
        checked[decision_id] = banner.locator(".ig-granskning-text").inner_text()
        assert checked[decision_id] == sentence(finding)
    assert checked["uma-som-ordinarie-verksamhet"] == "Frågan skulle ha stämts av senast 2022-09-30 – försenad sedan 5 år."
    assert checked["revision-av-evi-overenskommelsen"].startswith("Beslutet skulle ha fattats senast 2022-03-31")
    context.close()
    assert tab.problems == []
