"""The recruitment-plan objective and its greedy maximiser (pure numpy; no store, no pandas).

An *instance* is a set of gaps (missing/weak links of some chains, each with a weight: its priority)
and candidate enterprises, each making the products of some gaps with a value in (0, 1] (1 unless
the target score is mixed in). The value of a set S of picked enterprises is

    f(S) = Σ_gaps  weight(g) · Σ_i second^i · v_(i)(g, S)

where v_(0) ≥ v_(1) ≥ … are the values of the picked makers of g, best first: the first maker of a
gap brings its full weight, a second ``second`` times as much, a third ``second²``, … An enterprise
is one pick however many gaps (of however many chains) it serves.

f is monotone and submodular (for each gap, a non-negative combination of "sum of the best j values",
each the weighted rank of a uniform matroid), so the greedy plan — at each step the candidate with the
largest marginal gain — is within 1 − 1/e of the best plan of the same size (Nemhauser, Wolsey and
Fisher, 1978). Gains only shrink as picks are added, so a candidate's last gain is an upper bound:
*lazy* evaluation recomputes only the candidate on top of the heap (Minoux, 1978).

>>> inst = Instance(weights=[10.0, 5.0], key=[False, False], chain=[0, 0],
...                 cand_ids=["A", "B"], offsets=[0, 2, 3], gap=[0, 1, 1], value=[1.0, 1.0, 1.0])
>>> [p.cand for p in greedy(inst, k=2, second=0.5)]
[0, 1]
>>> round(objective(inst, [0, 1], second=0.5), 2)
17.5
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Instance:
    """Gaps 0..G-1 (weights, key flags, chain index); candidates 0..C-1 in CSR form: candidate c
    makes gaps ``gap[offsets[c]:offsets[c+1]]`` with values ``value[…]`` (sorted by gap)."""

    weights: np.ndarray
    key: np.ndarray
    chain: np.ndarray
    cand_ids: list  # (or an object array) enterprise ids, in candidate order
    offsets: np.ndarray
    gap: np.ndarray
    value: np.ndarray
    missing: np.ndarray | None = None   # per gap: a missing link (its first maker *closes* it); default all

    def __post_init__(self):
        self.weights = np.asarray(self.weights, dtype=float)
        self.key = np.asarray(self.key, dtype=bool)
        self.chain = np.asarray(self.chain, dtype=np.int64)
        self.offsets = np.asarray(self.offsets, dtype=np.int64)
        self.gap = np.asarray(self.gap, dtype=np.int64)
        self.value = np.asarray(self.value, dtype=float)
        self.missing = np.ones(len(self.weights), dtype=bool) if self.missing is None else \
            np.asarray(self.missing, dtype=bool)

    def items(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.offsets[c], self.offsets[c + 1]
        return self.gap[lo:hi], self.value[lo:hi]


@dataclass
class Pick:
    cand: int
    gain: float
    closed: list = field(default_factory=list)        # missing gaps this pick is the first maker of
    strengthened: list = field(default_factory=list)  # weak gaps, or gaps an earlier pick closed
    chains: list = field(default_factory=list)        # chain indexes it counts for
    first: list = field(default_factory=list)         # gaps no earlier pick served (closed or weak)


def _gain_one(held: list, v: float, second: float) -> float:
    """Marginal value of adding a maker of value v to a gap whose picked values are ``held``
    (sorted, best first), per unit of the gap's weight."""
    pos = 0
    while pos < len(held) and held[pos] >= v:
        pos += 1
    g = (second ** pos) * v
    # the makers after pos each move one place down
    for i in range(pos, len(held)):
        g -= (second ** i - second ** (i + 1)) * held[i]
    return g


def _gain(inst: Instance, c: int, held: dict, second: float, active) -> float:
    gaps, vals = inst.items(c)
    total = 0.0
    for g, v in zip(gaps.tolist(), vals.tolist()):
        if active is not None and not active(g):
            continue
        h = held.get(g)
        total += float(inst.weights[g]) * (v if not h else _gain_one(h, v, second))
    return total


