"""graph.analysis.overview_counts: the one-pass counts equal the full diagnosis, chain by chain.

Checked on the hand-made worlds (with makers of unknown location), the Shanxi seed and a synthetic
national data set with subclasses, under several thresholds and priority weights (including
weights where a gap's grade hinges on the chain's centrality)."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import honest_world, world  # noqa: E402

from graph.analysis.gaps import diagnose  # noqa: E402
from graph.analysis.overview_counts import chain_summaries  # noqa: E402
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from loaders import synth  # noqa: E402
from loaders.workbook import load_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
STRICT = Thresholds(min_makers=6, min_large=3, min_revenue_share=0.8)
LOOSE = Thresholds(min_makers=1, min_large=0, min_revenue_share=0)
CENTRAL = DEFAULT_PRIORITY.with_(centrality=40.0, urgent_at=50.0, important_at=30.0)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


def assert_equal_to_diagnose(store, place: str, thresholds=DEFAULT_THRESHOLDS, priority=DEFAULT_PRIORITY,
                             enclave: bool = True) -> int:
    chains = store.table("chains")["chain_id"].astype(str).tolist()
    lean = chain_summaries(store, chains, place, thresholds=thresholds, enclave_attribution=enclave,
                           priority=priority)
    assert list(lean) == chains
    gaps = 0
    for c in chains:
        rep = diagnose(store, c, place, thresholds=thresholds, enclave_attribution=enclave, priority=priority)
        got = lean[c].summary
        assert set(got) == set(rep.summary), c
        for k, v in rep.summary.items():
            assert _same(got[k], v), (c, k, got[k], v)
        full = rep.links.set_index("product_id")
        mine = lean[c].links.set_index("product_id").loc[full.index]
        for col in ("status", "broken", "grade", "local_makers", "key_link"):
            assert mine[col].tolist() == full[col].tolist(), (c, col)
        gaps += int(full["status"].isin(["missing", "weak"]).sum())
    return gaps


@pytest.mark.parametrize("make", [world, honest_world])
def test_hand_made_worlds(store, make):
    store.apply(make())
    for place in ("运城市", "140802", "山西省"):
        for th in (DEFAULT_THRESHOLDS, STRICT, LOOSE):
            for pr in (DEFAULT_PRIORITY, CENTRAL):
                assert_equal_to_diagnose(store, place, th, pr)
    assert_equal_to_diagnose(store, "运城市", enclave=False)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    s = EmbeddedStore(str(tmp_path_factory.mktemp("seed") / "db"))
    load_path(s, ROOT / "seeds" / "shanxi")
    yield s
    s.close()


@pytest.mark.parametrize("place", ["140000", "140800", "140100", "PK-ZGQ"])
def test_seed(seed_store, place):
    assert assert_equal_to_diagnose(seed_store, place) > 0
    assert_equal_to_diagnose(seed_store, place, STRICT, CENTRAL)


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synth")
    batch = synth.generate(4000, 6, 60, seed=11)
    t = batch.tables
    links = t["chain_products"]["product"].astype(str).tolist()
    prod = t["products"].iloc[0].to_dict()   # a subclass of a link, made by some firms
    t["products"] = pd.concat([t["products"], pd.DataFrame([dict(prod, product_id="OC-SUB", name="小类",
                                                                 aliases=[])], dtype=object)], ignore_index=True)
    t["product_subclasses"] = pd.DataFrame([{"product": "OC-SUB", "parent": links[0]}], dtype=object).assign(
        source=prod["source"], as_of=prod["as_of"], illustrative=True)[t["product_subclasses"].columns]
    mk = t["enterprise_products"].iloc[0].to_dict()
    extra = [dict(mk, enterprise=e, product="OC-SUB", revenue_share=None if i % 3 == 0 else 0.2)
             for i, e in enumerate(t["enterprises"]["enterprise_id"].tolist()[:40])]
    t["enterprise_products"] = pd.concat([t["enterprise_products"], pd.DataFrame(extra, dtype=object)],
                                         ignore_index=True).drop_duplicates(["enterprise", "product"])
    synth.write_folder(batch, tmp / "csv")
    s = EmbeddedStore(str(tmp / "db"))
    load_path(s, tmp / "csv")
    yield s
    s.close()


def test_synthetic_every_chain(synth_store):
    regions = synth_store.table("regions")
    cities = regions.loc[regions["level"] == "city", "code"].astype(str).tolist()[:3]
    provinces = regions.loc[regions["level"] == "province", "code"].astype(str).tolist()[:2]
    total = 0
    for place in provinces + cities:
        total += assert_equal_to_diagnose(synth_store, place)
        assert_equal_to_diagnose(synth_store, place, STRICT, CENTRAL)
    assert total > 0
