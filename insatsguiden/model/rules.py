"""Named checks that a JSON Schema cannot express.

Each check is a small generator yielding ``(path, message)``; `validate.py`
turns paths into ``FILE:LINE:COL``. Checks must tolerate data that failed the
schema (wrong types are skipped here; the schema already reported them).
Which fields hold dates, links, phone numbers and texts is read from the
schema itself, so a new date field is checked without touching this file.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from . import conditions as cond
from . import steering_rules
from .dates import PARTIAL_DATE, parse_partial
from .schema import listing, load_schema, suggest
from .vocabulary import BY_KEY, REFERENCES, SECTIONS, answer_options

Path = tuple
Finding = tuple[Path, str]

# Dates that record when someone checked something: never in the future.
CHECKED_ON = {"verifierad", "bekraftad"}
EARLIEST_YEAR = 1950
ALLOWED_SCHEMES = ("https", "mailto", "tel")

_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{4,24}\Z")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\Z")
# What an HTML tokenizer takes as the start of a tag, comment or processing
# instruction: '<' directly followed by a letter, '/', '!' or '?'. No closing '>'
# is needed ("<img src=x onerror=… " is a tag to a browser); "< 25 år" stays text.
_HTML_TAG = re.compile(r"<[A-Za-z/!?]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
# Only an autolink with an allowed scheme is a link and not a tag: "<svg:svg/onload=…>" is an element.
_SAFE_AUTOLINK = re.compile(r"<(?:https|mailto|tel):[^<>\s]*>", re.IGNORECASE)
_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
# One line at a time ([^\]\n]): a label that could run over line breaks would make the
# search quadratic in the number of lines.
_REFERENCE_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_SCRIPT_SCHEME = re.compile(r"(?i)\b(?:java|vb)script\s*:")


# --- walking -----------------------------------------------------------------

def expand(data: Any, pattern: Path, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Yield (path, value) for every value matching a pattern with '*' for list items.

    Level by level rather than recursively: a list of a million references
    costs a million steps, not a million nested generators.
    """
    level: list[tuple[Path, Any]] = [(prefix, data)]
    for step in pattern:
        following: list[tuple[Path, Any]] = []
        if step == "*":
            for path, node in level:
                if isinstance(node, list):
                    following.extend((path + (index,), item) for index, item in enumerate(node))
        else:
            for path, node in level:
                if isinstance(node, dict) and step in node:
                    following.append((path + (step,), node[step]))
        level = following
    yield from level


@lru_cache(maxsize=None)
def fields_of(*definitions: str) -> tuple[Path, ...]:
    """Path patterns of every property in the schema that uses one of `definitions`."""
    schema = load_schema()
    defs = schema["$defs"]
    targets = {f"#/$defs/{name}" for name in definitions}
    found: list[Path] = []

    def walk(node: dict, path: Path, seen: frozenset) -> None:
        ref = node.get("$ref")
        if ref in targets:
            found.append(path)
            return
        if ref and ref.startswith("#/$defs/") and ref not in seen:
            walk(defs[ref.rsplit("/", 1)[1]], path, seen | {ref})
        for name, sub in node.get("properties", {}).items():
            walk(sub, path + (name,), seen)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + ("*",), seen)

    walk(schema, (), frozenset())
    return tuple(found)


def _values(data: Any, *definitions: str) -> Iterator[tuple[Path, Any]]:
    for pattern in fields_of(*definitions):
        yield from expand(data, pattern)


def _records(data: Any, section: str) -> Iterator[tuple[int, dict]]:
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, record in enumerate(items):
            if isinstance(record, dict):
                yield index, record


def ids_in(data: Any, section: str) -> dict[str, dict]:
    return {record["id"]: record for _, record in _records(data, section) if isinstance(record.get("id"), str)}


# --- dates -------------------------------------------------------------------

def check_dates(data: Any, today: dt.date) -> Iterator[Finding]:
    latest_year = today.year + 10
    for path, value in _values(data, "datum", "ungefarligt_datum"):
        if not isinstance(value, str) or not PARTIAL_DATE.match(value):
            continue  # the schema reports the form
        span = parse_partial(value)
        if span is None:
            yield path, f"datumet {value} finns inte i kalendern. Kontrollera månad och dag."
            continue
        if not EARLIEST_YEAR <= span[0].year <= latest_year:
            yield path, f"datumet {value} är inte rimligt (år {EARLIEST_YEAR}–{latest_year}). Kontrollera årtalet."
        elif (path[-1] in CHECKED_ON or path[-2:] == ("senast_granskad", "datum")) and span[0] > today:
            yield path, f"datumet {value} ligger i framtiden ({today.isoformat()} är idag). Ange dagen då uppgiften faktiskt kontrollerades."


