"""What changed between two versions of the data, per record, in Swedish.

A line diff of YAML shows indentation and quotes; a reviewer wants to know
"EVI Ludvika: intagsstatus Öppen → Stängd; kontakt verifierad 2021-09-30 →
2026-11-20". Records are matched by id (their order does not matter), list
items by a natural key (a contact by its role, a step by its heading, a
citation by source and section), values are shown with their Swedish labels
from the schema and references by the name of what they point to.

`main` is called by `scripts/diff_data.py`, which passes today's date.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import DEFAULT_DATA
from ..model.loader import decode, load_text
from ..model.reader import read_bytes
from ..model.problems import DataError, format_problems, summary, visible
from ..model.problems import markdown_code as code, markdown_text as md
from ..model.rules import fields_of
from ..model.schema import labels, load_schema
from ..model.vocabulary import BY_KEY, REFERENCES, field_label, field_name, heading
from ..model.validate import validate_file

# The order sections are reported in: what reviewers care about most first.
SECTION_ORDER = ("insatser", "overenskommelser", "organisationer", "ej_tackta_behov", "behov", "kommuner", "kallor",
                 "vagvisare", "installningar", "version")
def _label(dotted: str) -> str | None:
    """A field's name inside a sentence: the schema's title with a small first letter."""
    title = field_label(dotted)
    return title[:1].lower() + title[1:] if title else None


# List items: (noun, "new" adjective, "removed" adjective, key field that identifies an item).
ITEMS = {
    "kontakter": ("kontakt", "ny", "borttagen", "roll"),
    "arbetsgang": ("steg", "nytt", "borttaget", "steg"),
    "atagande": ("åtagande", "nytt", "borttaget", "part"),
    "avvikelser": ("avvikelse", "ny", "borttagen", "text"),
    "kallor": ("källhänvisning", "ny", "borttagen", ("kalla", "avsnitt")),
    "fragor": ("fråga", "ny", "borttagen", "id"),
    "svar": ("svar", "nytt", "borttaget", "varde"),
}
GENERIC_ITEM = ("punkt", "ny", "borttagen", "id")
EMPTY = "(tomt)"
_MISSING = object()


@dataclass
class Change:
    section: str
    record_id: str | None   # None for sections without records (vagvisare, installningar, version)
    name: str
    kind: str               # "ny" | "borttagen" | "andrad"
    details: list[str] = field(default_factory=list)


# --- what the schema says about a field -----------------------------------------------------

@lru_cache(maxsize=None)
def _vocabulary_fields() -> dict[tuple, str]:
    """Path pattern ('insatser', '*', 'intag', 'status') -> vocabulary name, read from the schema."""
    found: dict[tuple, str] = {}
    for name, definition in load_schema()["$defs"].items():
        options = definition.get("oneOf")
        if options and all(isinstance(o, dict) and "const" in o for o in options):
            for pattern in fields_of(name):
                found[pattern] = name
    return found


@lru_cache(maxsize=None)
def _reference_fields() -> dict[tuple, str]:
    return {pattern: target for pattern, target in REFERENCES}


def _record_name(record: Any, fallback: str) -> str:
    if isinstance(record, dict):
        for key in ("namn", "titel", "fraga"):   # a decision (beslut) is named by its question
            if isinstance(record.get(key), str) and record[key]:
                return record[key]
        if isinstance(record.get("id"), str):
            return record["id"]
    return fallback


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in value)


class _Context:
    """Both versions, for names of referenced records (new version first)."""

    def __init__(self, old: Any, new: Any):
        self.names: dict[str, dict[str, str]] = {}
        for root in (old, new):  # new names win
            if not isinstance(root, dict):
                continue
            for section, records in root.items():
                if _is_record_list(records):
                    for record in records:
                        self.names.setdefault(section, {})[record["id"]] = _record_name(record, record["id"])

    def name_of(self, section: str, record_id: Any) -> str:
        return self.names.get(section, {}).get(record_id, str(record_id))


# --- formatting values ---------------------------------------------------------------------------

def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _excerpts(old: str, new: str, width: int = 80) -> tuple[str, str]:
    """Both texts cut down to the part that differs, with a little context."""
    if len(old) <= width and len(new) <= width:
        return old, new
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    context = 20
    begin = max(0, start - context)

    def cut(text: str) -> str:
        stop = min(len(text), len(text) - end + context)
        middle = text[begin:stop]
        return ("…" if begin > 0 else "") + _shorten(middle, width) + ("…" if stop < len(text) and len(middle) <= width else "")

    return cut(old), cut(new)


def _value(value: Any, pattern: tuple, ctx: _Context, text: str | None = None) -> str:
    if value is _MISSING or value is None:
        return EMPTY
    if isinstance(value, bool):
        return "ja" if value else "nej"
    vocabulary = _vocabulary_fields().get(pattern)
    if vocabulary and isinstance(value, str):
        return labels(vocabulary).get(value, value)
    target = _reference_fields().get(pattern)
    if target and isinstance(value, str):
        return ctx.name_of(target, value)
    if isinstance(value, str):
        shown = _shorten(value) if text is None else text
        return f"”{shown}”" if any(ch.isspace() for ch in value) else shown
    if isinstance(value, (dict, list)):
        return "(ändrat innehåll)"
    return str(value)


# --- comparing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Where:
    section: str
    keys: tuple = ()        # field names without list positions, for labels
    pattern: tuple = ()     # full path with '*' for list positions, for the schema lookups
    path: tuple = ()        # path inside the record with positions, for the fallback label
    prefix: str = ""        # "kontakt " or "kontakt (Kundtjänst) " inside list items
    item_keys: int = 0      # how many of `keys` belong to the enclosing item (for labels inside items)

    def child(self, key: Any) -> "_Where":
        if isinstance(key, int):
            return _Where(self.section, self.keys, self.pattern + ("*",), self.path + (key,), self.prefix, self.item_keys)
        return _Where(self.section, self.keys + (key,), self.pattern + (key,), self.path + (key,), self.prefix, self.item_keys)

    def label(self) -> str:
        dotted = ".".join(self.keys)
        if self.prefix:
            return self.prefix + (_label(dotted) or ".".join(self.keys[self.item_keys:]) or dotted)
        return _label(dotted) or field_name(self.path)


def _scalar_change(old: Any, new: Any, where: _Where, ctx: _Context, out: list[str]) -> None:
    if old == new:
        return
    if isinstance(old, str) and isinstance(new, str) and not (_vocabulary_fields().get(where.pattern) or _reference_fields().get(where.pattern)):
        old_text, new_text = _excerpts(old, new)
        out.append(f"{where.label()} {_value(old, where.pattern, ctx, old_text)} → {_value(new, where.pattern, ctx, new_text)}")
        return
    out.append(f"{where.label()} {_value(old, where.pattern, ctx)} → {_value(new, where.pattern, ctx)}")


def _hashable(value: Any) -> Any:
    # Scalars from YAML: text, numbers, booleans, null; the type keeps 1 and True apart.
    return (type(value).__name__, value)


def _scalar_list_change(old: list, new: list, where: _Where, ctx: _Context, out: list[str]) -> None:
    if old == new:
        return
    item_pattern = where.pattern + ("*",)
    if len(old) == 1 and len(new) == 1:  # one value replaced by another reads best as a change
        out.append(f"{where.label()} {_value(old[0], item_pattern, ctx)} → {_value(new[0], item_pattern, ctx)}")
        return
    old_set, new_set = set(map(_hashable, old)), set(map(_hashable, new))
    added = [value for value in new if _hashable(value) not in old_set]
    removed = [value for value in old if _hashable(value) not in new_set]
    parts = []
    if added:
        parts.append("lagt till " + ", ".join(_value(value, item_pattern, ctx) for value in added))
    if removed:
        parts.append("tagit bort " + ", ".join(_value(value, item_pattern, ctx) for value in removed))
    if not parts:
        parts.append("ny ordning")
    out.append(f"{where.label()}: {'; '.join(parts)}")


def _item_key(item: Any, key_field: Any) -> Any:
    if not isinstance(item, dict):
        return None
    if isinstance(key_field, tuple):
        values = tuple(item.get(name) for name in key_field)
        return values if all(isinstance(v, (str, int)) for v in values) else None
    value = item.get(key_field)
    return value if isinstance(value, (str, int)) else None


def _keyed(items: list, key_field: Any) -> dict | None:
    keys = [_item_key(item, key_field) for item in items]
    if any(key is None for key in keys) or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items))


def _item_name(item: Any, list_name: str, where: _Where, ctx: _Context, position: int) -> str:
    if not isinstance(item, dict):
        return f"nr {position + 1}"
    if list_name == "kallor" and isinstance(item.get("kalla"), str):
        return f"{ctx.name_of('kallor', item['kalla'])}, avsnitt {item.get('avsnitt')}"
    key_field = ITEMS.get(list_name, GENERIC_ITEM)[3]
    value = _item_key(item, key_field)
    if value is None:
        return f"nr {position + 1}"
    target = _reference_fields().get(where.pattern + ("*", key_field)) if isinstance(key_field, str) else None
    return ctx.name_of(target, value) if target else _shorten(str(value), 60)


def _item_summary(item: Any, list_name: str, where: _Where, ctx: _Context) -> str:
    """'telefon 0240-86 000, verifierad 2026-11-20' for a new item."""
    if not isinstance(item, dict):
        return ""
    key_field = ITEMS.get(list_name, GENERIC_ITEM)[3]
    skip = set(key_field) if isinstance(key_field, tuple) else {key_field}
    parts = []
    for key, value in item.items():
        if key in skip or isinstance(value, (dict, list)):
            continue
        child = where.child(0).child(key)
        parts.append(f"{_label(f'{list_name}.{key}') or key} {_value(value, child.pattern, ctx)}")
    return ", ".join(parts[:4])


def _dict_list_change(old: list, new: list, where: _Where, ctx: _Context, out: list[str]) -> None:
    list_name = where.keys[-1] if where.keys else ""
    noun, new_word, removed_word, key_field = ITEMS.get(list_name, GENERIC_ITEM)
    old_keyed, new_keyed = _keyed(old, key_field), _keyed(new, key_field)
    if old_keyed is not None and new_keyed is not None:
        pairs = [(old_keyed.get(key, _MISSING), item, position) for position, (key, item) in enumerate(new_keyed.items())]
        pairs += [(item, _MISSING, position) for position, (key, item) in enumerate(old_keyed.items())
                  if key not in new_keyed]
    else:  # no usable key: compare by position
        pairs = [(old[i] if i < len(old) else _MISSING, new[i] if i < len(new) else _MISSING, i)
                 for i in range(max(len(old), len(new)))]
    single = len(old) == 1 and len(new) == 1
    for before, after, position in pairs:
        if before is _MISSING:
            details = _item_summary(after, list_name, where, ctx)
            out.append(f"{new_word} {noun}: {_item_name(after, list_name, where, ctx, position)}" + (f" ({details})" if details else ""))
        elif after is _MISSING:
            out.append(f"{removed_word} {noun}: {_item_name(before, list_name, where, ctx, position)}")
        else:
            name = _item_name(after, list_name, where, ctx, position)
            item_where = where.child(position)
            prefix = f"{where.prefix}{noun} " if single else f"{where.prefix}{noun} ({name}) "
            item_where = _Where(item_where.section, item_where.keys, item_where.pattern, item_where.path, prefix,
                                len(item_where.keys))
            _compare(before, after, item_where, ctx, out)


def _compare(old: Any, new: Any, where: _Where, ctx: _Context, out: list[str]) -> None:
    if old is _MISSING and new is _MISSING:
        return
    if isinstance(old, dict) or isinstance(new, dict):
        if (isinstance(old, dict) or old is _MISSING) and (isinstance(new, dict) or new is _MISSING):
            before = old if isinstance(old, dict) else {}
            after = new if isinstance(new, dict) else {}
            for key in list(after) + [k for k in before if k not in after]:
                _compare(before.get(key, _MISSING), after.get(key, _MISSING), where.child(key), ctx, out)
            return
    if isinstance(old, list) or isinstance(new, list):
        if (isinstance(old, list) or old is _MISSING) and (isinstance(new, list) or new is _MISSING):
            before = old if isinstance(old, list) else []
            after = new if isinstance(new, list) else []
            if all(not isinstance(item, (dict, list)) for item in before + after):
                _scalar_list_change(before, after, where, ctx, out)
            else:
                _dict_list_change(before, after, where, ctx, out)
            return
    _scalar_change(old, new, where, ctx, out)


def _ordered_sections(old: dict, new: dict) -> list[str]:
    present = list(new) + [key for key in old if key not in new]
    return [s for s in SECTION_ORDER if s in present] + [s for s in present if s not in SECTION_ORDER]


def diff(old: Any, new: Any) -> list[Change]:
    """Every change from `old` to `new`, per record, in report order."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    ctx = _Context(old, new)
    changes: list[Change] = []
    for section in _ordered_sections(old, new):
        before, after = old.get(section, _MISSING), new.get(section, _MISSING)
        if before == after:
            continue
        if (before is _MISSING or _is_record_list(before)) and (after is _MISSING or _is_record_list(after)) and section in BY_KEY:
            old_records = {r["id"]: r for r in (before if before is not _MISSING else [])}
            new_records = {r["id"]: r for r in (after if after is not _MISSING else [])}
            for record_id, record in new_records.items():
                if record_id not in old_records:
                    changes.append(Change(section, record_id, _record_name(record, record_id), "ny"))
                    continue
                details: list[str] = []
                for key in list(record) + [k for k in old_records[record_id] if k not in record]:
                    if key == "id":
                        continue
                    _compare(old_records[record_id].get(key, _MISSING), record.get(key, _MISSING),
                             _Where(section, (key,), (section, "*", key), (key,)), ctx, details)
                if details:
                    changes.append(Change(section, record_id, _record_name(record, record_id), "andrad", details))
            for record_id, record in old_records.items():
                if record_id not in new_records:
                    changes.append(Change(section, record_id, _record_name(record, record_id), "borttagen"))
            continue
        details = []
        if isinstance(before, (dict, list)) or isinstance(after, (dict, list)):
            _compare(before, after, _Where(section, (), (section,), ()), ctx, details)
        else:
            _scalar_change(before, after, _Where(section, (section,), (section,), (section,)), ctx, details)
        if details:
            changes.append(Change(section, None, heading(section), "andrad", details))
    return changes


