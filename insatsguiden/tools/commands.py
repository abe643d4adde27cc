"""Console entry points (pyproject.toml [project.scripts]), the clock read here and nowhere deeper.

Each takes its arguments from sys.argv and returns the exit code:
0 nothing to report, 1 problems in the data or overdue items, 2 a usage error
or a file that cannot be read.
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import sys

from ..model.problems import escaped

# Every control character except line feed and tab (escape sequences, carriage return,
# backspace, bell), bidirectional controls and invisible characters (zero-width space and
# joiners, word joiner, byte order mark). What a tool prints about values is made visible
# where it is formatted; this guard catches whatever a message did not (an argument echoed
# back, a value inside JSON).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e"
                              "\u2060-\u2064\u2066-\u2069\ufeff]")


class _Guarded:
    """A text stream that writes control characters as visible escapes."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_TERMINAL_UNSAFE.sub(escaped, text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _guard_terminal() -> None:
    if not isinstance(sys.stdout, _Guarded):
        sys.stdout, sys.stderr = _Guarded(sys.stdout), _Guarded(sys.stderr)


def _entry(module: str, function: str, with_today: bool = False):
    """A console entry point: guard the terminal, then run `function` of `module` on sys.argv."""
    def run() -> int:
        _guard_terminal()
        main = getattr(importlib.import_module(module, __package__), function)
        try:
            if with_today:  # the clock is read here, at the edge, and passed in
                return main(sys.argv[1:], default_today=dt.date.today())
            return main(sys.argv[1:])
        except BrokenPipeError:  # the reader stopped early (`| head`): nothing left to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
            return 0
    run.__name__ = function
    return run


validate = _entry(".cli", "main_validate")
check_freshness = _entry(".cli", "main_freshness")
guide = _entry(".cli", "main_guide")
diff_data = _entry(".semantic_diff", "main", with_today=True)
new_insats = _entry(".scaffold", "main", with_today=True)
tracking_issue = _entry(".tracking", "main")
compare_sites = _entry(".compare_sites", "main")
catalogue_pdf = _entry(".catalogue_pdf", "main", with_today=True)