def _order(data: Any, records: Path, first: str, second: str, what: str) -> Iterator[Finding]:
    """The earliest day `first` can mean must not come after the latest day `second` can mean."""
    for path, record in expand(data, records):
        if not isinstance(record, dict):
            continue
        start, end = parse_partial(record.get(first)), parse_partial(record.get(second))
        if start and end and start[0] > end[1]:
            yield path + (second,), f"{what}: {record[first]} kommer efter {record[second]}. Kontrollera datumen."


def check_date_order(data: Any, today: dt.date) -> Iterator[Finding]:
    yield from _order(data, ("insatser", "*", "period"), "start", "slut", "startdatum efter slutdatum")
    yield from _order(data, ("overenskommelser", "*", "giltighet"), "fran", "till", "giltig från efter giltig till")
    yield from _order(data, ("overenskommelser", "*"), "undertecknad", "senast_reviderad", "undertecknad efter senaste revision")
    for index, record in _records(data, "insatser"):
        age = record.get("malgrupp", {}).get("alder") if isinstance(record.get("malgrupp"), dict) else None
        if isinstance(age, dict) and isinstance(age.get("min"), int) and isinstance(age.get("max"), int) and age["min"] > age["max"]:
            yield ("insatser", index, "malgrupp", "alder", "max"), f"högsta ålder ({age['max']}) är lägre än lägsta ålder ({age['min']}). Byt plats på värdena."


# --- identities and references ------------------------------------------------

def check_unique_ids(data: Any, today: dt.date) -> Iterator[Finding]:
    for section in SECTIONS:
        first_index: dict[str, int] = {}
        for index, record in _records(data, section):
            identity = record.get("id")
            if not isinstance(identity, str):
                continue
            if identity in first_index:
                yield (section, index, "id"), (f"id '{identity}' används redan av {BY_KEY[section].word} nr {first_index[identity] + 1} "
                                               f"i {section}. Varje id måste vara unikt; välj ett annat.")
            else:
                first_index[identity] = index


# "Menade du …?" compares a word with many ids: offered for the first few unknown
# references only, so that a file full of them is refused in linear time.
MAX_SUGGESTIONS = 20


# Ids become path segments (insatser/<id>/) and HTML anchors (the record's
# heading, next to the fixed headings of its page). These are taken by the
# site: every fixed anchor of the templates, the index page of each folder,
# the folders of the paged list beside insatser/<id>/ (typ, kommun:
# site/overview.py), and the prefixes the templates put before generated anchors. The guide's
# question ids become "ig-<id>", next to the guide page's own "ig-…" ids.
# tests/test_reserved_ids.py checks these lists against the templates.
RESERVED_IDS = frozenset("""
    index
    alla katalog innehallsforteckning tillganglighetsredogorelse om-nagot-inte-fungerar tillsyn teknisk-information kanda-brister hur-vi-testat oskaligt-betungande utanfor-lagen
    alla-insatser atagande avvikelser behov driver efter-kommun efter-typ ej-tackta ej-tackta-behov enheter
    filtrera finansierar forsenad forvantningar granskning insatser kallor kontakt kort-om kriterier mal malgrupp
    namns-av ok organisationer overenskommelser passar-inte-for prova-forst remiss revisionsregel sa-fungerar-det
    saknas schema snart sok tackning team tomma uteslutningsgrunder utan-formular vagvisare
    sa-resonerar-guiden innan-du-remitterar fragorna hinder kriterier-i-text ordinarie-med-villkor prova-forst-har
    sa-remitterar-du samordnade-insatser steg testfall vem-du-ringer villkor-att-stamma-av
    oppna-data for-vem json-api hsds csv-for-excel kalendrar andringsflode stabila-id licens andringar
    typ kommun per-ansvarig uppfoljning uppfoljning-i-siffror utan-siffror
    laget beslut beslut-som-vantar per-forvaltare luckor siffror bakgrund alternativ utfall galler anmarkning vantar fattade inaktuella
""".split())
RESERVED_PREFIXES = ("ig-", "kommun-", "saknas-", "typ-", "vagvisare-", "villkor-", "luckor-", "siffror-")
RESERVED_QUESTION_IDS = frozenset("""
    okanda-svar
    filter filter-intag filter-mall filter-status filterlista grupperat innehall resultat resultat-del resultat-mall resultat-rubrik
    resultat-status saknas ingen-traff skriv-ut sok-fran-disk sok-fraga sok-resultat sok-status sokord sokruta-falt
    vagvisare vagvisare-data vagvisare-hjalp
""".split())


