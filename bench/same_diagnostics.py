"""No diagnostic changed: lint the bench corpus and the reference bodies with this tree and with
an earlier revision, and compare the reports byte for byte (issue 14: every speed change must
leave every diagnostic as it was).

    python bench/same_diagnostics.py [--base REV] [--count 2000]

The earlier revision is checked out with `git archive` into a temporary folder (default: the
commit before the speed work of issue 14). Linted: `--count` corpus specs (YAML) and the same
bodies as JSON (`--operation create`), and every body under ../shared/reference/examples as
each of the four operations, as JSON and written as YAML. Both trees run with one worker and with two. Exit status 1 on any
difference, with the first differing lines.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate, to_yaml  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASE = "eea917f"  # main before issue 14's speed work
OPERATIONS = ("create", "preview", "async-create", "async-preview")


def reference_examples() -> Path | None:
    for place in (REPO.parent, REPO.parent.parent):
        found = place / "shared" / "reference" / "examples"
        if found.is_dir():
            return found
    return None


def write_reference_bodies(examples: Path, target: Path) -> int:
    """The bodies of docs/*.json (under "body") and public/*.json (whole files), one file each,
    and each again written as block YAML (`.yaml`), as a person would write it."""
    target.mkdir(parents=True)
    count = 0
    for path in sorted(examples.glob("*/*.json")):
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "docs":
            text = json.dumps(json.loads(text)["body"], indent=2)
        name = f"{path.parent.name}-{path.stem}"
        (target / f"{name}.json").write_text(text, encoding="utf-8")
        try:
            value = json.loads(text, parse_float=Decimal)
        except ValueError:
            value = None
        if isinstance(value, dict) and value:
            (target / f"{name}.yaml").write_text(to_yaml(value), encoding="utf-8")
        count += 1
    return count


def lint(tree: Path, *arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", "orderspec", "lint", "--format", "json", *arguments],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree)
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint {arguments} with {tree} failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    report.pop("version", None)
    return json.dumps(report, indent=1, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=BASE, help=f"the revision to compare with (default {BASE})")
    parser.add_argument("--count", type=int, default=2000, help="corpus files (default 2000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orderspec-same-") as work_name:
        work = Path(work_name)
        base = work / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.base], cwd=REPO, capture_output=True, check=True).stdout
        (work / "base.tar").write_bytes(archive)
        with tarfile.open(work / "base.tar") as tar:
            tar.extractall(base)
        generate(work / "corpus", args.count)
        runs: list[tuple[str, list[str]]] = []
        for jobs in ("1", "2"):
            runs.append((f"{args.count} specs, --jobs {jobs}", ["--jobs", jobs, str(work / "corpus" / "specs")]))
            runs.append((f"{args.count} JSON bodies, --jobs {jobs}", ["--jobs", jobs, "--operation", "create",
                                                                       "--include", "*.json", str(work / "corpus" / "bodies")]))
        examples = reference_examples()
        if examples is None:
            print("../shared/reference/examples not found: reference bodies not compared")
        else:
            count = write_reference_bodies(examples, work / "reference")
            for operation in OPERATIONS:
                runs.append((f"{count} reference bodies as {operation}", [
                    "--operation", operation, "--include", "*.json", str(work / "reference")]))
                runs.append((f"the reference bodies written as YAML, as {operation}", [
                    "--operation", operation, "--include", "*.yaml", str(work / "reference")]))
        different = 0
        for label, arguments in runs:
            now, before = lint(REPO, *arguments), lint(base, *arguments)
            found = json.loads(now)
            summary = f"{len(found.get('diagnostics', []))} diagnostics"
            if now == before:
                print(f"same: {label} ({summary})")
                continue
            different += 1
            print(f"DIFFERENT: {label}")
            print("".join(list(difflib.unified_diff(before.splitlines(True), now.splitlines(True),
                                                    args.base, "this tree"))[:60]))
        return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
