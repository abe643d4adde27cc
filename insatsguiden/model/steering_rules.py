"""Named checks for the steering group's data: follow-up figures, decisions, the publisher.

Same contract as `rules.py` (which runs these with its own checks): each check
yields ``(path, message)``, tolerates data the schema refused (wrong types are
skipped; the schema reports them) and gets today's date as a parameter.

Follow-up figures (`indikatorer`) are drawn as charts at build time; whatever
cannot be drawn (a share over 100 %, periods that overlap, a distribution that
does not add up) is refused here first, so the chart code may trust the data.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from .dates import parse_partial

Path = tuple
Finding = tuple[Path, str]

SERIES, DISTRIBUTION = "tidsserie", "fordelning"
COUNT, PERCENT = "antal", "procent"
DEFAULT_ROUNDING = 1  # percentage points; the schema's default for `avrundning`
TAKEN, PENDING = "fattat", "vantar"


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _records(data: Any, section: str) -> Iterator[tuple[int, dict]]:
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, record in enumerate(items):
            if isinstance(record, dict):
                yield index, record


def _span(period: Any) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period {fran, till}; None when a date is missing or impossible."""
    if not isinstance(period, dict):
        return None
    start, end = parse_partial(period.get("fran")), parse_partial(period.get("till"))
    if start is None or end is None:
        return None
    return start[0], end[1]


def _shown(period: dict) -> str:
    return f"{period.get('fran')}–{period.get('till')}"


# --- follow-up figures ------------------------------------------------------------

def check_indicators(data: Any, today: dt.date) -> Iterator[Finding]:
    for index, record in _records(data, "insatser"):
        indicators = record.get("indikatorer")
        seen: dict[str, int] = {}
        for position, indicator in enumerate(indicators if isinstance(indicators, list) else []):
            if not isinstance(indicator, dict):
                continue
            base = ("insatser", index, "indikatorer", position)
            identity = indicator.get("id")
            if isinstance(identity, str):
                if identity in seen:
                    yield base + ("id",), (f"måttet '{identity}' finns redan (mått nr {seen[identity] + 1} i den här "
                                           "insatsen). Ge varje mått ett eget id.")
                else:
                    seen[identity] = position
            yield from _indicator_findings(indicator, base)


def _indicator_findings(indicator: dict, base: Path) -> Iterator[Finding]:
    kind, unit = indicator.get("typ"), indicator.get("enhet")
    values = indicator.get("varden")
    values = [(i, v) for i, v in enumerate(values) if isinstance(v, dict)] if isinstance(values, list) else []
    # Fields that belong to the other kind or unit.
    if kind == SERIES:
        for name in ("period", "totalt", "avrundning"):
            if name in indicator:
                yield base + (name,), (f"fältet {name} gäller bara en fördelning (typ fordelning). I en tidsserie har "
                                       "varje värde sin egen period; ta bort fältet.")
    elif kind == DISTRIBUTION:
        if "totalt" in indicator and unit == PERCENT:
            yield base + ("totalt",), ("totalt gäller bara en fördelning i antal; andelarna i procent ska bli 100. "
                                       "Ta bort fältet.")
        if "avrundning" in indicator and unit == COUNT:
            yield base + ("avrundning",), ("avrundning gäller bara en fördelning i procent. Ta bort fältet eller "
                                           "ändra enhet.")
        if "period" not in indicator and "anmarkning" not in indicator:
            yield base, ("fördelningen saknar period. Ange period (fran och till) eller, om källan inte anger "
                         "någon, förklara det under anmarkning.")
    # Each value: shares within 0–100, the fields its kind needs.
    for position, value in values:
        where = base + ("varden", position)
        number = value.get("varde")
        if unit == PERCENT and _is_number(number) and number > 100:
            yield where + ("varde",), (f"andelen {number} % är större än 100 %. En andel skrivs i procent 0–100; "
                                       "kontrollera värdet eller ändra enhet till antal.")
        if kind == SERIES:
            if "period" not in value:
                yield where, "ett värde i en tidsserie behöver en period (fran och till). Lägg till den."
            for name in ("kategori", "namn"):
                if name in value:
                    yield where + (name,), (f"fältet {name} gäller bara en fördelning. I en tidsserie anges "
                                            "perioden; ta bort fältet eller ändra typ till fordelning.")
        elif kind == DISTRIBUTION:
            for name in ("kategori", "namn"):
                if name not in value:
                    yield where, (f"ett värde i en fördelning behöver {name} "
                                  f"({'ett id, t.ex. ske' if name == 'kategori' else 'kategorins namn som det visas'}). "
                                  "Lägg till det.")
            if "period" in value:
                yield where + ("period",), ("en fördelning gäller en enda period, som anges för hela måttet. Flytta "
                                            "perioden till måttets period eller ändra typ till tidsserie.")
        span = _span(value.get("period"))
        if span is not None and span[0] > span[1]:
            yield where + ("period", "till"), (f"perioden slutar ({value['period']['till']}) innan den börjar "
                                               f"({value['period']['fran']}). Byt plats på fran och till.")
    span = _span(indicator.get("period"))
    if kind == DISTRIBUTION and span is not None and span[0] > span[1]:
        yield base + ("period", "till"), (f"perioden slutar ({indicator['period']['till']}) innan den börjar "
                                          f"({indicator['period']['fran']}). Byt plats på fran och till.")
    if kind == SERIES:
        yield from _series_order(values, base)
    elif kind == DISTRIBUTION:
        yield from _distribution_sums(indicator, values, unit, base)


