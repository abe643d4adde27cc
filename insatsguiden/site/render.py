"""The site as a list of pages rendered to HTML, independent of any site generator.

`site_pages()` says which pages exist and where; `render_page()` turns one
into HTML and its table of contents. The MkDocs hook only wires these into
MkDocs' files and pages, so another renderer could use them unchanged.
"""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

import datetime as dt

from ..model.catalogue import ORDINARY_KIND, REFERABLE_KINDS, Catalogue
from ..model.loader import PosDict
from ..model.conditions import (FOLDABLE_KINDS, MULTI_KINDS, NUMBER_KINDS, NUMBER_RANGE, YES_NO_KINDS, QuestionIndex,
                                conditions_of, options, question_by_kind, rule_text)
from ..domain.freshness import (KIND_LABELS, OK, OVERDUE, PHRASES, SOON, Finding, browser_rules, by_record, duration, evaluate, message,
                                phrases_for, sentence, settings_of)
from ..domain.guide import evaluate as evaluate_guide, guide_data, guide_form_data
from ..domain.review_report import as_json
from ..domain.routing_cases import CaseOutcome, run_cases
from ..model.schema import labels, vocabulary
from . import charts
from .textformat import render_inline, render_markdown

TEMPLATES = jinja2.FileSystemLoader(str(__import__("pathlib").Path(__file__).parent / "templates"))
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
URL_PATTERNS = {
    "insats": "insatser/{}/",
    "organisation": "organisationer/{}/",
    "overenskommelse": "overenskommelser/{}/",
    "behov": "behov/{}/",
    "innan": "insatser/{}/innan-du-remitterar/",
    "beslut": "beslut/{}/",
}
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


# Pages whose whole article is data-pagefind-ignore="all" (copies and lists of other pages): Pagefind
# finds nothing to index in them, so the build does not send them (tests/test_build_parallel.py
# compares the index with Pagefind's command line on every built page).
NOT_INDEXED = frozenset({"beslut.html", "granskning_ansvarig.html", "innan_du_remitterar.html", "katalog.html"})


@dataclass
class Page:
    src_uri: str          # where the page pretends to live in docs/, e.g. insatser/evi-ludvika.md
    url: str              # its address on the site, e.g. insatser/evi-ludvika/
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def indexed(self) -> bool:
        """Whether the search index has anything from this page."""
        return self.template not in NOT_INDEXED


# What RFC 3986 allows in a URI (ASCII only; no space, quote, angle bracket or control character).
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def published_site_url(value: object) -> str | None:
    """`site_url` from mkdocs.yml when it is a public https address (ending in '/'), else None.

    `mkdocs serve` replaces site_url with its own http://127.0.0.1 address, which no subscriber can reach:
    only https is taken, and never an address with a user, password, query or fragment."""
    address = value.strip() if isinstance(value, str) else ""
    if not _URI_CHARACTERS.fullmatch(address):
        return None
    parts = urlsplit(address)
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc or "?" in address or "#" in address:
        return None
    return address.rstrip("/") + "/"


@dataclass
class Site:
    """Everything a page may show: the catalogue and the review findings on the build date."""
    catalogue: Catalogue
    today: dt.date
    findings: list[Finding]
    warn_days: int
    repository: str | None = None   # GitHub owner/name for "Föreslå ändring" and "Rapportera fel"
    # The data file's changes, newest first (tools/history.py), or None when the build has no git history.
    history: list | None = None
    # Where the site is published (https://…/, see published_site_url); calendars then carry absolute links.
    site_url: str | None = None
    data_digest: str | None = None  # SHA-256 of the data file's bytes, when read from a file

    @classmethod
    def build(cls, catalogue: Catalogue, today: dt.date, repository: str | None = None,
              history: list | None = None) -> "Site":
        warn_days = settings_of(catalogue)["varning_dagar"]
        return cls(catalogue, today, evaluate(catalogue, today, warn_days), warn_days, repository, history)

    def edit_url(self, section: str, record_id: str) -> str:
        return (f"https://github.com/{self.repository}/edit/main/data/insatser.yaml"
                f"#L{self.catalogue.line_of(section, record_id)}")

    def report_url(self, record_id: str) -> str:
        return (f"https://github.com/{self.repository}/issues/new?template=andrade-uppgifter.yml"
                f"&id={quote(record_id)}&title={quote('Ändrade uppgifter: ' + record_id)}")

    def __post_init__(self) -> None:
        self._by_record = by_record(self.findings)
        self.unconfirmed_intake = {f.record_id for f in self.findings if f.kind == "intag" and f.state == OVERDUE}

    def findings_for(self, section: str, record_id: str, kind: str | None = None) -> list[Finding]:
        return [f for f in self._by_record.get((section, record_id), []) if kind is None or f.kind == kind]

    @cached_property
    def guide(self) -> dict:
        """The guide's exported entries, computed once per build."""
        return guide_data(self.catalogue, self.findings, self.today)


    @cached_property
    def questions(self) -> QuestionIndex:
        """The guide's questions, looked up once per build."""
        return QuestionIndex(self.catalogue.data)

    @cached_property
    def routing_cases(self) -> list[tuple[dict, CaseOutcome]]:
        """The guide's test cases with what the guide shows for each, for "Så resonerar guiden"."""
        cases = (self.catalogue.data.get("vagvisare") or {}).get("testfall") or []
        return list(zip(cases, run_cases(self.catalogue, self.findings, self.today)))

    def intake(self, insats: dict) -> Finding | None:
        found = self.findings_for("insatser", insats["id"], "intag")
        return found[0] if found else None


