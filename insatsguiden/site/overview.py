"""Overview pages that stay small at thousands of insatser (issue 12, "Pages that stay fast").

*Alla insatser* itself lists nothing: its filter form fetches the API document it
needs, and without JavaScript it links to the full list split into pages, by kind
(`insatser/typ/<kind>/`, `insatser/typ/<kind>/2/` …) and by kommun
(`insatser/kommun/<kommun>/` …), at most `PAGE_SIZE` rows each. The folders
`typ` and `kommun` are reserved record ids (model/rules.py), so they never meet an
insats page `insatser/<id>/`.

*Granskning* groups the review findings by who is responsible and lists only what
is overdue or soon due, a few per responsible; every responsible gets a page of
its own (`granskning/<organisation-id>/`, or a slug of the text when the
responsible is not one organisation) with everything. A pending decision counts under
who decides it (the organisation when the data names one).

*Läget* (the board's meeting page) groups what was not reviewed in time by owner
(the record's `forvaltare` role, else who is responsible), and links each owner's
list to the Granskning pages of the responsibles its items fall under.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..domain.freshness import OK, OVERDUE, SOON, Finding, decided_by, responsible_for_insats
from ..model.catalogue import Catalogue

PAGE_SIZE = 200                  # rows per page of the full list
REVIEW_PREVIEW = 3               # overdue or soon-due items per responsible on the Granskning page
LIST_FOLDERS = ("typ", "kommun")  # insatser/<folder>/…: reserved ids
BY_KIND = "insatser/typ/{}/"
BY_KOMMUN = "insatser/kommun/{}/"
REVIEW_PAGE = "granskning/{}/"


def _by_name(insatser: Iterable[dict]) -> list[dict]:
    return sorted(insatser, key=lambda insats: (insats["namn"].lower(), insats["id"]))


@dataclass(frozen=True)
class ListPart:
    """One page of a long list: which list, which page, how many pages, and its rows."""
    key: str              # the kind or the kommun id
    heading: str          # "Ordinarie verksamhet", "Ludvika"
    base: str             # the address of page 1, e.g. insatser/typ/ordinarie/
    number: int           # 1-based
    pages: int
    total: int            # rows in the whole list
    rows: tuple           # the insatser on this page
    description: str = ""

    def address(self, number: int) -> str:
        return self.base if number == 1 else f"{self.base}{number}/"

    @property
    def url(self) -> str:
        return self.address(self.number)

    @property
    def first_row(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_row(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)


def split(key: str, heading: str, base: str, members: list[dict], description: str = "") -> list[ListPart]:
    """A list as pages of at most PAGE_SIZE rows; an empty list is one empty page."""
    chunks = [members[start:start + PAGE_SIZE] for start in range(0, len(members), PAGE_SIZE)] or [[]]
    return [ListPart(key, heading, base, number, len(chunks), len(members), tuple(chunk), description)
            for number, chunk in enumerate(chunks, start=1)]


def lists_by_kind(catalogue: Catalogue, labels: dict[str, dict]) -> list[list[ListPart]]:
    """Per kind of insats (in the catalogue's order), its pages."""
    return [split(kind, labels[kind]["title"], BY_KIND.format(kind), members, labels[kind].get("description", ""))
            for kind, members in catalogue.grouped_by_kind()]


def lists_by_kommun(catalogue: Catalogue) -> list[list[ListPart]]:
    """Per kommun (by name), its pages: the measures limited to it and those that serve every kommun,
    as the filter on *Alla insatser* shows them."""
    everywhere = [i for i in catalogue.insatser.values() if not i["malgrupp"].get("kommuner")]
    return [split(kommun["id"], kommun["namn"], BY_KOMMUN.format(kommun["id"]), _by_name(members + everywhere))
            for kommun, members in catalogue.grouped_by_kommun()]


def page_src_uri(address: str) -> str:
    return address + "index.md"


# --- Granskning per responsible -------------------------------------------------------------------


def slug(text: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")[:80].strip("-") or "ansvarig"


def responsible_texts(catalogue: Catalogue) -> list[str]:
    """Every responsible a review finding can name (freshness.evaluate): the organisation responsible for
    each agreement in force, and who runs each insats (or its kommuner's förbund)."""
    names = {catalogue.organisationer[a["ansvarig"]]["namn"] for a in catalogue.overenskommelser.values()
             if a.get("status") != "upphord" and a.get("ansvarig") in catalogue.organisationer}
    names |= {responsible_for_insats(catalogue, insats) for insats in catalogue.insatser.values()}
    names |= {decided_by(catalogue, decision) for decision in catalogue.pending_decisions()}
    return sorted(names, key=lambda name: (name.lower(), name))


def responsible_slugs(catalogue: Catalogue) -> dict[str, str]:
    """Responsible text -> the path segment of its page: the organisation's id when the text names exactly
    one organisation, else a slug of the text that no organisation id and no other text takes."""
    by_name: dict[str, list[str]] = {}
    for organisation in catalogue.organisationer.values():
        by_name.setdefault(organisation["namn"], []).append(organisation["id"])
    texts = responsible_texts(catalogue)
    slugs: dict[str, str] = {}
    taken = {"index"}
    for text in texts:
        ids = by_name.get(text, [])
        if len(ids) == 1:
            slugs[text] = ids[0]
            taken.add(ids[0])
    taken |= set(catalogue.organisationer)   # an organisation without findings keeps its id free
    for text in texts:
        if text in slugs:
            continue
        candidate, number = slug(text), 1
        while candidate in taken:
            number += 1
            candidate = f"{slug(text)}-{number}"
        slugs[text] = candidate
        taken.add(candidate)
    return slugs


@dataclass
class ReviewGroup:
    """The findings of one responsible, by state (each oldest first, as freshness orders them)."""
    responsible: str
    url: str
    overdue: list[Finding]
    soon: list[Finding]
    ok: list[Finding]

    def of_state(self, state: str) -> list[Finding]:
        return {OVERDUE: self.overdue, SOON: self.soon, OK: self.ok}[state]

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.soon) + len(self.ok)


class ReviewIndex:
    """The findings of a build grouped by responsible, computed once and shared by the Granskning pages."""

    preview = REVIEW_PREVIEW

    def __init__(self, slugs: dict[str, str]):
        self.slugs = slugs
        self._findings: list[Finding] | None = None
        self._groups: dict[str, ReviewGroup] = {}

    def _group(self, findings: list[Finding]) -> dict[str, ReviewGroup]:
        if findings is not self._findings:
            groups = {text: ReviewGroup(text, REVIEW_PAGE.format(segment), [], [], [])
                      for text, segment in self.slugs.items()}
            for finding in findings:
                group = groups.get(finding.responsible)
                if group is None:   # a responsible no page was made for (cannot happen with freshness.evaluate)
                    group = groups[finding.responsible] = ReviewGroup(finding.responsible, "", [], [], [])
                group.of_state(finding.state).append(finding)
            self._findings, self._groups = findings, groups
        return self._groups

    def groups(self, findings: list[Finding]) -> list[ReviewGroup]:
        """Every responsible with findings: most overdue items first, then most soon-due, then by name."""
        return sorted((g for g in self._group(findings).values() if g.total),
                      key=lambda g: (-len(g.overdue), -len(g.soon), g.responsible.lower()))

    def group(self, findings: list[Finding], responsible: str) -> ReviewGroup:
        return self._group(findings)[responsible]


def review_pages(catalogue: Catalogue) -> tuple[ReviewIndex, list[tuple[str, str, dict[str, Any]]]]:
    """The shared index and, per responsible, (address, title, context) of its page."""
    index = ReviewIndex(responsible_slugs(catalogue))
    pages = [(REVIEW_PAGE.format(segment), f"Granskning: {text}", {"responsible": text, "reviews": index})
             for text, segment in index.slugs.items()]
    return index, pages


def intake_checks(findings: list[Finding]) -> dict[str, list]:
    """Per insats with an intake to confirm: [due date or None, unconfirmed on the build date]. The list on
    *Alla insatser* shows the API's summary lines, which carry the intake status only; with this it shows
    a stale intake as unconfirmed, as every page does, and assets/granskning.js rechecks the due date."""
    return {f.record_id: [f.due.isoformat() if f.due else None, f.state == OVERDUE]
            for f in findings if f.kind == "intag"}


class IntakeExport:
    """For the template: the intake checks of the build as JSON safe inside <script type="application/json">."""

    def json(self, findings: list[Finding]):
        from .render import safe_json   # render imports this module; the reverse import waits until used

        return safe_json(intake_checks(findings))


# --- Läget: what was not reviewed in time, per owner ------------------------------------------------

LAGET_PREVIEW = 3                              # the oldest overdue items shown per owner on Läget
STEERING_KINDS = ("overenskommelse", "beslut")  # listed on their own at the top of Läget


@dataclass
class OwnerGroup:
    """The overdue and soon-due findings of one owner (records, contacts, intake), oldest first."""
    owner: str
    overdue: list[Finding]
    soon: list[Finding]
    review_pages: list[tuple[str, str]]   # (responsible, address of its Granskning page)


class OwnerIndex:
    """For the Läget template: findings grouped by owner, computed when the page is rendered."""

    preview = LAGET_PREVIEW

    def groups(self, findings: list[Finding], reviews: ReviewIndex) -> list[OwnerGroup]:
        by_owner: dict[str, OwnerGroup] = {}
        responsibles: dict[str, dict[str, None]] = {}
        for finding in findings:
            if finding.kind in STEERING_KINDS or finding.state == OK:
                continue
            group = by_owner.setdefault(finding.owner, OwnerGroup(finding.owner, [], [], []))
            (group.overdue if finding.state == OVERDUE else group.soon).append(finding)
            responsibles.setdefault(finding.owner, {})[finding.responsible] = None
        for owner, group in by_owner.items():
            group.review_pages = [(text, REVIEW_PAGE.format(reviews.slugs[text]))
                                  for text in responsibles[owner] if text in reviews.slugs]
        return sorted(by_owner.values(), key=lambda g: (-len(g.overdue), -len(g.soon), g.owner.lower()))
