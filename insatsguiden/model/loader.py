"""Strict YAML loading with positions.

The data file comes from many hands, so the loader accepts a deliberately
small subset of YAML and builds the tree itself from parser events:

* plain scalars resolve only to null, true/false and decimal integers without
  a leading zero; everything else (dates, phone numbers, ``yes``/``no``/``on``/
  ``off``, ``0701234567``) stays a string;
* anchors, aliases, merge keys and tags are rejected, so "billion laughs"
  cannot expand and nothing is constructed from a tag;
* duplicate keys are errors naming both lines;
* nesting is limited and checked while reading, so 100 000 opening brackets
  stop after a few dozen events;
* UTF-8 only (a BOM and CRLF are fine), one document, a size limit.

Every container is a `PosDict`/`PosList` that remembers where its values
start, so later checks can report ``FILE:LINE:COL``.
"""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Any, Iterator

import yaml

from .problems import DataError, Problem

MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 40
MAX_PROBLEMS = 200
# A catalogue of 5,000 fully filled-in insatser has about 720,000 values. The
# cap bounds the time to reject any file under MAX_BYTES (PyYAML's parser costs
# a few microseconds a value), whatever its shape.
MAX_NODES = 2_000_000

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
# First characters of every plain scalar that resolves to something other than text.
_SPECIAL_START = set("~nNtTfF-0123456789")
# C0 controls other than tab/LF/CR, DEL, C1 controls, and the Unicode
# bidirectional overrides and isolates that can make text read differently
# from what it is ("Trojan Source").
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


class PosDict(dict):
    """A mapping that knows the (line, col) of each key and value (1-based)."""

    __slots__ = ("start", "key_pos", "value_pos")


class PosList(list):
    """A sequence that knows the (line, col) of each item (1-based)."""

    __slots__ = ("start", "value_pos")


def _pos(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _breaks(text: str, start: int, end: int) -> tuple[int, int]:
    """How many line breaks lie in text[start:end], and where the last one ends (-1: none).

    Counted with str.count rather than a regex walk, so a file of millions of empty lines costs
    milliseconds; \r\n counts once, as in YAML.
    """
    count = (text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
             + text.count("\x85", start, end) + text.count("\u2028", start, end) + text.count("\u2029", start, end))
    if end > start and text[end - 1] == "\r" and end < len(text) and text[end] == "\n":
        count -= 1  # a \r\n split by `end`: its line ends after the \n
    last = max(text.rfind(char, start, end) for char in "\n\r\x85\u2028\u2029")
    return count, (last + 1 if last >= 0 else -1)


def _position_of_offset(text: str, offset: int) -> tuple[int, int]:
    """(line, col) of an offset, counting line breaks as the YAML parser does (CR-only files too)."""
    count, line_start = _breaks(text, 0, offset)
    return count + 1, offset - max(line_start, 0) + 1


class _Positions:
    """(line, col) of increasing offsets in one forward pass over the text, however many are asked for."""

    def __init__(self, text: str):
        self.text, self.offset, self.line, self.line_start = text, 0, 1, 0

    def of(self, offset: int) -> tuple[int, int]:
        count, line_start = _breaks(self.text, self.offset, offset)
        self.line += count
        if line_start >= 0:
            self.line_start = line_start
        self.offset = max(self.offset, offset)
        return self.line, offset - self.line_start + 1


def _forbidden_char_message(char: str, where: str) -> str:
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"ett osynligt riktningstecken (U+{ord(char):04X})"
    if char == "\ufeff":
        return f"ett osynligt BOM-tecken (U+FEFF) {where}"
    return f"ett otillåtet styrtecken (U+{ord(char):04X})"


def _resolve_plain(value: str) -> Any:
    if value and not (value[0] in _SPECIAL_START):
        return value  # plain text: the common case
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value) and len(value) < 16:
        return int(value)
    return value


