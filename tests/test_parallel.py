"""Parallel lint: the same report whatever --jobs is; and a lean start-up for one file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from orderspec import pipeline
from orderspec.cli import cli

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = (REPO / "examples" / "new-subscription.order.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More files than the in-process threshold, every fifth with its own problems."""
    root = tmp_path_factory.mktemp("corpus")
    count = pipeline.MIN_PARALLEL_FILES + 20
    for i in range(count):
        text = EXAMPLE.replace("O-2024-0001", f"O-2024-{i:04d}")
        if i % 5 == 0:
            text = text.replace("orderDate: 2024-01-01", f"orderDate: 01/{i % 28 + 1:02d}/2024")
        if i % 7 == 0:
            text = text.replace("  description:", "  descriptionn:")
        sub = root / f"group{i % 3}"
        sub.mkdir(exist_ok=True)
        (sub / f"spec-{i:03d}.order.yaml").write_text(text, encoding="utf-8")
    (root / "broken.order.yaml").write_text("orderspec: 1\nbody: [\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif", "junit"])
def test_report_is_identical_whatever_the_number_of_jobs(corpus: Path, output_format: str) -> None:
    outputs = []
    for jobs in ("1", "2", "3"):
        result = CliRunner().invoke(cli, ["lint", str(corpus), "--jobs", jobs, "--format", output_format])
        assert result.exit_code == 1, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]  # there were problems to report


def test_workers_return_results_in_path_order(corpus: Path) -> None:
    paths = pipeline.discover([str(corpus)])
    assert len(paths) >= pipeline.MIN_PARALLEL_FILES
    seen: list[str] = []
    parallel = pipeline.process_files(paths, pipeline.Options(), jobs=3, on_done=lambda r: seen.append(r.path),
                                      keep_requests=True)
    serial = pipeline.process_files(paths, pipeline.Options(), jobs=1, keep_requests=True)
    assert [r.path for r in parallel] == paths == seen
    assert [r.diagnostics for r in parallel] == [r.diagnostics for r in serial]
    assert [[q.body for q in r.requests] for r in parallel] == [[q.body for q in r.requests] for r in serial]
    codes = {d.code for r in parallel for d in r.diagnostics}
    assert {"S007", "S001", "Y002"} <= codes


def test_json_report_counts_every_file(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(corpus), "--jobs", "2", "--format", "json"])
    report = json.loads(result.stdout)
    assert report["files"] == pipeline.MIN_PARALLEL_FILES + 20 + 1


def test_jobs_must_be_positive(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(corpus), "--jobs", "0"])
    assert result.exit_code == 2


def test_no_progress_bar_when_not_on_a_terminal(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(corpus), "--jobs", "2"])
    assert "linting" not in result.stderr and "\r" not in result.stderr


