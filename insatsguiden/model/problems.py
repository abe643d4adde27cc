"""One error format for every check: FILE:LINE:COL: message (in Swedish).

Messages quote values from the data, and the data comes from many hands, so
every way of printing a problem first makes invisible and control characters
visible (`\x1b`, `\n`, `\u202e`): one problem is always one line, and nothing
in the data can move the cursor, colour a terminal or forge another line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# C0/C1 controls, DEL, line and paragraph separators, zero-width and
# bidirectional formatting characters, BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(match: re.Match) -> str:
    """One matched character as a visible escape: \\n, \\x1b, \\u202e (a re.sub replacement)."""
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """The text with every control and invisible formatting character shown as an escape."""
    return _UNSAFE.sub(escaped, text)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    def text(self) -> str:
        return visible(f"{self.file}:{self.line}:{self.col}: {self.message}")

    def github(self, level: str = "error") -> str:
        return github_command(level, self.file, self.line, self.col, self.message)


def github_command(level: str, file: str, line: int, col: int, message: str, title: str = "Insatsguiden") -> str:
    """A GitHub workflow command (annotation); properties and message get their own escapes.

    visible() has already turned line breaks into \\n, so one annotation is one line.
    """
    def prop(value: str) -> str:
        return visible(value).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")

    text = visible(message).replace("%", "%25")
    return f"::{level} file={prop(file)},line={line},col={col},title={prop(title)}::{text}"


# Characters with a meaning in GitHub Markdown: emphasis, links, images, HTML, tables, headings, mentions.
_MARKDOWN_SPECIAL = "\\`*_[]<>|&~#!@"


def markdown_text(text: str) -> str:
    """Text shown as it is in GitHub Markdown (issues, job summaries): no emphasis, links, images,
    HTML or @mentions from data, one line."""
    return visible("".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text.replace("\n", " ")))


def markdown_code(text: str) -> str:
    """A Markdown code span (backslash escapes do not work inside one)."""
    return "`" + visible(text.replace("`", "'").replace("\n", " ")) + "`"


class DataError(Exception):
    """Raised when data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem], more: int = 0):
        super().__init__(f"{len(problems)} problem i datafilen")
        self.problems = problems
        self.more = more


# Counting stops here: past it a file is refused just the same, and counting
# every one of a million bad values would only make the refusal slower.
MAX_COUNTED = 10_000


def _how_many(count: int, total: int) -> str:
    number = f"{count:,}".replace(",", " ")
    return f"minst {number}" if total >= MAX_COUNTED else number


def format_problems(problems: list[Problem], fmt: str = "text", more: int = 0) -> str:
    lines = [p.github() if fmt == "github" else p.text() for p in problems]
    if more:
        lines.append(f"… och {_how_many(more, len(problems) + more)} problem till som inte visas. "
                     "Rätta de här och kör valideringen igen.")
    return "\n".join(lines)


def summary(problems: list[Problem], more: int = 0) -> str:
    count = len(problems) + more
    if count == 1:
        return "1 problem hittades. Rätta det och kör valideringen igen."
    return f"{_how_many(count, count)} problem hittades. Rätta dem och kör valideringen igen."
