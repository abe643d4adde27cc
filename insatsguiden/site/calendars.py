"""iCalendar files with review dates and reminders (issue 12).

One calendar with everything (`kalender/alla.ics`) and one per organisation
responsible (`kalender/<organisation-id>.ics`): every agreement's revision
due date (and its yearly revision window), every pending decision's deadline
or next check, every insats's next review and intake confirmation, as all-day
events with a reminder 30 days before. The dates are the review findings' own
(`domain/freshness.py`), not recomputed. Overdue items are placed on the build
date, so a subscriber sees them now rather than years back in the calendar.
Built with the `icalendar` library.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icalendar import Alarm, Calendar, Event, vDuration

from ..domain.freshness import (DECISION_CHECK, KIND_LABELS, OVERDUE, Finding, phrase_key, responsible_label,
                                sentence)
from ..model.catalogue import Catalogue
from .render import MONTHS
from .tables import page_address

if TYPE_CHECKING:
    from .render import Site

PRODID = "-//Insatsguiden//Granskningskalender//SV"
UID_DOMAIN = "insatsguiden"
FOLDER = "kalender"
ALL = "alla"
# An organisation whose id is "alla" would overwrite the combined calendar; ids never hold "--".
CLASH_SUFFIX = "--organisation"
REMINDER_BEFORE = dt.timedelta(days=30)
REFRESH = dt.timedelta(days=1)   # how often subscribers are asked to fetch the file again
CALENDAR_KINDS = ("overenskommelse", "beslut", "granskning", "intag")
WINDOW_KIND = "revisionsfonster"
# What to do, by kind (as freshness.phrase_key reads a finding): on time, and when overdue.
SUMMARIES = {
    "overenskommelse": ("Revidera senast", "Försenad revision"),
    "beslut": ("Beslut senast", "Försenat beslut"),
    DECISION_CHECK: ("Stäm av beslut senast", "Försenad avstämning av beslut"),
    "granskning": ("Granska senast", "Försenad granskning"),
    "intag": ("Bekräfta intag senast", "Försenad bekräftelse av intag"),
    WINDOW_KIND: ("Revisionsfönster", "Revisionsfönster"),
}


@dataclass(frozen=True)
class Entry:
    """One all-day event: [start, end) in days, with what it says and whom it concerns."""
    uid: str
    kind: str
    record_name: str
    start: dt.date
    end: dt.date          # exclusive, as DTEND of an all-day event
    summary: str
    description: str
    page: str
    organisations: tuple[str, ...]
    overdue: bool


def responsible_organisations(catalogue: Catalogue, finding: Finding) -> tuple[str, ...]:
    """Ids of the organisations named in `finding.responsible`, by the same rule as freshness:
    an agreement's `ansvarig`; a decision's deciding organisation (`beslutas_av.organisation`);
    an insats's `drivs_av`, else the samordningsförbund of its kommuner;
    else none (the item is only in the combined calendar)."""
    if finding.section == "overenskommelser":
        return (catalogue.overenskommelser[finding.record_id]["ansvarig"],)
    if finding.section == "beslut":
        organisation = catalogue.beslut[finding.record_id]["beslutas_av"].get("organisation")
        return (organisation,) if organisation else ()
    insats = catalogue.insatser[finding.record_id]
    if insats.get("drivs_av"):
        return tuple(insats["drivs_av"])
    forbund = {catalogue.kommuner[k].get("samordningsforbund") for k in insats["malgrupp"].get("kommuner", [])} - {None}
    return tuple(sorted(forbund))


def window_ending_on_or_after(day: dt.date, first_month: int, last_month: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the first yearly window (months first–last, maybe across the new year)
    that has not ended before `day`."""
    for start_year in range(day.year - 1, day.year + 2):
        end_year = start_year if last_month >= first_month else start_year + 1
        end = dt.date(end_year, last_month, calendar.monthrange(end_year, last_month)[1])
        if end >= day:
            return dt.date(start_year, first_month, 1), end
    raise AssertionError("a yearly window ends within two years")  # pragma: no cover


def _where(page: str, site_url: str | None) -> str:
    return f"Sida: {site_url.rstrip('/')}/{page}" if site_url else f"Sida på Insatsguiden: {page}"


