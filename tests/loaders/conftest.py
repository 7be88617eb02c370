"""Loader test helpers: a small valid dataset as text rows, and writers for the three input
layouts (workbook, CSV folder in any encoding, zip)."""
from __future__ import annotations

import copy
import csv
import io
import zipfile

import pandas as pd
import pytest

from graph import schema

P = {"source": "https://example.gov.cn/notice", "as_of": "2024-04-09"}

SAMPLE = {
    "regions": [
        {"code": "140000", "name": "山西省", "level": "省", **P},
        {"code": "140800", "name": "运城市", "level": "市", "parent": "山西省", "lon": "111.007", "lat": "35.026", **P},
        {"code": "140802", "name": "盐湖区", "level": "区", "parent": "140800", **P},
    ],
    "chains": [{"chain_id": "SX-NEV", "name": "新能源汽车", "chief_title": "副省长", "year": "2022",
                "province": "山西省", **P}],
    "products": [
        {"product_id": "P-CATH", "name": "正极材料", **P},
        {"product_id": "P-BATT", "name": "动力电池", "aliases": "锂电池;动力锂电池", **P},
        {"product_id": "P-CAR", "name": "整车", **P},
    ],
    "chain_products": [
        {"chain": "新能源汽车", "product": "正极材料", "stage": "上游", **P},
        {"chain": "SX-NEV", "product": "锂电池", "stage": "中游", "key_link": "是", **P},
        {"chain": "SX-NEV", "product": "P-CAR", "stage": "downstream", **P},
    ],
    "product_flows": [
        {"from_product": "正极材料", "to_product": "动力电池", **P},
        {"from_product": "动力电池", "to_product": "整车", **P},
    ],
    "parks": [{"park_id": "PK-YC", "name": "运城经济技术开发区", "kind": "省级开发区", "region": "盐湖区", **P}],
    "park_chains": [{"park": "运城经济技术开发区", "chain": "新能源汽车", **P}],
    "enterprises": [
        {"enterprise_id": "E-DAYUN", "name": "大运汽车股份有限公司", "region": "运城市", "park": "PK-YC",
         "scale": "大型", "revenue": "1,200,000", "employees": "8000", "tags": "规上、高新技术", **P},
        {"enterprise_id": "E-CATH", "name": "运城正极材料有限公司", "region": "盐湖区", "scale": "中", **P,
         "illustrative": "是"},
    ],
    "enterprise_products": [
        {"enterprise": "大运汽车股份有限公司", "product": "整车", "revenue_share": "0.6", **P},
        {"enterprise": "E-CATH", "product": "正极材料", "revenue_share": "100%", **P},
    ],
    "chain_roles": [{"chain": "新能源汽车", "enterprise": "E-DAYUN", "role": "链主", **P}],
}


def frames(tables: dict) -> dict[str, pd.DataFrame]:
    """Text frames with every column of each table (missing cells '')."""
    return {name: pd.DataFrame([{c: r.get(c, "") for c in schema.TABLES[name].column_names} for r in rows],
                               columns=schema.TABLES[name].column_names)
            for name, rows in tables.items()}


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(df.columns)
    w.writerows(df.astype(str).values.tolist())
    return buf.getvalue()


@pytest.fixture
def sample():
    """A fresh deep copy of the valid sample dataset (table -> list of text row dicts)."""
    return copy.deepcopy(SAMPLE)


@pytest.fixture
def write_xlsx(tmp_path):
    """write_xlsx(tables, name="data.xlsx", sheet_names=None) -> path of a workbook."""
    def write(tables: dict, name: str = "data.xlsx", sheet_names: dict | None = None):
        path = tmp_path / name
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            for table, df in frames(tables).items():
                df.to_excel(xw, sheet_name=(sheet_names or {}).get(table, table), index=False)
        return path
    return write


@pytest.fixture
def write_csv_dir(tmp_path):
    """write_csv_dir(tables, encoding="utf-8", name="csv") -> folder of <table>.csv files
    (a fresh folder on every call: csv, csv2, csv3 …)."""
    def write(tables: dict, encoding: str = "utf-8", name: str = "csv"):
        folder, n = tmp_path / name, 1
        while folder.exists():
            n += 1
            folder = tmp_path / f"{name}{n}"
        folder.mkdir()
        for table, df in frames(tables).items():
            (folder / f"{table}.csv").write_bytes(_csv_text(df).encode(encoding))
        return folder
    return write


@pytest.fixture
def write_zip(tmp_path):
    """write_zip(tables, name="data.zip") -> a zip of <table>.csv files in a sub-folder."""
    def write(tables: dict, name: str = "data.zip"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for table, df in frames(tables).items():
                zf.writestr(f"export/{table}.csv", _csv_text(df).encode("utf-8-sig"))
        return path
    return write


class FakeStore:
    """Just enough of AtlasStore for validate(existing=…): node_names and table, from a batch."""

    def __init__(self, batch):
        self.batch = batch

    def node_names(self, table: str) -> pd.DataFrame:
        t = schema.TABLES[table]
        df = self.batch[table]
        out = pd.DataFrame({"id": list(df[t.key[0]]), "name": list(df[t.name_column])}, dtype=object)
        if "aliases" in t.column_names:
            out["aliases"] = [a if isinstance(a, list) else [] for a in df["aliases"]]
        return out

    def table(self, name: str) -> pd.DataFrame:
        return self.batch[name].copy()


@pytest.fixture
def fake_store():
    """fake_store(batch) -> a read-only stand-in for a store holding ``batch``."""
    return FakeStore
