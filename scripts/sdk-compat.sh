#!/usr/bin/env bash
# Builds bulkgrant, starts `bulkgrant sandbox` on a free loopback port, runs Nylas's official
# Python SDK against it (scripts/sdk-compat.py), and stops the sandbox.
#
#   scripts/sdk-compat.sh            # builds with `swift build` first
#   SKIP_BUILD=1 scripts/sdk-compat.sh
#
# Needs python3 with the `nylas` package (`pip install nylas`). Exits with the script's status.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! python3 -c 'import nylas' 2>/dev/null; then
    echo "sdk-compat.sh: the Python 'nylas' package is missing: pip install nylas" >&2
    exit 2
fi

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    swift build --product bulkgrant
fi
binary="$(swift build --show-bin-path)/bulkgrant"
[[ -x "$binary" ]] || { echo "sdk-compat.sh: no binary at $binary" >&2; exit 2; }

key="sdk-compat-$RANDOM$RANDOM"
log="$(mktemp)"
fifo="$(mktemp -u)"
mkfifo "$fifo"
"$binary" sandbox --port 0 --api-key "$key" --rate-limit 50 >"$fifo" 2>"$log" &
sandbox=$!

cleanup() {
    if kill -0 "$sandbox" 2>/dev/null; then
        kill -TERM "$sandbox" 2>/dev/null || true
        wait "$sandbox" 2>/dev/null || true
    fi
    rm -f "$fifo" "$log"
}
trap cleanup EXIT

# The sandbox prints its URL once the port is bound; read it from the pipe (no polling).
url=""
exec 3<"$fifo"
while IFS= read -r -t 30 line <&3; do
    if [[ "$line" =~ listening\ on\ (http://[^[:space:]]+) ]]; then
        url="${BASH_REMATCH[1]}"
        break
    fi
done
if [[ -z "$url" ]]; then
    echo "sdk-compat.sh: the sandbox did not print its URL:" >&2
    cat "$log" >&2
    exit 1
fi
# Keep draining the sandbox's output so it never blocks on a full pipe.
cat <&3 >/dev/null &
exec 3<&-

echo "sdk-compat.sh: sandbox at $url (pid $sandbox)"
status=0
python3 scripts/sdk-compat.py --api-uri "$url" --api-key "$key" || status=$?
echo "sdk-compat.sh: python script exited $status"
exit "$status"
