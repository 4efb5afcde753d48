#!/usr/bin/env bash
# DynamoDB Local runs on Java 17+. Install a headless JRE through apt only when it is missing
# and we can (root on Debian); otherwise say exactly what to do.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  if [ "${major:-0}" -ge 17 ]; then exit 0; fi
  echo "Java ${major:-?} found; DynamoDB Local needs Java 17 or newer." >&2
else
  echo "Java is not installed; DynamoDB Local needs Java 17 or newer." >&2
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing openjdk-17-jre-headless with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  exit 0
fi
echo "Install a Java 17 runtime (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless) and re-run." >&2
exit 1
