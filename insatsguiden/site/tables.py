"""CSV files for Excel (issue 12): insatser, kontakter, granskning.

Swedish Excel opens a file by double-click without an import dialog when it
is UTF-8 with a byte-order mark, separated by semicolons (the list separator
of the Swedish locale, whose decimal separator is the comma) and quoted the
RFC 4180 way. No `sep=;` first line: Excel then ignores the byte-order mark
(å, ä, ö turn into mojibake) and every other reader sees an extra row.
A cell that a spreadsheet would read as a formula gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from typing import TYPE_CHECKING, Iterable

from ..domain.freshness import KIND_LABELS, OVERDUE, SOON, STATE_LABELS, Finding, duration, message
from ..model.schema import labels
from ..model.vocabulary import field_name
from .render import url

if TYPE_CHECKING:
    from .render import Site

ENCODING = "utf-8-sig"   # UTF-8 with a byte-order mark, so Excel does not guess a Windows code page
DELIMITER = ";"
# OWASP's list: a cell starting with one of these is a formula (or becomes one) in Excel,
# LibreOffice and Google Sheets; `neutralise` also looks past leading blanks (" =1+1").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20): Excel with an East Asian input
# method turns them into the ASCII ones, so a cell "＝1+1" may become a formula there.
WIDE_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISER = "'"
YES_NO = {True: "Ja", False: "Nej"}

INSATSER_COLUMNS = (
    "Id", "Namn", "Kortnamn", "Typ", "Kommuner", "Behov", "Intag", "Intag sedan", "Intag bekräftat",
    "Drivs av", "Finansieras av", "Överenskommelser", "Får remittera", "Egen ansökan", "Kontakta före remiss",
    "Syfte", "Senast granskad", "Granskad av", "Ska granskas senast", "Granskningsläge", "Sidans adress")
KONTAKTER_COLUMNS = (
    "Gäller", "Id", "Namn", "Roll", "Kontaktperson", "Telefon", "Telefontid", "E-post", "Webbsida", "Verifierad",
    "Verifierad datum", "Ska verifieras senast", "Granskningsläge", "Sidans adress")
GRANSKNING_COLUMNS = (
    "Läge", "Vad", "Post", "Id", "Senast", "Hur länge", "Räknat från", "Ansvarig", "Meddelande",
    "Rad i datafilen", "Fält", "Sidans adress")


def _unseen(character: str) -> bool:
    """Whitespace of any kind (no-break space, U+3000, U+2028 …) or an invisible format character
    (zero-width space, word joiner …): what a spreadsheet or a person trims or never sees."""
    return character.isspace() or unicodedata.category(character) == "Cf"


def neutralise(value: str) -> str:
    """The cell text a spreadsheet shows as text: a leading apostrophe before anything that starts a formula.

    Also when whitespace or invisible characters come first (" =1+1", "\\u00a0=1+1", "\\u200b=1+1"):
    some spreadsheets trim them before deciding, and `str.lstrip(" \\t\\r\\n")` alone missed the rest.
    A value in double quotes ('"=1+1"') is left alone: the writer quotes the field, so the cell
    text starts with '"', which no spreadsheet reads as a formula.
    """
    position = 0
    while position < len(value) and _unseen(value[position]) and value[position] not in FORMULA_STARTS:
        position += 1
    if value.startswith(FORMULA_STARTS) or value[position:].startswith(FORMULA_STARTS + WIDE_FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def to_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """One CSV file as bytes: BOM, ';', CRLF, fields quoted when they hold ';', '"' or a line break."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=DELIMITER, quotechar='"', quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\r\n", doublequote=True)
    writer.writerow([neutralise(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return buffer.getvalue().encode(ENCODING)


def _names(records: dict[str, dict], ids: Iterable[str], key: str = "namn") -> str:
    return ", ".join(records[i][key] for i in ids)


def page_address(finding_section: str, record_id: str) -> str:
    # The site's own URL patterns (render.URL_PATTERNS), relative to the site root.
    kind = {"overenskommelser": "overenskommelse", "beslut": "beslut"}.get(finding_section, "insats")
    return url(kind, record_id)


def intake_text(site: "Site", insats: dict) -> str:
    """What every page shows: the status, or 'Obekräftat' when its confirmation is overdue."""
    status = labels("intagsstatus").get(insats["intag"]["status"], insats["intag"]["status"])
    check = site.intake(insats)
    if check is not None and check.state == OVERDUE:
        return f"Obekräftat (senast kända status: {status})"
    return status


def state_text(finding: Finding) -> str:
    """How long, as the Granskning page says it: 'försenad 7 år', 'om 2 månader', 'aktuell'."""
    if finding.due is None:
        return "aldrig kontrollerad"
    if finding.state == OVERDUE:
        return f"försenad {duration(finding.offset_days)}"
    if finding.state == SOON:
        return f"om {duration(-finding.offset_days)}"
    return "aktuell"


def insatser_rows(site: "Site") -> list[list[object]]:
    catalogue = site.catalogue
    rows = []
    for insats in catalogue.insatser.values():
        review = next(iter(site.findings_for("insatser", insats["id"], "granskning")), None)
        intake, referral, target = insats["intag"], insats["remiss"], insats["malgrupp"]
        rows.append([
            insats["id"], insats["namn"], insats.get("kortnamn", ""),
            labels("insatstyp").get(insats["typ"], insats["typ"]),
            _names(catalogue.kommuner, target.get("kommuner", [])) or "Inte avgränsat till kommun",
            _names(catalogue.behov, target.get("behov", [])),
            intake_text(site, insats), intake.get("sedan", ""), intake.get("bekraftad", ""),
            _names(catalogue.organisationer, insats.get("drivs_av", [])),
            _names(catalogue.organisationer, insats.get("finansieras_av", [])),
            _names(catalogue.overenskommelser, insats.get("overenskommelser", []), "titel"),
            ", ".join(labels("remittent").get(r, r) for r in referral["remittenter"]),
            YES_NO[referral["egen_ansokan"]],
            YES_NO[referral["kontakta_innan"]] if "kontakta_innan" in referral else "",
            insats["syfte"], insats["senast_granskad"]["datum"], insats["senast_granskad"]["av"],
            review.due.isoformat() if review and review.due else "",
            STATE_LABELS[review.state] if review else "",
            page_address("insatser", insats["id"]),
        ])
    return rows


def kontakter_rows(site: "Site") -> list[list[object]]:
    catalogue = site.catalogue
    rows = []
    for insats in catalogue.insatser.values():
        # The contact's own finding, found by the field it points at (freshness names it the same way).
        checks = {f.field: f for f in site.findings_for("insatser", insats["id"], "kontakt")}
        for position, contact in enumerate(insats.get("kontakter", [])):
            verified = contact.get("verifierad")
            check = checks.get(field_name(("kontakter", position, "verifierad" if verified else "roll")))
            rows.append([
                "Insats", insats["id"], insats["namn"], contact["roll"], contact.get("namn", ""),
                contact.get("telefon", ""), contact.get("telefontid", ""), contact.get("epost", ""),
                contact.get("webb", ""), YES_NO[bool(verified)], verified or "",
                check.due.isoformat() if check and check.due else "",
                STATE_LABELS[check.state] if check else "",
                page_address("insatser", insats["id"]),
            ])
    for organisation in catalogue.organisationer.values():
        if not (organisation.get("vaxel") or organisation.get("webb")):
            continue
        # The schema asks for an organisation's switchboard and website only once verified; it keeps no date.
        rows.append([
            "Organisation", organisation["id"], organisation["namn"], "Växel och webbplats", "",
            organisation.get("vaxel", ""), "", "", organisation.get("webb", ""), YES_NO[True], "", "", "",
            url("organisation", organisation["id"]),
        ])
    return rows


def granskning_rows(site: "Site") -> list[list[object]]:
    return [[
        STATE_LABELS[f.state], KIND_LABELS[f.kind], f.record_name, f.record_id,
        f.due.isoformat() if f.due else "", state_text(f), f.last_checked or "", f.responsible, message(f),
        f.line, f.field, page_address(f.section, f.record_id),
    ] for f in site.findings]


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return {
        "csv/insatser.csv": to_csv(INSATSER_COLUMNS, insatser_rows(site)),
        "csv/kontakter.csv": to_csv(KONTAKTER_COLUMNS, kontakter_rows(site)),
        "csv/granskning.csv": to_csv(GRANSKNING_COLUMNS, granskning_rows(site)),
    }
