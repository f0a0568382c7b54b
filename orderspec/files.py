"""Writing output files so that a reader sees the old content or the new, never a part of it.

Every output orderspec writes (rendered requests, lint reports, the editor schema, diff reports)
goes through `write_atomically`: a crash or a full disk leaves the previous file untouched and no
temporary file behind.
"""

from __future__ import annotations

import os
import tempfile


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomically(path: str, content: bytes | str) -> None:
    """Write the whole file or nothing: a temporary file beside it, then os.replace.

    Text is written as UTF-8 with "\\n" line ends on every platform, so outputs are byte-identical
    across machines."""
    directory = os.path.dirname(os.path.abspath(path))
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=".orderspec-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private; outputs get the mode any other new file would get.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
