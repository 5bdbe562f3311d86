#!/usr/bin/env bash
# Kill soak: provisions an export through a faulty sandbox while SIGKILLing the runner at random
# moments, rerunning after each kill, then runs to completion and checks, from the sandbox's side
# and the ledger's, that every valid user was granted by exactly one authentication, that no
# ledger row was lost, and that the ledger passes PRAGMA integrity_check.
#
#   scripts/soak.sh                          # 3,000 users, 30 kills (several minutes)
#   scripts/soak.sh --users 300 --kills 3    # the short variant the test suite runs
#
# Options:
#   --users N        valid users in the export (3000)
#   --kills K        SIGKILLs that must land while a run is working (30)
#   --rate R         the runner's --rate (90); the sandbox allows R + 10 per second per endpoint group
#   --faults SPEC    the sandbox's --fail (500=0.02,502=0.01,503=0.01,504=0.01,429=0.005,drop=0.02,hang=0.002)
#   --burst E:D      the sandbox's --throttle-burst: D seconds of 429s every E seconds (7:0.4)
#   --timeout S      the runner's --request-timeout (1.5); hung answers are held twice as long
#   --bin PATH       the bulkgrant binary (.build/debug/bulkgrant, or $BULKGRANT)
#   --seed S         seed of $RANDOM and of the sandbox's fault draws, to replay a soak
#   --workdir DIR    where the export, ledger and logs go (a new temporary folder)
#   --keep           keep the work folder
#
# Needs bash and python3 (standard library only); uses curl, when installed, to poll the sandbox
# cheaply, and the sqlite3 CLI for a second integrity check. Exit 0 and "SOAK PASSED" when every
# check holds; the work folder is kept on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

users=3000 kills=30 rate=90 timeout=1.5 seed=$$ keep=0 workdir=""
faults="500=0.02,502=0.01,503=0.01,504=0.01,429=0.005,drop=0.02,hang=0.002"
burst="7:0.4"
bin="${BULKGRANT:-$root/.build/debug/bulkgrant}"
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --faults) faults=$2; shift 2 ;;
    --burst) burst=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "soak: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "soak: no bulkgrant binary at $bin; run swift build first, or pass --bin" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak: python3 is needed for the checks" >&2; exit 2; }
RANDOM=$seed
check="python3 $root/scripts/soak-check.py"

