"""Where the worker pool starts to pay: lint of N corpus specs in one process and with the pool.

    python bench/pool_threshold.py [--sizes 16,32,64,100,128,192,256] [--runs 5] [--json]

Each figure is the fastest of --runs fresh processes (wall time; CPU time of all processes in
brackets), the pool forced on or off whatever pipeline.MIN_PARALLEL_FILES says. The threshold is
the size from which the pool is faster on wall time: only meaningful on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

LINT = """
import sys
from orderspec import cli, pipeline
pipeline.MIN_PARALLEL_FILES = 0
try:
    cli.cli.main(["lint", "--format", "json", *sys.argv[1:]], prog_name="orderspec")
except SystemExit:
    pass
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fastest(folder: Path, jobs: int, runs: int, options: list[str]) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", LINT, "--jobs", str(jobs), *options, str(folder)],
                       stdout=subprocess.DEVNULL, check=False)
        best = min(best, (time.perf_counter() - start, _cpu() - cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="16,32,64,100,128,192,256")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="the same bodies as bare JSON files")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="orderspec-pool-") as work:
        specs, bodies = generate(Path(work) / "all", max(sizes))
        files = bodies if args.json else specs
        options = ["--operation", "create", "--include", "*.json"] if args.json else []
        for size in sizes:
            folder = Path(work) / f"n{size}"
            folder.mkdir()
            for file in files[:size]:
                (folder / file.name).write_bytes(file.read_bytes())
            (one, one_cpu), (pool, pool_cpu) = (fastest(folder, jobs, args.runs, options) for jobs in (1, 2))
            print(f"{size:5d} files: one process {one * 1000:5.0f} ms [{one_cpu * 1000:.0f}], "
                  f"2 workers {pool * 1000:5.0f} ms [{pool_cpu * 1000:.0f}]: pool / one = {pool / one:.2f}", flush=True)


if __name__ == "__main__":
    main()
