"""How fast template specs expand: lint of N copies of every example spec, in-process.

    python bench/bench_templates.py          # 20 copies of each example (~400 specs)
    python bench/bench_templates.py 100

Prints specs per second for template specs and for literal-body specs, to see what the
sandbox, the line map and the second YAML load cost (the copies share order numbers, so the
batch rule R003 reports errors; they do not matter here). Measured here, never asserted in tests.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from orderspec import pipeline  # noqa: E402


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as work:
        folders = {"template": Path(work) / "template", "literal": Path(work) / "literal"}
        for folder in folders.values():
            folder.mkdir()
            shutil.copy(REPO / "examples" / "catalog.yaml", folder)
        for spec in sorted((REPO / "examples").glob("*.order.yaml")):
            kind = "template" if "\nuse: " in spec.read_text(encoding="utf-8") else "literal"
            for n in range(copies):
                shutil.copy(spec, folders[kind] / f"{spec.stem.split('.')[0]}-{n}.order.yaml")
        for kind, folder in folders.items():
            started = time.perf_counter()
            result = pipeline.run([str(folder)], keep_requests=True)
            elapsed = time.perf_counter() - started
            count = len(result.requests)
            errors = sum(1 for d in result.diagnostics if d.severity.value == "error")
            print(f"{kind:9} {count:6} specs  {elapsed:7.2f} s  {count / elapsed:8.0f} specs/s  errors={errors}")


if __name__ == "__main__":
    main()
