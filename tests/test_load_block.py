"""The line reader (`orderspec.load.yaml_block`) against the event reader and the builder: every
text it takes must read exactly as `yaml_events` reads it (values and their types, the document's
line, the top two levels' positions, the whole-Decimal note) and its source map must be the
builder's. Texts it does not take are left to those readers, so they cannot differ.

Checked on hypothesis-made block YAML in many styles, on random mutations of real specs (one
character in, out or changed: the way a reader accepts what it should not), on the bench corpus,
on every YAML file in the repository, and on the reference bodies written as YAML."""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderspec.load import LazySourceMap, Limits, load_text
from orderspec.load.located import load_located
from orderspec.load.yaml_block import block_source_map, read_yaml_block
from orderspec.load.yaml_events import read_yaml_events

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from corpus import body, generate, to_yaml  # noqa: E402

LIMITS = Limits()


def _summary(documents: list[Any]) -> list[tuple[Any, ...]]:
    return [(d.index, d.line, repr(d.value), d.source._unbuilt.shallow.get(d.index),
             d.source._unbuilt.whole_decimals.get(d.index)) for d in documents]


def reads_as_events(text: str, limits: Limits = LIMITS) -> bool:
    """Assert the line reader, when it takes the text, reads it as the event reader and the
    builder do; True when it took it."""
    block = read_yaml_block(text, "x.yaml", limits)
    if block is None:
        return False
    events = read_yaml_events(text, "x.yaml", limits)
    assert events is not None, f"the event reader refuses what the line reader took:\n{text}"
    assert _summary(block) == _summary(events), text
    located = load_located(text, "x.yaml", json_mode=False, limits=limits)
    assert located.diagnostics == [], text
    built = located.documents[0].source
    lines = block_source_map(text, "x.yaml", limits)
    for name in ("values", "keys", "plain", "ambiguous"):
        assert getattr(lines, name) == getattr(built, name), (name, text)
    # And through the loader's front door: the lazy map gives the builder's answers.
    loaded = load_text(text, "x.yaml", limits=limits)
    source = loaded.documents[0].source
    assert isinstance(source, LazySourceMap) and not source.built
    for pointer in built.values:
        assert source.locate(pointer) == built.locate(pointer)
    assert source.values == built.values and source.keys == built.keys and source.plain == built.plain
    return True


# -- texts made by hypothesis ----------------------------------------------------------------------

KEYS = ["a", "b", "name", "x.y", "k-1", "k_2", "1", "01", "1.5", "2024-01-01", '"q k"', "'s k'",
        '"a: b"', "'#'", '""', "yes", "No", "null", "~", "on", "<<", "a b", "-k", "?k", "k#", "é"]
SCALARS = ["1", "0", "-1", "+1", "007", "0o7", "0x1F", "0b11", "1_000", "1:30", "190:20:30",
           "19.99", "100.00", "1.0", "1.", "-.5", ".5", "1e3", "1.0e+3", "1E3", "6.8523015e+5",
           "12345678901234567890123", "true", "True", "no", "Yes", "y", "n", "off", "null", "Null",
           "~", "", "2024-08-25", "2024-8-5", "2024-08-25T10:00:00Z", "2001-12-14 21:59:43.10 -5",
           "text", "two words", "a#b", "a #b", "a: b", "a:b", "x:", "http://x.y/z?q=1", "-x", "- x",
           "-", "?x", "? x", ":x", ": x", ",x", "x,y", "[1]", "{a: 1}", "[]", "{}", '"dq"', "'sq'",
           '"d\\"q"', '"\\u00e9"', "'it''s'", '"a # b"', "'a: b'", '""', "''", "&a x", "*a", "!t x",
           "!!str 1", "|", ">", "%x", "@x", "`x", ".inf", "-.inf", ".nan", ".NaN", "=", "<<", "Ï",
           "café", "---", "...", "a  b", "a\tb", "x ", " x", "#x", "a'b", 'a"b', "O-1/2", "99%",
           "a,b", "a]", "a}", "[a", "{a", "a: [b]", '"a, b"', "'{x}'", "a :b"]


