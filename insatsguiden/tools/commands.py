"""Console entry points (pyproject.toml [project.scripts]), the clock read here and nowhere deeper.

Each takes its arguments from sys.argv and returns the exit code:
0 nothing to report, 1 problems in the data or overdue items, 2 a usage error
or a file that cannot be read.
"""
from __future__ import annotations

import datetime as dt
import re
import sys

# Every control character except line feed and tab: escape sequences, carriage return,
# backspace, bell. What a tool prints about values is made visible where it is
# formatted; this guard catches whatever a message did not (an argument echoed back).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class _Guarded:
    """A text stream that writes control characters as visible escapes."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                                 else f"\\u{ord(m.group()):04x}", text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _guard_terminal() -> None:
    if not isinstance(sys.stdout, _Guarded):
        sys.stdout, sys.stderr = _Guarded(sys.stdout), _Guarded(sys.stderr)


def validate() -> int:
    _guard_terminal()
    from .cli import main_validate
    return main_validate(sys.argv[1:])


def check_freshness() -> int:
    _guard_terminal()
    from .cli import main_freshness
    return main_freshness(sys.argv[1:])


def guide() -> int:
    _guard_terminal()
    from .cli import main_guide
    return main_guide(sys.argv[1:])


def diff_data() -> int:
    _guard_terminal()
    from .semantic_diff import main
    return main(sys.argv[1:], default_today=dt.date.today())


def new_insats() -> int:
    _guard_terminal()
    from .scaffold import main
    return main(sys.argv[1:], default_today=dt.date.today())


def tracking_issue() -> int:
    _guard_terminal()
    from .tracking import main
    return main(sys.argv[1:])


def compare_sites() -> int:
    _guard_terminal()
    from .compare_sites import main
    return main(sys.argv[1:])