# --- reports ---------------------------------------------------------------------------------------

def line(change: Change) -> str:
    """'Ny insats: Boendestöd (boendestod)' or 'EVI Ludvika: intagsstatus … → …; …'."""
    if change.kind == "ny":
        return f"{BY_KEY[change.section].added}: {change.name} ({change.record_id})"
    if change.kind == "borttagen":
        return f"{BY_KEY[change.section].removed}: {change.name} ({change.record_id})"
    if change.record_id is None or change.section == "insatser":
        subject = change.name
    else:
        subject = f"{BY_KEY[change.section].noun if change.section in BY_KEY else change.section} {change.name}"
    return f"{subject}: {'; '.join(change.details)}"


def counts(changes: list[Change]) -> str:
    added = sum(c.kind == "ny" for c in changes)
    changed = sum(c.kind == "andrad" for c in changes)
    removed = sum(c.kind == "borttagen" for c in changes)
    return (f"{added} {'ny' if added == 1 else 'nya'}, {changed} {'ändrad' if changed == 1 else 'ändrade'}, "
            f"{removed} {'borttagen' if removed == 1 else 'borttagna'}")


def as_text(changes: list[Change], against: str) -> str:
    if not changes:
        return visible(f"Inga ändringar i innehållet jämfört med {against}.")
    return "\n".join(visible(line(change)) for change in changes)


