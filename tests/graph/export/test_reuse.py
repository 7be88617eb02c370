"""ReusingStore: the plan's outside makers answered from what rank_targets fetched equal the store's."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.gaps import diagnose  # noqa: E402
from graph.analysis.targets import rank_targets  # noqa: E402
from graph.export.reuse import ReusingStore  # noqa: E402


def test_covered_request_equals_the_store_answer(store):
    store.apply(world())
    rep = diagnose(store, "新能源汽车", "运城市")
    reusing = ReusingStore(store)
    rank_targets(reusing, rep)
    assert len(reusing._kept) == 1            # rank_targets asked once, through the wrapper
    asked = sorted(reusing._kept[0][0])
    for ids in (asked, asked[::-1], asked[:2]):
        got = reusing.makers(ids, rep.scope, side="outside")
        pd.testing.assert_frame_equal(got, store.makers(ids, rep.scope, side="outside"), check_exact=True)
    assert len(reusing._kept) == 1            # ... and answered those itself
    assert len(reusing.makers(asked, rep.scope, side="outside")) > 0
    # not covered (another scope, or a product never asked): forwarded to the store
    other = diagnose(store, "新能源汽车", "山西省").scope
    pd.testing.assert_frame_equal(reusing.makers(asked, other, side="outside"),
                                  store.makers(asked, other, side="outside"))
    assert len(reusing._kept) == 2
