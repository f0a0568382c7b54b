"""Zuora's own Python SDK (zuora-sdk) talks to the emulator and reads every answer it gives.

The SDK's models are generated from Zuora's OpenAPI with strict types (numbers must be numbers,
dates dates, enums their listed values); a field the SDK does not know lands in its
`additional_properties`. So an answer the SDK parses with nothing left over has Zuora's shape.
`scripts/check_zuora_sdk.sh` runs this file with the SDK installed (CI does); without the SDK the
tests skip, unless ORDERSPEC_REQUIRE_SDK is set.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Iterator

import httpx
import pytest

if os.environ.get("ORDERSPEC_REQUIRE_SDK"):
    import zuora_sdk
    from zuora_sdk.zuora_client import ZuoraClient
else:
    zuora_sdk = pytest.importorskip("zuora_sdk")
    from zuora_sdk.zuora_client import ZuoraClient

from dispatch_support import FIXTURES, emulator, rendered  # noqa: E402

# The SDK's OAuth call insists on Zuora's own credential format: a 36-character client id.
SDK_CLIENT_ID = "0f5c3a1e-7d2b-4c8e-9a6f-1b2c3d4e5f60"
SDK_SECRET = "sdk-s3cr3t-never-print-me"


def body(spec: str) -> dict[str, Any]:
    (item,) = rendered(FIXTURES / spec)
    return json.loads(item.rendered.body)


@pytest.fixture()
def orders_api() -> Iterator[Any]:
    with emulator(clients={SDK_CLIENT_ID: SDK_SECRET}) as server:
        configuration = zuora_sdk.Configuration(host=server.url)
        client = ZuoraClient(SDK_CLIENT_ID, SDK_SECRET, None, configuration)
        # A token, without initialize()'s refresh thread (stopping it waits 5 s).
        client.refresh_token()
        assert client.token["access_token"]
        yield client.orders_api()


def leftovers(model: Any, where: str = "$") -> list[str]:
    """Fields of the answer that the SDK's models do not know, at any depth."""
    found = [f"{where}.{name}" for name in getattr(model, "additional_properties", None) or {}]
    if hasattr(model, "model_fields"):
        for name in model.model_fields:
            if name != "additional_properties":
                found += leftovers(getattr(model, name), f"{where}.{name}")
    elif isinstance(model, list):
        for index, item in enumerate(model):
            found += leftovers(item, f"{where}[{index}]")
    return found


def test_the_sdk_creates_an_order_and_reads_the_answer(orders_api: Any) -> None:
    request = zuora_sdk.CreateOrderRequest.from_dict(body("create.order.yaml"))
    answer = orders_api.create_order(request, idempotency_key="sdk-create-1")
    assert isinstance(answer, zuora_sdk.CreateOrderResponse)
    assert answer.success is True and answer.order_number == "O-DISPATCH-SYNC"
    assert answer.subscription_numbers and answer.subscription_numbers[0].startswith("A-S")
    assert leftovers(answer) == []
    found = orders_api.get_order("O-DISPATCH-SYNC")
    assert isinstance(found, zuora_sdk.GetOrderResponse)
    assert found.order.order_number == "O-DISPATCH-SYNC"
    assert leftovers(found) == []


def test_the_sdk_reads_a_preview(orders_api: Any) -> None:
    request = zuora_sdk.PreviewOrderRequest.from_dict(body("preview.order.yaml"))
    answer = orders_api.preview_order(request)
    assert isinstance(answer, zuora_sdk.PreviewOrderResponse) and answer.success is True
    result = answer.preview_result
    assert result.charge_metrics and result.invoices
    item = result.invoices[0].invoice_items[0]
    assert isinstance(item.amount_without_tax, (int, float))
    assert item.service_start_date is not None
    assert leftovers(answer) == []


def read_job(orders_api: Any, job_id: str) -> tuple[Any, dict[str, Any]]:
    """The job as the SDK's model, and its raw JSON.

    zuora-sdk 3.21 cannot read any finished job whose `result` is an object: the result is a
    oneOf of two models whose fields are all optional, so both match and the SDK raises
    "Multiple matches found". That holds for a real tenant's answer too; the result is then
    read with the model its jobType names, as a caller of the SDK has to.
    """
    # The same GET the SDK makes, with the SDK's own token, read before the SDK's models see it.
    client = orders_api.api_client
    raw = httpx.get(f"{client.configuration.host}/v1/async-jobs/{job_id}",
                    headers={"Authorization": client.default_headers["Authorization"]})
    assert raw.status_code == 200
    payload = raw.json()
    try:
        return zuora_sdk.GetAsyncOrderJobResponse.from_dict(payload), payload
    except ValueError as refused:
        assert "Multiple matches found" in str(refused)
    without_result = {key: value for key, value in payload.items() if key != "result"}
    return zuora_sdk.GetAsyncOrderJobResponse.from_dict(without_result), payload


def finished_job(orders_api: Any, job_id: str) -> tuple[Any, dict[str, Any]]:
    """Poll as a caller of the SDK would, until the job is no longer pending or processing."""
    deadline = time.monotonic() + 10
    while True:
        job, payload = read_job(orders_api, job_id)
        assert leftovers(job) == []
        if job.status not in ("Pending", "Processing") or time.monotonic() > deadline:
            return job, payload
        time.sleep(0.02)


