"""orderspec.files: the one atomic writer every output goes through."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from orderspec.files import write_atomically


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    for content in (b"new\n", "new\n"):
        with pytest.raises(OSError):
            write_atomically(str(target), content)
        assert target.read_bytes() == b"old\n"
        assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_text_is_utf8_with_newlines_as_given_and_bytes_verbatim(tmp_path: Path) -> None:
    text_file, bytes_file = tmp_path / "a.md", tmp_path / "b.json"
    write_atomically(str(text_file), "prix: 19,99 €\nline two\n")
    write_atomically(str(bytes_file), b"\x00\r\n")
    assert text_file.read_bytes() == "prix: 19,99 €\nline two\n".encode("utf-8")
    assert bytes_file.read_bytes() == b"\x00\r\n"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_outputs_get_the_usual_mode_not_the_private_temporary_one(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomically(str(tmp_path / "out.json"), b"{}\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o644


def test_a_relative_path_is_written_in_the_working_directory(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomically("plain.txt", "x")
    assert (tmp_path / "plain.txt").read_text(encoding="utf-8") == "x"
