"""Exports on the honest world (#11): coverage range and 待核实 columns, the 核实清单 sheet, targets'
location column, the snapshot diff's 转为待核实, and the fill-in workbook (formula-safe, loads back)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import ENTERPRISES, honest_world, world  # noqa: E402

from graph.analysis.verify import fill_in_tables, verify_list  # noqa: E402
from graph.export import build as E  # noqa: E402
from graph.export.fill_in import fill_in_workbook_bytes  # noqa: E402


@pytest.fixture
def atlas(store):
    store.apply(honest_world())
    return store


def test_summary_verify_and_targets_sheets(atlas):
    ex = E.build_export(atlas, ["新能源汽车"], "运城市")
    wb = openpyxl.load_workbook(io.BytesIO(E.to_xlsx_bytes(ex)))
    summary = pd.DataFrame(list(wb["汇总"].values)[1:], columns=list(wb["汇总"].values)[0])
    row = summary.iloc[0]
    assert row["本地配套率（含待核实范围）"] == "75%（待核实 2 个环节，上限 100%）"
    assert row["本地配套率"] == 0.75 and row["本地配套率上限（待核实环节均在本地时）"] == 1.0 and row["待核实"] == 3
    verify = pd.DataFrame(list(wb["核实清单"].values)[1:], columns=list(wb["核实清单"].values)[0])
    assert verify["企业"].tolist() == ["山西焦化", "山西电池包", "某电控"]
    assert "位置（区域外/待核实）" in list(wb["招商目标"].values)[0]
    gaps = ex.tables["gaps"]
    assert not gaps["product_id"].isin(["P-CAT", "P-PACK", "P-BMS"]).any()   # 待核实 is not a gap
    assert any("所在地对“运城市”未知" in n for _, n in ex.meta["notes"])


def test_snapshot_diff_says_a_gap_turned_unverified(store):
    store.apply(world())
    before = E.build_export(store, ["新能源汽车"], "运城市")
    store.apply(honest_world())
    after = E.build_export(store, ["新能源汽车"], "运城市")
    d = E.diff_exports(before, after).set_index("product_id")
    assert d.at["P-CAT", "change_cn"] == "转为待核实" and d.at["P-CAT", "detail"].endswith("→ 待核实")


def test_fill_in_workbook_keeps_formula_like_names_as_text(atlas, tmp_path):
    from loaders.workbook import load_path
    risky = [("E-CAT-U", "=HYPERLINK(\"x\")焦化", None, None, "中型", None, False, ["规上"])]
    rest = [e for e in ENTERPRISES]
    atlas.apply(honest_world(enterprises=[dict(enterprise_id=e, name=n, region=r, park=pk, scale=s, revenue=rv,
                                               listed=ls, tags=t) for e, n, r, pk, s, rv, ls, t in rest + risky]))
    v, _ = verify_list(atlas, "运城市")
    data = fill_in_workbook_bytes(fill_in_tables(atlas, v))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = next(c for c in wb["enterprises"]["B"] if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s" and cell.quotePrefix
    path = tmp_path / "fill.xlsx"
    path.write_bytes(data)
    load_path(atlas, path)
    assert atlas.enterprises(["E-CAT-U"]).iloc[0]["name"] == "=HYPERLINK(\"x\")焦化"
