"""The JSON Schema: the contract for editors and the first line of validation.

Valid data (the common case, and the benchmark's) is checked by the compiled
jsonschema-rs validator. Only when it says no does the reference
implementation (python-jsonschema), with the same pattern semantics, explain
the records it refuses, with the keyword and subschema needed for a Swedish
message (see schema_errors for the bounds).
"""
from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from typing import Any, Iterator

import jsonschema
import jsonschema_rs

from .. import SCHEMA_PATH


_TYPE_WORDS = {
    "string": "text",
    "integer": "ett heltal",
    "number": "ett tal",
    "boolean": "true eller false",
    "array": "en lista (rader som börjar med '- ')",
    "object": "ett avsnitt med fält (namn: värde)",
    "null": "tomt",
}
_YES_NO_WORDS = {"yes", "no", "on", "off", "ja", "nej", "y", "n", "sant", "falskt"}


def schema_bytes() -> bytes:
    """The schema file as published for editors."""
    return SCHEMA_PATH.read_bytes()


@lru_cache(maxsize=None)
def load_schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=None)
def _fast_validator():
    return jsonschema_rs.validator_for(load_schema())


@lru_cache(maxsize=None)
def _ecma_regex(pattern: str) -> "re.Pattern[str]":
    """A JSON Schema pattern (ECMA-262) as a Python regex with the same meaning of `$`.

    In ECMA-262 `$` matches only at the very end; Python's `$` also matches
    before a final newline, so "2099-01-15\\n" would pass ^…$ in Python while
    the compiled validator rejects it. Outside character classes `$` becomes `\\Z`.
    """
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "]":
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(char)
    return re.compile("".join(out))


def _pattern_keyword(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# The reference implementation with ECMA-262 pattern semantics, like jsonschema-rs.
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern_keyword})


@lru_cache(maxsize=None)
def _reference_validator():
    return _Validator(load_schema())


@lru_cache(maxsize=None)
def record_definitions() -> dict[str, str]:
    """Section -> the $defs name of its records, read from the schema (e.g. insatser -> insats)."""
    found = {}
    for section, definition in load_schema()["properties"].items():
        items = definition.get("items")
        ref = items.get("$ref", "") if isinstance(items, dict) else ""
        if definition.get("type") == "array" and ref.startswith("#/$defs/"):
            found[section] = ref.rsplit("/", 1)[1]
    return found


@lru_cache(maxsize=None)
def _fast_scoped(definition: str | None):
    """The compiled validator for one record definition, or (None) for the file without its records."""
    return jsonschema_rs.validator_for(_scoped_schema(definition))


def _scoped_schema(definition: str | None) -> dict:
    schema = load_schema()
    if definition is None:
        shallow = json.loads(json.dumps(schema))
        for section in record_definitions():
            shallow["properties"][section]["items"] = True
        return shallow
    return {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}


@lru_cache(maxsize=None)
def _scoped_validator(definition: str | None):
    """A reference validator for one record definition, or (None) for the file without its records."""
    return _Validator(_scoped_schema(definition))


@lru_cache(maxsize=None)
def vocabulary(name: str) -> dict[str, dict[str, str]]:
    """Allowed values of a `oneOf`+`const` vocabulary: value -> {title, description}."""
    definition = load_schema()["$defs"][name]
    return {item["const"]: {"title": item["title"], "description": item["description"]}
            for item in definition["oneOf"]}


@lru_cache(maxsize=None)
def labels(name: str) -> dict[str, str]:
    return {value: meta["title"] for value, meta in vocabulary(name).items()}


def _allowed_values(schema: dict) -> list[tuple[str, str]] | None:
    options = schema.get("oneOf")
    if options and all(isinstance(o, dict) and "const" in o for o in options):
        return [(o["const"], o.get("title", "")) for o in options]
    if "enum" in schema:
        return [(value, "") for value in schema["enum"]]
    return None


# A suggestion compares the word with each candidate; past this many candidates of a
# similar length it is not worth the time (a typo in a list of thousands of ids).
MAX_SUGGESTION_CANDIDATES = 500


