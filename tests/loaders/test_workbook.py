"""load_path / ensure_seeded against the embedded store: writes, dry runs, all-or-nothing."""
from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from graph import schema
from graph.errors import ValidationFailed
from graph.settings import Settings
from loaders.seed import ensure_seeded
from loaders.workbook import check_path, load_path

pytestmark = pytest.mark.skipif(importlib.util.find_spec("graph.store.embedded.store") is None,
                                reason="graph/store/embedded/store.py not written yet")


def snapshot(store) -> tuple[dict, dict]:
    """Counts and every table, as comparable plain values."""
    tables = {name: store.table(name).astype(str).to_dict(orient="records") for name in schema.TABLES}
    return store.counts(), tables


def test_load_then_reload_changes_nothing(embedded_store, write_xlsx, sample):
    path = write_xlsx(sample)
    report = load_path(embedded_store, path)
    assert report.written and report.changes["enterprises"].added == 2
    assert report.changes["chain_products"].added == 3
    counts = embedded_store.counts()
    assert counts["Chain"] == 1 and counts["Product"] == 3 and counts["FEEDS"] == 2
    again = load_path(embedded_store, path)
    assert again.added == 0 and again.changed == 0 and again.unchanged == report.added
    assert embedded_store.counts() == counts


def test_dry_run_writes_nothing(embedded_store, write_csv_dir, sample):
    before = snapshot(embedded_store)
    steps = []
    report = load_path(embedded_store, write_csv_dir(sample), dry_run=True,
                       progress=lambda step, done, total: steps.append(step))
    assert not report.written and report.changes["products"].added == 3
    assert snapshot(embedded_store) == before
    assert steps[:2] == ["read", "read"]


def test_failed_load_leaves_store_exactly_as_before(embedded_store, write_xlsx, sample):
    load_path(embedded_store, write_xlsx(sample))
    before = snapshot(embedded_store)
    bad = {name: [] for name in sample}
    bad["enterprises"] = [{"enterprise_id": "E-OK", "name": "合格公司", "source": "s", "as_of": "2024"},
                          {"enterprise_id": "E-BAD", "name": "坏公司", "employees": "很多", "source": "s",
                           "as_of": "2024"}]
    bad["chain_roles"] = [{"chain": "新能源汽车", "enterprise": "合格公司", "role": "老大", "source": "s",
                           "as_of": "2024"}]
    with pytest.raises(ValidationFailed) as err:
        load_path(embedded_store, write_xlsx(bad, name="bad.xlsx"))
    assert {p.column for p in err.value.problems} == {"employees", "role"}
    assert snapshot(embedded_store) == before


def test_second_workbook_resolves_names_in_store(embedded_store, write_xlsx, sample):
    load_path(embedded_store, write_xlsx(sample))
    second = {name: [] for name in sample}
    second["enterprises"] = [{"enterprise_id": "E-NEW", "name": "新公司", "region": "盐湖区", "park": "运城经济技术开发区",
                              "source": "s", "as_of": "2024"}]
    second["chain_roles"] = [{"chain": "新能源汽车", "enterprise": "新公司", "role": "链核", "source": "s",
                              "as_of": "2024"}]
    second["enterprise_products"] = [{"enterprise": "E-NEW", "product": "锂电池", "source": "s", "as_of": "2024"}]
    batch = check_path(write_xlsx(second, name="second.xlsx"), existing=embedded_store)
    assert batch["chain_roles"].iloc[0]["chain"] == "SX-NEV"
    report = load_path(embedded_store, write_xlsx(second, name="second2.xlsx"))
    assert report.changes["chain_roles"].added == 1 and report.changes["chains"].added == 0
    roles = embedded_store.table("chain_roles")
    assert set(zip(roles["chain"], roles["enterprise"])) == {("SX-NEV", "E-DAYUN"), ("SX-NEV", "E-NEW")}
    assert embedded_store.counts()["Chain"] == 1


def test_warnings_are_passed_on(embedded_store, write_csv_dir, sample):
    folder = write_csv_dir(sample)
    (folder / "extra.csv").write_text("a\n1\n")
    seen = []
    load_path(embedded_store, folder, dry_run=True, warn=seen.append)
    assert any("extra" in w for w in seen)


def test_ensure_seeded(embedded_store, write_csv_dir, sample, tmp_path):
    folder = write_csv_dir(sample)
    assert ensure_seeded(embedded_store, Settings(seed="none")) is None
    assert ensure_seeded(embedded_store, Settings(seed=str(tmp_path / "missing"))) is None
    report = ensure_seeded(embedded_store, Settings(seed=str(folder)))
    assert report is not None and report.added > 0
    assert ensure_seeded(embedded_store, Settings(seed=str(folder))) is None     # not empty any more


def test_loaded_values_round_trip(embedded_store, write_xlsx, sample):
    load_path(embedded_store, write_xlsx(sample))
    e = embedded_store.table("enterprises").set_index("enterprise_id")
    assert list(e.loc["E-DAYUN", "tags"]) == ["规上", "高新技术"]
    assert e.loc["E-DAYUN", "region"] == "140800"
    assert pd.api.types.is_number(e.loc["E-DAYUN", "revenue"])
