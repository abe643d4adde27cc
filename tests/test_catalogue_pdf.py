"""The printable catalogue: the HTML print pages of the built site, and the PDF that scripts/catalogue_pdf.py
prints from them with Chromium, read back with pypdf (text per page, named destinations, links)."""
import io
import re
import shutil
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, TODAY, build_site, run_script
from insatsguiden.site.catalogue_print import ALL, groups, scopes
from insatsguiden.site.render import Site

SCRIPT = "scripts/catalogue_pdf.py"
PRINTED = "2026-11-24"          # --today: the day of printing, after the build date TODAY
BUILT = TODAY.isoformat()
HOSTILE_INSATS = 'EVI "Ludvika" & co < 25 år'
HOSTILE_KOMMUN = "Ludvika & 'Grangärde' <3"


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def print_pdf(site: Path, out: Path, *scope: str) -> tuple[list[str], float]:
    started = time.perf_counter()
    completed = run_script(SCRIPT, "--site-dir", str(site), *scope, "--out", str(out), "--today", PRINTED, timeout=180)
    assert completed.returncode == 0, completed.stderr
    assert f"{out}: " in completed.stdout and " sidor, " in completed.stdout
    return pdf_pages(out), time.perf_counter() - started


def members(catalogue, key: str) -> list[dict]:
    scope = next(s for s in scopes(catalogue) if s.key == key)
    return [insats for _, found in groups(catalogue, scope) for insats in found]


