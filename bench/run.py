"""orderspec's benchmarks: one run prints the ratios of issues 6 and 14 on this machine.

    python bench/run.py            # 10,000 files; a few minutes on 2 cores
    python bench/run.py --quick    # 500 files, to try things out

1. lint of N specs vs check-jsonschema on the same N bodies (JSON) with the same schema file
   (schemas/create-order.json)                                  target: orderspec >= 10x faster
   1b. the same, orderspec linting those very JSON bodies (--operation create)
2. lint vs the floor: a bare libyaml parse (yaml.load with CSafeLoader) of the same spec files
                                                                target: <= 2.5x the floor
3. lint of one file vs check-jsonschema on one file (wall time, start-up included)
                                                                target: <= 0.5x
   and vs `python -c "import yaml, jsonschema"` (issue 14)     target: <= 1.5x
4. peak memory (max RSS) of lint at N/10 and N files            target: flat

Every figure is the wall time of a fresh process (the way CI runs them), the fastest of 9
runs taken in turns for the one-file case. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemas" / "create-order.json"

FLOOR = """
import sys, yaml
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""

# Runs a command and prints the largest max RSS among it and its descendants (KiB on Linux).
PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last run of each label


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], *, ok: tuple[int, ...] = (0, 1), label: str = "") -> float:
    """Wall time of a fresh process; its CPU time (all its processes) goes to CPU[label]."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    CPU[label] = _children_cpu() - cpu
    return elapsed


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def fastest_times(commands: list[list[str]], runs: int) -> list[float]:
    """The fastest of `runs` fresh processes of each command, taken in turns so that a change in
    the machine's load falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, found in zip(commands, times):
            found.append(timed(command))
    return [min(found) for found in times]


def peak_kib(command: list[str]) -> int:
    out = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True)
    status, peak = out.stdout.split()
    if int(status) not in (0, 1):
        raise SystemExit(f"{command[:3]} failed with {status}")
    return int(peak)


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"`{name}` is not installed (pip install -e '.[dev]')")
    # A pyenv shim is a shell script that runs `pyenv` first (~70 ms): time the tools themselves,
    # as the `python -c` figures do.
    beside = Path(sys.executable).parent / name
    if "shims" in Path(found).parts and beside.exists():
        return str(beside)
    return found