# Scalars and keys the reader takes; the styles of `_render` too, so most texts made from them are taken.
PLAIN_KEYS = ["a", "b", "name", "x.y", "k-1", "k_2", "1", '"q k"', "'s k'", '"a: b"', '""']
PLAIN_SCALARS = ["1", "0", "-1", "+1", "19.99", "100.00", "1.0", "1.", "true", "no", "null", "~", "",
                 "2024-08-25", "2024-08-25T10:00:00Z", "text", "two words", "a#b", "a:b", "http://x.y/z?q=1",
                 "-x", "?x", ":x", "x,y", '"dq"', "'sq'", '"a # b"', "'a: b'", '""', "''", "café", "a  b",
                 "a'b", 'a"b', "O-1/2", "99%", "12345678901234567890123"]


def _flow(value: Any, rng: random.Random) -> str | None:
    """A collection of scalars written on one line in flow style, sometimes; else None."""
    if not value or rng.random() < 0.6 or any(isinstance(item, (dict, list)) for item in
                                              (value.values() if isinstance(value, dict) else value)):
        return None
    comma, pad = rng.choice([", ", ",", " , ", ",  "]), rng.choice(["", "", " "])
    if isinstance(value, dict):
        return "{" + pad + comma.join(f"{key}:{rng.choice([' ', ' ', '  '])}{item}"
                                       for key, item in value.items()) + pad + "}"
    return "[" + pad + comma.join(value) + pad + "]"


def _render(value: Any, rng: random.Random, column: int, out: list[str]) -> None:
    """Write a mapping or list as block YAML at `column`, in a style drawn from rng."""
    pad = " " * column
    if isinstance(value, dict):
        for key, item in value.items():
            if rng.random() < 0.1:
                out.append(pad + "# a comment" if rng.random() < 0.5 else "")
            colon = ":" + " " * rng.choice([1, 1, 1, 2])
            flow = _flow(item, rng) if isinstance(item, (dict, list)) else None
            if flow is not None:
                out.append(f"{pad}{key}{colon}{flow}" + rng.choice(["", "", " # c"]))
            elif isinstance(item, (dict, list)) and item:
                comment = "  # why" if rng.random() < 0.1 else ""
                out.append(f"{pad}{key}:{comment}")
                if isinstance(item, list) and rng.random() < 0.3:
                    _render(item, rng, column, out)  # a sequence at its key's column
                else:
                    _render(item, rng, column + rng.choice([1, 2, 2, 4]), out)
            elif isinstance(item, (dict, list)):
                out.append(f"{pad}{key}{colon}{'{}' if isinstance(item, dict) else '[]'}")
            else:
                trailing = rng.choice(["", "", "", " ", "  # note", " #x"])
                out.append(f"{pad}{key}{colon}{item}{trailing}".rstrip() if item == "" else
                           f"{pad}{key}{colon}{item}{trailing}")
    else:
        for item in value:
            dash = "-" + " " * rng.choice([1, 1, 1, 2, 3])
            flow = _flow(item, rng) if isinstance(item, (dict, list)) else None
            if flow is not None:
                out.append(pad + dash + flow)
            elif isinstance(item, (dict, list)) and item:
                inner: list[str] = []
                _render(item, rng, column + len(dash), inner)
                first = inner.index(next(line for line in inner if line.strip() and not line.lstrip().startswith("#")))
                out.extend(inner[:first])
                out.append(pad + dash + inner[first][column + len(dash):])
                out.extend(inner[first + 1:])
            elif isinstance(item, (dict, list)):
                out.append(pad + dash + ("{}" if isinstance(item, dict) else "[]"))
            else:
                out.append(pad + dash + item)


