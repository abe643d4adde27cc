"""The printable catalogue as PDF: a built site's catalogue page printed by headless Chromium.

    python scripts/catalogue_pdf.py --site-dir SITE (--kommun ID | --alla) --out FILE [--today YYYY-MM-DD]
    python scripts/catalogue_pdf.py --site-dir SITE --publicera [--today YYYY-MM-DD]

The page is `katalog/<kommun>/` or `katalog/alla/` of the built site (site/catalogue_print.py), served
from SITE on 127.0.0.1 and printed to A4 with Chromium's own print (through Playwright), with the build
date and "Sida N av M" in every page's footer. Chromium does not number a table of contents, so the
page is printed twice: the first print's named destinations (Chromium writes one for every element an
internal link points at, here each record's heading) say on which page each record starts; those
numbers are written into the table of contents and the page is printed again, and read back once more
to check that nothing moved. `--publicera` writes every PDF that `katalog/` links to, where it links
them (`SITE/katalog/insatsguiden-<kommun>.pdf`), which is what CI does after the build.

The build date comes from the page (the site's own); `--today` is the day of printing, shown on the
title page. Exit 0 when the PDF was written, 1 when it could not be made (no Chromium, no Playwright,
Chromium failed, page numbers that would not settle, a file that cannot be written), 2 for usage
errors: arguments, a site folder that is missing or has no catalogue, an unknown kommun.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..site.catalogue_print import ALL, FOLDER, PAGE, PDF, ROOT_MARK
from .browser import CHROMIUM, CHROMIUM_ARGS, serve_directory
from .cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, SwedishParser, parse_today

MAX_PASSES = 4          # prints; the second normally settles it, the rest only if a number's width moved a line
PLACEHOLDER = "888"     # as wide as the page numbers of a catalogue under a thousand pages, in tabular digits
MARGIN = {"top": "16mm", "bottom": "20mm", "left": "16mm", "right": "16mm"}
INSTALL_HINT = ("Installera testberoendena, som Playwright och pypdf hör till: "
                "bash scripts/setup.sh requirements-dev.txt")
CHROMIUM_HINT = ("Installera Chromium med sudo apt-get install chromium (Debian och Ubuntu; bash scripts/test.sh gör "
                 "det), eller ange en annan Chromium eller Chrome i miljövariabeln CHROMIUM_PATH.")
_LINKED = re.compile(r'data-ig-pdf="([^"]+)"')


class CatalogueError(Exception):
    """A problem to report in Swedish, with the exit code it means."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS):
        super().__init__(message)
        self.code = code


@dataclass
class Printed:
    key: str
    pdf: bytes
    pages: int
    passes: int
    seconds: float
    record_pages: dict[str, int]   # record id -> the page its heading is on (1-based, as in the footer)


def linked_catalogues(site_dir: Path) -> list[str]:
    """The catalogues `katalog/` links a PDF for (their keys: kommun ids and ALL), in the page's order."""
    index = site_dir / FOLDER / "index.html"
    if not site_dir.is_dir():
        raise CatalogueError(f"{site_dir}: mappen finns inte. Bygg webbplatsen först, t.ex. med "
                             f".venv/bin/mkdocs build --site-dir {site_dir}.", EXIT_USAGE)
    if not index.is_file():
        raise CatalogueError(f"{site_dir}: webbplatsen har ingen katalog ({FOLDER}/index.html saknas). Är det en "
                             "byggd Insatsguiden? Bygg den med den här versionen av paketet.", EXIT_USAGE)
    keys = list(dict.fromkeys(_LINKED.findall(index.read_text(encoding="utf-8"))))
    if not keys:
        raise CatalogueError(f"{index}: sidan länkar inga PDF-filer.", EXIT_USAGE)
    return keys


def check_scope(site_dir: Path, key: str, known: list[str]) -> None:
    page = site_dir / PAGE.format(key) / "index.html"
    if key not in known or not page.is_file():
        others = ", ".join(k for k in known if k != ALL)
        raise CatalogueError(f"kommunen '{key}' har ingen katalog på webbplatsen. Välj en av: {others} "
                             "(eller --alla för hela katalogen).", EXIT_USAGE)


def footer(scope_name: str, build_date: str) -> str:
    """Chromium's footer: the catalogue and build date on the left, the page number on the right."""
    return ('<div style="font-size:8pt;width:100%;margin:0 16mm;display:flex;justify-content:space-between;'
            'font-family:system-ui,sans-serif;color:#333">'
            f'<span>Insatsguiden – {html.escape(scope_name)} – byggdatum {html.escape(build_date)}</span>'
            '<span>Sida <span class="pageNumber"></span> av <span class="totalPages"></span></span></div>')


