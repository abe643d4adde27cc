"""Vägvisaren: ranking rules on the real data, the CLI, and one logic in Python and in Chromium."""
import json
import random

import pytest

from conftest import TODAY, run_script
from insatsguiden.domain.freshness import evaluate
from insatsguiden.domain.guide import Answers, guide_data, match, match_entries


@pytest.fixture(scope="module")
def data(default_catalogue):
    return guide_data(default_catalogue, evaluate(default_catalogue, TODAY))


def ids(data, **answers):
    return [m.id for m in match_entries(data, Answers(**answers))]


def test_ordinary_measures_come_before_coordinated(data):
    result = match_entries(data, Answers(kommun="vasteras", alder=30, behov=("arbete",), aktivitet="ja"))
    groups = [m.group for m in result]
    assert groups == sorted(groups, key=lambda g: g != "ordinarie") and "samordnad" in groups
    assert "samordningsteamet-vasteras" in [m.id for m in result]


def test_coordinated_team_hidden_when_activity_is_not_possible(data):
    # The Västerås evaluation: people not ready for activity left SOT; the guide shows ordinary measures instead.
    found = ids(data, kommun="vasteras", alder=30, behov=("bostad", "psykisk-ohalsa"), aktivitet="nej")
    assert "samordningsteamet-vasteras" not in found
    assert {"boendestod-vasteras", "personligt-ombud-vasteras"} <= set(found)


def test_coordinated_team_needs_its_criteria_answered(data):
    assert "samordningsteamet-vasteras" not in ids(data, kommun="vasteras", behov=("arbete",))
    assert "samordningsteamet-vasteras" in ids(data, kommun="vasteras", alder=30, behov=("arbete",), aktivitet="ja")


def test_kommun_limits_results(data, default_catalogue):
    for insats_id in ids(data, kommun="smedjebacken", behov=("psykisk-ohalsa",)):
        kommuner = default_catalogue.insatser[insats_id]["malgrupp"].get("kommuner", [])
        assert not kommuner or "smedjebacken" in kommuner


def test_reasons_and_warnings(data):
    result = {m.id: m for m in match_entries(data, Answers(kommun="ludvika", alder=25, behov=("arbetstraning",), aktivitet="ja",
                                                           remittent="forsakringskassan"))}
    evi = result.get("evi-ludvika")
    assert evi is not None and evi.reasons[0] == "arbetsträning och praktik" and "Ludvika" in evi.reasons
    assert any("EVI" in w and "inte reviderad i tid" in w for w in evi.warnings)
    assert all(m.warnings for m in result.values())  # no intake in the default data is confirmed recently


def test_proposed_and_ended_measures_never_appear(data):
    everything = ids(data, kommun="vasteras", alder=30, aktivitet="ja")
    assert "finsam-team-vasteras" not in everything


def test_closed_paused_or_ended_measures_are_never_recommended(data, default_catalogue):
    """Issue 11: a measure that cannot take anyone now is listed apart, with why, never among the recommendations."""
    closed = {i["id"] for i in default_catalogue.insatser.values()
              if i["typ"] == "avslutad" or i["intag"]["status"] in ("stangd", "pausad", "avslutad")}
    assert "uma" in closed  # the project ended 2020-10-31 with intake closed (000, 4.3)
    seen_apart = set()
    for profile in profiles(default_catalogue, count=60, seed=11):
        for found in match_entries(data, Answers.from_query(profile)):
            if found.id in closed:
                assert found.group == "inte-tillganglig", (profile, found)
                assert len(found.warnings) == 1 and found.warnings[0].startswith(("Intaget är", "Insatsen har")), found
                seen_apart.add(found.id)
            else:
                assert found.group in ("ordinarie", "samordnad"), (profile, found)
    assert seen_apart  # the profiles reach some of them
    result = match_entries(data, Answers(kommun="ludvika", alder=25, behov=("arbete",), aktivitet="ja"))
    groups = [m.group for m in result]
    assert groups[-1] == "inte-tillganglig" and groups.index("inte-tillganglig") > max(
        i for i, g in enumerate(groups) if g != "inte-tillganglig")