_SYNTAX_HINTS = (
    ("found character that cannot start any token", "Tecknet kan inte inleda ett värde här. Är det ett tabbtecken? Använd mellanslag för indrag, och sätt citattecken runt text som börjar med @, ` eller %."),
    ("found a tab character", "Tabbtecken är inte tillåtna för indrag. Använd mellanslag."),
    ("mapping values are not allowed here", "Ett kolon följt av mellanslag står där det inte får stå. Sätt citattecken runt texten, eller rätta indraget."),
    ("could not find expected ':'", "Ett kolon saknas efter fältnamnet, eller så är en rad felaktigt indragen."),
    ("did not find expected key", "Raden är felaktigt indragen eller saknar ett '- ' i en lista, eller så har ett citattecken längre upp inte avslutats. Kontrollera att raden står i linje med fälten ovanför."),
    ("did not find expected '-' indicator", "En listpunkt saknar '- ' eller är felaktigt indragen."),
    ("found unexpected end of stream", "Filen tar slut mitt i ett värde. Saknas ett avslutande citattecken eller en hakparentes?"),
    ("found undefined alias", "Alias (*namn) är inte tillåtna. Skriv ut värdet i stället."),
    ("found unknown escape character", "Okänd escape-sekvens inom dubbla citattecken. Använd enkla citattecken eller skriv \\\\ för ett bakstreck."),
    ("did not find expected ',' or ']'", "En lista inom hakparenteser [ ] är inte avslutad, eller så saknas ett kommatecken mellan värdena."),
    ("did not find expected ',' or '}'", "Ett avsnitt inom klammerparenteser { } är inte avslutat, eller så saknas ett kommatecken."),
    ("did not find expected node content", "Ett värde saknas eller börjar med ett otillåtet tecken. Sätt citattecken runt värdet."),
    ("found unexpected ':'", "Ett kolon står på fel ställe. Sätt citattecken runt värdet."),
    ("expected <block end>, but found", "Indraget stämmer inte med raderna ovanför. Rätta mellanslagen i början av raden."),
    ("while scanning a quoted scalar", "Ett citattecken är inte avslutat."),
)


def _syntax_message(error: yaml.MarkedYAMLError, text: str) -> str:
    problem = (error.problem or "").strip()
    mark = error.problem_mark
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "YAML-syntaxfel: Tabbtecken är inte tillåtna för indrag. Ersätt tabben med mellanslag."
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem or needle in (error.context or ""):
            return f"YAML-syntaxfel: {hint}"
    return (f"YAML-syntaxfel ({problem or 'okänt fel'}). Kontrollera indrag, kolon och "
            "citattecken på raden.")


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector off while loading or checking data, then as it was: the tree is
    built of a million small objects that never form cycles, which it would only rescan again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_text(text: str, filename: str) -> Any:
    """Parse YAML text strictly. Raises DataError with every problem found."""
    with no_cycle_collection():
        return _load_text(text, filename)


