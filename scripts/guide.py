#!/usr/bin/env python3
"""The decision guide from the command line: the same ranked result, with its reasons.

    python scripts/guide.py --kommun vasteras --alder 34 --behov bostad --behov psykisk-ohalsa --aktivitet nej
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.cli import main_guide  # noqa: E402

if __name__ == "__main__":
    sys.exit(main_guide(sys.argv[1:]))
