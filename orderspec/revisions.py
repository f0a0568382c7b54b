"""Specs as they are at a git revision, for `orderspec diff --git`: the revision checked (with
what to do when git does not know it) and the files below the given paths written out.
"""

from __future__ import annotations

import os
import subprocess

from orderspec.load import Limits

# Files taken from a git revision: specs and what they read (catalog, values files, templates).
EXPORTED_SUFFIXES = (".yaml", ".yml", ".json", ".j2")


class RevisionError(Exception):
    """git cannot give what is asked: not a repository, an unknown revision, git failing."""


def git(args: list[str], cwd: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise RevisionError(f"git {' '.join(args)}: {problem}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def check_revision(revision: str, cwd: str) -> None:
    """A RevisionError that says what to do when `revision` names no commit (git's own words on a
    failed `rev-parse --verify --quiet` are nothing: a command line and an exit status)."""
    try:
        git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], cwd)
        return
    except RevisionError:
        pass
    hints = []
    remote, slash, branch = revision.partition("/")
    if slash and branch and remote in git(["remote"], cwd).decode().split():
        hints.append(f"if the branch exists on {remote}, fetch it first: `git fetch {remote} {branch}`")
    if git(["rev-parse", "--is-shallow-repository"], cwd).strip() == b"true":
        hints.append("this clone is shallow: `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout) "
                     "brings the history")
    hints.append("`git branch -a`, `git tag` and `git log --oneline` list the names there are")
    raise RevisionError(f"unknown revision '{revision}': no commit of this repository has that name; "
                        + "; ".join(hints))


def repository_root(cwd: str) -> str:
    try:
        return git(["rev-parse", "--show-toplevel"], cwd).decode().strip()
    except RevisionError:
        raise RevisionError(f"--git compares revisions of a git repository, and {cwd} is not in one: run "
                            "orderspec diff inside the repository (or compare two files or directories)") from None


def export_revision(revision: str, paths: list[str], destination: str, limits: Limits = Limits()) -> list[str]:
    """Write the files below `paths` (relative to the working directory) as they are at `revision`
    into `destination`, keeping their paths relative to the repository root. Returns the paths
    to read there."""
    cwd = os.getcwd()
    prefix = git(["rev-parse", "--show-prefix"], cwd).decode().strip()
    check_revision(revision, cwd)
    in_repo = [os.path.normpath(os.path.join(prefix, p)).replace(os.sep, "/") for p in paths]
    in_repo = ["." if p in ("", ".") else p for p in in_repo]
    listing = git(["ls-tree", "-r", "-z", "--full-tree", "-l", revision, "--", *in_repo], cwd)
    wanted: list[tuple[str, str, int]] = []  # (path in the repository, blob id, size)
    for entry in filter(None, listing.decode("utf-8", "surrogateescape").split("\0")):
        info, _, name = entry.partition("\t")
        mode, kind, blob, size = (info.split() + ["", "", "", ""])[:4]
        if kind != "blob" or mode == "120000" or not name.endswith(EXPORTED_SUFFIXES):
            continue  # only specs and what they read (catalog, values, templates); no links
        if not size.isdigit() or int(size) > limits.max_file_bytes:
            continue  # the loader would refuse it anyway; do not hold it in memory
        if name.startswith("/") or ".." in name.split("/"):
            continue  # git never lists such paths; refuse them anyway before writing
        wanted.append((name, blob, int(size)))
    # One git for every file, by blob id: each answer is `<id> blob <size>\n<bytes>\n`.
    contents = git(["cat-file", "--batch"], cwd, "".join(f"{blob}\n" for _, blob, _ in wanted).encode()) \
        if wanted else b""
    position = 0
    for name, _, length in wanted:
        start = contents.index(b"\n", position) + 1
        target = os.path.join(destination, *name.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(contents[start:start + length])
        position = start + length + 1
    return [os.path.join(destination, *p.split("/")) if p != "." else destination for p in in_repo]
