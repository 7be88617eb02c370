"""The column-wise paths of the 总览 and the regional comparison equal their chain-by-chain and
child-by-child paths: graph.analysis.overview_batch (every chain at once) against
overview_counts.per_chain, graph.analysis.compare_cells (every child region at once) against
compare._per_child — on the Shanxi seed (products shared by chains, subclasses, 飞地 parks,
makers of unknown location) and on a synthetic national store, under several options."""
from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_overview_counts import CENTRAL, LOOSE, STRICT, seed_store, synth_store  # noqa: E402,F401

from graph.analysis import compare, overview_batch, overview_counts  # noqa: E402
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS  # noqa: E402


def assert_same_summaries(store, place, thresholds=DEFAULT_THRESHOLDS, priority=DEFAULT_PRIORITY,
                          enclave=True, count_subclasses=True) -> int:
    chains = store.table("chains")["chain_id"].astype(str).tolist()
    args = (store, chains, place, thresholds, enclave, priority, count_subclasses)
    slow = overview_counts.per_chain(*args)
    keep = overview_counts.per_chain
    overview_counts.per_chain = None    # (the column-wise path answers: no fallback)
    try:
        fast = overview_counts.chain_summaries(*args)
    finally:
        overview_counts.per_chain = keep
    assert list(fast) == list(slow) == chains
    gaps = 0
    for c in chains:
        assert fast[c].summary.keys() == slow[c].summary.keys()
        for k, v in slow[c].summary.items():
            got = fast[c].summary[k]
            assert (got == v or (v != v and got != got)) and type(got) is type(v), (c, k, got, v)
        cols = ["product_id", "stage", "key_link", "local_makers", "status", "broken", "grade"]
        pd.testing.assert_frame_equal(fast[c].links[cols], slow[c].links[cols], check_dtype=False)
        gaps += int(slow[c].links["status"].isin(["missing", "weak"]).sum())
    return gaps


@pytest.mark.parametrize("place", ["140000", "140800", "140100", "PK-ZGQ"])
def test_overview_batch_equals_per_chain_on_the_seed(seed_store, place):
    assert assert_same_summaries(seed_store, place) > 0
    assert_same_summaries(seed_store, place, STRICT, CENTRAL, enclave=False)
    assert_same_summaries(seed_store, place, LOOSE, count_subclasses=False)


def test_overview_batch_equals_per_chain_on_synthetic_data(synth_store):
    regions = synth_store.table("regions")
    places = regions.loc[regions["level"] == "province", "code"].astype(str).tolist()[:2] + \
        regions.loc[regions["level"] == "city", "code"].astype(str).tolist()[:2]
    assert sum(assert_same_summaries(synth_store, p) for p in places) > 0
    assert_same_summaries(synth_store, places[0], STRICT, CENTRAL)


def test_the_chains_fixed_inputs_are_shared_and_cover_every_link(seed_store):
    chains = seed_store.table("chains")["chain_id"].astype(str).tolist()
    fx = overview_batch.fixed_inputs(seed_store, chains)
    assert overview_batch.fixed_inputs(seed_store, chains) is fx     # kept until the data changes
    assert len(fx.pid) == fx.start[-1] and len(set(zip(fx.chain.tolist(), fx.pid.tolist()))) == len(fx.pid)
    shared = pd.Series(fx.m_prod).value_counts()
    assert (shared > 1).any()          # the seed has products counted in more than one chain
    assert set(fx.products) >= set(fx.pid.tolist())


def test_a_maker_without_id_takes_the_per_chain_path(seed_store):
    chains = seed_store.table("chains")["chain_id"].astype(str).tolist()
    fx = overview_batch.fixed_inputs(seed_store, chains)
    local = seed_store.makers(fx.products, None, side="all")
    assert overview_batch.batch_links(fx, local, local.iloc[:0]) is not None
    local.loc[local.index[0], "enterprise_id"] = None
    assert overview_batch.batch_links(fx, local, local.iloc[:0]) is None


