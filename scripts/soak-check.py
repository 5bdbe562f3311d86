#!/usr/bin/env python3
"""Helpers of scripts/soak.sh: read the sandbox's counters, and check the end state.

  soak-check.py grants URL                 live grants on the sandbox
  soak-check.py lookups URL                GET /v3/grants calls answered so far
  soak-check.py counters URL               both: "GRANTS LOOKUPS"
  soak-check.py verify URL KEY LEDGER EXPECTED
      checks that every address in the file EXPECTED (one per line) was granted by exactly one
      creation, that nobody was re-authenticated, that the ledger holds exactly those users, all
      granted, with the grant ids the sandbox holds, that the ledger is 0600 and passes
      PRAGMA integrity_check. Prints what it found; exits 1 on any failure.

Only the standard library: json, sqlite3, urllib.
"""
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import urllib.request


def stats(url):
    with urllib.request.urlopen(url + "/__sandbox/stats", timeout=10) as answer:
        return json.load(answer)


def calls(data, method, path):
    return sum(c["count"] for c in data["calls"] if c["method"] == method and c["path"] == path)


def sandbox_grants(url, key):
    """Every live grant on the sandbox, by email, through the real paged API."""
    grants, offset = {}, 0
    while True:
        request = urllib.request.Request(
            f"{url}/v3/grants?limit=200&offset={offset}&order_by=asc",
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"})
        # The sandbox's fault plan applies to these calls too: retry until a clean answer.
        for _ in range(50):
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    page = json.load(answer)["data"]
                break
            except Exception:
                continue
        else:
            raise SystemExit("could not list the sandbox's grants")
        for grant in page:
            grants.setdefault(grant["email"], []).append(grant["id"])
        if len(page) < 200:
            return grants
        offset += len(page)


def verify(url, key, ledger, expected_path):
    failures = []
    expected = {line.strip() for line in open(expected_path, encoding="utf-8") if line.strip()}
    data = stats(url)
    creations = data["creations_by_email"]
    reauths = data["reauths_by_email"]
    twice = sorted(e for e, n in creations.items() if n != 1)
    missing = sorted(expected - set(creations))
    extra = sorted(set(creations) - expected)
    print(f"sandbox: {len(creations)} users created, {sum(creations.values())} creations, "
          f"{sum(reauths.values())} re-authentications, faults injected {data['faults_injected']}, "
          f"{data['rate_limited']} answered 429")
    if twice:
        failures.append(f"{len(twice)} users created more than once, e.g. {twice[:5]}")
    if reauths:
        failures.append(f"{len(reauths)} users re-authenticated, e.g. {sorted(reauths)[:5]}")
    if missing:
        failures.append(f"{len(missing)} valid users never created, e.g. {missing[:5]}")
    if extra:
        failures.append(f"{len(extra)} unexpected users created, e.g. {extra[:5]}")

    mode = stat.S_IMODE(os.stat(ledger).st_mode)
    if mode != 0o600:
        failures.append(f"the ledger is mode {oct(mode)}, not 0600")
    db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    rows = db.execute("SELECT email, state, grant_id FROM users").fetchall()
    runs = db.execute("SELECT COUNT(*), SUM(finished_at IS NULL) FROM runs").fetchone()
    attempts = db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    db.close()
    print(f"ledger: {len(rows)} users, {runs[0]} runs recorded ({runs[1] or 0} never finished: killed), "
          f"{attempts} audited calls, integrity_check {integrity}")
    if integrity != "ok":
        failures.append(f"PRAGMA integrity_check says {integrity}")
    if shutil.which("sqlite3"):
        cli = subprocess.run(["sqlite3", ledger, "PRAGMA integrity_check"], capture_output=True, text=True)
        if cli.stdout.strip() != "ok":
            failures.append(f"sqlite3 CLI integrity_check says {cli.stdout.strip() or cli.stderr.strip()}")
    states = {}
    for email, state, _ in rows:
        states[state] = states.get(state, 0) + 1
    print(f"ledger states: {states}")
    in_ledger = {email for email, _, _ in rows}
    if in_ledger != expected:
        lost = sorted(expected - in_ledger)
        odd = sorted(in_ledger - expected)
        failures.append(f"ledger rows differ from the export: {len(lost)} lost (e.g. {lost[:5]}), {len(odd)} extra (e.g. {odd[:5]})")
    not_granted = sorted(email for email, state, _ in rows if state != "granted")
    if not_granted:
        failures.append(f"{len(not_granted)} users not granted, e.g. {not_granted[:5]}")

    live = sandbox_grants(url, key)
    mismatched = sorted(email for email, _, grant in rows if live.get(email) != [grant])
    if mismatched:
        failures.append(f"{len(mismatched)} ledger grant ids differ from the sandbox's, e.g. {mismatched[:5]}")
    print(f"grant ids: {len(rows) - len(mismatched)} of {len(rows)} match the sandbox's live grants")

    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "grants":
        print(stats(argv[2])["grants"])
        return 0
    if len(argv) >= 3 and argv[1] == "lookups":
        print(calls(stats(argv[2]), "GET", "/v3/grants"))
        return 0
    if len(argv) >= 3 and argv[1] == "counters":
        data = stats(argv[2])
        print(data["grants"], calls(data, "GET", "/v3/grants"))
        return 0
    if len(argv) == 6 and argv[1] == "verify":
        return verify(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
