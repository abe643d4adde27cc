"""The change feed (Atom) and the Ändringar page from the data's history (issue 12).

The history itself is read at the edge (tools/history.py runs git and the semantic
diff) and handed in as plain `HistoryEntry` objects on `site.history`: this module
only turns them into text, links and an Atom document, and never knows git.

`site.history is None` means the build had no git history to read (a tarball, a
shallow clone, no git): the page says so, and the feed is still published, valid
and empty, so a subscribed reader keeps working and the page's feed link never breaks.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..model.vocabulary import BY_KEY, heading

if TYPE_CHECKING:
    from .render import Site

FEED_PATH = "andringar/feed.xml"
PAGE_URL = "andringar/"
HISTORY_LIMIT = 50          # the newest commits that touched the data file, read per build
FEED_ID = "tag:insatsguiden,2026:andringar"
ENTRY_ID = "tag:insatsguiden,2026:andring/{}"
CHANGES_SHOWN = 100        # records listed per change on the page and in the feed; the rest are counted
TITLE_NAMES = 3             # records named in an entry's title before "och N till"

# What XML 1.0 cannot carry (C0 controls but tab and line breaks, DEL and C1 controls, non-characters,
# lone surrogates) and what could turn text around on a page (bidirectional controls). Shown as
# escapes (\x01, \u202e), as every tool prints them; U+2028/9 and other text stay as they are.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufffe\uffff]")


def safe_text(text: str) -> str:
    """The text with every character XML cannot hold (and bidi controls) as a visible escape."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


@dataclass(frozen=True)
class RecordChange:
    """One record's change in one commit, as the semantic diff names it."""
    section: str                # the data file's key: insatser, organisationer, vagvisare …
    record_id: str | None       # None for sections without records (vagvisare, installningar, version)
    name: str
    kind: str                   # "ny" | "andrad" | "borttagen"
    details: tuple[str, ...] = ()

    @property
    def phrase(self) -> str:
        """'Ny insats', 'Ändrat behov', 'Borttagen organisation', or the heading of a section without records."""
        section = BY_KEY.get(self.section)
        if self.record_id is None or section is None:
            return heading(self.section)
        if self.kind == "ny":
            return section.added
        if self.kind == "borttagen":
            return section.removed
        return f"{'Ändrat' if section.neuter else 'Ändrad'} {section.word}"

    def url(self, catalogue) -> str | None:
        """The record's place on the site built from `catalogue`, when it is still there (a removed one has none)."""
        if self.kind == "borttagen" or self.record_id is None:
            return None
        identity = self.record_id
        pages = {"insatser": catalogue.insatser, "organisationer": catalogue.organisationer,
                 "overenskommelser": catalogue.overenskommelser, "behov": catalogue.behov}
        if self.section in pages:
            return f"{self.section}/{identity}/" if identity in pages[self.section] else None
        if self.section == "ej_tackta_behov" and identity in catalogue.ej_tackta_behov:
            return f"behov/#saknas-{identity}"
        if self.section == "kallor" and identity in catalogue.kallor:
            return f"kallor/#{identity}"
        if self.section == "kommuner" and identity in catalogue.kommuner and catalogue.data.get("vagvisare"):
            return f"vagvisare/{identity}/"
        return None


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that changed the data file. Author names and e-mail addresses are not kept."""
    commit: str                 # the full hash
    short: str                  # the abbreviated hash git chose
    date: dt.datetime           # the author date, with git's offset
    subject: str                # the commit subject, safe_text already applied
    changes: tuple[RecordChange, ...] = ()
    unreadable: str | None = None   # why the changes could not be read (a version was not valid YAML)

    @property
    def title(self) -> str:
        """'Ändrad insats: EVI Ludvika', or 'Ändringar i EVI Ludvika, UMA, Teamet och 2 till'."""
        if self.unreadable:
            return f"Datafilen kunde inte läsas ({self.short})"
        names = [safe_text(change.name) for change in self.changes]
        if len(names) == 1 and self.changes[0].record_id is None:  # a section without records: 'Vägvisaren'
            return f"Ändringar i {names[0]}"
        if len(names) == 1:
            return f"{self.changes[0].phrase}: {names[0]}"
        shown = names[:TITLE_NAMES]
        rest = len(names) - len(shown)
        listed = (", ".join(shown[:-1]) + f" och {shown[-1]}") if rest == 0 else ", ".join(shown) + f" och {rest} till"
        return f"Ändringar i {listed}"

    @property
    def anchor(self) -> str:
        return f"andring-{self.short}"

    @property
    def when(self) -> str:
        """'2026-11-23 14:05 (UTC+01:00)': the author's own clock, as git recorded it."""
        offset = self.date.strftime("%z")
        return f"{self.date:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:5]})" if offset else f"{self.date:%Y-%m-%d %H:%M}"

    @property
    def shown_changes(self) -> tuple[RecordChange, ...]:
        return self.changes[:CHANGES_SHOWN]

    @property
    def more_changes(self) -> int:
        """How many changed records are counted but not listed (CHANGES_SHOWN)."""
        return max(0, len(self.changes) - CHANGES_SHOWN)

    def commit_url(self, repository: str | None) -> str | None:
        return f"https://github.com/{repository}/commit/{self.commit}" if repository else None


