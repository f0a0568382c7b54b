"""Rendering: golden bytes of every example, --check, nothing written on error, determinism.

The goldens in tests/fixtures/render/ are the output of
    orderspec render examples -o tests/fixtures/render
review the diff and re-run that command when an example or a template changes on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from orderspec import pipeline
from orderspec.cli import cli
from orderspec.model import ENDPOINTS, Request, choose_endpoint
from orderspec.render import (MANIFEST, ManifestError, canonical_json, idempotency_key, manifest_bytes,
                              output_files, output_stem, read_manifest, render, stale_outputs, write_outputs)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "fixtures" / "render"


def example_files() -> dict[str, bytes]:
    result = pipeline.run([str(EXAMPLES)], keep_requests=True)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    return output_files(result.requests, choose_endpoint)


def test_every_example_renders_to_its_golden_bytes() -> None:
    files = example_files()
    golden = {p.name: p.read_bytes() for p in GOLDEN.iterdir() if p.name != MANIFEST}
    assert sorted(files) == sorted(golden), "re-run: orderspec render examples -o tests/fixtures/render"
    assert (GOLDEN / MANIFEST).read_bytes() == manifest_bytes(list(files))
    for name, data in files.items():
        assert data == golden[name], f"{name} differs from its golden file"


def test_every_stock_template_has_an_example() -> None:
    templates = {p.name[: -len(".yaml.j2")] for p in (ROOT / "templates").glob("*.yaml.j2")
                 if not p.name.startswith("_")}
    used = set()
    for spec in EXAMPLES.glob("*.order.yaml"):
        for line in spec.read_text(encoding="utf-8").splitlines():
            if line.startswith("use: "):
                used.add(line[5:].strip())
    assert templates <= used, templates - used


def test_render_check_passes_on_the_goldens() -> None:
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES), "-o", str(GOLDEN), "--check"])
    assert result.exit_code == 0, result.output


def test_render_check_lists_missing_stale_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(GOLDEN, out)
    (out / "renew.json").write_bytes((out / "renew.json").read_bytes().replace(b"2025", b"2026"))
    (out / "cancel.http").unlink()
    (out / "gone.json").write_text("{}\n", encoding="utf-8")  # rendered from a spec since removed
    recorded = read_manifest(str(out)) or []
    (out / MANIFEST).write_bytes(manifest_bytes([*recorded, "gone.json"]))
    (out / "README.md").write_text("what this folder is\n", encoding="utf-8")  # the user's own files
    (out / "notes.json").write_text("{}\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES), "-o", str(out), "--check"])
    assert result.exit_code == 1
    assert f"{out / 'renew.json'}: stale" in result.output
    assert f"{out / 'cancel.http'}: missing" in result.output
    assert f"{out / 'gone.json'}: extra" in result.output
    assert f"{out / MANIFEST}: stale" in result.output  # it still lists gone.json
    assert "new-subscription.json" not in result.output
    assert "README.md" not in result.output and "notes.json" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # --check writes nothing


def _specs(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "catalog.yaml", folder)
    for name in names:
        shutil.copy(EXAMPLES / name, folder)
    return folder


def test_check_passes_after_render_when_a_spec_is_removed_or_renamed(tmp_path: Path) -> None:
    specs = _specs(tmp_path / "specs", "renew.order.yaml", "cancel.order.yaml", "suspend.order.yaml")
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["render", str(specs), "-o", str(out)]).exit_code == 0
    (out / "README.md").write_text("rendered by CI\n", encoding="utf-8")  # the user's, never touched
    (out / "schema.json").write_text("{}\n", encoding="utf-8")
    (specs / "cancel.order.yaml").rename(specs / "cancel-now.order.yaml")
    (specs / "suspend.order.yaml").unlink()

    check = runner.invoke(cli, ["render", str(specs), "-o", str(out), "--check"])
    assert check.exit_code == 1
    assert f"{out / 'cancel.json'}: extra" in check.output and f"{out / 'suspend.http'}: extra" in check.output
    assert f"{out / 'cancel-now.json'}: missing" in check.output
    assert "README.md" not in check.output and "schema.json" not in check.output

    result = runner.invoke(cli, ["render", str(specs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{out / 'suspend.json'}: removed" in result.output and "4 removed" in result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "README.md", "cancel-now.http", "cancel-now.json",
                                                    "renew.http", "renew.json", "schema.json"]
    assert read_manifest(str(out)) == ["cancel-now.http", "cancel-now.json", "renew.http", "renew.json"]
    check = runner.invoke(cli, ["render", str(specs), "-o", str(out), "--check"])
    assert check.exit_code == 0, check.output


def test_a_folder_rendered_without_a_manifest_gets_one_and_keeps_unknown_files(tmp_path: Path) -> None:
    specs = _specs(tmp_path / "specs", "renew.order.yaml")
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["render", str(specs), "-o", str(out)]).exit_code == 0
    (out / MANIFEST).unlink()  # as the version before the manifest left it
    (out / "old.json").write_text("{}\n", encoding="utf-8")  # its spec is gone, or it is the user's

    check = runner.invoke(cli, ["render", str(specs), "-o", str(out), "--check"])
    assert check.exit_code == 1 and check.output.splitlines()[0] == f"{out / MANIFEST}: missing"
    assert "old.json" not in check.output  # nothing says orderspec wrote it

    result = runner.invoke(cli, ["render", str(specs), "-o", str(out)])
    assert result.exit_code == 0
    assert f"{out / 'old.json'}: left alone" in result.output and (out / "old.json").exists()
    assert read_manifest(str(out)) == ["renew.http", "renew.json"]
    assert runner.invoke(cli, ["render", str(specs), "-o", str(out), "--check"]).exit_code == 0


@pytest.mark.parametrize("manifest", [
    b'{"format": "orderspec-rendered/1", "files": ["../specs/renew.order.yaml"]}\n',
    b'{"format": "orderspec-rendered/1", "files": ["README.md"]}\n',
    b'{"format": "orderspec-rendered/1", "files": ["sub/x.json"]}\n',
    b'{"files": ["renew.json"]}\n',
    b"renew.json\n",
])
def test_a_manifest_render_did_not_write_deletes_nothing(tmp_path: Path, manifest: bytes) -> None:
    specs = _specs(tmp_path / "specs", "renew.order.yaml")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    for name in ("README.md", "sub/x.json"):
        (out / name).write_text("mine\n", encoding="utf-8")
    (out / MANIFEST).write_bytes(manifest)
    for extra in ((), ("--check",)):
        result = CliRunner().invoke(cli, ["render", str(specs), "-o", str(out), *extra])
        assert result.exit_code == 2 and f"{out / MANIFEST}:" in result.output
    assert (specs / "renew.order.yaml").exists() and (out / "README.md").exists() and (out / "sub/x.json").exists()
    assert not (out / "renew.json").exists()
    with pytest.raises(ManifestError):
        read_manifest(str(out))


def test_the_manifest_names_new_files_before_they_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A render stopped half-way (crash, full disk) still has a record of every file it may have
    written: the next render can remove them when their spec is gone."""
    from orderspec import render as render_module

    write_outputs({"a.json": b"1\n", "a.http": b"A\n"}, str(tmp_path))
    real = render_module.write_atomically

    def fail_on_b(path: str, data: bytes | str) -> None:
        if os.path.basename(path).startswith("b."):
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(render_module, "write_atomically", fail_on_b)
    with pytest.raises(OSError):
        write_outputs({"b.json": b"2\n", "b.http": b"B\n"}, str(tmp_path))
    assert read_manifest(str(tmp_path)) == ["a.http", "a.json", "b.http", "b.json"]
    monkeypatch.setattr(render_module, "write_atomically", real)
    synced = write_outputs({"b.json": b"2\n", "b.http": b"B\n"}, str(tmp_path))
    assert synced.removed == ["a.http", "a.json"] and sorted(os.listdir(tmp_path)) == [MANIFEST, "b.http", "b.json"]


