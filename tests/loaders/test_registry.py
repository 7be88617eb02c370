"""Registry (企业名录) import: messy headers, encodings, regions, tagging, review round trip."""
from __future__ import annotations

import csv

import pandas as pd
import pytest

from loaders.registry import import_registry, map_columns, read_decisions, write_review

PRODUCTS = pd.DataFrame({
    "product_id": ["P-LI", "P-POWER", "P-PARTS", "P-CAR", "P-MOTOR", "P-CATH"],
    "name": ["锂电池", "动力电池", "汽车零部件", "汽车", "电机", "正极材料"],
    "aliases": [[], ["动力锂电池"], [], [], [], []],
})
REGIONS = pd.DataFrame({"code": ["140000", "140800", "140802"], "name": ["山西省", "运城市", "盐湖区"],
                        "level": ["province", "city", "county"], "parent": [None, "140000", "140800"]})
USCC = "91140800MA0K12345X"
ROWS = [
    ["运城示例电池有限公司", USCC, "张三", "5000", "山西", "运城", "盐湖区",
     "锂电池、电机的研发、生产和销售；汽车零部件销售", "动力锂电池", "中型企业"],
    ["ＡＢＣ贸易有限公司", "", "李四", "100", "山西省", "火星市", "", "销售：锂电池、正极材料", "", "小型"],
    ["示例汽车服务有限公司", "bad-code", "王五", "50", "北京", "北京市", "朝阳区",
     "汽车维修；正极材料技术咨询；电机技术服务", "", "微型"],
    ["", "", "", "", "山西", "", "", "锂电池制造", "", ""],
]
CSV_HEADER = [" 企业名称 ", "统一社会信用代码", "法定代表人", "注册资本(万元)", "所属省份", "所属城市", "所属区县",
              "经营范围", "主营产品", "企业规模"]
XLSX_HEADER = ["公司名称", "信用代码", "法人代表", "注册资本（万元）", "省份", "地市", "区县", "经营范围 ",
               "主要产品", "规模"]
EXPECTED_TAGS = {
    ("运城示例电池有限公司", "P-LI"): ("经营范围", "make", 0.85, "auto"),
    ("运城示例电池有限公司", "P-MOTOR"): ("经营范围", "make", 0.85, "auto"),
    ("运城示例电池有限公司", "P-PARTS"): ("经营范围", "trade", 0.0, "trade"),
    ("运城示例电池有限公司", "P-POWER"): ("主营产品", "exact", 0.9, "auto"),
    ("ABC贸易有限公司", "P-LI"): ("经营范围", "trade", 0.0, "trade"),
    ("ABC贸易有限公司", "P-CATH"): ("经营范围", "trade", 0.0, "trade"),
    ("示例汽车服务有限公司", "P-CAR"): ("经营范围", "service", 0.0, "service"),
    ("示例汽车服务有限公司", "P-CATH"): ("经营范围", "mention", 0.6, "review"),
    ("示例汽车服务有限公司", "P-MOTOR"): ("经营范围", "mention", 0.6, "review"),
}


