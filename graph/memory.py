"""Freed memory handed back to the system, for the long steps of a national load (its peak RSS).

>>> trim()      # glibc: malloc_trim; elsewhere nothing
"""
from __future__ import annotations

import ctypes


def trim() -> None:
    """Give the C heap's free memory back to the system (glibc's malloc_trim; elsewhere nothing:
    no such function on macOS or musl, no ``CDLL(None)`` on Windows)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):
        pass
