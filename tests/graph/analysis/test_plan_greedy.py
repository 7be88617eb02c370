"""The plan objective and its lazy greedy against brute force on small instances."""
from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from graph.analysis.plan_greedy import Instance, greedy, objective


def make(weights, makes, key=None, chain=None, values=None, missing=None) -> Instance:
    """makes: per candidate, the gaps it makes (values: per candidate, their values)."""
    offsets, gap, value = [0], [], []
    for c, gs in enumerate(makes):
        order = sorted(range(len(gs)), key=lambda i: gs[i])
        gap += [gs[i] for i in order]
        value += [(values[c][i] if values else 1.0) for i in order]
        offsets.append(len(gap))
    n = len(weights)
    return Instance(weights=weights, key=key or [False] * n, chain=chain or [0] * n,
                    cand_ids=[f"E{c:02d}" for c in range(len(makes))], offsets=offsets, gap=gap, value=value,
                    missing=missing)


def brute(inst: Instance, k: int, second: float) -> float:
    n = len(inst.cand_ids)
    return max(objective(inst, s, second) for s in itertools.combinations(range(n), min(k, n)))


def random_instance(rng: random.Random, values: bool = False) -> Instance:
    g = rng.randint(2, 7)
    n = rng.randint(2, 8)
    weights = [round(rng.uniform(5, 100), 2) for _ in range(g)]
    makes = [rng.sample(range(g), rng.randint(1, min(3, g))) for _ in range(n)]
    vals = [[round(rng.uniform(0.2, 1.0), 2) for _ in m] for m in makes] if values else None
    return make(weights, makes, values=vals, key=[rng.random() < 0.3 for _ in range(g)],
                chain=[rng.randint(0, 2) for _ in range(g)])


def test_doc_example_and_gains_add_up():
    inst = make([10.0, 5.0], [[0, 1], [1]])
    picks = greedy(inst, 2, second=0.5)
    assert [p.cand for p in picks] == [0, 1]
    assert [p.gain for p in picks] == [15.0, 2.5]
    assert picks[0].closed == [0, 1] and picks[1].strengthened == [1]
    assert sum(p.gain for p in picks) == pytest.approx(objective(inst, [0, 1], 0.5))


@pytest.mark.parametrize("seed", range(40))
def test_greedy_optimal_where_provably_so(seed):
    rng = random.Random(seed)
    # (a) disjoint gaps, no second-maker value: the objective is modular -> greedy is optimal for every k
    g = rng.randint(3, 8)
    weights = [round(rng.uniform(1, 50), 1) for _ in range(g)]
    perm = rng.sample(range(g), g)
    cuts = sorted(rng.sample(range(1, g), rng.randint(1, g - 1)))
    makes = [perm[a:b] for a, b in zip([0] + cuts, cuts + [g])]
    inst = make(weights, makes)
    for k in range(1, len(makes) + 1):
        got = objective(inst, [p.cand for p in greedy(inst, k, second=0.0)], 0.0)
        assert got == pytest.approx(brute(inst, k, 0.0))
    # (b) k = 1: the best single enterprise, whatever the overlaps and values
    inst = random_instance(rng, values=True)
    assert objective(inst, [p.cand for p in greedy(inst, 1, second=0.3)], 0.3) == pytest.approx(brute(inst, 1, 0.3))


def test_greedy_within_1_minus_1_over_e_on_200_random_instances():
    bound = 1 - 1 / math.e
    worst = 1.0
    for seed in range(200):
        rng = random.Random(1000 + seed)
        inst = random_instance(rng, values=seed % 2 == 1)
        second = rng.choice([0.0, 0.3, 0.5, 1.0])
        k = rng.randint(1, 4)
        opt = brute(inst, k, second)
        got = objective(inst, [p.cand for p in greedy(inst, k, second=second)], second)
        assert got <= opt + 1e-9
        assert got >= bound * opt - 1e-9, (seed, got, opt)
        worst = min(worst, got / opt if opt else 1.0)
    assert worst >= bound


def test_objective_is_monotone_and_submodular():
    rng = random.Random(7)
    for _ in range(200):
        inst = random_instance(rng, values=True)
        n = len(inst.cand_ids)
        a = set(rng.sample(range(n), rng.randint(0, n - 1)))
        b = a | set(rng.sample(range(n), rng.randint(0, n)))
        x = rng.choice([c for c in range(n) if c not in b] or [None])
        if x is None:
            continue
        second = rng.choice([0.0, 0.3, 1.0])
        fa, fb = objective(inst, sorted(a), second), objective(inst, sorted(b), second)
        assert fb >= fa - 1e-9
        gain_a = objective(inst, sorted(a | {x}), second) - fa
        gain_b = objective(inst, sorted(b | {x}), second) - fb
        assert gain_a >= gain_b - 1e-9


def test_two_product_maker_beats_single_ones_and_diminishing_returns():
    # A makes X and Y; B makes X; C makes Y
    inst = make([30.0, 20.0], [[0, 1], [0], [1]])
    assert [p.cand for p in greedy(inst, 1, second=0.3)] == [0]
    # the second pick: B adds 0.3 * 30 to X, C 0.3 * 20 to Y
    picks = greedy(inst, 2, second=0.3)
    assert [p.cand for p in picks] == [0, 1] and picks[1].gain == pytest.approx(9.0)
    # second makers worth nothing: nothing more to gain after A
    assert [p.cand for p in greedy(inst, 3, second=0.0)] == [0]


def test_key_first_and_chain_cap_hold():
    for seed in range(100):
        rng = random.Random(seed)
        inst = random_instance(rng)
        k = rng.randint(1, 4)
        picks = greedy(inst, k, second=0.3, key_first=True)
        # while an unpicked key gap could still be closed, every pick closed one
        held: set = set()
        for p in picks:
            gaps = set(inst.items(p.cand)[0].tolist())
            open_keys = {g for g in range(len(inst.weights)) if inst.key[g] and g not in held}
            closable = {g for c in range(len(inst.cand_ids)) for g in inst.items(c)[0].tolist()} & open_keys
            if closable:
                assert gaps & open_keys, seed
            held |= gaps
        cap = rng.randint(1, 2)
        capped = greedy(inst, k, second=0.3, chain_cap=cap)
        per: dict = {}
        for p in capped:
            for ch in p.chains:
                per[ch] = per.get(ch, 0) + 1
        assert all(v <= cap for v in per.values()), seed
        assert len(capped) <= k


def test_zero_gain_never_picked_and_ties_by_index():
    inst = make([10.0, 10.0], [[0], [1], [0]])
    picks = greedy(inst, 5, second=0.0)
    assert [p.cand for p in picks] == [0, 1]
    assert np.isclose(sum(p.gain for p in picks), 20.0)
