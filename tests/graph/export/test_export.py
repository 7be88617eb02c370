"""Gap-list exports (缺链补链招商清单): workbook layout against the engine, CSV/JSON round trips,
formula-injection safety, the seed data for the whole province."""
from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import ENTERPRISES, PRODUCTS, world  # noqa: E402

from graph.export import build as E  # noqa: E402
from graph.errors import UnsupportedInput  # noqa: E402
from graph.export.safe import RISKY_START, csv_text, is_risky, text_width  # noqa: E402
from graph.analysis.gaps import diagnose  # noqa: E402
from graph.options import Thresholds, Weights  # noqa: E402
from graph.settings import DEFAULT_SEED  # noqa: E402
from graph.analysis.targets import rank_targets  # noqa: E402

SHEETS = ["说明", "汇总", "缺口清单", "招商目标", "招商组合", "本地企业", "链主供需对接", "招商项目", "核实清单"]
EVIL = ['=HYPERLINK("http://x","y")', "+cmd", "-1+1", "@SUM(A1)", "\t=1+2", "\r=2+3"]
ODD = ['苏州"正极",有限\n公司🚗', "电池包, \"PACK\"\n🔋", "O'Brien, 'quoted' 😀"]


def enterprises(**names):
    return [dict(enterprise_id=e, name=names.get(e, n), region=r, park=pk, scale=s, revenue=rv, listed=ls, tags=t)
            for e, n, r, pk, s, rv, ls, t in ENTERPRISES]


def products(**names):
    return [dict(product_id=p, name=names.get(p, n), aliases=[]) for p, n, _, _ in PRODUCTS]


def read_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture
def atlas(store):
    store.apply(world())
    return store


def test_workbook_matches_the_engine(atlas):
    th = Thresholds(min_makers=2)
    ex = E.build_export(atlas, ["新能源汽车"], "运城市", thresholds=th, top=3)
    report = diagnose(atlas, "新能源汽车", "运城市", thresholds=th)
    targets = rank_targets(atlas, report, top=3)
    wb = read_xlsx(E.to_xlsx_bytes(ex))
    assert wb.sheetnames == SHEETS + ["_snapshot"]
    for key, name in E.SHEETS.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == list(E.HEADERS[key].values())
        assert ws.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(E.HEADERS[key]))
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
    gaps = report.gaps()
    assert wb["缺口清单"].max_row - 1 == len(gaps) == 5
    assert wb["招商目标"].max_row - 1 == len(targets)
    assert wb["本地企业"].max_row - 1 == len(report.makers)
    assert wb["汇总"].max_row - 1 == 1
    # rows in the engine's order, numbers as numbers, grades coloured
    ws = wb["缺口清单"]
    col = {c.value: i for i, c in enumerate(ws[1])}
    rows = list(ws.iter_rows(min_row=2))
    assert [r[col["环节编号"]].value for r in rows] == gaps["product_id"].tolist()
    assert [r[col["优先级"]].value for r in rows] == pytest.approx(gaps["priority"].tolist())
    assert all(r[col["优先级"]].data_type == "n" for r in rows)
    assert [r[col["等级"]].value for r in rows] == gaps["grade"].tolist()
    fills = {r[col["等级"]].value: r[col["等级"]].fill.fgColor.rgb[-6:] for r in rows}
    assert fills == {"紧急": "FFC7CE", "重要": "FCD5B4", "一般": "EDEDED"}
    # column widths: the CJK reason column is wide, the short grade column narrow
    assert ws.column_dimensions["A"].width >= text_width("产业链编号") and \
        ws.column_dimensions[openpyxl.utils.get_column_letter(col["原因"] + 1)].width > 30
    # targets: (gap, target) rows with score parts as numbers
    tw = wb["招商目标"]
    tcol = {c.value: i for i, c in enumerate(tw[1])}
    trows = list(tw.iter_rows(min_row=2, values_only=True))
    assert [(r[tcol["环节编号"]], r[tcol["名次"]], r[tcol["企业编号"]]) for r in trows] == \
        list(zip(targets["gap_product_id"], targets["rank"], targets["enterprise_id"]))
    assert [r[tcol["得分"]] for r in trows] == pytest.approx(targets["score"].tolist())
    # summary: coverage plain and key-weighted, counts per status and grade
    s = dict(zip([c.value for c in wb["汇总"][1]], [c.value for c in wb["汇总"][2]]))
    assert s["本地配套率"] == pytest.approx(report.summary["local_rate"])
    assert s["关键环节加权配套率"] == pytest.approx(report.summary["key_weighted_rate"])
    assert wb["汇总"].cell(2, list(s).index("本地配套率") + 1).number_format == "0.0%"
    assert (s["缺链"], s["弱链"], s["紧急"], s["重要"], s["一般"]) == (2, 3, 2, 1, 2)
    # 说明: traceable
    about = {r[0]: r[1] for r in sheet_rows(wb["说明"])[1:]}
    assert about["产业链"] == "新能源汽车（C-NEV）" and about["地区"] == "运城市（140800）"
    assert about["判定阈值 min_makers"] == 2 and about["招商评分权重 distance"] == 15
    assert about["工具版本"] == f"ChainAtlas {E.tool_version()}" and about["数据日期"] == "2024-01-01 至 2024-01-01"
    assert about["生成时间"] == ex.meta["generated_at"]
    snap = wb["_snapshot"]
    assert snap.sheet_state == "hidden" and snap.protection.sheet


