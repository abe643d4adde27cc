"""The default content: the facts the two reports give, in the project's own words."""
import re

import pytest

from conftest import ROOT
from insatsguiden.model.rules import _strings

SEEDS = ROOT.parent / "shared" / "seeds"


def test_size_and_kinds(default_catalogue):
    insatser = default_catalogue.insatser
    assert len(insatser) >= 25
    assert sum(i["typ"] == "ordinarie" for i in insatser.values()) >= 15
    assert {i["typ"] for i in insatser.values()} >= {"ordinarie", "samordnad", "foreslagen"}


def _text(record) -> str:
    return " ".join(value for _, value in _strings(record)).lower()


def test_evi_ludvika(default_catalogue):
    evi = default_catalogue.insatser["evi-ludvika"]
    assert evi["typ"] == "samordnad" and evi["period"]["start"].startswith("2017")
    assert "evi-2018" in evi["overenskommelser"]
    team = " ".join(evi["team"]).lower()
    assert "veck" in team and "ifo" in team and "vårdkonsultation" in team
    assert {"ludvika"} == set(evi["malgrupp"]["kommuner"])


def test_evi_smedjebacken(default_catalogue):
    evi = default_catalogue.insatser["evi-smedjebacken"]
    assert evi["period"]["start"].startswith("2015")
    team = " ".join(evi["team"]).lower()
    assert "försäkringskassan" in team and "vårdcentral" in team and "psykiatri" in team


def test_rehabteamet(default_catalogue):
    rehab = default_catalogue.insatser["rehabteamet"]
    assert rehab["period"]["start"].startswith("2005")
    assert "finsam-vasterbergslagen" in rehab["finansieras_av"]
    assert "modul" in _text(rehab) and "nedtrappning" in _text(rehab) or "trappa" in _text(rehab)
    assert len([s for s in rehab["arbetsgang"] if "modul" in s["steg"].lower()]) == 3


def test_uma_is_a_finished_project_without_intake(default_catalogue):
    uma = default_catalogue.insatser["uma"]
    assert uma["period"] == {"start": "2017", "slut": "2020-10-31"} or (
        uma["period"]["start"].startswith("2017") and uma["period"]["slut"] == "2020-10-31")
    assert uma["intag"]["status"] in ("stangd", "avslutad")


def test_ludvikamodellen(default_catalogue):
    model = default_catalogue.insatser["ludvikamodellen"]
    assert set(model["drivs_av"]) >= {"ludvika-ami", "vbu", "ludvika-ifo"}
    assert model["intag"]["status"] == "pausad"


def test_samordningsteamet_vasteras(default_catalogue):
    sot = default_catalogue.insatser["samordningsteamet-vasteras"]
    assert sot["kortnamn"] == "SOT" and sot["kriterier"]
    assert "tre månader" in _text(sot) or "3 månader" in _text(sot)
    assert set(sot["remiss"]["remittenter"]) >= {"forsakringskassan", "arbetsformedlingen", "socialtjansten", "regionen"}
    assert sot["remiss"]["egen_ansokan"] is True and sot["remiss"]["kontakta_innan"] is True
    assert all(default_catalogue.insatser[p]["typ"] == "ordinarie" for p in sot["prova_forst"])
    assert len(sot["prova_forst"]) >= 5


def test_proposed_finsam_team(default_catalogue):
    team = default_catalogue.insatser["finsam-team-vasteras"]
    assert team["typ"] == "foreslagen" and "lots" in _text(team) and "koordinator" in _text(team)


@pytest.mark.parametrize("identity", [
    "personligt-ombud-vasteras", "bistandshandlaggning-vasteras", "daglig-verksamhet-lss-vasteras", "boendestod-vasteras",
    "bostadssociala-enheten-vasteras", "oppenvarden-beroende-vasteras", "psykiatrin-vastmanland",
    "psykiatrimottagning-ludvika", "vardcentral-engelbrekt", "vardcentral-smedjebacken", "habiliteringen-ludvika-borlange",
    "sip-samordnad-individuell-plan", "arbetsformedlingen-ordinarie", "af-rehabiliteringstjanst", "forsakringskassan",
    "vbu-vuxenutbildning", "ami-ludvika", "ame-smedjebacken",
])
def test_ordinary_measures_people_needed(default_catalogue, identity):
    assert default_catalogue.insatser[identity]["typ"] == "ordinarie"


def test_evi_agreement(default_catalogue):
    agreement = default_catalogue.overenskommelser["evi-2018"]
    assert agreement["undertecknad"].startswith("2018")
    assert set(agreement["parter"]) >= {"forsakringskassan", "arbetsformedlingen", "ludvika-ami", "smedjebacken-ame",
                                        "ludvika-ifo", "smedjebacken-ifo"}
    assert agreement["revision"]["regel"] == "arligt_fonster"
    assert (agreement["revision"]["fonster_fran_manad"], agreement["revision"]["fonster_till_manad"]) == (1, 3)
    assert agreement["ansvarig"] == "ludvika-ami" and agreement["status"] == "foljs_inte"
    assert agreement["avvikelser"]


def test_unmet_needs_are_recorded_not_invented_as_insatser(default_catalogue):
    unmet = default_catalogue.ej_tackta_behov
    for identity in ("arbetsformagebedomningar", "fontanhus", "lagtroskelverksamhet", "gron-rehab", "insatser-missbruk"):
        assert identity in unmet and unmet[identity]["kallor"]
    names = " ".join(i["namn"].lower() for i in default_catalogue.insatser.values())
    assert "fontänhus" not in names and "grön rehab" not in names


def test_needs_vocabulary(default_catalogue):
    assert set(default_catalogue.behov) >= {
        "forsorjning", "bostad", "missbruk", "psykisk-ohalsa", "somatisk-ohalsa", "funktionsnedsattning",
        "arbetsformagebedomning", "sysselsattning", "arbetstraning", "arbete", "studier", "svenska-nyanland",
        "juridiskt-stod", "samordning", "unga-vuxna"}


def test_no_invented_contact_details(default_catalogue):
    """The reports give no phone numbers, e-mail or web addresses for any service."""
    for insats in default_catalogue.insatser.values():
        for contact in insats.get("kontakter", []):
            assert not {"telefon", "epost", "webb", "namn"} & set(contact), insats["id"]
    for organisation in default_catalogue.organisationer.values():
        assert "webb" not in organisation and "vaxel" not in organisation


def test_every_record_cites_a_report_section(default_catalogue):
    files = {k["fil"] for k in default_catalogue.kallor.values()}
    assert files == {"000_e8164a70b7644629.txt", "004_33bc2a2bfdea5df3.txt"}
    for section in ("insatser", "organisationer", "overenskommelser", "ej_tackta_behov"):
        for record in getattr(default_catalogue, section).values():
            assert record["kallor"] and all(ref["avsnitt"].strip() for ref in record["kallor"]), record["id"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zåäöé0-9]+", text.lower())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the reports are in ../shared/seeds beside the repository")
def test_no_sentence_is_copied_from_the_reports():
    """No run of eight words from either report appears in the data: facts carry over, sentences do not."""
    length = 8
    source = set()
    for report in SEEDS.glob("*.txt"):
        words = _words(report.read_text(encoding="utf-8"))
        source.update(tuple(words[i:i + length]) for i in range(len(words) - length + 1))
    data = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8")
    words = _words(data)
    copied = {" ".join(words[i:i + length]) for i in range(len(words) - length + 1) if tuple(words[i:i + length]) in source}
    assert not copied, sorted(copied)[:10]
