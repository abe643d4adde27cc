"""Load, check against the schema, run the named rules: every problem at once."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from . import rules
from .catalogue import Catalogue
from .loader import MAX_PROBLEMS, decode, load_text, locate, no_cycle_collection
from .reader import read_bytes
from .problems import MAX_COUNTED, DataError, Problem
from .schema import schema_errors
from .vocabulary import describe


@dataclass
class Result:
    problems: list[Problem]
    catalogue: Catalogue | None
    more: int = 0          # problems found beyond the ones kept in `problems`
    unreadable: bool = False  # the file itself could not be read (missing, a folder, a device, too large)
    digest: str | None = None  # SHA-256 of the bytes validate_file read (the build's processes compare it)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data: Any, filename: str, today: dt.date) -> list[Problem]:
    return check_bounded(data, filename, today)[0]


def check_bounded(data: Any, filename: str, today: dt.date, limit: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """The first `limit` problems found (schema first, then each rule), in file order, and how many more.

    Findings are counted up to MAX_COUNTED, and only the kept ones are located
    and labelled, so a file with a million bad values costs little more than
    reading it.
    """
    kept: list[tuple[tuple, bool, str]] = []
    total = 0
    findings = [schema_errors(data)]
    if isinstance(data, dict):
        findings += [((path, False, message) for path, message in rule(data, today)) for rule in rules.CHECKS]
    for found in findings:
        for item in found:
            total += 1
            if len(kept) < limit:
                kept.append(item)
            if total >= MAX_COUNTED:
                break
        if total >= MAX_COUNTED:
            break
    problems: set[Problem] = set()
    for path, at_key, message in kept:
        line, col = locate(data, path, key=at_key)
        text = f"{describe(data, path)}: {message}" if path else message[:1].upper() + message[1:]
        problems.add(Problem(filename, line, col, text))  # one problem per place and message
    ordered = sorted(problems, key=lambda p: (p.line, p.col, p.message))
    return ordered, total - len(kept)


def validate_text(text: str, filename: str, today: dt.date) -> Result:
    # Checking builds as many small objects as loading (the collector took a third of the time for
    # 5,000 insatser).
    with no_cycle_collection():
        return _validate_text(text, filename, today)


def _validate_text(text: str, filename: str, today: dt.date) -> Result:
    try:
        data = load_text(text, filename)
    except DataError as error:
        return Result(error.problems, None, error.more)
    problems, more = check_bounded(data, filename, today)
    return Result(problems, None if problems else Catalogue.from_data(data, filename), more)


def validate_bytes(raw: bytes, filename: str, today: dt.date) -> Result:
    try:
        text = decode(raw, filename)
    except DataError as error:
        return Result(error.problems, None, error.more)
    return validate_text(text, filename, today)


def load_validated_elsewhere(path, display_name: str | None = None) -> tuple[Catalogue, str]:
    """The catalogue and SHA-256 of a file that another process validates: loaded as strictly, without
    the schema and the rules (a third of validating), for the second process of a build. The caller
    publishes nothing unless the validating process reports the same digest with no problems; until then
    a file with problems may raise anything here."""
    name = display_name or str(path)
    raw = read_bytes(path, name)
    with no_cycle_collection():
        return Catalogue.from_data(load_text(decode(raw, name), name), name), hashlib.sha256(raw).hexdigest()


def validate_file(path, today: dt.date, display_name: str | None = None) -> Result:
    name = display_name or str(path)
    try:
        raw = read_bytes(path, name)
    except DataError as error:
        return Result(error.problems, None, error.more, unreadable=True)
    result = validate_bytes(raw, name, today)
    result.digest = hashlib.sha256(raw).hexdigest()
    return result