# What the reader also takes in a flow collection (`[a, b]`).
FLOW_SCALARS = [text for text in PLAIN_SCALARS if text and not set(text) & set(",:#") and text[:1] not in ("-", "?")]
# Mostly what the reader takes, sometimes anything: a text then holds a trap now and then.
_SCALARS = st.one_of(*[st.sampled_from(FLOW_SCALARS)] * 5, *[st.sampled_from(PLAIN_SCALARS)] * 4,
                     st.sampled_from(SCALARS))
_KEYS = st.one_of(*[st.sampled_from(PLAIN_KEYS)] * 9, st.sampled_from(KEYS))


def _tree(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _SCALARS
    children = st.one_of(_SCALARS, _SCALARS, _tree(depth - 1))
    return st.one_of(st.dictionaries(_KEYS, children, min_size=1, max_size=4),
                     st.lists(children, min_size=1, max_size=4))


@st.composite
def block_texts(draw: st.DrawFn) -> str:
    root = draw(st.dictionaries(_KEYS, st.one_of(_SCALARS, _tree(3)), min_size=1, max_size=5))
    rng = random.Random(draw(st.integers(0, 2**32)))
    out: list[str] = []
    if rng.random() < 0.2:
        out.append(rng.choice(["---", "--- # spec", "# header", ""]))
    _render(root, rng, 0, out)
    return "\n".join(out) + rng.choice(["\n", "\n", "", "\n\n"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_texts())
def test_made_texts_read_as_the_event_reader_reads_them(text: str) -> None:
    reads_as_events(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_texts(), st.integers(0, 6))
def test_the_depth_cap_is_the_event_readers(text: str, depth: int) -> None:
    reads_as_events(text, Limits(max_depth=depth))


def test_the_made_texts_are_mostly_taken() -> None:
    """The generator's styles must exercise the reader, not only its refusals."""
    rng = random.Random(3)
    taken = 0
    for _ in range(200):
        root: dict[str, Any] = {rng.choice(PLAIN_KEYS): rng.choice(PLAIN_SCALARS) for _ in range(4)}
        root["list"] = [{"k": rng.choice(PLAIN_SCALARS), "m": [rng.choice(FLOW_SCALARS)],
                         "n": {"deep": [[rng.choice(FLOW_SCALARS), rng.choice(FLOW_SCALARS)]]},
                         "o": {"p": rng.choice(FLOW_SCALARS), "q": rng.choice(FLOW_SCALARS)}}]
        out: list[str] = []
        _render(root, rng, 0, out)
        taken += reads_as_events("\n".join(out) + "\n")
    assert taken > 180


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[-+]?[0-9]{1,30}\.[0-9]{1,30}", fullmatch=True))
def test_decimal_shortcut_types_money_as_yaml_does(raw: str) -> None:
    from orderspec.load.scalars import TAG, resolve_plain, typed_scalar
    from orderspec.load.yaml_block import _scalar

    value, typed, ambiguous = typed_scalar(raw, resolve_plain(raw, False)[len(TAG):], False)
    assert not ambiguous
    assert repr(_scalar(raw)) == repr((value, value == value.to_integral_value(), typed))


# -- mutations of real specs -----------------------------------------------------------------------

MUTATIONS = [" ", "  ", "-", "- ", ":", ": ", "#", " #", '"', "'", "\n", "\n  ", "&", "*", "!", "[",
             "{", "|", ">", "?", "0", ".", "y", "\t", "\r", "---\n", "~", ",", "%", "é", "\x85"]


def _seeds() -> list[str]:
    rng = random.Random(11)
    return [to_yaml(body(rng, number)) for number in range(6)] + \
        [path.read_text(encoding="utf-8") for path in sorted((REPO / "examples").glob("*.yaml"))[:6]]


SEEDS = _seeds()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 2),
                                                   st.sampled_from(MUTATIONS)), min_size=1, max_size=3))
