"""`orderspec job JOB_ID`: one asynchronous job and its result (GET /v1/async-jobs/{jobId}), for jobs
started by send or by anything else; a completed job whose order is Pending is flagged, in `job`
and in `send` (issue 13, item 6)."""

from __future__ import annotations

import json

import httpx
from click.testing import CliRunner

from dispatch_support import (FAST, assert_no_secret, assert_no_token, cli_env, client, copy_specs, dispatcher,
                              emulator, rendered)
from orderspec.cli import cli
from orderspec.dispatch import send_batch


def run(server, *args):
    result = CliRunner().invoke(cli, [*args], env=cli_env(), catch_exceptions=False)
    assert_no_secret(result.stdout, result.stderr)
    assert_no_token(server, result.stdout, result.stderr)
    return result


def async_job(server, tmp_path):
    folder = copy_specs(tmp_path, "async-create.order.yaml")
    (item,) = rendered(folder)
    with client(server) as zuora:
        response = zuora.send(item.rendered)
    return response.payload["jobId"]


def make_pending(server, job_id):
    """What a tenant answers for an order whose subscription waits for activation: status Pending."""
    job = server.store.get("job", job_id)
    result = json.loads(job["result"])
    result["status"] = "Pending"
    job["result"] = json.dumps(result)
    server.store.put("job", job_id, job)


def test_job_shows_a_completed_job_and_its_order(tmp_path):
    with emulator(job_delay=0.0) as server:
        job_id = async_job(server, tmp_path)
        text = run(server, "job", job_id, "--base-url", server.url)
        as_json = run(server, "job", job_id, "--base-url", server.url, "--json")
    assert text.exit_code == 0, text.stderr
    assert f"job {job_id}: Completed" in text.stdout and "order O-DISPATCH-ASYNC: Completed" in text.stdout
    data = json.loads(as_json.stdout)
    assert (data["jobId"], data["status"], data["orderNumber"], data["pending"]) == \
        (job_id, "Completed", "O-DISPATCH-ASYNC", False)


def test_job_wait_polls_until_the_job_ends(tmp_path):
    with emulator(job_delay=0.3) as server:
        job_id = async_job(server, tmp_path)
        now = run(server, "job", job_id, "--base-url", server.url, "--json")
        waited = run(server, "job", job_id, "--base-url", server.url, "--json", "--wait", *FAST[6:])
    assert now.exit_code == 0 and json.loads(now.stdout)["status"] == "Processing"
    assert waited.exit_code == 0 and json.loads(waited.stdout)["status"] == "Completed"


def test_job_flags_a_completed_job_whose_order_is_pending(tmp_path):
    with emulator(job_delay=0.0) as server:
        job_id = async_job(server, tmp_path)
        make_pending(server, job_id)
        text = run(server, "job", job_id, "--base-url", server.url)
        as_json = run(server, "job", job_id, "--base-url", server.url, "--json")
    assert text.exit_code == 1
    assert "PENDING" in text.stderr and "O-DISPATCH-ASYNC is Pending" in text.stderr
    assert json.loads(as_json.stdout)["pending"] is True and as_json.exit_code == 1


def test_job_a_failed_job_shows_its_reasons(tmp_path):
    from orderspec.emulator import Faults

    with emulator(job_delay=0.0, faults=Faults(script=["lock"])) as server:
        job_id = async_job(server, tmp_path)
        result = run(server, "job", job_id, "--base-url", server.url)
    assert result.exit_code == 1
    assert "Failed" in result.stdout and "lock contention" in result.stdout


def test_job_unknown_to_the_api_exits_1(tmp_path):
    with emulator() as server:
        result = run(server, "job", "0123456789abcdef0123456789abcdef", "--base-url", server.url)
    assert result.exit_code == 1 and "not known" in result.stderr


def test_job_needs_a_place_to_ask(tmp_path):
    result = CliRunner().invoke(cli, ["job", "abc"], env=cli_env())
    assert result.exit_code == 2 and "--env" in result.stderr


class PendingAnswers(httpx.HTTPTransport):
    """The tenant answers creates with status Pending (subscriptions waiting for activation)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path == "/v1/orders":
            data = json.loads(response.read())
            data["status"] = "Pending"
            return httpx.Response(response.status_code, json=data)
        return response


def test_send_flags_orders_that_are_pending(tmp_path):
    folder = copy_specs(tmp_path, "create.order.yaml")
    items = rendered(folder)
    with emulator() as server:
        with client(server, transport=PendingAnswers()) as zuora:
            (outcome,) = send_batch(items, dispatcher(zuora))
        assert outcome.status == "created" and outcome.pending
        assert "is Pending in Zuora" in outcome.detail
        assert outcome.as_json()["pending"] is True and outcome.as_json()["orderStatus"] == "Pending"
        # A re-run skips it, still flagged (the journal kept the status).
        with client(server) as zuora:
            (again,) = send_batch(rendered(folder), dispatcher(zuora))
    assert again.status == "skipped" and again.pending and "Pending" in again.detail


def test_send_lines_flag_pending_orders():
    from orderspec.dispatch.progress import outcome_line
    from orderspec.dispatch.send import Outcome

    line = outcome_line(Outcome("x.order.yaml", "k", "created", "order O-1 is Pending in Zuora: ...", "O-1",
                                order_status="Pending"))
    assert "PENDING" in line and line.startswith("created")
