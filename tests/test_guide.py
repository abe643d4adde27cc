"""Vägvisaren as a triage: outcomes, reasons, ranking, unmet needs, the CLI, the rules on conditions,
the test cases, and the pages without JavaScript.

Most tests run on a controlled variant of the default data (`triage`): the real
measures with a known set of screening questions and conditions, so each test
fails when the evaluation breaks, not when the content is edited. The real
conditions are checked by their own test cases (`vagvisare.testfall`), which
test_default_test_cases_route_as_expected runs.
"""
import json
import re

import pytest
import yaml

from conftest import ROOT, TODAY, run_script
from insatsguiden.domain.freshness import evaluate as review
from insatsguiden.domain.guide import evaluate, guide_data, known_answers
from insatsguiden.domain.routing_cases import changed, run_cases
from insatsguiden.model.loader import load_text
from insatsguiden.model.validate import validate_text

class _Plain(yaml.SafeDumper):
    """No anchors or aliases: the loader refuses them."""
    def ignore_aliases(self, data):
        return True


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Plain, allow_unicode=True, sort_keys=False)


SOURCE = {"kalla": "utvardering-sot-2021", "avsnitt": "Resultat, punkt 3"}
SOT = "samordningsteamet-vasteras"


def condition(question, kind, rule, unknown="stam_av", why="Passar inte.", turn_to=(), **values):
    found = {"fraga": question, "typ": kind, "regel": rule, **values, "om_okant": unknown, "varfor_inte": why,
             "kalla": dict(SOURCE)}
    if turn_to:
        found["hanvisa_till"] = list(turn_to)
    return found


def triage_data(base: dict) -> dict:
    """The default data with known screening questions and conditions (and none of the file's own)."""
    data = json.loads(json.dumps(base))  # plain dicts and lists, without the loader's positions
    guide = data["vagvisare"]
    guide.pop("testfall", None)
    kept = [q for q in guide["fragor"] if q["matchar"] not in ("janej", "forsta_behov")]
    yes_no = [{"varde": "ja", "text": "Ja"}, {"varde": "nej", "text": "Nej"}, {"varde": "vet-inte", "text": "Vet inte"}]
    after_needs = kept.index(next(q for q in kept if q["matchar"] == "behov")) + 1
    kept.insert(after_needs, {"id": "forsta-behov", "fraga": "Vad behöver personen först?", "kort": "Första behov",
                              "matchar": "forsta_behov"})
    kept += [
        {"id": "psykos", "fraga": "Har personen en pågående psykos?", "kort": "Psykos", "matchar": "janej",
         "behov_vid_ja": "psykisk-ohalsa", "svar": yes_no},
        {"id": "behover-samordning", "fraga": "Behöver personen stöd från flera aktörer samtidigt?",
         "kort": "Behöver samordning", "matchar": "janej", "svar": yes_no},
    ]
    guide["fragor"] = kept
    for insats in data["insatser"]:
        insats.pop("villkor", None)
        insats.pop("primart_for", None)
        primary = {"bostadssociala-enheten-vasteras": ["bostad"], "psykiatrin-vastmanland": ["psykisk-ohalsa"],
                   "arbetsformedlingen-ordinarie-vasteras": ["arbete"],
                   "oppenvarden-beroende-vasteras": ["missbruk"]}.get(insats["id"])
        if primary:
            insats["primart_for"] = primary
        if insats["id"] == SOT:
            insats["villkor"] = [
                condition("psykos", "uteslutning", "lika", varde="ja", why="Teamet når inte den som har en pågående psykos.",
                          turn_to=["psykiatrin-vastmanland"]),
                condition("behover-samordning", "krav", "lika", varde="ja", why="SOT är inte Arbetsförmedlingen.",
                          turn_to=["arbetsformedlingen-ordinarie-vasteras"]),
                condition("forsta-behov", "uteslutning", "i", varden=["bostad"], why="Bostaden måste lösas först.",
                          turn_to=["bostadssociala-enheten-vasteras"]),
                condition("alder", "krav", "mellan", min=18, max=64, why="Teamet tar emot vuxna i arbetsför ålder."),
            ]
    return data


