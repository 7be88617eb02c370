"""validate(): normalisation of a good batch, and one precise InputProblem per fault."""
from __future__ import annotations

import pytest

from graph import schema
from graph.errors import ValidationFailed
from loaders.read import read_tables
from loaders.validate import validate


def problems_of(raw, existing=None):
    with pytest.raises(ValidationFailed) as err:
        validate(raw, existing)
    return err.value.problems


def only(problems, **match):
    hits = [p for p in problems if all(getattr(p, k) == v for k, v in match.items())]
    assert len(hits) == 1, (match, [str(p) for p in problems])
    return hits[0]


@pytest.fixture
def read(write_csv_dir):
    """read(tables) -> RawTables via a CSV folder (UTF-8)."""
    return lambda tables: read_tables(write_csv_dir(tables))


def test_valid_batch_is_normalised(read, sample):
    sample["enterprises"][0]["name"] = "\u3000大运汽车股份有限公司 "
    batch = validate(read(sample))
    for name, table in schema.TABLES.items():
        assert list(batch[name].columns) == table.column_names
    assert len(batch["product_subclasses"]) == 0 and len(batch["supplies"]) == 0
    cp = batch["chain_products"]
    assert list(cp["chain"]) == ["SX-NEV"] * 3
    assert list(cp["product"]) == ["P-CATH", "P-BATT", "P-CAR"]            # name, alias, id
    assert list(cp["stage"]) == ["upstream", "midstream", "downstream"]
    assert list(cp["key_link"]) == [False, True, False]
    regions = batch["regions"].set_index("code")
    assert regions.loc["140800", "level"] == "city" and regions.loc["140800", "parent"] == "140000"
    assert regions.loc["140800", "lon"] == pytest.approx(111.007) and regions.loc["140000", "lon"] is None
    e = batch["enterprises"].iloc[0].to_dict()
    assert e["name"] == "大运汽车股份有限公司"
    assert e["revenue"] == 1200000.0 and e["employees"] == 8000 and isinstance(e["employees"], int)
    assert e["tags"] == ["规上", "高新技术"] and e["industries"] == [] and e["uscc"] is None
    assert e["region"] == "140800" and e["park"] == "PK-YC" and e["scale"] == "大型"
    assert e["listed"] is False and e["illustrative"] is False
    assert batch["enterprises"].iloc[1]["illustrative"] is True
    assert batch["enterprises"].iloc[1]["scale"] == "中型"
    assert list(batch["enterprise_products"]["revenue_share"]) == [0.6, 1.0]
    assert batch["products"].set_index("product_id").loc["P-BATT", "aliases"] == ["锂电池", "动力锂电池"]
    assert batch["parks"].iloc[0]["region"] == "140802"
    assert batch["chains"].iloc[0]["year"] == 2022 and batch["chains"].iloc[0]["province"] == "140000"
    assert batch.source == "csv"


@pytest.mark.parametrize("text,expected", [("2024-4-9", "2024-04-09"), ("2024/04", "2024-04"),
                                           ("2024年4月9日", "2024-04-09"), ("2023", "2023"),
                                           ("2024-04-09 00:00:00", "2024-04-09"), ("20240409", "2024-04-09")])
def test_as_of_forms(read, sample, text, expected):
    sample["chains"][0]["as_of"] = text
    assert validate(read(sample))["chains"].iloc[0]["as_of"] == expected


def test_missing_required_column_and_absent_table(read, sample):
    for row in sample["products"]:
        del row["name"]
    del sample["chain_roles"]
    raw = read(sample)
    raw.tables["products"].columns.remove("name")
    for _, vals in raw.tables["products"].rows:
        vals.pop("name")
    problems = problems_of(raw)
    p = only(problems, sheet="products", column="name")
    assert p.row is None and "missing required column" in p.message
    assert not [p for p in problems if p.sheet == "chain_roles"]        # a table may be left out
    assert not [p for p in problems if p.sheet == "products" and p.row is not None]   # no per-row noise


def test_optional_table_may_be_absent(read, sample):
    assert "supplies" not in sample
    validate(read(sample))


def test_duplicate_keys_also_after_resolving_names(read, sample):
    sample["products"].append({**sample["products"][0]})
    sample["chain_roles"].append({**sample["chain_roles"][0], "chain": "SX-NEV", "enterprise": "大运汽车股份有限公司"})
    problems = problems_of(read(sample))
    p = only(problems, sheet="products", column="product_id")
    assert p.row == 5 and p.value == "P-CATH" and "第 2 行" in p.message
    r = only(problems, sheet="chain_roles")
    assert r.row == 3 and r.value == "SX-NEV / E-DAYUN"


def test_dangling_reference_lists_candidates(read, sample):
    sample["chain_roles"][0]["chain"] = "新能原汽车"
    p = only(problems_of(read(sample)), sheet="chain_roles", column="chain")
    assert p.row == 2 and p.value == "新能原汽车" and "unknown reference" in p.message
    assert "新能源汽车 (SX-NEV)" in p.fix


def test_substring_candidate_and_no_candidate(read, sample):
    sample["enterprise_products"][0]["enterprise"] = "大运汽车"
    sample["enterprise_products"][1]["product"] = "zzz"
    problems = problems_of(read(sample))
    assert "大运汽车股份有限公司 (E-DAYUN)" in only(problems, column="enterprise").fix
    assert "准确名称" in only(problems, column="product").fix


