#!/usr/bin/env python3
"""Drives a running `bulkgrant sandbox` with Nylas's official Python SDK, unchanged.

Proves that the sandbox speaks the wire protocol the SDK expects (headers, percent-encoded
query values, response shapes, the error envelope) for the calls bulkgrant depends on:

  1. list connectors (and find the Google one)
  2. create a Google `serviceaccount` credential (fake but well-formed key data); find and list it
  3. custom-authenticate three users (provider google, credential_id, email_address, scopes)
  4. re-authenticate one of them: the same grant id comes back
  5. list grants filtered by email (one per user)
  6. delete one grant, then check it is gone (find answers a NylasApiError 404)
  7. an unknown credential is answered with the error envelope the SDK parses
  8. Microsoft: an `adminconsent` credential, custom auth without scopes, credential deleted
  9. the sandbox's own counters agree: one creation per user, no duplicates

Usage:
  pip install nylas
  python3 scripts/sdk-compat.py --api-uri http://127.0.0.1:PORT --api-key KEY
  (or NYLAS_API_URI / NYLAS_API_KEY in the environment)

Prints each step; exits 0 when every step passed, 1 on the first failure, 2 on bad usage.
"""

import argparse
import json
import os
import sys
import traceback
import urllib.request
import uuid

try:
    import nylas
    from nylas import Client
    from nylas.models.errors import NylasApiError
except ImportError:  # pragma: no cover - depends on the machine
    print("sdk-compat: the 'nylas' package is missing: pip install nylas", file=sys.stderr)
    sys.exit(2)

SCOPES = [
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/userinfo.email",
]

# A well-formed but fake service-account key file: every field Google puts in one, PEM framing,
# nothing that works anywhere.
FAKE_PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7sandboxFAKEKEY\n"
    "ZmFrZS1rZXktZm9yLXRoZS1idWxrZ3JhbnQtc2FuZGJveC1ub3QtYS1yZWFsLWtl\n"
    "-----END PRIVATE KEY-----\n"
)


def fake_service_account(run: str) -> dict:
    project = "bulkgrant-sdk-compat"
    email = f"bulkgrant@{project}.iam.gserviceaccount.com"
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": f"0123456789abcdef{run}",
        "private_key": FAKE_PRIVATE_KEY,
        "client_email": email,
        "client_id": "109876543210987654321",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
        "universe_domain": "googleapis.com",
    }