def test_mutated_specs_read_as_the_event_reader_reads_them(seed: str, edits: list[tuple[float, int, str]]) -> None:
    text = seed
    for where, how, what in edits:
        at = int(where * len(text))
        if how == 0:
            text = text[:at] + what + text[at:]
        elif how == 1:
            text = text[:at] + text[at + len(what):]
        else:
            text = text[:at] + what + text[at + 1:]
    reads_as_events(text)


# -- real files --------------------------------------------------------------------------------------

def test_bench_corpus_specs_are_taken_and_read_the_same(tmp_path: Path) -> None:
    specs, _ = generate(tmp_path, 150, seed=5)
    taken = sum(reads_as_events(path.read_text(encoding="utf-8")) for path in specs)
    assert taken == len(specs)  # the corpus is plain block YAML: every spec takes the fast path


def test_every_yaml_file_of_the_repository_reads_the_same() -> None:
    paths = [path for folder in ("examples", "tests/fixtures", "templates", "docs")
             for path in sorted((REPO / folder).rglob("*.yaml"))]
    assert paths
    taken = 0
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        taken += reads_as_events(text)
    assert taken > len(paths) // 3


def _reference_bodies() -> list[Path]:
    for place in (REPO.parent, REPO.parent.parent):
        found = place / "shared" / "reference" / "examples"
        if found.is_dir():
            return sorted(found.rglob("*.json"))
    return []


def _decimal_default(value: Any) -> Any:
    raise TypeError(value)


def test_reference_bodies_written_as_yaml_read_the_same() -> None:
    bodies = _reference_bodies()
    if not bodies:
        pytest.skip("../shared/reference/examples is not beside this checkout")
    taken = 0
    for path in bodies:
        try:
            value = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(value, dict) and value:
            taken += reads_as_events(to_yaml(value))
    assert taken > 0


# -- what it must leave to the other readers -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",            # duplicate keys: the builder reports them
    "yes: 1\n",                 # a key YAML reads as bool
    "a: &x 1\nb: *x\n",         # anchors and aliases
    "a: !!str 1\n",             # tags
    "a: [1, [2]]\n",            # flow collections within flow collections
    "a: [1,]\n",               # a trailing comma
    "a: {x: 1, x: 2}\n",       # a duplicate key in a flow mapping
    "a: [b: c]\n",             # a pair in a flow sequence
    "a: [1, 2]\n  b: 3\n",     # flow, then a deeper line
    "a: |\n  text\n",           # block scalars
    "a: one\n  two\n",          # a continued plain scalar
    "a: 0755\n",                # YAML 1.1 octal: ambiguous
    "a:\tb\n",                  # tabs
    "a: 1\r\nb: 2\r\n",         # carriage returns
    "a: \"x\\ny\"\n",           # escapes
    "just text\n",              # a scalar document
    "a: 1\n---\nb: 2\n",        # two documents
    "-\n  a: 1\n",              # an item on the next line
    "a:\n  - 1\n  b: 2\n",      # a key after an indented sequence: invalid
    "a: b: c\n",                # invalid
])
def test_left_to_the_other_readers(text: str) -> None:
    assert read_yaml_block(text, "x.yaml", LIMITS) is None


@pytest.mark.parametrize("line", [
    " " * 200_000 + "x: y: z",                 # a failing line after a long indentation
    "a:" + " " * 200_000 + "b: c",             # ... after a long space past the colon
    "a: b" + " " * 200_000 + "c: d",           # ... with a long space inside the scalar
    "- " * 100_000 + "x: a: b",                # many item indicators
    "a: " + "b " * 100_000 + ": c",            # a long scalar of words
])
def test_a_long_line_that_is_not_block_yaml_is_handed_on(line: str) -> None:
    """Each of these sent the line regex back through every split of a long run of spaces (hours
    at this length, were it quadratic; it is linear): nothing here measures time, the test is that
    it ends and hands the text on."""
    assert read_yaml_block("a: 1\n" + line + "\n", "x.yaml", LIMITS) is None
