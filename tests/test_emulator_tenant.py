"""The emulator as a tenant with state: accounts and subscriptions that orders make and amend,
GET /v1/subscriptions/{key} and GET /v1/accounts/{key}, and what Zuora refuses."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from dispatch_support import emulator
from orderspec.emulator.tenant import TenantSettings
from orderspec.expand import load_catalog
from orderspec.state import load_state
from test_emulator import CREATE, conforms, post, token

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / "tests" / "fixtures" / "tenant-state"
CATALOG = str(ROOT / "examples" / "catalog.yaml")
PRO_MONTHLY = "8ad09be48db5aa31018db8f2ac4e1a2b"
BASE_FEE, SEATS = "8ad09be48db5aa31018db8f2ac5f1a3c", "8ad09be48db5aa31018db8f2ac601a3d"
SUPPORT_PREMIUM, SUPPORT_FEE = "8ad09be48db5aa31018db8f2ac931a60", "8ad09be48db5aa31018db8f2aca41a71"


class Tenant:
    """A running emulator and a token, with the calls the tests make."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.bearer = token(server)

    def send(self, body: dict[str, Any], path: str = "/v1/orders") -> dict[str, Any]:
        answer = post(self.server, path, json.dumps(body, default=str).encode(), bearer=self.bearer)
        return json.loads(answer.content, parse_float=Decimal)

    def get(self, path: str) -> dict[str, Any]:
        answer = httpx.get(self.server.url + path, headers={"Authorization": f"Bearer {self.bearer}"})
        assert answer.status_code == 200, answer.text
        return json.loads(answer.content, parse_float=Decimal)

    def subscription(self, number: str) -> dict[str, Any]:
        return self.get(f"/v1/subscriptions/{number}")


def dated(kind: str, date: str, **payload: Any) -> dict[str, Any]:
    return {"type": kind, "triggerDates": [{"name": name, "triggerDate": date} for name in
                                           ("ContractEffective", "ServiceActivation", "CustomerAcceptance")],
            **payload}


def amend(number: str, *actions: dict[str, Any], date: str = "2025-03-01", order: str | None = None,
          account: str = "A00000101") -> dict[str, Any]:
    body: dict[str, Any] = {"orderDate": date, "existingAccountNumber": account,
                            "subscriptions": [{"subscriptionNumber": number, "orderActions": list(actions)}]}
    if order:
        body["orderNumber"] = order
    return body


def refused(answer: dict[str, Any], category: str) -> str:
    assert answer["success"] is False, answer
    (reason,) = answer["reasons"]
    assert re.fullmatch(r"\d{6}" + category, str(reason["code"])), reason
    return str(reason["message"])


def state_server(**settings: Any) -> Any:
    return emulator(state=load_state(str(STATE)), **settings)


# -- new subscriptions and accounts -------------------------------------------------------------

def test_a_created_subscription_and_its_account_are_served_in_the_api_shapes():
    with emulator() as server:
        tenant = Tenant(server)
        created = tenant.send(json.loads(CREATE))
        (number,) = created["subscriptionNumbers"]
        subscription = tenant.subscription(number)
        conforms(json.loads(json.dumps(subscription, default=float)), "subscription.json")
        assert subscription["success"] is True and subscription["status"] == "Active"
        assert subscription["accountNumber"] == "A00000101" and subscription["version"] == 1
        assert (subscription["termStartDate"], subscription["termEndDate"]) == ("2024-01-01", "2025-01-01")
        assert subscription["autoRenew"] is True and subscription["renewalTerm"] == 12
        (plan,) = subscription["ratePlans"]
        assert plan["productRatePlanId"] == PRO_MONTHLY and plan["subscriptionRatePlanNumber"].startswith("SRP-")
        (charge,) = plan["ratePlanCharges"]
        assert charge["productRatePlanChargeId"] == BASE_FEE and charge["price"] == Decimal("19.99")
        assert (charge["effectiveStartDate"], charge["effectiveEndDate"]) == ("2024-01-01", "2025-01-01")
        # By id as well as by number, as the API takes either key.
        assert tenant.subscription(subscription["id"])["subscriptionNumber"] == number
        account = tenant.get("/v1/accounts/A00000101")
        conforms(account, "account.json")
        # Opened on first use, as before: bill cycle day 1.
        assert account["basicInfo"]["accountNumber"] == "A00000101"
        assert account["billingAndPayment"] == {"billCycleDay": 1, "currency": "USD",
                                                "paymentTerm": "Due Upon Receipt", "autoPay": False}
        assert tenant.get(f"/v1/accounts/{account['basicInfo']['id']}") == account


