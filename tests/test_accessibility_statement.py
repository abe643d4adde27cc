"""The accessibility statement (tillganglighet/): generated from webbplats in the data, complete by DIGG's list
(https://www.digg.se/kunskap-och-stod/digital-tillganglighet/skapa-en-tillganglighetsredogorelse): the public
body, the service, conformance, what is not accessible and why, how and when it was assessed, when it was last
updated, a way to give feedback, DIGG's complaint form and the law."""
import copy
import re

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, TODAY
from insatsguiden.model.catalogue import Catalogue
from insatsguiden.model.schema import labels
from insatsguiden.site.render import Site, render_page, site_pages

DIGG_FORM = "https://www.digg.se/tdosanmalan"
LAW = "lagen (2018:1937) om tillgänglighet till digital offentlig service"
TEMPLATE = ROOT / "insatsguiden" / "site" / "templates" / "tillganglighet.html"


def statement(data: dict, repository: str | None = None) -> BeautifulSoup:
    catalogue = Catalogue.from_data(data, "data/insatser.yaml")
    page = next(p for p in site_pages(catalogue) if p.url == "tillganglighet/")
    html = render_page(page, Site.build(catalogue, TODAY, repository)).html
    return BeautifulSoup(html, "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


@pytest.fixture()
def data(default_catalogue):
    return copy.deepcopy(dict(default_catalogue.data))


def test_the_built_page_has_every_item_of_diggs_list(built_site, default_catalogue):
    page = BeautifulSoup((built_site / "tillganglighet" / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article")
    text = text_of(article)
    site = default_catalogue.data["webbplats"]
    t = site["tillganglighet"]
    body = default_catalogue.organisationer[site["utgivare"]]["namn"]
    assert f"Offentlig aktör {body}" in text and f"{body} står bakom webbplatsen Insatsguiden" in text
    assert "Digital service Webbplatsen Insatsguiden" in text
    level = labels("overensstammelse")[t["overensstammelse"]]
    assert f"Förenlighet med lagkraven {level}" in text and f"Insatsguiden är {level.lower()} med lagen" in text
    assert f"standarden {t['standard']}" in text
    for item in t["brister"]:
        assert " ".join(item.split()) in text
    method = labels("bedomningsmetod")[t["bedomning"]["metod"]]
    assert f"Bedömd {t['bedomning']['datum']} ({method.lower()})" in text
    assert f"{method}, senast {t['bedomning']['datum']}." in text and " ".join(t["bedomning"]["beskrivning"].split()) in text
    assert f"Redogörelsen senast uppdaterad {t['senast_granskad']}" in text
    assert f"Redogörelsen uppdaterades senast {t['senast_granskad']}" in text
    # Feedback: the data's contact, unverified here, so it says so.
    feedback = article.select_one(".ig-kontakter").get_text(" ")
    assert t["kontakt"]["roll"] in feedback and "Ej verifierad" in feedback and not t["kontakt"].get("verifierad")
    assert article.select_one(f'a[href="https://github.com/exempel/insatsguiden/issues/new"]')
    assert article.select_one(f'a[href="{DIGG_FORM}"]') and LAW in text
    assert "12 §" in text and "9 §" in text
    for heading in ("Vad kan du göra om du inte kan använda delar av webbplatsen?", "Tillsyn",
                    "Teknisk information om webbplatsens tillgänglighet", "Kända brister", "Hur vi testat webbplatsen"):
        assert heading in [h.get_text() for h in article.select("h2")] or any(
            h.get_text().startswith(heading) for h in article.select("h2")), heading


def test_the_page_is_generated_not_hand_written(built_site):
    assert not (ROOT / "docs" / "tillganglighet.md").exists()
    assert (built_site / "tillganglighet" / "index.html").is_file()
    template = TEMPLATE.read_text(encoding="utf-8")
    # No date and no organisation in the template: they come from the data.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", template)
    assert "samordningsförbund" not in template.lower() and "WCAG" not in template
    nav = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert any(a["href"] == "tillganglighet/" and a.get_text(strip=True) == "Tillgänglighet"
               for a in nav.select("nav.md-nav--primary a[href]"))


def test_names_dates_and_level_follow_the_data(data):
    site = data["webbplats"]
    organisations = {o["id"]: o for o in data["organisationer"]}
    old_body = organisations[site["utgivare"]]["namn"]
    site["utgivare"] = "samordningsforbundet-vasteras"
    data_body = organisations["samordningsforbundet-vasteras"]["namn"]
    t = site["tillganglighet"]
    t["overensstammelse"] = "helt_forenlig"
    t["standard"] = "EN 301 549 V3.2.1"
    t["senast_granskad"] = "2026-10-02"
    t["bedomning"] = {"metod": "extern_granskning", "datum": "2026-10-01", "beskrivning": "Granskad av en konsult."}
    t["brister"] = []
    t["kontakt"] = {"roll": "Förbundets kansli", "epost": "kansli@exempel.se", "verifierad": "2026-10-02"}
    soup = statement(data)
    text = text_of(soup)
    assert data_body in text and old_body not in text
    assert "Insatsguiden är helt förenlig med lagen" in text and "delvis" not in text
    assert "EN 301 549 V3.2.1" in text and "WCAG" not in text
    assert "Bedömd 2026-10-01 (extern granskning)" in text and "Redogörelsen senast uppdaterad 2026-10-02" in text
    assert "2026-11-23" not in text
    assert "Vi känner inte till något innehåll som inte är tillgängligt." in text
    assert "Verifierad 2026-10-02" in text and "Ej verifierad" not in text
    assert soup.select_one('a[href="mailto:kansli@exempel.se"]')
    assert soup.select_one(f'a[href="{DIGG_FORM}"]')
    assert not soup.select_one('a[href*="github.com"]')  # no repository known: no issue link


def test_exemptions_and_content_outside_the_law_come_from_the_data(data):
    t = data["webbplats"]["tillganglighet"]
    soup = statement(data)
    assert not t.get("oskaligt_betungande") and not t.get("utanfor_lagen")
    text = text_of(soup)
    assert "Inget innehåll är undantaget" in text and "inget innehåll som lagen inte omfattar (9 §)" in text
    t["oskaligt_betungande"] = [{"innehall": "Inskannade protokoll från styrelsen 2015–2018.",
                                 "skal": "De används sällan och skulle behöva skrivas om för hand."}]
    t["utanfor_lagen"] = ["Kartor från Lantmäteriet som vi visar men inte styr över."]
    soup = statement(data)
    text = text_of(soup)
    assert "Inget innehåll är undantaget" not in text and "inget innehåll som lagen inte omfattar" not in text
    assert "på grund av de brister och de undantag som beskrivs nedan" in text
    assert "Följande innehåll omfattas inte av lagen (9 §)" in text
    exempt = soup.select_one("#oskaligt-betungande").find_next("ul").get_text(" ")
    assert "Inskannade protokoll från styrelsen 2015–2018." in exempt and "Skäl: De används sällan" in exempt
    outside = soup.select_one("#utanfor-lagen").find_next("ul").get_text(" ")
    assert "Kartor från Lantmäteriet som vi visar men inte styr över." in outside


def test_an_exemption_without_a_reason_is_refused_where_it_stands(default_catalogue):
    from insatsguiden import DEFAULT_DATA
    from insatsguiden.model.validate import validate_text

    text = DEFAULT_DATA.read_text(encoding="utf-8")
    marker = "    kontakt:\n      roll: Västerbergslagens samordningsförbund"
    assert text.count(marker) == 1
    broken = text.replace(marker, "    oskaligt_betungande:\n      - innehall: Gamla protokoll\n" + marker)
    result = validate_text(broken, "insatser.yaml", TODAY)
    assert not result.ok
    line = broken[:broken.index("      - innehall: Gamla protokoll")].count("\n") + 1
    problem = next(p for p in result.problems if "skal" in p.text())
    assert problem.line == line and "oskaligt_betungande" in problem.text(), problem.text()


def test_hostile_text_in_the_statement_stays_text(data):
    t = data["webbplats"]["tillganglighet"]
    t["brister"] = ['Tabeller med "citat" & <3 rader']
    t["kontakt"] = {"roll": "Kansli <script>alert(1)</script> & co"}
    soup = statement(data)
    assert not soup.select("script") and "Kansli <script>alert(1)</script> & co" in soup.get_text()
    assert 'Tabeller med "citat" & <3 rader' in soup.get_text()


def test_without_the_webbplats_section_the_page_still_builds_and_says_what_is_missing(data):
    del data["webbplats"]
    soup = statement(data)
    text = text_of(soup)
    assert "webbplats.utgivare" in text and "webbplats.tillganglighet" in text
    assert soup.select_one(f'a[href="{DIGG_FORM}"]') and LAW in text
