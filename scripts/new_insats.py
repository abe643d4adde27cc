#!/usr/bin/env python3
"""Add a new insats at the end of the insatser list: exit 0 added, 1 data error, 2 usage error."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.scaffold import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], default_today=dt.date.today()))