def as_markdown(changes: list[Change], filename: str, against: str, notes: list[str] = ()) -> str:
    lines = [f"## Ändringar i {code(filename)}", ""]
    lines += [f"> {md(note)}" for note in notes] + ([""] if notes else [])
    if not changes:
        lines.append(f"Inga ändringar i innehållet jämfört med {code(against)}.")
        return "\n".join(lines) + "\n"
    lines += [f"Jämfört med {code(against)}: {counts(changes)}.", ""]
    for section in dict.fromkeys(change.section for change in changes):
        lines += [f"### {md(heading(section))}", ""]
        for change in (c for c in changes if c.section == section):
            identity = f" (`{change.record_id}`)" if change.record_id else ""
            if change.kind in ("ny", "borttagen"):
                word = BY_KEY[section].added if change.kind == "ny" else BY_KEY[section].removed
                lines.append(f"- {word}: **{md(change.name)}**{identity}")
            elif change.record_id is None:  # a section without records: its heading says what it is
                lines += [f"- {md(detail)}" for detail in change.details]
            else:
                lines.append(f"- **{md(change.name)}**{identity}")
                lines += [f"  - {md(detail)}" for detail in change.details]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- reading the old version -------------------------------------------------------------------------

class UsageError(Exception):
    pass


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, timeout=60)
    except FileNotFoundError:
        raise UsageError("git finns inte installerat; använd --old FIL i stället för --base.") from None