def precompile() -> str:
    """Write the bytecode of the orderspec package the tool imports, as pip does when it installs
    one. Run from a checkout under PYTHONDONTWRITEBYTECODE (as on this machine), every start would
    otherwise compile all of orderspec's modules (~60 ms), which no installed copy does."""
    import compileall

    where = subprocess.run([sys.executable, "-c", "import orderspec, os; print(os.path.dirname(orderspec.__file__))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    compileall.compile_dir(where, quiet=1)
    return where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500 files instead of 10,000")
    parser.add_argument("--count", type=int, help="number of files (overrides --quick)")
    parser.add_argument("--keep", type=Path, help="generate the corpus here and keep it")
    args = parser.parse_args()
    count = args.count or (500 if args.quick else 10_000)
    small = max(1, count // 10)
    orderspec, check_jsonschema = tool("orderspec"), tool("check-jsonschema")
    package = precompile()

    work = args.keep or Path(tempfile.mkdtemp(prefix="orderspec-bench-"))
    try:
        started = time.perf_counter()
        specs, bodies = generate(work / "all", count)
        generate(work / "small", small)
        print(f"corpus: {count} specs ({sum(p.stat().st_size for p in specs) // 1024} KiB) and "
              f"{count} JSON bodies in {time.perf_counter() - started:.1f}s")
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        print(f"machine: {platform.machine()}, {jobs} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
        print(f"orderspec: {package} (bytecode written first, as an installed copy has it)")
        print()

        lint = [orderspec, "lint", "--format", "json"]
        # -- 1. vs check-jsonschema on N bodies ---------------------------------------------------
        print(f"load average before: {load_average()} (other processes on the machine skew wall times; "
              "CPU seconds are given in brackets)")
        t_lint = timed([*lint, str(work / "all" / "specs")], label="lint")
        t_lint1 = timed([*lint, "--jobs", "1", str(work / "all" / "specs")], label="lint1")
        t_cjs = timed([check_jsonschema, "--schemafile", str(SCHEMA), *map(str, bodies)], label="cjs")
        print(f"1. {count} files: orderspec lint {t_lint:.2f}s [{CPU['lint']:.1f}] ({jobs} jobs), "
              f"{t_lint1:.2f}s [{CPU['lint1']:.1f}] (--jobs 1); check-jsonschema {t_cjs:.2f}s [{CPU['cjs']:.1f}]")
        print(f"   check-jsonschema / orderspec = {t_cjs / t_lint:.2f}x faster "
              f"({t_cjs / t_lint1:.2f}x with --jobs 1)   target >= 10x")
        # The same JSON files check-jsonschema reads, as bare create-order bodies.
        lint_bodies = [*lint, "--operation", "create", "--include", "*.json", str(work / "all" / "bodies")]
        t_json = timed(lint_bodies, label="json")
        t_json1 = timed([*lint_bodies, "--jobs", "1"], label="json1")
        print(f"1b. the same {count} JSON bodies: orderspec lint --operation create {t_json:.2f}s [{CPU['json']:.1f}] "
              f"({jobs} jobs), {t_json1:.2f}s [{CPU['json1']:.1f}] (--jobs 1)")
        print(f"   check-jsonschema / orderspec = {t_cjs / t_json:.2f}x faster "
              f"({t_cjs / t_json1:.2f}x with --jobs 1)   target >= 10x")

        # -- 2. vs the floor ----------------------------------------------------------------------
        t_floor = timed([sys.executable, "-c", FLOOR, *map(str, specs)], ok=(0,), label="floor")
        print(f"2. floor (yaml.load CSafeLoader, one process) {t_floor:.2f}s [{CPU['floor']:.1f}]")
        print(f"   orderspec / floor = {t_lint / t_floor:.2f}x ({jobs} jobs), "
              f"{t_lint1 / t_floor:.2f}x (--jobs 1, same cores as the floor)   target <= 2.5x")

        # -- 3. one file --------------------------------------------------------------------------
        one_spec, one_body = str(specs[1]), str(bodies[1])
        t_one, t_one_cjs, t_python, t_parsers = fastest_times([
            [*lint, one_spec], [check_jsonschema, "--schemafile", str(SCHEMA), one_body],
            [sys.executable, "-c", "pass"], [sys.executable, "-c", "import yaml, jsonschema"]], 9)
        print(f"3. one file: orderspec {t_one * 1000:.0f} ms, check-jsonschema {t_one_cjs * 1000:.0f} ms, "
              f"`python -c \"import yaml, jsonschema\"` {t_parsers * 1000:.0f} ms "
              f"(bare `python -c pass`: {t_python * 1000:.0f} ms)")
        print(f"   orderspec / check-jsonschema = {t_one / t_one_cjs:.2f}x   target <= 0.5x")
        print(f"   orderspec / importing yaml and jsonschema = {t_one / t_parsers:.2f}x   target <= 1.5x")

        # -- 4. memory ----------------------------------------------------------------------------
        m_small = peak_kib([*lint, str(work / "small" / "specs")])
        m_all = peak_kib([*lint, str(work / "all" / "specs")])
        m_small1 = peak_kib([*lint, "--jobs", "1", str(work / "small" / "specs")])
        m_all1 = peak_kib([*lint, "--jobs", "1", str(work / "all" / "specs")])
        print(f"4. peak RSS at {small} / {count} files: {m_small / 1024:.0f} / {m_all / 1024:.0f} MiB "
              f"({jobs} jobs), {m_small1 / 1024:.0f} / {m_all1 / 1024:.0f} MiB (--jobs 1)")
        print(f"   growth {m_all / m_small:.2f}x ({jobs} jobs), {m_all1 / m_small1:.2f}x (--jobs 1)   "
              "target: flat (~1x)")
        print(f"\nload average after: {load_average()}; total bench time {time.perf_counter() - started:.0f}s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if not hasattr(resource, "getrusage"):
        raise SystemExit("bench/run.py needs a POSIX system")
    main()
