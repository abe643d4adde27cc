"""The built site in real Chromium: no console errors, no foreign requests, no dialogs; JS review checks."""
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import FIXTURES, build_site, serve_directory, watched_tab

PAGE_TYPES = {
    "start": "",
    "insats": "insatser/evi-ludvika/",
    "organisation": "organisationer/ludvika-ami/",
    "overenskommelse": "overenskommelser/evi-2018/",
    "lista": "insatser/",
    "lista-filtrerad": "insatser/?kommun=vasteras&behov=bostad",
    "lista-typ": "insatser/typ/ordinarie/",
    "lista-kommun": "insatser/kommun/vasteras/",
    "behov": "behov/bostad/",
    "behovsoversikt": "behov/",
    "granskning": "granskning/",
    "granskning-ansvarig": "granskning/samordningsforbundet-vasteras/",
    "kallor": "kallor/",
    "vagvisare": "vagvisare/?kommun=vasteras&behov=bostad",
    "vagvisare-kommun": "vagvisare/ludvika/",
    "innan-du-remitterar": "insatser/samordningsteamet-vasteras/innan-du-remitterar/",
    "sa-resonerar-guiden": "vagvisare/sa-resonerar-guiden/",
    "sok": "sok/?q=bostad",
    "tillganglighet": "tillganglighet/",
    "katalog": "katalog/",
    "katalog-kommun": "katalog/ludvika/",
    "laget": "laget/",
    "beslut-index": "beslut/",
    "beslut": "beslut/uma-som-ordinarie-verksamhet/",
    "uppfoljning": "uppfoljning/",
    "insats-med-diagram": "insatser/samordningsteamet-vasteras/",
}