def test_unknown_keys_are_answered_as_zuora_answers_them():
    with emulator() as server:
        tenant = Tenant(server)
        for path in ("/v1/subscriptions/A-S404", "/v1/accounts/A404"):
            answer = tenant.get(path)
            conforms(answer, "error.json")
            assert answer["success"] is False
            assert answer["reasons"] == [{"code": 50000040, "message": f"Cannot find entity by key: "
                                                                        f"'{path.rsplit('/', 1)[1]}'."}]


def test_the_bill_cycle_day_of_opened_accounts_and_a_new_account_from_the_order():
    body = json.loads(CREATE)
    with emulator(tenant=TenantSettings(bill_cycle_day=15)) as server:
        tenant = Tenant(server)
        tenant.send(body)
        assert tenant.get("/v1/accounts/A00000101")["billingAndPayment"]["billCycleDay"] == 15
        del body["existingAccountNumber"]
        body["orderNumber"] = "O-NEW-ACCOUNT"
        body["newAccount"] = {"name": "Globex", "accountNumber": "A-GLOBEX", "billCycleDay": 20, "currency": "EUR",
                              "billToContact": {"firstName": "Ada", "lastName": "L", "country": "US",
                                                "state": "CA"}}
        body["subscriptions"][0]["orderActions"][0]["createSubscription"]["subscriptionNumber"] = "A-S-GLOBEX"
        created = tenant.send(body)
        assert created["success"] is True, created
        account = tenant.get("/v1/accounts/A-GLOBEX")
        assert account["basicInfo"]["name"] == "Globex"
        assert account["billingAndPayment"]["billCycleDay"] == 20 and account["billingAndPayment"]["currency"] == "EUR"
        assert tenant.subscription("A-S-GLOBEX")["currency"] == "EUR"


def test_with_a_catalog_rate_plans_get_the_catalogs_charges_and_unknown_ones_are_refused():
    catalog, problems = load_catalog(CATALOG)
    assert not problems
    with emulator(tenant=TenantSettings(catalog=catalog)) as server:
        tenant = Tenant(server)
        (number,) = tenant.send(json.loads(CREATE))["subscriptionNumbers"]
        (plan,) = tenant.subscription(number)["ratePlans"]
        assert plan["ratePlanName"] == "pro-monthly" and plan["productName"] == "pro"
        assert plan["productRatePlanNumber"] == "PRP-00000101"
        charges = {c["productRatePlanChargeId"]: c for c in plan["ratePlanCharges"]}
        assert set(charges) == {BASE_FEE, SEATS}
        assert charges[BASE_FEE]["price"] == Decimal("19.99") and charges[BASE_FEE]["name"] == "base-fee"
        assert (charges[SEATS]["model"], charges[SEATS]["price"], charges[SEATS]["uom"]) == (
            "PerUnit", Decimal("5.00"), "seat")
        unknown = json.loads(CREATE)
        unknown["orderNumber"] = "O-UNKNOWN-PLAN"
        create = unknown["subscriptions"][0]["orderActions"][0]["createSubscription"]
        create["subscribeToRatePlans"][0]["productRatePlanId"] = "8ad0nope"
        assert "8ad0nope" in refused(tenant.send(unknown), "40")
        create["subscribeToRatePlans"][0]["productRatePlanId"] = PRO_MONTHLY
        create["subscribeToRatePlans"][0]["chargeOverrides"][0]["productRatePlanChargeId"] = "8ad0nocharge"
        assert "8ad0nocharge" in refused(tenant.send(unknown), "40")
        assert len(server.orders()) == 1