def _load_text(text: str, filename: str) -> Any:
    problems: list[Problem] = []

    def add(line: int, col: int, message: str) -> None:
        problems.append(Problem(filename, line, col, message))
        if len(problems) >= MAX_PROBLEMS:
            raise DataError(problems)

    positions = _Positions(text)
    for match in _FORBIDDEN_CHARS.finditer(text):
        line, col = positions.of(match.start())
        what = _forbidden_char_message(match.group(), "mitt i filen")
        add(line, col, f"Filen innehåller {what}. Ta bort det; det kan få texten att visas annorlunda än den är.")
    if problems:
        raise DataError(problems)
    nodes = 0

    root: Any = None
    documents = 0
    # Each frame: [container, pending_key, pending_key_mark]
    stack: list[list[Any]] = []

    def attach(value: Any, mark) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, PosList):
            container.append(value)
            container.value_pos.append(_pos(mark))
            return
        if frame[1] is _NO_KEY:
            if isinstance(value, (PosDict, PosList)):
                add(*_pos(mark), "Ett fältnamn får inte vara en lista eller ett avsnitt. Skriv fältnamnet som vanlig text följt av kolon.")
                frame[1] = _INVALID_KEY
                return
            key = "" if value is None else str(value) if not isinstance(value, bool) else ("true" if value else "false")
            if key == "<<":
                add(*_pos(mark), "Sammanslagningsnyckeln '<<' är inte tillåten. Skriv ut alla fält direkt.")
                frame[1] = _INVALID_KEY
                return
            if key in container.key_pos:
                first_line = container.key_pos[key][0]
                add(*_pos(mark), f"Fältet '{key}' förekommer två gånger i samma avsnitt (rad {first_line} och rad {mark.line + 1}). Ta bort eller slå ihop det ena.")
                frame[1] = _INVALID_KEY
                return
            frame[1] = key
            frame[2] = mark
            return
        key = frame[1]
        frame[1] = _NO_KEY
        if key is _INVALID_KEY:
            return
        container[key] = value
        container.key_pos[key] = _pos(frame[2])
        container.value_pos[key] = _pos(mark)

    def reject_node_properties(event) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            add(*_pos(event.start_mark), f"Ankare (&{anchor}) är inte tillåtna. Skriv ut värdet där det behövs i stället för att återanvända det.")
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            add(*_pos(event.start_mark), f"Taggen '{tag}' är inte tillåten. Ta bort den; skriv värdet som vanlig text.")

    try:
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        for event in yaml.parse(text, Loader=_Parser):
            kind = event.__class__
            if kind is scalar_event or kind is mapping_start or kind is sequence_start:
                nodes += 1
                if nodes > MAX_NODES:
                    add(*_pos(event.start_mark), f"Filen har fler än {MAX_NODES:,} värden".replace(",", " ")
                        + " och läses inte vidare. Så stor blir ingen katalog; kontrollera om något har kopierats in många gånger.")
                    raise DataError(problems)
            if kind is scalar_event:
                if event.anchor is not None or event.tag is not None:
                    reject_node_properties(event)
                if event.tag is None and event.implicit[0]:
                    value = _resolve_plain(event.value)
                else:
                    value = event.value
                    if event.style == '"':
                        # Escapes such as \0, \e or \u202E are decoded only now: check the value itself.
                        bad = _FORBIDDEN_CHARS.search(value)
                        if bad:
                            what = _forbidden_char_message(bad.group(), "i värdet")
                            add(*_pos(event.start_mark), f"Värdet innehåller {what} (skrivet som escape-sekvens inom "
                                "dubbla citattecken). Ta bort det; det kan få texten att visas annorlunda än den är.")
                mark = event.start_mark
                if stack and stack[-1][0].__class__ is PosList:  # the common case, written out: an item of a list
                    container = stack[-1][0]
                    container.append(value)
                    container.value_pos.append((mark.line + 1, mark.column + 1))
                else:
                    attach(value, mark)
            elif kind is mapping_start or kind is sequence_start:
                reject_node_properties(event)
                if len(stack) >= MAX_DEPTH:
                    add(*_pos(event.start_mark), f"Datat är för djupt nästlat (mer än {MAX_DEPTH} nivåer). Kontrollera hakparenteser och indrag.")
                    raise DataError(problems)
                if kind is yaml.MappingStartEvent:
                    container: Any = PosDict()
                    container.key_pos = {}
                    container.value_pos = {}
                else:
                    container = PosList()
                    container.value_pos = []
                container.start = _pos(event.start_mark)
                attach(container, event.start_mark)
                stack.append([container, _NO_KEY, None])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                add(*_pos(event.start_mark), f"Alias (*{event.anchor}) är inte tillåtna. Skriv ut värdet i stället.")
                attach(None, event.start_mark)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    add(*_pos(event.start_mark), "Filen får bara innehålla ett YAML-dokument. Ta bort raden '---' och det som följer, eller slå ihop dokumenten.")
                    raise DataError(problems)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = _pos(mark) if mark is not None else (1, 1)
        add(line, col, _syntax_message(error, text))
    except yaml.YAMLError as error:  # reader errors without a mark
        add(1, 1, f"Filen kunde inte läsas som YAML ({error}).")
    except RecursionError:
        add(1, 1, "Datat är för djupt nästlat. Kontrollera hakparenteser och indrag.")
    if problems:
        raise DataError(problems)
    return root


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY = _Marker("NO_KEY")
_INVALID_KEY = _Marker("INVALID_KEY")


def decode(raw: bytes, filename: str) -> str:
    """Decode UTF-8 (optional BOM); report the first bad byte with its position."""
    if len(raw) > MAX_BYTES:
        raise DataError([Problem(filename, 1, 1, _too_large(len(raw)))])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        good = raw[: error.start].decode("utf-8")
        line, col = _position_of_offset(good, len(good))
        raise DataError([Problem(filename, line, col, f"Filen är inte giltig UTF-8 (byte 0x{raw[error.start]:02X}). Spara filen som UTF-8 i din redigerare.")]) from None


def _too_large(size: int) -> str:
    return (f"Filen är för stor ({size / 1048576:.1f} MB; högst {MAX_BYTES // 1048576} MB). "
            "Dela inte upp den utan kontakta den som förvaltar guiden.")


def load_file(path, display_name: str | None = None) -> Any:
    from .reader import read_bytes  # the reader reports with the loader's size limit

    name = display_name or str(path)
    return load_text(decode(read_bytes(path, name), name), name)


def locate(data: Any, path: tuple, key: bool = False) -> tuple[int, int]:
    """Position of the value at `path` (or of its key), else of the nearest parent."""
    position = getattr(data, "start", (1, 1))
    node = data
    for index, step in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, PosDict) and step in node:
            position = node.key_pos[step] if (key and last) else node.value_pos[step]
            node = node[step]
        elif isinstance(node, PosList) and isinstance(step, int) and 0 <= step < len(node):
            position = node.value_pos[step]
            node = node[step]
        else:
            break
    return position
