"""The batch interface of the pipeline: lint keeps small per-request facts, not whole requests,
and the batch rules still report exactly where (and what) they did on whole requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderspec import pipeline
from orderspec.check import BatchFacts, Unlocated, batch_facts, check_batch
from orderspec.config import CheckLimits, Config

REPO = Path(__file__).resolve().parent.parent
# Small enough that a modest corpus crosses them: orders per subscription, actions per charge.
TIGHT = Config(limits=CheckLimits(orders_per_subscription=3, order_actions_per_charge=2,
                                      order_actions_per_charge_recommended=1))


def _body(number: str, subscription: str) -> dict[str, object]:
    return {
        "orderDate": "2024-01-01",
        "orderNumber": number,
        "existingAccountNumber": "A-1",
        "subscriptions": [{
            "subscriptionNumber": subscription,
            "orderActions": [{
                "type": "UpdateProduct",
                "triggerDates": [{"name": "ContractEffective", "triggerDate": "2024-01-01"}],
                "updateProduct": {"ratePlanId": "rp", "chargeUpdates": [{"chargeNumber": "C-1"}]},
            }],
        }],
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough files for worker processes; order numbers repeat, subscriptions and charges pile up.
    Half the files are JSON bodies, half YAML specs; one silences its batch diagnostic."""
    root = tmp_path_factory.mktemp("batch")
    count = pipeline.MIN_PARALLEL_FILES + 10
    for i in range(count):
        body = _body(f"O-{i % 5}", f"S-{i % 3}")
        if i % 2:
            text = json.dumps(body, indent=2 if i % 4 == 1 else None)
            (root / f"b{i:03d}.order.json").write_text(text, encoding="utf-8")
        else:
            lines = ["orderspec: 1", "operation: create", "body:"]
            lines += ["  " + line for line in json.dumps(body, indent=2).splitlines()]
            if i == 10:
                lines = [line + "  # orderspec: ignore[R003]" if '"orderNumber"' in line
                         else line + "  # orderspec: ignore[L002]" if '"subscriptionNumber"' in line
                         else line for line in lines]
            (root / f"s{i:03d}.order.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _whole_requests(root: Path) -> list[str]:
    """The batch diagnostics as the rules find them on whole requests (the way before facts)."""
    options = pipeline.Options(config=TIGHT, bare_operation="create")
    kept = pipeline.run([str(root)], options, keep_requests=True)
    return sorted(d.text() for d in check_batch(kept.requests, TIGHT))


def test_lint_keeps_no_request_body_source_map_or_text(corpus: Path) -> None:
    result = pipeline.run([str(corpus)], pipeline.Options(config=TIGHT, bare_operation="create"), jobs=2)
    assert result.files and all(f.requests == [] and f.text == "" and f.facts == [] for f in result.files)
    with pytest.raises(RuntimeError):
        result.requests
    assert {d.code for d in result.diagnostics} >= {"R003", "L002", "L003", "L004"}


@pytest.mark.parametrize("jobs, reread_kept", [(1, 8), (2, 8), (2, 1)])
def test_batch_rules_on_facts_say_what_they_said_on_requests(corpus: Path, jobs: int, reread_kept: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # One reread file kept: R003 asks about the first file and the current one in turn.
    monkeypatch.setattr(pipeline, "REREAD_FILES_KEPT", reread_kept)
    options = pipeline.Options(config=TIGHT, bare_operation="create")
    facts_run = pipeline.run([str(corpus)], options, jobs=jobs)
    batch_codes = ("R003", "L002", "L003", "L004")
    found = sorted(d.text() for d in facts_run.diagnostics if d.code in batch_codes)
    expected = _whole_requests(corpus)
    silenced = [d for d in expected if d.startswith(str(corpus / "s010.order.yaml"))
                and (" R003 " in d or " L002 " in d)]
    assert silenced  # the corpus exercises the comments
    assert found == sorted(set(expected) - set(silenced))
    related = {d.text(): d.related for d in facts_run.diagnostics if d.code == "R003"}
    whole = pipeline.run([str(corpus)], options, keep_requests=True)
    assert related == {d.text(): d.related for d in whole.diagnostics if d.code == "R003"}


def test_the_requests_kept_are_the_requests_linted(corpus: Path) -> None:
    options = pipeline.Options(config=TIGHT, bare_operation="create")
    kept = pipeline.run([str(corpus)], options, jobs=2, keep_requests=True)
    lean = pipeline.run([str(corpus)], options, jobs=2)
    assert kept.diagnostics == lean.diagnostics
    assert len(kept.requests) == len(lean.files)
    assert all(isinstance(r.body, dict) for r in kept.requests)


def test_facts_located_later_reread_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.order.json"
    path.write_text(json.dumps(_body("O-1", "S-1"), indent=1), encoding="utf-8")
    options = pipeline.Options(bare_operation="create")
    result = pipeline.process_file(str(path), options)
    request = result.requests[0]
    eager = batch_facts(request)
    pointers = eager.pointers()
    assert ("orderNumber",) in pointers and len(pointers) == 3
    later = pipeline._Reread(str(path), result.checksum, 0, options, {})
    assert [later.locate(p) for p in pointers] == [eager.source.locate(p) for p in pointers]
    assert [later.locate(p) for p in pointers] == [request.source.locate(p) for p in pointers]
    # A file changed behind lint's back is not misread: its start is all that is claimed.
    path.write_text(" " + path.read_text(encoding="utf-8"), encoding="utf-8")
    moved = pipeline._Reread(str(path), result.checksum, 0, options, {})
    assert moved.locate(("orderNumber",)).line == 1 and moved.locate(("orderNumber",)).column == 1


def test_facts_are_small_and_picklable() -> None:
    import pickle

    result = pipeline.process_file(str(REPO / "examples" / "new-subscription.order.yaml"), pipeline.Options())
    # A YAML spec's source map is built only on demand, so its facts wait for a locator.
    assert isinstance(result.facts[0].source, Unlocated)
    facts = batch_facts(result.requests[0])
    assert isinstance(facts, BatchFacts) and facts.order_number
    packed = pickle.dumps(facts)
    assert pickle.loads(packed).source.locate(("orderNumber",)) == facts.source.locate(("orderNumber",))
    assert len(packed) < len(pickle.dumps((result.requests[0].body, result.requests[0].source))) / 4
