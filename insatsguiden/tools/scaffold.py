"""Add a new insats to the data file by inserting text, never by rewriting it.

Coordinators keep comments, blank lines and their own formatting in
`data/insatser.yaml`; loading and dumping the YAML would lose all of that. So
the new entry is rendered as text and inserted after the last line of the
`insatser:` list, and every other byte of the file stays as it was. Before
anything is written, the result is checked three ways: it loads to exactly
the old data plus the new entry, it passes the full validation, and the
original file was valid to begin with. On any error nothing is written.

`main` is called by `scripts/new_insats.py`, which passes today's date.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from .. import DEFAULT_DATA
from ..model.loader import _FORBIDDEN_CHARS, PosDict, decode, load_text
from ..model.reader import read_bytes
from ..model.problems import DataError, Problem, format_problems, summary, visible
from ..model.schema import load_schema, suggest, vocabulary
from ..model.validate import validate_text

_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_BOM = b"\xef\xbb\xbf"


class AnswerError(ValueError):
    """An answer that cannot be used; the message is Swedish and says what to do."""


class ScaffoldError(Exception):
    """The entry cannot be added; carries Swedish lines to print (and problems, if any)."""

    def __init__(self, message: str, problems: list[Problem] | None = None, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.exit_code = exit_code  # 2 when the file itself cannot be read


# --- the existing file ---------------------------------------------------------

@dataclass
class DataFile:
    """The data file as bytes and as loaded data, with what a new entry must fit."""

    raw: bytes
    text: str            # decoded, without a BOM
    data: PosDict
    name: str

    @property
    def bom(self) -> bytes:
        return _BOM if self.raw.startswith(_BOM) else b""

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def ids(self, section: str) -> dict[str, str]:
        """id -> display name for a section, in file order."""
        found: dict[str, str] = {}
        for record in self.data.get(section) or []:
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                found[record["id"]] = str(record.get("namn") or record.get("titel") or record["id"])
        return found


def read_data_file(path: Path, name: str, today: dt.date) -> DataFile:
    """Read and check the file the entry is added to. Raises ScaffoldError."""
    try:
        raw = read_bytes(path, name)
    except DataError as error:
        raise ScaffoldError(f"{error.problems[0].text()} Inget har ändrats.", exit_code=2) from None
    try:
        text = decode(raw, name)
        data = load_text(text, name)
    except DataError as error:
        raise ScaffoldError(f"{name} kan inte läsas. Rätta felen först; inget har ändrats.", error.problems) from None
    result = validate_text(text, name, today)
    if not result.ok:
        raise ScaffoldError(f"{name} har redan fel. Rätta dem först (python scripts/validate.py); inget har ändrats.",
                            result.problems)
    return DataFile(raw, text, data, name)


# --- the answers -----------------------------------------------------------------

@dataclass
class Question:
    key: str               # attribute of the answers and argparse dest
    option: str            # command-line option
    prompt: str            # what is asked, in Swedish
    parse: Callable[[str, DataFile, dict], Any]
    optional: bool = False
    default: Callable[[DataFile, dict], str | None] = lambda data, answers: None
    choices: Callable[[DataFile], list[tuple[str, str]]] | None = None  # (value, label) shown before asking
    help: str = ""


def _max_length(definition: str) -> int:
    return load_schema()["$defs"][definition]["maxLength"]


def _text(kind: str) -> Callable[[str, DataFile, dict], str]:
    def parse(raw: str, data: DataFile, answers: dict) -> str:
        value = raw.strip()
        if not value:
            raise AnswerError("får inte vara tomt. Skriv en text.")
        if _FORBIDDEN_CHARS.search(value):
            raise AnswerError("innehåller ett osynligt styr- eller riktningstecken. Skriv texten igen utan det.")
        limit = _max_length(kind)
        if len(value) > limit:
            raise AnswerError(f"är för lång ({len(value)} tecken, högst {limit}). Korta den.")
        return value
    return parse


def _parse_id(raw: str, data: DataFile, answers: dict) -> str:
    value = raw.strip()
    if not _ID.match(value) or len(value) > 80:
        raise AnswerError(f"'{value}' är inget giltigt id. Använd små bokstäver a–z, siffror och bindestreck, t.ex. evi-ludvika.")
    if value in data.ids("insatser"):
        raise AnswerError(f"id '{value}' används redan av insatsen {data.ids('insatser')[value]}. Välj ett annat id.")
    return value


def _slug(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(table)).strip("-")[:80].strip("-")


def _default_id(data: DataFile, answers: dict) -> str | None:
    slug = _slug(answers.get("namn") or "")
    return slug if slug and _ID.match(slug) and slug not in data.ids("insatser") else None


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _vocabulary_choices(name: str) -> Callable[[DataFile], list[tuple[str, str]]]:
    return lambda data: [(value, meta["title"]) for value, meta in vocabulary(name).items()]


def _pick(raw: str, options: list[tuple[str, str]], what: str) -> str:
    """A value by id or by its number in the list shown."""
    value = raw.strip()
    allowed = [option for option, _ in options]
    if value.isdigit() and 1 <= int(value) <= len(options):
        return allowed[int(value) - 1]
    if value in allowed:
        return value
    raise AnswerError(f"'{value}' är inte {what}.{suggest(value, allowed)} Tillåtna värden: {', '.join(allowed)}.")


def _one_of(name: str, what: str) -> Callable[[str, DataFile, dict], str]:
    def parse(raw: str, data: DataFile, answers: dict) -> str:
        return _pick(raw, _vocabulary_choices(name)(data), what)
    return parse


def _many_of(name: str, what: str) -> Callable[[str, DataFile, dict], list[str]]:
    def parse(raw: str, data: DataFile, answers: dict) -> list[str]:
        options = _vocabulary_choices(name)(data)
        values = [_pick(part, options, what) for part in _split(raw)]
        return list(dict.fromkeys(values))
    return parse


def _references(section: str, noun: str, required: bool) -> Callable[[str, DataFile, dict], list[str]]:
    def parse(raw: str, data: DataFile, answers: dict) -> list[str]:
        known = data.ids(section)
        values = list(dict.fromkeys(_split(raw)))
        if required and not values:
            raise AnswerError(f"ange minst en {noun} (id under {section}).")
        unknown = [value for value in values if value not in known]
        if unknown:
            details = "; ".join(f"'{value}'{suggest(value, known)}" for value in unknown)
            raise AnswerError(f"okänd {noun} under {section}: {details} Kända id:n: {', '.join(known) or '(inga)'}.")
        return values
    return parse


def _reference(section: str, noun: str) -> Callable[[str, DataFile, dict], str]:
    many = _references(section, noun, required=True)

    def parse(raw: str, data: DataFile, answers: dict) -> str:
        values = many(raw, data, answers)
        if len(values) != 1:
            raise AnswerError(f"ange exakt en {noun}.")
        return values[0]
    return parse


def _parse_yes_no(raw: str, data: DataFile, answers: dict) -> bool:
    value = raw.strip().lower()
    if value in ("ja", "j", "true"):
        return True
    if value in ("nej", "n", "false"):
        return False
    raise AnswerError(f"svara ja eller nej, inte '{raw.strip()}'.")


def _references_choices(section: str) -> Callable[[DataFile], list[tuple[str, str]]]:
    return lambda data: list(data.ids(section).items())


def _single_source(data: DataFile, answers: dict) -> str | None:
    sources = data.ids("kallor")
    return next(iter(sources)) if len(sources) == 1 else None


QUESTIONS: list[Question] = [
    Question("namn", "--namn", "Insatsens namn (t.ex. EVI Ludvika)", _text("kort_text")),
    Question("id", "--id", "Id (små bokstäver a–z, siffror och bindestreck; ändras aldrig)", _parse_id, default=_default_id),
    Question("typ", "--typ", "Typ av insats", _one_of("insatstyp", "en insatstyp"), choices=_vocabulary_choices("insatstyp")),
    Question("syfte", "--syfte", "Syfte, i en eller två meningar", _text("text")),
    Question("malgrupp", "--malgrupp", "Målgrupp, beskriven i text", _text("text")),
    Question("kommuner", "--kommuner", "Kommuner där insatsen finns (id, skilj med komma)",
             _references("kommuner", "kommun", required=True), choices=_references_choices("kommuner")),
    Question("behov", "--behov", "Behov som insatsen möter (id, skilj med komma)",
             _references("behov", "behov", required=True), choices=_references_choices("behov")),
    Question("remittenter", "--remittenter", "Vilka som får remittera (nummer eller värde, skilj med komma; tomt = ingen)",
             _many_of("remittent", "en remittent"), optional=True, choices=_vocabulary_choices("remittent")),
    Question("egen_ansokan", "--egen-ansokan", "Får personen själv ansöka eller ta kontakt? (ja/nej)", _parse_yes_no),
    Question("intag", "--intag", "Intagsstatus", _one_of("intagsstatus", "en intagsstatus"), choices=_vocabulary_choices("intagsstatus")),
    Question("drivs_av", "--drivs-av", "Drivs av (organisationens id, skilj med komma; tomt om källan inte säger det)",
             _references("organisationer", "organisation", required=False), optional=True,
             choices=_references_choices("organisationer")),
    Question("kalla", "--kalla", "Källa (id under kallor)", _reference("kallor", "källa"), default=_single_source,
             choices=_references_choices("kallor")),
    Question("avsnitt", "--avsnitt", "Avsnitt i källan (t.ex. 4.2)", _text("kort_text")),
    Question("granskad_av", "--granskad-av", "Vilken roll som granskat uppgifterna (t.ex. Samordnare)", _text("kort_text")),
]


def check_answers(given: dict[str, str], data: DataFile) -> tuple[dict[str, Any], list[str]]:
    """Parse every answer given as an option: (answers, Swedish errors for all that failed)."""
    answers: dict[str, Any] = {}
    errors: list[str] = []
    for question in QUESTIONS:
        if given.get(question.key) is None:
            continue
        try:
            answers[question.key] = question.parse(given[question.key], data, answers)
        except AnswerError as error:
            errors.append(f"{question.option}: {error}")
    return answers, errors


class InputEnded(Exception):
    pass


def ask(question: Question, data: DataFile, answers: dict, read: Callable[[str], str], write: Callable[[str], None]) -> Any:
    """Ask until the answer can be used. Raises InputEnded at end of input."""
    if question.choices is not None:
        options = question.choices(data)
        write(f"\n{question.prompt}. Möjliga värden:")
        shown = options[:40]
        for number, (value, label) in enumerate(shown, start=1):
            write(f"  {number:>2}) {value} – {label}" if label != value else f"  {number:>2}) {value}")
        if len(options) > len(shown):
            write(f"  … och {len(options) - len(shown)} till.")
    default = question.default(data, answers)
    prompt = question.prompt + (f" [{default}]" if default else "") + ": "
    while True:
        try:
            raw = read(prompt)
        except EOFError:
            raise InputEnded from None
        if not raw.strip() and default:
            raw = default
        if not raw.strip() and question.optional:
            return question.parse("", data, answers)
        try:
            return question.parse(raw, data, answers)
        except AnswerError as error:
            write(f"  Fel: {error}")


# --- rendering -------------------------------------------------------------------------

def _plain_is_safe(value: str) -> bool:
    """True when `value` reads back as the same text without quotes, in our loader and in YAML 1.1 editors."""
    if not value or value != value.strip() or "\n" in value or "\r" in value:
        return False
    try:
        ours = load_text(f"k: {value}\n", "-")
        theirs = yaml.safe_load(f"k: {value}\n")
    except (DataError, yaml.YAMLError):
        return False
    return ours == {"k": value} and theirs == {"k": value}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _plain_is_safe(value):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def flow_list(values: list[str]) -> str:
    return "[" + ", ".join(scalar(value) for value in values) + "]"


def entry_structure(answers: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The new insats as data: what the file must contain after insertion."""
    entry: dict[str, Any] = {
        "id": answers["id"],
        "namn": answers["namn"],
        "typ": answers["typ"],
        "syfte": answers["syfte"],
        "malgrupp": {"beskrivning": answers["malgrupp"], "kommuner": answers["kommuner"], "behov": answers["behov"]},
        "remiss": {"remittenter": answers["remittenter"], "egen_ansokan": answers["egen_ansokan"]},
        "intag": {"status": answers["intag"]},
    }
    if answers.get("drivs_av"):
        entry["drivs_av"] = answers["drivs_av"]
    entry["senast_granskad"] = {"datum": today.isoformat(), "av": answers["granskad_av"]}
    entry["kallor"] = [{"kalla": answers["kalla"], "avsnitt": answers["avsnitt"]}]
    return entry