def entries(site: "Site", site_url: str | None = None) -> list[Entry]:
    """Every calendar event of the build, in date order."""
    catalogue, today = site.catalogue, site.today
    found: list[Entry] = []
    for finding in site.findings:
        if finding.kind not in CALENDAR_KINDS:
            continue
        page = page_address(finding.section, finding.record_id)
        organisations = responsible_organisations(catalogue, finding)
        overdue = finding.state == OVERDUE
        day = today if overdue else finding.due
        label = SUMMARIES[phrase_key(finding.kind, finding.field)][1 if overdue else 0]
        # The name is in the summary already; the description says what, by when and who.
        lines = [f"{sentence(finding)} {responsible_label(finding.kind)}: {finding.responsible}."]
        if overdue:
            lines.append(f"Visas på byggdatumet {today.isoformat()} tills det är åtgärdat.")
        lines.append(_where(page, site_url))
        found.append(Entry(f"{finding.kind}-{finding.record_id}@{UID_DOMAIN}", finding.kind, finding.record_name, day,
                           day + dt.timedelta(days=1), f"{label}: {finding.record_name}", "\n".join(lines), page,
                           organisations, overdue))
        if finding.kind == "overenskommelse":
            rule = catalogue.overenskommelser[finding.record_id]["revision"]
            if rule["regel"] == "arligt_fonster":
                first, last = rule["fonster_fran_manad"], rule["fonster_till_manad"]
                # The window the due date closes; once overdue, the current or next one.
                start, end = window_ending_on_or_after(today if overdue or finding.due is None else finding.due,
                                                       first, last)
                text = (f"Revisionsfönstret för {finding.record_name}: {MONTHS[first - 1]}–{MONTHS[last - 1]} "
                        f"({start.isoformat()}–{end.isoformat()}).\n{lines[0]}\n{lines[-1]}")
                found.append(Entry(f"{WINDOW_KIND}-{finding.record_id}@{UID_DOMAIN}", WINDOW_KIND,
                                   finding.record_name, start, end + dt.timedelta(days=1),
                                   f"{SUMMARIES[WINDOW_KIND][0]}: {finding.record_name}", text, page, organisations,
                                   False))
    return sorted(found, key=lambda entry: (entry.start, entry.uid))


def event(entry: Entry, stamp: dt.datetime, site_url: str | None) -> Event:
    item = Event()
    item.add("uid", entry.uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", entry.start)
    item.add("dtend", entry.end)
    item.add("summary", entry.summary)
    item.add("description", entry.description)
    item.add("categories", [KIND_LABELS.get(entry.kind, "Revisionsfönster")])
    if site_url:
        item.add("url", f"{site_url.rstrip('/')}/{entry.page}")
    # Reminders, not appointments: they never block anyone's time in Outlook.
    item.add("transp", "TRANSPARENT")
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    if entry.overdue:
        # Thirty days before the build date has passed already: remind on the day itself.
        reminder.add("trigger", dt.timedelta(0))
        reminder.add("description", entry.summary)
    else:
        reminder.add("trigger", -REMINDER_BEFORE)
        reminder.add("description", f"Om 30 dagar: {entry.summary}")
    item.add_component(reminder)
    return item


def calendar_file(name: str, events: list[bytes]) -> bytes:
    """A VCALENDAR made by the library around events the library serialised once (`Event.to_ical`).

    An event belongs to the combined calendar and to its organisations' calendars: serialising it
    once, not once per file, halves the time at 5,000 insatser."""
    ics = Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("method", "PUBLISH")
    ics.add("x-wr-calname", name)
    ics.add("x-wr-caldesc", "Datum då överenskommelser ska revideras, beslut fattas, insatser granskas och "
                            "intag bekräftas, med påminnelse 30 dagar före. Det som är försenat ligger på byggdatumet. "
                            "Från Insatsguiden.")
    ics.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    ics.add("x-published-ttl", vDuration(REFRESH))
    empty = ics.to_ical()
    closing = b"END:VCALENDAR\r\n"
    assert empty.endswith(closing)
    return b"".join([empty[: -len(closing)], *events, closing])


def organisation_file(organisation_id: str) -> str:
    stem = organisation_id + CLASH_SUFFIX if organisation_id == ALL else organisation_id
    return f"{FOLDER}/{stem}.ics"


def organisation_calendars(site: "Site") -> dict[str, str]:
    """Organisation id -> its calendar's path, for every organisation that gets one, sorted by id.

    For pages that link the files (cheap: no event is built). The same rule as `files`."""
    owners = {owner for finding in site.findings if finding.kind in CALENDAR_KINDS
              for owner in responsible_organisations(site.catalogue, finding)}
    return {owner: organisation_file(owner) for owner in sorted(owners)}


def files(site: "Site", site_url: str | None = None) -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes.

    `site_url` (else `site.site_url`, from mkdocs.yml's site_url when it is https): with it, events carry
    an absolute URL; without it the page's site-relative address is in the description (a relative URL is not a valid URI)."""
    site_url = site_url or site.site_url
    stamp = dt.datetime.combine(site.today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    everything = entries(site, site_url)
    events = [event(entry, stamp, site_url).to_ical() for entry in everything]
    published = {f"{FOLDER}/{ALL}.ics": calendar_file("Insatsguiden: granskning", events)}
    by_organisation: dict[str, list[bytes]] = {}
    for entry, item in zip(everything, events):
        for organisation in entry.organisations:
            by_organisation.setdefault(organisation, []).append(item)
    for organisation, items in sorted(by_organisation.items()):
        name = site.catalogue.organisationer[organisation]["namn"]
        published[organisation_file(organisation)] = calendar_file(f"Insatsguiden: granskning, {name}", items)
    return published
