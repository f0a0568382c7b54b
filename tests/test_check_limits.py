"""The API's limits (L codes): order line items, call sizes, orders and actions across a batch."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from check_support import codes, found, lint, lint_paths, where, write

from orderspec import pipeline
from orderspec.config import CheckLimits, Config
from orderspec.model import SizeLimits, choose_endpoint


def suspend_order(subscriptions: int, *, mode: str = "false", number: str = "O-1",
                  actions_each: int = 1, first: int = 1) -> str:
    lines = ["orderspec: 1", "operation: create", f"async: {mode}", "body:", "  orderDate: 2024-01-01",
             f"  orderNumber: {number}", "  existingAccountNumber: A00000101", "  subscriptions:"]
    for index in range(first, first + subscriptions):
        lines.append(f"    - subscriptionNumber: S-{index:04d}")
        lines.append("      orderActions:")
        lines += ["        - {type: Suspend, suspend: {suspendPolicy: Today}}"] * actions_each
    return "\n".join(lines) + "\n"


def line_items(count: int) -> str:
    lines = ["orderspec: 1", "operation: create", "body:", "  orderDate: 2024-01-01",
             "  existingAccountNumber: A00000101", "  orderLineItems:"]
    for index in range(1, count + 1):
        lines += [f"    - itemName: Item {index:03d}", "      itemType: Product", "      quantity: 1"]
    return "\n".join(lines) + "\n"


def test_101_order_line_items_flagged_at_the_101st(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, line_items(101))
    assert found(diagnostics, "L001") == [where(tmp_path / "x.order.yaml", "itemName: Item 101")]
    assert "101 order line items" in diagnostics[0].message


def test_100_order_line_items_pass(tmp_path: Path) -> None:
    assert codes(lint(tmp_path, line_items(100))) == []


def test_sync_order_with_51_subscriptions_is_an_error_naming_the_async_endpoint(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, suspend_order(51))
    assert found(diagnostics, "L005") == [where(tmp_path / "x.order.yaml", "subscriptionNumber: S-0051")]
    message = next(d.message for d in diagnostics if d.code == "L005")
    assert "51 subscriptions" in message and "51 order actions" in message and "async: true" in message
    assert codes(diagnostics) == ["L005"]


def test_async_auto_routes_51_subscriptions_to_the_async_endpoint(tmp_path: Path) -> None:
    path = write(tmp_path, "x.order.yaml", suspend_order(51, mode="auto"))
    result = pipeline.run([str(path)], keep_requests=True)
    assert result.diagnostics == []
    assert choose_endpoint(result.requests[0]).name == "async-create"


def test_async_auto_keeps_a_small_order_synchronous(tmp_path: Path) -> None:
    path = write(tmp_path, "x.order.yaml", suspend_order(50, mode="auto"))
    result = pipeline.run([str(path)], keep_requests=True)
    assert result.diagnostics == []
    assert choose_endpoint(result.requests[0]).name == "create"


def test_sync_order_actions_total_and_per_subscription(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, suspend_order(1, actions_each=51))
    path = tmp_path / "x.order.yaml"
    # The 51st action is over the total and over the per-subscription limit: one diagnostic.
    assert found(diagnostics, "L005") == [where(path, "{type: Suspend", 51)]
    assert "per subscription" in diagnostics[0].message
    assert codes(lint(tmp_path, suspend_order(1, actions_each=50))) == []


def test_async_limits(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, suspend_order(301, mode="true"))
    assert found(diagnostics, "L006")[0] == where(tmp_path / "x.order.yaml", "subscriptionNumber: S-0301")
    assert "L005" not in codes(diagnostics)
    assert "L006" not in codes(lint(tmp_path, suspend_order(300, mode="true")))


def test_raised_sync_limit_from_config(tmp_path: Path) -> None:
    raised = Config(limits=CheckLimits(sync=SizeLimits(100, 100, 100)))
    assert codes(lint(tmp_path, suspend_order(51), config=raised)) == []
    # ...and `async: auto` uses the same configured limit to pick the endpoint.
    path = write(tmp_path, "y.order.yaml", suspend_order(51, mode="auto"))
    request = pipeline.run([str(path)], pipeline.Options(config=raised), keep_requests=True).requests[0]
    assert choose_endpoint(request, raised.limits.sync).name == "create"


def test_1001_orders_for_one_subscription_across_files(tmp_path: Path) -> None:
    def documents(first: int, count: int) -> str:
        return "".join(
            f"---\norderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n"
            f"  orderNumber: O-{n:05d}\n  existingAccountNumber: A1\n  subscriptions:\n"
            f"    - subscriptionNumber: S-ONE\n"
            f"      orderActions: [{{type: Suspend, suspend: {{suspendPolicy: Today}}}}]\n"
            for n in range(first, first + count))

    paths = [write(tmp_path, "a.order.yaml", documents(1, 500)),
             write(tmp_path, "b.order.yaml", documents(501, 500)),
             write(tmp_path, "c.order.yaml", documents(1001, 1))]
    diagnostics = lint_paths(paths)
    assert [(d.path, d.line, d.column, d.code) for d in diagnostics] == [
        (str(paths[2]), *where(paths[2], "S-ONE"), "L002")]
    assert "order 1001" in diagnostics[0].message

    # Orders the subscription already has count too.
    known = Config(existing_orders={"S-ONE": 995})
    flagged = found(lint_paths(paths[:1], config=known), "L002")
    assert flagged == [where(paths[0], "S-ONE", n) for n in range(6, 501)]


def test_previews_do_not_count_as_orders(tmp_path: Path) -> None:
    text = suspend_order(1).replace("operation: create", "operation: preview").replace(
        "  subscriptions:", "  previewOptions: {previewThruType: TermEnd, previewTypes: [BillingDocs]}\n"
                            "  subscriptions:")
    path = write(tmp_path, "p.order.yaml", text)
    config = Config(existing_orders={"S-0001": 1000})
    assert "L002" not in codes(lint_paths([path], config=config))


def update_charge(count: int) -> str:
    docs = []
    for n in range(count):
        docs.append(
            f"---\norderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  orderNumber: U-{n}\n"
            "  existingAccountNumber: A1\n  subscriptions:\n    - subscriptionNumber: S-1\n"
            "      orderActions:\n        - type: UpdateProduct\n          updateProduct:\n"
            "            ratePlanId: 8ad0\n            chargeUpdates:\n"
            "              - chargeNumber: C-1\n                description: x\n")
    return "".join(docs)


def test_order_actions_per_charge(tmp_path: Path) -> None:
    small = Config(limits=CheckLimits(order_actions_per_charge=3, order_actions_per_charge_recommended=1))
    diagnostics = lint(tmp_path, update_charge(4), config=small)
    path = tmp_path / "x.order.yaml"
    assert found(diagnostics, "L004") == [where(path, "C-1", 2)]
    assert found(diagnostics, "L003") == [where(path, "C-1", 4)]
    assert [d.severity.value for d in diagnostics if d.code == "L004"] == ["warning"]
    assert codes(lint(tmp_path, update_charge(1), config=small)) == []


def test_defaults_match_the_documented_limits() -> None:
    limits = CheckLimits()
    assert (limits.order_line_items, limits.orders_per_subscription, limits.order_actions_per_charge,
            limits.order_actions_per_charge_recommended) == (100, 1000, 1000, 100)
    assert dataclasses.astuple(limits.sync) == (50, 50, 50)
    assert dataclasses.astuple(limits.async_) == (300, 300, 300)


# -- charge_updates against its plain form, on generated bodies ----------------------------------

from typing import Any, Iterable  # noqa: E402

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from orderspec.body import as_dict, as_list  # noqa: E402
from orderspec.check import limits  # noqa: E402
from orderspec.check._common import actions, text  # noqa: E402
from orderspec.load import SourceMap  # noqa: E402
from orderspec.model import Request  # noqa: E402


def plain_charge_updates(request: Request) -> Iterable[tuple[str, str, tuple[Any, ...]]]:
    """limits.charge_updates as first written, over the body's Actions."""
    body = request.body if isinstance(request.body, dict) else {}
    for action in actions(body):
        number = text(action.subscription.get("subscriptionNumber"))
        if not number:
            continue
        touched: set[str] = set()
        for payload in ("updateProduct", "removeProduct"):
            updates = as_list(as_dict(action.value.get(payload)).get("chargeUpdates"))
            for position, update in enumerate(updates):
                charge = text(as_dict(update).get("chargeNumber"))
                if charge and charge not in touched:
                    touched.add(charge)
                    yield number, charge, action.pointer + (payload, "chargeUpdates", position, "chargeNumber")