@pytest.fixture(scope="module")
def triage_file(default_catalogue, tmp_path_factory):
    text = dump(triage_data(default_catalogue.data))
    path = tmp_path_factory.mktemp("triage") / "insatser.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def triage(triage_file):
    result = validate_text(triage_file.read_text(encoding="utf-8"), "insatser.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    return guide_data(result.catalogue, review(result.catalogue, TODAY))


def outcome_of(result, identity):
    for key, outcome in (("resultat", "kan-passa"), ("stam_av", "stam-av"), ("passar_inte", "passar-inte"),
                         ("inte_tillgangliga", "inte-tillganglig")):
        for found in result[key]:
            if found["id"] == identity:
                return outcome, found
    return "visas-inte", None


FITS = {"kommun": "vasteras", "alder": 30, "behov": ["arbete"], "forsta-behov": "arbete", "psykos": "nej",
        "behover-samordning": "ja", "aktivitet": "ja"}


def test_a_person_who_fits_gets_the_team_after_the_ordinary_measure(triage):
    result = evaluate(triage, FITS)
    outcome, found = outcome_of(result, SOT)
    assert outcome == "kan-passa"
    ranked = [r["id"] for r in result["resultat"]]
    assert ranked[0] == "arbetsformedlingen-ordinarie-vasteras" and ranked.index(SOT) > 0
    assert "Behöver samordning: Ja" in found["skal"] and "samordnad insats" in found["rang"]
    assert all(v["tillstand"] == "uppfyllt" for v in found["villkor"])


@pytest.mark.parametrize("change, reason, instead", [
    ({"psykos": "ja"}, "pågående psykos", "psykiatrin-vastmanland"),
    ({"behover-samordning": "nej"}, "inte Arbetsförmedlingen", "arbetsformedlingen-ordinarie-vasteras"),
    ({"forsta-behov": "bostad", "behov": ["arbete", "bostad"]}, "Bostaden", "bostadssociala-enheten-vasteras"),
    ({"alder": 70}, "arbetsför ålder", None),
    ({"aktivitet": "nej"}, "aktiv några timmar", None),     # derived from malgrupp.kraver_aktivitetsformaga
])
def test_a_failed_condition_says_why_not_and_where_to_turn(triage, change, reason, instead):
    result = evaluate(triage, {**FITS, **change})
    outcome, found = outcome_of(result, SOT)
    assert outcome == "passar-inte"
    assert any(reason in text for text in found["skal"])
    assert [t["id"] for t in found["hanvisa_till"]] == ([instead] if instead else [])
    failed = [v for v in found["villkor"] if v["tillstand"] == "ej"]
    assert failed and all(v["varfor_inte"] in found["skal"] for v in failed)


def test_an_urgent_need_puts_its_measure_first(triage):
    """Ongoing psychosis: psychiatry first, whatever else was chosen (issue 11: it came fourth)."""
    result = evaluate(triage, {**FITS, "psykos": "ja", "behov": ["arbete", "bostad"], "forsta-behov": "bostad"})
    assert result["resultat"][0]["id"] == "psykiatrin-vastmanland"
    assert result["resultat"][0]["rang"][0].startswith("huvudsyfte: Psykisk ohälsa")
    assert result["resultat"][1]["id"] == "bostadssociala-enheten-vasteras"


def test_the_first_need_ranks_before_needs_met_and_ties_say_so(triage):
    result = evaluate(triage, {"kommun": "vasteras", "behov": ["bostad"], "forsta-behov": "bostad"})
    ranked = [r["id"] for r in result["resultat"]]
    assert ranked[0] == "bostadssociala-enheten-vasteras"
    assert result["resultat"][0]["rang"][0] == "huvudsyfte: Bostad (första behovet)"
    assert all(not r["rang"][0].endswith("(första behovet)") for r in result["resultat"][1:])
    ties = [r for r in result["resultat"] if r["lika_som_foregaende"]]
    names = [r["namn"].casefold() for r in result["resultat"]]
    for tie in ties:  # a tie is broken by name, and only a tie
        index = ranked.index(tie["id"])
        assert names[index - 1] <= names[index] and result["resultat"][index - 1]["rang"] == tie["rang"]


def test_unknown_answers_give_stam_av_with_the_questions(triage):
    result = evaluate(triage, {"kommun": "vasteras", "behov": ["arbete"], "psykos": "vet-inte"})
    outcome, found = outcome_of(result, SOT)
    assert outcome == "stam-av"
    assert [q["id"] for q in found["stam_av"]] == ["psykos", "behover-samordning", "forsta-behov", "alder", "aktivitet"]
    assert {"psykos", "behover-samordning", "alder", "aktivitet"} <= set(result["fragor_kvar"])
    assert not any(r["id"] == SOT for r in result["resultat"])


def test_other_kommuner_and_unavailable_measures(triage):
    result = evaluate(triage, {"kommun": "ludvika", "behov": ["arbete", "arbetstraning"]})
    assert outcome_of(result, SOT)[0] == "visas-inte" and result["andra_kommuner"] > 0
    outcome, uma = outcome_of(result, "uma")
    assert outcome == "inte-tillganglig" and "2020-10-31" in uma["skal"][0] and "stängt" in uma["skal"][0]
    assert all(r["id"] != "uma" for r in result["resultat"] + result["stam_av"])


def test_unmet_needs_name_the_recorded_gap_and_the_forbund(triage):
    result = evaluate(triage, {"kommun": "ludvika", "behov": ["arbetsformagebedomning"]})
    gap = next(g for g in result["ej_tackta_behov"] if g["behov"] == "arbetsformagebedomning")
    assert gap["registrerade"] and "4.6" in gap["registrerade"][0]["kalla"]
    assert gap["forbund"]["namn"].startswith("Västerbergslagens samordningsförbund")
    nothing = evaluate(triage, {"kommun": "vasteras", "behov": ["svenska-nyanland"]})
    assert nothing["resultat"] == [] and nothing["ej_tackta_behov"][0]["inget_alternativ"] is True


def test_questions_worth_asking_follow_the_remaining_candidates(triage):
    everything = evaluate(triage, {"kommun": "vasteras", "behov": ["arbete"]})
    assert "psykos" in everything["fragor_relevanta"]
    # Once the team no longer fits, its questions are no longer worth asking.
    without = evaluate(triage, {"kommun": "vasteras", "behov": ["arbete"], "behover-samordning": "nej"})
    assert "psykos" not in without["fragor_relevanta"] and "psykos" not in without["fragor_kvar"]
    assert "behover-samordning" in without["fragor_relevanta"]  # answered questions stay


def test_known_answers(triage):
    answers, ignored = known_answers(triage, {"kommun": "vasteras", "alder": "34", "behov": "bostad,toString,arbete",
                                              "psykos": "kanske", "okand": "ja", "forsta-behov": "__proto__",
                                              "behover-samordning": "vet-inte", "remittent": ""})
    assert answers == {"kommun": "vasteras", "alder": 34, "behov": ["arbete", "bostad"] if
                       [o[0] for o in next(q for q in triage["fragor"] if q["id"] == "behov")["varden"]].index("arbete") <
                       [o[0] for o in next(q for q in triage["fragor"] if q["id"] == "behov")["varden"]].index("bostad")
                       else ["bostad", "arbete"], "behover-samordning": "vet-inte"}
    assert ignored == [("behov", "toString"), ("psykos", "kanske"), ("okand", "ja"), ("forsta-behov", "__proto__")]
    assert known_answers(triage, {"alder": "121"})[1] == [("alder", "121")]


def test_cli_answers_any_question_and_prints_the_whole_triage(triage_file):
    common = ("--today", TODAY.isoformat(), str(triage_file))
    as_json = run_script("scripts/guide.py", "--svar", "kommun=vasteras", "--svar", "behov=arbete",
                         "--svar", "psykos=ja", "--format", "json", *common)
    assert as_json.returncode == 0, as_json.stderr
    found = json.loads(as_json.stdout)
    assert list(found) == ["resultat", "stam_av", "passar_inte", "inte_tillgangliga", "ej_tackta_behov", "fragor_kvar"]
    sot = next(r for r in found["passar_inte"] if r["id"] == SOT)
    assert sot["skal"] and sot["hanvisa_till"][0]["id"] == "psykiatrin-vastmanland"
    shorthand = run_script("scripts/guide.py", "--kommun", "vasteras", "--behov", "arbete", "--svar", "psykos=ja",
                           "--format", "json", *common)
    assert json.loads(shorthand.stdout) == found
    text = run_script("scripts/guide.py", "--kommun", "vasteras", "--behov", "arbete", *common).stdout
    assert "Kan passa" in text and "Stäm av först" in text and "Klara ut: Psykos" in text
    for bad, words in ((("--svar", "okand=ja"), "okänd fråga 'okand'"), (("--svar", "psykos=kanske"), "Tillåtna värden: ja, nej, vet-inte"),
                       (("--alder", "200"), "ett heltal 0–120"), (("--svar", "psykos"), "ID=VÄRDE"),
                       (("--kommun", "ludvika", "--kommun", "vasteras"), "ett enda svar")):
        run = run_script("scripts/guide.py", *bad, *common)
        assert run.returncode == 2 and words in run.stderr, (bad, run.stderr)


def broken(base: dict, change) -> str:
    data = json.loads(json.dumps(base))
    change(data)
    return dump(data)


def sot_of(data):
    return next(i for i in data["insatser"] if i["id"] == SOT)


@pytest.mark.parametrize("change, message", [
    (lambda d: sot_of(d)["villkor"].append(condition("okand-fraga", "krav", "lika", varde="ja")),
     "frågan 'okand-fraga' finns inte i vägvisaren"),
    (lambda d: sot_of(d)["villkor"].append(condition("behov", "krav", "lika", varde="arbete")), "kan inte ha villkor"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "lika", varde="kanske")), "'kanske' är inget svar"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "mellan", min=1, max=2)), "regeln mellan passar inte"),
    (lambda d: sot_of(d)["villkor"].append(condition("alder", "krav", "mellan", min=40, max=20)), "max (20) är mindre än min (40)"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "lika", varde="ja")), "inget svar på frågan 'psykos'"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "uteslutning", "i", varden=["ja", "nej"])), "kan aldrig"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "lika", unknown="fraga", varde="nej")),
     "om_okant: stam_av"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "lika", varde="nej", turn_to=["uma"])),
     "'uma' är inte en ordinarie insats"),
    (lambda d: sot_of(d)["villkor"].append(condition("psykos", "krav", "lika", varde="nej", turn_to=["finns-inte"])),
     "'finns-inte' som inte finns"),
    (lambda d: sot_of(d).__setitem__("primart_for", ["bostad"]), "'bostad' står inte bland behoven"),
    (lambda d: d["vagvisare"].__setitem__("testfall", [{"namn": "Fel", "svar": {"psykos": "kanske", "okand": "ja"}}]),
     "'kanske' är inget svar på frågan 'psykos'"),
    (lambda d: d["vagvisare"].__setitem__("testfall", [{"namn": "Fel", "svar": {"behov": "arbete"}}]), "besvaras med en lista"),
])
def test_conditions_are_checked_with_positions(default_catalogue, change, message):
    text = broken(triage_data(default_catalogue.data), change)
    result = validate_text(text, "insatser.yaml", TODAY)
    assert not result.ok
    found = [p for p in result.problems if message in p.message]
    assert found, [p.text() for p in result.problems]
    assert re.match(r"insatser\.yaml:\d+:\d+: ", found[0].text())
    line = text.splitlines()[found[0].line - 1]
    assert line.strip(), found[0].text()


