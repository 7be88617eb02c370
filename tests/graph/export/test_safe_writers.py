"""#12 item 1: formula-like text is neutralised in every CSV/xlsx the faces write."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import ENTERPRISES, world  # noqa: E402

from cli.main import main  # noqa: E402
from graph.export.safe import csv_bytes, save_workbook, new_workbook  # noqa: E402

HOSTILE = ['=HYPERLINK("http://x.example","点我")', "+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "-2+3"]


@pytest.fixture
def run(tmp_path):
    from graph.store.embedded.store import EmbeddedStore
    db = tmp_path / "atlas"
    names = {"E-CAT-JS": HOSTILE[0], "E-CAT-HN": HOSTILE[3], "E-PACK-JS": HOSTILE[2]}
    rows = [dict(enterprise_id=e, name=names.get(e, n), region=r, park=pk, scale=s, revenue=rv, listed=ls, tags=t)
            for e, n, r, pk, s, rv, ls, t in ENTERPRISES]
    with EmbeddedStore(str(db)) as s:
        s.apply(world(enterprises=rows))
    env = {"CHAINATLAS_DB": str(db), "CHAINATLAS_SEED": "none"}
    return lambda *args: CliRunner().invoke(main, list(map(str, args)), env=env)


def _cells(output: str) -> list[str]:
    df = pd.read_csv(io.StringIO(output.lstrip("\ufeff")), dtype=str, keep_default_na=False)
    return [v for col in df.columns for v in df[col]]


def test_targets_and_gaps_csv_are_formula_safe(run):
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--product", "P-CAT", "--format", "csv")
    assert r.exit_code == 0, r.output
    cells = _cells(r.output)
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[3] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    r = run("gaps", "--chain", "C-NEV", "--region", "运城市", "--format", "csv", "--all")
    assert r.exit_code == 0, r.output
    assert not [c for c in _cells(r.output) if c.startswith(("=", "+", "@"))]


def test_registry_review_csv_is_formula_safe(tmp_path):
    from loaders.registry import REVIEW_COLUMNS, read_decisions, write_review
    review = pd.DataFrame([{c: "" for c in REVIEW_COLUMNS} | {"enterprise": HOSTILE[3], "context": HOSTILE[0],
                                                              "enterprise_id": "E1", "product_id": "P1"}])
    out = tmp_path / "review.csv"
    write_review(review, out)
    text = out.read_bytes().decode("utf-8-sig")
    assert "'=cmd|" in text and "\n=" not in text and ",=" not in text
    assert read_decisions(out) == {}          # still reads back (no decision filled in)


def test_tsv_and_xlsx_writers(tmp_path):
    tsv = csv_bytes(pd.DataFrame({"a": HOSTILE, "n": range(5)}), sep="\t").decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(tsv), sep="\t", dtype=str)
    assert back["a"].tolist() == ["'" + h for h in HOSTILE] and back["n"].tolist() == list("01234")
    wb = new_workbook()
    ws = wb.create_sheet("x")
    ws.append(["=1+1"])            # a writer that forgot append_row: save_workbook still neutralises
    save_workbook(wb, tmp_path / "x.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "x.xlsx")["x"]["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)


def test_draft_workbook_keeps_hostile_names_as_text(tmp_path):
    from loaders.template import write_draft_workbook
    from loaders.workbook import check_path
    batch = world(products=[dict(product_id="P-X", name=HOSTILE[0], aliases=["@a"])],
                  chain_products=[], product_flows=[], enterprises=[], enterprise_products=[],
                  chain_roles=[], supplies=[], parks=[])
    path = write_draft_workbook(batch, tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(path)["products"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if c.value}
    assert cells[HOSTILE[0]].data_type == "s" and cells[HOSTILE[0]].quotePrefix
    assert check_path(path).tables["products"]["name"].tolist() == [HOSTILE[0]]   # round-trips exactly
