#!/usr/bin/env python3
"""Show what changed in the data per record, in Swedish: exit 0, 1 if the new file is invalid, 2 usage error."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.semantic_diff import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], default_today=dt.date.today()))