def test_test_cases_fail_validation_when_routing_changes(default_catalogue, tmp_path):
    data = triage_data(default_catalogue.data)
    data["vagvisare"]["testfall"] = [
        {"namn": "Psykos", "svar": {**FITS, "psykos": "ja"}, "forst": "psykiatrin-vastmanland",
         "rekommenderas_inte": [SOT], "utfall": {SOT: "passar-inte", "uma": "visas-inte"}},
        {"namn": "Passar", "svar": FITS, "utfall": {SOT: "kan-passa"}},
    ]
    good = tmp_path / "bra.yaml"
    good.write_text(dump(data), encoding="utf-8")
    run = run_script("scripts/validate.py", "--today", TODAY.isoformat(), str(good))
    assert run.returncode == 0 and "alla 2 testfall" in run.stdout, run.stdout + run.stderr
    # A coordinator drops the psychosis exclusion: both cases show what changed.
    sot_of(data)["villkor"] = [c for c in sot_of(data)["villkor"] if c["fraga"] != "psykos"]
    bad = tmp_path / "andrad.yaml"
    bad.write_text(dump(data), encoding="utf-8")
    run = run_script("scripts/validate.py", "--today", TODAY.isoformat(), str(bad))
    assert run.returncode == 1
    assert re.search(r"andrad\.yaml:\d+:\d+: Testfallet 'Psykos', fält rekommenderas_inte\[1\]: "
                     r"'samordningsteamet-vasteras' får inte rekommenderas men blir kan passa", run.stdout), run.stdout
    assert "ska bli passar inte men blir kan passa" in run.stdout
    # The pull-request summary lists the cases whose outcome moved.
    summary = run_script("scripts/diff_data.py", "--old", str(good), "--today", TODAY.isoformat(), "--format", "markdown", str(bad))
    assert "Vägvisarens testfall" in summary.stdout and "Testfallet 'Psykos'" in summary.stdout, summary.stdout
    assert "passar inte → kan passa" in summary.stdout and "Testfallet går inte igenom" in summary.stdout


