#!/usr/bin/env bash
# Set everything up and run every test: venv with pinned deps, Debian's chromium when missing, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
  # Browser tests drive Debian's Chromium; browsers cannot be downloaded by test tools here.
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium >/dev/null
fi
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