def assert_same_comparison(store, chain, place, enclave, thresholds=DEFAULT_THRESHOLDS, monkeypatch=None):
    answers = []
    with monkeypatch.context() as mp:
        mp.setattr(compare.compare_cells, "child_links",
                   lambda *a, f=compare.compare_cells.child_links: answers.append(f(*a)) or answers[-1])
        fast = compare.compare_regions(store, chain, place, thresholds, enclave)
    assert answers and answers[0] is not None     # (the column-wise path answered)
    with monkeypatch.context() as mp:
        mp.setattr(compare.compare_cells, "child_links", lambda *a, **k: None)
        slow = compare.compare_regions(store, chain, place, thresholds, enclave)
    assert fast.notes == slow.notes and fast.level == slow.level
    for part in ("coverage", "cells", "matrix"):
        pd.testing.assert_frame_equal(getattr(fast, part), getattr(slow, part), check_dtype=False,
                                      check_index_type=False, check_column_type=False)
        assert getattr(fast, part).to_csv(index=False) == getattr(slow, part).to_csv(index=False)
    return len(slow.cells)


@pytest.mark.parametrize("place", ["140000", "140800", "140100"])
def test_compare_cells_equal_child_by_child_on_the_seed(seed_store, place, monkeypatch):
    chains = seed_store.table("chains")["chain_id"].astype(str).tolist()
    for chain in chains:
        for enclave in (True, False):
            assert_same_comparison(seed_store, chain, place, enclave, monkeypatch=monkeypatch)
    assert assert_same_comparison(seed_store, chains[0], place, True, STRICT, monkeypatch) > 0


def test_compare_cells_equal_child_by_child_on_synthetic_data(synth_store, monkeypatch):
    regions = synth_store.table("regions")
    province = regions.loc[regions["level"] == "province", "code"].astype(str).tolist()[0]
    for chain in synth_store.table("chains")["chain_id"].astype(str).tolist():
        assert assert_same_comparison(synth_store, chain, province, True, monkeypatch=monkeypatch) > 0


@pytest.mark.parametrize("module", ["graph.analysis.overview_batch", "graph.analysis.compare_cells",
                                    "graph.analysis.gap_summary"])
def test_doc_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0, result


def test_ranges():
    assert overview_batch._ranges(np.array([3, 0, 9]), np.array([2, 0, 1])).tolist() == [3, 4, 9]
    assert overview_batch._ranges(np.array([], dtype=int), np.array([], dtype=int)).tolist() == []


def test_one_row_per_link_and_maker_as_attach_links_keeps_it():
    from graph.analysis.gap_rules import attach_links
    local = pd.DataFrame({"enterprise_id": ["e2", "e1", "e1", "e2", "e3", "e1"],
                          "product_id": ["s1", "s1", "s2", "a", "s2", "a"],
                          "revenue_share": [0.4, 0.2, 0.7, np.nan, np.nan, 0.1]})
    pid = np.array(["a"], dtype=object)
    row, link = overview_batch._one_per_pair(np.arange(6), np.zeros(6, dtype=np.int64), local,
                                             local["enterprise_id"].to_numpy(object), pid)
    want = attach_links(local.assign(name=None, tags=None, scale=None), {"a": "a", "s1": "a", "s2": "a"})
    assert local["enterprise_id"].to_numpy()[row].tolist() == want["enterprise_id"].tolist() == ["e1", "e2", "e3"]
    # e1: its direct row; e2: its direct row (share unknown) over the subclass; e3: its only row
    assert local["product_id"].to_numpy()[row].tolist() == want["product_id"].tolist() == ["a", "a", "s2"]
    sorted_rows = overview_batch._one_per_pair(np.array([1, 0]), np.array([0, 0]), local.iloc[[3, 2]].reset_index(
        drop=True), np.array(["e2", "e1"], dtype=object), pid)[0]
    assert sorted_rows.tolist() == [1, 0]     # put in enterprise order
