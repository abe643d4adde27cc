#!/usr/bin/env bash
# Set everything up and run every test: venv with pinned Python deps, the pinned
# npm tools (package-lock.json), Debian's chromium and a Java runtime when
# missing, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt

apt_install() {
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq "$@" >/dev/null
}
# Browser tests drive Debian's Chromium; test tools cannot download browsers here.
if [ -z "${CHROMIUM_PATH:-}" ]; then command -v chromium >/dev/null 2>&1 || apt_install chromium; fi
# The Nu Html Checker (npm vnu-jar) runs on Java.
command -v java >/dev/null 2>&1 || apt_install default-jre-headless

if [ -f package-lock.json ]; then
  stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
fi

export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
