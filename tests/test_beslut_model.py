"""Decisions (`beslut`), owners (`forvaltare`) and the site's publisher (`webbplats`), issue 13:
the rules with their Swedish FILE:LINE:COL messages, the catalogue's indexes, and the default data."""
import datetime as dt

import pytest

from conftest import FIXTURES, TODAY
from insatsguiden.model.validate import validate_text

EXAMPLE = (FIXTURES / "valid" / "uppfoljning_beslut.yaml").read_text(encoding="utf-8")


def problems_after(old: str, new: str, today: dt.date = TODAY):
    assert EXAMPLE.count(old) == 1, old
    text = EXAMPLE.replace(old, new, 1)
    return text, validate_text(text, "f.yaml", today).problems


def line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def assert_problem(text, problems, marker, words, record):
    matching = [p for p in problems if words in p.message]
    assert matching, [p.text() for p in problems]
    assert matching[0].line == line_of(text, marker), matching[0].text()
    assert matching[0].message.startswith(record), matching[0].text()


# (old, new, marker, words, record that the message names)
BAD = {
    "due before raised": ('    senast: "2022-03-31"\n', '    senast: "2021-03-31"\n', 'senast: "2021-03-31"',
                          "beslutet ska vara fattat senast 2021-03-31, före frågan väcktes (2021-09)", "Beslut 'teamets-framtid'"),
    "review before raised": ('    nasta_avstamning: "2022-09-30"\n', '    nasta_avstamning: "2021-08-31"\n', "nasta_avstamning: \"2021-08-31\"",
                             "nästa avstämning (2021-08-31) ligger före", "Beslut 'nya-insatser'"),
    "raised in the future": ('    vackt: "2021-09"\n    senast', '    vackt: "2027-01"\n    senast', 'vackt: "2027-01"',
                             "kan inte ha väckts 2027-01", "Beslut 'teamets-framtid'"),
    "taken without an outcome": ("    utfall: Ny rutin från januari.\n", "", "    status: fattat",
                                 "beslutet står som fattat men utfall saknas", "Beslut 'ny-rutin'"),
    "taken without a date": ('    beslutat: "2021-01"\n', "", "    status: fattat",
                             "beslutet står som fattat men beslutat saknas", "Beslut 'ny-rutin'"),
    "an outcome while pending": ("    status: vantar\n    insatser: [teamet]\n",
                                 "    status: vantar\n    utfall: Teamet blir kvar.\n    insatser: [teamet]\n",
                                 "utfall: Teamet blir kvar.", "utfall anges bara när beslutet är fattat", "Beslut 'teamets-framtid'"),
    "decided in the future": ('    beslutat: "2021-01"\n', '    beslutat: "2026-12-01"\n', 'beslutat: "2026-12-01"',
                              "kan inte ha fattats 2026-12-01, efter dagens datum (2026-11-23)", "Beslut 'ny-rutin'"),
    "decided before raised": ('    beslutat: "2021-01"\n', '    beslutat: "2020-10"\n', 'beslutat: "2020-10"',
                              "beslutet fattades (2020-10) före frågan väcktes (2020-11)", "Beslut 'ny-rutin'"),
    "no deadline and no review date": ('    nasta_avstamning: "2022-09-30"\n', "", "    status: vantar\n    ej_tackta_behov",
                                       "skulle aldrig visas för granskning", "Beslut 'nya-insatser'"),
    "concerns nothing": ("    ej_tackta_behov: [fontanhus]\n", "", "  - id: nya-insatser",
                         "beslutet gäller ingen insats, överenskommelse eller ej täckt behov", "Beslut 'nya-insatser'"),
    "unknown insats": ("    insatser: [teamet]\n    overenskommelser", "    insatser: [teamt]\n    overenskommelser", "teamt",
                       "hänvisar till insats 'teamt' som inte finns under insatser. Menade du 'teamet'?", "Beslut 'teamets-framtid'"),
    "unknown agreement": ("    overenskommelser: [avtalet]\n    forvaltare:\n      roll: Samordnare, Ett samordningsförbund\n      github: a\n",
                          "    overenskommelser: [avtal]\n    forvaltare:\n      roll: Samordnare, Ett samordningsförbund\n      github: a\n",
                          "[avtal]",
                          "hänvisar till överenskommelse 'avtal' som inte finns", "Beslut 'teamets-framtid'"),
    "unknown deciding organisation": ("      organisation: forbundet\n", "      organisation: forbund\n", "organisation: forbund",
                                      "hänvisar till organisation 'forbund' som inte finns", "Beslut 'teamets-framtid'"),
    "unknown unmet need": ("    ej_tackta_behov: [fontanhus]\n", "    ej_tackta_behov: [fontanhuset]\n", "fontanhuset",
                           "hänvisar till ej täckt behov 'fontanhuset' som inte finns", "Beslut 'nya-insatser'"),
    "unknown status": ("    status: fattat\n", "    status: beslutat\n", "status: beslutat",
                       "Tillåtna värden: vantar (Väntar på beslut); fattat (Fattat); inaktuellt", "Beslut 'ny-rutin'"),
    "duplicate id": ("  - id: nya-insatser\n", "  - id: ny-rutin\n", "  - id: ny-rutin\n    fraga: Ska nya",
                     "id 'ny-rutin' används redan av beslut nr 2", "Beslut 'ny-rutin'"),
    "publisher not a förbund": ("  utgivare: forbundet\n", "  utgivare: kommunen\n", "utgivare: kommunen",
                                "'kommunen' är inte ett samordningsförbund", "Filen, fält webbplats.utgivare"),
    "statement reviewed in the future": ('    senast_granskad: "2026-11-20"\n', '    senast_granskad: "2026-12-20"\n',
                                         'senast_granskad: "2026-12-20"', "datumet 2026-12-20 ligger i framtiden", "Filen"),
    "statement older than the assessment": ('    senast_granskad: "2026-11-20"\n', '    senast_granskad: "2026-11-01"\n',
                                            'senast_granskad: "2026-11-01"', "före bedömningen 2026-11-20", "Filen"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_decisions_and_publisher_are_refused_at_their_line(name):
    old, new, marker, words, record = BAD[name]
    text, problems = problems_after(old, new)
    assert_problem(text, problems, marker, words, record)


def test_a_decision_taken_needs_nothing_for_review_and_an_obsolete_one_no_outcome():
    _, problems = problems_after("    status: vantar\n    ej_tackta_behov", "    status: inaktuellt\n    ej_tackta_behov")
    assert problems == []
    # "fattat" without a deadline or review date is fine: nothing is left to remind anyone of.
    assert "senast" not in EXAMPLE.split("  - id: ny-rutin", 1)[1].split("  - id: nya-insatser", 1)[0]


@pytest.mark.parametrize("account", ["a", "A1", "anna-samordnare", "a-b-c", "x" * 39, "Finsam2026"])
def test_github_user_names_that_github_allows(account):
    _, problems = problems_after("      github: anna-samordnare\n", f"      github: {account}\n")
    assert problems == []


@pytest.mark.parametrize("account, words", [
    ("-anna", "har fel form"), ("anna-", "har fel form"), ("anna--b", "har fel form"), ("'@anna'", "har fel form"),
    ("anna_b", "har fel form"), ("anna.b", "har fel form"), ("åsa", "har fel form"), ("anna b", "har fel form"),
    ("x" * 40, "för lång (40 tecken, högst 39)"), ('""', "får inte vara tomt"), ("1234", "ska vara text"),
])
def test_github_user_names_that_github_refuses(account, words):
    text, problems = problems_after("      github: anna-samordnare\n", f"      github: {account}\n")
    assert_problem(text, problems, f"github: {account}", words, "Överenskommelse 'avtalet', fält forvaltare.github")


def test_owners_on_insatser_and_decisions_are_checked_too():
    text, problems = problems_after("      github: a\n", "      github: a--b\n")
    assert_problem(text, problems, "github: a--b", "har fel form", "Beslut 'teamets-framtid', fält forvaltare.github")
    text, problems = problems_after("    forvaltare:\n      roll: Samordnare, Ett samordningsförbund\n    senast_granskad",
                                    "    forvaltare:\n      github: anna\n    senast_granskad")
    assert_problem(text, problems, "github: anna\n    senast_granskad", "fältet 'roll' saknas", "Insats 'teamet', fält forvaltare")


def test_catalogue_indexes_decisions_per_insats_agreement_and_unmet_need():
    catalogue = validate_text(EXAMPLE, "f.yaml", TODAY).catalogue
    assert [d["id"] for d in catalogue.decisions_for_insats("teamet")] == ["teamets-framtid", "ny-rutin"]
    assert [d["id"] for d in catalogue.decisions_for_agreement("avtalet")] == ["teamets-framtid"]
    assert [d["id"] for d in catalogue.decisions_for_unmet_need("fontanhus")] == ["nya-insatser"]
    assert catalogue.decisions_for_insats("boendestod") == [] and catalogue.decisions_for_agreement("annat") == []
    assert [d["id"] for d in catalogue.pending_decisions()] == ["teamets-framtid", "nya-insatser"]
    assert catalogue.site["utgivare"] == "forbundet"


def test_a_file_without_decisions_or_site_section_still_loads():
    catalogue = validate_text((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"), "m.yaml", TODAY).catalogue
    assert catalogue.beslut == {} and catalogue.decisions_for_insats("teamet") == [] and catalogue.site == {}


# --- the default data -------------------------------------------------------------------

LUDVIKA = "utredning-evi-uma-rehab-2021"
VASTERAS = "utvardering-sot-2021"


def test_the_decisions_the_reports_name(default_catalogue):
    decisions = default_catalogue.beslut
    expected = {
        "framtiden-for-evi-ludvika": (LUDVIKA, "7.1"), "rehabteamet-efter-nedtrappningen": (LUDVIKA, "7.3"),
        "uma-som-ordinarie-verksamhet": (LUDVIKA, "7.3"), "revision-av-evi-overenskommelsen": (LUDVIKA, "6.1.1"),
        "styrning-av-insatserna-i-ludvika": (LUDVIKA, "6.2.1"), "nya-insatser-i-ludvika-och-smedjebacken": (LUDVIKA, "7.4"),
        "antagningsrutinen-i-samordningsteamet": (VASTERAS, "Bakgrund"), "finsam-team-i-vasteras": (VASTERAS, "Resultat, punkt 4"),
    }
    assert set(decisions) == set(expected)
    for identity, (source, section) in expected.items():
        assert (source, section) in {(r["kalla"], r["avsnitt"]) for r in decisions[identity]["kallor"]}, identity
        assert decisions[identity]["status"] == "vantar", identity
    assert decisions["uma-som-ordinarie-verksamhet"]["vackt"] == "2020-10-31"
    assert [d["id"] for d in default_catalogue.decisions_for_agreement("evi-2018")] == [
        "framtiden-for-evi-ludvika", "revision-av-evi-overenskommelsen"]
    assert {d["id"] for d in default_catalogue.decisions_for_insats("uma")} == {
        "rehabteamet-efter-nedtrappningen", "uma-som-ordinarie-verksamhet"}


def test_deadlines_only_where_a_source_implies_them(default_catalogue):
    for decision in default_catalogue.beslut.values():
        if "senast" in decision:
            # Only the agreement's own yearly window implies a date; the note says so.
            assert decision["id"] == "revision-av-evi-overenskommelsen" and decision["senast"] == "2022-03-31"
            assert "januari–mars" in decision["anmarkning"]
        else:
            assert decision["nasta_avstamning"] and "ingen tidsgräns" in decision["anmarkning"].lower(), decision["id"]


def test_owners_are_roles_without_invented_accounts(default_catalogue):
    records = [*default_catalogue.insatser.values(), *default_catalogue.overenskommelser.values(),
               *default_catalogue.beslut.values()]
    owners = [r["forvaltare"] for r in records if "forvaltare" in r]
    assert len(owners) >= 12 and all(o["roll"] for o in owners)
    assert not any("github" in o for o in owners)
    assert "AMI" in default_catalogue.overenskommelser["evi-2018"]["forvaltare"]["roll"]
    assert "Avdelningschef" in default_catalogue.insatser["samordningsteamet-vasteras"]["forvaltare"]["roll"]


def test_the_publisher_and_the_accessibility_statement(default_catalogue):
    site = default_catalogue.site
    assert default_catalogue.organisationer[site["utgivare"]]["typ"] == "samordningsforbund"
    assert "två samordningsförbund" in site["utgivare_anmarkning"]
    statement = site["tillganglighet"]
    assert statement["overensstammelse"] == "delvis_forenlig" and statement["standard"] == "WCAG 2.1 nivå AA"
    assert statement["bedomning"]["metod"] == "egen_bedomning" and "axe-core" in statement["bedomning"]["beskrivning"]
    # No contact detail that nobody has confirmed: a role only, shown as not verified.
    assert set(statement["kontakt"]) == {"roll"}
