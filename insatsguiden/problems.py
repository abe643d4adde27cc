"""One error format for every check: FILE:LINE:COL: message (in Swedish)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    def text(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"

    def github(self) -> str:
        # GitHub workflow commands: properties and message need their own escapes.
        def prop(value: str) -> str:
            return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                    .replace(":", "%3A").replace(",", "%2C"))

        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (f"::error file={prop(self.file)},line={self.line},col={self.col},"
                f"title=Insatsguiden::{message}")


class DataError(Exception):
    """Raised when data cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem i datafilen")
        self.problems = problems


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    lines = [p.github() if fmt == "github" else p.text() for p in problems]
    return "\n".join(lines)


def summary(problems: list[Problem]) -> str:
    count = len(problems)
    if count == 1:
        return "1 problem hittades. Rätta det och kör valideringen igen."
    return f"{count} problem hittades. Rätta dem och kör valideringen igen."