def id_problem(identity: str, reserved: frozenset, prefixes: tuple[str, ...] = ()) -> str | None:
    if identity in reserved or identity.startswith(prefixes):
        taken = identity if identity in reserved else next(p for p in prefixes if identity.startswith(p))
        return (f"id '{identity}' kan inte användas: '{taken}' används redan av webbplatsen (en sidadress eller "
                "rubrik). Välj ett annat id, t.ex. med organisationens eller kommunens namn i.")
    return None


def check_reserved_ids(data: Any, today: dt.date) -> Iterator[Finding]:
    for section in SECTIONS:
        for index, record in _records(data, section):
            identity = record.get("id")
            problem = id_problem(identity, RESERVED_IDS, RESERVED_PREFIXES) if isinstance(identity, str) else None
            if problem:
                yield (section, index, "id"), problem
    guide = data.get("vagvisare") if isinstance(data, dict) else None
    questions = guide.get("fragor") if isinstance(guide, dict) else None
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        identity = question.get("id") if isinstance(question, dict) else None
        problem = None
        if isinstance(identity, str):
            # A question's help text gets the anchor "ig-<id>-hjalp".
            problem = id_problem(identity, RESERVED_QUESTION_IDS) or (
                f"id '{identity}' kan inte sluta på '-hjalp' (det används för frågornas hjälptexter). Välj ett annat id."
                if identity.endswith("-hjalp") else None)
        if problem:
            yield ("vagvisare", "fragor", index, "id"), problem


def check_references(data: Any, today: dt.date) -> Iterator[Finding]:
    known = {section: ids_in(data, section) for section in SECTIONS}
    unknown = 0
    for pattern, target in REFERENCES:
        ids = known[target]
        # Lists of references are walked here, not by expand(), so that a path is
        # built only for a reference that does not resolve.
        is_list = pattern[-1] == "*"
        for path, found in expand(data, pattern[:-1] if is_list else pattern):
            if is_list:
                items = enumerate(found) if isinstance(found, list) else ()
            else:
                items = ((None, found),)
            for index, value in items:
                if value.__class__ is not str or value in ids:
                    continue
                unknown += 1
                hint = suggest(value, ids) if unknown <= MAX_SUGGESTIONS else ""
                yield (path if index is None else path + (index,)), (
                    f"hänvisar till {BY_KEY[target].word} '{value}' som inte finns under {target}."
                    f"{hint} Rätta id:t eller lägg till posten.")


def check_reference_meaning(data: Any, today: dt.date) -> Iterator[Finding]:
    insatser = ids_in(data, "insatser")
    organisations = ids_in(data, "organisationer")
    for index, record in _records(data, "insatser"):
        try_first = record.get("prova_forst")
        for position, target in enumerate(try_first if isinstance(try_first, list) else []):  # other types: schema
            other = insatser.get(target) if isinstance(target, str) else None
            if target == record.get("id"):
                yield ("insatser", index, "prova_forst", position), "en insats kan inte hänvisa till sig själv under prova_forst. Ta bort hänvisningen."
            elif other is not None and other.get("typ") != "ordinarie":
                yield ("insatser", index, "prova_forst", position), f"'{target}' är inte en ordinarie insats (typ {other.get('typ')}). Under prova_forst ska bara ordinarie insatser stå."
        intake = record.get("intag", {}).get("status") if isinstance(record.get("intag"), dict) else None
        if record.get("typ") == "foreslagen" and intake in ("oppen", "vantelista"):
            yield ("insatser", index, "intag", "status"), "en föreslagen insats kan inte ta emot deltagare. Sätt status till stangd och förklara i anteckning."
        if record.get("typ") == "avslutad" and intake != "avslutad" and intake is not None:
            yield ("insatser", index, "intag", "status"), "insatsen är avslutad men intaget står inte som avslutad. Sätt status: avslutad."
    for index, record in _records(data, "kommuner"):
        target = record.get("samordningsforbund")
        organisation = organisations.get(target) if isinstance(target, str) else None
        if organisation is not None and organisation.get("typ") != "samordningsforbund":
            yield ("kommuner", index, "samordningsforbund"), f"'{target}' är inte ett samordningsförbund (typ {organisation.get('typ')}). Ange förbundets id."
    for index, record in _records(data, "overenskommelser"):
        parties = record.get("parter") if isinstance(record.get("parter"), list) else []
        commitments = record.get("atagande")
        for position, commitment in enumerate(commitments if isinstance(commitments, list) else []):
            if isinstance(commitment, dict) and isinstance(commitment.get("part"), str) and commitment["part"] not in parties:
                yield ("overenskommelser", index, "atagande", position, "part"), f"'{commitment['part']}' står inte bland parterna. Lägg till den under parter eller rätta id:t."
        rule = record.get("revision")
        if isinstance(rule, dict):
            kind = rule.get("regel")
            if kind == "arligt_fonster":
                for key in ("fonster_fran_manad", "fonster_till_manad"):
                    if key not in rule:
                        yield ("overenskommelser", index, "revision"), f"regeln arligt_fonster kräver fältet {key} (månad 1–12). Lägg till det."
            elif kind == "fast_datum" and "datum" not in rule:
                yield ("overenskommelser", index, "revision"), "regeln fast_datum kräver fältet datum (ÅÅÅÅ-MM-DD). Lägg till det."
            elif kind == "giltig_till" and not (isinstance(record.get("giltighet"), dict) and record["giltighet"].get("till")):
                yield ("overenskommelser", index, "revision"), "regeln giltig_till kräver giltighet.till. Lägg till slutdatumet."


