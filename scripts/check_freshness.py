#!/usr/bin/env python3
"""Report overdue agreements, contacts, reviews and intake statuses.

Exit 0 when nothing is overdue, 1 when something is, 2 for usage errors or invalid data.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.cli import main_freshness  # noqa: E402

if __name__ == "__main__":
    sys.exit(main_freshness(sys.argv[1:]))