def test_the_page_per_kommun_lists_unavailable_measures_apart(built_site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((built_site / "vagvisare" / "ludvika" / "index.html").read_text(encoding="utf-8"), "html.parser")
    section = page.find("h2", id="arbete")
    ranked, after = [], []
    for sibling in section.find_next_siblings():
        if sibling.name == "h2":
            break
        (ranked if sibling.name == "ul" else after).append(sibling)
    assert not any("uma/" in a["href"] for ul in ranked for a in ul.find_all("a"))
    apart = " ".join(p.get_text(" ") for p in after)
    assert "Inte tillgängligt just nu" in apart and "UMA" in apart and "stängt" in apart


def test_nothing_matches(data):
    assert ids(data, kommun="vasteras", behov=("svenska-nyanland",)) == []


def test_query_round_trip():
    answers = Answers(kommun="ludvika", alder=34, forsorjning="sjukpenning", behov=("bostad", "missbruk"),
                      aktivitet="nej", kontakter=("regionen",), remittent="forsakringskassan")
    assert Answers.from_query(answers.to_query()) == answers
    assert Answers.from_query({"alder": "tre", "aktivitet": "kanske", "behov": ",bostad,,bostad"}) == Answers(behov=("bostad",))


def test_cli(default_catalogue):
    text = run_script("scripts/guide.py", "--kommun", "vasteras", "--alder", "34", "--behov", "bostad",
                      "--aktivitet", "nej", "--today", "2026-11-23")
    assert text.returncode == 0 and "Ordinarie insatser – pröva först:" in text.stdout
    assert "Därför: bostad · Västerås" in text.stdout
    as_json = json.loads(run_script("scripts/guide.py", "--kommun", "vasteras", "--behov", "bostad", "--format", "json",
                                    "--today", "2026-11-23").stdout)
    expected = match(default_catalogue, evaluate(default_catalogue, TODAY), Answers(kommun="vasteras", behov=("bostad",)))
    assert as_json == [m.to_json() for m in expected]
    assert run_script("scripts/guide.py", "--kommun", "stockholm").returncode == 2
    assert run_script("scripts/guide.py", "--aktivitet", "kanske").returncode == 2


def profiles(catalogue, count=40, seed=7):
    """Hand-picked profiles plus random ones over the whole answer space."""
    rng = random.Random(seed)
    picked = [
        {}, {"kommun": "vasteras"}, {"behov": "bostad"},
        {"kommun": "vasteras", "alder": "30", "behov": "arbete", "aktivitet": "ja"},
        {"kommun": "ludvika", "alder": "22", "forsorjning": "aktivitetsersattning", "behov": "unga-vuxna,arbetstraning", "aktivitet": "vet-inte"},
        {"kommun": "smedjebacken", "behov": "missbruk", "aktivitet": "nej", "remittent": "arbetsformedlingen"},
        {"alder": "abc", "aktivitet": "kanske", "behov": ",,"},
    ]
    kommuner = list(catalogue.kommuner) + [None]
    needs = list(catalogue.behov)
    incomes = ["forsorjningsstod", "aktivitetsersattning", "sjukersattning", "sjukpenning", "aktivitetsstod", "ingen", None]
    referrers = ["forsakringskassan", "arbetsformedlingen", "socialtjansten", "regionen", "kommunens_arbetsmarknad", None]
    while len(picked) < count:
        query = {
            "kommun": rng.choice(kommuner), "alder": rng.choice([None, str(rng.randint(15, 70))]),
            "forsorjning": rng.choice(incomes), "behov": ",".join(rng.sample(needs, rng.randint(0, 3))),
            "aktivitet": rng.choice(["ja", "nej", "vet-inte", None]),
            "kontakter": ",".join(r for r in rng.sample(referrers[:-1], rng.randint(0, 2))),
            "remittent": rng.choice(referrers),
        }
        picked.append({k: v for k, v in query.items() if v})
    return picked


def test_python_and_browser_give_identical_results(browser, site_url, default_catalogue, data):
    table = profiles(default_catalogue)
    assert len(table) >= 30
    page = browser.new_page()
    page.goto(site_url + "vagvisare/", wait_until="networkidle")
    results = compare_with_browser(page, data, table)
    page.close()
    assert sum(bool(r) for r in results) >= 20  # the table exercises real matches, not only empty results


# Names every JavaScript object inherits: an answer must never find them through a label or set lookup.
OBJECT_KEYS = ("constructor", "__proto__", "toString", "hasOwnProperty", "valueOf")
STRING_SLOTS = ("kommun", "remittent", "forsorjning", "kontakter", "behov")


def object_key_profiles():
    """Inherited property names in every answer that takes a string, alone and next to real answers."""
    picked = []
    for key in OBJECT_KEYS:
        picked.append({slot: key for slot in STRING_SLOTS})
        picked.append({"kommun": key, "alder": "30", "aktivitet": "ja", "remittent": key})
        picked.append({"kommun": "vasteras", "alder": "30", "aktivitet": "ja", "behov": f"arbete,{key},bostad",
                       "kontakter": f"{key},regionen", "remittent": key, "forsorjning": key})
        picked.append({"kommun": "ludvika", "alder": "25", "forsorjning": key, "behov": f"{key},arbetstraning",
                       "kontakter": key, "remittent": "forsakringskassan"})
        for slot in STRING_SLOTS:
            picked.append({slot: key, "alder": "40", "aktivitet": "vet-inte"})
    return picked


def compare_with_browser(page, data, table):
    """Run each profile through Python and through vagvisare.js in the page; both must agree exactly."""
    from urllib.parse import urlencode
    queries = [urlencode(profile) for profile in table]
    in_browser = page.evaluate("""(queries) => {
        const data = JSON.parse(document.getElementById('ig-vagvisare-data').textContent);
        return queries.map(q => {
            const answers = window.Insatsguiden.answersFromQuery(q);
            return {answers, result: window.Insatsguiden.matchEntries(data, answers)};
        });
    }""", queries)
    results = []
    for profile, browser_side in zip(table, in_browser):
        answers = Answers.from_query(profile)
        assert browser_side["answers"] == {"kommun": answers.kommun, "alder": answers.alder, "forsorjning": answers.forsorjning,
                                           "behov": list(answers.behov), "aktivitet": answers.aktivitet,
                                           "kontakter": list(answers.kontakter), "remittent": answers.remittent}, profile
        python_side = [m.to_json() for m in match_entries(data, answers)]
        assert browser_side["result"] == python_side, profile
        results.append(python_side)
    return results


def test_python_and_browser_agree_on_inherited_property_names(browser, site_url, default_catalogue, data):
    table = object_key_profiles()
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + "vagvisare/", wait_until="networkidle")
    results = compare_with_browser(page, data, table)
    page.close()
    assert errors == []
    text = json.dumps(results, ensure_ascii=False)
    for word in ("function", "[native code]", "undefined", "[object"):
        assert word not in text
    assert sum(bool(r) for r in results) >= len(OBJECT_KEYS) * 3  # real answers next to them still match
    # In Python an unknown value matches nothing: no need, kommun, income or contact of that name exists.
    for result in results:
        for match_ in result:
            assert not any(key in reason for reason in match_["skal"] for key in OBJECT_KEYS)