def test_several_and_all_chains(atlas):
    both = E.build_export(atlas, None, "运城市")
    assert [c["chain_id"] for c in both.meta["chains"]] == ["C-NEV", "C-STEEL"]
    summary = both.tables["summary"].set_index("chain_id")
    assert summary.at["C-STEEL", "links"] == 0 and summary.at["C-NEV", "links"] == 9
    # names, ids and repeats resolve to one chain each
    one = E.build_export(atlas, ["新能源汽车", "C-NEV"], "运城")
    assert [c["chain_id"] for c in one.meta["chains"]] == ["C-NEV"]
    assert len(one.tables["gaps"]) == len(both.tables["gaps"])


def test_options_reach_the_engine(atlas):
    w = Weights(distance=100)
    ex = E.build_export(atlas, ["C-NEV"], "运城市", weights=w, top=1, enclave_attribution=False)
    report = diagnose(atlas, "C-NEV", "运城市", enclave_attribution=False)
    t = rank_targets(atlas, report, weights=w, top=1)
    assert ex.tables["gaps"]["product_id"].tolist() == report.gaps()["product_id"].tolist()
    assert ex.tables["targets"]["enterprise_id"].tolist() == t["enterprise_id"].tolist()
    assert ex.snapshot["options"]["weights"]["distance"] == 100 and ex.snapshot["options"]["top"] == 1
    assert ex.snapshot["options"]["enclave_attribution"] is False


def test_formula_like_names_are_inert(store):
    store.apply(world(enterprises=enterprises(**{"E-MOT1": EVIL[0], "E-MOT2": EVIL[1], "E-CAT-HN": EVIL[2],
                                                 "E-CAT-JS": EVIL[3], "E-PACK-JS": EVIL[4], "E-LI1": EVIL[5]}),
                      products=products(**{"P-BMS": "=1+2", "P-PACK": "@cmd|' /C calc'!A0"})))
    ex = E.build_export(store, ["新能源汽车"], "运城市")
    data = E.to_xlsx_bytes(ex)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    wb = read_xlsx(data)
    seen = set()
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"
                if is_risky(c.value) or str(c.value).startswith("\n="):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    seen.add(c.value)
    # kept exactly, as text (a carriage return reads back as a line feed, as XML has it)
    assert {e.replace("\r", "\n") for e in EVIL} | {"=1+2", "@cmd|' /C calc'!A0"} <= seen
    # CSV: every text field a spreadsheet could run starts with an apostrophe
    fields = []
    for key in E.SHEETS:
        text = E.to_csv_bytes(ex, key).decode("utf-8-sig")
        fields += [f for row in csv.reader(io.StringIO(text, newline="")) for f in row]
    assert not [f for f in fields if is_risky(f)]
    for name in EVIL + ["=1+2"]:
        assert "'" + name in fields
    # the snapshot keeps the real names
    assert "=1+2" in {r["name"] for r in E.load_snapshot(data)["links"]}