# -- amendments on a subscription from a state folder -------------------------------------------

def test_a_state_folder_is_the_tenant_and_what_it_does_not_hold_is_refused():
    with state_server() as server:
        tenant = Tenant(server)
        subscription = tenant.subscription("A-S00000101")
        assert subscription["ratePlans"][0]["subscriptionRatePlanNumber"] == "SRP-00000001"
        assert subscription["ratePlans"][1]["ratePlanCharges"][0]["price"] == Decimal("10.00")
        assert tenant.get("/v1/accounts/A00000101")["billingAndPayment"]["billCycleDay"] == 1
        suspend = dated("Suspend", "2025-03-01", suspend={"suspendPolicy": "Today"})
        assert "'A-S404'" in refused(tenant.send(amend("A-S404", suspend)), "40")
        assert "'A-NOBODY'" in refused(tenant.send(amend("A-S00000101", suspend, account="A-NOBODY")), "40")
        new = json.loads(CREATE)
        new["existingAccountNumber"] = "A-NOBODY"
        assert "'A-NOBODY'" in refused(tenant.send(new), "40")
        assert server.orders() == [] and tenant.subscription("A-S00000101")["status"] == "Active"


def test_add_update_and_remove_products():
    with state_server() as server:
        tenant = Tenant(server)
        add = dated("AddProduct", "2025-03-01", addProduct={
            "productRatePlanId": SUPPORT_PREMIUM, "chargeOverrides": [
                {"productRatePlanChargeId": SUPPORT_FEE, "pricing": {"recurringFlatFee": {"listPrice": 49}}}]})
        update = dated("UpdateProduct", "2025-03-01", updateProduct={
            "ratePlanId": "8a8aa0f1rp2", "chargeUpdates": [
                {"chargeNumber": "C-00000002", "pricing": {"recurringPerUnit": {"quantity": 8}}}]})
        remove = dated("RemoveProduct", "2025-03-01", removeProduct={"subscriptionRatePlanNumber": "SRP-00000001"})
        answer = tenant.send(amend("A-S00000101", add, update, remove, order="O-AMEND-1"))
        assert answer["success"] is True and answer["subscriptionNumbers"] == ["A-S00000101"]
        subscription = tenant.subscription("A-S00000101")
        assert subscription["version"] == 3 and subscription["orderNumber"] == "O-AMEND-1"
        basic, seats, support = subscription["ratePlans"]
        assert basic["lastChangeType"] == "Remove"
        assert basic["ratePlanCharges"][0]["effectiveEndDate"] == "2025-03-01"
        assert seats["lastChangeType"] == "Update" and seats["ratePlanCharges"][0]["quantity"] == 8
        assert seats["ratePlanCharges"][0]["price"] == Decimal("10.00")
        assert support["lastChangeType"] == "Add" and support["productRatePlanId"] == SUPPORT_PREMIUM
        (fee,) = support["ratePlanCharges"]
        assert (fee["price"], fee["effectiveStartDate"], fee["effectiveEndDate"]) == (49, "2025-03-01", "2026-01-01")
        # The removed rate plan cannot be removed or updated again.
        again = tenant.send(amend("A-S00000101", remove))
        assert "SRP-00000001" in refused(again, "30")


@pytest.mark.parametrize("payload, named", [
    ({"ratePlanId": "8a8aa0f1rp-nope"}, "8a8aa0f1rp-nope"),
    ({"subscriptionRatePlanNumber": "SRP-404"}, "SRP-404"),
])
def test_a_rate_plan_the_subscription_does_not_have_is_not_found(payload, named):
    with state_server() as server:
        tenant = Tenant(server)
        for kind, block in (("RemoveProduct", "removeProduct"), ("UpdateProduct", "updateProduct"),
                            ("ChangePlan", "changePlan")):
            body = dict(payload)
            if kind == "ChangePlan":
                body["newProductRatePlan"] = {"productRatePlanId": SUPPORT_PREMIUM}
            message = refused(tenant.send(amend("A-S00000101", dated(kind, "2025-03-01", **{block: body}))), "40")
            assert named in message and "A-S00000101" in message


