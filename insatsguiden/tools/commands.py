"""Console entry points (pyproject.toml [project.scripts]), the clock read here and nowhere deeper.

Each takes its arguments from sys.argv and returns the exit code:
0 nothing to report, 1 problems in the data or overdue items, 2 a usage error
or a file that cannot be read.
"""
from __future__ import annotations

import datetime as dt
import sys


def validate() -> int:
    from .cli import main_validate
    return main_validate(sys.argv[1:])


def check_freshness() -> int:
    from .cli import main_freshness
    return main_freshness(sys.argv[1:])


def guide() -> int:
    from .cli import main_guide
    return main_guide(sys.argv[1:])


def diff_data() -> int:
    from .semantic_diff import main
    return main(sys.argv[1:], default_today=dt.date.today())


def new_insats() -> int:
    from .scaffold import main
    return main(sys.argv[1:], default_today=dt.date.today())


def tracking_issue() -> int:
    from .tracking import main
    return main(sys.argv[1:])


def compare_sites() -> int:
    from .compare_sites import main
    return main(sys.argv[1:])