# --- contact details, links and text ----------------------------------------------

def _link_problem(target: str) -> str | None:
    stripped = target.strip()
    scheme = urlsplit(stripped).scheme.lower() if ":" in stripped else ""
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme + ":" if scheme else "relativ länk"
        return f"länken '{stripped[:60]}' är inte tillåten ({shown}). Bara https:, mailto: och tel: får användas."
    if scheme == "https" and not urlsplit(stripped).netloc:
        return f"länken '{stripped[:60]}' saknar webbplatsens namn. Skriv hela adressen, t.ex. https://www.exempel.se/sida."
    return None


def check_contact_formats(data: Any, today: dt.date) -> Iterator[Finding]:
    for path, value in _values(data, "url"):
        if not isinstance(value, str):
            continue
        parts = urlsplit(value) if " " not in value else None
        if parts is None or parts.scheme != "https" or not parts.netloc or "." not in parts.netloc:
            yield path, f"'{value[:80]}' är ingen giltig webbadress. Skriv en fullständig adress som börjar med https://."
    for path, value in _values(data, "telefon"):
        if isinstance(value, str) and (not _PHONE.match(value) or not 7 <= sum(c.isdigit() for c in value) <= 15):
            yield path, f"'{value}' är inget giltigt telefonnummer. Skriv t.ex. \"0240-86 000\" eller \"+46 240 86000\" (siffror, mellanslag, bindestreck)."
    for path, value in _values(data, "epost"):
        if isinstance(value, str) and not _EMAIL.match(value):
            yield path, f"'{value}' är ingen giltig e-postadress. Skriv t.ex. funktion@kommun.se."


class _Where:
    """A path kept as a link to its parent: built into a tuple only when a check reports it."""

    __slots__ = ("parent", "step")

    def __init__(self, parent: "_Where | None", step: Any):
        self.parent, self.step = parent, step

    def path(self) -> Path:
        steps = []
        where: _Where | None = self
        while where is not None and where.step is not None:
            steps.append(where.step)
            where = where.parent
        return tuple(reversed(steps))


def _string_items(node: Any) -> Iterator[tuple[_Where, Any, str]]:
    """(where the container is, key or index, value) for every text value; keys are the schema's to judge.

    A container's path link is made only when the walk descends into it, so a
    long list of short texts costs one step per text.
    """
    stack: list[tuple[_Where, Any]] = [(_Where(None, None), node)]
    while stack:
        here, value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, str):
                yield here, key, item
            elif isinstance(item, (dict, list)):
                stack.append((_Where(here, key), item))


def _strings(node: Any) -> Iterator[tuple[_Where, str]]:
    """Every text value in the data with where it is."""
    if isinstance(node, str):
        yield _Where(None, None), node
    elif isinstance(node, (dict, list)):
        for here, key, value in _string_items(node):
            yield _Where(here, key), value


# Line breaks as YAML, HTML and terminals see them.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
# Characters that show nothing: format characters (zero-width, bidi marks),
# and blanks that str.isspace() does not know (Hangul fillers, braille blank).
_BLANK_LOOKALIKES = set("\u115f\u1160\u3164\uffa0\u2800\u180e")
_TEN_DIGITS = re.compile(r"(?:[0-9][-+ ]?){10}")
_DIGIT = re.compile("[0-9]")


def _suspect(value: str) -> bool:
    """Whether any of the checks below could object to the value; most values have nothing they could.

    `in` tests and one digit search, rather than one regex: several times faster on long texts."""
    return ("<" in value or ":" in value or "\n" in value or "\r" in value or "\u2028" in value
            or "\u2029" in value or "\x85" in value or "\x0b" in value or "\x0c" in value
            or (_DIGIT.search(value) is not None and _TEN_DIGITS.search(value) is not None))


