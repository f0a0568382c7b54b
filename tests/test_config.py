"""Configuration: finding the file, reading [tool.orderspec], select/ignore/severity, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_support import CREATE, codes, lint

from orderspec.config import Config, ConfigError, find_config, load_config, parse_existing_orders
from orderspec.diagnostics import Severity
from orderspec.load import Limits

BAD_ORDER = CREATE.replace("O-2024-0001", "O/1").replace(
    "            - {name: ContractEffective, triggerDate: 2024-01-01}\n",
    "            - {name: ContractEffective, triggerDate: 2024-01-01}\n"
    "            - {name: ServiceActivation, triggerDate: 2023-01-01}\n")  # R002 error, R007 warning


def test_orderspec_toml_in_the_start_folder_wins(tmp_path: Path) -> None:
    (tmp_path / "orderspec.toml").write_text('ignore = ["H"]\n')
    (tmp_path / "pyproject.toml").write_text('[tool.orderspec]\nignore = ["R"]\n')
    assert load_config(start=tmp_path).ignore == ("H",)


def test_pyproject_table_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.orderspec]\nignore = ["R007"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "pyproject.toml"
    config = load_config(start=nested)
    assert config.ignore == ("R007",) and config.source == str(tmp_path / "pyproject.toml")


def test_pyproject_without_the_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "orderspec.toml").write_text('select = ["R"]\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(inner) == tmp_path / "orderspec.toml"
    assert load_config(start=inner).select == ("R",)


# A pyproject.toml that does not parse is reported where it breaks, never skipped: skipping it
# linted with the defaults (or a config further up) without a word.
@pytest.mark.parametrize("text, place, message", [
    ('[project]\nname = "x"\n\n[tool.orderspec]\nenv = production\n', "5:7", "Invalid value"),
    ('[tool.orderspec.severity]\nR007 = "error"\n[tool.orderspec.limits]\norder-line-items = 200\n'
     '[tool.orderspec.severity]\nR006 = "error"\n', "5:25", "Cannot declare .* twice"),
    # Without any [tool.orderspec] in sight it may still hold the settings (`tool.orderspec.x = 1`
    # under [tool], say): only a parser could tell, and this one cannot.
    ('[project]\nname = x\n', "2:8", "Invalid value"),
])
def test_broken_pyproject_found_walking_up_is_an_error(tmp_path: Path, text: str, place: str,
                                                      message: str) -> None:
    (tmp_path / "orderspec.toml").write_text('select = ["R"]\n')  # further up: must not be used instead
    project = tmp_path / "project"
    nested = project / "orders"
    nested.mkdir(parents=True)
    (project / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match=f"not valid TOML: {message}") as caught:
        find_config(nested)
    assert str(caught.value).startswith(f"{project / 'pyproject.toml'}:{place}: ")
    assert "--config" in str(caught.value)
    with pytest.raises(ConfigError):
        load_config(start=nested)


def test_broken_toml_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "orderspec.toml"
    path.write_text('ignore = ["R051"]\nenv = sandbox\n')
    with pytest.raises(ConfigError, match="not valid TOML: Invalid value$") as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:2:7: ")
    path.write_text('ignore = ["R051"]\nselect = [\n')  # the parser only finds out at the end
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:3:1: not valid TOML")


def test_a_tool_key_that_is_not_a_table_is_no_orderspec_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('tool = "none"\n')
    assert find_config(tmp_path) is None
    with pytest.raises(ConfigError, match="no \\[tool.orderspec\\]"):
        load_config(path)


def test_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "orderspec.toml"
    path.write_bytes('env = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_full_table(tmp_path: Path) -> None:
    path = tmp_path / "orderspec.toml"
    path.write_text(
        'select = ["L", "R"]\nignore = "R051"\nmax-file-bytes = 2048\n'
        '[severity]\nR007 = "error"\n'
        '[limits]\nsync-subscriptions = 100\norder-line-items = 200\nasync-order-actions = 500\n'
        '[existing-orders]\n"A-S1" = 990\n')
    config = load_config(path)
    assert config.select == ("L", "R") and config.ignore == ("R051",)
    assert config.severity == {"R007": Severity.ERROR}
    assert config.limits.sync.subscriptions == 100 and config.limits.sync.order_actions == 50
    assert config.limits.async_.order_actions == 500 and config.limits.order_line_items == 200
    assert config.loader == Limits(max_file_bytes=2048)
    assert config.existing_orders == {"A-S1": 990}


@pytest.mark.parametrize("text, message", [
    ('selct = ["R"]\n', "did you mean `select`"),
    ('select = ["ZZ9"]\n', "not a rule code"),
    ('[severity]\nR999 = "error"\n', "not a rule code"),
    ('[severity]\nR007 = "fatal"\n', "error, warning or info"),
    ('[limits]\nsync-subscription = 9\n', "did you mean `sync-subscriptions`"),
    ('[limits]\norder-line-items = -1\n', "whole number"),
    ('[existing-orders]\nS = "many"\n', "whole number"),
    ('select = [\n', "not valid TOML"),
    ('templates = "tpl"\ntemplate = []\n', "did you mean `templates`"),
    ('catalog = ["a.yaml"]\n', "`catalog` must be text"),
    ('env = ""\n', "`env` must be text"),
    ('values = [1]\n', "`values` must be a list of paths"),
])
def test_mistakes_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "orderspec.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("`", ".").replace("(", ".")) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_expand_settings_are_paths_relative_to_the_config_file(tmp_path: Path) -> None:
    nested = tmp_path / "conf"
    nested.mkdir()
    path = nested / "pyproject.toml"
    path.write_text('[tool.orderspec]\ntemplates = ["tpl", "/abs/tpl"]\ncatalog = "../catalog.yaml"\n'
                    'env = "production"\nvalues = "values.yaml"\n')
    config = load_config(path)
    assert config.template_dirs == (str(nested / "tpl"), "/abs/tpl")
    assert Path(config.catalog or "").resolve() == tmp_path / "catalog.yaml"
    assert config.catalog_env == "production" and config.values_files == (str(nested / "values.yaml"),)


def test_named_pyproject_needs_the_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match="no \\[tool.orderspec\\]"):
        load_config(path)


def test_select_ignore_and_severity_apply_to_diagnostics(tmp_path: Path) -> None:
    assert sorted(codes(lint(tmp_path, BAD_ORDER))) == ["R002", "R007"]
    assert codes(lint(tmp_path, BAD_ORDER, config=Config(ignore=("R002",)))) == ["R007"]
    assert codes(lint(tmp_path, BAD_ORDER, config=Config(select=("R00",), ignore=("R007",)))) == ["R002"]
    assert codes(lint(tmp_path, BAD_ORDER, config=Config(select=("S",)))) == []
    raised = lint(tmp_path, BAD_ORDER, config=Config(severity={"R007": Severity.ERROR}))
    assert {d.code: d.severity for d in raised}["R007"] is Severity.ERROR


def test_loader_codes_can_be_configured_too(tmp_path: Path) -> None:
    text = CREATE.replace("A00000101", "00123")  # Y020: YAML reads it as a number
    assert "Y020" in codes(lint(tmp_path, text))
    assert "Y020" not in codes(lint(tmp_path, text, config=Config(ignore=("Y020",))))


def test_cli_options_layer_on_top() -> None:
    base = Config(select=("R",), ignore=("R051",), existing_orders={"S1": 1})
    merged = base.with_cli(select=["l001,L002"], ignore=["H"], existing_orders={"S2": 2})
    assert merged.select == ("L001", "L002") and merged.ignore == ("R051", "H")
    assert merged.existing_orders == {"S1": 1, "S2": 2}
    assert base.with_cli().select == ("R",)
    with pytest.raises(ConfigError, match="--select"):
        base.with_cli(select=["NOPE"])


def test_existing_orders_pairs() -> None:
    assert parse_existing_orders(["A-S1=990", " B = 3 "]) == {"A-S1": 990, "B": 3}
    for bad in ("A-S1", "=3", "A=x", "A=-1"):
        with pytest.raises(ConfigError):
            parse_existing_orders([bad])


def test_config_file_limits_reach_the_checks(tmp_path: Path) -> None:
    path = tmp_path / "orderspec.toml"
    path.write_text("[limits]\norder-line-items = 1\n")
    text = ("orderspec: 1\noperation: create\nbody:\n  orderDate: 2024-01-01\n  existingAccountNumber: A1\n"
            "  orderLineItems:\n    - {itemName: a, itemType: Product}\n    - {itemName: b, itemType: Product}\n")
    assert codes(lint(tmp_path, text)) == []
    assert codes(lint(tmp_path, text, config=load_config(path))) == ["L001"]


def test_the_readme_example_is_a_valid_configuration() -> None:
    import re

    from orderspec.config import from_table
    from orderspec.config_files import tomllib

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Rules, limits and configuration.*?```toml\n(.*?)```", readme, re.S)
    assert block is not None
    config = from_table(tomllib.loads(block.group(1))["tool"]["orderspec"], "README.md")
    assert config.limits.sync.subscriptions == 100 and config.ignore == ("R051",)


# -- where the search starts: above the specs a command is given (as black does) ------------------

def test_the_search_starts_at_the_common_folder_of_the_specs(tmp_path: Path) -> None:
    from orderspec.config_files import search_start

    (tmp_path / "a" / "x").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x" / "o.order.yaml").write_text("")
    assert search_start([tmp_path / "a" / "x" / "o.order.yaml"]) == tmp_path / "a" / "x"  # a file: its folder
    assert search_start([tmp_path / "a" / "x", tmp_path / "a" / "x" / "o.order.yaml"]) == tmp_path / "a" / "x"
    assert search_start([str(tmp_path / "a" / "x"), str(tmp_path / "b")]) == tmp_path
    # A path that is not there (a spec only in a git revision): its nearest existing folder.
    assert search_start([tmp_path / "b" / "gone" / "o.order.yaml"]) == tmp_path / "b"
    assert search_start([]) is None  # no specs: the current directory


def test_a_config_above_the_specs_wins_over_the_current_directory(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from orderspec.config_files import search_start

    (tmp_path / "project" / "orders").mkdir(parents=True)
    (tmp_path / "project" / "orderspec.toml").write_text('ignore = ["R007"]\n')
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "orderspec.toml").write_text('ignore = ["H"]\n')
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert load_config(start=search_start(["../project/orders"])).ignore == ("R007",)
    assert load_config(start=search_start([])).ignore == ("H",)
