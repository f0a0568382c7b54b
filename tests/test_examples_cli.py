"""The shipped examples, as a new user runs them from the repository root: `orderspec preview
examples/` prices every example that can be priced offline, against the examples' own accounts and
subscriptions (examples/orderspec.toml names examples/state/, found above the specs), and says why
for the others, which docs/preview.md lists; `orderspec lint examples/` stays clean."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def orderspec(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "orderspec", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def documented_incomplete() -> dict[str, str]:
    """docs/preview.md's table of the examples the offline preview cannot price: spec -> why."""
    docs = (ROOT / "docs" / "preview.md").read_text(encoding="utf-8")
    section = docs.split("## The examples", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `examples/([\w.-]+)` \| (.+?) \|$", section, re.M))


def test_preview_of_the_examples_from_the_repository_root_is_exactly_as_documented() -> None:
    done = orderspec("preview", "--json", "examples/")
    previews = json.loads(done.stdout)
    incomplete = {Path(p["spec"]).name: p["unpriced"] for p in previews if p["incomplete"]}
    documented = documented_incomplete()
    assert documented, "docs/preview.md lists the examples that are incomplete offline"
    assert sorted(incomplete) == sorted(documented)
    # Some, not all: the others are priced in full, with no reason left.
    assert len(previews) == len(list((ROOT / "examples").glob("*.order.yaml"))) > len(incomplete)
    assert all(not p["unpriced"] for p in previews if not p["incomplete"])
    # Each says why; none of them for want of an account's bill cycle day or a subscription's state.
    for name, unpriced in incomplete.items():
        assert unpriced and all(u["reason"] for u in unpriced), name
        assert not any("bill cycle day of account" in u["reason"] or "not known offline" in u["reason"]
                       for u in unpriced), (name, unpriced)
    # The exit status the README and docs/preview.md give: 3, incomplete, for those.
    assert done.returncode == 3, done.stderr
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (f"`orderspec preview examples/` prices {len(previews) - len(incomplete)} of the {len(previews)} "
            f"examples in full") in readme


def test_the_priced_examples_preview_with_exit_status_0_one_by_one() -> None:
    priced = sorted(set(p.name for p in (ROOT / "examples").glob("*.order.yaml")) - set(documented_incomplete()))
    done = orderspec("preview", *(f"examples/{name}" for name in priced))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "INCOMPLETE" not in done.stdout and "P001" not in done.stderr + done.stdout


def test_the_examples_state_is_what_prices_the_amendments_and_bill_cycle_days() -> None:
    """Without the examples' configuration (an empty one named instead) the same run is what a new
    user got before: accounts without a bill cycle day, subscriptions without state."""
    empty = ROOT / "tests" / "fixtures" / "empty.orderspec.toml"
    done = orderspec("preview", "--json", "examples/", "--config", str(empty))
    reasons = [u["reason"] for p in json.loads(done.stdout) for u in p["unpriced"]]
    assert any("bill cycle day of account A00000101" in r for r in reasons)
    assert any("not known offline" in r for r in reasons)


def test_lint_of_the_examples_is_clean_with_their_state_as_without_it() -> None:
    empty = ROOT / "tests" / "fixtures" / "empty.orderspec.toml"
    with_state = orderspec("lint", "examples/", "-j", "1")
    without = orderspec("lint", "examples/", "-j", "1", "--config", str(empty))
    assert (with_state.returncode, with_state.stdout) == (without.returncode, without.stdout) == (0, "")
    assert "22 files checked, no problems" in with_state.stderr


def test_the_examples_configuration_is_found_from_anywhere(tmp_path: Path) -> None:
    """Found above the specs, not in the current directory: the same figures from another folder."""
    done = orderspec("preview", "--json", str(ROOT / "examples" / "cancel.order.yaml"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)[0]["incomplete"] is False


def test_the_readmes_lint_with_an_environment_is_clean() -> None:
    """The README's `orderspec lint examples/ --env sandbox`, as written, from the repo root; with
    production ids the sandbox snapshot in examples/state/ does not know the changed rate plan."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "orderspec lint examples/ --env sandbox " in readme
    clean = subprocess.run([sys.executable, "-m", "orderspec", "lint", "examples/", "--env", "sandbox"],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    production = subprocess.run([sys.executable, "-m", "orderspec", "lint", "examples/", "--env", "production"],
                                cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert production.returncode == 1
    assert "examples/change-plan.order.yaml:4:6: R060 [error]" in production.stdout
