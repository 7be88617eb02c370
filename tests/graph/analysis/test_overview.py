"""graph.analysis.overview: one row per chain, agreeing with the engine's report for that chain."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.gaps import diagnose  # noqa: E402
from graph.options import Thresholds  # noqa: E402
from graph.analysis.overview import COLUMNS, chain_overview  # noqa: E402


def test_one_row_per_chain_matching_the_reports(store):
    store.apply(world())
    df = chain_overview(store, "运城市")
    assert list(df.columns) == COLUMNS
    assert sorted(df["chain_id"]) == ["C-NEV", "C-STEEL"]
    nev = df.set_index("chain_id").loc["C-NEV"]
    rep = diagnose(store, "C-NEV", "运城市")
    for key in ("links", "with_data", "covered", "weak", "missing", "broken", "no_data", "urgent"):
        assert nev[key] == rep.summary[key], key
    assert nev["leaders"] == "大运汽车、太原整车"
    broken = rep.links["broken"].astype(bool)
    assert nev["missing_only"] == int(((rep.links["status"] == "missing") & ~broken).sum())
    assert df.set_index("chain_id").loc["C-STEEL", "leaders"] == "—"


def test_thresholds_reach_every_chain(store):
    store.apply(world())
    loose = chain_overview(store, "运城市", thresholds=Thresholds(min_makers=1, min_large=0, min_revenue_share=0))
    strict = chain_overview(store, "运城市")
    assert loose["weak"].sum() < strict["weak"].sum()