def test_a_charge_the_rate_plan_does_not_have_is_not_found():
    with state_server() as server:
        update = dated("UpdateProduct", "2025-03-01", updateProduct={
            "ratePlanId": "8a8aa0f1rp2", "chargeUpdates": [
                {"chargeNumber": "C-00000001", "pricing": {"recurringPerUnit": {"quantity": 8}}}]})
        message = refused(Tenant(server).send(amend("A-S00000101", update)), "40")
        assert "C-00000001" in message  # a charge of the other rate plan


def test_suspend_resume_and_the_statuses_they_need():
    with state_server() as server:
        tenant = Tenant(server)
        resume = dated("Resume", "2025-04-01", resume={"resumePolicy": "SpecificDate",
                                                       "resumeSpecificDate": "2025-04-01"})
        message = refused(tenant.send(amend("A-S00000101", resume)), "30")
        assert "Active" in message and "resumed" in message
        suspend = dated("Suspend", "2025-03-01", suspend={"suspendPolicy": "SpecificDate",
                                                          "suspendSpecificDate": "2025-03-01"})
        assert tenant.send(amend("A-S00000101", suspend))["success"] is True
        suspended = tenant.subscription("A-S00000101")
        assert suspended["status"] == "Suspended" and suspended["scheduledSuspendDate"] == "2025-03-01"
        assert "suspended" in refused(tenant.send(amend("A-S00000101", suspend)), "30")
        too_early = dated("Resume", "2025-02-01", resume={"resumePolicy": "SpecificDate",
                                                          "resumeSpecificDate": "2025-02-01"})
        assert "suspend date (03/01/2025)" in refused(tenant.send(amend("A-S00000101", too_early)), "30")
        extended = copy.deepcopy(resume)
        extended["resume"]["extendsTerm"] = True
        assert tenant.send(amend("A-S00000101", extended))["success"] is True
        resumed = tenant.subscription("A-S00000101")
        # Resumed a month after suspending, with the term extended by as long.
        assert resumed["status"] == "Active" and resumed["termEndDate"] == "2026-02-01"


def test_cancel_then_nothing_more():
    with state_server() as server:
        tenant = Tenant(server)
        cancel = dated("CancelSubscription", "2025-03-01", cancelSubscription={
            "cancellationPolicy": "SpecificDate", "cancellationEffectiveDate": "2025-06-01"})
        assert tenant.send(amend("A-S00000101", cancel))["success"] is True
        cancelled = tenant.subscription("A-S00000101")
        assert cancelled["status"] == "Cancelled" and cancelled["subscriptionEndDate"] == "2025-06-01"
        assert all(c["effectiveEndDate"] == "2025-06-01" for p in cancelled["ratePlans"] for c in p["ratePlanCharges"])
        assert "cancelled" in refused(tenant.send(amend("A-S00000101", cancel)), "30")
        add = dated("AddProduct", "2025-03-01", addProduct={"productRatePlanId": SUPPORT_PREMIUM})
        assert "cancelled" in refused(tenant.send(amend("A-S00000101", add)), "30")