def _page_numbers(pdf: bytes, ids: list[str]) -> tuple[int, dict[str, int]]:
    """Page count and, per record id, the 1-based page of its named destination."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = {}
    for name, destination in reader.named_destinations.items():
        found[str(name).lstrip("/")] = reader.get_destination_page_number(destination) + 1
    missing = [identity for identity in ids if identity not in found]
    if missing:
        raise CatalogueError(f"Chromium skrev inget hopp till {', '.join(missing[:5])} i PDF-filen; "
                             "innehållsförteckningen kan inte numreras.")
    return len(reader.pages), {identity: found[identity] for identity in ids}


_READ_PAGE = """() => {
  const root = document.querySelector('.%s');
  if (!root) return null;
  return {date: root.dataset.igByggdatum, name: root.dataset.igOmfang,
          ids: Array.from(document.querySelectorAll('[data-ig-sida]'), e => e.dataset.igSida)};
}""" % ROOT_MARK

_FILL = """([numbers, printed]) => {
  for (const slot of document.querySelectorAll('[data-ig-sida]')) slot.textContent = numbers[slot.dataset.igSida];
  for (const slot of document.querySelectorAll('[data-ig-utskriven]')) slot.textContent = printed;
}"""


def print_catalogue(browser, base_url: str, key: str, today: dt.date) -> Printed:
    """Print one catalogue page to PDF with its table of contents numbered."""
    started = time.perf_counter()
    # The site's policy allows only its own scripts; these evaluations come from the tool, not the page.
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    try:
        tab = context.new_page()
        response = tab.goto(base_url + PAGE.format(key), wait_until="load")
        if response is None or response.status != 200:
            raise CatalogueError(f"{PAGE.format(key)}: servern svarade {response.status if response else 'inte'}.")
        info = tab.evaluate(_READ_PAGE)
        if not info:
            raise CatalogueError(f"{PAGE.format(key)} är ingen katalogsida (class {ROOT_MARK} saknas).", EXIT_USAGE)
        if info["date"] and dt.date.fromisoformat(info["date"]) > today:
            raise CatalogueError(f"utskriftsdatumet {today.isoformat()} ligger före webbplatsens byggdatum "
                                 f"{info['date']}. Ange ett senare --today.", EXIT_USAGE)
        ids = info["ids"]
        numbers = {identity: PLACEHOLDER for identity in ids}
        options = dict(format="A4", print_background=True, display_header_footer=True, tagged=True, outline=True,
                       header_template="<span></span>", footer_template=footer(info["name"], info["date"]),
                       margin=MARGIN)
        for passes in range(1, MAX_PASSES + 1):
            tab.evaluate(_FILL, [numbers, today.isoformat()])
            pdf = tab.pdf(**options)
            count, found = _page_numbers(pdf, ids)
            settled = {identity: str(page) for identity, page in found.items()}
            if settled == numbers:
                return Printed(key, pdf, count, passes, time.perf_counter() - started, found)
            numbers = settled
        raise CatalogueError(f"{PAGE.format(key)}: innehållsförteckningens sidnummer stämde inte efter "
                             f"{MAX_PASSES} utskrifter.")
    finally:
        context.close()


def make_pdfs(site_dir: Path, jobs: list[tuple[str, Path]], today: dt.date, report=print) -> list[Printed]:
    """Serve the site, start Chromium once, and print each (catalogue key, output file)."""
    try:
        from playwright.sync_api import Error as PlaywrightError, sync_playwright
        import pypdf  # noqa: F401 (read back in _page_numbers)
    except ImportError as error:
        raise CatalogueError(f"{error.name} är inte installerat. {INSTALL_HINT}") from None
    if not Path(CHROMIUM).is_file():
        raise CatalogueError(f"Chromium finns inte på {CHROMIUM}. {CHROMIUM_HINT}")
    base_url, server = serve_directory(site_dir)
    done = []
    try:
        with sync_playwright() as driver:
            try:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            except PlaywrightError as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else "okänt fel"
                raise CatalogueError(f"Chromium ({CHROMIUM}) gick inte att starta: {first}. {CHROMIUM_HINT}") from None
            try:
                for key, out in jobs:
                    printed = print_catalogue(browser, base_url, key, today)
                    try:
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(printed.pdf)
                    except OSError as error:
                        raise CatalogueError(f"{out}: filen gick inte att skriva ({error.strerror}).") from None
                    report(f"{out}: {printed.pages} sidor, {len(printed.pdf) / 1024:.0f} KB, "
                           f"{printed.seconds:.1f} s ({printed.passes} utskrifter).")
                    done.append(printed)
            finally:
                browser.close()
    finally:
        server.shutdown()
    return done


def main(argv: list[str], default_today: dt.date) -> int:
    parser = SwedishParser(prog="catalogue_pdf.py",
                           description="Skriver ut katalogen över insatser som PDF från en byggd webbplats.")
    parser.add_argument("--site-dir", required=True, type=Path, help="den byggda webbplatsen (t.ex. site)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--kommun", metavar="ID", help="insatserna i en kommun (kommunens id, t.ex. ludvika)")
    which.add_argument("--alla", action="store_true", help="alla insatser i guiden")
    which.add_argument("--publicera", action="store_true",
                       help=f"alla kataloger som {FOLDER}/ länkar, skrivna där sidan länkar dem (för CI)")
    parser.add_argument("--out", type=Path, help="PDF-filen att skriva (med --kommun eller --alla)")
    parser.add_argument("--today", type=parse_today, default=None,
                        help="utskriftsdatum ÅÅÅÅ-MM-DD (standard: idag)")
    args = parser.parse_args(argv)
    if args.publicera and args.out:
        parser.error("--out går inte att kombinera med --publicera (filerna skrivs där sidan länkar dem)")
    if not args.publicera and not args.out:
        parser.error("--out behövs med --kommun och --alla")
    today = args.today or default_today
    try:
        known = linked_catalogues(args.site_dir)
        if args.publicera:
            jobs = [(key, args.site_dir / PDF.format(key)) for key in known]
        else:
            key = ALL if args.alla else args.kommun
            check_scope(args.site_dir, key, known)
            jobs = [(key, args.out)]
        make_pdfs(args.site_dir, jobs, today)
    except CatalogueError as error:
        print(f"catalogue_pdf.py: {error}", file=sys.stderr)
        return error.code
    return EXIT_OK
