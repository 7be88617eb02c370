"""The 招商项目 part of the store contract (#16), on both stores (the ``store`` fixture).

Projects live beside the chain data: saved whole, history appended in the same transaction,
never touched by a reload (apply) or clear() of the chain data.
"""
from __future__ import annotations

import pandas as pd
import pytest

from graph.errors import ChainAtlasError
from graph.store import HISTORY_COLUMNS, PROJECT_COLUMNS

P1 = {"project_id": "PJ-0001", "name": "西安电池 · 动力电池", "enterprise_id": "E6", "enterprise": "西安电池",
      "products": ["P-BATT"], "product_names": ["动力电池"], "chains": ["SX-NEV"], "region": "140800",
      "park": None, "stage": "洽谈中", "stop_reason": None, "unit": "运城市商务局", "person": "张三",
      "investment": 50000.5, "next_step": "赴西安考察", "next_date": "2025-03-31", "notes": "=cmd|' /C calc'!A0",
      "landed_on": None, "created_at": "2025-01-02 09:00:00", "updated_at": "2025-02-01 10:00:00",
      "source": "招商台账.xlsx", "as_of": "2025-02-01", "illustrative": False}
P2 = {"project_id": "PJ-0002", "name": "空白项目", "enterprise": "某外地企业", "stage": "线索"}
EVENTS = [{"project_id": "PJ-0001", "seq": 1, "at": "2025-01-02 09:00:00", "by": "张三", "from_stage": None,
           "to_stage": "线索", "note": "新建"},
          {"project_id": "PJ-0001", "seq": 2, "at": "2025-02-01 10:00:00", "by": "李四", "from_stage": "线索",
           "to_stage": "洽谈中", "note": "首次面谈"}]


def test_projects_round_trip_with_types(store):
    assert list(store.projects().columns) == PROJECT_COLUMNS and store.projects().empty
    store.save_projects([P2, P1], EVENTS)
    df = store.projects()
    assert list(df.columns) == PROJECT_COLUMNS
    assert df["project_id"].tolist() == ["PJ-0001", "PJ-0002"]
    got = df.iloc[0].to_dict()
    for k, v in P1.items():
        assert got[k] == v, k
    empty = df.iloc[1].to_dict()
    assert empty["products"] == [] and empty["chains"] == [] and empty["region"] is None
    assert pd.isna(empty["investment"])


def test_history_in_order_and_filtered(store):
    store.save_projects([P1, P2], EVENTS)
    h = store.project_history()
    assert list(h.columns) == HISTORY_COLUMNS
    assert h["seq"].tolist() == [1, 2] and str(h["seq"].dtype) == "int64"
    assert h.iloc[1][["by", "from_stage", "to_stage", "note"]].tolist() == ["李四", "线索", "洽谈中", "首次面谈"]
    assert h.iloc[0]["from_stage"] is None
    assert store.project_history(["PJ-0002"]).empty
    assert len(store.project_history(["PJ-0001"])) == 2


def test_save_replaces_the_whole_project(store):
    store.save_projects([P1])
    store.save_projects([{**P1, "stage": "已签约", "next_step": None, "person": "王五"}])
    got = store.projects().iloc[0]
    assert (got["stage"], got["next_step"], got["person"]) == ("已签约", None, "王五")
    assert len(store.projects()) == 1


def test_a_repeated_event_writes_nothing(store):
    store.save_projects([P1], EVENTS[:1])
    with pytest.raises(ChainAtlasError):
        store.save_projects([{**P1, "stage": "已签约"}, P2], EVENTS[:1])
    assert store.projects()["stage"].tolist() == ["洽谈中"]     # all or nothing
    assert len(store.project_history()) == 1


def test_projects_survive_reload_and_clear_of_the_chain_data(store, make_batch):
    store.apply(make_batch(products=[{"product_id": "P-BATT", "name": "动力电池"}]))
    store.save_projects([P1], EVENTS)
    store.apply(make_batch(products=[{"product_id": "P-CAR", "name": "整车"}]))
    store.clear()
    assert store.is_empty()
    assert store.projects()["project_id"].tolist() == ["PJ-0001"]
    assert len(store.project_history()) == 2
    store.clear_projects()
    assert store.projects().empty and store.project_history().empty
