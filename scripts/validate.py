#!/usr/bin/env python3
"""Validate data/insatser.yaml: exit 0 valid, 1 invalid data, 2 usage error."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from insatsguiden.tools.cli import main_validate  # noqa: E402

if __name__ == "__main__":
    sys.exit(main_validate(sys.argv[1:]))