@pytest.fixture(scope="module")
def ludvika_pdf(built_site, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "ludvika.pdf"
    pages, seconds = print_pdf(built_site, out, "--kommun", "ludvika")
    print(f"\nLudvika: {len(pages)} sidor, {out.stat().st_size / 1024:.0f} KB, {seconds:.1f} s")
    return out, pages


def toc_numbers(pages: list[str], names: list[str]) -> dict[str, int]:
    """Name -> the page number the table of contents gives it, `names` in the contents' order (the contents
    follow the title page; each entry is searched after the one before, so a name inside another is no match)."""
    toc_text = " ".join(pages[1:]).split("Innehåll", 1)[1]
    found, position = {}, 0
    for name in names:
        match = re.compile(r"(?:^| )" + re.escape(flat(name)) + r" (\d+)\b").search(toc_text, position)
        assert match, f"{name} saknas i innehållsförteckningen"
        found[name], position = int(match.group(1)), match.end()
    return found


# --- the HTML print pages -----------------------------------------------------------------------------

def test_every_catalogue_has_a_print_page_and_the_index_lists_them(built_site, default_catalogue):
    index = BeautifulSoup((built_site / "katalog" / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = index.select_one("article")
    expected = [ALL] + sorted(default_catalogue.kommuner, key=lambda k: default_catalogue.kommuner[k]["namn"])
    assert [a["data-ig-pdf"] for a in article.select("a[data-ig-pdf]")] == expected
    for key in expected:
        assert article.select_one(f'a[href="{key}/"]') and article.select_one(f'a[href="insatsguiden-{key}.pdf"]')
        page = BeautifulSoup((built_site / "katalog" / key / "index.html").read_text(encoding="utf-8"), "html.parser")
        root = page.select_one(".ig-katalog")
        assert root["data-ig-byggdatum"] == BUILT and root["data-pagefind-ignore"] == "all"
        assert [a["href"] for a in page.select(".ig-katalog-toc a")] == [f"#{i['id']}" for i in members(default_catalogue, key)]
        # The PDF is made in CI: the page says so where it links it.
        assert "skapas när webbplatsen byggs i CI" in page.select_one(".ig-katalog-skarm").get_text(" ")
    assert "GitHub Actions (CI)" in article.get_text(" ")
    start = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert start.select_one('article a[href="katalog/"]')


def test_a_kommun_catalogue_holds_exactly_the_insatser_that_serve_it(default_catalogue):
    ludvika = {i["id"] for i in members(default_catalogue, "ludvika")}
    expected = {i["id"] for i in default_catalogue.insatser.values()
                if not i["malgrupp"].get("kommuner") or "ludvika" in i["malgrupp"]["kommuner"]}
    assert ludvika == expected and "samordningsteamet-vasteras" not in ludvika
    assert len(members(default_catalogue, ALL)) == len(default_catalogue.insatser)


def test_record_blocks_are_rendered_once_per_build(default_catalogue):
    from insatsguiden.site.catalogue_print import record_html

    site = Site.build(default_catalogue, TODAY)
    insats = default_catalogue.insatser["evi-ludvika"]
    assert record_html(site, insats) is record_html(site, insats)
    assert 'href="' not in str(record_html(site, insats)).replace('href="#', "")  # no link to another page


# --- the PDF --------------------------------------------------------------------------------------------

def test_kommun_pdf_has_title_page_contents_and_a_page_per_record(ludvika_pdf, default_catalogue):
    out, pages = ludvika_pdf
    records = members(default_catalogue, "ludvika")
    assert len(pages) > len(records) + 1
    title = pages[0]
    assert "Insatser i Ludvika" in title and f"Byggdatum {BUILT}" in title and f"Utskriven {PRINTED}" in title
    assert f"Antal insatser {len(records)}" in title
    assert "Västerbergslagens samordningsförbund – Finsam" in title
    numbers = toc_numbers(pages, [i["namn"] for i in records])
    for insats in records:
        page = numbers[insats["namn"]]
        assert pages[page - 1].startswith(flat(insats["namn"])), (insats["id"], page, pages[page - 1][:80])
    assert list(numbers.values()) == sorted(numbers.values())
    text = " ".join(pages)
    assert "Samordningsteamet Västerås" not in text


def test_toc_numbers_are_the_pages_of_the_headings_named_destinations(ludvika_pdf, default_catalogue):
    out, pages = ludvika_pdf
    reader = PdfReader(out)
    destinations = {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    numbers = toc_numbers(pages, [i["namn"] for i in members(default_catalogue, "ludvika")])
    for insats in members(default_catalogue, "ludvika"):
        assert destinations[insats["id"]] == numbers[insats["namn"]]


def test_every_page_has_its_number_and_the_build_date_in_the_footer(ludvika_pdf):
    _, pages = ludvika_pdf
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Sida {number} av {len(pages)}"), text[-120:]
        assert f"Insatsguiden – Ludvika – byggdatum {BUILT}" in text


def test_each_record_shows_its_review_status_as_the_site_computes_it(ludvika_pdf, default_catalogue):
    out, pages = ludvika_pdf
    site = Site.build(default_catalogue, TODAY)
    numbers = toc_numbers(pages, [i["namn"] for i in members(default_catalogue, "ludvika")])
    states = set()
    for insats in members(default_catalogue, "ludvika"):
        review = site.findings_for("insatser", insats["id"], "granskning")
        state = review[0].state if review else "ok"
        word = {"forsenad": "Försenad", "snart": "Granskad, snart dags igen", "ok": "Granskad"}[state]
        page = pages[numbers[insats["namn"]] - 1]
        assert f"Granskningsläge: {word}. Senast granskad {insats['senast_granskad']['datum']}" in page, insats["id"]
        states.add(state)
    assert "forsenad" in states  # the default data has overdue reviews; the test would not see a wrong word otherwise
    text = " ".join(pages)
    assert "Ej verifierad" in text and "Intag obekräftat" in text


def test_the_pdf_links_only_inside_itself(ludvika_pdf, default_catalogue):
    """The contents link to each record; nothing links to the local server that printed the page."""
    out, _ = ludvika_pdf
    internal = []
    for page in PdfReader(out).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action else None
            assert uri is None or not str(uri).startswith(("http://127.0.0.1", "http://localhost")), uri
            if "/Dest" in annotation:
                internal.append(str(annotation["/Dest"]).lstrip("/"))
    assert internal == [i["id"] for i in members(default_catalogue, "ludvika")]


def test_whole_catalogue_pdf(built_site, default_catalogue, tmp_path):
    out = tmp_path / "alla.pdf"
    pages, seconds = print_pdf(built_site, out, "--alla")
    records = members(default_catalogue, ALL)
    numbers = toc_numbers(pages, [i["namn"] for i in records])
    assert len(numbers) == len(default_catalogue.insatser)
    for insats in records:
        assert pages[numbers[insats["namn"]] - 1].startswith(flat(insats["namn"]))
    assert "Alla insatser" in pages[0] and f"Sida {len(pages)} av {len(pages)}" in pages[-1]
    print(f"\nAlla: {len(pages)} sidor, {out.stat().st_size / 1024:.0f} KB, {seconds:.1f} s")


def test_hostile_but_valid_names_come_out_as_text(tmp_path):
    text = (ROOT / "data" / "insatser.yaml").read_text(encoding="utf-8")
    text = text.replace("    namn: EVI Ludvika (En Väg In)\n", f"    namn: '{HOSTILE_INSATS}'\n", 1)
    text = text.replace("    namn: Ludvika\n", f"    namn: \"{HOSTILE_KOMMUN}\"\n", 1)
    data = tmp_path / "insatser.yaml"
    data.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    build_site(data, site)
    out = tmp_path / "ludvika.pdf"
    pages, _ = print_pdf(site, out, "--kommun", "ludvika")
    assert f"Insatser i {HOSTILE_KOMMUN}" in pages[0]
    assert all(f"Insatsguiden – {HOSTILE_KOMMUN} – byggdatum" in page for page in pages)
    numbers = toc_numbers(pages, [HOSTILE_INSATS])
    assert pages[numbers[HOSTILE_INSATS] - 1].startswith(HOSTILE_INSATS)
    assert "&amp;" not in " ".join(pages) and "&lt;" not in " ".join(pages) and "&quot;" not in " ".join(pages)


def test_publish_writes_every_pdf_the_site_links(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    started = time.perf_counter()
    completed = run_script(SCRIPT, "--site-dir", str(site), "--publicera", "--today", PRINTED, timeout=300)
    assert completed.returncode == 0, completed.stderr
    index = BeautifulSoup((site / "katalog" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in index.select("article a[data-ig-pdf]")]
    for html in [site / "katalog" / "index.html", *(site / "katalog").glob("*/index.html")]:
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for anchor in page.select('article a[type="application/pdf"]'):
            target = (html.parent / anchor["href"]).resolve()
            assert target.is_file() and target.read_bytes()[:5] == b"%PDF-", (html, anchor["href"])
    produced = sorted(p.name for p in (site / "katalog").glob("*.pdf"))
    assert produced == sorted(links) and len(produced) == 4
    sizes = {p.name: (len(PdfReader(p).pages), p.stat().st_size // 1024) for p in (site / "katalog").glob("*.pdf")}
    print(f"\n{sizes} på {time.perf_counter() - started:.1f} s\n{completed.stdout}")


# --- errors: Swedish, no traceback, the documented exit codes ---------------------------------------------

@pytest.mark.parametrize("arguments, code, words", [
    (["--site-dir", "finns-inte", "--alla", "--out", "x.pdf"], 2, "mappen finns inte"),
    (["--site-dir", "docs", "--alla", "--out", "x.pdf"], 2, "har ingen katalog"),
    (["--site-dir", "site", "--alla"], 2, "--out behövs"),
    (["--site-dir", "site", "--publicera", "--out", "x.pdf"], 2, "går inte att kombinera"),
    (["--site-dir", "site", "--kommun", "ludvika", "--alla", "--out", "x.pdf"], 2, "går inte att kombinera"),
    (["--site-dir", "site", "--alla", "--out", "x.pdf", "--today", "2026-02-30"], 2, "finns inte i kalendern"),
])
def test_usage_errors(arguments, code, words):
    completed = run_script(SCRIPT, *arguments)
    assert completed.returncode == code, completed.stderr
    assert words in completed.stderr and "Traceback" not in completed.stderr


def test_unknown_kommun_lists_the_kommuner(built_site, tmp_path):
    completed = run_script(SCRIPT, "--site-dir", str(built_site), "--kommun", "kiruna", "--out", str(tmp_path / "k.pdf"))
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert "'kiruna' har ingen katalog" in completed.stderr and "ludvika, smedjebacken, vasteras" in completed.stderr
    assert not (tmp_path / "k.pdf").exists()


def test_missing_chromium_says_how_to_install_it(built_site, tmp_path):
    completed = run_script(SCRIPT, "--site-dir", str(built_site), "--alla", "--out", str(tmp_path / "a.pdf"),
                           env={"CHROMIUM_PATH": str(tmp_path / "ingen-chromium")})
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert "Chromium finns inte" in completed.stderr and "apt-get install chromium" in completed.stderr


def test_printing_before_the_build_date_is_refused(built_site, tmp_path):
    completed = run_script(SCRIPT, "--site-dir", str(built_site), "--alla", "--out", str(tmp_path / "a.pdf"),
                           "--today", "2026-11-01", timeout=120)
    assert completed.returncode == 2 and "före webbplatsens byggdatum" in completed.stderr
    assert not (tmp_path / "a.pdf").exists()