def allowed_answers(catalogue):
    """The values each question on /vagvisare/ offers (None: a free field, the age), as the template builds them."""
    from insatsguiden.site.render import question_options
    return {q["matchar"]: None if q["matchar"] == "alder" else {value for value, _ in question_options(catalogue, q)}
            for q in catalogue.data["vagvisare"]["fragor"]}


def test_unknown_answers_are_dropped_and_reported(default_catalogue):
    from insatsguiden.domain.guide import known_answers
    allowed = allowed_answers(default_catalogue)
    answers, ignored = known_answers({"kommun": "__proto__", "alder": "abc", "behov": "bostad,toString",
                                      "kontakter": "constructor", "remittent": "constructor",
                                      "forsorjning": "valueOf", "aktivitet": "kanske"}, allowed)
    assert answers == Answers(behov=("bostad",))
    assert ignored == [("kommun", "__proto__"), ("alder", "abc"), ("forsorjning", "valueOf"), ("behov", "toString"),
                       ("aktivitet", "kanske"), ("kontakter", "constructor"), ("remittent", "constructor")]
    known = {"kommun": "ludvika", "alder": "34", "behov": "bostad", "aktivitet": "nej", "remittent": "regionen"}
    assert known_answers(known, allowed) == (Answers.from_query(known), [])
    # A question the page does not ask takes no answer.
    assert known_answers({"kommun": "ludvika", "alder": "34"}, {"alder": None}) == (Answers(alder=34), [("kommun", "ludvika")])