def _shows_nothing(value: str) -> bool:
    if value.isascii():
        return not value.strip()
    return all(char.isspace() or char in _BLANK_LOOKALIKES or unicodedata.category(char) in ("Cf", "Mn", "Me")
               for char in value)


def _pattern(path: Path) -> Path:
    return tuple("*" if isinstance(step, int) else step for step in path)


def check_texts(data: Any, today: dt.date) -> Iterator[Finding]:
    """Every decoded text value, whatever field it is in: visible, one line unless free text,
    no HTML, no script links and no personal identity numbers."""
    if not isinstance(data, (dict, list)):
        return
    multi_line = set(fields_of("text"))
    phone_fields = set(fields_of("telefon"))
    for here, key, value in _string_items(data):
        # Visible for sure: starts with a letter or digit, or is ASCII and not all blanks (ASCII
        # control characters never get this far). Then only a suspect character needs a closer look.
        if value[:1].isalnum() or (value.isascii() and not value.isspace() and value):
            if not _suspect(value):
                continue
        yield from _text_findings(_Where(here, key), value, multi_line, phone_fields)


def _text_findings(where: _Where, value: str, multi_line: set, phone_fields: set) -> Iterator[Finding]:
    if value and _shows_nothing(value):
        yield where.path(), ("värdet består bara av blanksteg eller osynliga tecken och skulle visas som tomt. "
                             "Skriv en synlig text eller ta bort fältet.")
        return
    if not _suspect(value):
        return
    path = where.path()
    if _LINE_BREAK.search(value) and _pattern(path) not in multi_line:
        yield path, ("värdet innehåller en radbrytning, men fältet ska vara en enda rad. Ta bort "
                     "radbrytningen (inom dubbla citattecken: \\n); skriv längre texter i ett textfält.")
    if "<" in value and _HTML_TAG.search(_SAFE_AUTOLINK.sub("", value)):
        yield path, ("texten innehåller HTML-kod (ett '<' direkt följt av en bokstav, '/', '!' eller '?'). "
                     "HTML är inte tillåtet; skriv vanlig text eller Markdown (t.ex. **fetstil**, "
                     "[länktext](https://…)), eller skriv '< ' med mellanslag.")
    elif ":" in value and _SCRIPT_SCHEME.search(value):
        yield path, "texten innehåller 'javascript:' eller liknande. Ta bort det; bara https:, mailto: och tel: får användas i länkar."
    if _TEN_DIGITS.search(value) and looks_like_personnummer(value) and _pattern(path) not in phone_fields:
        yield path, "texten innehåller något som liknar ett personnummer. Personuppgifter om enskilda får aldrig stå i guiden; ta bort det."


def check_text_links(data: Any, today: dt.date) -> Iterator[Finding]:
    """Links written in Markdown text fields may only use safe schemes."""
    for path, value in _values(data, "text"):
        if not isinstance(value, str) or ("](" not in value and "<" not in value and "]:" not in value):
            continue
        targets = [m.group(1) for m in _AUTOLINK.finditer(value)]
        targets += [m.group(1) for m in _INLINE_LINK.finditer(value)]
        targets += [m.group(1) for m in _REFERENCE_DEF.finditer(value)]
        for target in targets:
            problem = _link_problem(target)
            if problem:
                yield path, problem
                break


_PERSONNUMMER = re.compile(r"(?<![0-9])(?:19|20)?([0-9]{2})([0-9]{2})([0-9]{2})[-+ ]?([0-9]{4})(?![0-9])")
_FREE_MAIL = re.compile(r"@(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|mail|telia|bredband)\.(?:com|se|nu|net)\Z", re.I)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def looks_like_personnummer(text: str) -> bool:
    """A Swedish personal or coordination number (YYMMDD-NNNN with a valid check digit)."""
    for match in _PERSONNUMMER.finditer(text):
        year, month, day, tail = match.groups()
        day_number = int(day) - 60 if int(day) > 60 else int(day)  # samordningsnummer add 60 to the day
        if 1 <= int(month) <= 12 and 1 <= day_number <= 31 and _luhn_ok(year + month + day + tail):
            return True
    return False


def check_private_email(data: Any, today: dt.date) -> Iterator[Finding]:
    """Contact details belong to the organisation, never to a person's private mailbox."""
    for path, value in _values(data, "epost"):
        if isinstance(value, str) and _FREE_MAIL.search(value):
            yield path, f"'{value}' ser ut som en privat e-postadress. Ange en funktionsadress hos organisationen (t.ex. rehabteamet@kommun.se)."


def allowed_answers(data: Any, kind: str) -> list[str] | None:
    """The values a guide question of this kind may offer (None: free input, like age)."""
    options = answer_options(data, kind)
    return None if options is None else [value for value, _ in options]


