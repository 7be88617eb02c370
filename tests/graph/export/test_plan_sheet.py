"""The 招商组合 sheet of the 清单 export, read back with openpyxl."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.plan import plan  # noqa: E402
from graph.export import build as E  # noqa: E402


def test_plan_sheet_round_trip(store):
    store.apply(world())
    ex = E.build_export(store, ["新能源汽车"], "运城市", plan_k=3)
    wb = openpyxl.load_workbook(io.BytesIO(E.to_xlsx_bytes(ex)))
    assert "招商组合" in wb.sheetnames
    ws = wb["招商组合"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:4] == ["序号", "企业编号", "企业", "所在省份"]
    body = [dict(zip(head, r)) for r in rows[1:]]
    expected = plan(store, "运城市", ["新能源汽车"], k=3).picks
    assert [r["企业编号"] for r in body] == expected["enterprise_id"].tolist() == ["E-PACK-JS", "E-CAT-HN", "E-TY"]
    assert [r["边际增益"] for r in body] == [94.0, 81.08, 45.67]
    assert body[0]["补齐缺链"] == "新能源汽车·电池包" and body[2]["加强环节"] == "新能源汽车·电机"
    assert body[-1]["占组合总增益"] == 1 and body[0]["来源"] == "test" and body[0]["数据日期"] == "2024-01-01"
    assert ws.cell(row=2, column=head.index("占组合总增益") + 1).number_format == "0%"
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["招商组合企业数"] == 3
    # plan_k=0: the sheet is there with its header only
    ex = E.build_export(store, ["新能源汽车"], "运城市", plan_k=0)
    ws = openpyxl.load_workbook(io.BytesIO(E.to_xlsx_bytes(ex)))["招商组合"]
    assert ws.max_row == 1 and ws.cell(row=1, column=3).value == "企业"
    csv = E.to_csv_bytes(ex, "plan")
    assert csv.startswith(b"\xef\xbb\xbf")
