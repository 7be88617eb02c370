"""graph.analysis.plan_gaps: what a plan reads of each chain equals the full diagnosis, chain by chain,
and a plan made from it equals the plan optimised over the full diagnoses.

Checked on the hand-made worlds (makers of unknown location), the Shanxi seed (a park, a province) and
a synthetic national data set, under several thresholds and priority weights."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import honest_world, world  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_overview_counts import seed_store  # noqa: E402,F401  (the loaded Shanxi seed, module-scoped)

from graph.analysis.gaps import diagnose  # noqa: E402
from graph.analysis.plan import optimise, plan  # noqa: E402
from graph.analysis.plan_gaps import COLUMNS, chain_gaps  # noqa: E402
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, Thresholds  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from loaders import synth  # noqa: E402
from loaders.workbook import load_path  # noqa: E402

STRICT = Thresholds(min_makers=6, min_large=3, min_revenue_share=0.8)
CENTRAL = DEFAULT_PRIORITY.with_(centrality=40.0, urgent_at=50.0, important_at=30.0, key_link=35.0)


def assert_equal_to_diagnose(store, place: str, thresholds=DEFAULT_THRESHOLDS, priority=DEFAULT_PRIORITY,
                             enclave: bool = True, subclasses: bool = True) -> int:
    chains = store.table("chains")["chain_id"].astype(str).tolist()
    lean = chain_gaps(store, chains, place, thresholds=thresholds, enclave_attribution=enclave, priority=priority,
                      count_subclasses=subclasses)
    assert [g.chain["chain_id"] for g in lean] == chains
    gaps = 0
    reports = []
    for c, mine in zip(chains, lean):
        rep = diagnose(store, c, place, thresholds=thresholds, enclave_attribution=enclave, priority=priority,
                       count_subclasses=subclasses)
        reports.append(rep)
        assert (mine.chain, mine.region, mine.link_of) == (rep.chain, rep.region, rep.link_of), c
        assert (mine.scope, mine.thresholds, mine.priority) == (rep.scope, rep.thresholds, rep.priority), c
        full = rep.links.set_index("product_id")
        got = mine.links.set_index("product_id")
        assert sorted(got.index) == sorted(full.index), c
        got = got.loc[full.index]
        for col in COLUMNS[1:]:
            assert got[col].tolist() == full[col].tolist(), (c, col)
        gaps += int(full["status"].isin(["missing", "weak"]).sum())
    a = optimise(store, lean, k=5, key_first=True, chain_cap=2)
    b = optimise(store, reports, k=5, key_first=True, chain_cap=2)
    pd.testing.assert_frame_equal(a.picks, b.picks)
    pd.testing.assert_frame_equal(a.gaps, b.gaps)
    assert (a.region, a.chains, a.options, a.notes, a.counts) == (b.region, b.chains, b.options, b.notes, b.counts)
    return gaps


@pytest.mark.parametrize("make", [world, honest_world])
def test_hand_made_worlds(store, make):
    store.apply(make())
    total = 0
    for place in ("运城市", "140802", "山西省"):
        for th in (DEFAULT_THRESHOLDS, STRICT):
            for pr in (DEFAULT_PRIORITY, CENTRAL):
                total += assert_equal_to_diagnose(store, place, th, pr)
    assert_equal_to_diagnose(store, "运城市", enclave=False)
    assert_equal_to_diagnose(store, "运城市", subclasses=False)
    assert total > 0


@pytest.mark.parametrize("place", ["140000", "140800", "PK-ZGQ"])
def test_seed(seed_store, place):
    assert assert_equal_to_diagnose(seed_store, place) > 0
    assert_equal_to_diagnose(seed_store, place, STRICT, CENTRAL)


def test_plan_uses_them_and_equals_the_full_way(seed_store):
    """plan() without quality weighting reads the lean results; the picks are those of the diagnoses."""
    p = plan(seed_store, "140800", k=6)
    assert p.reports and all(not hasattr(r, "makers") for r in p.reports)
    chains = seed_store.table("chains")["chain_id"].astype(str).tolist()
    full = optimise(seed_store, [diagnose(seed_store, c, "140800") for c in chains], k=6)
    pd.testing.assert_frame_equal(p.picks, full.picks)
    pd.testing.assert_frame_equal(p.gaps, full.gaps)
    assert len(p.picks) > 0


def test_synthetic_every_chain(tmp_path):
    batch = synth.generate(3000, 5, 50, seed=7)
    synth.write_folder(batch, tmp_path / "csv")
    s = EmbeddedStore(str(tmp_path / "db"))
    try:
        load_path(s, tmp_path / "csv")
        regions = s.table("regions")
        places = regions.loc[regions["level"] == "province", "code"].astype(str).tolist()[:1] + \
            regions.loc[regions["level"] == "city", "code"].astype(str).tolist()[:2]
        assert sum(assert_equal_to_diagnose(s, p) for p in places) > 0
    finally:
        s.close()
