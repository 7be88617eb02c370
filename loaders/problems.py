"""A bounded problem list: the first :attr:`ProblemList.cap` problems of each kind in each column
are kept, the rest only counted — so a file with millions of bad cells is reported in
milliseconds, in a few KB, and memory does not grow with the number of problems.

A kind is the message up to its first ``:`` or bracket (``重复的键 duplicate key: same as row 5``
and ``… row 9`` are one kind).

>>> from graph.errors import InputProblem
>>> pl = ProblemList(cap=2)
>>> for r in range(5):
...     pl.append(InputProblem("f.csv", "t", r, "c", "x", "不是数字 not a number", "fix"))
>>> len(pl), pl.omitted_counts()[0]["count"]
(2, 3)
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from graph.errors import InputProblem

_KIND_END = re.compile(r"[:：(（]")


def kind(message: str) -> str:
    """The kind of a problem message (its text before the first colon or bracket)."""
    return _KIND_END.split(message, 1)[0].strip()


class ProblemList(list):
    """A list of :class:`InputProblem` keeping the first ``cap`` per (file, sheet, column, kind)."""

    def __init__(self, cap: int = 20):
        super().__init__()
        self.cap = cap
        self.seen: Counter = Counter()
        self.skipped: dict[tuple, list] = {}       # key -> [count, first omitted message]

    @staticmethod
    def key(p: InputProblem) -> tuple:
        return p.file, p.sheet, p.column, kind(p.message)

    def append(self, p: InputProblem) -> None:
        k = self.key(p)
        self.seen[k] += 1
        if self.seen[k] <= self.cap:
            super().append(p)
        else:
            self.omit(k, 1, p.message)

    def extend(self, problems) -> None:
        for p in problems:
            self.append(p)

    def room(self, file: str, sheet: str, column, message: str) -> int:
        """How many more problems of this kind are kept."""
        return max(0, self.cap - self.seen[(file, sheet, column, kind(message))])

    def omit(self, key: tuple, count: int, message: str) -> None:
        if count <= 0:
            return
        if key not in self.skipped:
            self.skipped[key] = [0, message]
        self.skipped[key][0] += count

    def omitted_counts(self) -> list[dict]:
        """The problems counted but not kept, one dict per kind and column."""
        return [{"file": k[0], "sheet": k[1], "column": k[2], "message": message, "count": n}
                for k, (n, message) in self.skipped.items()]


def take(problems: list, file: str, sheet: str, column, message: str, rows: np.ndarray) -> np.ndarray:
    """The first ``rows`` that ``problems`` still has room for (all of them for a plain list); the
    rest are counted as omitted. Use before making one problem per row."""
    if not isinstance(problems, ProblemList) or len(rows) <= problems.cap:
        return rows
    room = problems.room(file, sheet, column, message)
    problems.omit((file, sheet, column, kind(message)), len(rows) - room, message)
    return rows[:room]