def test_csv_reads_back_equal_to_the_tables(atlas):
    ex = E.build_export(atlas, None, "运城市")
    with zipfile.ZipFile(io.BytesIO(E.to_csv_zip_bytes(ex))) as zf:
        assert sorted(zf.namelist()) == sorted([f"{s}.csv" for s in SHEETS] + ["_snapshot.json"])
        files = {n: zf.read(n) for n in zf.namelist()}
    for key, name in E.SHEETS.items():
        raw = files[f"{name}.csv"]
        assert raw.startswith(b"\xef\xbb\xbf") and raw == E.to_csv_bytes(ex, key)
        back, want = read_csv(raw), ex.sheet(key)
        assert list(back.columns) == list(want.columns) and len(back) == len(want)
        for col in want.columns:
            w = want[col]
            if pd.api.types.is_numeric_dtype(w) and not pd.api.types.is_bool_dtype(w):
                got = pd.to_numeric(back[col].replace("", None)).astype(float)
                assert got.tolist() == pytest.approx(w.astype(float).tolist(), nan_ok=True), (key, col)
            else:
                expect = [csv_text(v) if isinstance(v, str) else ("" if v is None or pd.isna(v) else str(v))
                          for v in w]
                got = back[col].tolist()
                assert [g if not isinstance(v, (int, float)) else float(g) for g, v in zip(got, w)] == \
                    [e if not isinstance(v, (int, float)) else float(v) for e, v in zip(expect, w)], (key, col)
    assert json.loads(files["_snapshot.json"]) == ex.snapshot


def test_quotes_commas_newlines_emoji_round_trip(store, tmp_path):
    store.apply(world(enterprises=enterprises(**{"E-CAT-JS": ODD[0], "E-MOT1": ODD[2]}),
                      products=products(**{"P-PACK": ODD[1]})))
    ex = E.build_export(store, ["新能源汽车"], "运城市")
    # xlsx
    wb = read_xlsx(E.to_xlsx_bytes(ex))
    values = {c for ws in wb.worksheets[:-1] for row in ws.iter_rows(values_only=True) for c in row}
    assert {ODD[0], ODD[1], ODD[2]} <= values
    # CSV
    targets = read_csv(E.to_csv_bytes(ex, "targets"))
    assert ODD[0] in targets["企业"].tolist() and ODD[1] in targets["缺口环节"].tolist()
    makers = read_csv(E.to_csv_bytes(ex, "makers"))
    assert ODD[2] in makers["企业"].tolist()
    # JSON
    doc = json.loads(E.to_json_bytes(ex).decode("utf-8"))
    assert ODD[0] in [r["name"] for r in doc["tables"]["targets"]]
    assert doc["snapshot"] == ex.snapshot and len(doc["tables"]["gaps"]) == len(ex.tables["gaps"])
    # every format written to disk carries the same snapshot
    for name in ("g.xlsx", "g.zip", "g.json", "g.csv"):
        path = E.write(ex, tmp_path / name)
        assert E.load_snapshot(path) == ex.snapshot
    assert (tmp_path / "g" / "缺口清单.csv").exists()
    with pytest.raises(UnsupportedInput):
        E.write(ex, tmp_path / "g.pdf")


def test_width_and_safety_helpers():
    assert text_width("abc") == 3 and text_width("新能源") == 6 and text_width("ＡＢ") == 4
    assert text_width("🚗x") == 3 and text_width("长长\n短") == 4
    assert [csv_text(v) for v in ["=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", 5, None]] == \
        ["'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", 5, None]


def test_seed_all_chains_for_the_province(embedded_store):
    from loaders.workbook import load_path
    load_path(embedded_store, DEFAULT_SEED)
    ex = E.build_export(embedded_store, None, "山西省")  # its speed is measured by bench/bench.py
    data = E.to_xlsx_bytes(ex)
    chains = embedded_store.table("chains")["chain_id"].tolist()
    assert len(chains) == 16 and [c["chain_id"] for c in ex.meta["chains"]] == chains
    expected = [diagnose(embedded_store, c, "山西省") for c in chains]
    wb = read_xlsx(data)
    assert wb["缺口清单"].max_row - 1 == sum(len(r.gaps()) for r in expected) > 0
    assert wb["汇总"].max_row - 1 == 16
    assert wb["本地企业"].max_row - 1 == sum(len(r.makers) for r in expected)
    assert wb["招商目标"].max_row - 1 == len(ex.tables["targets"]) > 0
    about = {r[0]: r[1] for r in sheet_rows(wb["说明"])[1:]}
    assert about["地区"] == "山西省（140000）" and "ChainAtlas" in about["工具版本"]


# --- the fast row writer against plain openpyxl ---------------------------------------------------
AWKWARD_TEXT = ["  lead", "trail\u3000", "   ", "", "#N/A", "a&b<c>d\"'", "\x01=x", "x\r\ny\rz", "=SUM(1)", "😀长",
                "A" * 40000, None, "-5", " \t", "\u3000中\u00a0", "紧急", "\x0b", "@@", "#DIV/0!"]