def read_from_git(ref: str, path: Path) -> bytes | None:
    """The file as it is in `ref` (None if it did not exist there). Raises UsageError."""
    directory = path.resolve().parent
    if _git(directory, "rev-parse", "--show-toplevel").returncode != 0:
        raise UsageError(f"{directory} är inte en git-katalog; använd --old FIL i stället för --base.")
    if ref.startswith("-") or _git(directory, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"hittar inte '{ref}' i git. Hämta den först, t.ex. git fetch origin main.")
    spec = f"{ref}:./{path.name}"
    if _git(directory, "cat-file", "-e", spec).returncode != 0:
        return None
    shown = _git(directory, "show", spec)
    if shown.returncode != 0:
        raise UsageError(f"git show {spec} misslyckades: {shown.stderr.decode('utf-8', 'replace').strip()}")
    return shown.stdout


def load_old(raw: bytes | None, name: str, notes: list[str]) -> Any:
    """The old version's data; when it cannot be read, a note and nothing (everything counts as new)."""
    if raw is None:
        notes.append(f"{name} fanns inte i den tidigare versionen; allt räknas som nytt.")
        return {}
    try:
        return load_text(decode(raw, name), name)
    except DataError as error:
        notes.append(f"Den tidigare versionen ({name}) kunde inte läsas ({error.problems[0].text()}); allt räknas som nytt.")
        return {}