@dataclass
class RenderedPage:
    html: str
    toc: list[dict]       # [{level, id, name, children}] as Markdown's toc extension makes them


def url(kind: str, identity: str) -> str:
    return URL_PATTERNS[kind].format(identity)


@lru_cache(maxsize=65536)
def relative(from_url: str, to_url: str) -> str:
    """Relative link between two directory-style site addresses (as posixpath.relpath, without its
    filesystem normalisation: a page links to hundreds of others, thousands of pages are rendered)."""
    base = [part for part in from_url.split("/") if part]
    target = [part for part in to_url.split("/") if part]
    common = 0
    for mine, theirs in zip(base, target):
        if mine != theirs:
            break
        common += 1
    link = "/".join([".."] * (len(base) - common) + target[common:]) or "."
    if to_url.endswith("/") or not to_url:
        link = link + "/" if link != "." else "./"
    return link


class _Environment(jinja2.Environment):
    """Jinja's environment, with `record.field` on a mapping of the data looked up as the key first.

    Jinja tries an attribute before an item, so every `insats.namn` raised and caught an AttributeError;
    with thousands of pages that was seconds of a build. A plain dict has no other attributes than
    dict's own, so the result is the same: names of dict's methods (`.values()`) still reach the method.
    The loader's PosDict adds only its positions (`start`, `key_pos`, `value_pos`), which no template
    reads: a record's own key of that name wins, as it should (`period.start`)."""

    _DICT_ATTRIBUTES = frozenset(dir(dict))
    _MAPPINGS = frozenset({dict, PosDict})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in self._MAPPINGS and attribute not in self._DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = _Environment(loader=TEMPLATES, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = render_markdown
    env.filters["mdi"] = render_inline
    env.globals.update(
        url=url,
        duration=duration,
        review_message=message,
        review_sentence=sentence,
        phrases=PHRASES,
        phrases_for=phrases_for,
        kind_labels=KIND_LABELS,
        OK=OK, SOON=SOON, OVERDUE=OVERDUE,
        label=lambda vocab, value: labels(vocab).get(value, value),
        vocab=vocabulary,
        month=lambda number: MONTHS[number - 1],
        indicator_chart=charts.chart,
    )
    return env


def _page(src_uri: str, title: str, template: str, **context: Any) -> Page:
    stem = src_uri[:-3]
    address = stem[: -len("index")] if stem.endswith("index") else stem + "/"
    return Page(src_uri=src_uri, url=address, title=title, template=template, context=context)


REASONING_PAGE = "sa-resonerar-guiden"          # under vagvisare/, beside the kommun pages
BEFORE_REFERRAL_PAGE = "innan-du-remitterar"    # under insatser/<id>/


def has_referral_checklist(insats: dict) -> bool:
    """A coordinated measure or project one can refer to gets a printable checklist page."""
    return insats["typ"] in REFERABLE_KINDS and insats["typ"] != ORDINARY_KIND


def guide_conditions(catalogue: Catalogue, insats: dict, index: QuestionIndex) -> list[dict[str, Any]]:
    """A measure's conditions as the guide evaluates them (own and from malgrupp), ready for a table."""
    rows = []
    for condition in conditions_of(catalogue.data, insats, index):
        question = index.asked.get(condition["fraga"])
        if question is None:
            continue
        value_labels = index.labels(condition["fraga"])
        kind = "Krav" if condition["typ"] == "krav" else "Utesluter"
        rows.append({
            "question": question, "condition": condition,
            "rule": f"{kind}: {rule_text(condition, value_labels)}",
            "unknown": "Stäm av först" if condition["om_okant"] == "stam_av" else "Fråga",
            "why_not": condition["varfor_inte"], "turn_to": list(condition.get("hanvisa_till") or []),
            "source": catalogue.source_citation(condition["kalla"]) if condition.get("kalla") else "",
            "derived": bool(condition.get("harledd")),
        })
    return rows


def guide_answers(catalogue: Catalogue, **by_kind: Any) -> dict[str, Any]:
    """Answers keyed by the id of the question of each kind (kommun=..., behov=[...])."""
    ids = {kind: question["id"] for kind, question in question_by_kind(catalogue.data).items()}
    return {ids[kind]: value for kind, value in by_kind.items() if kind in ids}


def question_form(question: dict) -> dict[str, Any]:
    """How the guide's form asks a question: its widget, whether it may fold away, its number range."""
    kind = question["matchar"]
    widget = ("checkbox" if kind in MULTI_KINDS else "radio" if kind in YES_NO_KINDS
              else "number" if kind in NUMBER_KINDS else "select")
    return {"widget": widget, "foldable": kind in FOLDABLE_KINDS, "min": NUMBER_RANGE[0], "max": NUMBER_RANGE[1]}


def question_options(catalogue: Catalogue, question: dict) -> list[tuple[str, str]]:
    """(value, text) for a guide question: its own answers, or every value of its kind."""
    return options(catalogue.data, question) or []


def safe_json(value: Any) -> Markup:
    """JSON that is safe inside <script type="application/json"> (no '<', '>' or '&' as such)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def guide_json(site: "Site") -> Markup:
    """The guide's data for the page: the questions; the measures come per kommun from the API."""
    return safe_json(guide_form_data(site.guide))


@lru_cache(maxsize=None)
def _review_rules_script() -> str:
    return f'\n<script type="application/json" id="ig-granskning-regler">{safe_json(browser_rules())}</script>'


def review_rules_block(html: str) -> str:
    """The rules assets/granskning.js rechecks review dates with, for a page that has something to recheck."""
    return _review_rules_script() if 'data-ig-due="' in html else ""


def _overview_pages(catalogue: Catalogue) -> list[Page]:
    """The full list of insatser split into pages (by kind, by kommun), and Granskning per responsible."""
    from . import overview

    by_kind, by_kommun = overview.lists_by_kind(catalogue, vocabulary("insatstyp")), overview.lists_by_kommun(catalogue)
    pages = [_page("insatser/index.md", "Alla insatser", "insatser_index.html", by_kind=by_kind, by_kommun=by_kommun,
                   intake=overview.IntakeExport())]
    for parts in by_kind + by_kommun:
        for part in parts:
            title = part.heading if part.pages == 1 else f"{part.heading}, sida {part.number} av {part.pages}"
            pages.append(_page(overview.page_src_uri(part.url), f"Insatser: {title}", "insatser_sida.html", part=part))
    reviews, per_responsible = overview.review_pages(catalogue)
    pages.append(_page("granskning/index.md", "Granskning", "granskning.html", reviews=reviews))
    # For the steering group: the board's meeting page and the decisions (issue 13).
    pages.append(_page("laget/index.md", "Läget", "laget.html", reviews=reviews, owners=overview.OwnerIndex()))
    pages.append(_page("beslut/index.md", "Beslut", "beslut_index.html"))
    pages += [_page(f"beslut/{d['id']}.md", d["fraga"], "beslut.html", decision=d) for d in catalogue.beslut.values()]
    pages += [_page(overview.page_src_uri(address), title, "granskning_ansvarig.html", **context)
              for address, title, context in per_responsible]
    return pages


def site_pages(catalogue: Catalogue) -> list[Page]:
    pages = [
        _page("organisationer/index.md", "Organisationer", "organisationer_index.html"),
        _page("overenskommelser/index.md", "Överenskommelser", "overenskommelser_index.html"),
        _page("behov/index.md", "Behov och luckor", "behov_index.html"),
        _page("tackning/index.md", "Täckning", "tackning.html"),
        _page("kallor/index.md", "Källor", "kallor_index.html"),
        _page("uppfoljning/index.md", "Uppföljning", "uppfoljning.html"),
        _page("andringar/index.md", "Ändringar", "andringar.html"),
        _page("oppna-data/index.md", "Öppna data", "oppna_data.html"),
    ]
    pages += [_page(f"insatser/{i['id']}.md", i["namn"], "insats.html", insats=i) for i in catalogue.insatser.values()]
    pages += [_page(f"organisationer/{o['id']}.md", o["namn"], "organisation.html", organisation=o)
              for o in catalogue.organisationer.values()]
    pages += [_page(f"overenskommelser/{a['id']}.md", a["titel"], "overenskommelse.html", agreement=a)
              for a in catalogue.overenskommelser.values()]
    pages += [_page(f"behov/{b['id']}.md", b["namn"], "behov.html", need=b) for b in catalogue.behov.values()]
    pages.append(_page("sok/index.md", "Sök", "sok.html"))
    # The accessibility statement, from webbplats in the data (its address is in the nav and every footer).
    pages.append(_page("tillganglighet.md", "Tillgänglighetsredogörelse", "tillganglighet.html"))
    from . import catalogue_print  # the printable catalogue; it makes its pages with _page
    pages += catalogue_print.pages(catalogue, _page)
    pages += _overview_pages(catalogue)
    if catalogue.data.get("vagvisare"):
        pages.append(_page("vagvisare/index.md", "Vägvisare", "vagvisare.html"))
        pages += [_page(f"vagvisare/{k['id']}/index.md", f"Vägvisare: {k['namn']}", "vagvisare_kommun.html", kommun=k)
                  for k in catalogue.kommuner.values()]
        pages.append(_page(f"vagvisare/{REASONING_PAGE}/index.md", "Så resonerar guiden", "resonemang.html"))
        pages += [_page(f"insatser/{i['id']}/{BEFORE_REFERRAL_PAGE}.md", f"Innan du remitterar: {i['namn']}",
                        "innan_du_remitterar.html", insats=i)
                  for i in catalogue.insatser.values() if has_referral_checklist(i)]
    return pages


def static_files(site: Site, schema: bytes) -> dict[str, bytes]:
    """Files published as they are: the schema for editors (as read by the model), the review state for
    machines, and the open data (JSON API, HSDS, CSV, calendars, change feed). The charts, which the
    pages show, come from charts.files()."""
    from . import api, calendars, changes, hsds, tables

    files = {
        "schema/insatser.schema.json": schema,
        "granskning.json": as_json(site.findings, site.catalogue.filename, site.today).encode("utf-8"),
    }
    for module in (api, hsds, tables, calendars, changes):
        produced = module.files(site)
        clash = files.keys() & produced.keys()
        assert not clash, f"{module.__name__} publishes {sorted(clash)} again"
        files.update(produced)
    return files


def table_of_contents(html: str) -> list[dict]:
    toc: list[dict] = []
    for level, anchor, inner in _HEADING.findall(html):
        # The name stays HTML-escaped: the theme prints it as HTML.
        entry = {"level": int(level), "id": anchor, "name": _TAG.sub("", inner).strip(), "children": []}
        if entry["level"] == 3 and toc:
            toc[-1]["children"].append(entry)
        elif entry["level"] == 2:
            toc.append(entry)
    return toc


def render_page(page: Page, site: Site) -> RenderedPage:
    template = environment().get_template(page.template)
    extra = {}
    if page.template == "vagvisare.html":
        extra["guide_json"] = guide_json(site)
    if page.template == "sok.html":
        extra["search_terms"] = safe_json(site.catalogue.data.get("sokord", []))
    if page.template == "oppna_data.html":
        from .calendars import organisation_calendars
        extra["calendars"] = [(site.catalogue.organisationer[o], path) for o, path in organisation_calendars(site).items()]
    html = template.render(c=site.catalogue, site=site, href=lambda target: relative(page.url, target), page=page,
                           question_options=lambda question: question_options(site.catalogue, question),
                           question_form=question_form,
                           guide_triage=lambda **by_kind: evaluate_guide(site.guide, guide_answers(site.catalogue, **by_kind)),
                           guide_conditions=lambda insats: guide_conditions(site.catalogue, insats, site.questions),
                           has_referral_checklist=has_referral_checklist,
                           routing_cases=lambda: site.routing_cases,
                           **extra, **page.context)
    html += review_rules_block(html)
    return RenderedPage(html=html, toc=table_of_contents(html))