def awkward_export() -> "E.GapExport":
    """A hand-made export whose tables hold every kind of value the writer must treat as openpyxl does."""
    from decimal import Decimal

    import numpy as np

    from graph.export import tables as T
    n = len(AWKWARD_TEXT)
    floats = [0.1 + 0.2, 1e-7, 1e20, -0.0, float("inf"), float("nan"), 3.0, 12345678901234567.0, -2.5, 1 / 3,
              9999999999999998.0, 0.0, float("-inf"), 1e16, 5e-324, 123.456, 7.0, 0.35, 0.35]
    gaps = {c: [None] * n for c in T.HEADERS["gaps"]}
    gaps.update(
        chain_id=pd.Series(AWKWARD_TEXT, dtype="str"), chain=AWKWARD_TEXT, name=pd.Series(AWKWARD_TEXT, dtype=object),
        reason=list(reversed(AWKWARD_TEXT)), grade=(["紧急", "重要", "一般", "", None, "=紧急"] * 4)[:n],
        priority=floats, local_makers=np.arange(n, dtype=np.int64) * 10 ** 15, makers_total=list(range(n)),
        local_share_sum=pd.Series(floats, dtype="float32"), key_link=([True, False, None, np.True_, pd.NA] * 4)[:n],
        broken=np.array([True, False] * 10)[:n],
        as_of=([pd.Timestamp("2024-01-02"), Decimal("-1.5"), 5, 2.5, "s", pd.NA, pd.NaT, np.int64(7), np.float64("nan"),
                True, [1, 2], "=x"] * 2)[:n],
        source=[None] * n, targets=pd.array(list(range(n - 1)) + [None], dtype="Int64"))
    tables = {key: T._empty(key) for key in T.SHEETS}
    tables["gaps"] = pd.DataFrame(gaps)
    tables["about"] = pd.DataFrame({"item": ["a", "b", "c"], "value": [1, "=1", True], "note": [None, "", "x"]},
                                   dtype=object)
    meta = {"region": {"name": "测试&<>"}, "tool_version": "t", "chains": [], "generated_at": "2024-01-01"}
    return E.GapExport(meta=meta, tables=tables, snapshot={"format": "chainatlas.gap-export", "version": 1})


