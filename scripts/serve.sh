#!/usr/bin/env bash
# Set everything up and serve the site with the default data on http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/python scripts/validate.py
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/mkdocs serve --strict --dev-addr "${ADDR:-127.0.0.1:8000}" "$@"
