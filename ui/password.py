"""The editor-password check of the 数据 page, slowed down after failures.

Each wrong password makes the next check wait longer: ``BASE_DELAY`` × 2^(failures − 1) seconds,
at most ``MAX_DELAY``. Failures are counted per process (every session of this app together, so
opening new sessions does not reset them) and forgotten after ``FORGET_AFTER`` seconds without a
failure or after a correct password. The comparison is constant-time.

>>> gate = Gate(sleep=lambda s: None)
>>> [gate.check("x", "secret") for _ in range(3)], gate.delay()
([False, False, False], 2.0)
>>> gate.check("secret", "secret"), gate.delay()
(True, 0.0)
"""
from __future__ import annotations

import hmac
import threading
import time

BASE_DELAY = 0.5
MAX_DELAY = 30.0
FORGET_AFTER = 15 * 60


class Gate:
    """Counts failed attempts and sleeps before checking once there have been some."""

    def __init__(self, sleep=time.sleep, clock=time.monotonic):
        self.sleep, self.clock = sleep, clock
        self.failures, self.last = 0, 0.0
        self.lock = threading.Lock()

    def delay(self) -> float:
        """Seconds the next check waits."""
        with self.lock:
            if self.failures and self.clock() - self.last > FORGET_AFTER:
                self.failures = 0
            return 0.0 if not self.failures else min(MAX_DELAY, BASE_DELAY * 2 ** (self.failures - 1))

    def check(self, given: str, expected: str) -> bool:
        """Is ``given`` the password? Waits :meth:`delay` first; counts a failure."""
        wait = self.delay()
        if wait:
            self.sleep(wait)
        ok = bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
        with self.lock:
            if ok:
                self.failures = 0
            else:
                self.failures, self.last = self.failures + 1, self.clock()
        return ok


GATE = Gate()
