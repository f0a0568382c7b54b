"""Inline suppression comments: `# orderspec: ignore[CODE,...]`."""

from __future__ import annotations

from pathlib import Path

from check_support import CREATE, codes, lint
from hypothesis import given, settings
from hypothesis import strategies as st

from orderspec import suppress
from orderspec.suppress import directives

BAD_NUMBER = CREATE.replace("orderNumber: O-2024-0001", "orderNumber: O/1")


def test_on_the_offending_line(tmp_path: Path) -> None:
    assert codes(lint(tmp_path, BAD_NUMBER)) == ["R002"]
    text = BAD_NUMBER.replace("orderNumber: O/1", "orderNumber: O/1  # orderspec: ignore[R002]")
    assert codes(lint(tmp_path, text)) == []


def test_on_the_line_above(tmp_path: Path) -> None:
    text = BAD_NUMBER.replace("  orderNumber: O/1", "  # orderspec: ignore[R002]\n  orderNumber: O/1")
    assert codes(lint(tmp_path, text)) == []


def test_only_the_named_codes(tmp_path: Path) -> None:
    text = BAD_NUMBER.replace("orderNumber: O/1", "orderNumber: O/1  # orderspec: ignore[R003, H002]")
    assert codes(lint(tmp_path, text)) == ["R002"]


def test_not_two_lines_down_nor_from_a_trailing_comment_above(tmp_path: Path) -> None:
    far = BAD_NUMBER.replace("  orderNumber: O/1", "  # orderspec: ignore[R002]\n  description: x\n  orderNumber: O/1")
    assert codes(lint(tmp_path, far)) == ["R002"]
    trailing = BAD_NUMBER.replace("  orderNumber: O/1",
                                  "  description: x  # orderspec: ignore[R002]\n  orderNumber: O/1")
    assert codes(lint(tmp_path, trailing)) == ["R002"]


def test_prefixes_and_several_codes(tmp_path: Path) -> None:
    text = BAD_NUMBER.replace("orderNumber: O/1", "orderNumber: O/1  # orderspec: ignore[h, R0]")
    assert codes(lint(tmp_path, text)) == []


def test_batch_diagnostics_are_suppressible(tmp_path: Path) -> None:
    from check_support import lint_paths, write

    first = write(tmp_path, "a.order.yaml", CREATE)
    second = write(tmp_path, "b.order.yaml", CREATE.replace(
        "orderNumber: O-2024-0001", "orderNumber: O-2024-0001  # orderspec: ignore[R003]"))
    assert lint_paths([first, second]) == []


def test_directive_parsing() -> None:
    text = "a: 1  # orderspec: ignore[R001]\n# orderspec:ignore[l001,L002]\nb: 2\n# orderspec: ignore\n"
    assert directives(text) == {1: ("R001",), 2: ("L001", "L002"), 3: ("L001", "L002")}


def _plain_directives(text: str) -> dict[int, tuple[str, ...]]:
    """The scan without the shortcut: the directive pattern on every line."""
    silenced: dict[int, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in suppress._DIRECTIVE.finditer(line):
            codes = [c.strip().upper() for c in match.group(1).split(",") if c.strip()]
            silenced.setdefault(number, []).extend(codes)
            if line.lstrip().startswith("#"):
                silenced.setdefault(number + 1, []).extend(codes)
    return {line: tuple(codes) for line, codes in silenced.items()}


_pieces = st.sampled_from(["# orderspec: ignore[R002]", "#orderspec:ignore[ s001 , H ]", "orderspec", "ignore[",
                           "# orderspec: ignore[", "]", "\n", "\r\n", "\x0c", "\u2028", "  ", "a: 1", "# x"])


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=4)), max_size=12).map("".join))
def test_directives_are_those_of_a_scan_of_every_line(text: str) -> None:
    assert suppress.directives(text) == _plain_directives(text)
