"""The printable catalogue: one HTML print page per kommun and one for every insats, and their PDF addresses.

`katalog/` lists the catalogues; `katalog/<kommun>/` holds every insats that serves
the kommun (no kommun limit, or naming it) and `katalog/alla/` every insats of the
catalogue. Each page is a title page, a table of contents and one record per printed
page, and can be printed from the browser as it is. `tools/catalogue_pdf.py` prints the
same page with headless Chromium into `katalog/insatsguiden-<kommun>.pdf` (or
`…-alla.pdf`), filling in the table of contents' page numbers (the page has an empty
slot for each, `data-ig-sida`) from a first print. The PDFs are made in CI after the
build; a plain `mkdocs build` or `mkdocs serve` has the HTML pages only, and the pages
say so.

Every catalogue page shows the same records, so each record's HTML is rendered once per
build (`record_html`) and joined into every page that lists it. Record blocks link only
inside the page (the table of contents) or to addresses from the data (https, mailto,
tel): a printed link to the local server that made the PDF would lead nowhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup

from ..model.catalogue import Catalogue

FOLDER = "katalog"
ALL = "alla"                        # katalog/alla/: a reserved id, so no kommun can take it
PAGE = FOLDER + "/{}/"
PDF = FOLDER + "/insatsguiden-{}.pdf"
ROOT_MARK = "ig-katalog"            # the class of a catalogue page's wrapper, which the PDF tool looks for


@dataclass(frozen=True)
class Scope:
    key: str                        # the kommun's id, or ALL
    name: str                       # "Ludvika", or "Alla kommuner"
    kommun: dict | None             # None: the whole catalogue

    @property
    def url(self) -> str:
        return PAGE.format(self.key)

    @property
    def pdf(self) -> str:
        return PDF.format(self.key)


def scopes(catalogue: Catalogue) -> list[Scope]:
    """The whole catalogue first, then each kommun by name."""
    kommuner = sorted(catalogue.kommuner.values(), key=lambda k: (k["namn"].lower(), k["id"]))
    return [Scope(ALL, "Alla kommuner", None)] + [Scope(k["id"], k["namn"], k) for k in kommuner]


def serves(insats: dict, scope: Scope) -> bool:
    limit = insats["malgrupp"].get("kommuner")
    return scope.kommun is None or not limit or scope.kommun["id"] in limit


def groups(catalogue: Catalogue, scope: Scope) -> list[tuple[str, list[dict]]]:
    """(kind, insatser) in the site's order of kinds, by name within a kind; empty kinds left out."""
    found = [(kind, [i for i in members if serves(i, scope)]) for kind, members in catalogue.grouped_by_kind()]
    return [(kind, members) for kind, members in found if members]


def federations(catalogue: Catalogue, scope: Scope) -> list[dict]:
    """The samordningsförbund the scope's kommuner belong to, each once, by name."""
    kommuner = [scope.kommun] if scope.kommun else list(catalogue.kommuner.values())
    ids = {k.get("samordningsforbund") for k in kommuner} - {None}
    found = [catalogue.organisationer[i] for i in ids if i in catalogue.organisationer]
    return sorted(found, key=lambda o: o["namn"].lower())


def publisher(catalogue: Catalogue) -> dict | None:
    """The organisation that publishes the guide (webbplats.utgivare), when the data names one."""
    return catalogue.organisationer.get(catalogue.site.get("utgivare"))


def record_html(site: Any, insats: dict) -> Markup:
    """One insats as the catalogue prints it, rendered once per build and shared by every catalogue page."""
    from .render import environment

    cache = site.__dict__.setdefault("_catalogue_records", {})
    if insats["id"] not in cache:
        template = environment().get_template("_katalog_post.html")
        cache[insats["id"]] = Markup(template.render(c=site.catalogue, site=site, insats=insats))
    return cache[insats["id"]]


def pages(catalogue: Catalogue, make_page: Callable[..., Any]) -> list[Any]:
    """The catalogue pages, made with render._page (passed in: render imports this module)."""
    every = scopes(catalogue)
    made = [make_page(FOLDER + "/index.md", "Katalog för utskrift", "katalog_index.html", scopes=every,
                      groups=lambda scope: groups(catalogue, scope))]
    for scope in every:
        title = "Alla insatser" if scope.kommun is None else f"Insatser i {scope.name}"
        made.append(make_page(scope.url + "index.md", f"Katalog: {title}", "katalog.html", scope=scope,
                              heading=title, kinds=groups(catalogue, scope),
                              federations=federations(catalogue, scope), publisher=publisher(catalogue),
                              record_html=record_html))
    return made