# Values written in quotes whatever they look like: dates, and section numbers like "3" or "4.2".
ALWAYS_QUOTED = {"datum", "avsnitt"}


def _block(mapping: dict[str, Any], indent: int) -> list[str]:
    """2-space block YAML for a mapping; lists of ids on one line (`kommuner: [ludvika]`) as in the data file."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines += [f"{pad}{key}:"] + _block(value, indent + 2)
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value) and value:
            lines.append(f"{pad}{key}:")
            for item in value:
                item_lines = _block(item, indent + 4)
                lines += [f"{pad}  - {item_lines[0].lstrip()}"] + item_lines[1:]
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: {flow_list(value)}")
        else:
            lines.append(f"{pad}{key}: {quoted(value) if key in ALWAYS_QUOTED else scalar(value)}")
    return lines


def render_entry(entry: dict[str, Any], indent: int) -> list[str]:
    """Lines of the new list item (no line endings), its '- ' at column `indent`."""
    lines = _block(entry, indent + 2)
    return [" " * indent + "- " + lines[0].lstrip()] + lines[1:]


# --- where the entry goes ----------------------------------------------------------------

@dataclass
class Insertion:
    offset: int          # character offset in the decoded text
    text: str            # what is inserted there
    first_line: int      # 1-based line numbers of the new entry in the result
    last_line: int


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def plan_insertion(data_file: DataFile, entry: dict[str, Any]) -> Insertion:
    """Where and what to insert so that the entry becomes the last item of `insatser:`."""
    data, text = data_file.data, data_file.text
    if "insatser" not in data:
        raise ScaffoldError(f"{data_file.name}: avsnittet insatser: saknas.")
    key_line, key_col = data.key_pos["insatser"]
    items = data["insatser"]
    if key_col != 1 or not items or data.value_pos["insatser"][0] == key_line:
        raise ScaffoldError(f"{data_file.name}: insatser: är inte en lista med en insats per rad ('  - id: …') "
                            "som de andra avsnitten. Lägg till insatsen för hand enligt CONTRIBUTING.md.")
    lines = text.splitlines(keepends=True)
    # Indentation of the list's '- ', read from the line of the first item.
    first_item_line = lines[items.value_pos[0][0] - 1]
    dash_indent = _indent_of(first_item_line)
    if first_item_line[dash_indent:dash_indent + 2] != "- ":
        raise ScaffoldError(f"{data_file.name}:{items.value_pos[0][0]}: insatserna är inte skrivna som '- id: …'. "
                            "Lägg till insatsen för hand enligt CONTRIBUTING.md.")
    # The section ends where the next top-level key starts (or at the end of the file).
    next_keys = [line for line, col in data.key_pos.values() if line > key_line]
    section_end = min(next_keys) - 1 if next_keys else len(lines)  # last line index (exclusive, 0-based)
    # The last line that belongs to the list: content, or a comment indented like the items.
    # Comments at column 0 before the next section belong to that section.
    last = None
    for index in range(section_end - 1, key_line - 1, -1):
        stripped = lines[index].strip()
        if not stripped:
            continue
        if stripped.startswith("#") and (_indent_of(lines[index]) == 0 or _indent_of(lines[index]) < dash_indent):
            continue
        last = index
        break
    if last is None or last < items.value_pos[-1][0] - 1:
        raise ScaffoldError(f"{data_file.name}: hittar inte slutet på listan insatser. Lägg till insatsen för hand enligt CONTRIBUTING.md.")
    newline = data_file.newline
    # Keep the file's habit: a blank line between items if the last two are separated by one.
    last_item_start = items.value_pos[-1][0] - 1
    blank_between = last_item_start > 0 and not lines[last_item_start - 1].strip() and len(items) > 1
    entry_lines = render_entry(entry, dash_indent)
    offset = sum(len(line) for line in lines[: last + 1])
    body = (newline if blank_between else "") + newline.join(entry_lines)
    if lines[last].endswith(("\n", "\r")):
        insertion_text = body + newline
    else:  # the file ends here without a final line break: start a line, and keep it without one
        insertion_text = newline + body
    first_line = last + 2 + (1 if blank_between else 0)
    return Insertion(offset, insertion_text, first_line, first_line + len(entry_lines) - 1)


def apply(data_file: DataFile, insertion: Insertion) -> str:
    return data_file.text[: insertion.offset] + insertion.text + data_file.text[insertion.offset:]


def verify(data_file: DataFile, new_text: str, entry: dict[str, Any], today: dt.date) -> None:
    """The result must load to the old data plus the entry, and be valid. Raises ScaffoldError."""
    try:
        new_data = load_text(new_text, data_file.name)
    except DataError as error:
        raise ScaffoldError("Den nya insatsen gick inte att lägga in utan fel i YAML; inget har ändrats.", error.problems) from None
    old_data = data_file.data
    expected_insatser = list(old_data["insatser"]) + [entry]
    same_rest = set(new_data) == set(old_data) and all(new_data[key] == old_data[key] for key in old_data if key != "insatser")
    if not same_rest or list(new_data["insatser"]) != expected_insatser:
        raise ScaffoldError(f"{data_file.name}: filens formatering är ovanlig, så insatsen kunde inte läggas till utan att "
                            "något annat ändrades. Inget har ändrats. Lägg till insatsen för hand enligt CONTRIBUTING.md.")
    result = validate_text(new_text, data_file.name, today)
    if not result.ok:
        raise ScaffoldError("Med den nya insatsen skulle filen bli ogiltig, så inget har ändrats. "
                            "Radnumren gäller filen med den nya insatsen:", result.problems)


def write_atomically(path: Path, content: bytes) -> None:
    """Write next to the file and rename over it, so an interrupted write never leaves half a file."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".new_insats-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def add_insats(data_file: DataFile, answers: dict[str, Any], today: dt.date) -> tuple[bytes, Insertion]:
    """The new file content and where the entry went. Raises ScaffoldError; writes nothing."""
    entry = entry_structure(answers, today)
    insertion = plan_insertion(data_file, entry)
    new_text = apply(data_file, insertion)
    verify(data_file, new_text, entry, today)
    return data_file.bom + new_text.encode("utf-8"), insertion