def test_dates_after_the_term_are_refused_with_zuoras_message_unless_renewed_first():
    with state_server() as server:
        tenant = Tenant(server)
        late = dated("CancelSubscription", "2026-03-17", cancelSubscription={
            "cancellationPolicy": "SpecificDate", "cancellationEffectiveDate": "2026-03-17"})
        # The message Zuora gives (shared reference zuora-errors.md, #8), for this subscription's term.
        assert refused(tenant.send(amend("A-S00000101", late, date="2026-03-17")), "30") == (
            "Cancellation Date (03/17/2026) cannot be later than the subscription's current term end date "
            "(01/01/2026).")
        early = dated("AddProduct", "2023-06-01", addProduct={"productRatePlanId": SUPPORT_PREMIUM})
        assert "earlier" in refused(tenant.send(amend("A-S00000101", early, date="2023-06-01")), "30")
        renew = dated("RenewSubscription", "2026-03-17", renewSubscription={})
        assert tenant.send(amend("A-S00000101", renew, late, date="2026-03-17"))["success"] is True
        renewed = tenant.subscription("A-S00000101")
        assert (renewed["termStartDate"], renewed["termEndDate"]) == ("2026-01-01", "2027-01-01")
        assert renewed["status"] == "Cancelled" and renewed["subscriptionEndDate"] == "2026-03-17"


def test_renewal_and_terms_and_conditions_move_the_term():
    with state_server() as server:
        tenant = Tenant(server)
        renew = dated("RenewSubscription", "2025-12-01", renewSubscription={})
        assert tenant.send(amend("A-S00000101", renew, date="2025-12-01"))["success"] is True
        renewed = tenant.subscription("A-S00000101")
        assert (renewed["termStartDate"], renewed["termEndDate"], renewed["currentTerm"]) == (
            "2026-01-01", "2027-01-01", 12)
        assert renewed["ratePlans"][1]["ratePlanCharges"][0]["effectiveEndDate"] == "2027-01-01"
        terms = dated("TermsAndConditions", "2026-02-01", termsAndConditions={
            "autoRenew": True, "lastTerm": {"termType": "TERMED", "period": 24, "periodType": "Month"},
            "renewalTerms": [{"period": 6, "periodType": "Month"}]})
        assert tenant.send(amend("A-S00000101", terms, date="2026-02-01"))["success"] is True
        changed = tenant.subscription("A-S00000101")
        assert (changed["termEndDate"], changed["currentTerm"], changed["autoRenew"]) == ("2028-01-01", 24, True)
        assert (changed["renewalTerm"], changed["renewalTermPeriodType"]) == (6, "Month")
        evergreen = dated("TermsAndConditions", "2026-02-01", termsAndConditions={
            "lastTerm": {"termType": "EVERGREEN"}})
        assert tenant.send(amend("A-S00000101", evergreen, date="2026-02-01"))["success"] is True
        assert tenant.subscription("A-S00000101")["termType"] == "EVERGREEN"
        assert "evergreen" in refused(tenant.send(amend("A-S00000101", renew, date="2026-03-01")), "30")


def test_change_plan_and_owner_transfer():
    with state_server() as server:
        tenant = Tenant(server)
        change = dated("ChangePlan", "2025-03-01", changePlan={
            "ratePlanId": "8a8aa0f1rp1", "newProductRatePlan": {
                "productRatePlanId": SUPPORT_PREMIUM, "chargeOverrides": [
                    {"productRatePlanChargeId": SUPPORT_FEE, "pricing": {"recurringFlatFee": {"listPrice": 49}}}]}})
        assert tenant.send(amend("A-S00000101", change))["success"] is True
        plans = tenant.subscription("A-S00000101")["ratePlans"]
        assert [p["lastChangeType"] for p in plans] == ["Remove", "Add", "Add"]
        assert plans[2]["productRatePlanId"] == SUPPORT_PREMIUM
        transfer = dated("OwnerTransfer", "2025-03-01", ownerTransfer={"destinationAccountNumber": "A00000101",
                                                                       "destinationInvoiceAccountNumber": "A00000101"})
        assert tenant.send(amend("A-S00000101", transfer))["success"] is True
        nobody = dated("OwnerTransfer", "2025-03-01", ownerTransfer={"destinationAccountNumber": "A-NOBODY"})
        assert "'A-NOBODY'" in refused(tenant.send(amend("A-S00000101", nobody)), "40")
    with emulator() as server:  # an open tenant opens the new owner's account
        tenant = Tenant(server)
        (number,) = tenant.send(json.loads(CREATE))["subscriptionNumbers"]
        nobody["triggerDates"][0]["triggerDate"] = "2024-03-01"
        assert tenant.send(amend(number, nobody, date="2024-03-01"))["success"] is True
        owned = tenant.subscription(number)
        assert owned["accountNumber"] == "A-NOBODY"
        assert owned["accountId"] == tenant.get("/v1/accounts/A-NOBODY")["basicInfo"]["id"]


