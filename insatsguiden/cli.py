"""Command-line entry points. Arguments and today's date are read here, nowhere deeper."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from . import DEFAULT_DATA
from .problems import format_problems, summary
from .validate import validate_file


class SwedishParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2, as documented
        self.print_usage(sys.stderr)
        print(f"{self.prog}: fel i argumenten: {message}", file=sys.stderr)
        sys.exit(2)


def parse_today(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum '{value}', skriv ÅÅÅÅ-MM-DD") from None


def display_path(path: str) -> str:
    """Relative to the working directory when possible, as editors and GitHub expect."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def main_validate(argv: list[str]) -> int:
    parser = SwedishParser(prog="validate.py", description="Kontrollerar datafilen mot schemat och reglerna.")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="datafilen (standard: data/insatser.yaml)")
    parser.add_argument("--format", choices=("text", "github"), default="text", help="utdataformat")
    parser.add_argument("--today", type=parse_today, default=None, help="dagens datum ÅÅÅÅ-MM-DD (standard: idag)")
    args = parser.parse_args(argv)
    today = args.today or dt.date.today()
    name = display_path(args.file)
    result = validate_file(args.file, today, display_name=name)
    if result.ok:
        count = len(result.catalogue.insatser)
        print(f"{name}: OK ({count} insatser).")
        return 0
    print(format_problems(result.problems, args.format))
    print(summary(result.problems), file=sys.stderr)
    return 1
