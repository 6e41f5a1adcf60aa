#!/usr/bin/env bash
# Installs Debian's chromium package (the browser the UI test drives through playwright-core)
# with apt-get. Idempotent: returns at once when /usr/bin/chromium is already there. Never
# downloads a browser build of its own.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-chromium.sh: /usr/bin/chromium is missing and apt-get is not available; install Debian's chromium package" >&2
  exit 1
fi
sudo_cmd=()
if [[ "$(id -u)" != 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q >&2
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends chromium fonts-liberation >&2
test -x /usr/bin/chromium