def test_changed_cases_name_first_and_outcomes(default_catalogue, triage):
    from insatsguiden.domain.routing_cases import CaseOutcome
    old = [CaseOutcome(0, "A", "x", {"x": "kan-passa", "y": "stam-av"})]
    new = [CaseOutcome(0, "A", "y", {"x": "passar-inte", "y": "kan-passa"}), CaseOutcome(1, "B", None, {})]
    lines = changed(old, new, {"x": "X", "y": "Y"})
    assert lines == ["Testfallet 'A': först: X → Y; X: kan passa → passar inte; Y: stäm av först → kan passa.",
                     "Testfallet 'B' är nytt."]


def test_default_test_cases_route_as_expected(default_catalogue):
    """The file's own cases (validate.py runs them too); there must be enough of them to mean something."""
    cases = run_cases(default_catalogue, review(default_catalogue, TODAY))
    failures = [(case.name, message) for case in cases for _, message in case.failures]
    assert failures == []


def test_pages_without_javascript(default_catalogue, built_site):
    from bs4 import BeautifulSoup

    reasoning = BeautifulSoup((built_site / "vagvisare" / "sa-resonerar-guiden" / "index.html").read_text(encoding="utf-8"), "html.parser")
    coordinated = [i for i in default_catalogue.insatser.values() if i["typ"] != "ordinarie"]
    for insats in coordinated:
        assert reasoning.find(id=f"villkor-{insats['id']}") is not None, insats["id"]
    checklist_pages = [i for i in coordinated if i["typ"] in ("samordnad", "projekt")]
    assert checklist_pages
    for insats in checklist_pages:
        page = BeautifulSoup((built_site / "insatser" / insats["id"] / "innan-du-remitterar" / "index.html")
                             .read_text(encoding="utf-8"), "html.parser")
        text = page.get_text(" ")
        assert "Villkor att stämma av" in text and "Vem du ringer" in text and "Pröva först" in text
        items = page.select(".ig-checklista li")
        kommun_limited = bool(insats["malgrupp"].get("kommuner"))
        assert len(items) >= len(insats.get("villkor", [])) + kommun_limited
    kommun_page = BeautifulSoup((built_site / "vagvisare" / "ludvika" / "index.html").read_text(encoding="utf-8"), "html.parser")
    section_text = " ".join(el.get_text(" ") for el in kommun_page.find("h2", id="arbete").find_next_siblings(limit=6))
    assert "Inte tillgängligt just nu" in section_text and "UMA" in section_text
    assert not any("uma/" in a["href"] for ul in kommun_page.find("h2", id="arbete").find_next_siblings("ul", limit=1)
                   for a in ul.find_all("a"))


