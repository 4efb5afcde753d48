#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot be used:
# only package registries are reachable). Install it through apt only when it is missing and
# we can (root on Debian); otherwise say exactly what to do.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Chromium is not installed at /usr/bin/chromium; the browser tests need it." >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing chromium with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Install it (Debian/Ubuntu: sudo apt-get install chromium) and re-run." >&2
exit 1