# --- command line ---------------------------------------------------------------------------

def build_parser():
    from .cli import SwedishParser, parse_today

    parser = SwedishParser(
        prog="new_insats.py",
        description="Lägger till en ny insats sist i listan insatser i datafilen. Frågar efter det som inte "
                    "anges som flaggor. Resten av filen lämnas exakt som den är.")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="datafilen (standard: data/insatser.yaml)")
    for question in QUESTIONS:
        parser.add_argument(question.option, dest=question.key, default=None, metavar="VÄRDE", help=question.prompt)
    parser.add_argument("--today", type=parse_today, default=None,
                        help="datum för senast_granskad och valideringen, ÅÅÅÅ-MM-DD (standard: idag)")
    parser.add_argument("--utan-fragor", action="store_true",
                        help="fråga inte; allt som krävs måste anges som flaggor (--drivs-av och --remittenter får utelämnas)")
    parser.add_argument("--dry-run", action="store_true", help="visa den nya insatsen men ändra inte filen")
    return parser


def fill_without_questions(parser, data_file: DataFile, answers: dict[str, Any]) -> None:
    """--utan-fragor: defaults (id from the name, the only source) and empty optional lists, or a usage error."""
    missing = []
    for question in QUESTIONS:
        if question.key in answers:
            continue
        default = question.default(data_file, answers)
        if default is not None:
            answers[question.key] = question.parse(default, data_file, answers)
        elif question.optional:
            answers[question.key] = question.parse("", data_file, answers)
        else:
            missing.append(question.option)
    if missing:
        parser.error("dessa uppgifter saknas: " + ", ".join(missing))


