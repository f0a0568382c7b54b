"""Ctrl-C that is never lost, whatever the main thread is about to wait on.

Python takes a SIGINT in two steps: the C-level handler only notes it, and KeyboardInterrupt is
raised when the interpreter next looks at its notes, between bytecodes or when a system call
fails with EINTR. A SIGINT that lands after the last look and before a blocking call starts
interrupts nothing: opening a spec that is a FIFO returns, the signal comes, the read begins and
waits for data that may never come; that Ctrl-C is lost until a second one.

So a watcher thread learns of each SIGINT from the wakeup file descriptor, which the C-level
handler writes the moment the signal arrives, and while the interpreter still owes the
KeyboardInterrupt it sends the main thread SIGURG, whose handler does nothing: the blocking call
fails with EINTR, and before retrying it (PEP 475) the interpreter raises the KeyboardInterrupt.
SIGURG because it is ignored by default and nothing here uses it (Go's runtime chose it for
the same reason): a nudge that arrives late, even after exit has begun, does no harm.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from types import FrameType

NUDGE: signal.Signals | None = getattr(signal, "SIGURG", None)  # not on Windows
# Python acts on a SIGINT within microseconds unless a blocking call started first.
NUDGE_AFTER_SECONDS = 0.05
# A nudge can itself land just before a blocking call; the next one then wakes it.
NUDGES = 40


class _Watcher:
    def __init__(self, wakeup: int, nudge: signal.Signals) -> None:
        self.wakeup, self.nudge = wakeup, nudge
        self.main = threading.get_ident()
        self.arrived = 0  # SIGINTs the C-level handler took (the watcher counts them)
        self.raised = 0  # SIGINTs the interpreter acted on (the handler counts them, in the main thread)

    def on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.raised += 1
        signal.default_int_handler(signum, frame)

    def watch(self) -> None:
        while True:
            # One byte per signal with a Python handler: SIGINTs, and the nudges themselves.
            self.arrived += os.read(self.wakeup, 256).count(signal.SIGINT)
            for _ in range(NUDGES):
                time.sleep(NUDGE_AFTER_SECONDS)
                if self.raised >= self.arrived:
                    break
                signal.pthread_kill(self.main, self.nudge)
            # Two SIGINTs close together may be acted on once: nothing more is owed.
            self.arrived = self.raised


def _do_nothing(signum: int, frame: FrameType | None) -> None:
    """A nudge only has to interrupt a system call; the SIGINT handler does the rest."""


def guard_ctrl_c() -> None:
    """Make every SIGINT raise KeyboardInterrupt in the main thread, even one that came just
    before a blocking call. For the command-line entry point, in the main thread; nothing is
    done where SIGINT is ignored (a background job) or handled by someone else."""
    if NUDGE is None or not hasattr(signal, "pthread_kill"):
        return  # no POSIX signals to nudge a thread with
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    if signal.getsignal(NUDGE) is not signal.SIG_DFL:
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # the C-level handler must never wait
    watcher = _Watcher(read_end, NUDGE)
    signal.signal(NUDGE, _do_nothing)
    signal.signal(signal.SIGINT, watcher.on_sigint)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    # The watcher starts with both signals blocked, so they always reach the main thread, the one
    # whose blocking call must be interrupted; one that comes meanwhile waits for the unblock.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, NUDGE})
    try:
        threading.Thread(target=watcher.watch, name="orderspec-ctrl-c", daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