ODD = st.sampled_from([None, "", 3, [], {}, "x"])
UPDATE = st.fixed_dictionaries({}, optional={"chargeNumber": st.sampled_from(["C-1", "C-2", ""]) | ODD}) | ODD
PAYLOAD = st.fixed_dictionaries({}, optional={"chargeUpdates": st.lists(UPDATE, max_size=3) | ODD}) | ODD
ACTION = st.fixed_dictionaries({}, optional={"updateProduct": PAYLOAD, "removeProduct": PAYLOAD}) | ODD
SUBSCRIPTION = st.fixed_dictionaries({}, optional={
    "subscriptionNumber": st.sampled_from(["S-1", "S-2"]) | ODD,
    "orderActions": st.lists(ACTION, max_size=3) | ODD}) | ODD


@settings(max_examples=300, deadline=None)
@example({"subscriptions": [{"subscriptionNumber": "S-1", "orderActions": [
    {"updateProduct": {"chargeUpdates": [{"chargeNumber": "C-1"}, {"chargeNumber": "C-1"}]},
     "removeProduct": {"chargeUpdates": [{"chargeNumber": "C-1"}, {"chargeNumber": "C-2"}]}}]}]})
@given(st.fixed_dictionaries({}, optional={"subscriptions": st.lists(SUBSCRIPTION, max_size=3) | ODD}) | ODD)
def test_charge_updates_are_found_as_by_the_plain_form(body: Any) -> None:
    request = Request("x.json", 0, "create", False, body, SourceMap("x.json"))
    assert list(limits.charge_updates(request)) == list(plain_charge_updates(request))
