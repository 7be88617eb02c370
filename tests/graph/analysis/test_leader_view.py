"""链主供需对接清单 (graph/analysis/leader_view.py) on the gap world, and its sheet in the export."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from graph.analysis.gaps import diagnose
from graph.analysis.leader_view import leader_matching
from graph.analysis.targets import rank_targets
from graph.export import build as E

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402


@pytest.fixture
def atlas(store):
    store.apply(world())
    return store


def test_each_leader_input_is_local_missing_or_unknown(atlas):
    report = diagnose(atlas, "新能源汽车", "运城市")
    targets = rank_targets(atlas, report, top=3)
    m = leader_matching(report, targets, per_input=2)
    assert len(report.leaders) and len(m)
    links = report.links.set_index("product_id")
    for r in m.to_dict("records"):
        status = links.at[r["input_id"], "status"]
        assert r["status"] == status
        if status == "no_data":                          # unknown is never "not local"
            assert r["verdict"].startswith("未知") and r["candidates"] == "" and r["local_count"] is None
        if status == "missing":
            assert r["local_suppliers"] == ""
            wanted = targets[targets["gap_product_id"] == r["input_id"]].sort_values("rank").head(2)
            assert r["candidate_ids"] == ";".join(wanted["enterprise_id"].astype(str))
        if status == "covered":
            assert r["candidates"] == "" and r["local_count"] > 0 and r["local_suppliers"]
    expected = {(str(ld["enterprise_id"]), p) for ld in report.leaders.to_dict("records")
                for p in str(ld["input_ids"] or "").split(";") if p}
    assert set(zip(m["leader_id"].astype(str), m["input_id"])) == expected


def test_export_has_the_matching_sheet(atlas):
    ex = E.build_export(atlas, ["新能源汽车"], "运城市", top=3)
    wb = openpyxl.load_workbook(io.BytesIO(E.to_xlsx_bytes(ex)))
    ws = wb["链主供需对接"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["产业链编号", "产业链", "链主编号", "链主"] and "候选供应商（外地，按得分）" in header
    assert ws.max_row - 1 == len(ex.tables["matching"]) > 0


def _matching_by_records(report, targets, per_input):
    """The sheet as one dict per row from the leaders' records (how leader_matching built it before #14)."""
    from graph.analysis import leader_view as L
    by_id = {str(r["product_id"]): r for r in report.links.to_dict("records")}
    order = {p: i for i, p in enumerate(by_id)}
    leaders = report.leaders.to_dict("records")
    wanted = {p for ld in leaders for p in str(ld.get("input_ids") or "").split(";")
              if p in by_id and by_id[p]["status"] in ("missing", "weak")}
    best = L._candidates(targets, wanted, per_input) if wanted and len(targets) else {}
    rows = []
    for ld in leaders:
        for pid in sorted((p for p in str(ld.get("input_ids") or "").split(";") if p in by_id), key=order.get):
            link, status = by_id[pid], str(by_id[pid]["status"])
            cands, ids = best.get(pid, ("", "")) if status in ("missing", "weak") else ("", "")
            rows.append({"leader_id": ld["enterprise_id"], "leader": ld["name"],
                         "leader_local": "是" if ld["is_local"] else "否", "input_id": pid, "input": link["name"],
                         "stage_cn": link["stage_cn"], "status": status, "status_cn": link["label"],
                         "verdict": L.VERDICT.get(status, status),
                         "local_count": int(link["local_makers"] or 0) if status != "no_data" else None,
                         "local_suppliers": L._text(link["local_maker_names"]) if status in ("covered", "weak")
                         else "", "candidates": cands, "candidate_ids": ids, "advice": L.ADVICE.get(status, ""),
                         "source": ld["source"], "as_of": ld["as_of"]})
    return pd.DataFrame(rows, columns=L.MATCH_COLUMNS)


@pytest.mark.parametrize("place", ["运城市", "山西省"])
def test_matching_columns_are_the_row_records_frame(atlas, place):
    report = diagnose(atlas, "新能源汽车", place)
    targets = rank_targets(atlas, report, top=3)
    for per_input in (1, 3):
        got = leader_matching(report, targets, per_input)
        assert len(got)
        pd.testing.assert_frame_equal(got, _matching_by_records(report, targets, per_input), check_exact=True)
    none = leader_matching(report, targets.iloc[:0], 2)     # no targets: no candidates, same frame
    pd.testing.assert_frame_equal(none, _matching_by_records(report, targets.iloc[:0], 2), check_exact=True)
