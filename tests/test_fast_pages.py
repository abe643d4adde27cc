"""Pages that stay fast (issue 12): Alla insatser fetches what a filter needs, the full list comes in pages,
Granskning is grouped by responsible with a page each; every record stays reachable by plain links.

The default site (session fixture) is used for the filters in Chromium; a synthetic site of 500 insatser,
built once here, has lists long enough to need several pages and many findings per responsible.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from conftest import PYTHON, ROOT, TODAY, serve_directory, watched_tab
from insatsguiden.domain.freshness import OVERDUE, SOON, evaluate
from insatsguiden.model.rules import RESERVED_IDS, id_problem
from insatsguiden.model.validate import validate_text
from insatsguiden.site import overview
from insatsguiden.tools.synthetic import catalogue_yaml

SYNTHETIC_SIZE = 500


def soup(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text(encoding="utf-8"), "html.parser")


def article_links(site: Path, address: str) -> list[str]:
    """Site addresses (relative to the root, directory style) of the links in a page's article."""
    base = "http://x/" + address
    found = []
    for anchor in soup(site, address).select("article a[href]"):
        target = urlsplit(urljoin(base, anchor["href"]))
        if target.netloc == "x" and not target.path.endswith(".json"):
            found.append(target.path.lstrip("/"))
    return found


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """(site folder, catalogue) for a synthetic catalogue of SYNTHETIC_SIZE insatser."""
    folder = tmp_path_factory.mktemp("snabba-sidor")
    text = catalogue_yaml(SYNTHETIC_SIZE)
    data = folder / "data.yaml"
    data.write_text(text, encoding="utf-8")
    completed = subprocess.run(
        [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")], cwd=ROOT,
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "INSATSGUIDEN_DATA": str(data), "INSATSGUIDEN_TODAY": TODAY.isoformat(),
             "NO_MKDOCS_2_WARNING": "1", "INSATSGUIDEN_PAGEFIND": "0"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return folder / "site", validate_text(text, "data.yaml", TODAY).catalogue


# --- the pieces, without a build ----------------------------------------------------------------------


def test_lists_split_into_pages_of_at_most_page_size():
    members = [{"id": f"i{n}", "namn": f"I {n}"} for n in range(2 * overview.PAGE_SIZE + 1)]
    parts = overview.split("ordinarie", "Ordinarie", "insatser/typ/ordinarie/", members)
    assert [len(p.rows) for p in parts] == [overview.PAGE_SIZE, overview.PAGE_SIZE, 1]
    assert [p.url for p in parts] == ["insatser/typ/ordinarie/", "insatser/typ/ordinarie/2/", "insatser/typ/ordinarie/3/"]
    assert sum((list(p.rows) for p in parts), []) == members
    assert (parts[1].first_row, parts[1].last_row) == (overview.PAGE_SIZE + 1, 2 * overview.PAGE_SIZE)
    empty = overview.split("sala", "Sala", "insatser/kommun/sala/", [])
    assert len(empty) == 1 and empty[0].rows == () and empty[0].first_row == 0


def test_list_folders_are_reserved_ids():
    # insatser/typ/… and insatser/kommun/… must never be an insats page insatser/<id>/.
    for folder in overview.LIST_FOLDERS:
        assert folder in RESERVED_IDS and id_problem(folder, RESERVED_IDS)
        assert overview.BY_KIND.startswith(f"insatser/{folder}/") or overview.BY_KOMMUN.startswith(f"insatser/{folder}/")


def test_responsible_pages_use_organisation_ids_or_free_slugs(default_catalogue):
    slugs = overview.responsible_slugs(default_catalogue)
    names = {o["namn"]: o["id"] for o in default_catalogue.organisationer.values()}
    assert len(set(slugs.values())) == len(slugs) and "index" not in slugs.values()
    for text, segment in slugs.items():
        if text in names:
            assert segment == names[text]
        else:   # several organisations, or a förbund text: a slug no organisation id takes
            assert segment not in default_catalogue.organisationer and re.fullmatch(r"[a-z0-9-]+", segment)
    # Every finding's responsible has a page.
    assert {f.responsible for f in evaluate(default_catalogue, TODAY)} <= set(slugs)


def test_a_slug_never_takes_an_organisation_id(default_catalogue):
    taken = next(iter(default_catalogue.organisationer))
    text = taken.replace("-", " ")   # a responsible text whose slug is an organisation's id
    catalogue = default_catalogue
    original = overview.responsible_texts
    try:
        overview.responsible_texts = lambda _: original(catalogue) + [text]
        slugs = overview.responsible_slugs(catalogue)
    finally:
        overview.responsible_texts = original
    assert slugs[text] != taken and slugs[text].startswith(taken)


# --- the built default site -----------------------------------------------------------------------------


def test_list_page_lists_no_insats_but_links_to_every_part(built_site, default_catalogue):
    page = soup(built_site, "insatser")
    assert page.select("article li.ig-insats-rad") == []   # the rows come from the API or the pages
    links = set(article_links(built_site, "insatser/"))
    for kind in {i["typ"] for i in default_catalogue.insatser.values()}:
        assert f"insatser/typ/{kind}/" in links
    for kommun in default_catalogue.kommuner:
        assert f"insatser/kommun/{kommun}/" in links
    # The old heading anchors stay.
    for anchor in ("efter-typ", "efter-kommun", "filtrera", "alla-insatser"):
        assert page.find(id=anchor) is not None, anchor
    intake = json.loads(page.find(id="ig-filter-intag").string)
    findings = {f.record_id: f for f in evaluate(default_catalogue, TODAY) if f.kind == "intag"}
    assert intake.keys() == findings.keys()
    assert all(intake[i] == [f.due.isoformat() if f.due else None, f.state == OVERDUE] for i, f in findings.items())


def test_kommun_pages_list_the_kommun_and_every_kommun_measures(built_site, default_catalogue):
    for kommun in default_catalogue.kommuner:
        names = [a.get_text() for a in soup(built_site, f"insatser/kommun/{kommun}").select("li.ig-insats-rad > a")]
        expected = sorted((i["namn"] for i in default_catalogue.insatser.values()
                           if not i["malgrupp"].get("kommuner") or kommun in i["malgrupp"]["kommuner"]), key=str.lower)
        assert names == expected and names


def test_every_insats_is_reachable_from_the_list_page_by_plain_links(synthetic):
    site, catalogue = synthetic
    seen_pages, queue, reached = set(), ["insatser/"], set()
    while queue:
        address = queue.pop()
        if address in seen_pages:
            continue
        seen_pages.add(address)
        for target in article_links(site, address):
            if target.startswith(("insatser/typ/", "insatser/kommun/")):
                queue.append(target)
            elif re.fullmatch(r"insatser/[^/]+/", target):
                reached.add(target.split("/")[1])
    assert reached == set(catalogue.insatser)
    # Several pages per kind: at most PAGE_SIZE rows on any of them.
    list_pages = [p for p in seen_pages if p != "insatser/"]
    assert any(p.endswith("/2/") for p in list_pages)
    assert max(len(soup(site, p).select("li.ig-insats-rad")) for p in list_pages) == overview.PAGE_SIZE


def test_pages_link_previous_next_and_every_number(synthetic):
    site, catalogue = synthetic
    ordinary = sorted((i for i in catalogue.insatser.values() if i["typ"] == "ordinarie"), key=lambda i: (i["namn"].lower(), i["id"]))
    pages = -(-len(ordinary) // overview.PAGE_SIZE)
    assert pages >= 2
    second = soup(site, "insatser/typ/ordinarie/2")
    navs = second.select("nav.ig-sidor")
    assert len(navs) == 2 and len({n["aria-label"] for n in navs}) == 2
    texts = [a.get_text() for a in navs[0].select("a")]
    assert texts[0] == "Föregående" and texts[1:1 + pages] == [str(n) for n in range(1, pages + 1)]
    assert navs[0].select_one("a[aria-current=page]").get_text() == "2"
    assert navs[0].select_one("a[rel=prev]")["href"] == "../"
    assert (texts[-1] == "Nästa") == (pages > 2)
    names = [a.get_text() for a in second.select("li.ig-insats-rad > a")]
    assert names == [i["namn"] for i in ordinary[overview.PAGE_SIZE:2 * overview.PAGE_SIZE]]
    first = soup(site, "insatser/typ/ordinarie")
    assert first.select_one("nav.ig-sidor a[rel=next]")["href"] == "2/" and not first.select("nav.ig-sidor a[rel=prev]")


def test_granskning_is_grouped_by_responsible_and_small(synthetic):
    site, catalogue = synthetic
    findings = evaluate(catalogue, TODAY)
    page = soup(site, "granskning")
    table = page.find(id="per-ansvarig").find_next("table")
    rows = {row.th.get_text(strip=True): [int(td.get_text()) for td in row.select("td")] for row in table.tbody.select("tr")}
    for text, counts in rows.items():
        mine = [f for f in findings if f.responsible == text]
        assert counts == [sum(f.state == s for f in mine) for s in (OVERDUE, SOON, "ok")], text
    assert sum(map(sum, rows.values())) == len(findings)
    # Only a few items per responsible and state are listed on the page itself.
    listed = page.select("h2#forsenad ~ ul.ig-granskningslista > li")
    assert 0 < len(listed) <= 2 * overview.REVIEW_PREVIEW * len(rows) < len(findings)
    # The oldest items of each responsible and state, in order.
    expected = []
    for state in (OVERDUE, SOON):
        groups = sorted(rows, key=lambda text: (-rows[text][0], -rows[text][1], text.lower()))
        for text in groups:
            expected += [f.record_name for f in findings if f.responsible == text and f.state == state][:overview.REVIEW_PREVIEW]
    assert [li.a.get_text() for li in listed] == expected
    assert (site / "granskning" / "index.html").stat().st_size < 200_000


def test_each_responsible_page_lists_all_its_items(synthetic):
    site, catalogue = synthetic
    findings = evaluate(catalogue, TODAY)
    slugs = overview.responsible_slugs(catalogue)
    linked = set(article_links(site, "granskning/"))
    for text, segment in slugs.items():
        mine = [f for f in findings if f.responsible == text]
        if not mine:
            continue
        assert f"granskning/{segment}/" in linked
        page = soup(site, f"granskning/{segment}")
        assert text in page.h1.get_text()
        for state in (OVERDUE, SOON, "ok"):
            heading = page.find(id=state)
            expected = [f for f in mine if f.state == state]
            assert f"({len(expected)})" in heading.get_text()
            if expected:
                rows = heading.find_next("table").tbody.select("tr")
                assert [r.select("td")[1].get_text(strip=True) for r in rows] == [f.record_name for f in expected]


def test_default_granskning_links_every_record_with_findings(built_site, default_catalogue):
    findings = evaluate(default_catalogue, TODAY)
    reached = set()
    for segment in overview.responsible_slugs(default_catalogue).values():
        reached |= {address for address in article_links(built_site, f"granskning/{segment}/")}
    for finding in findings:
        # A pending decision (issue 13) links its own page, beslut/<id>/.
        folder = {"overenskommelser": "overenskommelser", "beslut": "beslut"}.get(finding.section, "insatser")
        assert f"{folder}/{finding.record_id}/" in reached, finding.record_id


# --- Chromium ---------------------------------------------------------------------------------------------


def _watch(browser):
    context, tab = watched_tab(browser)
    tab.fetched = []
    tab.on("console", lambda message: message.type == "error" and tab.problems.append(message.text))
    tab.on("request", lambda request: tab.fetched.append(urlsplit(request.url).path))
    return context, tab


def _rows(tab):
    # (A locator assertion, not wait_for_function: the pages' policy forbids eval.)
    expect(tab.locator("#ig-filter-status")).to_have_text(re.compile("insatser visas"))
    return tab.evaluate("""() => [...document.querySelectorAll('#ig-filterlista > li')].map(li => ({
        name: li.querySelector('a').textContent, href: li.querySelector('a').href,
        meta: li.querySelector('.ig-meta').textContent,
        badges: [...li.querySelectorAll('.ig-badge')].filter(b => !b.hidden).map(b => b.textContent)}))""")


def test_no_data_is_fetched_until_a_filter_is_chosen(browser, site_url):
    context, tab = _watch(browser)
    try:
        tab.goto(site_url + "insatser/", wait_until="networkidle")
        assert not [p for p in tab.fetched if "/api/" in p]
        assert tab.locator("#ig-grupperat").is_visible() and tab.locator("#ig-filterlista").is_hidden()
        assert tab.locator("#ig-filter-status").inner_text().startswith("Alla 32 insatser")
        tab.select_option("select[name=behov]", "bostad")
        _rows(tab)
        assert [p for p in tab.fetched if "/api/" in p] == ["/api/v1/insatser.json"]
        assert not tab.locator("#ig-grupperat").is_visible()
        tab.select_option("select[name=behov]", "")
        assert tab.locator("#ig-grupperat").is_visible() and tab.locator("#ig-filterlista").is_hidden()
        assert tab.problems == []
    finally:
        context.close()


def test_kommun_filter_fetches_only_the_kommun_document(browser, site_url, default_catalogue):
    context, tab = _watch(browser)
    try:
        tab.goto(site_url + "insatser/?kommun=ludvika&typ=ordinarie", wait_until="networkidle")
        rows = _rows(tab)
        assert [p for p in tab.fetched if "/api/" in p] == ["/api/v1/kommuner/ludvika.json"]
        expected = [i for i in default_catalogue.insatser.values() if i["typ"] == "ordinarie"
                    and (not i["malgrupp"].get("kommuner") or "ludvika" in i["malgrupp"]["kommuner"])]
        assert sorted(r["name"] for r in rows) == sorted(i["namn"] for i in expected) and rows
        by_name = {r["name"]: r for r in rows}
        for insats in expected:
            row = by_name[insats["namn"]]
            assert row["href"] == site_url + f"insatser/{insats['id']}/"
            places = ", ".join(default_catalogue.kommuner[k]["namn"] for k in insats["malgrupp"].get("kommuner", []))
            assert row["meta"] == "Ordinarie verksamhet · " + (places or "Alla kommuner")
        status = tab.locator("#ig-filter-status").inner_text()
        assert status == f"{len(rows)} av 32 insatser visas."
        assert tab.locator("#ig-filter-status").get_attribute("role") == "status"
        assert tab.problems == []
    finally:
        context.close()


def test_filtered_rows_show_intake_as_the_pages_do_and_recheck_it(browser, site_url, default_catalogue):
    import datetime as dt

    findings = {f.record_id: f for f in evaluate(default_catalogue, TODAY) if f.kind == "intag"}
    open_ids = {i for i, insats in default_catalogue.insatser.items() if insats["intag"]["status"] == "oppen"}
    stale = {i for i in open_ids if findings[i].state == OVERDUE}
    assert stale
    # One open measure confirmed until 2027-02-01 (the page's embedded checks changed on the way): fresh at
    # build time; a reader on 2027-02-02 sees it unconfirmed, as granskning.js shows it on every page.
    fresh = sorted(open_ids)[0]
    checks = {i: [f.due.isoformat() if f.due else None, f.state == OVERDUE] for i, f in findings.items()}
    checks[fresh] = ["2027-02-01", False]

    def patched(route):
        html = route.fetch().text()
        start = html.index('<script type="application/json" id="ig-filter-intag">')
        start = html.index(">", start) + 1
        route.fulfill(body=html[:start] + json.dumps(checks) + html[html.index("</script>", start):],
                      content_type="text/html; charset=utf-8")

    name = default_catalogue.insatser[fresh]["namn"]
    context, tab = _watch(browser)
    try:
        tab.route("**/insatser/?*", patched)
        for day, expect_fresh in ((dt.date(2026, 11, 23), True), (dt.date(2027, 2, 1), True), (dt.date(2027, 2, 2), False)):
            tab.clock.set_fixed_time(dt.datetime.combine(day, dt.time(12)).timestamp())
            tab.goto(site_url + "insatser/?intag=oppen", wait_until="networkidle")
            rows = {r["name"]: r for r in _rows(tab)}
            assert set(rows) == {default_catalogue.insatser[i]["namn"] for i in open_ids}
            for identity in open_ids:
                badges = rows[default_catalogue.insatser[identity]["namn"]]["badges"]
                if identity == fresh and expect_fresh:
                    assert badges == ["Öppen för nya deltagare"], (day, identity)
                else:
                    assert badges == ["Intag obekräftat (senast kända status: Öppen för nya deltagare)"], (day, identity)
            assert name in rows
        assert tab.problems == []
    finally:
        context.close()


def test_list_works_under_a_sub_path(browser, built_site, tmp_path):
    (tmp_path / "guide").symlink_to(built_site, target_is_directory=True)
    url, server = serve_directory(tmp_path)
    context, tab = _watch(browser)
    try:
        tab.goto(url + "guide/insatser/?kommun=vasteras", wait_until="networkidle")
        rows = _rows(tab)
        assert "/guide/api/v1/kommuner/vasteras.json" in tab.fetched
        assert rows and all(urlsplit(r["href"]).path.startswith("/guide/insatser/") for r in rows)
        assert tab.problems == []
    finally:
        context.close()
        server.shutdown()


def test_unreachable_data_leaves_the_plain_lists(browser, site_url):
    context, tab = _watch(browser)
    try:
        tab.route("**/api/v1/**", lambda route: route.abort())
        tab.goto(site_url + "insatser/?behov=bostad", wait_until="networkidle")
        expect(tab.locator("#ig-filter-status")).to_have_text(re.compile("kunde inte hämtas"))
        assert tab.locator("#ig-grupperat").is_visible() and tab.locator("#ig-filterlista").is_hidden()
    finally:
        context.close()


def test_data_text_is_never_parsed_as_html(browser, site_url):
    """A summary line whose name is markup shows as text (rows are built with textContent)."""
    context, tab = _watch(browser)
    try:
        payload = {"insatser": [{"id": "x", "namn": "<img src=x onerror=alert(1)>", "typ": "ordinarie", "kommuner": [],
                                 "behov": ["bostad"], "intag": "<b>", "senast_granskad": "2026-01-01",
                                 "organisationer": [], "remittenter": [], "url": "insatser/x/"}]}
        tab.route("**/api/v1/insatser.json", lambda route: route.fulfill(json=payload))
        tab.goto(site_url + "insatser/?behov=bostad", wait_until="networkidle")
        rows = _rows(tab)
        assert rows[0]["name"] == payload["insatser"][0]["namn"] and rows[0]["badges"] == ["<b>"]
        assert tab.locator("#ig-filterlista img").count() == 0 and tab.locator("#ig-filterlista b").count() == 0
        assert tab.problems == []
    finally:
        context.close()


def test_long_results_show_the_first_rows_and_the_rest_on_request(browser, synthetic):
    site, catalogue = synthetic
    expected = sorted(i["namn"] for i in catalogue.insatser.values() if "ludvika" in i["malgrupp"]["kommuner"])
    assert len(expected) > 100
    url, server = serve_directory(site)
    context, tab = _watch(browser)
    try:
        tab.goto(url + "insatser/?kommun=ludvika", wait_until="networkidle")
        rows = _rows(tab)
        assert len(rows) == 100
        assert tab.locator("#ig-filter-status").inner_text() == \
            f"{len(expected)} av {SYNTHETIC_SIZE} insatser visas, de första 100 nedan."
        button = tab.get_by_role("button", name=f"Visa alla {len(expected)}")
        button.click()
        rows = _rows(tab)
        assert len(rows) == len(expected) and {r["name"] for r in rows} == set(expected)
        assert not button.is_visible()
        assert tab.evaluate("document.activeElement.textContent") == rows[100]["name"]
        # A new filter starts again from the first rows.
        tab.select_option("select[name=typ]", "ordinarie")
        rows = _rows(tab)
        assert 0 < len(rows) <= 100
        assert tab.problems == []
    finally:
        context.close()
        server.shutdown()