def _series_order(values: list[tuple[int, dict]], base: Path) -> Iterator[Finding]:
    """Periods in time order, none overlapping the one before (a chart's x axis)."""
    previous: tuple[dt.date, dt.date, dict] | None = None
    for position, value in values:
        span = _span(value.get("period"))
        if span is None or span[0] > span[1]:
            continue  # missing, impossible or reversed: reported above or by the date checks
        if previous is not None:
            where = base + ("varden", position, "period", "fran")
            if span[0] < previous[0]:
                yield where, (f"perioden {_shown(value['period'])} kommer före {_shown(previous[2])} på raden ovanför. "
                              "Skriv värdena i tidsordning, äldst först.")
                continue
            if span[0] <= previous[1]:
                yield where, (f"perioden {_shown(value['period'])} överlappar {_shown(previous[2])} på raden ovanför. "
                              "I en tidsserie får perioderna inte överlappa; ta bort det ena värdet eller skriv "
                              "det under anmarkning.")
                continue
        previous = (span[0], span[1], value["period"])


def _distribution_sums(indicator: dict, values: list[tuple[int, dict]], unit: Any, base: Path) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for position, value in values:
        category = value.get("kategori")
        if isinstance(category, str):
            if category in seen:
                yield base + ("varden", position, "kategori"), (
                    f"kategorin '{category}' finns redan (värde nr {seen[category] + 1}). Varje kategori får bara "
                    "stå en gång i en fördelning.")
            else:
                seen[category] = position
    numbers = [value.get("varde") for _, value in values]
    if not numbers or not all(_is_number(n) for n in numbers):
        return  # the schema reports what is not a number
    total = sum(numbers)
    if unit == PERCENT:
        rounding = indicator.get("avrundning", DEFAULT_ROUNDING)
        if _is_number(rounding) and abs(total - 100) > rounding:
            points = "procentenhet" if rounding == 1 else "procentenheter"
            yield base + ("varden",), (f"andelarna blir tillsammans {total} %, inte 100 % (tillåten avrundning "
                                       f"±{rounding} {points}). Kontrollera värdena; går källans egna siffror "
                                       "inte ihop, skriv det under anmarkning och ange avrundning.")
    elif unit == COUNT and _is_number(indicator.get("totalt")) and indicator["totalt"] != total:
        yield base + ("totalt",), (f"totalt är {indicator['totalt']}, men värdena blir tillsammans {total}. Rätta "
                                   "värdena eller totalt; skiljer sig källans egna siffror åt, skriv det under "
                                   "anmarkning.")


# --- decisions ----------------------------------------------------------------------