def check_guide_questions(data: Any, today: dt.date) -> Iterator[Finding]:
    guide = data.get("vagvisare") if isinstance(data, dict) else None
    questions = guide.get("fragor") if isinstance(guide, dict) else None
    if not isinstance(questions, list):
        return
    seen_ids: set[str] = set()
    seen_kinds: set[str] = set()
    allowed_by_kind: dict[str, tuple[list[str], set[str]] | None] = {}
    unknown = 0
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            continue
        base = ("vagvisare", "fragor", index)
        # Only text ids and kinds are compared: other types (a list is not even
        # hashable) and missing fields are the schema's to report.
        identity = question.get("id")
        if isinstance(identity, str):
            if identity in seen_ids:
                yield base + ("id",), f"frågan '{identity}' finns redan. Välj ett annat id."
            seen_ids.add(identity)
        kind = question.get("matchar")
        if isinstance(kind, str):
            if kind in seen_kinds and kind not in cond.REPEATABLE_KINDS:
                yield base + ("matchar",), f"det finns redan en fråga som matchar {kind}. Varje fält får bara ha en fråga."
            seen_kinds.add(kind)
        if isinstance(kind, str) and kind not in allowed_by_kind:
            found = allowed_answers(data, kind)
            allowed_by_kind[kind] = (found, set(found)) if found is not None else None
        allowed = allowed_by_kind.get(kind) if isinstance(kind, str) else None
        if "behov_vid_ja" in question and kind != "janej":
            yield base + ("behov_vid_ja",), "behov_vid_ja gäller bara ja/nej-frågor (matchar: janej). Ta bort fältet."
        answers = question.get("svar")
        if kind == "alder" and answers:
            yield base + ("svar",), "en åldersfråga har inga fasta svar. Ta bort svar."
            continue
        for position, answer in enumerate(answers if isinstance(answers, list) else []):
            value = answer.get("varde") if isinstance(answer, dict) else None
            if allowed is not None and isinstance(value, str) and value not in allowed[1]:
                unknown += 1
                hint = suggest(value, allowed[0]) if unknown <= MAX_SUGGESTIONS else ""
                yield base + ("svar", position, "varde"), (f"'{value}' är inget giltigt svar för en fråga om {kind}."
                                                          f"{hint} Tillåtna: {listing(allowed[0])}.")


# --- the guide's conditions and test cases -------------------------------------------

def _guide_questions(data: Any) -> dict[str, tuple[dict, list[str] | None]]:
    """Question id -> (question, the values it offers, or None for a number)."""
    found: dict[str, tuple[dict, list[str] | None]] = {}
    for question in cond.questions(data):
        identity, kind = question.get("id"), question.get("matchar")
        if isinstance(identity, str) and isinstance(kind, str) and identity not in found:
            offered = cond.options(data, question)
            found[identity] = (question, None if offered is None else [value for value, _ in offered])
    return found


def _rule_fields(condition: dict, base: Path) -> Iterator[Finding]:
    """The value fields a rule reads are there, of the right type, and no other value field is."""
    rule = condition.get("regel")
    fields = cond.RULE_FIELDS.get(rule) if isinstance(rule, str) else None
    if fields is None:
        return
    for name, kind in fields.items():
        value = condition.get(name)
        if name not in condition:
            what = "ett heltal" if kind is int else "en lista" if kind is list else "en text"
            yield base, f"regeln {rule} kräver fältet {name} ({what}). Lägg till det."
        elif kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            yield base + (name,), f"regeln {rule} jämför tal: {name} ska vara ett heltal 0–120."
        elif kind is list and not isinstance(value, list):
            yield base + (name,), f"regeln {rule} jämför med flera svar: {name} ska vara en lista, t.ex. [ja]."
        elif kind is str and not isinstance(value, str):
            yield base + (name,), f"regeln {rule} jämför med ett svar: {name} ska vara en text, t.ex. ja."
    for name in ("varde", "varden", "min", "max"):
        if name in condition and name not in fields:
            yield base + (name,), f"fältet {name} används inte av regeln {rule}. Ta bort det eller byt regel."


