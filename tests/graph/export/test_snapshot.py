"""Snapshots inside exports and the diff of two exports (gaps opened, closed, regraded)."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import ENTERPRISES, MAKES, world  # noqa: E402

from graph.export import build as E  # noqa: E402
from graph.errors import UnsupportedInput  # noqa: E402
from graph.options import PriorityWeights  # noqa: E402
from graph.export.snapshot import DIFF_COLUMNS, SNAPSHOT_FORMAT, diff_exports, load_snapshot  # noqa: E402


def changed_world():
    """Two large local makers of 电池包 (its gap closes); 盐湖玻璃 no longer makes 汽车玻璃
    (one maker left: a weak link opens)."""
    ents = [dict(enterprise_id=e, name=n, region=r, park=pk, scale=s, revenue=rv, listed=ls, tags=t)
            for e, n, r, pk, s, rv, ls, t in ENTERPRISES]
    ents += [dict(enterprise_id="E-PACK-YC1", name="运城电池包一", region="140800", scale="大型", tags=["规上"]),
             dict(enterprise_id="E-PACK-YC2", name="运城电池包二", region="140802", scale="中型", tags=[])]
    makes = [m for m in MAKES if m[:2] != ("E-GL2", "P-GLASS")]
    makes += [("E-PACK-YC1", "P-PACK", 0.6), ("E-PACK-YC2", "P-PACK", 0.5)]
    return world(enterprises=ents, enterprise_products=[dict(enterprise=e, product=p, revenue_share=s)
                                                        for e, p, s in makes])


def test_diff_lists_exactly_the_changes(store, tmp_path):
    store.apply(world())
    old = E.build_export(store, ["新能源汽车"], "运城市")
    assert E.diff_exports(old, old).empty
    store.clear()
    store.apply(changed_world())
    # 电机 (weak, priority 45.67) drops from 重要 to 一般 when 重要 starts at 50
    new = E.build_export(store, ["新能源汽车"], "运城市", priority=PriorityWeights(important_at=50.0))
    d = diff_exports(old, new)
    assert list(d.columns) == DIFF_COLUMNS
    assert d[["change", "product_id", "old_status", "new_status", "old_grade", "new_grade"]].values.tolist() == [
        ["opened", "P-GLASS", "covered", "weak", "", "一般"],
        ["closed", "P-PACK", "missing", "covered", "紧急", ""],
        ["grade", "P-MOTOR", "weak", "weak", "重要", "一般"]]
    assert d["detail"].tolist() == ["已配套 → 弱链·一般", "缺链·紧急 → 已配套", "弱链·重要 → 弱链·一般"]
    assert d["change_cn"].tolist() == ["新增缺口", "缺口关闭", "等级变化"]
    assert d.attrs["notes"] == ["选项 priority 有变化：important_at 35.0→50.0。"]
    # the same from every file format, in any combination
    olds = [E.write(old, tmp_path / f"old.{f}") for f in ("xlsx", "json", "zip", "csv")]
    news = [E.write(new, tmp_path / f"new.{f}") for f in ("xlsx", "json", "zip", "csv")]
    for a, b in zip(olds, reversed(news)):
        assert diff_exports(a, b).equals(d), (a, b)
    assert diff_exports(E.to_xlsx_bytes(old), E.to_json_bytes(new)).equals(d)


def test_status_changes_and_context_notes():
    def snap(region="140800", chains=("C1",), links=(), top=10):
        return {"format": SNAPSHOT_FORMAT, "version": 1, "generated_at": "2024-01-01T00:00:00",
                "tool_version": "0", "region": {"kind": "region", "id": region, "name": region},
                "chains": [{"chain_id": c, "name": c} for c in chains],
                "options": {"thresholds": {"min_makers": 2}, "top": top},
                "links": [dict(chain_id=c, chain=c, product_id=p, name=p, stage="midstream", key_link=False,
                               status=s, broken=False, grade=g, priority=pr, local_makers=0)
                          for c, p, s, g, pr in links]}
    old = snap(links=[("C1", "A", "missing", "重要", 40), ("C1", "B", "missing", "紧急", 70),
                      ("C1", "C", "weak", "一般", 20), ("C1", "D", "covered", "", 0), ("C1", "E", "no_data", "", 0),
                      ("C1", "F", "weak", "一般", 10)], chains=("C1", "C2"))
    new = snap(region="140000", top=5, chains=("C1", "C3"),
               links=[("C1", "A", "weak", "重要", 36), ("C1", "B", "weak", "重要", 50),
                      ("C1", "C", "weak", "一般", 25), ("C1", "D", "covered", "", 0), ("C1", "E", "covered", "", 0),
                      ("C3", "X", "missing", "紧急", 90)])
    d = diff_exports(old, new)
    assert d[["change", "product_id"]].values.tolist() == [
        ["closed", "F"], ["grade+status", "B"], ["status", "A"]]
    assert d.set_index("product_id").at["F", "detail"] == "弱链·一般 → 未收录"
    assert d.attrs["notes"] == [
        "两份清单的地区不同：140800（140800）→ 140000（140000）。", "选项 top 有变化：10 → 5。",
        "产业链“C2”只在旧清单中，未比较。", "产业链“C3”只在新清单中，未比较。"]


def test_snapshot_contents_and_bad_inputs(store, tmp_path):
    store.apply(world())
    ex = E.build_export(store, ["新能源汽车"], "运城市", generated_at="2024-06-30T12:00:00+08:00")
    s = ex.snapshot
    assert s["format"] == SNAPSHOT_FORMAT and s["generated_at"] == "2024-06-30T12:00:00+08:00"
    assert s["region"]["id"] == "140800" and s["chains"] == [{"chain_id": "C-NEV", "name": "新能源汽车"}]
    assert set(s["options"]) >= {"thresholds", "priority", "weights", "enclave_attribution", "top"}
    gaps = [r["product_id"] for r in s["links"] if r["grade"]]
    assert sorted(gaps) == sorted(ex.tables["gaps"]["product_id"])
    assert len(s["links"]) == 9
    json.dumps(s)  # JSON-safe
    # the xlsx snapshot survives being split over several cells
    import graph.export.xlsx as X
    old_chunk, X.CHUNK = X.CHUNK, 100
    try:
        assert load_snapshot(E.to_xlsx_bytes(ex)) == s
    finally:
        X.CHUNK = old_chunk
    (tmp_path / "x.txt").write_text("hello")
    for bad in (tmp_path / "x.txt", b"PK\x03\x04garbage", tmp_path, {"format": "other"}):
        with pytest.raises(UnsupportedInput):
            load_snapshot(bad)
    import openpyxl
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(UnsupportedInput, match="_snapshot"):
        load_snapshot(buf.getvalue())
    with pytest.raises(UnsupportedInput, match="更新版本"):
        load_snapshot({**s, "version": 99})


def test_snapshot_links_are_the_plain_records():
    """make_snapshot builds the links column by column: the same values (and Python types) as
    json_safe of each chain's link rows — with a chain whose columns have other types (objects,
    missing values, numpy scalars) and an empty one."""
    import numpy as np
    import pandas as pd
    from types import SimpleNamespace as NS

    from graph.analysis.gaps import json_safe
    from graph.export.snapshot import LINK_FIELDS, make_snapshot
    own = LINK_FIELDS[2:]
    a = pd.DataFrame({"product_id": ["P1", "P2"], "name": ["电芯", None], "stage": ["upstream", "midstream"],
                      "key_link": [True, False], "status": ["missing", "covered"], "broken": [False, True],
                      "grade": ["紧急", ""], "priority": [61.5, np.nan], "local_makers": [0, 3]})
    b = pd.DataFrame({"product_id": ["Q1"], "name": ["隔膜"], "stage": [None], "key_link": [np.bool_(True)],
                      "status": ["weak"], "broken": [None], "grade": [np.nan], "priority": [np.float64(40.0)],
                      "local_makers": [np.int64(1)]}, dtype=object)
    reports = [NS(chain={"chain_id": "C1", "name": "一"}, links=a), NS(chain={"chain_id": "C2", "name": "二"}, links=b),
               NS(chain={"chain_id": "C3", "name": "三"}, links=a.iloc[:0])]
    meta = {"generated_at": "x", "tool_version": "t", "region": {}, "chains": [], "options": {}}
    got = make_snapshot(meta, reports)["links"]
    want = [json_safe(dict(chain_id=r.chain["chain_id"], chain=r.chain["name"], **row))
            for r in reports for row in r.links[own].to_dict("records")]
    assert got == want and [list(LINK_FIELDS)] * 3 == [list(x) for x in got]
    assert [[type(v) for v in x.values()] for x in got] == [[type(v) for v in x.values()] for x in want]


def test_snapshot_links_over_chains_of_one_dtype_are_the_plain_records():
    """Chains whose link columns share dtypes are worked out together: still json_safe of each row,
    even when one chain's object column holds bools and another's text or lists."""
    import numpy as np
    import pandas as pd
    from types import SimpleNamespace as NS

    from graph.analysis.gaps import json_safe
    from graph.export.snapshot import LINK_FIELDS, make_snapshot
    own = LINK_FIELDS[2:]
    rows = [{"product_id": "P1", "name": "电芯", "stage": "upstream", "key_link": True, "status": "missing",
             "broken": np.bool_(False), "grade": "紧急", "priority": 61.5, "local_makers": np.int64(0)},
            {"product_id": "P2", "name": None, "stage": None, "key_link": None, "status": "covered",
             "broken": None, "grade": np.nan, "priority": np.nan, "local_makers": 3}]
    odd = {**rows[0], "product_id": "Q1", "key_link": "是", "grade": ["紧急"], "local_makers": 2.0}
    frames = [pd.DataFrame(rows, dtype=object), pd.DataFrame([odd, rows[1]], dtype=object),
              pd.DataFrame(rows).astype({"priority": float})]
    reports = [NS(chain={"chain_id": f"C{i}", "name": f"链{i}"}, links=f) for i, f in enumerate(frames)]
    meta = {"generated_at": "x", "tool_version": "t", "region": {}, "chains": [], "options": {}}
    for chosen in (reports[:2], reports[:1] + reports[2:], reports):
        got = make_snapshot(meta, chosen)["links"]
        want = [json_safe(dict(chain_id=r.chain["chain_id"], chain=r.chain["name"], **row))
                for r in chosen for row in r.links[own].to_dict("records")]
        assert got == want
        assert [[type(v) for v in x.values()] for x in got] == [[type(v) for v in x.values()] for x in want]