def check_decisions(data: Any, today: dt.date) -> Iterator[Finding]:
    for index, record in _records(data, "beslut"):
        base = ("beslut", index)
        raised = parse_partial(record.get("vackt"))
        due = parse_partial(record.get("senast"))
        review = parse_partial(record.get("nasta_avstamning"))
        taken = parse_partial(record.get("beslutat"))
        status = record.get("status")
        if raised and raised[0] > today:
            yield base + ("vackt",), (f"frågan kan inte ha väckts {record['vackt']}, efter dagens datum "
                                      f"({today.isoformat()}). Ange när frågan faktiskt väcktes.")
        if raised and due and due[1] < raised[0]:
            yield base + ("senast",), (f"beslutet ska vara fattat senast {record['senast']}, före frågan väcktes "
                                       f"({record['vackt']}). Kontrollera datumen.")
        if raised and review and review[1] < raised[0]:
            yield base + ("nasta_avstamning",), (f"nästa avstämning ({record['nasta_avstamning']}) ligger före "
                                                 f"frågan väcktes ({record['vackt']}). Kontrollera datumen.")
        if "senast" not in record and "nasta_avstamning" not in record and status == PENDING:
            yield base + ("status",), ("beslutet har ingen tidsgräns (senast) och inget datum för nästa avstämning "
                                       "(nasta_avstamning), så det skulle aldrig visas för granskning. Ange ett av dem.")
        if status == TAKEN:
            for name, what in (("utfall", "vad som beslutades"), ("beslutat", "när det beslutades")):
                if name not in record:
                    yield base + ("status",), (f"beslutet står som fattat men {name} saknas. Skriv {what} under "
                                               f"{name}, eller ändra status.")
        elif status is not None:
            for name in ("utfall", "beslutat"):
                if name in record:
                    yield base + (name,), (f"{name} anges bara när beslutet är fattat (status: fattat). Ändra status "
                                           "eller ta bort fältet.")
        if taken:
            if taken[0] > today:
                yield base + ("beslutat",), (f"beslutet kan inte ha fattats {record['beslutat']}, efter dagens datum "
                                             f"({today.isoformat()}). Ange dagen då det fattades.")
            if raised and taken[1] < raised[0]:
                yield base + ("beslutat",), (f"beslutet fattades ({record['beslutat']}) före frågan väcktes "
                                             f"({record['vackt']}). Kontrollera datumen.")
        if not any(isinstance(record.get(name), list) and record[name]
                   for name in ("insatser", "overenskommelser", "ej_tackta_behov")):
            yield base, ("beslutet gäller ingen insats, överenskommelse eller ej täckt behov. Ange minst ett id under "
                         "insatser, overenskommelser eller ej_tackta_behov, så att beslutet visas där.")


# --- the site's publisher and accessibility statement ---------------------------------

def check_site(data: Any, today: dt.date) -> Iterator[Finding]:
    site = data.get("webbplats") if isinstance(data, dict) else None
    if not isinstance(site, dict):
        return
    publisher = site.get("utgivare")
    organisations = {record["id"]: record for _, record in _records(data, "organisationer") if isinstance(record.get("id"), str)}
    organisation = organisations.get(publisher) if isinstance(publisher, str) else None
    if organisation is not None and organisation.get("typ") != "samordningsforbund":
        yield ("webbplats", "utgivare"), (f"'{publisher}' är inte ett samordningsförbund (typ {organisation.get('typ')}). "
                                          "Guiden ges ut av ett förbund; ange förbundets id.")
    statement = site.get("tillganglighet")
    if not isinstance(statement, dict):
        return
    assessment = statement.get("bedomning") if isinstance(statement.get("bedomning"), dict) else {}
    for path, value in ((("webbplats", "tillganglighet", "senast_granskad"), statement.get("senast_granskad")),
                        (("webbplats", "tillganglighet", "bedomning", "datum"), assessment.get("datum"))):
        span = parse_partial(value)
        if span and span[0] > today:
            yield path, (f"datumet {value} ligger i framtiden ({today.isoformat()} är idag). Ange dagen då "
                         "granskningen faktiskt gjordes.")
    reviewed, assessed = parse_partial(statement.get("senast_granskad")), parse_partial(assessment.get("datum"))
    if reviewed and assessed and assessed[0] > reviewed[1]:
        yield ("webbplats", "tillganglighet", "senast_granskad"), (
            f"redogörelsen granskades senast {statement['senast_granskad']}, före bedömningen "
            f"{assessment['datum']}. Uppdatera redogörelsen när en ny bedömning är gjord.")


CHECKS = [check_indicators, check_decisions, check_site]