def test_the_page_ignores_unknown_answers_from_the_url_and_says_so(browser, site_url, default_catalogue, data):
    from urllib.parse import urlencode

    from insatsguiden.domain.guide import known_answers
    allowed = allowed_answers(default_catalogue)
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(site_url + "vagvisare/", wait_until="networkidle")
    # The form offers exactly the values Python accepts.
    offered = page.evaluate("""() => {
        const found = {};
        for (const field of document.getElementById('ig-vagvisare').elements) {
            if (!field.name) continue;
            const values = found[field.name] = found[field.name] || [];
            if (field.tagName === 'SELECT') values.push(...[...field.options].map(o => o.value).filter(Boolean));
            else if (field.type === 'checkbox' || field.type === 'radio') values.push(field.value);
        }
        return found;
    }""")
    assert {name: sorted(values) for name, values in offered.items()} == \
        {name: sorted(values) if values is not None else [] for name, values in allowed.items()}
    hostile = {"kommun": "__proto__", "alder": "30", "behov": "toString,bostad", "kontakter": "valueOf,regionen",
               "remittent": "constructor", "forsorjning": "hasOwnProperty", "aktivitet": "ja"}
    for query in [hostile] + object_key_profiles():
        expected, ignored = known_answers(query, allowed)
        page.goto(site_url + "vagvisare/?" + urlencode(query), wait_until="networkidle")
        page.locator("#ig-resultat-status").filter(has_text="passar").wait_for(timeout=10000)
        shown = [link.get_attribute("href").rstrip("/").rsplit("/", 1)[1]
                 for link in page.locator("#ig-resultat h4 a").all()]
        assert shown == [m.id for m in match_entries(data, expected)], query
        notice = page.locator("#ig-okanda-svar")
        assert ignored and notice.is_visible(), query
        assert notice.get_attribute("role") == "status"
        text = notice.inner_text()
        for name, value in ignored:
            assert f"”{value}”" in text and "känns inte igen och har ignorerats" in text, (query, text)
        result_text = page.locator("#ig-resultat-del").inner_text()
        for word in ("function", "[native code]", "undefined", "[object"):
            assert word not in result_text and word not in text, query
        # The ignored answers are not in the form either.
        assert page.input_value("#ig-remittent") == (expected.remittent or "")
        assert page.input_value("#ig-kommun") == (expected.kommun or "")
    # The notice shows the value as text, and goes once the form is used.
    page.goto(site_url + "vagvisare/?remittent=" + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", wait_until="networkidle")
    assert "”<img src=x onerror=alert(1)>”" in page.locator("#ig-okanda-svar").inner_text()
    assert page.locator("#ig-okanda-svar img").count() == 0
    page.select_option("#ig-kommun", "ludvika")
    page.locator("#ig-okanda-svar").wait_for(state="hidden", timeout=5000)
    # Known answers give no notice.
    page.goto(site_url + "vagvisare/?kommun=vasteras&behov=bostad", wait_until="networkidle")
    assert not page.locator("#ig-okanda-svar").is_visible()
    page.close()
    assert problems == []


def test_the_guide_page_shows_unavailable_measures_last_without_a_checklist(browser, site_url, data):
    page = browser.new_page()
    try:
        page.goto(site_url + "vagvisare/?kommun=ludvika&alder=25&behov=arbete&aktivitet=ja")
        page.wait_for_selector("#ig-resultat h3")
        headings = page.eval_on_selector_all("#ig-resultat h3", "nodes => nodes.map(n => n.textContent)")
        assert headings[0].startswith("Ordinarie") and headings[-1] == "Inte tillgängligt just nu", headings
        last_group = page.evaluate("""() => {
            const cards = []; let node = [...document.querySelectorAll('#ig-resultat h3')].pop().nextElementSibling;
            for (; node && node.tagName !== 'H3'; node = node.nextElementSibling) { cards.push(node); }
            return cards.map(card => ({text: card.textContent, checklist: !!card.querySelector('.ig-innan')}));
        }""")
        assert any("UMA" in card["text"] and "stängt" in card["text"] for card in last_group), last_group
        assert not any(card["checklist"] for card in last_group)
        # The count says what is recommended, not what is listed apart.
        recommended = [m for m in match_entries(data, Answers(kommun="ludvika", alder=25, behov=("arbete",), aktivitet="ja"))
                       if m.group != "inte-tillganglig"]
        assert page.text_content("#ig-resultat-status") == f"{len(recommended)} insatser passar."
    finally:
        page.close()