def suggest(word: Any, choices) -> str:
    """' Menade du 'x'?' for the closest allowed value, or nothing."""
    if not isinstance(word, str) or len(word) > 200:
        return ""
    # A close match (ratio >= 0.6) cannot differ much in length: compare only those.
    candidates = [choice for choice in choices if isinstance(choice, str) and
                  0.6 * len(word) / 1.4 <= len(choice) <= len(word) * 1.4 / 0.6 + 1]
    if len(candidates) > MAX_SUGGESTION_CANDIDATES:
        return ""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" Menade du '{close[0]}'?" if close else ""


def listing(values, limit: int = 20) -> str:
    """Allowed values for a message: all of them, or the first `limit` and how many more."""
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown if len(values) <= limit else f"{shown} … ({len(values) - limit} till)"


# Keywords whose message needs only the value, the keyword's limit and the field's description.
_SIMPLE_MESSAGES = {
    "pattern": lambda value, limit, hint: f"värdet {value!r} har fel form. {hint}",
    "minLength": lambda value, limit, hint: "får inte vara tomt. Fyll i en text eller ta bort fältet.",
    "maxLength": lambda value, limit, hint: f"texten är för lång ({len(value)} tecken, högst {limit}). Korta den.",
    "minItems": lambda value, limit, hint: f"listan måste ha minst {limit} punkt(er). {hint}",
    "uniqueItems": lambda value, limit, hint: "listan innehåller samma värde flera gånger. Ta bort dubbletterna.",
    "minimum": lambda value, limit, hint: f"värdet {value} är för litet (minst {limit}).",
    "maximum": lambda value, limit, hint: f"värdet {value} är för stort (högst {limit}).",
}


def _message(error: jsonschema.ValidationError) -> tuple[tuple, bool, str]:
    """(path, point at key?, Swedish message without the record prefix)."""
    path = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    hint = schema.get("description", "")

    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = [key for key in instance if key not in schema.get("properties", {})]
        key = extras[0] if extras else "?"
        if not allowed and schema.get("patternProperties"):  # a map keyed by ids, e.g. a test case's answers
            return (path + (key,), True,
                    f"'{key}' är inget giltigt id här. Skriv id:t med små bokstäver a–z, siffror och bindestreck, "
                    "t.ex. aktivt-missbruk.")
        return (path + (key,), True,
                f"okänt fält '{key}'.{suggest(key, allowed)} Kontrollera stavningen (utan å, ä, ö). "
                f"Tillåtna fält här: {', '.join(allowed)}.")
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        description = schema.get("properties", {}).get(missing, {}).get("description", "")
        return (path, False, f"fältet '{missing}' saknas. Lägg till det." + (f" ({description})" if description else ""))
    if keyword == "type":
        expected = error.validator_value
        expected_list = expected if isinstance(expected, list) else [expected]
        wanted = " eller ".join(_TYPE_WORDS.get(t, t) for t in expected_list)
        extra = ""
        if "boolean" in expected_list and isinstance(instance, str) and instance.lower() in _YES_NO_WORDS:
            extra = f" Skriv true eller false, inte '{instance}'."
        elif "string" in expected_list and isinstance(instance, int) and not isinstance(instance, bool):
            extra = " Sätt citattecken runt värdet så att det läses som text."
        elif "string" in expected_list and isinstance(instance, bool):
            extra = " Sätt citattecken runt värdet, annars läses det som true/false."
        elif instance is None:
            extra = " Fältet är tomt: fyll i ett värde eller ta bort raden."
        return (path, False, f"ska vara {wanted}.{extra}" + (f" ({hint})" if hint and not extra else ""))
    if keyword in ("oneOf", "enum", "const"):
        allowed = _allowed_values(schema)
        if keyword == "const":
            return (path, False, f"värdet ska vara {error.validator_value!r}.")
        if allowed:
            options = "; ".join(f"{value} ({title})" if title else str(value) for value, title in allowed)
            return (path, False, f"ogiltigt värde {instance!r}.{suggest(instance, [a for a, _ in allowed])} Tillåtna värden: {options}.")
    simple = _SIMPLE_MESSAGES.get(keyword)
    if simple is not None:
        return (path, False, simple(instance, error.validator_value, hint).rstrip())
    return (path, False, f"uppfyller inte schemat ({error.message}). {hint}".rstrip())


# Records that get a detailed Swedish explanation per run, and how many values
# those records may hold together. Past either limit the compiled validator's
# verdict is reported as it is (where, not why): walking a record of a million
# values again in pure Python would make the time to reject unbounded.
MAX_RECORDS_EXPLAINED = 200
MAX_VALUES_EXPLAINED = 50_000


