#!/usr/bin/env bash
# Makes sure Debian's chromium is installed: the browser tests (test/web/) drive it headless with playwright-core.
# The tests call this before launching it; on a machine that has it, it does nothing.
set -euo pipefail
BROWSER="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing at $BROWSER and apt-get is not available: install Chromium with your package manager (or set CHROMIUM_BIN)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$BROWSER" --version 2>/dev/null || true
