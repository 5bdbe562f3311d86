#!/usr/bin/env bash
# Makes the README's screenshot of the morning report (`bulkgrant report --format html`) from
# the sandbox example: the README's first command (295 users granted), a second night that
# drops the 49 Terminated rows and revokes their grants (the README's filter example), the
# report, then headless Chromium. Anyone can rerun it; nothing leaves the machine.
#
#   scripts/report-screenshot.sh [OUTPUT.png] [WIDTHxHEIGHT]
#   (default docs/report-screenshot.png at 1000x1500; needs chromium: apt-get install -y chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="${1:-docs/report-screenshot.png}"
size="${2:-1000x1500}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac

chromium="${BULKGRANT_CHROMIUM:-}"
for candidate in /usr/lib/chromium/chromium /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -n "$chromium" ] && break
  [ -x "$candidate" ] && chromium="$candidate"
done
if [ -z "$chromium" ]; then
  echo "report-screenshot: needs headless Chromium: apt-get install -y chromium (or set BULKGRANT_CHROMIUM)" >&2
  exit 2
fi

swift build --product bulkgrant >/dev/null
bin="$(swift build --show-bin-path)/bulkgrant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

scope=https://www.googleapis.com/auth/calendar
# 1. The README's first command.
"$bin" run "$root/examples/hr-export.csv" --provider google --credential-id demo --scope "$scope" --sandbox \
  --no-progress >/dev/null
# 2. The next night: terminated people are left out, and their grants revoked.
"$bin" run "$root/examples/hr-export.csv" --provider google --credential-id demo --scope "$scope" --sandbox \
  --no-progress --exclude Status=Terminated --revoke-departed --max-revoke 20% >/dev/null
# 3. The report, then its picture.
"$bin" report --ledger bulkgrant-sandbox.sqlite --format html --output report.html

flags=(--headless --disable-gpu --hide-scrollbars --force-device-scale-factor=1 --no-first-run
  --user-data-dir="$work/profile" --disable-extensions --disable-background-networking
  --disable-component-update "--host-resolver-rules=MAP * ~NOTFOUND")
[ "$(id -u)" = 0 ] && flags+=(--no-sandbox)
"$chromium" "${flags[@]}" --screenshot="$out" --window-size="${size/x/,}" "file://$work/report.html" 2>/dev/null
echo "report-screenshot: $out ($(wc -c <"$out") bytes) from $work/report.html"
