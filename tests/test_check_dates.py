"""Trigger dates: unique names (R006), lifecycle order (R007)."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, found, lint, where

CE = "            - {name: ContractEffective, triggerDate: 2024-01-01}\n"


def test_duplicate_trigger_date(tmp_path: Path) -> None:
    text = CREATE.replace(CE, CE + "            - {name: ContractEffective, triggerDate: 2024-02-01}\n")
    assert found(lint(tmp_path, text), "R006") == [where(tmp_path / "x.order.yaml", "ContractEffective", 2)]


def test_lifecycle_order(tmp_path: Path) -> None:
    text = CREATE.replace(CE, CE + "            - {name: ServiceActivation, triggerDate: 2023-12-01}\n")
    diagnostics = lint(tmp_path, text)
    assert found(diagnostics, "R007") == [where(tmp_path / "x.order.yaml", "2023-12-01")]
    assert [d.severity.value for d in diagnostics] == ["warning"]
    fine = CREATE.replace(CE, CE + "            - {name: ServiceActivation, triggerDate: 2024-01-15}\n"
                          "            - {name: CustomerAcceptance, triggerDate: 2024-02-01}\n")
    assert codes(lint(tmp_path, fine)) == []


# -- the rule family against its plain form, on generated actions --------------------------------

import datetime  # noqa: E402
from typing import Any  # noqa: E402

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from orderspec.body import as_dict, as_list  # noqa: E402
from orderspec.check import dates  # noqa: E402
from orderspec.check._common import Context, parse_date, text  # noqa: E402
from orderspec.config import Config  # noqa: E402
from orderspec.load import SourceMap  # noqa: E402
from orderspec.model import ENDPOINTS, Request  # noqa: E402


def plain_check(ctx: Context) -> None:
    """dates.check as first written: every shape read through as_list/as_dict/text."""
    for action in ctx.actions:
        seen: dict[str, int] = {}
        found: dict[str, tuple[int, datetime.date]] = {}
        for index, entry in enumerate(as_list(action.value.get("triggerDates"))):
            name = text(as_dict(entry).get("name"))
            if name is None:
                continue
            pointer = action.pointer + ("triggerDates", index)
            if name in seen:
                ctx.report(pointer + ("name",), "R006",
                           f"trigger date `{name}` is given twice in this action (also item "
                           f"{seen[name] + 1}); give each trigger date once")
                continue
            seen[name] = index
            when = parse_date(as_dict(entry).get("triggerDate"))
            if when is not None:
                found[name] = (index, when)
        dates._lifecycle_order(ctx, action.pointer, found)


NAMES = st.sampled_from(["ContractEffective", "ServiceActivation", "CustomerAcceptance", "Other", 7, None])
WHEN = st.sampled_from(["2024-01-01", "2024-02-29", "2023-12-31", "2024-13-01", "20240101", "2024-01-01 ", 5, None])
ENTRY = st.one_of(st.fixed_dictionaries({"name": NAMES, "triggerDate": WHEN}),
                  st.fixed_dictionaries({}, optional={"name": NAMES, "triggerDate": WHEN}),
                  st.sampled_from([None, "x", [], 3]))
ACTION = st.one_of(st.fixed_dictionaries({"type": st.just("Suspend"), "triggerDates": st.lists(ENTRY, max_size=5)}),
                   st.fixed_dictionaries({}, optional={"triggerDates": st.sampled_from([None, "x", {"name": "Other"}])}),
                   st.sampled_from([None, "x"]))


TWICE = [{"name": "ServiceActivation", "triggerDate": "2024-01-01"},
         {"name": "ServiceActivation", "triggerDate": "2023-12-31"}]
EARLIER = [{"name": "ContractEffective", "triggerDate": "2024-02-29"},
           {"name": "ServiceActivation", "triggerDate": "2024-01-01"}]


@settings(max_examples=300, deadline=None)
@example([[{"triggerDates": TWICE}, {"triggerDates": EARLIER}]])  # R006 and R007
@given(st.lists(st.lists(ACTION, max_size=3), max_size=3))
def test_the_rules_report_as_their_plain_form(subscriptions: list[list[Any]]) -> None:
    body = {"subscriptions": [{"orderActions": actions} for actions in subscriptions]}
    reports = []
    for rule in (dates.check, plain_check):
        request = Request("x.json", 0, "create", False, body, SourceMap("x.json"))
        context = Context(request, ENDPOINTS["create"], Config())
        rule(context)
        reports.append([(d.code, d.message, d.pointer) for d in context.problems])
    assert reports[0] == reports[1]