def test_ambiguous_name_lists_ids(read, sample):
    sample["products"].append({**sample["products"][0], "product_id": "P-BATT2", "name": "动力电池"})
    p = only(problems_of(read(sample)), sheet="product_flows", row=2)
    assert "several" in p.message and "P-BATT" in p.fix and "P-BATT2" in p.fix


@pytest.mark.parametrize("table,column,value,words", [
    ("chain_products", "stage", "上中游", ["upstream", "上游", "midstream"]),
    ("enterprises", "employees", "约8000人", ["digits"]),
    ("enterprises", "revenue", "n/a", ["digits"]),
    ("enterprise_products", "revenue_share", "60", ["0.6"]),
    ("regions", "code", "14080", ["6-digit"]),
    ("chains", "as_of", "2024-13-01", ["YYYY-MM-DD"]),
    ("chain_products", "key_link", "也许", ["是"]),
    ("parks", "kind", "工业园", ["国家级经开区"]),
])
def test_bad_cells(read, sample, table, column, value, words):
    sample[table][0][column] = value
    p = only(problems_of(read(sample)), sheet=table, column=column)
    assert p.row == 2 and p.value == value
    for w in words:
        assert w in p.fix


def test_missing_provenance_and_required_cell(read, sample):
    sample["enterprises"][1]["source"] = ""
    sample["products"][2]["as_of"] = " "
    sample["chains"][0]["name"] = ""
    problems = problems_of(read(sample))
    assert only(problems, sheet="enterprises", column="source").row == 3
    assert "illustrative" in only(problems, sheet="products", column="as_of").fix
    assert "required value is empty" in only(problems, sheet="chains", column="name").message


def test_cycle_is_reported_with_path(read, sample):
    sample["product_flows"].append({**sample["product_flows"][0], "from_product": "整车", "to_product": "正极材料"})
    p = only(problems_of(read(sample)), sheet="product_flows")
    assert "cycle" in p.message and p.row == 2 and "rows 2, 3, 4" in p.message
    assert "正极材料(P-CATH)" in p.value and p.value.count("→") == 3
    assert "cycle_ok" in p.fix


def test_cycle_ok_allows_the_cycle_and_self_loop_is_a_cycle(read, sample):
    sample["product_flows"].append({**sample["product_flows"][0], "from_product": "整车", "to_product": "正极材料",
                                    "cycle_ok": "是"})
    validate(read(sample))
    sample["product_flows"].append({**sample["product_flows"][0], "from_product": "整车", "to_product": "整车"})
    p = only(problems_of(read(sample)), sheet="product_flows")
    assert p.row == 5 and p.value == "整车(P-CAR) → 整车(P-CAR)"


def test_several_faults_reported_at_once(write_xlsx, sample):
    sample["chain_products"][0]["stage"] = "上上游"
    sample["enterprises"][0]["revenue"] = "很多"
    sample["chain_roles"][0]["enterprise"] = "不存在的公司"
    sample["products"].append(dict(sample["products"][1]))
    del sample["parks"]
    err = pytest.raises(ValidationFailed, validate, read_tables(write_xlsx(sample)))
    problems = err.value.problems
    assert len(problems) >= 5
    assert {p.sheet for p in problems} >= {"chain_products", "enterprises", "chain_roles", "products",
                                           "park_chains"}   # parks left out: references to the park fail
    assert all(p.file == "data.xlsx" for p in problems)
    assert f"{len(problems)} problems" in str(err.value)


def test_read_problems_are_included(write_csv_dir, sample):
    folder = write_csv_dir(sample)
    (folder / "supplies.csv").write_bytes(b"")
    p = only(problems_of(read_tables(folder)), sheet="supplies")
    assert "empty" in p.message


def test_references_resolve_against_existing_store(read, sample, fake_store):
    first = validate(read(sample))
    second = {name: [] for name in sample}
    second["enterprises"] = [{"enterprise_id": "E-NEW", "name": "新公司", "region": "盐湖区",
                              "source": "s", "as_of": "2024"}]
    second["chain_roles"] = [{"chain": "新能源汽车", "enterprise": "新公司", "role": "链核",
                              "source": "s", "as_of": "2024"}]
    second["chain_products"] = [{"chain": "新能源汽车", "product": "动力锂电池", "stage": "中游",
                                 "source": "s", "as_of": "2024"}]
    raw = read(second)
    with pytest.raises(ValidationFailed):
        validate(raw)                                         # names unknown without the store
    batch = validate(raw, existing=fake_store(first))
    assert batch["chain_roles"].iloc[0][["chain", "enterprise", "role"]].tolist() == ["SX-NEV", "E-NEW", "链核"]
    assert batch["chain_products"].iloc[0]["product"] == "P-BATT"              # alias of a stored product
    assert batch["enterprises"].iloc[0]["region"] == "140802"


def test_cycle_through_stored_flows(read, sample, fake_store):
    stored = fake_store(validate(read(sample)))
    second = {name: [] for name in sample}
    second["product_flows"] = [{"from_product": "整车", "to_product": "P-CATH", "source": "s", "as_of": "2024"}]
    p = only(problems_of(read(second), stored), sheet="product_flows")
    assert p.row == 2 and "P-BATT" in p.value
