"""orderspec.state: state folders read into plain data; bad files are findings, never tracebacks."""

from __future__ import annotations

from pathlib import Path

from orderspec.state import load_state

FIXTURE = Path(__file__).parent / "fixtures" / "tenant-state"

SUBSCRIPTION = """\
subscriptionNumber: A-S1
accountNumber: A1
status: Active
currency: USD
termType: TERMED
termStartDate: 2025-01-01
termEndDate: 2026-01-01
autoRenew: false
ratePlans:
  - id: rp1
    productRatePlanId: prp1
    ratePlanCharges:
      - {number: C-1, chargedThroughDate: 2025-06-01}
"""


def write(folder: Path, kind: str, name: str, text: str) -> Path:
    (folder / kind).mkdir(parents=True, exist_ok=True)
    path = folder / kind / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(state) -> list[tuple[str, int, int, str]]:
    return [(Path(d.path).name, d.line, d.column, d.code) for d in state.diagnostics]


def test_the_fixture_reads_as_plain_data() -> None:
    state = load_state(str(FIXTURE))
    assert state.diagnostics == ()
    subscription = state.subscriptions["A-S00000101"]
    assert (subscription.status, subscription.account_number, subscription.currency) == ("Active", "A00000101", "USD")
    assert (subscription.term_type, subscription.term_start_date, subscription.term_end_date) == \
        ("TERMED", "2025-01-01", "2026-01-01")
    assert subscription.auto_renew is False
    plan = subscription.rate_plans[0]
    assert (plan.id, plan.number, plan.product_rate_plan_id) == ("8a8aa0f1rp1", "SRP-00000001", "8a8aa0f1prp-basic")
    assert (plan.charges[0].number, plan.charges[0].charged_through_date) == ("C-00000001", "2025-07-01")
    account = state.accounts["A00000101"]
    assert (account.bill_cycle_day, account.currency, account.status) == (1, "USD", "Active")
    # Money stays exact in the body kept for the emulator.
    assert str(subscription.body["ratePlans"][1]["ratePlanCharges"][0]["price"]) == "10.00"
    assert subscription.places["status"].line == 9


def test_unquoted_dates_and_json_files_read_alike(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", SUBSCRIPTION)
    write(tmp_path, "accounts", "A1.json",
          '{"basicInfo": {"accountNumber": "A1", "status": "Active"},'
          ' "billingAndPayment": {"billCycleDay": 15, "currency": "EUR"}}')
    state = load_state(str(tmp_path))
    assert state.diagnostics == ()
    assert state.subscriptions["A-S1"].rate_plans[0].charges[0].charged_through_date == "2025-06-01"
    assert state.accounts["A1"].bill_cycle_day == 15


def test_a_wrong_type_is_reported_at_its_line_and_the_file_left_out(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", SUBSCRIPTION.replace("autoRenew: false", "autoRenew: 'no'"))
    state = load_state(str(tmp_path))
    assert codes(state) == [("A-S1.yaml", 8, 12, "Z002")]
    assert "true or false" in state.diagnostics[0].message
    assert state.subscriptions == {}


def test_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", SUBSCRIPTION.replace("termEndDate: 2026-01-01",
                                                                        "termEndDate: 2026-02-30"))
    state = load_state(str(tmp_path))
    assert codes(state) == [("A-S1.yaml", 7, 14, "Z002")]
    assert "February 2026 has 28 days" in state.diagnostics[0].message


def test_the_file_is_named_after_its_number(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S2.yaml", SUBSCRIPTION)
    write(tmp_path, "accounts", "A1.yaml", "basicInfo: {status: Active}\n")
    state = load_state(str(tmp_path))
    assert codes(state) == [("A-S2.yaml", 1, 21, "Z003"), ("A1.yaml", 1, 12, "Z003")]
    assert "name the file A-S1.yaml" in state.diagnostics[0].message
    assert "`basicInfo.accountNumber` is missing" in state.diagnostics[1].message


def test_one_file_per_number(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", SUBSCRIPTION)
    write(tmp_path, "subscriptions", "A-S1.json", '{"subscriptionNumber": "A-S1"}')
    state = load_state(str(tmp_path))
    assert codes(state) == [("A-S1.yaml", 1, 1, "Z004")]  # .json sorts first and is kept


def test_stray_files_are_warnings(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "notes.txt", "hello")
    write(tmp_path, "subscriptions", ".hidden.yaml", "ignored: [")
    state = load_state(str(tmp_path))
    assert [(d.code, d.severity.value) for d in state.diagnostics] == [("Z005", "warning")]


def test_an_error_answer_is_not_state(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.json",
          '{\n  "success": false,\n  "reasons": [{"code": 50000040, "message": "Cannot find entity by key"}]\n}\n')
    assert codes(load_state(str(tmp_path))) == [("A-S1.json", 2, 14, "Z006")]


def test_not_one_mapping(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", "- subscriptionNumber: A-S1\n")
    write(tmp_path, "subscriptions", "A-S2.yaml", "subscriptionNumber: A-S2\n---\nsubscriptionNumber: A-S3\n")
    assert codes(load_state(str(tmp_path))) == [("A-S1.yaml", 1, 1, "Z001"), ("A-S2.yaml", 2, 1, "Z001")]


def test_loader_problems_keep_their_codes(tmp_path: Path) -> None:
    write(tmp_path, "subscriptions", "A-S1.yaml", "subscriptionNumber: [A-S1\n")
    write(tmp_path, "accounts", "A1.yaml", "basicInfo: {accountNumber: A1}\nbasicInfo: {}\n")
    write(tmp_path, "accounts", "A2.yaml", "basicInfo: !!python/object:os.system {accountNumber: A2}\n")
    found = [code for _, _, _, code in codes(load_state(str(tmp_path)))]
    assert found == ["Y002", "Y005", "Y010"]


def test_a_missing_folder_is_an_empty_state(tmp_path: Path) -> None:
    state = load_state(str(tmp_path))
    assert (state.subscriptions, state.accounts, state.diagnostics) == ({}, {}, ())


def test_the_checks_can_have_the_facts_without_the_bodies() -> None:
    state = load_state(str(FIXTURE), keep_bodies=False)
    assert state.subscriptions["A-S00000101"].body == {} and state.accounts["A00000101"].body == {}
    assert state.subscriptions == load_state(str(FIXTURE)).subscriptions  # the same facts