def test_contributing_examples_are_valid_and_route_as_they_say(default_catalogue, tmp_path):
    """CONTRIBUTING.md section 8: the condition and the test case it shows are valid data that pass."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")

    def block(marker):
        found = re.search(re.escape(marker) + r"\s*```yaml\n(.*?)```", text, re.S)
        assert found, marker
        return yaml.safe_load(found.group(1))

    data = triage_data(default_catalogue.data)
    if not any(q["id"] == "aktivt-missbruk" for q in data["vagvisare"]["fragor"]):
        data["vagvisare"]["fragor"].append({"id": "aktivt-missbruk", "fraga": "Har personen ett aktivt missbruk?",
                                            "kort": "Aktivt missbruk", "matchar": "janej", "behov_vid_ja": "missbruk"})
    sot_of(data)["villkor"] += block("<!-- exempel: villkor -->")["villkor"]
    data["vagvisare"]["testfall"] = block("<!-- exempel: testfall -->")["testfall"]
    path = tmp_path / "exempel.yaml"
    path.write_text(dump(data), encoding="utf-8")
    run = run_script("scripts/validate.py", "--today", TODAY.isoformat(), str(path))
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("fields, message", [
    ({"regel": "lika"}, "regeln lika kräver fältet varde (en text)"),
    ({"regel": "mellan", "min": 18}, "regeln mellan kräver fältet max (ett heltal)"),
    ({"regel": "minst", "varde": "arton"}, "varde ska vara ett heltal"),
    ({"regel": "i", "varden": "ja"}, "ska vara en lista"),
    ({"regel": "lika", "varde": "ja", "min": 3}, "fältet min används inte av regeln lika"),
])
def test_a_rule_needs_its_own_value_fields(default_catalogue, fields, message):
    def change(data):
        sot_of(data)["villkor"].append({"fraga": "psykos", "typ": "krav", **fields, "om_okant": "stam_av",
                                        "varfor_inte": "Passar inte.", "kalla": dict(SOURCE)})
    result = validate_text(broken(triage_data(default_catalogue.data), change), "insatser.yaml", TODAY)
    assert any(message in p.message for p in result.problems), [p.text() for p in result.problems]