def test_an_order_is_applied_whole_or_not_at_all():
    with state_server() as server:
        tenant = Tenant(server)
        before = tenant.subscription("A-S00000101")
        suspend = dated("Suspend", "2025-03-01", suspend={"suspendPolicy": "Today"})
        resume_active = dated("Resume", "2025-03-01", resume={"resumePolicy": "Today"})
        bad_plan = dated("RemoveProduct", "2025-03-01", removeProduct={"ratePlanId": "nope"})
        # Suspended and then resumed is fine; a later bad action refuses the whole order.
        refused(tenant.send(amend("A-S00000101", suspend, resume_active, bad_plan, order="O-WHOLE")), "40")
        assert tenant.subscription("A-S00000101") == before
        assert server.orders() == []
        assert tenant.send(amend("A-S00000101", suspend, resume_active, order="O-WHOLE"))["success"] is True
        assert tenant.subscription("A-S00000101")["status"] == "Active"


def test_an_async_create_the_tenant_refuses_fails_with_the_code_in_brackets():
    import time

    with state_server(job_delay=0) as server:
        tenant = Tenant(server)
        resume = dated("Resume", "2025-03-01", resume={"resumePolicy": "Today"})
        submitted = tenant.send(amend("A-S00000101", resume), path="/v1/async/orders")
        time.sleep(0.01)
        job = tenant.get(f"/v1/async-jobs/{submitted['jobId']}")
        assert job["status"] == "Failed" and re.fullmatch(r"\[40000030\]: .*Active.*", job["errors"])


def test_an_open_tenant_leaves_subscriptions_it_does_not_hold_unchecked():
    with emulator() as server:
        tenant = Tenant(server)
        resume = dated("Resume", "2025-03-01", resume={"resumePolicy": "Today"})
        assert tenant.send(amend("A-S-ELSEWHERE", resume))["subscriptionNumbers"] == ["A-S-ELSEWHERE"]
        assert tenant.get("/v1/subscriptions/A-S-ELSEWHERE")["success"] is False


def test_state_and_database_together_keep_the_changes_across_restarts(tmp_path):
    db = str(tmp_path / "tenant.db")
    cancel = dated("CancelSubscription", "2025-03-01", cancelSubscription={"cancellationPolicy": "EndOfCurrentTerm"})
    with state_server(db=db) as server:
        assert Tenant(server).send(amend("A-S00000101", cancel))["success"] is True
    with state_server(db=db) as server:
        subscription = Tenant(server).subscription("A-S00000101")
        assert subscription["status"] == "Cancelled" and subscription["subscriptionEndDate"] == "2026-01-01"
        assert subscription["ratePlans"][1]["ratePlanCharges"][0]["price"] == Decimal("10.00")  # exact, from SQLite


# -- the command --------------------------------------------------------------------------------

