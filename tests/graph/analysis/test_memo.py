"""Repeat diagnoses/rankings: copies of a memo keyed by the store's data generation and inputs; the
plain-dict chain graph gives networkx's exact centrality values."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import MAKES, world  # noqa: E402

from graph.analysis.chain_graph import ChainGraph, betweenness, degree  # noqa: E402
from graph.analysis.gaps import compute_diagnosis, diagnose  # noqa: E402
from graph.analysis.scope import RegionTree  # noqa: E402
from graph.analysis.targets import rank_targets  # noqa: E402


@pytest.fixture
def atlas(embedded_store):
    embedded_store.apply(world())
    return embedded_store


def _same(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_repeat_diagnosis_is_an_independent_copy_of_the_same_answer(atlas):
    first = diagnose(atlas, "C-NEV", "140800")
    first.links.loc[:, "status"] = "changed"   # a caller changing its report …
    first.summary["missing"] = -1
    again = diagnose(atlas, "C-NEV", "140800")
    fresh = compute_diagnosis(atlas, "C-NEV", "140800")
    assert again is not first and (again.links["status"] != "changed").all()   # … does not change the memo
    for name in ("links", "stages", "leaders", "makers", "unknown", "roles"):
        _same(getattr(again, name), getattr(fresh, name))
    assert again.summary == fresh.summary and again.notes == fresh.notes and again.data == fresh.data


def test_a_load_invalidates_the_memo(atlas):
    before = diagnose(atlas, "C-NEV", "140800")
    assert before.summary["missing"] > 0
    # every missing link gets two large local makers: the answer must change with the data
    missing = before.links.loc[before.links["status"] == "missing", "product_id"].tolist()
    extra = [(e, p, 0.5) for p in missing for e in ("E-CAR1", "E-CELL2")]
    atlas.apply(world(enterprise_products=[dict(enterprise=e, product=p, revenue_share=sh)
                                           for e, p, sh in MAKES + extra]))
    after = diagnose(atlas, "C-NEV", "140800")
    _same(after.links, compute_diagnosis(atlas, "C-NEV", "140800").links)
    assert set(after.links.loc[after.links["product_id"].isin(missing), "status"]) != {"missing"}


def test_rankings_follow_the_report_they_are_given(atlas):
    rep = diagnose(atlas, "C-NEV", "140800")
    one = rank_targets(atlas, rep, top=3)
    two = rank_targets(atlas, rep, top=3)
    assert two is not one
    _same(one, two)
    assert one.attrs == two.attrs
    # a report changed by the caller (another gap first) is ranked afresh, not from the memo
    changed = compute_diagnosis(atlas, "C-NEV", "140800")
    last = one["gap_product_id"].unique().tolist()[-1]
    assert one["gap_product_id"].iloc[0] != last
    changed.links.loc[changed.links["product_id"] == last, "priority"] = 1000.0
    moved = rank_targets(atlas, changed, top=3)
    assert moved["gap_product_id"].iloc[0] == last
    _same(moved, rank_targets(atlas, changed, top=3, tree=RegionTree.from_store(atlas)))  # (tree given: no memo)


@pytest.mark.parametrize("seed", range(40))
def test_centrality_is_networkx_exactly(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    g = nx.gnp_random_graph(n, rng.random() * 0.4, directed=True, seed=seed)
    g = nx.relabel_nodes(g, {i: f"P{rng.randint(0, 999)}-{i}" for i in g})
    cg = ChainGraph(g)
    if n > 2:
        assert list(betweenness(list(cg.nodes), cg.succ).items()) == list(nx.betweenness_centrality(g).items())
    if n > 1:
        assert list(degree(list(cg.nodes), cg.succ, cg.pred).items()) == list(nx.degree_centrality(g).items())
    assert [cg.upstream(v) for v in g] == [sorted(g.predecessors(v)) for v in g]