def main(argv: list[str], default_today: dt.date, read: Callable[[str], str] = input) -> int:
    from ..model.reader import display_path

    parser = build_parser()
    args = parser.parse_args(argv)
    today = args.today or default_today
    out = sys.stdout

    def write(line: str) -> None:
        print(line, file=out, flush=True)

    path = Path(args.file)
    name = display_path(args.file)
    given = {question.key: getattr(args, question.key) for question in QUESTIONS}
    try:
        data_file = read_data_file(path, name, today)
        answers, errors = check_answers(given, data_file)
        if errors:
            # One line per answer: what an answer echoes is shown with its control characters visible.
            raise ScaffoldError("Uppgifterna kan inte användas; inget har ändrats:\n" + "\n".join(f"  {visible(str(e))}" for e in errors))
        if args.utan_fragor:
            fill_without_questions(parser, data_file, answers)
        elif len(answers) < len(QUESTIONS):
            write(f"Ny insats i {name}. Tryck Enter för att välja värdet inom [ ].")
            for question in QUESTIONS:
                if question.key not in answers:
                    answers[question.key] = ask(question, data_file, answers, read, write)
        content, insertion = add_insats(data_file, answers, today)
    except InputEnded:
        print(f"{parser.prog}: inmatningen tog slut innan alla uppgifter var ifyllda. Inget har ändrats.", file=sys.stderr)
        return 2
    except ScaffoldError as error:
        if error.problems:
            print(format_problems(error.problems), file=out)
        print(error.message, file=sys.stderr)
        if error.problems:
            print(summary(error.problems), file=sys.stderr)
        return error.exit_code
    if args.dry_run:
        write(insertion.text.strip("\r\n"))
        write(f"(Provkörning: {name} har inte ändrats.)")
        return 0
    write_atomically(path, content)
    write(f"\nLade till insatsen '{answers['id']}' ({answers['namn']}) på rad {insertion.first_line}–{insertion.last_line} i {name}.")
    write("Läs igenom den, fyll i fler fält (kontakter, kriterier, arbetsgång …) och kör python scripts/validate.py.")
    return 0