def _condition_findings(condition: dict, asked: dict, insatser: dict, record: dict, base: Path) -> Iterator[Finding]:
    problems = list(_rule_fields(condition, base))
    yield from problems
    identity = condition.get("fraga")
    if problems or not isinstance(identity, str):
        return
    if identity not in asked:
        yield base + ("fraga",), (f"frågan '{identity}' finns inte i vägvisaren.{suggest(identity, list(asked))} "
                                  f"Frågor: {listing(list(asked))}.")
        return
    question, values = asked[identity]
    kind = question.get("matchar")
    if kind not in cond.CONDITION_KINDS:
        usable = [q for q, (item, _) in asked.items() if item.get("matchar") in cond.CONDITION_KINDS]
        yield base + ("fraga",), (f"frågan '{identity}' ({kind}) kan inte ha villkor: den har flera svar eller styr bara "
                                  f"visningen. Villkor kan ställas på: {listing(usable)}.")
        return
    rule = condition.get("regel")
    fitting = cond.NUMBER_RULES if values is None else cond.CHOICE_RULES
    if isinstance(rule, str) and rule not in fitting:
        yield base + ("regel",), (f"regeln {rule} passar inte frågan '{identity}', som besvaras med "
                                  f"{'ett tal' if values is None else 'ett val'}. Använd {' eller '.join(fitting)}.")
        return
    if values is not None:
        chosen = [(("varde",), condition.get("varde"))] if rule == "lika" else \
            [(("varden", i), v) for i, v in enumerate(condition.get("varden") or [])] if rule == "i" else []
        for where, value in chosen:
            if value == cond.UNKNOWN:
                yield base + where, (f"'{cond.UNKNOWN}' betyder att svaret saknas och kan inte ingå i en regel. "
                                     "Skriv vad som ska gälla då under om_okant.")
            elif isinstance(value, str) and value not in values:
                yield base + where, (f"'{value}' är inget svar på frågan '{identity}'.{suggest(value, values)} "
                                     f"Tillåtna: {listing([v for v in values if v != cond.UNKNOWN])}.")
    elif rule == "mellan" and isinstance(condition.get("min"), int) and isinstance(condition.get("max"), int) \
            and condition["min"] > condition["max"]:
        yield base + ("max",), f"max ({condition['max']}) är mindre än min ({condition['min']}). Byt plats på dem."
    if record.get("typ") != cond.ORDINARY_KIND and condition.get("om_okant") == "fraga":
        yield base + ("om_okant",), ("en insats som inte är ordinarie får aldrig visas som 'kan passa' när svaret "
                                     "saknas. Skriv om_okant: stam_av.")
    targets = condition.get("hanvisa_till")
    for position, target in enumerate(targets if isinstance(targets, list) else []):
        other = insatser.get(target) if isinstance(target, str) else None
        if target == record.get("id"):
            yield base + ("hanvisa_till", position), "en insats kan inte hänvisa till sig själv. Ta bort hänvisningen."
        elif other is not None and other.get("typ") != cond.ORDINARY_KIND:
            yield base + ("hanvisa_till", position), (f"'{target}' är inte en ordinarie insats (typ {other.get('typ')}). "
                                                      "Hänvisa bara till ordinarie insatser.")


def _usable(condition: Any) -> bool:
    """Whether a condition has the shape the evaluation needs (the schema explains what is wrong if not)."""
    if not isinstance(condition, dict) or not isinstance(condition.get("fraga"), str):
        return False
    if condition.get("typ") not in ("krav", "uteslutning") or condition.get("om_okant") not in cond.OUTCOME_ON_UNKNOWN:
        return False
    fields = cond.RULE_FIELDS.get(condition.get("regel")) if isinstance(condition.get("regel"), str) else None
    if fields is None:
        return False
    for name, kind in fields.items():
        value = condition.get(name)
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return False
        elif kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            return False
        elif kind is str and not isinstance(value, str):
            return False
    return True


# Limits in malgrupp that become conditions, by the question kind that must ask them.
LIMIT_KINDS = (("kommuner", "kommun"), ("alder", "alder"), ("forsorjning", "forsorjning"),
               ("kraver_aktivitetsformaga", "aktivitet"))