def test_the_sdk_runs_an_async_create_to_the_end(orders_api: Any) -> None:
    request = zuora_sdk.CreateOrderAsyncRequest.from_dict(body("async-create.order.yaml"))
    started = orders_api.create_order_asynchronously(request, idempotency_key="sdk-async-1")
    assert isinstance(started, zuora_sdk.CreateOrderAsyncResponse)  # read only from a 202
    assert started.success is True and started.job_id
    assert leftovers(started) == []
    job, payload = finished_job(orders_api, started.job_id)
    assert job.status == "Completed" and payload["result"]["jobType"] == "AsyncCreateOrder"
    result = zuora_sdk.GetAsyncCreateOrderJobResponse.from_dict(payload["result"])
    assert result.order_number and result.status
    assert leftovers(result) == []


def test_the_sdk_runs_an_async_preview_to_the_end(orders_api: Any) -> None:
    request = zuora_sdk.PreviewOrderAsyncRequest.from_dict(body("async-preview.order.yaml"))
    started = orders_api.preview_order_asynchronously(request)
    assert isinstance(started, zuora_sdk.PreviewOrderAsyncResponse)  # read only from a 202
    assert started.job_id and leftovers(started) == []
    job, payload = finished_job(orders_api, started.job_id)
    assert job.status == "Completed" and payload["result"]["jobType"] == "AsyncPreviewOrder"
    result = zuora_sdk.GetAsyncPreviewOrderJobResponse.from_dict(payload["result"])
    assert result.charge_metrics and result.invoices
    assert leftovers(result) == []


def test_the_sdk_reads_the_emulators_refusals(orders_api: Any) -> None:
    request = zuora_sdk.CreateOrderRequest.from_dict(body("create.order.yaml"))
    assert orders_api.create_order(request, idempotency_key="sdk-first").success is True
    # The same order number under another key: Zuora refuses it with success false and reasons.
    again = orders_api.create_order(request, idempotency_key="sdk-second")
    assert isinstance(again, zuora_sdk.CreateOrderResponse)
    # Zuora sends the code as a number or as text (shared reference, zuora-errors.md); 8 digits either way.
    assert again.success is False and again.reasons and str(again.reasons[0].code).isdigit()
    assert leftovers(again) == []
    # An unknown field: refused, and the refusal still reads as the SDK's model.
    unknown = body("create.order.yaml")
    unknown["orderNumber"] = "O-SDK-UNKNOWN-FIELD"
    unknown["zipCode"] = "12345"
    refused = orders_api.create_order(zuora_sdk.CreateOrderRequest.from_dict(unknown), idempotency_key="sdk-bad")
    assert refused.success is False and refused.reasons and "zipCode" in refused.reasons[0].message
    assert leftovers(refused) == []


def test_the_sdk_reads_an_unknown_order_as_zuora_answers_it(orders_api: Any) -> None:
    try:
        answer = orders_api.get_order("O-NOT-THERE")
    except zuora_sdk.ApiException as raised:  # an HTTP error status: its body is Zuora's CommonResponse
        common = zuora_sdk.CommonResponse.from_dict(json.loads(raised.body))
        assert common.success is False and common.reasons
        assert leftovers(common) == []
    else:
        assert answer.success is False and answer.reasons
        assert leftovers(answer) == []


def test_the_sdk_reads_the_tenants_subscriptions_accounts_and_order_pages() -> None:
    with emulator(clients={SDK_CLIENT_ID: SDK_SECRET}) as server:
        configuration = zuora_sdk.Configuration(host=server.url)
        client = ZuoraClient(SDK_CLIENT_ID, SDK_SECRET, None, configuration)
        client.refresh_token()
        orders_api = client.orders_api()
        for index in range(3):
            request = body("create.order.yaml")
            request["orderNumber"] = f"O-SDK-PAGE-{index}"
            made = orders_api.create_order(zuora_sdk.CreateOrderRequest.from_dict(request),
                                           idempotency_key=f"sdk-page-{index}")
            assert made.success is True
        number = made.subscription_numbers[0]
        subscription = client.subscriptions_api().get_subscription_by_key(number)
        assert isinstance(subscription, zuora_sdk.GetSubscriptionResponse)
        assert subscription.subscription_number == number and subscription.status == "Active"
        assert subscription.rate_plans and subscription.rate_plans[0].rate_plan_charges
        assert subscription.rate_plans[0].rate_plan_charges[0].price == 19.99
        assert leftovers(subscription) == []
        account = client.accounts_api().get_account("A00000101")
        assert account.basic_info.account_number == "A00000101" and account.billing_and_payment.bill_cycle_day == 1
        assert leftovers(account) == []
        first = orders_api.get_orders(page_size=2)
        assert [o.order_number for o in first.orders] == ["O-SDK-PAGE-0", "O-SDK-PAGE-1"]
        assert first.next_page and leftovers(first) == []
        second = orders_api.get_orders(page=2, page_size=2)
        assert [o.order_number for o in second.orders] == ["O-SDK-PAGE-2"] and second.next_page is None
        assert leftovers(second) == []
        # A key the tenant does not hold: Zuora's "not found", read as the SDK's model.
        missing = client.subscriptions_api().get_subscription_by_key("A-S-NOT-THERE")
        assert missing.success is False and missing.reasons and leftovers(missing) == []
