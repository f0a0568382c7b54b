"""The journal knows which tenant each order went to: a rehearsal never hides a real send.

Two emulators on 127.0.0.1 (different ports) stand for two tenants: the emulator of a rehearsal
and a sandbox."""

from __future__ import annotations

import json
import re
import time

import pytest
from click.testing import CliRunner

from dispatch_support import (FAST, SECRET, assert_no_secret, assert_no_token, cli_env, client, copy_specs,
                              dispatcher, emulator, journal_text, rendered)
from orderspec.cli import cli
from orderspec.dispatch import DispatchError, Tenant, resolve_environment, send_batch
from orderspec.dispatch.journal import Journal, UnattributedRecords, journal_path_for
from orderspec.dispatch.tenant import BaseUrlError, normal_base_url
from orderspec.emulator import Emulator, EmulatorConfig

NUMBER = "O-DISPATCH-SYNC"


def run(*args, servers=()):
    result = CliRunner().invoke(cli, [*args], env=cli_env(), catch_exceptions=False)
    assert_no_secret(result.stdout, result.stderr)
    for server in servers:
        assert_no_token(server, result.stdout, result.stderr)
    return result


def creates(server):
    return [r for r in server.requests if r["method"] == "POST" and r["path"].startswith("/v1/")]


def records(folder):
    return [json.loads(line) for line in journal_text(folder).splitlines()]


def send(folder, server, *more):
    return run("send", str(folder), "--base-url", server.url, *more, *FAST, servers=[server])


# -- a rehearsal, then the real thing -------------------------------------------------------------------


