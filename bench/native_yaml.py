"""What a native YAML reader would save, and where it reads differently (issue 14's last lever).

    python bench/native_yaml.py [--count 2000] [--seed 7]

Needs the readers installed (none is a dependency of orderspec), e.g. into a throw-away folder:
`pip install --target DIR yaml_rs ryaml fastyaml-rs` and `PYTHONPATH=DIR`. Readers that are not
installed are skipped. Prints, on `--count` fresh corpus specs (bench/corpus.py):

1. how many specs hold a plain non-integer number (money), which a pre-check that leaves such
   files to today's reader would leave to it;
2. per file, fastest of 5 rounds taken in turns: orderspec's readers, values only (libyaml's
   events, `orderspec.load.yaml_events`; the line reader for plain block YAML,
   `orderspec.load.yaml_block`, which takes every corpus spec), each native reader alone, and a sketch of the cheapest path that keeps money
   exact (below);
3. a table of small texts read by today's loader and by each native reader.

The sketch is a measurement, not a reader: it refuses any text with a character that could start
an anchor, alias, tag, merge key, flow collection or block scalar, finds every plain value of a
`key: value` / `- value` line by a regex, refuses any that YAML 1.1 types differently (octal,
sexagesimal, underscored, exponents, bool words, .inf/.nan), reads with yaml_rs (duplicate keys an
error), and puts back each float as the Decimal of its text, in document order. It does not note
the positions of the top two levels (today's fast reader does, for the spec stage's headers) nor
whole Decimals, both of which a shipped path would also need.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402
from orderspec.load import Limits, load_text
from orderspec.load.yaml_block import read_yaml_block  # noqa: E402
from orderspec.load.yaml_events import read_yaml_events as _read_yaml  # noqa: E402

PROBES = ("a: 0755", "a: 1_000", "a: yes", "a: on", "a: 1:30", "a: 100.00", "a: 1.", "a: -.5",
          "a: 1e3", "a: 0o17", "a: .inf", "a: 2024-08-25", "a: 1\na: 2", "1: x", "a:\tb",
          "a: 12345678901234567890123")

_RISKY = re.compile(r"[&*!\t{}\[\]|>%@`]|<<|\r")
_PLAIN_VALUE = re.compile(r'(?m)(?:^ *(?:- +)*(?:"[^"\\\n]*"|[A-Za-z_][\w.-]*):|^ *(?:- +)+) +'
                          r'([^"\'\n#][^\n#]*?) *(?:#.*)?$')
_YAML11_DIFFERS = re.compile(r"^(?:[-+]?0[0-7_]+|[-+]?[\d_]*_[\d_]*|[-+]?\d+(?::[0-5]?\d)+(?:\.\d*)?"
                             r"|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
                             r"|[-+]?\.?(?:inf|Inf|INF|nan|NaN|NAN)|[-+]?[\d.]+[eE].*|[-+]?\.\d.*|0o.*|-?0x.*)$")
_MONEY = re.compile(r"(?m)(?::|^\s*-)\s+[-+]?(\d[\d_]*)?\.\d")


def _readers() -> dict[str, Callable[[str], Any]]:
    readers: dict[str, Callable[[str], Any]] = {}
    try:
        import yaml_rs  # type: ignore[import-not-found]
        readers["yaml_rs"] = lambda text: yaml_rs.loads(text, parse_datetime=False)
    except ImportError:
        pass
    try:
        import ryaml  # type: ignore[import-not-found]
        readers["ryaml"] = ryaml.loads
    except ImportError:
        pass
    try:
        import fast_yaml  # type: ignore[import-not-found]
        readers["fast_yaml (fastyaml-rs)"] = fast_yaml.safe_load
    except ImportError:
        pass
    return readers


def _sketch(text: str) -> Any:
    import yaml_rs
    if _RISKY.search(text):
        return None
    values = _PLAIN_VALUE.findall(text)
    if any(_YAML11_DIFFERS.match(value) for value in values):
        return None
    try:
        tree = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except Exception:
        return None
    numbers = iter([value for value in values if value[:1] in "-+0123456789." and "." in value])

    def put_back(node: Any) -> None:
        for key, value in (node.items() if type(node) is dict else enumerate(node)):
            if type(node) is dict and type(key) is not str:
                raise LookupError  # today's reader keeps every key as text
            if type(value) is float:
                node[key] = Decimal(next(numbers))
            elif type(value) in (dict, list):
                put_back(value)

    try:
        put_back(tree)
    except (LookupError, StopIteration):
        return None
    return tree


def _per_file_ms(texts: list[str], contenders: dict[str, Callable[[str], Any]]) -> dict[str, float]:
    best = {name: float("inf") for name in contenders}
    for _ in range(5):
        for name, read in contenders.items():
            started = time.perf_counter()
            for text in texts:
                read(text)
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: seconds / len(texts) * 1000 for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    readers = _readers()
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), options.count, options.seed)
        texts = [path.read_text(encoding="utf-8") for path in sorted(Path(folder, "specs").rglob("*.yaml"))]
    print(f"{len(texts)} corpus specs; with a plain non-integer number: {sum(bool(_MONEY.search(t)) for t in texts)}")
    contenders: dict[str, Callable[[str], Any]] = {
        "libyaml's events (yaml_events)": lambda t: _read_yaml(t, "x", Limits()),
        "the line reader (yaml_block)": lambda t: read_yaml_block(t, "x", Limits()),
    }
    contenders.update(readers)
    if "yaml_rs" in readers:
        taken = [_sketch(text) for text in texts]
        same = sum(1 for text, tree in zip(texts, taken)
                   if tree is not None and [d.value for d in _read_yaml(text, "x", Limits()) or []] == [tree])
        print(f"sketch: takes {sum(tree is not None for tree in taken)}, same values as today: {same}")
        contenders["sketch: checks + yaml_rs + Decimals put back"] = _sketch
        contenders["  its text checks alone"] = lambda t: (_RISKY.search(t), [_YAML11_DIFFERS.match(v) for v in _PLAIN_VALUE.findall(t)])
    for name, ms in _per_file_ms(texts, contenders).items():
        print(f"{name:46s} {ms:.3f} ms per file")
    print()
    for probe in PROBES:
        loaded = load_text(probe, "probe.yaml")
        today = loaded.documents[0].value if loaded.documents else None
        today = f"{today!r} {' '.join(d.code for d in loaded.diagnostics)}".strip()
        row = [f"{probe!r:30}", f"today {today}"]
        for name, read in readers.items():
            try:
                row.append(f"{name.split()[0]} {read(probe)!r}")
            except Exception as error:
                row.append(f"{name.split()[0]} <{type(error).__name__}>")
        print(" | ".join(row))


if __name__ == "__main__":
    main()
