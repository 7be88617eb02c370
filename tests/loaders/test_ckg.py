"""ChainKnowledgeGraph import: counts against the raw sample, directions, weights, drops,
normalisation, cycles, regions, and the subclass effect on a gap."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from loaders.ckg import import_ckg, normalize_codes
from loaders.normalize import check_batch
from tests.conftest import CKG_SAMPLE

REPO = Path(__file__).resolve().parents[2]
SAMPLE = CKG_SAMPLE
needs_sample = pytest.mark.skipif(not (SAMPLE / "company.json").exists(),
                                  reason=f"CKG sample not found at {SAMPLE} (../shared/samples/ckg beside the repo)")
JUNK = {"公司内分部抵销数", "平衡项目", "分部间抵销", "抵销"}   # the sample's non-product lines, read by hand


def raw(name: str) -> list[dict]:
    return [json.loads(line) for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).split())


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "company.json").exists():
        pytest.skip(f"CKG sample not found at {SAMPLE}")
    return import_ckg(SAMPLE, as_of="2024-01-01")


@needs_sample
def test_counts_match_the_raw_files(sample):
    batch, report = sample
    companies, products = raw("company.json"), raw("product.json")
    cp, pp = raw("company_product.json"), raw("product_product.json")
    code_of = {c["name"]: c["code"] for c in companies}
    names = {norm(p["name"]) for p in products} | {norm(r["product_name"]) for r in cp} \
        | {norm(r[k]) for r in pp for k in ("from_entity", "to_entity")}
    links = {(code_of[r["company_name"]], norm(r["product_name"])) for r in cp
             if r["product_name"] not in JUNK and r["rel_weight"] >= 0}
    flows = {(norm(r["to_entity"]), norm(r["from_entity"])) for r in pp if r["rel"] == "上游材料"} \
        | {(norm(r["from_entity"]), norm(r["to_entity"])) for r in pp if r["rel"] == "下游产品"}
    subs = {(norm(r["to_entity"]), norm(r["from_entity"])) for r in pp if r["rel"] == "产品小类"}
    assert len(batch["enterprises"]) == len({c["code"] for c in companies}) == 40
    assert len(batch["products"]) == len(names - JUNK) == 1446
    assert len(batch["enterprise_products"]) == len(links) == 538
    assert len(batch["product_flows"]) == len({f for f in flows if f[0] != f[1]}) == 206
    assert len(batch["product_subclasses"]) == len(subs) == 753
    assert report.read == {"company.json": 41, "product.json": 1450, "company_product.json": 570,
                           "product_product.json": 988, "company_industry.json": 39, "industry.json": 153,
                           "industry_industry.json": 130}
    assert check_batch(batch) == []


@needs_sample
def test_directions_weights_and_merges(sample):
    batch, _ = sample
    flows = set(zip(batch["product_flows"]["from_product"], batch["product_flows"]["to_product"]))
    assert ("CKG:钛白粉", "CKG:涂料") in flows          # 涂料 -上游材料-> 钛白粉
    assert ("CKG:铁矿石", "CKG:螺纹钢") in flows        # 铁矿石 -下游产品-> 螺纹钢
    assert ("CKG:涂料", "CKG:钛白粉") not in flows
    subs = set(zip(batch["product_subclasses"]["product"], batch["product_subclasses"]["parent"]))
    assert ("CKG:EPDM板材", "CKG:板材") in subs          # 板材 -产品小类-> EPDM板材
    ep = batch["enterprise_products"].set_index(["enterprise", "product"])["revenue_share"]
    assert ep[("000826.SZ", "CKG:市政施工业务")] == pytest.approx(0.272192)
    assert ep[("600503.SH", "CKG:房产建筑")] is None      # weight 1.007862 > 1: kept, no share
    assert "CKG:含中山证券总部" not in set(batch["enterprise_products"]["product"])   # weight < 0: dropped
    ent = batch["enterprises"].set_index("enterprise_id")
    assert ent.loc["000826.SZ", "name"] == "启迪环境科技发展股份有限公司"
    assert "启迪桑德" in ent.loc["000826.SZ", "evidence"]
    assert ent.loc["000723.SZ", "industries"] == ["煤炭/焦炭II/焦炭III"]
    assert ent.loc["000826.SZ", "listed"] is True and ent.loc["000826.SZ", "region"] is None
    prod = batch["products"].set_index("product_id")
    assert prod.loc["CKG:V类放射源", "aliases"] == ["Ⅴ类放射源"]
    assert set(batch["product_flows"]["source"]) == {"ChainKnowledgeGraph/product_product.json"}
    assert set(batch["enterprises"]["as_of"]) == {"2024-01-01"}


@needs_sample
def test_report_lists_dropped_rows(sample):
    _, report = sample
    got = {(d["file"], d["reason"]): d["rows"] for d in report.dropped}
    assert got == {("product.json", "empty or garbage name"): 4,
                   ("company_product.json", "empty or garbage product name"): 20,
                   ("company_product.json", "negative weight (accounting offset)"): 1,
                   ("company_product.json", "exact duplicate line"): 11,
                   ("company_industry.json", "empty industry path"): 2,     # 640301 / 280102: no name
                   ("product_product.json", "duplicate flow"): 29}
    assert report.balance()["unaccounted"].tolist() == [0] * 7
    assert report.merged["renamed companies merged"] == 1
    assert report.cycle_ok == 0
    assert "dropped 4 from product.json" in report.summary()


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def messy(tmp_path):
    d = tmp_path / "ckg"
    _write(d, "company.json", [
        {"name": "包钢股份", "fullname": "内蒙古包钢钢联股份有限公司", "code": "600010", "location": "上海证券交易所"},
        {"name": "新锂", "fullname": "新锂电池股份有限公司", "code": "300999.sz", "location": "深圳证券交易所"}])
    _write(d, "product.json", [{"name": n} for n in ("锂电池", "锂 电池", "ＬＦＰ电池", "", "---", "合计", "正极材料",
                                                     "电解液", "隔膜")])
    _write(d, "company_product.json", [
        {"company_name": "新锂", "product_name": "锂 电池", "rel": "主营产品", "rel_weight": 0.7},
        {"company_name": "新锂", "product_name": "锂电池", "rel": "主营产品", "rel_weight": 0.2},
        {"company_name": "不存在", "product_name": "锂电池", "rel": "主营产品", "rel_weight": 0.5}])
    _write(d, "product_product.json", [
        {"from_entity": "锂电池", "to_entity": "锂 电池", "rel": "上游材料"},          # self-loop once normalised
        {"from_entity": "锂电池", "to_entity": "正极材料", "rel": "上游材料"},         # 正极材料 -> 锂电池
        {"from_entity": "正极材料", "to_entity": "电解液", "rel": "上游材料"},         # 电解液 -> 正极材料
        {"from_entity": "电解液", "to_entity": "锂电池", "rel": "上游材料"},           # 锂电池 -> 电解液: cycle
        {"from_entity": "锂电池", "to_entity": "ＬＦＰ电池", "rel": "产品小类"},
        {"from_entity": "锂电池", "to_entity": "隔膜", "rel": "相关"}])
    _write(d, "company_industry.json", [{"company_code": "600010.SH", "industry_code": "230301",
                                         "industry_name": "普钢", "company_name": "包钢股份", "rel": "所属行业"}])
    (tmp_path / "regions.csv").write_text("code,province,city\n600010,内蒙古,包头\n300999,山西省,火星市\n",
                                          encoding="gb18030")
    return d


def test_normalisation_cycles_and_drops(messy, tmp_path):
    batch, report = import_ckg(messy, tmp_path / "regions.csv", as_of="2024-03")
    prod = batch["products"].set_index("product_id")
    assert sorted(prod.index) == ["CKG:LFP电池", "CKG:正极材料", "CKG:电解液", "CKG:锂电池", "CKG:隔膜"]
    assert prod.loc["CKG:锂电池", "aliases"] == ["锂 电池"] and prod.loc["CKG:LFP电池", "aliases"] == ["ＬＦＰ电池"]
    ep = batch["enterprise_products"]
    assert ep[["enterprise", "product", "revenue_share"]].values.tolist() == [["300999.SZ", "CKG:锂电池", 0.7]]
    flows = batch["product_flows"]
    assert len(flows) == 3 and flows["cycle_ok"].sum() == 1 == report.cycle_ok
    assert batch["product_subclasses"][["product", "parent"]].values.tolist() == [["CKG:LFP电池", "CKG:锂电池"]]
    got = {(d["file"], d["reason"]): d["rows"] for d in report.dropped}
    assert got == {("product.json", "empty or garbage name"): 3, ("company_product.json", "unknown company"): 1,
                   ("company_product.json", "duplicate company-product"): 1,
                   ("product_product.json", "unknown relation"): 1, ("product_product.json", "self-loop"): 1}
    ent = batch["enterprises"].set_index("enterprise_id")
    assert ent.loc["600010.SH", "region"] == "150200" and ent.loc["300999.SZ", "region"] == "140000"
    assert set(batch["regions"]["code"]) == {"150000", "150200", "140000"}
    [warn] = report.problems
    assert (warn.file, warn.row, warn.column, warn.value) == ("regions.csv", 3, "city", "火星市")
    assert check_batch(batch) == []
    assert report.balance()["unaccounted"].tolist() == [0] * 5      # also with nothing dropped from a file
    assert ent.loc["600010.SH", "industries"] == ["普钢"]


def test_stock_codes():
    assert normalize_codes(__import__("pandas").Series(["000826.SZ", "830799", "688981", "sz000001"])).tolist() == \
        ["000826.SZ", "830799.BJ", "688981.SH", "000001.SZ"]


def test_loads_into_the_embedded_store_idempotently(messy, tmp_path, embedded_store):
    batch, _ = import_ckg(messy, as_of="2024-03-01")
    first = embedded_store.apply(batch)
    assert first.added == batch.rows()
    again = embedded_store.apply(import_ckg(messy, as_of="2024-03-01")[0])
    assert again.added == 0 and again.changed == 0
    assert embedded_store.counts()["FEEDS"] == 3 and embedded_store.counts()["SUBCLASS_OF"] == 1


def _subclass_chain(make_batch):
    return make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140800", "name": "运城市", "level": "city", "parent": "140000"}],
        chains=[{"chain_id": "C1", "name": "电池链", "province": "140000"}],
        products=[{"product_id": "CKG:锂电池", "name": "锂电池"}, {"product_id": "CKG:LFP电池", "name": "LFP电池"},
                  {"product_id": "CKG:正极材料", "name": "正极材料"}],
        chain_products=[{"chain": "C1", "product": "CKG:锂电池", "stage": "midstream"},
                        {"chain": "C1", "product": "CKG:正极材料", "stage": "upstream"}],
        product_subclasses=[{"product": "CKG:LFP电池", "parent": "CKG:锂电池"}],
        enterprises=[{"enterprise_id": "E1", "name": "示例电池公司", "region": "140800", "scale": "大型"}],
        enterprise_products=[{"enterprise": "E1", "product": "CKG:LFP电池"}])


def test_subclass_option_decides_the_parent_gap(make_batch, embedded_store):
    """The parent's only maker makes a subclass (小类, as CKG's 产品小类 rows load): counted for the
    parent it makes the link weak (one local maker); not counted, the link is missing."""
    from graph.analysis.gaps import diagnose

    embedded_store.apply(_subclass_chain(make_batch))
    on = diagnose(embedded_store, "C1", "140800", count_subclasses=True).links.set_index("product_id")
    assert on.loc["CKG:锂电池", "local_makers"] == 1
    assert on.loc["CKG:锂电池", "status"] == "weak"
    assert on.loc["CKG:正极材料", "status"] == "no_data"
    off = diagnose(embedded_store, "C1", "140800", count_subclasses=False).links.set_index("product_id")
    assert off.loc["CKG:锂电池", "local_makers"] == 0
    assert off.loc["CKG:锂电池", "status"] == "missing"


def test_import_ckg_command(messy, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    dry = CliRunner().invoke(main, ["import-ckg", str(messy), "--as-of", "2024-03-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "self-loop" in dry.output
    run = CliRunner().invoke(main, ["import-ckg", str(messy), "--as-of", "2024-03-01",
                                    "--regions", str(tmp_path / "regions.csv")])
    assert run.exit_code == 0, run.output
    assert "火星市" in run.output and "written: added" in run.output


def test_matches_stored_products_and_enterprises(messy, make_batch, embedded_store):
    embedded_store.apply(make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140800", "name": "运城市", "level": "city", "parent": "140000"}],
        products=[{"product_id": "P-LI", "name": "锂离子电池", "aliases": ["锂电池"]}],
        enterprises=[{"enterprise_id": "E-XL", "name": "新锂", "stock_code": "300999", "region": "140800",
                      "tags": ["规上"]}]))
    batch, report = import_ckg(messy, as_of="2024-03-01", known_products=embedded_store.table("products"),
                               known_enterprises=embedded_store.table("enterprises"),
                               known_regions=embedded_store.table("regions"))
    assert not {"P-LI", "CKG:锂电池"} & set(batch["products"]["product_id"])
    assert batch["enterprise_products"][["enterprise", "product"]].values.tolist() == [["E-XL", "P-LI"]]
    assert ("CKG:正极材料", "P-LI") in set(zip(batch["product_flows"]["from_product"], batch["product_flows"]["to_product"]))
    row = batch["enterprises"].set_index("enterprise_id").loc["E-XL"]
    assert (row["name"], row["region"], row["tags"]) == ("新锂", "140800", ["规上", "上市"])
    assert report.merged["products matched to stored products"] == 1
    assert report.merged["enterprises matched to stored enterprises"] == 1
    embedded_store.apply(batch)
    assert embedded_store.counts()["Enterprise"] == 2 and embedded_store.counts()["MAKES"] == 1