@pytest.fixture
def gb_csv(tmp_path):
    path = tmp_path / "名录.csv"
    with open(path, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名录导出（示例）"])           # a title line above the header
        w.writerow(CSV_HEADER)
        w.writerows(ROWS)
    return path


@pytest.fixture
def xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(XLSX_HEADER)
    for r in ROWS:
        ws.append([float(c) if c.isdigit() else c for c in r])
    path = tmp_path / "名录.xlsx"
    wb.save(path)
    return path


def run(path, **kw):
    return import_registry(path, products=PRODUCTS, regions=REGIONS, as_of="2024-05-01", **kw)


def tag_map(result):
    return {(r.enterprise, r.product_id): (r.field, r.mode, r.confidence, r.decision)
            for r in result.tags.itertuples()}


@pytest.mark.parametrize("fixture", ["gb_csv", "xlsx"])
def test_registry_tags_exactly_as_expected(fixture, request):
    path = request.getfixturevalue(fixture)
    result = run(path)
    assert tag_map(result) == EXPECTED_TAGS
    ent = result.batch["enterprises"].set_index("name")
    assert list(ent.index) == ["运城示例电池有限公司", "ABC贸易有限公司", "示例汽车服务有限公司"]
    assert ent.loc["运城示例电池有限公司", "enterprise_id"] == USCC
    assert ent.loc["运城示例电池有限公司", "region"] == "140802"
    assert ent.loc["运城示例电池有限公司", "scale"] == "中型"
    assert ent.loc["运城示例电池有限公司", "evidence"] == "法定代表人 张三；注册资本 5000万元"
    assert ent.loc["ABC贸易有限公司", "region"] == "140000"          # city unknown: only the province kept
    assert ent.loc["示例汽车服务有限公司", "region"] == "110105"     # 朝阳区 from the national county reference
    assert ent.loc["示例汽车服务有限公司", "uscc"] is None
    loaded = result.batch["enterprise_products"]
    assert sorted(zip(loaded["enterprise"], loaded["product"])) == \
        [(USCC, "P-LI"), (USCC, "P-MOTOR"), (USCC, "P-POWER")]
    assert sorted(result.batch["regions"]["code"]) == ["110000", "110105"]   # only what the given regions lack
    header_row = 2 if fixture == "gb_csv" else 1
    warnings = {(p.row - header_row, p.column, p.value) for p in result.problems}
    city, uscc, name = ("所属城市", "统一社会信用代码", "企业名称") if fixture == "gb_csv" \
        else ("地市", "信用代码", "公司名称")
    assert warnings == {(2, city, "火星市"), (3, uscc, "bad-code"), (4, name, "")}
    assert all(p.file == path.name for p in result.problems)
    assert len(result.review) == 2 and result.rows == 4


def test_review_round_trip(gb_csv, tmp_path, make_batch, embedded_store):
    first = run(gb_csv)
    out = tmp_path / "review.csv"
    write_review(first.review, out)
    filled = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(filled["product_id"]) == ["P-CATH", "P-MOTOR"] and set(filled["decision"]) == {""}
    filled["decision"] = ["是", "reject"]
    filled.to_csv(out, index=False, encoding="gb18030")     # as Excel on Chinese Windows saves it
    assert read_decisions(out) == {("REG:示例汽车服务有限公司", "P-CATH"): "accept",
                                   ("REG:示例汽车服务有限公司", "P-MOTOR"): "reject"}
    second = run(gb_csv, accept=out)
    assert second.review.empty
    decisions = tag_map(second)
    assert decisions[("示例汽车服务有限公司", "P-CATH")][3] == "accepted"
    assert decisions[("示例汽车服务有限公司", "P-MOTOR")][3] == "rejected"
    loaded = set(zip(second.batch["enterprise_products"]["enterprise"], second.batch["enterprise_products"]["product"]))
    assert ("REG:示例汽车服务有限公司", "P-CATH") in loaded and ("REG:示例汽车服务有限公司", "P-MOTOR") not in loaded
    # the batch loads into a store that holds the products and regions
    embedded_store.apply(make_batch(products=[{"product_id": p, "name": n} for p, n in
                                              zip(PRODUCTS["product_id"], PRODUCTS["name"])],
                                    regions=REGIONS.to_dict("records")))
    report = embedded_store.apply(second.batch)
    assert report.changes["enterprise_products"].added == 4
    assert embedded_store.apply(run(gb_csv, accept=out).batch).added == 0


def test_mapping_file_and_stored_enterprises(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("单位,地区,产品说明\n大运汽车股份有限公司,运城,汽车制造\n", encoding="utf-8-sig")
    mapping = tmp_path / "map.csv"
    mapping.write_text("column,field\n单位,企业名称\n地区,city\n产品说明,经营范围\n", encoding="utf-8")
    stored = pd.DataFrame({"enterprise_id": ["E-DAYUN"], "name": ["大运汽车股份有限公司"], "uscc": [None],
                           "region": ["140800"], "park": [None], "tags": [["规上"]], "listed": [False],
                           "industries": [[]], "scale": ["大型"], "evidence": [None]})
    result = import_registry(path, mapping=mapping, products=PRODUCTS, regions=REGIONS, enterprises=stored)
    assert result.columns == {"name": "单位", "city": "地区", "scope": "产品说明"}
    [row] = result.batch["enterprises"].to_dict("records")
    assert (row["enterprise_id"], row["region"], row["tags"], row["scale"]) == ("E-DAYUN", "140800", ["规上"], "大型")
    assert list(result.batch["enterprise_products"]["product"]) == ["P-CAR"]


def test_header_synonyms():
    cols = map_columns(["Name", " 统一社会信用代码 ", "注册资本（万元）", "所属区县", "主营业务", "行业"])
    assert cols == {"name": 0, "uscc": 1, "capital": 2, "county": 3, "products": 4, "industry": 5}


def test_no_name_column_is_an_error(tmp_path):
    from graph.errors import ValidationFailed

    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        import_registry(path)
    assert err.value.problems[0].file == "x.csv"


def test_import_registry_command(gb_csv, tmp_path, monkeypatch, make_batch):
    from click.testing import CliRunner

    from cli.main import main
    from graph.store.embedded.store import EmbeddedStore

    db = tmp_path / "atlas"
    with EmbeddedStore(str(db)) as store:
        store.apply(make_batch(products=PRODUCTS.to_dict("records"), regions=REGIONS.to_dict("records")))
    monkeypatch.setenv("CHAINATLAS_DB", str(db))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    review = tmp_path / "review.csv"
    first = CliRunner().invoke(main, ["import-registry", str(gb_csv), "--review-out", str(review), "--dry-run"])
    assert first.exit_code == 0, first.output
    assert "2 to review" in first.output and "火星市" in first.output and review.exists()
    filled = pd.read_csv(review, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    filled["decision"] = ["accept", "accept"]
    filled.to_csv(review, index=False, encoding="utf-8-sig")
    second = CliRunner().invoke(main, ["import-registry", str(gb_csv), "--accept", str(review)])
    assert second.exit_code == 0, second.output
    with EmbeddedStore(str(db)) as store:
        assert store.counts()["MAKES"] == 5


def test_registry_infers_regions_from_address_then_name_and_round_trips(tmp_path, embedded_store):
    """No province/city columns: the address (注册地址) gives the region, else the name; a region
    already stored is never overridden; the review CSV comes back with decisions."""
    path = tmp_path / "名录.csv"
    path.write_text("企业名称,注册地址,主营产品\n"
                    "山西示例焦化有限公司,山西省晋中市介休市义安镇,焦炭\n"     # address: 介休市 (县级市)
                    "山西示例煤业有限公司,,原煤\n"                              # name only: 山西省
                    "示例科技有限公司,某某路1号,软件\n"                          # nothing certain
                    "运城已知有限公司,北京市朝阳区,电机\n", encoding="utf-8")  # stored region wins
    embedded_store.apply(__import__("tests.conftest", fromlist=["build_batch"]).build_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140800", "name": "运城市", "level": "city", "parent": "140000"}],
        enterprises=[{"enterprise_id": "E-KNOWN", "name": "运城已知有限公司", "region": "140800"}]))
    kw = dict(products=PRODUCTS, regions=embedded_store.table("regions"),
              enterprises=embedded_store.table("enterprises"), as_of="2024-05-01", infer_regions=True)
    result = import_registry(path, **kw)
    ent = result.batch["enterprises"].set_index("name")
    got = ent[["region", "region_source", "region_evidence"]].astype(object).where(ent.notna(), None)
    assert got.loc["山西示例焦化有限公司"].tolist() == ["140781", "inferred", "地址：山西省晋中市介休市"]
    assert got.loc["山西示例煤业有限公司"].tolist() == ["140000", "inferred", "名称：山西"]
    assert got.loc["示例科技有限公司"].tolist() == [None, None, None]
    assert got.loc["运城已知有限公司", "region"] == "140800"
    assert got.loc["运城已知有限公司", "region_source"] != "inferred"
    assert sorted(result.region_review["enterprise"]) == ["山西示例焦化有限公司", "山西示例煤业有限公司"]
    assert {"140700", "140781"} <= set(result.batch["regions"]["code"])

    review = result.region_review.assign(decision=["否", "是"])
    write_review(review, tmp_path / "r.csv")
    again = import_registry(path, **kw, region_review=tmp_path / "r.csv").batch["enterprises"].set_index("name")
    assert again.loc["山西示例焦化有限公司", "region"] is None
    assert again.loc["山西示例煤业有限公司", ["region", "region_source"]].tolist() == ["140000", "given"]


def test_import_registry_cli_region_review(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    path = tmp_path / "名录.csv"
    path.write_text("企业名称,注册地址\n山西示例煤业有限公司,山西省太原市小店区\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["import-registry", str(path), "--infer-regions", "--region-review-out",
                                    str(tmp_path / "r.csv"), "--as-of", "2024-05-01"])
    assert out.exit_code == 0, out.output
    review = pd.read_csv(tmp_path / "r.csv", dtype=str, encoding="utf-8-sig")
    assert review[["enterprise", "region", "evidence"]].values.tolist() == \
        [["山西示例煤业有限公司", "140105", "地址：山西省太原市小店区"]]
    bad = CliRunner().invoke(main, ["import-registry", str(path), "--region-accept", str(tmp_path / "r.csv")])
    assert bad.exit_code != 0 and "--infer-regions" in bad.output