def _imported_by_lint(tmp_path: Path, text: str, *options: str) -> tuple[str, set[str]]:
    """Lint one file in a fresh interpreter: its exit status, and the top-level packages imported."""
    spec = tmp_path / "one.order.yaml"
    spec.write_text(text, encoding="utf-8")
    program = textwrap.dedent(f"""
        import sys
        import orderspec.cli
        try:
            orderspec.cli.cli.main(["lint", *{list(options)!r}, {str(spec)!r}], prog_name="orderspec")
        except SystemExit as stop:
            status = stop.code
        print("STATUS", status, "MODULES", ",".join(sorted(m.split(".")[0] for m in sys.modules)))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    status, modules = done.stdout.rsplit("STATUS ", 1)[1].split(" MODULES ")
    return status, set(modules.strip().split(","))


# Start-up is most of a one-file lint: what a run does not need is not imported (bench/RESULTS.md).
LAZY = {"jinja2", "httpx", "jsonschema", "xml"}


def test_linting_one_valid_file_imports_none_of_what_it_does_not_need(tmp_path: Path) -> None:
    status, modules = _imported_by_lint(tmp_path, EXAMPLE)
    assert status == "0"
    assert not modules & LAZY, sorted(modules & LAZY)
    assert {"yaml", "jsonschema_rs", "orderspec"} <= modules


def test_a_valid_state_folder_is_checked_without_importing_jsonschema(tmp_path: Path) -> None:
    state = REPO / "examples" / "state"
    status, modules = _imported_by_lint(tmp_path, EXAMPLE, "--state", str(state))
    assert status == "0"
    assert not modules & LAZY, sorted(modules & LAZY)
    broken = tmp_path / "state"
    shutil.copytree(state, broken)
    account = broken / "accounts" / "A00000101.yaml"
    account.write_text(account.read_text(encoding="utf-8").replace("billCycleDay: 1", "billCycleDay: first"),
                       encoding="utf-8")
    status, modules = _imported_by_lint(tmp_path, EXAMPLE, "--state", str(broken))
    assert status == "1" and "jsonschema" in modules  # an invalid one is explained by jsonschema


def test_an_invalid_body_imports_jsonschema_to_explain_it_and_junit_imports_xml(tmp_path: Path) -> None:
    status, modules = _imported_by_lint(tmp_path, EXAMPLE.replace("  description:", "  descriptionn:"))
    assert status == "1"
    assert modules & LAZY == {"jsonschema"}
    status, modules = _imported_by_lint(tmp_path, EXAMPLE, "--format", "junit")
    assert status == "0"
    assert modules & LAZY == {"xml"}


class _Terminal:
    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_bar_shows_on_a_terminal_only_after_a_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    from orderspec import report

    monkeypatch.delenv("CI", raising=False)
    terminal = _Terminal()
    quick = report.Progress(50, terminal)  # type: ignore[arg-type]
    for _ in range(50):
        quick()
    quick.close()
    assert terminal.written == []  # done before the delay: no bar at all

    monkeypatch.setattr(report.Progress, "DELAY_SECONDS", 0.0)
    slow = report.Progress(50, terminal)  # type: ignore[arg-type]
    for _ in range(50):
        slow()
    slow.close()
    assert "linting" in "".join(terminal.written)

    monkeypatch.setenv("CI", "true")
    in_ci = _Terminal()
    bar = report.Progress(50, in_ci)  # type: ignore[arg-type]
    for _ in range(50):
        bar()
    bar.close()
    assert in_ci.written == []


def test_batch_rules_locate_values_in_files_linted_by_workers(tmp_path: Path) -> None:
    # Every file has the same order number: the batch rule must point into files whose source
    # maps came back packed from the workers.
    for i in range(pipeline.MIN_PARALLEL_FILES + 4):
        (tmp_path / f"dup-{i:02d}.order.yaml").write_text(EXAMPLE, encoding="utf-8")
    serial = CliRunner().invoke(cli, ["lint", str(tmp_path), "--jobs", "1", "--format", "json"])
    parallel = CliRunner().invoke(cli, ["lint", str(tmp_path), "--jobs", "2", "--format", "json"])
    assert serial.stdout == parallel.stdout
    batch_codes = {d["code"] for d in json.loads(serial.stdout)["diagnostics"]}
    assert batch_codes, "duplicate order numbers across files should be reported"


def test_packed_locator_answers_like_the_source_map(tmp_path: Path) -> None:
    import pickle

    spec = tmp_path / "one.order.yaml"
    spec.write_text(EXAMPLE, encoding="utf-8")
    request = pipeline.process_file(str(spec), pipeline.Options()).requests[0]
    packed = pickle.loads(pickle.dumps(pipeline.PackedLocator(request.source)))
    for pointer in [("orderNumber",), ("subscriptions", 0, "orderActions", 0, "type"), ("nope", 3)]:
        assert packed.locate(pointer) == request.source.locate(pointer)
        assert packed.locate(pointer, key=True) == request.source.locate(pointer, key=True)
        assert packed.related(pointer) == request.source.related(pointer)
        assert packed.raw_plain(pointer) == request.source.raw_plain(pointer)
    assert packed.path == request.source.path  # other attributes are passed through
    again = pickle.loads(pickle.dumps(packed))  # unpacked once, it still travels
    assert again.locate(("orderNumber",)) == request.source.locate(("orderNumber",))


def test_examples_with_templates_and_catalog_lint_the_same_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = REPO / "examples"
    # Fewer examples than a batch that starts workers: lower the bar so that they do.
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_FILES", 2)
    assert len(pipeline.discover([str(examples)])) >= pipeline.MIN_PARALLEL_FILES
    runs = [CliRunner().invoke(cli, ["lint", str(examples), "--jobs", jobs, "--format", "json",
                                     "--set", "account=A00000101"]) for jobs in ("1", "2")]
    assert runs[0].exit_code == runs[1].exit_code
    assert runs[0].stdout == runs[1].stdout


def test_bench_corpus_is_clean_but_for_its_planted_mistakes(tmp_path: Path) -> None:
    # Not a timing test: it keeps bench/corpus.py honest (realistic specs the rules accept).
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    specs, bodies = generate(tmp_path, 40, seed=3)
    assert len(specs) == len(bodies) == 40
    result = CliRunner().invoke(cli, ["lint", str(tmp_path / "specs"), "--format", "json", "--jobs", "1"])
    codes = {d["code"] for d in json.loads(result.stdout)["diagnostics"]}
    assert codes <= {"S001", "S004", "S007"}, codes
    assert json.loads(bodies[0].read_text(encoding="utf-8"))["orderNumber"] == "O-BENCH-000000"