def check_conditions(data: Any, today: dt.date) -> Iterator[Finding]:
    """Conditions name a question the guide asks, a rule that fits it and values it can have,
    refer on to ordinary measures, and can be met by some answer; every limit in a target
    group has a question that asks it."""
    asked = _guide_questions(data)
    insatser = ids_in(data, "insatser")
    kinds = {question.get("matchar") for question, _ in asked.values()}
    question_index = cond.QuestionIndex(data)
    unasked_reported: set[str] = set()
    for index, record in _records(data, "insatser"):
        own = record.get("villkor")
        own = own if isinstance(own, list) else []
        broken = False
        for position, condition in enumerate(own):
            if isinstance(condition, dict):
                problems = list(_condition_findings(condition, asked, insatser, record, ("insatser", index, "villkor", position)))
                broken = broken or bool(problems) or not _usable(condition)
                yield from problems
            else:
                broken = True
        target = record.get("malgrupp") if isinstance(record.get("malgrupp"), dict) else {}
        for field, kind in LIMIT_KINDS if asked else ():
            if target.get(field) not in (None, False, [], {}) and kind not in kinds and kind not in unasked_reported:
                unasked_reported.add(kind)
                yield ("insatser", index, "malgrupp", field), (
                    f"vägvisaren har ingen fråga av typen {kind}, så gränsen i malgrupp.{field} kan inte prövas och "
                    f"insatsen skulle visas för alla. Lägg till en fråga med matchar: {kind} under vagvisare.fragor.")
        target = record.get("malgrupp") if isinstance(record.get("malgrupp"), dict) else {}
        needs = target.get("behov") if isinstance(target.get("behov"), list) else []
        primary = record.get("primart_for")
        for position, need in enumerate(primary if isinstance(primary, list) else []):
            if isinstance(need, str) and need not in needs:
                yield ("insatser", index, "primart_for", position), (
                    f"'{need}' står inte bland behoven under malgrupp.behov. Lägg till behovet där eller ta bort det här.")
        if broken:
            continue
        # Satisfiable: per question, some answer meets every condition on it (own and derived).
        by_question: dict[str, list[tuple[int | None, dict]]] = {}
        positions = {id(c): p for p, c in enumerate(own)}
        for condition in cond.conditions_of(data, record, question_index):
            if condition["fraga"] in asked:
                by_question.setdefault(condition["fraga"], []).append((positions.get(id(condition)), condition))
        for identity, found in by_question.items():
            if len(found) < 2 and found[0][1].get("typ") == "krav":
                continue
            if not cond.satisfiable([c for _, c in found], asked[identity][1]):
                where = next((p for p, _ in found if p is not None), None)
                path = ("insatser", index, "villkor", where) if where is not None else ("insatser", index, "malgrupp")
                yield path, (f"inget svar på frågan '{identity}' uppfyller alla villkor på den, så insatsen kan aldrig "
                             "passa. Ändra eller ta bort ett av villkoren.")


def check_guide_cases(data: Any, today: dt.date) -> Iterator[Finding]:
    """Test cases answer questions that exist with values they offer, and name measures that exist."""
    guide = data.get("vagvisare") if isinstance(data, dict) else None
    cases = guide.get("testfall") if isinstance(guide, dict) else None
    if not isinstance(cases, list):
        return
    asked = _guide_questions(data)
    insatser = ids_in(data, "insatser")
    names: set[str] = set()
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            continue
        base = ("vagvisare", "testfall", index)
        name = case.get("namn")
        if isinstance(name, str):
            if name in names:
                yield base + ("namn",), (f"det finns redan ett testfall som heter '{name}'. Ge varje testfall ett eget "
                                         "namn; sammanfattningen i en pull request jämför dem efter namn.")
            names.add(name)
        answers = case.get("svar") if isinstance(case.get("svar"), dict) else {}
        for identity, value in answers.items():
            if identity not in asked:
                yield base + ("svar", identity), (f"frågan '{identity}' finns inte i vägvisaren.{suggest(identity, list(asked))} "
                                                  f"Frågor: {listing(list(asked))}.")
                continue
            question, values = asked[identity]
            several = question.get("matchar") in cond.MULTI_KINDS
            if values is None:
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
                    yield base + ("svar", identity), (f"frågan '{identity}' besvaras med ett heltal 0–120 utan "
                                                      "citattecken, t.ex. 34.")
                continue
            if several != isinstance(value, list):
                yield base + ("svar", identity), (f"frågan '{identity}' besvaras med "
                                                  + ("en lista, t.ex. [bostad]." if several else "ett enda värde, inte en lista."))
                continue
            for item in value if isinstance(value, list) else [value]:
                if item not in values:
                    yield base + ("svar", identity), (f"'{item}' är inget svar på frågan '{identity}'.{suggest(str(item), values)} "
                                                      f"Tillåtna: {listing(values)}.")
        outcomes = case.get("utfall") if isinstance(case.get("utfall"), dict) else {}
        for identity in outcomes:
            if identity not in insatser:
                yield base + ("utfall", identity), (f"insatsen '{identity}' finns inte under insatser.{suggest(identity, list(insatser))} "
                                                    "Rätta id:t.")


CHECKS: list[Callable[[Any, dt.date], Iterator[Finding]]] = [
    check_unique_ids,
    check_reserved_ids,
    check_references,
    check_reference_meaning,
    check_dates,
    check_date_order,
    check_contact_formats,
    check_texts,
    check_text_links,
    check_private_email,
    check_guide_questions,
    check_conditions,
    check_guide_cases,
    # Follow-up figures, decisions and the publisher (steering_rules.py).
    *steering_rules.CHECKS,
]
