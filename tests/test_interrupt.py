"""orderspec.interrupt: a SIGINT the interpreter noted while the main thread was already blocked
in a system call still raises KeyboardInterrupt there (without the watcher it waits forever)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The C-level handler runs in a helper thread (pthread_kill to itself) once the main thread is
# inside its read: nothing interrupts that read, as nothing interrupts one that begins just after
# a SIGINT was noted, the race a Ctrl-C loses at the moment a FIFO spec's open returns.
LOST_CTRL_C = textwrap.dedent("""
    import os, signal, sys, threading, time
    from orderspec.interrupt import guard_ctrl_c

    if sys.argv[1] == "guarded":
        guard_ctrl_c()
    read_end, write_end = os.pipe()
    main = threading.get_native_id()

    def in_read() -> bool:
        try:
            with open(f"/proc/self/task/{main}/syscall") as call:
                return call.read().split()[1:2] == [hex(read_end)]
        except OSError:  # no /proc: give the main thread time to get there
            time.sleep(1)
            return True

    def ctrl_c() -> None:
        while not in_read():
            time.sleep(0.01)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    threading.Thread(target=ctrl_c, daemon=True).start()
    try:
        os.read(read_end, 1)
    except KeyboardInterrupt:
        print("interrupted")
""")


def _run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LOST_CTRL_C, mode], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX threads and signals")
def test_a_ctrl_c_noted_while_the_main_thread_is_blocked_still_interrupts_it() -> None:
    result = _run("guarded")
    assert (result.returncode, result.stdout, result.stderr) == (0, "interrupted\n", "")


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX threads and signals")
def test_without_the_guard_that_ctrl_c_is_lost() -> None:
    """What the watcher is for: the same script unguarded is still waiting when the time is up."""
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, "-c", LOST_CTRL_C, "bare"], capture_output=True, text=True,
                       timeout=3, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_nothing_is_guarded_where_sigint_is_ignored() -> None:
    """A background job (SIGINT ignored) stays deaf to Ctrl-C: no watcher, no handler."""
    script = textwrap.dedent("""
        import signal, threading
        from orderspec.interrupt import guard_ctrl_c
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        guard_ctrl_c()
        print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN,
              signal.getsignal(signal.SIGURG) is signal.SIG_DFL, threading.active_count())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.split() == ["True", "True", "1"], result.stderr