@pytest.fixture()
def page(browser):
    context, tab = watched_tab(browser)
    tab.requests = []
    tab.on("console", lambda message: message.type in ("error", "warning") and tab.problems.append(message.text))
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("dialog", lambda dialog: (tab.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield tab
    context.close()


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_page_loads_cleanly_and_only_locally(page, site_url, kind):
    response = page.goto(site_url + PAGE_TYPES[kind], wait_until="networkidle")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.problems == []
    local = urlsplit(site_url).netloc
    foreign = [url for url in page.requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != local]
    assert foreign == [] and page.requests


def test_privacy_no_requests_beyond_the_local_server_on_any_page(browser, site_url, built_site):
    """Every page of the site, not one per type: the browser asks nothing of any other host."""
    local = urlsplit(site_url).netloc
    pages = sorted(built_site.rglob("*.html"))
    addresses = [site_url + path.relative_to(built_site).as_posix().removesuffix("index.html") for path in pages]
    context = browser.new_context(locale="sv-SE")
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    statuses = {}
    try:
        # Sixteen tabs at a time: their waits for a quiet network overlap.
        for start in range(0, len(addresses), 16):
            tabs = []
            for address in addresses[start:start + 16]:
                tab = context.new_page()
                statuses[address] = tab.goto(address, wait_until="load").status
                tabs.append(tab)
            for tab in tabs:
                tab.wait_for_load_state("networkidle")
                tab.close()
    finally:
        context.close()
    foreign = [url for url in requests if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != local]
    print(f"\n{len(addresses)} sidor, {len(requests)} förfrågningar, {len(foreign)} till andra värdar")
    assert {status for status in statuses.values()} == {200} and len(addresses) > 50
    assert len(requests) > len(addresses)  # documents, styles, scripts: the listener saw them
    assert foreign == []

def test_navigation_and_search(page, site_url):
    page.goto(site_url, wait_until="networkidle")
    page.get_by_role("link", name="Alla insatser").first.click()
    page.wait_for_url("**/insatser/")
    # The list page links to the list per kommun, which links to the insats.
    page.locator("#kommun-ludvika a").first.click()
    page.wait_for_url("**/insatser/kommun/ludvika/")
    page.get_by_role("link", name="EVI Ludvika").first.click()
    assert "insatser/evi-ludvika/" in page.url
    page.fill("#ig-sokruta-falt", "Rehabteamet")
    page.press("#ig-sokruta-falt", "Enter")
    page.wait_for_url("**/sok/?q=Rehabteamet")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10000)
    assert "Rehabteamet" in results.first.inner_text()
    assert page.problems == []


def test_print_hides_navigation(page, site_url):
    page.goto(site_url + "insatser/samordningsteamet-vasteras/", wait_until="networkidle")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert page.locator(".ig-sammanfattning").is_visible()


@pytest.fixture(scope="module")
def small_site_url(tmp_path_factory):
    """The minimal fixture built on 2026-11-23: Boendestöd's review falls due 2027-01-15."""
    site = tmp_path_factory.mktemp("small-site")
    build_site(FIXTURES / "valid" / "minimal.yaml", site)
    url, server = serve_directory(site)
    yield url
    server.shutdown()


def _banner_texts(page) -> list[str]:
    return [b.inner_text() for b in page.locator(".ig-granskning").all() if b.is_visible()]


def test_review_banner_is_rechecked_with_the_readers_date(page, small_site_url):
    page.goto(small_site_url + "insatser/boendestod/", wait_until="networkidle")
    assert any("ska granskas senast 2027-01-15 (om 1 månad)" in text for text in _banner_texts(page))
    page.clock.set_fixed_time(dt.datetime(2027, 2, 1, 12, 0))
    page.reload(wait_until="networkidle")
    assert any("skulle ha granskats senast 2027-01-15 – försenad sedan 17 dagar" in text for text in _banner_texts(page))
    assert page.problems == []


def test_without_javascript_the_build_text_remains(browser, small_site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(small_site_url + "overenskommelser/avtalet/")
    text = tab.locator(".ig-granskning").first.inner_text()
    assert "skulle ha reviderats senast 2019-03-31 – försenad sedan 7 år" in text
    context.close()


def test_guide_by_keyboard_with_url_back_button_and_announcement(page, site_url):
    page.goto(site_url + "vagvisare/", wait_until="networkidle")
    page.focus("#ig-kommun")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("ArrowDown")  # first kommun
    # Tab to the first need checkbox and tick it with the space bar.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "behov":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "ig-resultat-rubrik"  # focus moves to the result
    status = page.locator("#ig-resultat-status")
    status.filter(has_text="passar").wait_for(timeout=10000)   # the kommun's document has arrived
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    first = status.inner_text()
    assert "passar" in first and "behov=" in page.url and "kommun=" in page.url
    # A second answer, then back: the earlier answers and result return.
    if page.locator(".ig-fler-fragor input[name=aktivitet]").count():  # folded while nothing asks about it
        page.locator(".ig-fler-fragor summary").click()
    page.check("input[name=aktivitet][value=nej]")
    page.locator("#ig-vagvisare button[type=submit]").press("Enter")
    assert "aktivitet=nej" in page.url
    page.go_back()
    page.wait_for_function("!location.search.includes('aktivitet')")
    assert not page.is_checked("input[name=aktivitet][value=nej]")
    assert status.inner_text() == first
    assert page.problems == []


def test_guide_result_prints_on_at_most_two_pages(page, site_url):
    page.goto(site_url + "vagvisare/?kommun=vasteras&alder=30&behov=arbete&aktivitet=ja", wait_until="networkidle")
    page.emulate_media(media="print")
    assert not page.locator("#ig-vagvisare").is_visible()
    assert page.locator("#ig-resultat .ig-resultat").first.is_visible()
    pdf = page.pdf(format="A4")
    assert 1 <= pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>>") + pdf.count(b"/Type /Page ") <= 2


def test_static_guide_pages_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "vagvisare/")
    assert not tab.locator("#ig-resultat-del").is_visible()
    tab.get_by_role("link", name="Västerås").first.click()
    assert "vagvisare/vasteras/" in tab.url
    section = tab.locator("h2#stod-i-boendet + ul")
    assert "Boendestöd, Västerås" in section.inner_text()
    context.close()


def test_filters_on_the_list_are_instant_and_in_the_url(page, site_url, default_catalogue):
    page.goto(site_url + "insatser/", wait_until="networkidle")
    page.select_option("select[name=kommun]", "vasteras")
    page.select_option("select[name=behov]", "bostad")
    # The rows come from the kommun's API document: wait for the count.
    expect(page.locator("#ig-filter-status")).to_have_text(re.compile(r"av 32 insatser visas"))
    visible = [a.inner_text() for a in page.locator("#ig-filterlista li:not([hidden]) > a").all()]
    expected = sorted(i["namn"] for i in default_catalogue.insatser.values()
                      if "bostad" in i["malgrupp"].get("behov", [])
                      and (not i["malgrupp"].get("kommuner") or "vasteras" in i["malgrupp"]["kommuner"]))
    assert sorted(visible) == expected and expected
    assert "kommun=vasteras" in page.url and "av 32 insatser visas" in page.locator("#ig-filter-status").inner_text()
    page.reload(wait_until="networkidle")
    assert page.input_value("select[name=behov]") == "bostad"
    assert page.problems == []


def test_list_without_javascript_shows_everything(browser, site_url, default_catalogue):
    # Without script the page links to the full list, by kind and by kommun, in pages of plain links.
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "insatser/")
    assert not tab.locator("#ig-filter").is_visible()
    parts = [a.get_attribute("href") for a in tab.locator("#ig-grupperat a").all()]
    assert parts
    names = set()
    for part in parts:
        tab.goto(site_url + "insatser/" + part)
        names |= {a.inner_text() for a in tab.locator("article li.ig-insats-rad > a").all()}
    assert {i["namn"] for i in default_catalogue.insatser.values()} <= names
    context.close()


def test_filters_from_the_url_take_only_offered_values(page, site_url):
    # Names every JavaScript object inherits, and values no select offers, leave the filters at "Alla".
    page.goto(site_url + "insatser/?kommun=constructor&behov=__proto__&typ=toString&org=hasOwnProperty&intag=valueOf",
              wait_until="networkidle")
    for name in ("kommun", "behov", "typ", "org", "intag", "remittent"):
        assert page.evaluate(f"document.querySelector('select[name={name}]').selectedIndex") == 0, name
    assert page.locator("#ig-filter-status").inner_text().startswith("Alla 32 insatser finns")
    assert page.url.endswith("/insatser/")
    page.goto(site_url + "insatser/?kommun=vasteras&behov=constructor", wait_until="networkidle")
    expect(page.locator("#ig-filter-status")).to_have_text(re.compile(r"av 32 insatser visas"))
    assert page.input_value("select[name=kommun]") == "vasteras"
    assert page.evaluate("document.querySelector('select[name=behov]').selectedIndex") == 0
    assert "kommun=vasteras" in page.url and "behov" not in page.url
    assert page.problems == []
