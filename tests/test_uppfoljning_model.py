"""Follow-up figures (`indikatorer`, issue 13): what can be drawn passes, what cannot is a Swedish
FILE:LINE:COL error first, and the default data holds the reports' figures with their notes."""
import pytest

from conftest import FIXTURES, TODAY
from insatsguiden.model.validate import validate_text

EXAMPLE = (FIXTURES / "valid" / "uppfoljning_beslut.yaml").read_text(encoding="utf-8")
SERIES_VALUES = '''          - period: {fran: "2020-01", till: "2020-06"}
            varde: 26
          - period: {fran: "2021-01", till: "2021-06"}
            varde: 46
'''


def problems_after(old: str, new: str):
    assert EXAMPLE.count(old) == 1, old
    text = EXAMPLE.replace(old, new, 1)
    return text, validate_text(text, "f.yaml", TODAY).problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    position = -1
    for _ in range(occurrence):
        position = text.index(needle, position + 1)
    return text.count("\n", 0, position) + 1


def test_the_example_is_valid_and_a_rounded_distribution_within_tolerance_passes():
    result = validate_text(EXAMPLE, "f.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]
    indicator = result.catalogue.insatser["teamet"]["indikatorer"][1]
    assert sum(v["varde"] for v in indicator["varden"]) == 101 and indicator["avrundning"] == 1


# (old text, new text, line marker in the new text, words the message must contain)
BAD = {
    "share over 100": ("            varde: 60\n", "            varde: 160\n", "varde: 160", "andelen 160 % är större än 100 %"),
    "negative share": ("            varde: 60\n", "            varde: -5\n", "varde: -5", "för litet (minst 0)"),
    "shares do not add up": ("            varde: 60\n", "            varde: 50\n", "          - kategori: fk\n",
                             "andelarna blir tillsammans 91 %, inte 100 % (tillåten avrundning ±1 procentenhet)"),
    "tolerance zero": ("        avrundning: 1\n", "        avrundning: 0\n", "          - kategori: fk\n",
                       "andelarna blir tillsammans 101 %"),
    "total differs": ("        totalt: 12\n", "        totalt: 13\n", "totalt: 13", "totalt är 13, men värdena blir tillsammans 12"),
    "period reversed": ('{fran: "2021-01", till: "2021-06"}\n            varde: 46',
                        '{fran: "2021-06", till: "2021-01"}\n            varde: 46', 'till: "2021-01"}\n            varde: 46',
                        "perioden slutar (2021-01) innan den börjar (2021-06)"),
    "periods out of order": (SERIES_VALUES, SERIES_VALUES.replace('"2020-01", till: "2020-06"', '"2022-01", till: "2022-06"'),
                             '- period: {fran: "2021-01"', "kommer före 2022-01–2022-06 på raden ovanför"),
    "periods overlap": (SERIES_VALUES, SERIES_VALUES.replace('till: "2020-06"', 'till: "2021-02"'),
                        '- period: {fran: "2021-01"', "överlappar 2020-01–2021-02"),
    "a full date inside a month overlaps it": (SERIES_VALUES, SERIES_VALUES.replace('fran: "2021-01"', 'fran: "2020-06-15"'),
                                               '- period: {fran: "2020-06-15"', "överlappar"),
    "no values": (SERIES_VALUES, "", "        varden:\n        kalla", "ska vara en lista"),
    "empty list of values": ("        varden:\n" + SERIES_VALUES, "        varden: []\n", "varden: []",
                             "ett diagram utan värden kan inte ritas"),
    "a number written as text": ("            varde: 26\n", '            varde: "26"\n', 'varde: "26"', "ska vara ett heltal"),
    "a decimal stays text": ("            varde: 26\n", "            varde: 26.1\n", "varde: 26.1", "ska vara ett heltal"),
    "true is not a number": ("            varde: 26\n", "            varde: true\n", "varde: true", "ska vara ett heltal"),
    "duplicate indicator id": ("      - id: avslut\n", "      - id: remittenter\n", "      - id: remittenter\n        namn: Avslutade",
                               "måttet 'remittenter' finns redan (mått nr 2"),
    "duplicate category": ("          - kategori: annat\n", "          - kategori: sjukdom\n",
                           "          - kategori: sjukdom\n            namn: Annat", "kategorin 'sjukdom' finns redan"),
    "a category without a name": ("            namn: Sjukdom\n", "", "          - kategori: sjukdom",
                                  "behöver namn (kategorins namn som det visas)"),
    "a distribution value with a period": ("          - kategori: fk\n", '          - kategori: fk\n            period: {fran: "2021-01", till: "2021-06"}\n',
                                           '            period: {fran: "2021-01", till: "2021-06"}\n            namn: Försäkringskassan',
                                           "en fördelning gäller en enda period"),
    "a series value without a period": ('          - period: {fran: "2020-01", till: "2020-06"}\n            varde: 26\n',
                                        "          - varde: 26\n", "- varde: 26", "behöver en period"),
    "a series value with a category": ('            varde: 26\n', "            varde: 26\n            kategori: fk\n",
                                       "kategori: fk\n          - period", "fältet kategori gäller bara en fördelning"),
    "a total on a series": ("        typ: tidsserie\n", "        typ: tidsserie\n        totalt: 72\n", "totalt: 72",
                            "fältet totalt gäller bara en fördelning"),
    "a total on shares": ("        avrundning: 1\n", "        avrundning: 1\n        totalt: 100\n", "totalt: 100",
                          "totalt gäller bara en fördelning i antal"),
    "rounding on counts": ("        totalt: 12\n", "        totalt: 12\n        avrundning: 1\n", "avrundning: 1\n        varden:\n          - kategori: sjukdom",
                           "avrundning gäller bara en fördelning i procent"),
    "a distribution without period or note": ('        period: {fran: "2021-01", till: "2021-06"}\n        avrundning: 1\n',
                                              "        avrundning: 1\n", "      - id: remittenter", "fördelningen saknar period"),
    "an impossible month": ('{fran: "2020-01", till: "2020-06"}', '{fran: "2020-01", till: "2020-13"}', 'till: "2020-13"',
                            "2020-13 finns inte i kalendern"),
    "an unknown unit": ("        enhet: antal\n        typ: tidsserie\n", "        enhet: personer\n        typ: tidsserie\n",
                        "enhet: personer", "Tillåtna värden: antal (Antal); procent (Procent)"),
    "an unknown source": ("          kalla: rapport\n          avsnitt: \"2\"\n      - id: remittenter",
                          "          kalla: rapporten\n          avsnitt: \"2\"\n      - id: remittenter",
                          "kalla: rapporten", "hänvisar till källa 'rapporten' som inte finns"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_data_that_cannot_be_drawn_is_refused_at_its_line(name):
    old, new, marker, words = BAD[name]
    text, problems = problems_after(old, new)
    matching = [p for p in problems if words in p.message]
    assert matching, [p.text() for p in problems]
    assert matching[0].line == line_of(text, marker), matching[0].text()
    assert matching[0].message.startswith("Insats 'teamet', fält indikatorer["), matching[0].text()


def test_a_distribution_without_period_passes_when_a_note_says_why():
    # "avslut" has an anmarkning, as EVI Ludvika's undated figures do in the default data.
    _, problems = problems_after('        period: {fran: "2021-01", till: "2021-06"}\n        totalt: 12\n', "        totalt: 12\n")
    assert problems == []


def test_series_in_order_with_gaps_and_a_single_value_pass():
    gaps = SERIES_VALUES.replace('"2020-01", till: "2020-06"', '"2018-01", till: "2018-06"')
    _, problems = problems_after(SERIES_VALUES, gaps)
    assert problems == []
    single = '          - period: {fran: "2021", till: "2021"}\n            varde: 46\n'
    _, problems = problems_after(SERIES_VALUES, single)
    assert problems == []


# --- the default data -------------------------------------------------------------------

def _indicators(catalogue, insats_id):
    return {i["id"]: i for i in catalogue.insatser[insats_id]["indikatorer"]}


def _values(indicator):
    key = "period" if indicator["typ"] == "tidsserie" else "kategori"
    return [((v[key]["fran"], v[key]["till"]) if key == "period" else v[key], v["varde"]) for v in indicator["varden"]]


def test_samordningsteamet_figures(default_catalogue):
    found = _indicators(default_catalogue, "samordningsteamet-vasteras")
    halves = [(f"{year}-01", f"{year}-06") for year in (2018, 2019, 2020, 2021)]
    assert _values(found["nya-deltagare"]) == list(zip(halves, [41, 42, 26, 46]))
    assert _values(found["avslut-kunde-inte-delta"]) == list(zip(halves, [15, 12, 4, 24]))
    assert _values(found["avslut-vidare-af"]) == list(zip(halves, [7, 5, 4, 2]))
    referrals = found["anmalningar-per-remittent"]
    assert referrals["totalt"] == 116 and referrals["period"] == {"fran": "2021-01", "till": "2021-06"}
    assert dict(_values(referrals)) == {"ske": 64, "forsakringskassan": 28, "arbetsformedlingen": 14,
                                        "region-vastmanland": 7, "egen-ansokan": 2, "ovriga": 1}
    assert dict(_values(found["anmalningar-per-remittent-andel"])) == {
        "ske": 55, "forsakringskassan": 24, "arbetsformedlingen": 12, "region-vastmanland": 6, "egen-ansokan": 2, "ovriga": 1}
    assert dict(_values(found["skal-till-avslut"])) == {"kunde-inte-delta": 92, "behovde-inte-samordning": 8}
    for name in ("avslutade-per-remittent", "avslutade-tid-i-insatsen", "avslutsorsak-teamets-kodning", "avslutsorsak-sus"):
        assert found[name]["totalt"] == 12 == sum(v for _, v in _values(found[name])), name
    assert all(i["kalla"]["kalla"] == "utvardering-sot-2021" for i in found.values())


def test_the_reports_own_inconsistencies_are_notes_not_silent_fixes(default_catalogue):
    found = _indicators(default_catalogue, "samordningsteamet-vasteras")
    ske = next(v for v in found["avslutade-per-remittent"]["varden"] if v["kategori"] == "ske")
    assert ske["varde"] == 5 and "6" in ske["anmarkning"] and "13" in ske["anmarkning"]
    july = found["avslut-kunde-inte-delta"]["anmarkning"]
    assert "28 %" in july and "26 %" in july and "30 %" in july
    assert "tre månader" in found["avslutade-per-remittent"]["anmarkning"]
    assert "inte läggas ihop" in found["avslutsorsak-teamets-kodning"]["anmarkning"]
    # Jan–Jul 2021 overlaps Jan–Jun: told in the note, never a value of the series.
    assert "januari–juli" in found["nya-deltagare"]["anmarkning"]


def test_evi_ludvika_has_only_the_figures_the_report_gives_without_an_invented_period(default_catalogue):
    (indicator,) = default_catalogue.insatser["evi-ludvika"]["indikatorer"]
    assert "period" not in indicator and "totalt" not in indicator
    assert dict(_values(indicator)) == {"rehabteamet": 41, "annan-aktivitet": 10}
    assert "senaste året" in indicator["anmarkning"] and "15" in indicator["anmarkning"]
    assert indicator["kalla"] == {"kalla": "utredning-evi-uma-rehab-2021", "avsnitt": "7.1"}
