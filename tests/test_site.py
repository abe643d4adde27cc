"""The generated site, built once per session with the real default data."""
import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, PYTHON, ROOT, TODAY

_parsed: dict = {}


def page(site: Path, url: str) -> BeautifulSoup:
    path = site / url / "index.html" if not url.endswith(".html") else site / url
    if path not in _parsed:
        _parsed[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return _parsed[path]


def all_pages(site: Path):
    return sorted(site.rglob("*.html"))


def test_a_page_per_record(built_site, default_catalogue):
    for kind, records in (("insatser", default_catalogue.insatser), ("organisationer", default_catalogue.organisationer),
                          ("overenskommelser", default_catalogue.overenskommelser), ("behov", default_catalogue.behov)):
        for identity, record in records.items():
            html = page(built_site, f"{kind}/{identity}")
            heading = html.select_one("article h1")
            assert heading is not None and (record.get("namn") or record.get("titel")) in heading.get_text(), identity


@pytest.mark.parametrize("url, text", [
    ("", "innan"),
    ("insatser", "Alla insatser"),
    ("organisationer", "Organisationer"),
    ("overenskommelser", "Överenskommelser"),
    ("behov", "Behov som ingen insats täcker"),
    ("kallor", "Utredning EVI, UMA och Rehabteamet"),
])
def test_overview_pages(built_site, url, text):
    assert text in page(built_site, url).select_one("article").get_text()


def test_every_page_is_swedish(built_site):
    for path in all_pages(built_site):
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html[^>]*\blang="sv"', html), path


def test_no_third_party_requests_in_html_or_css(built_site):
    """Nothing the browser fetches by itself (scripts, styles, images, fonts) points off the site."""
    external = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    for path in all_pages(built_site):
        soup = page(built_site, str(path.relative_to(built_site)))
        for element in soup.find_all(["script", "img", "iframe", "audio", "video", "source", "embed", "object"]):
            for attribute in ("src", "data", "srcset"):
                value = element.get(attribute)
                assert not value or not external.match(value), (path, element.name, value)
        for link in soup.find_all("link"):
            rel = " ".join(link.get("rel", []))
            if rel not in ("canonical", "alternate"):
                assert not external.match(link.get("href", "")), (path, rel, link.get("href"))
        for style in soup.find_all("style"):
            assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", style.get_text()), path
    for css in built_site.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?(?:https?:)?//|url\(\s*['\"]?(?:https?:)?//", css.read_text(encoding="utf-8")), css


def test_insats_page_top_shows_intake_referrers_and_review(built_site, default_catalogue):
    from insatsguiden.model.schema import labels
    for identity, insats in default_catalogue.insatser.items():
        article = page(built_site, f"insatser/{identity}").select_one("article")
        summary = article.select_one(".ig-sammanfattning")
        assert summary is not None, identity
        first_h2 = article.find("h2")
        assert summary.find_next("h2") is first_h2  # the summary comes before every section
        text = summary.get_text(" ", strip=True)
        assert labels("intagsstatus")[insats["intag"]["status"]] in text
        for referrer in insats["remiss"]["remittenter"]:
            assert labels("remittent")[referrer] in text, (identity, referrer)
        assert insats["senast_granskad"]["datum"] in text


def test_flow_renders_as_diagram(built_site, default_catalogue):
    with_steps = [i for i in default_catalogue.insatser.values() if i.get("arbetsgang")]
    assert with_steps
    for insats in with_steps:
        steps = page(built_site, f"insatser/{insats['id']}").select("ol.ig-flode > li.ig-flode-steg")
        assert [s.strong.get_text() for s in steps] == [step["steg"] for step in insats["arbetsgang"]]
    css = (built_site / "assets" / "insatsguiden.css").read_text(encoding="utf-8")
    assert ".ig-flode > li:not(:last-child)::after" in css


def test_links_between_records_resolve(built_site):
    for path in (built_site / "insatser").rglob("index.html"):
        for anchor in page(built_site, str(path.relative_to(built_site))).select("article a[href]"):
            href = anchor["href"]
            if href.startswith(("https:", "mailto:", "tel:", "#")):
                continue
            target = (path.parent / href.split("#")[0]).resolve()
            assert (target / "index.html").exists() or target.is_file(), (path, href)


def test_every_primary_nav_link_leads_to_the_same_page_from_every_page(built_site):
    # Pages outside the nav share one rendering of it per set of relative links (overrides/main.html,
    # hooks' nav_key): a wrong key would give a page another page's relative links, which lead elsewhere
    # or nowhere from it.
    def targets(path):
        nav = page(built_site, str(path.relative_to(built_site))).select("nav.md-nav--primary a[href]")
        assert nav, path
        found = []
        for anchor in nav:
            href = anchor["href"].split("#")[0]
            target = (path.parent / href).resolve()
            assert (target / "index.html").exists() or target.is_file(), (path, anchor["href"])
            found.append(target)
        return found

    # A page in the nav also lists its own headings there (links to itself): compared without them.
    every = set(targets(built_site / "index.html")) | {built_site.resolve()}
    pages = list(built_site.rglob("index.html"))
    assert len(pages) > 100 and any(len(p.relative_to(built_site).parts) > 3 for p in pages)
    for path in pages:
        itself = path.parent.resolve()
        assert set(targets(path)) - {itself} == every - {itself}, path


def test_generated_pages_stay_out_of_the_nav(built_site, default_catalogue):
    nav_links = {a["href"] for a in page(built_site, "insatser/evi-ludvika").select("nav.md-nav--primary a[href]")}
    # Only overview pages: the limit guards against record pages (thousands at scale) in the nav, which
    # mkdocs-material renders into every page. The steering group's pages (issue 13) are grouped under one
    # section, "För styrgruppen", so the top level stays short; its links still count here.
    assert len(nav_links) <= 20
    assert not any(insats_id in link for link in nav_links for insats_id in default_catalogue.insatser)


def test_schema_is_published(built_site):
    published = json.loads((built_site / "schema" / "insatser.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads((ROOT / "schema" / "insatser.schema.json").read_text(encoding="utf-8"))


def test_nothing_generated_into_docs(built_site):
    files = sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*") if p.is_file())
    assert files == ["assets/filter.js", "assets/granskning.js", "assets/insatsguiden.css", "assets/sok.js",
                     "assets/vagvisare.js", "index.md"]


def test_agreement_page_and_dependants(built_site):
    article = page(built_site, "overenskommelser/evi-2018").select_one("article").get_text(" ", strip=True)
    assert "Gäller formellt men följs inte" in article and "januari–mars" in article
    insats = page(built_site, "insatser/evi-ludvika").select_one(".ig-sammanfattning").get_text(" ", strip=True)
    assert "följs inte" in insats


def _build(data: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "INSATSGUIDEN_DATA": str(data),
                               "INSATSGUIDEN_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"})


def test_site_markdown_extensions_never_see_data_text(tmp_path):
    """attr_list, snippets or raw HTML syntax in data text stays inert text."""
    source = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    data = tmp_path / "data.yaml"
    data.write_text(source.replace("    syfte: Stöd i hemmet.",
                                   "    syfte: \"Stöd{onclick=alert(1)} **här** --8<-- \\\"README.md\\\"\""), encoding="utf-8")
    completed = _build(data, tmp_path / "site")
    assert completed.returncode == 0, completed.stderr[-2000:]
    article = BeautifulSoup((tmp_path / "site" / "insatser" / "boendestod" / "index.html").read_text(encoding="utf-8"),
                            "html.parser").select_one("article")
    assert article.find(attrs={"onclick": True}) is None
    assert "<strong>här</strong>" in str(article)
    assert "--8<--" in article.get_text()  # the snippet syntax was not expanded


def test_invalid_data_stops_the_build_with_the_problems(tmp_path):
    completed = _build(FIXTURES / "invalid" / "bad_enum.yaml", tmp_path / "site")
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert "bad_enum.yaml:64:15:" in output and "Menade du 'oppen'?" in output
    assert "Traceback" not in output
    assert not (tmp_path / "site" / "index.html").exists()


# The second process of `mkdocs build` loads the data without the schema and the rules while the build
# validates it (site/publish.py): whatever that process makes of such data, the build reports the
# problems and nothing else, and publishes nothing.
@pytest.mark.parametrize("name", ["bad_reference.yaml", "missing_required.yaml", "top_level_list.yaml",
                                  "share_over_100.yaml"])
def test_data_that_loads_but_breaks_the_rules_stops_the_build_with_its_problems(name, tmp_path):
    completed = _build(FIXTURES / "invalid" / name, tmp_path / "site")
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert re.search(rf"{re.escape(name)}:\d+:\d+: ", output), output[-2000:]
    assert "Traceback" not in output and "öppna data" not in output
    assert not (tmp_path / "site" / "index.html").exists() and not (tmp_path / "site" / "api").exists()


def test_serve_rebuilds_when_the_data_changes(tmp_path):
    data = tmp_path / "data.yaml"
    data.write_text((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    port = 18765
    server = subprocess.Popen([PYTHON, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={"PATH": "/usr/bin:/bin", "INSATSGUIDEN_DATA": str(data), "NO_MKDOCS_2_WARNING": "1"})

    def fetch() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/insatser/boendestod/", timeout=5) as response:
            return response.read().decode("utf-8")

    def wait_for(text: str, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if text in fetch():
                    return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    try:
        assert wait_for("Boendestöd")
        data.write_text(data.read_text(encoding="utf-8").replace("namn: Boendestöd", "namn: Boendestöd ändrad"), encoding="utf-8")
        assert wait_for("Boendestöd ändrad")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_coverage_page_calls_out_empty_cells(built_site, default_catalogue):
    table = page(built_site, "tackning").select_one("table.ig-tackning")
    kommuner = sorted(default_catalogue.kommuner.values(), key=lambda k: k["namn"])
    rows = table.select("tbody tr")
    assert len(rows) == len(default_catalogue.behov)
    empty = 0
    for row, need in zip(rows, default_catalogue.behov):
        for cell, kommun in zip(row.select("td"), kommuner):
            found = default_catalogue.open_for(need, kommun["id"])
            if found:
                assert cell.a.get_text() == str(len(found))
            else:
                empty += 1
                assert "Ingenting att slussa till" in cell.get_text() and "ig-tom" in cell["class"]
    assert empty > 0  # the reports describe needs with nothing to refer to
    assert "Fontänhus" in page(built_site, "tackning").get_text()


def test_content_security_policy_on_every_page(built_site):
    from insatsguiden.site.csp import inline_script_hashes

    for path in all_pages(built_site):
        html = path.read_text(encoding="utf-8")
        soup = page(built_site, str(path.relative_to(built_site)))
        meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None, path
        policy = meta["content"]
        script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        for digest in inline_script_hashes(html):
            assert digest in script_src, (path, digest)
    headers = (built_site / "_headers").read_text(encoding="utf-8")
    assert headers.startswith("/*\n  Content-Security-Policy: default-src 'self'")


def test_change_and_report_links_point_at_the_record(built_site, default_catalogue):
    from conftest import REPOSITORY

    for section, records in (("insatser", default_catalogue.insatser), ("organisationer", default_catalogue.organisationer),
                             ("overenskommelser", default_catalogue.overenskommelser)):
        for identity in records:
            links = page(built_site, f"{section}/{identity}").select("p.ig-andra a")
            assert [a.get_text() for a in links] == ["Föreslå ändring", "Rapportera fel"]
            line = default_catalogue.line_of(section, identity)
            assert links[0]["href"] == f"https://github.com/{REPOSITORY}/edit/main/data/insatser.yaml#L{line}"
            assert links[1]["href"].startswith(f"https://github.com/{REPOSITORY}/issues/new?template=andrade-uppgifter.yml&id={identity}&")
            source_line = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8").splitlines()[line - 1]
            assert source_line.strip() == f"- id: {identity}"


def test_accessibility_statement_is_linked_from_every_page(built_site):
    statement = page(built_site, "tillganglighet").select_one("article").get_text(" ", strip=True)
    for required in ("delvis förenlig", "Kända brister", "Hur vi testat", "2026-11-23", "DIGG"):
        assert required in statement
    assert page(built_site, "tillganglighet").select_one('article a[href="https://www.digg.se/tdosanmalan"]')
    for path in all_pages(built_site):
        footer = page(built_site, str(path.relative_to(built_site))).select_one("footer .md-copyright")
        assert footer is not None and any(a.get_text() == "Tillgänglighetsredogörelse" and a["href"].endswith("tillganglighet/")
                                          for a in footer.find_all("a")), path