def test_render_writes_files_and_then_check_is_clean(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["render", str(EXAMPLES / "renew.order.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "renew.http", "renew.json"]
    http = (out / "renew.http").read_text(encoding="utf-8")
    assert http.startswith("POST /v1/orders HTTP/1.1\n")
    assert "Content-Type: application/json\n" in http and "Idempotency-Key: orderspec-" in http
    assert runner.invoke(cli, ["render", str(EXAMPLES / "renew.order.yaml"), "-o", str(out), "--check"]).exit_code == 0


def test_nothing_is_written_when_any_spec_has_an_error(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(EXAMPLES / "renew.order.yaml", specs)
    shutil.copy(EXAMPLES / "catalog.yaml", specs)
    (specs / "broken.order.yaml").write_text(
        "orderspec: 1\noperation: create\nuse: cancel\nwith:\n  account: A1\n  subscription: S1\n"
        "  orderDate: 2024-01-01\n  effectiveDate: 2024-01-01\n  policy: Whenever\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(specs), "-o", str(out)])
    assert result.exit_code == 1
    assert "T012" in result.output and "broken.order.yaml:9:" in result.output
    assert not out.exists()


def test_values_set_and_env_reach_render(tmp_path: Path) -> None:
    out = tmp_path / "out"
    values = tmp_path / "values.yaml"
    # Dates inside the current term of A-S00000101 in examples/state (the examples' configuration):
    # a later one is R062, an error.
    values.write_text("orderDate: 2024-11-01\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES / "add-product.order.yaml"), "-o", str(out),
                                      "-f", str(values), "--set", "effectiveDate=2024-12-01",
                                      "--env", "production"])
    assert result.exit_code == 0, result.output
    body = (out / "add-product.json").read_text(encoding="utf-8")
    assert '"orderDate": "2024-11-01"' in body and '"triggerDate": "2024-12-01"' in body
    assert "2c92a0fd5e8f2b1a015e9b0e3fb21b26" in body


def test_bad_values_file_is_a_usage_error(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("[not, a, mapping]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES / "renew.order.yaml"), "-o", str(tmp_path / "o"),
                                      "-f", str(values)])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


def test_lint_takes_the_expand_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES / "add-product.order.yaml"), "--env", "staging",
                                      "--catalog", str(EXAMPLES / "catalog.yaml")])
    assert result.exit_code == 2 and "T022" in result.output
    result = CliRunner().invoke(cli, ["lint", str(EXAMPLES / "add-product.order.yaml"), "--set",
                                      "ratePlan=support-premum", "-j", "1"])
    assert result.exit_code == 1 and "T021" in result.output and "<--set ratePlan=support-premum>" in result.output


def test_output_names() -> None:
    assert output_stem("a/b/renew.order.yaml") == "renew"
    assert output_stem("x.order.json") == "x" and output_stem("plain.yaml") == "plain"


def test_several_specs_in_one_file_are_numbered_and_clashes_refused(tmp_path: Path) -> None:
    text = (EXAMPLES / "renew.order.yaml").read_text(encoding="utf-8")
    (tmp_path / "catalog.yaml").write_text("catalog: 1\n", encoding="utf-8")
    (tmp_path / "two.order.yaml").write_text(text + "---\n" + text.replace("2025-01-01", "2026-01-01"),
                                             encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "two.order.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "two-1.http", "two-1.json", "two-2.http", "two-2.json"]
    assert (out / "two-1.json").read_bytes() != (out / "two-2.json").read_bytes()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(EXAMPLES / "renew.order.yaml", other)
    shutil.copy(EXAMPLES / "renew.order.yaml", tmp_path)
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "renew.order.yaml"),
                                      str(other / "renew.order.yaml"), "-o", str(tmp_path / "o2")])
    assert result.exit_code == 2 and "both be rendered to renew.json" in result.output