def test_a_rehearsal_on_one_emulator_does_not_hide_the_send_to_another(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as rehearsal, emulator() as sandbox:
        urls = rehearsal.url, sandbox.url
        assert send(folder, rehearsal, "--yes").exit_code == 0
        dry = send(folder, sandbox)
        assert sandbox.requests == []
        real = send(folder, sandbox, "--yes")
        assert real.exit_code == 0, real.output
        assert re.match(rf"created\s+\S+create.order.yaml\s+{NUMBER} subscriptions A-S\d{{8}}", real.stdout)
        assert len(sandbox.orders()) == 1 and len(creates(sandbox)) == 1
        # A re-run against either tenant skips: each knows its own order.
        again = send(folder, sandbox, "--yes", "--json")
        rehearsed_again = send(folder, rehearsal, "--yes", "--json")
        dry_rehearsal = send(folder, rehearsal)
        assert len(creates(sandbox)) == 1 and len(creates(rehearsal)) == 1
        assert len(rehearsal.orders()) == 1
        text = journal_text(folder)
        assert_no_token(rehearsal, text)
        assert_no_token(sandbox, text)
    assert f"would send (not yet on this tenant; the journal has it created as {NUMBER} on {urls[0]})" in dry.stdout
    assert "would skip" not in dry.stdout
    assert [r["status"] for r in json.loads(again.stdout)["results"]] == ["skipped"]
    assert [r["status"] for r in json.loads(rehearsed_again.stdout)["results"]] == ["skipped"]
    assert f"would skip: already created as {NUMBER}" in dry_rehearsal.stdout
    tenants = [r["tenant"] for r in records(folder)]
    assert tenants == [{"baseUrl": urls[0]}] * 2 + [{"baseUrl": urls[1]}] * 2  # sending, created
    assert_no_secret(journal_text(folder))


def test_the_same_tenant_spelled_another_way_still_skips(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        assert send(folder, server, "--yes").exit_code == 0
        spelled = server.url.replace("http://", "HTTP://") + "//"
        again = run("send", str(folder), "--base-url", spelled, "--yes", *FAST, servers=[server])
        assert len(creates(server)) == 1
    assert again.exit_code == 0 and again.stdout.startswith("skipped")


def test_env_emulator_and_its_base_url_are_one_tenant(tmp_path):
    try:
        server = Emulator(EmulatorConfig(port=8765, clients={"orderspec-tests": SECRET}, retry_after=0)).start()
    except OSError:
        pytest.skip("port 8765 (the `emulator` environment) is in use")
    folder = copy_specs(tmp_path, "create.order.yaml")
    try:
        by_url = run("send", str(folder), "--base-url", "http://127.0.0.1:8765/", "--yes", *FAST, servers=[server])
        by_name = run("send", str(folder), "--env", "emulator", "--yes", *FAST, servers=[server])
        dry = run("send", str(folder), "--env", "emulator", servers=[server])
        assert len(creates(server)) == 1
    finally:
        server.stop()
    assert by_url.stdout.startswith("created") and by_name.stdout.startswith("skipped")
    assert "would skip: already created" in dry.stdout


def test_a_changed_spec_is_held_only_on_the_tenant_that_has_the_earlier_version(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    spec = folder / "create.order.yaml"
    with emulator() as rehearsal, emulator() as sandbox:
        assert send(folder, rehearsal, "--yes").exit_code == 0
        spec.write_text(spec.read_text().replace("autoRenew: true", "autoRenew: false"))
        held = send(folder, rehearsal, "--yes")
        sent = send(folder, sandbox, "--yes")
        assert len(rehearsal.orders()) == 1 and len(sandbox.orders()) == 1
    assert held.exit_code == 1 and held.stdout.startswith("held")
    assert sent.exit_code == 0 and sent.stdout.startswith("created")


def test_an_unconfirmed_send_to_one_tenant_is_not_settled_on_another(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    key = items[0].rendered.idempotency_key
    journal = Journal(journal_path_for(items[0].spec_path))
    with emulator() as rehearsal, emulator() as sandbox:
        urls = rehearsal.url, sandbox.url
        journal.append({"key": key, "spec": "create.order.yaml", "endpoint": "create", "event": "sending",
                        "attempt": 0, "attemptKey": key, "tenant": {"baseUrl": rehearsal.url}})
        with client(sandbox) as zuora:
            (outcome,) = send_batch(items, dispatcher(zuora))
        assert outcome.status == "created"
        # Sent as a first attempt, without asking the sandbox for an order the rehearsal may hold.
        assert [(r["method"], r["path"], r["key"]) for r in sandbox.requests] == [("POST", "/v1/orders", key)]
        assert rehearsal.requests == []
    assert journal.states(Tenant.of(urls[0]))[key].status == "sending"
    assert journal.states(Tenant.of(urls[1]))[key].status == "created"


# -- entities and orgs -----------------------------------------------------------------------------------


def _with_headers(folder, **headers):
    spec = folder / "create.order.yaml"
    lines = "".join(f"  {name}: {value}\n" for name, value in headers.items())
    text = re.sub(r"(?m)^headers:\n(  \w+: .*\n)+", "headers:\n  trackId: dispatch-test\n" + lines, spec.read_text())
    spec.write_text(text)
    return rendered(folder)


ENTITY_A, ENTITY_B = "8a8aa1b2c3d4e5f60718293a4b5c6d7e", "8a8aa1b2c3d4e5f60718293a4b5c6d7f"


def test_another_entity_behind_the_same_base_url_is_another_tenant(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server, client(server) as zuora:
        url = server.url
        first = send_batch(_with_headers(folder, entityIds=ENTITY_A, orgIds="org-2,org-1"), dispatcher(zuora))
        other = send_batch(_with_headers(folder, entityIds=ENTITY_B, orgIds="org-2,org-1"), dispatcher(zuora))
        same = send_batch(_with_headers(folder, entityIds=ENTITY_A, orgIds="org-1, org-2"), dispatcher(zuora))
        assert len(creates(server)) == 2  # one per entity; the orgs, in any order, are one set
    assert [o.status for o in first + other + same] == ["created", "created", "skipped"]
    assert records(folder)[0]["tenant"] == {"baseUrl": url, "entityIds": ENTITY_A, "orgIds": "org-1,org-2"}


# -- normalising base URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given, normal", [
    ("https://rest.test.zuora.com", "https://rest.test.zuora.com"),
    ("HTTPS://REST.Test.Zuora.COM/", "https://rest.test.zuora.com"),
    ("https://rest.test.zuora.com:443//", "https://rest.test.zuora.com"),
    ("http://127.0.0.1:80", "http://127.0.0.1"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ("https://proxy.example.com:8443/Zuora/", "https://proxy.example.com:8443/Zuora"),  # a path keeps its case
    ("http://[::1]:8765/", "http://[::1]:8765"),
])
def test_base_urls_are_normalised(given, normal):
    assert normal_base_url(given) == normal


def test_an_environment_name_is_the_tenant_of_its_base_url():
    def tenant(env=None, base_url=None):
        return Tenant.of(resolve_environment(env, base_url).base_url)

    assert tenant("emulator") == tenant(base_url="http://127.0.0.1:8765/") == tenant(base_url="HTTP://127.0.0.1:8765")
    assert tenant("us-developer-sandbox") == tenant("us-central-sandbox") == tenant(
        base_url="https://rest.test.zuora.com:443/")
    assert tenant("us-api-sandbox-cloud1") != tenant("us-api-sandbox-cloud2")


def test_a_production_host_is_production_however_it_is_spelled(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    dry = run("send", str(folder), "--base-url", "HTTPS://REST.ZUORA.COM:443/")
    assert dry.exit_code == 0 and "--allow-production" in dry.stderr
    assert resolve_environment(None, "https://Rest.EU.zuora.com/").production


@pytest.mark.parametrize("url", ["ftp://rest.zuora.com", "https://", "rest.zuora.com", "https://rest.zuora.com?x=1",
                                 "https://rest.zuora.com/#top", "http://127.0.0.1:99999"])
def test_what_cannot_name_a_tenant_is_refused(url):
    with pytest.raises(BaseUrlError):
        normal_base_url(url)


def test_a_base_url_with_credentials_is_refused_without_showing_them(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        with_password = server.url.replace("http://", f"http://user:{SECRET}@")
        dry = run("send", str(folder), "--base-url", with_password)
        sent = run("send", str(folder), "--base-url", with_password, "--yes", *FAST)
        assert server.requests == []
    for result in (dry, sent):
        assert result.exit_code == 2 and "must not carry credentials" in result.stderr
    assert journal_text(folder) == ""
    with pytest.raises(DispatchError) as refused:
        resolve_environment(None, with_password)
    assert SECRET not in str(refused.value)


def test_a_client_whose_base_url_holds_credentials_journals_nothing(tmp_path):
    from dispatch_support import CLIENT_ID
    from orderspec.dispatch import Credentials, Secret, ZuoraClient

    folder = copy_specs(tmp_path, "create.order.yaml")
    with emulator() as server:
        with_password = server.url.replace("http://", f"http://user:{SECRET}@")
        with ZuoraClient(with_password, Credentials(CLIENT_ID, Secret(SECRET))) as zuora:
            with pytest.raises(BaseUrlError) as refused:
                send_batch(rendered(folder), dispatcher(zuora))
        assert server.requests == []
    assert SECRET not in str(refused.value)
    assert journal_text(folder) == ""


# -- journals written before tenants were recorded -------------------------------------------------------------


def _old_journal(folder, items, order_number=NUMBER):
    """The lines the previous orderspec wrote for a created order (version 1: no tenant)."""
    key = items[0].rendered.idempotency_key
    now = time.time()
    common = {"key": key, "spec": "create.order.yaml", "endpoint": "create", "hash": "sha256:" + "0" * 64}
    lines = [{"v": 1, "time": round(now - 60, 3), "at": "2026-12-01T10:00:00+00:00", **common, "event": "sending",
              "attempt": 0, "attemptKey": key},
             {"v": 1, "time": round(now - 59, 3), "at": "2026-12-01T10:00:01+00:00", **common, "event": "created",
              "attempt": 0, "orderNumber": order_number, "subscriptionNumbers": ["A-S00000001"],
              "orderStatus": "Completed"}]
    path = folder / ".orderspec" / "journal.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    return path


def test_an_old_journal_stops_send_and_dry_run_until_told_where_its_orders_went(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    path = _old_journal(folder, rendered(folder))
    before = path.read_bytes()
    with emulator() as rehearsal, emulator() as sandbox:
        refused = send(folder, sandbox, "--yes")
        dry = send(folder, sandbox)
        assert creates(sandbox) == [] and path.read_bytes() == before
        for result in (refused, dry):
            assert result.exit_code == 2
            assert "before the journal recorded which tenant" in result.stderr
            assert f"create.order.yaml: created as {NUMBER}" in result.stderr
            assert f"orderspec journal attribute {folder} --env NAME" in result.stderr
            assert "Nothing was sent" in result.stderr
        told = run("journal", "attribute", str(folder), "--base-url", rehearsal.url + "/")
        assert told.exit_code == 0 and f"2 record(s) attributed to {rehearsal.url}" in told.stdout
        assert path.read_bytes().startswith(before)  # the old records are kept as they were
        # They count for the rehearsal's tenant: skipped there, sent to the sandbox.
        assert send(folder, rehearsal, "--yes").stdout.startswith("skipped")
        assert send(folder, sandbox, "--yes").stdout.startswith("created")
        assert creates(rehearsal) == [] and len(creates(sandbox)) == 1
        again = run("journal", "attribute", str(folder / "create.order.yaml"), "--env", "emulator")
    assert again.exit_code == 0 and "nothing to attribute" in again.stdout
    assert [r.get("event") for r in records(folder)] == ["sending", "created", "attributed", "sending", "created"]


def test_old_records_after_an_attribution_are_not_covered_by_it(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    path = _old_journal(folder, items)
    journal = Journal(path)
    assert journal.attribute(Tenant.of("http://127.0.0.1:1")) == 2
    assert journal.states(Tenant.of("http://127.0.0.1:1/"))[items[0].rendered.idempotency_key].status == "created"
    # An older orderspec appended again: nobody has said where that record went.
    with path.open("a") as handle:
        handle.write(json.dumps({"v": 1, "key": "orderspec-other", "event": "failed", "attempt": 0}) + "\n")
    with pytest.raises(UnattributedRecords, match="1 record"):
        journal.states(Tenant.of("http://127.0.0.1:1"))
    assert len(journal.read()) == 3  # never dropped: every record is still read


def test_an_attributed_old_record_counts_for_every_entity_of_its_base_url(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    journal = Journal(_old_journal(folder, items))
    journal.attribute(Tenant.of("http://127.0.0.1:1"))
    key = items[0].rendered.idempotency_key
    assert key in journal.states(Tenant.of("http://127.0.0.1:1", {"Zuora-Entity-Ids": ENTITY_A}))
    assert key not in journal.states(Tenant.of("http://127.0.0.1:2"))


def test_attribute_needs_a_journal_and_a_place(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    missing = run("journal", "attribute", str(folder), "--env", "emulator")
    assert missing.exit_code == 2 and "no journal" in missing.stderr
    _old_journal(folder, rendered(folder))
    nowhere = run("journal", "attribute", str(folder))
    assert nowhere.exit_code == 2 and "--env" in nowhere.stderr
    assert "attributed" not in journal_text(folder)
