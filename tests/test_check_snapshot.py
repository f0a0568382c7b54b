"""Rules against the tenant's state (R060-R065), with tests/fixtures/tenant-state as the tenant.

A-S00000101 (account A00000101, USD): Active, TERMED to 2026-01-01 without auto-renew, rate plans
8a8aa0f1rp1 (SRP-00000001, charge C-00000001) and 8a8aa0f1rp2 (SRP-00000002, charge C-00000002).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from check_support import codes, found, lint, where

from orderspec.state import State, load_state

FIXTURE = Path(__file__).parent / "fixtures" / "tenant-state"
STATE = load_state(str(FIXTURE))
SUBSCRIPTION_FILE = str(FIXTURE / "subscriptions" / "A-S00000101.yaml")

HEAD = """\
orderspec: 1
operation: create
body:
  orderDate: 2025-06-01
  existingAccountNumber: A00000101
  subscriptions:
    - subscriptionNumber: {number}
      orderActions:
"""


def order(*actions: str, number: str = "A-S00000101") -> str:
    return HEAD.format(number=number) + "".join(f"        - {a}\n" for a in actions)


def with_status(status: str) -> State:
    subscription = dataclasses.replace(STATE.subscriptions["A-S00000101"], status=status)
    return dataclasses.replace(STATE, subscriptions={"A-S00000101": subscription})


def state_codes(diagnostics) -> list[str]:
    return [c for c in codes(diagnostics) if c.startswith("R06")]


REMOVE = "{type: RemoveProduct, removeProduct: {%s}}"
UPDATE = "{type: UpdateProduct, updateProduct: {%s}}"


# -- R060: rate plans ------------------------------------------------------------------------------

@pytest.mark.parametrize("reference", ["ratePlanId: 8a8aa0f1rp1", "subscriptionRatePlanNumber: SRP-00000002"])
def test_a_rate_plan_the_subscription_has(tmp_path: Path, reference: str) -> None:
    assert state_codes(lint(tmp_path, order(REMOVE % reference), state=STATE)) == []


@pytest.mark.parametrize("action, needle", [
    (REMOVE % "ratePlanId: 8a8aa0f1gone", "8a8aa0f1gone"),
    (UPDATE % "subscriptionRatePlanNumber: SRP-00000009", "SRP-00000009"),
    ("{type: ChangePlan, changePlan: {productRatePlanId: prp-other, newProductRatePlan: "
     "{productRatePlanId: prp-new}}}", "prp-other"),
])
def test_a_rate_plan_the_subscription_does_not_have(tmp_path: Path, action: str, needle: str) -> None:
    diagnostics = lint(tmp_path, order(action), state=STATE)
    assert found(diagnostics, "R060") == [where(tmp_path / "x.order.yaml", needle)]
    problem = next(d for d in diagnostics if d.code == "R060")
    assert "A-S00000101 has no rate plan" in problem.message
    assert [(r.path, r.line, r.note) for r in problem.related] == [
        (SUBSCRIPTION_FILE, 24, "the subscription's rate plans")]


def test_without_a_snapshot_nothing_is_judged(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, order(REMOVE % "ratePlanId: anything", number="A-S00000999"), state=STATE)
    assert state_codes(diagnostics) == []
    # ... and without a state at all, the same order is no R06x either.
    assert state_codes(lint(tmp_path, order(REMOVE % "ratePlanId: anything"))) == []



def test_actions_from_a_create_subscription_on_are_not_judged_against_the_snapshot(tmp_path: Path) -> None:
    create = "{type: CreateSubscription, createSubscription: {subscribeToRatePlans: [{productRatePlanId: prp1}]}}"
    spec = order(REMOVE % "ratePlanId: 8a8aa0f1before", create, REMOVE % "ratePlanId: 8a8aa0f1after")
    assert found(lint(tmp_path, spec, state=STATE), "R060") == [where(tmp_path / "x.order.yaml", "8a8aa0f1before")]

# -- R061: charges ---------------------------------------------------------------------------------

def test_charges_an_update_adds_are_new(tmp_path: Path) -> None:
    adds = UPDATE % ("ratePlanId: 8a8aa0f1rp1, chargeOverrides: [{productRatePlanChargeId: prpc-new, "
                     "chargeNumber: C-00000777}]")
    assert state_codes(lint(tmp_path, order(adds), state=STATE)) == []


def test_charge_numbers(tmp_path: Path) -> None:
    good = UPDATE % "ratePlanId: 8a8aa0f1rp1, chargeUpdates: [{chargeNumber: C-00000001, description: x}]"
    assert state_codes(lint(tmp_path, order(good), state=STATE)) == []
    bad = UPDATE % "ratePlanId: 8a8aa0f1rp1, chargeUpdates: [{chargeNumber: C-00000002, description: x}]"
    diagnostics = lint(tmp_path, order(bad), state=STATE)
    assert found(diagnostics, "R061") == [where(tmp_path / "x.order.yaml", "C-00000002")]
    assert "it is a charge of another rate plan" in diagnostics[0].message
    unknown = REMOVE % "ratePlanId: 8a8aa0f1rp2, chargeUpdates: [{chargeNumber: C-00000404}]"
    assert found(lint(tmp_path, order(unknown), state=STATE), "R061") == [
        where(tmp_path / "x.order.yaml", "C-00000404")]


# -- R062: after the term ended --------------------------------------------------------------------

REMOVE_ON = ("{type: RemoveProduct, triggerDates: [{name: ContractEffective, triggerDate: %s}], "
             "removeProduct: {ratePlanId: 8a8aa0f1rp1}}")
RENEW = "{type: RenewSubscription, renewSubscription: {}}"


def test_dated_after_the_term_end(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, order(REMOVE_ON % "2026-03-17"), state=STATE)
    assert found(diagnostics, "R062") == [where(tmp_path / "x.order.yaml", "2026-03-17")]
    problem = next(d for d in diagnostics if d.code == "R062")
    assert "after A-S00000101's current term ends (2026-01-01; it does not renew automatically)" in problem.message
    assert [(r.line, r.note) for r in problem.related] == [(15, "the subscription's term end date")]


def test_on_the_term_end_date_is_still_in_the_term(tmp_path: Path) -> None:
    assert state_codes(lint(tmp_path, order(REMOVE_ON % "2026-01-01"), state=STATE)) == []


def test_a_renewal_before_it_moves_the_term(tmp_path: Path) -> None:
    assert state_codes(lint(tmp_path, order(RENEW, REMOVE_ON % "2026-03-17"), state=STATE)) == []
    # After it does not.
    assert state_codes(lint(tmp_path, order(REMOVE_ON % "2026-03-17", RENEW), state=STATE)) == ["R062"]


def test_the_order_date_and_policy_dates_count(tmp_path: Path) -> None:
    late = order(REMOVE % "ratePlanId: 8a8aa0f1rp1").replace("orderDate: 2025-06-01", "orderDate: 2026-02-01")
    assert found(lint(tmp_path, late, state=STATE), "R062") == [where(tmp_path / "x.order.yaml", "2026-02-01")]
    cancel = ("{type: CancelSubscription, cancelSubscription: {cancellationPolicy: SpecificDate, "
              "cancellationEffectiveDate: 2026-03-17}}")
    assert state_codes(lint(tmp_path, order(cancel), state=STATE)) == ["R062"]
    at_term_end = "{type: CancelSubscription, cancelSubscription: {cancellationPolicy: EndOfCurrentTerm}}"
    assert state_codes(lint(tmp_path, order(at_term_end).replace("2025-06-01", "2026-02-01"), state=STATE)) == []


def test_evergreen_has_no_end(tmp_path: Path) -> None:
    subscription = STATE.subscriptions["A-S00000101"]
    changed = dataclasses.replace(subscription, term_type="EVERGREEN", term_end_date=None)
    state = dataclasses.replace(STATE, subscriptions={"A-S00000101": changed})
    assert state_codes(lint(tmp_path, order(REMOVE_ON % "2026-03-17"), state=state)) == []


def test_auto_renew_does_not_lift_the_term_end(tmp_path: Path) -> None:
    """Zuora refused "Cancellation Date (03/17/2026) cannot be later than the subscription's current term
    end date (02/20/2026)" on auto-renewing subscriptions (shared reference, zuora-errors.md #8), which is
    why integrations renew first; the emulator refuses the same."""
    subscription = STATE.subscriptions["A-S00000101"]
    state = dataclasses.replace(STATE, subscriptions={"A-S00000101": dataclasses.replace(subscription,
                                                                                          auto_renew=True)})
    diagnostics = lint(tmp_path, order(REMOVE_ON % "2026-03-17"), state=state)
    assert state_codes(diagnostics) == ["R062"]
    assert all("does not renew automatically" not in d.message for d in diagnostics)


# -- R063: status ----------------------------------------------------------------------------------

SUSPEND = "{type: Suspend, suspend: {suspendPolicy: Today}}"
RESUME = "{type: Resume, resume: {resumePolicy: Today}}"
CANCEL = "{type: CancelSubscription, cancelSubscription: {cancellationPolicy: EndOfCurrentTerm}}"


@pytest.mark.parametrize("status, action, message", [
    ("Active", RESUME, "resuming a subscription that is active"),
    ("Suspended", SUSPEND, "suspending a subscription that is already suspended"),
    ("Cancelled", CANCEL, "cancelling a subscription that is already cancelled"),
    ("Cancelled", REMOVE % "ratePlanId: 8a8aa0f1rp1", "a RemoveProduct action on a cancelled subscription"),
])
def test_an_action_that_does_not_fit_the_status(tmp_path: Path, status: str, action: str, message: str) -> None:
    diagnostics = lint(tmp_path, order(action), state=with_status(status))
    assert state_codes(diagnostics) == ["R063"]
    problem = next(d for d in diagnostics if d.code == "R063")
    assert message in problem.message and f"A-S00000101 is {status}" in problem.message
    line, column = where(tmp_path / "x.order.yaml", "type: ")
    assert (problem.line, problem.column) == (line, column + len("type: "))  # at the action's type
    assert [(r.line, r.note) for r in problem.related] == [(9, "the subscription's status")]


@pytest.mark.parametrize("status, action", [("Suspended", RESUME), ("Active", SUSPEND), ("Active", CANCEL)])
def test_an_action_that_fits_the_status(tmp_path: Path, status: str, action: str) -> None:
    assert state_codes(lint(tmp_path, order(action), state=with_status(status))) == []


# -- R064: currency --------------------------------------------------------------------------------

NEW_SUBSCRIPTION = """\
orderspec: 1
operation: create
body:
  orderDate: 2025-06-01
  existingAccountNumber: A00000101
  subscriptions:
    - orderActions:
        - type: CreateSubscription
          createSubscription:
            currency: {currency}
            terms: {{initialTerm: {{termType: EVERGREEN}}}}
            subscribeToRatePlans: [{{productRatePlanId: prp1}}]