def test_emulator_state_option_serves_the_folder_and_refuses_a_bad_one(tmp_path):
    import re as _re

    process = subprocess.Popen([sys.executable, "-m", "orderspec", "emulator", "--port", "0", "--state", str(STATE),
                                "--catalog", CATALOG], stderr=subprocess.PIPE, text=True)
    try:
        url = _re.search(r"http://[\d.]+:\d+", process.stderr.readline()).group(0)
        bearer = httpx.post(url + "/oauth/token", data={"grant_type": "client_credentials", "client_id": "a",
                                                        "client_secret": "b"}, timeout=5).json()["access_token"]
        found = httpx.get(url + "/v1/subscriptions/A-S00000101", headers={"Authorization": f"Bearer {bearer}"})
        assert found.json()["subscriptionNumber"] == "A-S00000101"
    finally:
        process.terminate()
        process.wait(timeout=10)
    broken = tmp_path / "state"
    shutil.copytree(STATE, broken)
    (broken / "accounts" / "A00000101.yaml").write_text("success: true\nbasicInfo: [not, a, mapping]\n")
    bad = subprocess.run([sys.executable, "-m", "orderspec", "emulator", "--port", "0", "--state", str(broken)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert _re.search(r"A00000101\.yaml:2:\d+: Z002 \[error\]", bad.stderr), bad.stderr
    missing = subprocess.run([sys.executable, "-m", "orderspec", "emulator", "--port", "0", "--state",
                              str(tmp_path / "nothing")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no such state folder" in missing.stderr



def test_amendments_of_one_subscription_from_many_connections_are_each_applied_once():
    from concurrent.futures import ThreadPoolExecutor

    with state_server() as server:
        tenant = Tenant(server)
        add = dated("AddProduct", "2025-03-01", addProduct={"productRatePlanId": SUPPORT_PREMIUM, "chargeOverrides": [
            {"productRatePlanChargeId": SUPPORT_FEE, "pricing": {"recurringFlatFee": {"listPrice": 49}}}]})
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda i: tenant.send(amend("A-S00000101", add, order=f"O-MANY-{i}")), range(12)))
        assert all(a["success"] for a in answers)
        subscription = tenant.subscription("A-S00000101")
        assert subscription["version"] == 2 + 12 and len(subscription["ratePlans"]) == 2 + 12
        numbers = [p["subscriptionRatePlanNumber"] for p in subscription["ratePlans"]]
        assert len(set(numbers)) == len(numbers)


def test_a_catalog_environment_the_catalog_lacks_stops_the_emulator():
    bad = subprocess.run([sys.executable, "-m", "orderspec", "emulator", "--port", "0", "--catalog", CATALOG,
                          "--catalog-env", "prod"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "no environment `prod`" in bad.stderr and "Traceback" not in bad.stderr


def test_what_the_emulator_serves_reads_back_as_a_state_folder_it_can_start_from(tmp_path):
    catalog, _ = load_catalog(CATALOG)
    with emulator(tenant=TenantSettings(catalog=catalog)) as server:
        tenant = Tenant(server)
        (number,) = tenant.send(json.loads(CREATE))["subscriptionNumbers"]
        for kind, key in (("subscriptions", number), ("accounts", "A00000101")):
            (tmp_path / kind).mkdir()
            answer = httpx.get(f"{server.url}/v1/{kind}/{key}", headers={"Authorization": f"Bearer {tenant.bearer}"})
            (tmp_path / kind / f"{key}.json").write_bytes(answer.content)  # as served, numbers exact
    state = load_state(str(tmp_path))
    assert state.diagnostics == () and state.subscriptions[number].rate_plans[0].number.startswith("SRP-")
    with emulator(state=state) as server:
        tenant = Tenant(server)
        remove = dated("RemoveProduct", "2024-06-01", removeProduct={
            "ratePlanId": state.subscriptions[number].rate_plans[0].id})
        assert tenant.send(amend(number, remove, date="2024-06-01"))["success"] is True
        assert tenant.subscription(number)["ratePlans"][0]["lastChangeType"] == "Remove"


def test_two_items_of_one_order_on_one_subscription_see_each_other():
    with state_server() as server:
        tenant = Tenant(server)
        suspend = dated("Suspend", "2025-03-01", suspend={"suspendPolicy": "Today"})
        body = amend("A-S00000101", suspend)
        body["subscriptions"].append({"subscriptionNumber": "A-S00000101", "orderActions": [suspend]})
        # The second item suspends what the first already suspended.
        assert "Suspended" in refused(tenant.send(body), "30")
        body["subscriptions"][1]["orderActions"] = [dated("Resume", "2025-04-01", resume={"resumePolicy": "Today"})]
        assert tenant.send(body)["success"] is True
        both = tenant.subscription("A-S00000101")
        assert both["status"] == "Active" and both["version"] == 3  # one new version for the order