def _size(node: Any, limit: int) -> int:
    """How many values a node holds, counting no further than `limit`."""
    count, stack = 0, [node]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


_RS_WORDS = {"uniqueItems": "listan innehåller samma värde flera gånger", "pattern": "värdet har fel form",
             "type": "värdet har fel typ", "maxLength": "texten är för lång", "minLength": "texten är för kort",
             "maxItems": "listan är för lång", "minItems": "listan är för kort", "required": "ett obligatoriskt fält saknas",
             "additionalProperties": "ett okänt fält", "oneOf": "värdet är inte ett av de tillåtna",
             "enum": "värdet är inte ett av de tillåtna", "const": "värdet är inte det tillåtna"}


def _brief(keyword: str) -> str:
    what = _RS_WORDS.get(keyword, "värdet uppfyller inte schemat")
    return (f"{what}. Jämför med beskrivningen av fältet i schema/insatser.schema.json "
            "(posten är för stor för en utförligare förklaring).")


def schema_errors(data: Any) -> Iterator[tuple[tuple, bool, str]]:
    """Yield (path, point at key?, message) for every schema violation.

    jsonschema-rs finds where the data is invalid; python-jsonschema then
    explains only the records concerned (or the file without its records),
    so the cost follows the invalid records, not the size of the file.
    """
    fast = _fast_validator()
    if fast.is_valid(data):
        return
    if not isinstance(data, dict):
        if data is None:
            yield ((), False, "filen är tom. Den ska börja med 'version: 1' följt av avsnitten kallor, kommuner, behov, organisationer, overenskommelser, insatser och ej_tackta_behov.")
            return
        for error in _reference_validator().iter_errors(data):  # a list or a scalar: fails at the top
            yield from _flatten(error)
        return
    sections = record_definitions()
    # Which records fail, asked of the compiled validator record by record: its
    # iter_errors() collects every error of the file first, which for a list of
    # a million bad values takes longer than everything else together.
    scopes: list[tuple] = []
    if not _fast_scoped(None).is_valid(data):
        scopes.append(())
    for section, definition in sections.items():
        records = data.get(section)
        if not isinstance(records, list):
            continue  # the file without its records reports the type
        checker = _fast_scoped(definition)
        for index, record in enumerate(records):
            if len(scopes) >= MAX_RECORDS_EXPLAINED:
                break
            if not checker.is_valid(record):
                scopes.append((section, index))
    if not scopes:  # never let a refusal go without a message
        yield ((), False, "filen uppfyller inte schemat. Jämför med schema/insatser.schema.json.")
    budget = MAX_VALUES_EXPLAINED
    for scope in scopes:
        if scope:
            definition = sections[scope[0]]
            validator, instance = _scoped_validator(definition), data[scope[0]][scope[1]]
            size = _size(instance, budget)
        else:
            definition = None
            validator, instance = _scoped_validator(None), data
            size = sum(_size(value, budget) for key, value in data.items() if key not in sections)
        if size > budget:
            try:
                _fast_scoped(definition).validate(instance)
            except jsonschema_rs.ValidationError as error:
                keyword = str(error.schema_path[-1]) if error.schema_path else ""
                yield (scope + tuple(error.instance_path), False, _brief(keyword))
            continue
        budget -= size
        explained = False
        for error in validator.iter_errors(instance):
            for path, at_key, message in _flatten(error):
                explained = True
                yield (scope + path, at_key, message)
        if not explained:
            # Never let a refusal go without a message, whatever the two implementations disagree on.
            yield (scope, False, "värdet uppfyller inte schemat. Jämför med beskrivningen av fältet i schema/insatser.schema.json.")


def _flatten(error: jsonschema.ValidationError) -> Iterator[tuple[tuple, bool, str]]:
    # A oneOf of plain constants is a vocabulary: report it as one message.
    # Other combinators are reported through their most specific sub-errors.
    if error.validator in ("oneOf", "anyOf") and not _allowed_values(error.schema if isinstance(error.schema, dict) else {}):
        best = jsonschema.exceptions.best_match(error.context) if error.context else None
        if best is not None:
            yield from _flatten(best)
            return
    path, at_key, message = _message(error)
    yield (path, at_key, message)
