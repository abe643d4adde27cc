"""Load, check against the schema, run the named rules: every problem at once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import rules
from .catalogue import Catalogue
from .loader import decode, load_text, locate
from .problems import DataError, Problem
from .schema import describe, schema_errors


@dataclass
class Result:
    problems: list[Problem]
    catalogue: Catalogue | None

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data: Any, filename: str, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: tuple, message: str, at_key: bool = False) -> None:
        line, col = locate(data, path, key=at_key)
        text = f"{describe(data, path)}: {message}" if path else message[:1].upper() + message[1:]
        problems.append(Problem(filename, line, col, text))

    for path, at_key, message in schema_errors(data):
        add(path, message, at_key)
    if isinstance(data, dict):
        for rule in rules.CHECKS:
            for path, message in rule(data, today):
                add(path, message)
    # One problem per place and message, in file order.
    return sorted(set(problems), key=lambda p: (p.line, p.col, p.message))


def validate_text(text: str, filename: str, today: dt.date) -> Result:
    try:
        data = load_text(text, filename)
    except DataError as error:
        return Result(error.problems, None)
    problems = check(data, filename, today)
    return Result(problems, None if problems else Catalogue.from_data(data, filename))


def validate_bytes(raw: bytes, filename: str, today: dt.date) -> Result:
    try:
        text = decode(raw, filename)
    except DataError as error:
        return Result(error.problems, None)
    return validate_text(text, filename, today)


def validate_file(path, today: dt.date, display_name: str | None = None) -> Result:
    name = display_name or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        reason = "filen finns inte" if isinstance(error, FileNotFoundError) else error.strerror or "okänt fel"
        return Result([Problem(name, 1, 1, f"Filen kunde inte läsas ({reason}). Kontrollera sökvägen.")], None)
    return validate_bytes(raw, name, today)