def main(argv: list[str], default_today: dt.date) -> int:
    from ..model.reader import display_path
    from .cli import SwedishParser, exit_code_for, parse_today

    parser = SwedishParser(prog="diff_data.py",
                           description="Visar per post vad som ändrats i datafilen jämfört med en tidigare version.")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="den nya versionen (standard: data/insatser.yaml)")
    parser.add_argument("--base", metavar="REF", help="jämför med filen i en git-version, t.ex. origin/main")
    parser.add_argument("--old", metavar="FIL", help="jämför med en annan fil")
    parser.add_argument("--format", choices=("text", "markdown"), default="text", help="utdataformat")
    parser.add_argument("--today", type=parse_today, default=None, help="dagens datum ÅÅÅÅ-MM-DD för valideringen (standard: idag)")
    args = parser.parse_args(argv)
    if (args.base is None) == (args.old is None):
        parser.error("ange antingen --base REF eller --old FIL (en av dem)")
    today = args.today or default_today
    name = display_path(args.file)
    notes: list[str] = []
    try:
        if args.base is not None:
            raw = read_from_git(args.base, Path(args.file))
            against, old_name = args.base, f"{args.base}:{name}"
        else:
            try:
                raw = read_bytes(args.old, display_path(args.old))
            except DataError as error:
                raise UsageError(f"--old: {error.problems[0].text()}") from None
            against = old_name = display_path(args.old)
    except UsageError as error:
        print(visible(f"{parser.prog}: {error}"), file=sys.stderr)
        return 2
    result = validate_file(args.file, today, display_name=name)
    if not result.ok:
        if args.format == "markdown":
            print(f"## Ändringar i {code(name)}\n\nDatafilen är ogiltig, så ändringarna kan inte visas. Rätta detta först:\n")
            print("\n".join(f"- {md(problem.text())}" for problem in result.problems))
        else:
            print(format_problems(result.problems, more=result.more))
        print(f"{name} är ogiltig. " + summary(result.problems, result.more), file=sys.stderr)
        return exit_code_for(result)
    old = load_old(raw, old_name, notes)
    changes = diff(old, result.catalogue.data)
    routing = routing_changes(raw, old_name, result.catalogue, today, notes)
    if args.format == "markdown":
        print(as_markdown(changes, name, against, notes), end="")
        if routing:
            print("\n### Vägvisarens testfall\n\nÄndringen flyttar utfallet i de här testfallen:\n")
            print("\n".join(f"- {md(line)}" for line in routing))
    else:
        for note in notes:
            print(visible(note))
        print(as_text(changes, against))
        if routing:
            print("Vägvisarens testfall som får ett annat utfall:")
            print("\n".join(visible(f"  {line}") for line in routing))
    return 0


def routing_changes(raw: bytes | None, old_name: str, catalogue, today: dt.date, notes: list[str]) -> list[str]:
    """The guide's test cases whose outcome differs between the old version and this one.

    When the old version is not valid data, its cases cannot be run: a note says so and
    nothing is compared (rather than calling every case new).
    """
    from ..domain.freshness import evaluate
    from ..domain.routing_cases import changed, run_cases
    from ..model.validate import validate_bytes

    new = run_cases(catalogue, evaluate(catalogue, today), today)
    previous = validate_bytes(raw, old_name, today) if raw is not None else None
    if previous is not None and not previous.ok:
        notes.append(f"Den tidigare versionen ({old_name}) är inte giltig, så vägvisarens testfall jämförs inte.")
        return []
    old = run_cases(previous.catalogue, evaluate(previous.catalogue, today), today) if previous is not None else []
    names = {identity: record["namn"] for identity, record in catalogue.insatser.items()}
    return changed(old, new, names)
