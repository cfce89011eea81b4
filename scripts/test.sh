#!/usr/bin/env bash
# The whole test run (`npm test`): installs the real database servers the tests start
# (Debian's InfluxDB 1.6 and VictoriaMetrics) and the browser (chromium), builds, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
command -v influx >/dev/null 2>&1 || need+=(influxdb-client)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
# the web page's browser tests: Debian's chromium (driven by playwright-core) and a font for screenshots
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ -d node_modules ] || npm install --no-audit --no-fund
npm run --silent build
node scripts/run-tests.mjs "$@"