"""


def test_currency_other_than_the_accounts(tmp_path: Path) -> None:
    diagnostics = lint(tmp_path, NEW_SUBSCRIPTION.format(currency="EUR"), state=STATE)
    assert found(diagnostics, "R064") == [where(tmp_path / "x.order.yaml", "EUR")]
    problem = next(d for d in diagnostics if d.code == "R064")
    assert problem.message == "currency EUR, but account A00000101 bills in USD"
    assert [(r.line, r.note) for r in problem.related] == [(10, "the account's currency")]
    assert state_codes(lint(tmp_path, NEW_SUBSCRIPTION.format(currency="USD"), state=STATE)) == []
    other_account = NEW_SUBSCRIPTION.format(currency="EUR").replace("A00000101", "A00000999")
    assert state_codes(lint(tmp_path, other_account, state=STATE)) == []


# -- R065: actions that contradict each other ------------------------------------------------------

@pytest.mark.parametrize("actions, status, needle", [
    ((REMOVE % "ratePlanId: 8a8aa0f1rp1", UPDATE % "subscriptionRatePlanNumber: SRP-00000001"), "Active",
     "SRP-00000001"),
    ((REMOVE % "ratePlanId: 8a8aa0f1rp1", REMOVE % "ratePlanId: 8a8aa0f1rp1"), "Active", "8a8aa0f1rp1"),
    ((SUSPEND, SUSPEND), "Active", "Suspend"),
    ((RESUME, RESUME), "Suspended", "Resume"),
    ((CANCEL, REMOVE % "ratePlanId: 8a8aa0f1rp2"), "Active", "RemoveProduct"),
])
def test_contradicting_actions(tmp_path: Path, actions: tuple[str, ...], status: str, needle: str) -> None:
    diagnostics = lint(tmp_path, order(*actions), state=with_status(status))
    assert state_codes(diagnostics) == ["R065"]
    path = tmp_path / "x.order.yaml"
    # Reported at the second action, with the first as the note.
    assert found(diagnostics, "R065") == [where(path, needle, 2 if needle in actions[0] else 1)]
    problem = next(d for d in diagnostics if d.code == "R065")
    assert [r.line for r in problem.related] == [9]


@pytest.mark.parametrize("actions, status", [
    ((SUSPEND, RESUME), "Active"),
    ((RESUME, SUSPEND), "Suspended"),
    ((UPDATE % "ratePlanId: 8a8aa0f1rp1", REMOVE % "ratePlanId: 8a8aa0f1rp1"), "Active"),
    ((REMOVE % "ratePlanId: 8a8aa0f1rp1", REMOVE % "ratePlanId: 8a8aa0f1rp2"), "Active"),
])
def test_actions_that_agree(tmp_path: Path, actions: tuple[str, ...], status: str) -> None:
    assert state_codes(lint(tmp_path, order(*actions), state=with_status(status))) == []


def test_state_file_problems_are_reported_with_the_batch(tmp_path: Path) -> None:
    (tmp_path / "state" / "subscriptions").mkdir(parents=True)
    (tmp_path / "state" / "subscriptions" / "A-S00000101.yaml").write_text("subscriptionNumber: A-S00000101\n"
                                                                           "autoRenew: 'no'\n")
    diagnostics = lint(tmp_path, order(REMOVE % "ratePlanId: x"), state=load_state(str(tmp_path / "state")))
    assert [(Path(d.path).name, d.line, d.code) for d in diagnostics] == [("A-S00000101.yaml", 2, "Z002")]


def test_two_items_on_one_subscription_follow_each_other(tmp_path: Path) -> None:
    text = order(SUSPEND) + "    - subscriptionNumber: A-S00000101\n      orderActions:\n        - " + SUSPEND + "\n"
    diagnostics = lint(tmp_path, text, state=STATE)
    assert state_codes(diagnostics) == ["R065"]
    assert found(diagnostics, "R065") == [where(tmp_path / "x.order.yaml", "Suspend", 2)]