if [ -z "$workdir" ]; then workdir=$(mktemp -d "${TMPDIR:-/tmp}/bulkgrant-soak.XXXXXX"); fi
mkdir -p "$workdir"
sandbox_pid="" run_pid=""
cleanup() {
  local status=$?
  [ -n "$run_pid" ] && kill -9 "$run_pid" 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true
  if [ "$keep" = 1 ] || [ "$status" != 0 ]; then echo "soak: work folder kept: $workdir"; else rm -rf "$workdir"; fi
}
trap cleanup EXIT
started=$(date +%s)
log() { printf '[%4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# The export: the valid users, plus rows the reader must reject and duplicates it must fold.
{
  echo "Name,Email,Department"
  for ((i = 0; i < users; i++)); do echo "\"Soak, User $i\",soak$i@acme.example,Dept $((i % 7))"; done
  echo "Broken One,not-an-address,IT"
  echo "Broken Two,two@@acme.example,IT"
  echo "Empty,,IT"
  for ((i = 0; i < users; i += users / 10 + 1)); do echo "Duplicate,\" SOAK$i@ACME.example \",IT"; done
} > "$workdir/export.csv"
for ((i = 0; i < users; i++)); do echo "soak$i@acme.example"; done > "$workdir/expected.txt"

# The sandbox, on a free port.
key="soak-sandbox-key" credential="soak-credential"
"$bin" sandbox --port 0 --api-key "$key" --credential "google:$credential" --rate-limit $((rate + 10)) \
  --latency-ms 50-300 --fail "$faults" --hang-seconds "$(awk "BEGIN { print 2 * $timeout }")" --throttle-burst "$burst" --seed "$seed" \
  > "$workdir/sandbox.out" 2> "$workdir/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$workdir/sandbox.out" 2>/dev/null && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$workdir/sandbox.err" >&2; exit 1; }
  sleep 0.05
done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$workdir/sandbox.out")
[ -n "$url" ] || { echo "soak: the sandbox did not start" >&2; exit 1; }
log "sandbox $url, faults $faults, throttle bursts $burst, seed $seed; $users users, $kills kills"

# The sandbox's live grants and look-ups so far, as "GRANTS LOOKUPS": with curl when there is one
# (polled often, so kept light), else through python.
counters() {
  if command -v curl >/dev/null; then
    local json grants lookups
    json=$(curl -s "$url/__sandbox/stats")
    grants=$(printf '%s' "$json" | grep -o '"grants":[0-9]*' | head -1 | cut -d: -f2)
    lookups=$(printf '%s' "$json" | grep -o '"count":[0-9]*,"method":"GET","path":"\\\{0,1\}/v3\\\{0,1\}/grants"' \
      | sed 's/"count":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
    echo "${grants:-0} $lookups"
  else
    $check counters "$url"
  fi
}
granted_now() { counters | cut -d' ' -f1; }

runs=0
start_run() {
  runs=$((runs + 1))
  NYLAS_API_KEY=$key "$bin" run "$workdir/export.csv" --provider google --credential-id "$credential" \
    --scope https://www.googleapis.com/auth/calendar --ledger "$workdir/ledger.sqlite" --api-uri "$url" \
    --rate "$rate" --request-timeout "$timeout" --no-progress --json \
    > "$workdir/run-$runs.json" 2> "$workdir/run-$runs.err" &
  run_pid=$!
}
alive() { kill -0 "$run_pid" 2>/dev/null; }

# Kills: at a random moment of start-up, during the look-ups of users a kill left in flight, or
# after a random number of new grants; each followed by a rerun (the next iteration's run). Should
# a run finish everything before its kill, new hires are added to the export to give it work.
landed=0 early=0 at_start=0 at_lookup=0 at_grant=0 attempts=0
while [ "$landed" -lt "$kills" ]; do
  attempts=$((attempts + 1))
  if [ "$attempts" -gt $((kills * 3 + 10)) ]; then
    echo "soak: only $landed of $kills kills landed in $attempts runs (runs finish too fast? lower --rate)" >&2
    exit 1
  fi
  granted=$(granted_now)
  remaining=$((users - granted))
  left=$((kills - landed))
  start_run
  moment=$((RANDOM % 4))
  if [ "$moment" = 0 ]; then
    sleep "0.$(printf '%03d' $((RANDOM % 400)))"
    kind=start
  elif [ "$moment" = 1 ] && [ "$landed" -gt 0 ]; then
    # After 1 or 2 look-ups (creations may interleave); if the run is well into creating
    # without one, it had nothing to look up.
    read -r _ lookups <<< "$(counters)"
    target=$((lookups + 1 + RANDOM % 2))
    kind=lookup
    while alive; do
      read -r now_granted now_lookups <<< "$(counters)"
      [ "$now_lookups" -ge "$target" ] && break
      if [ "$now_granted" -gt $((granted + 20)) ]; then kind=grant; break; fi
      sleep 0.02
    done
  else
    # On average half an equal share of what is left, so that work remains for every kill.
    span=$((remaining / (left + 1)))
    target=$((granted + 1 + RANDOM % (span > 1 ? span : 1)))
    while alive && [ "$(granted_now)" -lt "$target" ]; do sleep 0.02; done
    kind=grant
  fi
  if alive; then
    kill -9 "$run_pid"
    wait "$run_pid" 2>/dev/null || true
    run_pid=""
    landed=$((landed + 1))
    case "$kind" in start) at_start=$((at_start + 1)) ;; lookup) at_lookup=$((at_lookup + 1)) ;; *) at_grant=$((at_grant + 1)) ;; esac
    log "kill $landed/$kills ($kind): run $runs SIGKILLed with $(granted_now) of $users granted on the sandbox"
  else
    status=0
    wait "$run_pid" || status=$?
    run_pid=""
    early=$((early + 1))
    log "run $runs ended by itself before its kill (exit $status)"
    if [ "$status" = 0 ] && [ "$(granted_now)" -ge "$users" ]; then
      # Everyone is granted before every kill landed: new hires bring more work, as they would.
      hires=$((users / 10 > 10 ? users / 10 : 10))
      for ((i = users; i < users + hires; i++)); do
        echo "\"Soak, Hire $i\",soak$i@acme.example,New" >> "$workdir/export.csv"
        echo "soak$i@acme.example" >> "$workdir/expected.txt"
      done
      users=$((users + hires))
      log "every user granted before the kills were done: $hires new hires added to the export"
    fi
  fi
done

# To completion: rerun as cron would, while users are left deferred by bad luck with the faults.
final=1
for _ in 1 2 3 4 5 6 7 8; do
  start_run
  final=0
  wait "$run_pid" || final=$?
  run_pid=""
  log "run $runs (no kill): exit $final, $(granted_now) of $users granted on the sandbox"
  [ "$final" = 0 ] && break
  [ "$final" = 1 ] || { cat "$workdir/run-$runs.err" >&2; echo "soak: run $runs stopped with exit $final" >&2; exit 1; }
done
[ "$final" = 0 ] || { echo "soak: still not complete after 8 final runs" >&2; exit 1; }

log "checks"
if $check verify "$url" "$key" "$workdir/ledger.sqlite" "$workdir/expected.txt"; then
  echo "kills landed: $landed of $kills ($at_start at start-up, $at_lookup during look-ups, $at_grant mid-creation); $early runs ended before their kill; $runs runs in all; $(( $(date +%s) - started )) s"
  echo "SOAK PASSED"
else
  echo "SOAK FAILED"
  exit 1
fi