class History(list):
    """HistoryEntry objects, newest first; `truncated` when older commits were left out (HISTORY_LIMIT)."""

    def __init__(self, entries=(), truncated: bool = False, limit: int = HISTORY_LIMIT):
        super().__init__(entries)
        self.truncated = truncated
        self.limit = limit


def more_sentence(entry: HistoryEntry) -> str:
    return f"… och {entry.more_changes} poster till, som inte listas här (se ändringen {entry.short} i git)."


def shown_entries(history: list | None) -> list[HistoryEntry]:
    """Entries with something to show: commits that only changed comments or layout are left out."""
    return [entry for entry in history or [] if entry.changes or entry.unreadable]


# --- the feed -------------------------------------------------------------------------------

def _content_html(site: "Site", entry: HistoryEntry) -> str:
    """The entry's changes as a small HTML list; links are relative to the feed (andringar/feed.xml)."""
    commit = entry.commit_url(site.repository)
    reference = Markup('<a href="{}">{}</a>').format(commit, entry.short) if commit else escape(entry.short)
    parts = [Markup("<p>{} (ändring {})</p>").format(entry.subject, reference)]
    if entry.unreadable:
        parts.append(Markup("<p>{}</p>").format(safe_text(entry.unreadable)))
    items = []
    for change in entry.shown_changes:
        target = change.url(site.catalogue)
        name = (Markup('<a href="../{}">{}</a>').format(target, safe_text(change.name)) if target
                else escape(safe_text(change.name)))
        details = Markup("").join(Markup("<li>{}</li>").format(safe_text(detail)) for detail in change.details)
        heading_part = Markup("{}: {}").format(change.phrase, name) if change.record_id else change.phrase
        items.append(Markup("<li>{}{}</li>").format(
            heading_part, Markup("<ul>{}</ul>").format(details) if details else ""))
    if entry.more_changes:
        items.append(Markup("<li>{}</li>").format(more_sentence(entry)))
    if items:
        parts.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
    return str(Markup("").join(parts))


def _summary_text(entry: HistoryEntry) -> str:
    """Plain text: the subject, then one line per record with the fields that changed."""
    lines = [entry.subject]
    if entry.unreadable:
        lines.append(safe_text(entry.unreadable))
    for change in entry.shown_changes:
        line = f"{change.phrase}: {safe_text(change.name)}" if change.record_id else change.phrase
        if change.details:
            line += " – " + "; ".join(safe_text(detail) for detail in change.details)
        lines.append(line)
    if entry.more_changes:
        lines.append(more_sentence(entry))
    return "\n".join(lines)


def feed_bytes(site: "Site") -> bytes:
    """The Atom feed. Ids are tag: IRIs (stable, absolute); links are relative to the feed's own
    address, because the site does not know where it will be published (no site_url)."""
    from feedgen.feed import FeedGenerator

    entries = shown_entries(site.history)
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title("Insatsguiden: ändringar i uppgifterna")
    feed.subtitle("Vad som ändrats i insatser, organisationer, överenskommelser och behov, per ändring i datafilen."
                  if site.history is not None else
                  "Ändringshistoriken finns inte i den här versionen av webbplatsen (den byggdes utan git-historik).")
    feed.author({"name": "Insatsguiden"})
    feed.language("sv")
    feed.generator("Insatsguiden")
    feed.link(href="feed.xml", rel="self", type="application/atom+xml")
    feed.link(href="./", rel="alternate", type="text/html")
    # The newest change, so the feed only looks new when the data changed; without one, the build date.
    # The latest author date, not the first entry's: git lists by commit order, and an author date can be
    # older than its parent's (a rebase, a clock), while Atom's feed `updated` is the latest of its entries.
    # Commits that changed only comments are not entries, but still date the feed when nothing else does,
    # so a history of nothing but layout changes does not make the feed look new on every build.
    dated = entries or list(site.history or [])
    feed.updated(max(entry.date for entry in dated) if dated
                 else dt.datetime.combine(site.today, dt.time(), dt.timezone.utc))
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(ENTRY_ID.format(entry.commit))
        item.title(entry.title)
        item.updated(entry.date)
        item.published(entry.date)
        # One link, the entry's place on the page: feedgen 1.0.0 drops rel and type from entry links, and a
        # link without rel means "alternate", of which Atom allows one per type. The commit is linked in the content.
        item.link(href=f"./#{entry.anchor}")
        item.summary(_summary_text(entry), type="text")
        item.content(_content_html(site, entry), type="html")
    return feed.atom_str(pretty=True)


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return {FEED_PATH: feed_bytes(site)}
