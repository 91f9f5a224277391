#!/usr/bin/env bash
# Make sure a Chromium that webarena-gym can drive is installed (idempotent).
# Order: an existing one (WEBARENA_GYM_CHROMIUM, Playwright's, system); else Debian's package
# when running as root with apt-get; else Playwright's own download.
set -euo pipefail
PY=${PYTHON:-python}
if "$PY" -c "from webarena_gym.browser import find_chromium; print(find_chromium().path)" 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
else
  echo "ensure-chromium: installing Playwright's chromium" >&2
  "$PY" -m playwright install chromium
fi
"$PY" -c "from webarena_gym.browser import find_chromium; print(find_chromium().path)"