class Failure(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failure(what)


def step(number: int, title: str) -> None:
    print(f"[{number}] {title}", flush=True)


def ok(text: str) -> None:
    print(f"    ok: {text}", flush=True)


def sandbox_stats(api_uri: str) -> dict:
    with urllib.request.urlopen(api_uri.rstrip("/") + "/__sandbox/stats", timeout=10) as answer:
        return json.load(answer)


def run(api_uri: str, api_key: str, domain: str) -> None:
    client = Client(api_key=api_key, api_uri=api_uri, timeout=30)
    run_id = uuid.uuid4().hex[:8]
    users = [f"sdk.{name}.{run_id}+bulk@{domain}" for name in ("alice", "bob", "carol")]

    step(1, "connectors.list()")
    connectors = client.connectors.list()
    providers = sorted(c.provider for c in connectors.data)
    check("google" in providers, f"no google connector in {providers}")
    check(bool(connectors.request_id), "list connectors answered without request_id")
    ok(f"{len(connectors.data)} connectors {providers}, request_id {connectors.request_id}")
    google = client.connectors.find(provider="google").data
    check(google.provider == "google", f"connectors.find(google) gave {google.provider!r}")
    ok("connectors.find(google)")

    step(2, "connectors.credentials.create(google, serviceaccount)")
    name = f"sdk-compat {run_id}"
    created = client.connectors.credentials.create(
        provider="google",
        request_body={
            "name": name,
            "credential_type": "serviceaccount",
            "credential_data": fake_service_account(run_id),
        },
    )
    credential = created.data
    check(bool(credential.id), "credential without id")
    check(credential.name == name, f"credential name {credential.name!r} != {name!r}")
    check(credential.credential_type in (None, "serviceaccount"), f"credential_type {credential.credential_type!r}")
    ok(f"credential {credential.id} ({credential.credential_type}), request_id {created.request_id}")
    found = client.connectors.credentials.find(provider="google", credential_id=credential.id)
    check(found.data.id == credential.id, "credentials.find returned another credential")
    ok("credentials.find returns it")
    listed = client.connectors.credentials.list(provider="google", query_params={"limit": 50, "offset": 0})
    check(credential.id in [c.id for c in listed.data], "credentials.list does not list it")
    ok(f"credentials.list: {len(listed.data)} google credentials")

    step(3, "auth.custom_authentication() for three users")
    grants = {}
    for email in users:
        answer = client.auth.custom_authentication(
            {
                "provider": "google",
                "settings": {"credential_id": credential.id, "email_address": email, "scopes": SCOPES},
            }
        )
        grant = answer.data
        check(bool(grant.id), f"no grant id for {email}")
        check(grant.provider == "google", f"grant provider {grant.provider!r}")
        check((grant.email or "").lower() == email.lower(), f"grant email {grant.email!r} != {email!r}")
        check(grant.grant_status in (None, "valid"), f"grant_status {grant.grant_status!r}")
        grants[email] = grant.id
        ok(f"{email} -> grant {grant.id} ({grant.grant_status}, scope {len(grant.scope)})")
    check(len(set(grants.values())) == 3, "two users share a grant id")

    step(4, "auth.custom_authentication() again for the first user (re-authentication)")
    again = client.auth.custom_authentication(
        {
            "provider": "google",
            "settings": {"credential_id": credential.id, "email_address": users[0], "scopes": SCOPES},
        }
    ).data
    check(again.id == grants[users[0]], f"re-authentication gave {again.id}, not {grants[users[0]]}")
    ok(f"same grant id {again.id}")

    step(5, "grants.list(email=...) for each user (query value percent-encoded by the SDK)")
    for email in users:
        listed = client.grants.list(query_params={"email": email, "provider": "google", "limit": 5})
        ids = [g.id for g in listed.data]
        check(ids == [grants[email]], f"grants.list(email={email}) gave {ids}, expected [{grants[email]}]")
        ok(f"{email}: {ids[0]}")
    valid = client.grants.list(query_params={"grant_status": "valid", "limit": 200})
    check(all(g.grant_status == "valid" for g in valid.data), "grant_status=valid returned other grants")
    ok(f"grant_status=valid: {len(valid.data)} grants")

    step(6, "grants.destroy() for the last user, then grants.find() answers 404")
    victim = users[-1]
    deleted = client.grants.destroy(grants[victim])
    check(bool(deleted.request_id), "delete answered without request_id")
    ok(f"deleted {grants[victim]}, request_id {deleted.request_id}")
    try:
        client.grants.find(grants[victim])
        raise Failure("the deleted grant is still found")
    except NylasApiError as error:
        check(error.status_code == 404, f"find after delete answered {error.status_code}")
        ok(f"find -> NylasApiError {error.status_code} {error.type}: {error}")
    remaining = client.grants.list(query_params={"email": victim}).data
    check(remaining == [], f"grants.list(email={victim}) still lists {[g.id for g in remaining]}")
    ok("grants.list no longer lists it")

    step(7, "auth.custom_authentication() with an unknown credential -> error envelope")
    try:
        client.auth.custom_authentication(
            {
                "provider": "google",
                "settings": {"credential_id": "no-such-credential", "email_address": users[0], "scopes": SCOPES},
            }
        )
        raise Failure("an unknown credential was accepted")
    except NylasApiError as error:
        check(400 <= error.status_code < 500, f"status {error.status_code}")
        check(error.type not in (None, "", "unknown"), f"the SDK could not parse the envelope: type {error.type!r}")
        check(bool(error.request_id), "error without request_id")
        ok(f"NylasApiError {error.status_code} {error.type}: {error} [request_id {error.request_id}]")

    step(8, "Microsoft: adminconsent credential, custom auth without scopes, credential deleted")
    consent = client.connectors.credentials.create(
        provider="microsoft",
        request_body={
            "name": f"sdk-compat consent {run_id}",
            "credential_type": "adminconsent",
            "credential_data": {"client_id": str(uuid.uuid4()), "client_secret": "fake-secret", "tenant": "common"},
        },
    ).data
    ok(f"credential {consent.id} ({consent.credential_type})")
    ms_user = f"sdk.dan.{run_id}@{domain}"
    ms_grant = client.auth.custom_authentication(
        {"provider": "microsoft", "settings": {"credential_id": consent.id, "email_address": ms_user}}
    ).data
    check(ms_grant.provider == "microsoft", f"grant provider {ms_grant.provider!r}")
    check((ms_grant.email or "").lower() == ms_user.lower(), f"grant email {ms_grant.email!r}")
    ok(f"{ms_user} -> grant {ms_grant.id} ({ms_grant.grant_status})")
    removed = client.connectors.credentials.destroy(provider="microsoft", credential_id=consent.id)
    check(bool(removed.request_id), "credential delete answered without request_id")
    try:
        client.connectors.credentials.find(provider="microsoft", credential_id=consent.id)
        raise Failure("the deleted credential is still found")
    except NylasApiError as error:
        check(error.status_code == 404, f"find after delete answered {error.status_code}")
        ok(f"credential deleted; find -> {error.status_code} {error.type}")

    step(9, "/__sandbox/stats: one creation per user, one re-authentication, one deletion")
    stats = sandbox_stats(api_uri)
    creations = stats.get("creations_by_email", {})
    reauths = stats.get("reauths_by_email", {})
    deletions = stats.get("deletions_by_email", {})
    for email in users + [ms_user]:
        check(creations.get(email.lower()) == 1, f"creations_by_email[{email}] = {creations.get(email.lower())}")
    check(reauths.get(users[0].lower()) == 1, f"reauths_by_email[{users[0]}] = {reauths.get(users[0].lower())}")
    check(deletions.get(victim.lower()) == 1, f"deletions_by_email[{victim}] = {deletions.get(victim.lower())}")
    ok(f"creations {[creations.get(e.lower()) for e in users + [ms_user]]}, reauths 1, deletions 1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-uri", default=os.environ.get("NYLAS_API_URI"), help="sandbox base URI (or NYLAS_API_URI)")
    parser.add_argument("--api-key", default=os.environ.get("NYLAS_API_KEY"), help="sandbox API key (or NYLAS_API_KEY)")
    parser.add_argument("--domain", default="example.com", help="domain of the test users")
    args = parser.parse_args()
    if not args.api_uri or not args.api_key:
        parser.print_usage(sys.stderr)
        print("sdk-compat: give --api-uri and --api-key (or NYLAS_API_URI, NYLAS_API_KEY)", file=sys.stderr)
        return 2
    version = getattr(nylas, "__version__", None)
    if version is None:
        from nylas._client_sdk_version import __VERSION__ as version  # type: ignore
    print(f"sdk-compat: nylas-python {version} against {args.api_uri}", flush=True)
    try:
        run(args.api_uri.rstrip("/"), args.api_key, args.domain)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except Exception:  # an SDK exception means the sandbox said something the SDK cannot take
        print("FAILED with an exception:", file=sys.stderr)
        traceback.print_exc()
        return 1
    print("sdk-compat: all steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