def objective(inst: Instance, picks, second: float) -> float:
    """f(S) of the module doc (what the tests compare plans by)."""
    held: dict = {}
    for c in picks:
        for g, v in zip(*inst.items(int(c))):
            held.setdefault(int(g), []).append(float(v))
    total = 0.0
    for g, vals in held.items():
        vals.sort(reverse=True)
        total += float(inst.weights[g]) * sum((second ** i) * v for i, v in enumerate(vals))
    return total


def greedy(inst: Instance, k: int, second: float = 0.3, key_first: bool = False,
           chain_cap: int | None = None) -> list[Pick]:
    """Up to ``k`` picks, each with its marginal gain (lazy greedy; ties: the smaller candidate index,
    so callers order candidates by id for reproducible plans).

    key_first: while a key gap nobody picked yet can still be closed, only candidates closing one
    are eligible. chain_cap: at most this many picks count for one chain — once a chain has them,
    its gaps bring nothing more (a pick counts for the chains whose gaps it brings value to).
    Picks with zero gain are never made."""
    n = len(inst.cand_ids)
    held: dict[int, list] = {}
    per_chain: dict[int, int] = {}
    chosen = np.zeros(n, dtype=bool)
    active = None
    if chain_cap is not None:
        def active(g: int) -> bool:  # noqa: E306
            return per_chain.get(int(inst.chain[g]), 0) < chain_cap
    bounds = np.zeros(n)
    if n:
        sizes = np.diff(inst.offsets)
        owner = np.repeat(np.arange(n), sizes)
        bounds = np.bincount(owner, weights=inst.weights[inst.gap] * inst.value, minlength=n)
    picks: list[Pick] = []

    def closes_key(c: int) -> bool:
        gaps, _ = inst.items(c)
        return any(inst.key[g] and not held.get(int(g)) and (active is None or active(int(g)))
                   for g in gaps.tolist())

    phases = []
    if key_first:
        phases.append(np.flatnonzero(np.array([inst.key[inst.items(c)[0]].any() for c in range(n)], dtype=bool)))
    phases.append(np.arange(n))
    for i, members in enumerate(phases):
        eligible = closes_key if (key_first and i == 0) else None
        _lazy(inst, members, bounds, held, per_chain, chosen, picks, k, second, active, eligible)
        if len(picks) >= k:
            break
    return picks


def _lazy(inst, members, bounds, held, per_chain, chosen, picks, k, second, active, eligible) -> None:
    members = members[~chosen[members]]
    order = members[np.lexsort((members, -bounds[members]))]  # best bound first, then index
    heap: list = []
    nxt = 0
    while len(picks) < k:
        # load candidates whose (static) bound could still beat the heap's top
        while nxt < len(order) and (not heap or -heap[0][0] <= bounds[order[nxt]]):
            c = int(order[nxt])
            heapq.heappush(heap, (-float(bounds[c]), c, -1))
            nxt += 1
        if not heap:
            return
        neg, c, stamp = heapq.heappop(heap)
        if eligible is not None and not eligible(c):
            continue
        if stamp != len(picks):  # stale: recompute and put back
            g = _gain(inst, c, held, second, active)
            if g > 1e-12:
                heapq.heappush(heap, (-g, c, len(picks)))
            continue
        if -neg <= 1e-12:
            return
        picks.append(_take(inst, c, -neg, held, per_chain, second, active))
        chosen[c] = True


def _take(inst: Instance, c: int, gain: float, held: dict, per_chain: dict, second: float, active) -> Pick:
    gaps, vals = inst.items(c)
    p = Pick(cand=c, gain=gain)
    chains = set()
    for g, v in zip(gaps.tolist(), vals.tolist()):
        if active is not None and not active(g):
            continue
        h = held.setdefault(g, [])
        (p.closed if not h and inst.missing[g] else p.strengthened).append(g)
        if not h:
            p.first.append(g)
        h.append(v)
        h.sort(reverse=True)
        chains.add(int(inst.chain[g]))
    for ch in chains:
        per_chain[ch] = per_chain.get(ch, 0) + 1
    p.chains = sorted(chains)
    return p