def test_rendering_is_byte_identical_across_processes(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "orderspec", "render", str(EXAMPLES), "-o", str(out)],
                   check=True, env=env, capture_output=True, cwd=tmp_path)
    golden = {p.name: p.read_bytes() for p in GOLDEN.iterdir()}
    assert {p.name: p.read_bytes() for p in out.iterdir()} == golden


def test_canonical_json_is_exact_and_keeps_key_order() -> None:
    value = {"z": Decimal("19.990"), "a": [1, True, None, "é\n\"x\""], "m": {}}
    data = canonical_json(value)
    assert data == ('{\n  "z": 19.990,\n  "a": [\n    1,\n    true,\n    null,\n    "é\\n\\"x\\""\n  ],\n'
                    '  "m": {}\n}\n').encode("utf-8")
    with pytest.raises(TypeError):
        canonical_json({"price": 1.5})


def _request(body: dict[str, object], headers: dict[str, str] | None = None) -> Request:
    from orderspec.load import SourceMap

    return Request("x.order.yaml", 0, "create", False, body, SourceMap("x.order.yaml"), headers=headers or {})


def test_idempotency_key_follows_the_body_and_endpoint() -> None:
    create = ENDPOINTS["create"]
    one = render(_request({"orderDate": "2024-01-01"}), create)
    same = render(_request({"orderDate": "2024-01-01"}), create)
    other = render(_request({"orderDate": "2024-01-02"}), create)
    assert one.idempotency_key == same.idempotency_key != other.idempotency_key
    assert one.idempotency_key == idempotency_key(create, one.body)
    assert idempotency_key(ENDPOINTS["async-create"], one.body) != one.idempotency_key
    given = render(_request({"orderDate": "2024-01-01"}, {"Idempotency-Key": "mine"}), create)
    assert given.idempotency_key == "mine"


def test_write_outputs_only_touches_changed_files(tmp_path: Path) -> None:
    files = {"a.json": b"1\n", "a.http": b"POST\n"}
    assert sorted(write_outputs(files, str(tmp_path)).changed) == ["a.http", "a.json"]
    assert write_outputs(files, str(tmp_path)).changed == []
    assert stale_outputs(files, str(tmp_path)) == []
    assert write_outputs({**files, "a.json": b"2\n"}, str(tmp_path)).changed == ["a.json"]
