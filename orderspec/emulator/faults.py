"""Faults the emulator injects into requests, by chance or by script, for rehearsing failures."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

# Faults that can be injected into a POST to an orders endpoint:
#   500, 503      the server fails before doing anything (not stored under the key)
#   429           rate limited (with Retry-After)
#   timeout       the order is processed, the answer is held `slow_delay` seconds (past the client's timeout)
#   drop-before   the connection is closed before anything is done
#   drop-after    the order is processed and stored, then the connection is closed without an answer
#   lock          the API answers "lock contention" (category 50); nothing is created
#   garbled       the order is processed and stored, and the answer's body is not JSON (cut short,
#                 as a proxy or a broken connection leaves it); the key keeps the real answer
FAULT_KINDS = ("500", "503", "429", "timeout", "drop-before", "drop-after", "lock", "garbled")
GET_FAULT_KINDS = ("500", "503", "429", "drop-before")  # the ones that make sense for a job poll


@dataclass
class Faults:
    rate: float = 0.0  # chance that a request gets a random fault from `kinds`
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int | None = None
    # Faults for the next requests, used first and in order ("none" for a clean one); tests script
    # exact scenarios with this.
    script: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = [k for k in (*self.kinds, *self.script) if k not in FAULT_KINDS and k != "none"]
        if unknown:
            raise ValueError(f"unknown fault kind(s): {', '.join(unknown)}; known: {', '.join(FAULT_KINDS)}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def next(self, allowed: tuple[str, ...] = FAULT_KINDS) -> str | None:
        with self._lock:
            if self.script:
                fault = self.script.pop(0)
                return None if fault == "none" else fault
            kinds = [k for k in self.kinds if k in allowed]
            if kinds and self.rate > 0 and self._rng.random() < self.rate:
                return self._rng.choice(kinds)
            return None

    @classmethod
    def parse(cls, text: str, seed: int | None = None) -> "Faults":
        """`rate=0.2,kinds=500+timeout` or a script `500,timeout,none` (from the command line)."""
        settings = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        script = [part for part in text.split(",") if part and "=" not in part]
        kinds = tuple(settings["kinds"].split("+")) if "kinds" in settings else FAULT_KINDS
        return cls(rate=float(settings.get("rate", 0)), kinds=kinds, seed=seed, script=script)