def plain_openpyxl(export) -> bytes:
    """The sheets as plain openpyxl writes them cell by cell: the behaviour the fast writer keeps."""
    import math

    import numpy as np
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment

    from graph.export import xlsx as X
    from graph.export.safe import xlsx_text
    from graph.export.tables import NUMBER_FORMATS
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    fills = {g: (openpyxl.styles.PatternFill("solid", fgColor=f), openpyxl.styles.Font(color=c))
             for g, (f, c) in X.GRADE_STYLES.items()}
    for key, name in E.SHEETS.items():
        ws = wb.create_sheet(name)
        view = export.sheet(key)
        ws.append(list(view.columns))
        for row in view.itertuples(index=False, name=None):
            cells = []
            for v in row:
                if v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)):
                    v = None
                elif isinstance(v, (bool, np.bool_)):
                    v = "是" if v else "否"
                elif isinstance(v, (np.integer, np.floating)):
                    v = v.item()
                elif not isinstance(v, (int, float)):
                    text = xlsx_text(str(v))
                    if is_risky(v) or is_risky(text):  # stored as text, never a formula
                        c = Cell(ws)
                        c._value, c.data_type, c.quotePrefix = text, "s", True
                        text = c
                    v = text
                cells.append(v)
            ws.append(cells)
        for j, col in enumerate(E.HEADERS[key], start=1):
            for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if NUMBER_FORMATS.get(col) and isinstance(c.value, (int, float)):
                    c.number_format = NUMBER_FORMATS[col]
                if col in ("grade", "gap_grade") and c.value in fills:
                    c.fill, c.font = fills[c.value]
                if col in X._WIDE:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
    ws = wb.create_sheet("_snapshot")
    ws.append([json.dumps(export.snapshot, ensure_ascii=False, separators=(",", ":"))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cell_signature(c):
    return (c.value, c.data_type, c.number_format, c.fill.fill_type, c.fill.fgColor.rgb if c.fill.fill_type else None,
            c.font.color.rgb if c.font.color is not None else None, c.alignment.wrap_text, c.alignment.vertical,
            c.quotePrefix)


def test_rows_are_what_plain_openpyxl_writes():
    ex = awkward_export()
    fast, plain = E.to_xlsx_bytes(ex), plain_openpyxl(ex)
    a, b = read_xlsx(fast), read_xlsx(plain)
    for name in SHEETS:
        rows_a, rows_b = list(a[name].iter_rows()), list(b[name].iter_rows())
        assert len(rows_a) == len(rows_b) == len(ex.tables[E._key(name)]) + 1, name
        for ra, rb in zip(rows_a, rows_b):
            for ca, cb in zip(ra, rb):
                if cb.row > 1:
                    assert cell_signature(ca) == cell_signature(cb), (name, cb.coordinate)
        # the same XML (whitespace kept, -0.0, infinities …) but for the style ids' numbering
        assert sheet_data(fast, a[name]) == sheet_data(plain, b[name]), name
        # the dimension read-only readers rely on
        ro = openpyxl.load_workbook(io.BytesIO(fast), read_only=True)[name]
        assert (ro.max_row, ro.max_column) == (len(rows_b), len(E.HEADERS[E._key(name)]))
    gaps = a["缺口清单"]  # row i + 2 holds AWKWARD_TEXT[i] in column F (环节)
    assert gaps["F12"].value == "A" * 32766 + "…" and gaps["F9"].value == "x\ny\nz" and gaps["F7"].value == "a&b<c>d\"'"
    assert gaps["F10"].quotePrefix and gaps["F10"].data_type == "s" and gaps["F8"].quotePrefix
    assert gaps["F8"].value == "=x" and gaps["F2"].value == "  lead" and gaps["F4"].value == "   "
    assert gaps["J1"].value == "等级" and gaps["J2"].fill.fgColor.rgb[-6:] == "FFC7CE"
    assert E.load_snapshot(fast) == ex.snapshot


def test_repeated_texts_are_what_plain_openpyxl_writes(monkeypatch):
    """Text columns with few distinct values are worked out once per distinct value: still every
    cell as plain openpyxl writes it (nulls, risky, control characters, whitespace edges …)."""
    from graph.export import xlsx_cells
    monkeypatch.setattr(xlsx_cells, "DISTINCT_MIN", 2)
    ex = awkward_export()
    gaps = ex.tables["gaps"]
    ex.tables["gaps"] = pd.concat([gaps] * 9, ignore_index=True)  # 19 distinct texts in 171 rows
    fast, plain = E.to_xlsx_bytes(ex), plain_openpyxl(ex)
    a, b = read_xlsx(fast), read_xlsx(plain)
    rows_a, rows_b = list(a["缺口清单"].iter_rows(min_row=2)), list(b["缺口清单"].iter_rows(min_row=2))
    assert len(rows_a) == len(rows_b) == 171
    for ra, rb in zip(rows_a, rows_b):
        assert [cell_signature(c) for c in ra] == [cell_signature(c) for c in rb], rb[0].row
    assert sheet_data(fast, a["缺口清单"]) == sheet_data(plain, b["缺口清单"])


def test_half_distinct_texts_are_what_plain_openpyxl_writes(monkeypatch):
    """A text column where every other value repeats (as maker names listed per link) goes the
    distinct-value way too: the same cells."""
    from graph.export import xlsx_cells
    monkeypatch.setattr(xlsx_cells, "DISTINCT_MIN", 2)
    ex = awkward_export()
    gaps = ex.tables["gaps"]
    twice = pd.concat([gaps, gaps], ignore_index=True)   # each text twice: distinct = half the rows
    assert twice["name"].nunique(dropna=False) * xlsx_cells.DISTINCT_SHARE <= len(twice)
    ex.tables["gaps"] = twice
    fast, plain = E.to_xlsx_bytes(ex), plain_openpyxl(ex)
    a, b = read_xlsx(fast), read_xlsx(plain)
    rows_a, rows_b = list(a["缺口清单"].iter_rows(min_row=2)), list(b["缺口清单"].iter_rows(min_row=2))
    assert len(rows_a) == len(rows_b) == len(twice)
    for ra, rb in zip(rows_a, rows_b):
        assert [cell_signature(c) for c in ra] == [cell_signature(c) for c in rb], rb[0].row
    assert sheet_data(fast, a["缺口清单"]) == sheet_data(plain, b["缺口清单"])


def test_seed_workbook_is_what_plain_openpyxl_writes(embedded_store):
    """Every cell of the whole-province seed export (all chains, every sheet) as plain openpyxl writes it."""
    from loaders.workbook import load_path
    load_path(embedded_store, DEFAULT_SEED)
    ex = E.build_export(embedded_store, None, "山西省", generated_at="2024-01-01T00:00:00+08:00")
    fast, plain = E.to_xlsx_bytes(ex), plain_openpyxl(ex)
    a, b = read_xlsx(fast), read_xlsx(plain)
    assert sum(len(t) for t in ex.tables.values()) > 500
    for name in SHEETS:
        rows_a, rows_b = list(a[name].iter_rows()), list(b[name].iter_rows())
        assert len(rows_a) == len(rows_b) == len(ex.tables[E._key(name)]) + 1, name
        assert [c.value for c in rows_a[0]] == [c.value for c in rows_b[0]]  # the header (styled: not compared)
        for ra, rb in zip(rows_a[1:], rows_b[1:]):
            assert [cell_signature(c) for c in ra] == [cell_signature(c) for c in rb], (name, rb[0].row)
        assert sheet_data(fast, a[name]) == sheet_data(plain, b[name]), name
    assert E.load_snapshot(fast) == ex.snapshot


def sheet_data(data: bytes, ws) -> str:
    import re
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        part = zf.read(f"xl/worksheets/sheet{ws.parent.worksheets.index(ws) + 1}.xml").decode()
    return re.sub(r' s="\d+"', "", part[part.index("<sheetData>"):part.index("</sheetData>")])


def test_whitespace_and_formula_sets_match_python():
    from graph.export import xlsx as X
    assert set(X._SPACES.to_pylist()) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert tuple(X._RISKY_SET.to_pylist()) == RISKY_START


def test_json_and_csv_are_what_the_plain_way_writes():
    """The column-wise JSON and CSV writers give the bytes of json.dumps(json_safe(...), indent=1) and of
    csv_text on every cell."""
    from graph.analysis.gaps import json_safe
    ex = awkward_export()
    ex.meta["notes"] = [("链", "注")]
    ex.tables["gaps"] = ex.tables["gaps"].drop(columns=["as_of"])  # Timestamps and Decimals are not JSON

    def plain_json(export):
        meta = {**export.meta, "notes": [{"chain": c, "note": n} for c, n in export.meta.get("notes", [])]}
        doc = {"format": "chainatlas.gap-list", "meta": meta, "snapshot": export.snapshot,
               "tables": dict(export.tables)}
        return json.dumps(json_safe(doc), ensure_ascii=False, indent=1).encode("utf-8")

    assert E.to_json_bytes(ex) == plain_json(ex)
    ex.tables["about"].loc[1, "value"] = ["nested", {"x": 1}]  # not a scalar: the plain way throughout
    assert E.to_json_bytes(ex) == plain_json(ex)
    ex = awkward_export()
    for key in E.SHEETS:
        plain = ex.sheet(key).astype(object).map(csv_text).to_csv(index=False, lineterminator="\r\n")
        assert E.to_csv_bytes(ex, key) == plain.encode("utf-8-sig"), key


@pytest.mark.parametrize("module", ["graph.export.json_columns", "graph.export.xlsx_cells", "graph.export.safe",
                                    "graph.analysis.leader_view"])
def test_doc_examples(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0, result


@pytest.mark.parametrize("values", [
    ["甲", None, np.nan, pd.NA, " 乙", "=1", "a&b"], ["x"] * 1500 + [None] * 600,
    [True, None, False, np.nan, np.bool_(True)], [True] * 1200 + [None] * 900, [None, "a"]])
def test_object_column_parts_are_the_display_columns(values):
    """An object column of text or bools goes straight to its cells' parts: the same as its display
    column's (graph.export.tables.display_column, then xlsx_cells._column)."""
    from graph.export.tables import display_column
    from graph.export.xlsx_cells import _column, _object_parts
    s = pd.Series(values, dtype=object)
    sample, parts = _object_parts(s, 500)
    shown = display_column(s)
    want = _column(shown)
    assert [None if v is None else "nan" if isinstance(v, float) else v for v in sample] == \
        [None if v is None else "nan" if isinstance(v, float) else v for v in shown.iloc[:500]]
    assert parts.kinds.tolist() == want.kinds.tolist() and parts.payload.equals(want.payload)
    assert parts.risky.tolist() == want.risky.tolist() and parts.markup == want.markup
    assert parts.edge.tolist() == want.edge.tolist()


def test_object_parts_leave_other_columns():
    from graph.export.xlsx_cells import _object_parts
    assert _object_parts(pd.Series([1, "a"], dtype=object), 500) is None
    assert _object_parts(pd.Series([True, "a"], dtype=object), 500) is None
    assert _object_parts(pd.Series([], dtype=object), 500) is None
