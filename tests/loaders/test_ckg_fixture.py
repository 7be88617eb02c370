"""ChainKnowledgeGraph import on ChainAtlas's own fixture (tests/fixtures/ckg, always present) and
on the shared public sample with region inference: conflicting company rows, as_of from the data,
aliases, every line accounted for, inferred regions and their review round trip."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from graph.analysis.lookup import resolve_enterprise
from loaders.ckg import import_ckg
from loaders.normalize import check_batch
from tests.conftest import CKG_FIXTURE, CKG_SAMPLE


def lines(name: str) -> int:
    return sum(1 for line in (CKG_FIXTURE / name).read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.fixture(scope="module")
def fixture():
    return import_ckg(CKG_FIXTURE, infer_regions=True)


def test_conflicting_rows_are_kept_apart_not_merged(fixture):
    batch, report = fixture
    ent = batch["enterprises"].set_index("enterprise_id")
    assert ent.loc["688078.SH", "name"] == "北京龙软科技股份有限公司"
    assert ent.loc["688078.SH", "aliases"] == ["龙软科技"]            # no 中国交建, no 九州通
    assert ent.loc["300818.SZ", "name"] == "江西耐普矿机新材料股份有限公司"
    got = {(c["code"], c["dropped"]) for c in report.conflicts}
    assert got == {("688078.SH", "中国交建（上市 2012-03-09）"), ("688078.SH", "九州通（上市 2010-11-02）"),
                   ("300818.SZ", "凯迪生态（上市 1999-09-23）")}
    assert report.dropped_count("company.json", "same code, other listing date (conflict, not merged)") == 3
    # a product line of a dropped conflicting name does not land on the small company
    assert ("688078.SH", "CKG:药品") not in set(zip(batch["enterprise_products"]["enterprise"],
                                                   batch["enterprise_products"]["product"]))
    assert report.dropped_count("company_product.json", "unknown company") == 1


def test_a_rename_is_merged_with_its_names_as_aliases(fixture):
    batch, report = fixture
    row = batch["enterprises"].set_index("enterprise_id").loc["601012.SH"]
    assert row["name"] == "隆基绿能科技股份有限公司"
    assert row["aliases"] == ["隆基绿能", "隆基股份", "西安隆基硅材料股份有限公司"]
    assert report.merged["renamed companies merged"] == 1
    ep = set(zip(batch["enterprise_products"]["enterprise"], batch["enterprise_products"]["product"]))
    assert ("601012.SH", "CKG:单晶硅片") in ep      # written under the former name 隆基股份


def test_as_of_comes_from_the_data_not_the_file_date(fixture, tmp_path):
    batch, _ = fixture
    assert set(batch["enterprises"]["as_of"]) == {"2020-02-11"}       # latest listing date in company.json
    copy = tmp_path / "ckg"
    copy.mkdir()
    for f in CKG_FIXTURE.glob("*.json"):
        (copy / f.name).write_bytes(f.read_bytes())                   # a fresh copy: new mtimes
    again, _ = import_ckg(copy, infer_regions=True)
    assert set(again["products"]["as_of"]) == {"2020-02-11"}
    assert set(import_ckg(copy, as_of="2022-03-01")[0]["enterprises"]["as_of"]) == {"2022-03-01"}


def test_every_input_line_is_accounted_for(fixture):
    _, report = fixture
    bal = report.balance().set_index("file")
    assert bal["unaccounted"].eq(0).all(), bal
    assert bal["read"].to_dict() == {f: lines(f) for f in bal.index}
    got = {(d["file"], d["reason"]): (d["rows"], d["example"]) for d in report.dropped}
    assert got[("company.json", "exact duplicate line")][0] == 1
    assert got[("company.json", "bad stock code")] == (1, "ABC123")
    assert got[("company.json", "invalid JSON line")][0] == 1
    assert got[("company_industry.json", "unknown company")] == (1, "999999.SZ 不存在的公司")
    assert got[("company_industry.json", "empty industry path")][0] == 1
    assert got[("company_product.json", "duplicate company-product")] == (1, "宁德时代 · 锂 电池")   # raw values
    assert got[("product_product.json", "unknown relation")] == (1, "锂电池 -相关-> 电芯")
    assert report.used["company.json"] == {"enterprises": 9, "renamed companies merged (曾用名)": 1}
    assert "conflict 688078.SH" in report.summary()


def test_regions_are_inferred_to_the_finest_certain_level(fixture):
    batch, report = fixture
    ent = batch["enterprises"].set_index("enterprise_id")
    assert ent.loc["600740.SH", ["region", "region_source", "region_evidence"]].tolist() == \
        ["140000", "inferred", "名称：山西"]                            # 山西… gives 山西省 only
    assert ent.loc["002709.SZ", "region"] == "440100"                  # 广州天赐 → 广州市
    assert ent.loc["601012.SH", "region"] is None                      # 隆基绿能…: nothing certain
    assert ent.loc["601012.SH", "region_source"] is None
    assert {"140000", "440100", "440000"} <= set(batch["regions"]["code"])
    assert len(report.region_review) == int((ent["region_source"] == "inferred").sum()) == 8
    assert check_batch(batch) == []


def test_given_regions_are_never_overridden(tmp_path):
    (tmp_path / "r.csv").write_text("code,province,city\n600740,山西省,介休市\n600740,山西省,太原市\n"
                                    "123456,山西,太原\n", encoding="utf-8")
    batch, report = import_ckg(CKG_FIXTURE, tmp_path / "r.csv", infer_regions=True)
    row = batch["enterprises"].set_index("enterprise_id").loc["600740.SH"]
    assert (row["region"], row["region_source"], row["region_evidence"]) == ("140781", "given", None)  # 县级市
    warned = {(p.row, p.column, p.value) for p in report.problems}
    assert (3, "code", "600740") in warned and (4, "code", "123456") in warned   # duplicate, unknown code
    assert "140700" in set(batch["regions"]["code"])                           # 介休市's city comes along


def test_region_review_round_trip(fixture, tmp_path, embedded_store):
    _, report = fixture
    review = report.region_review.copy()
    review.loc[review["enterprise_id"] == "600740.SH", "decision"] = "是"
    review.loc[review["enterprise_id"] == "000723.SZ", "decision"] = "否"
    review.loc[review["enterprise_id"] == "600408.SH", ["decision", "region"]] = ["accept", "介休市"]
    path = tmp_path / "review.csv"
    review.to_csv(path, index=False, encoding="gb18030")                       # as Excel saves it
    batch, rep = import_ckg(CKG_FIXTURE, infer_regions=True, region_review=path)
    ent = batch["enterprises"].set_index("enterprise_id")
    assert ent.loc["600740.SH", ["region", "region_source"]].tolist() == ["140000", "given"]
    assert ent.loc["600740.SH", "region_evidence"] == "人工核对（推断自 名称：山西）"
    assert ent.loc["000723.SZ", ["region", "region_source"]].tolist() == [None, None]
    assert ent.loc["600408.SH", ["region", "region_source"]].tolist() == ["140781", "given"]
    assert ent.loc["300750.SZ", "region_source"] == "inferred"                # undecided: still inferred
    embedded_store.apply(batch)
    stored = embedded_store.table("enterprises").set_index("enterprise_id")
    assert stored.loc["600408.SH", "region_source"] == "given"
    assert stored.loc["300750.SZ", ["region", "region_source", "region_evidence"]].tolist() == \
        ["350900", "inferred", "名称：宁德"]


def test_aliases_are_searchable_and_name_references(fixture, embedded_store, write_csv_dir, sample):
    from loaders.workbook import load_path

    load_path(embedded_store, write_csv_dir(sample))
    s = embedded_store
    batch, _ = import_ckg(CKG_FIXTURE, known_regions=s.table("regions"), known_products=s.table("products"),
                          known_enterprises=s.table("enterprises"))
    embedded_store.apply(batch)
    for alias, eid in (("奥克股份", "300082.SZ"), ("隆基股份", "601012.SH"), ("ST安泰", "600408.SH")):
        hits = embedded_store.search(alias)
        assert hits.iloc[0][["label", "id"]].tolist() == ["Enterprise", eid], alias
        assert resolve_enterprise(embedded_store, alias)["enterprise_id"] == eid
    assert embedded_store.search("西安隆基")["id"].tolist()[:1] == ["601012.SH"]     # a 曾用名, as a substring
    names = embedded_store.node_names("enterprises").set_index("id")
    assert "奥克股份" in names.loc["300082.SZ", "aliases"]
    sample["chain_roles"].append({"chain": "SX-NEV", "enterprise": "ST安泰", "role": "链核",
                                  "source": "https://example.gov.cn/list", "as_of": "2024-04-09"})
    load_path(embedded_store, write_csv_dir(sample))                          # ST安泰 names 600408.SH
    roles = embedded_store.table("chain_roles")
    assert roles.loc[roles["role"] == "链核", "enterprise"].tolist() == ["600408.SH"]


@pytest.mark.skipif(not (CKG_SAMPLE / "company.json").exists(), reason=f"CKG sample not found at {CKG_SAMPLE}")
def test_shared_sample_with_region_inference(embedded_store):
    batch, report = import_ckg(CKG_SAMPLE, infer_regions=True)
    ent = batch["enterprises"].set_index("enterprise_id")
    raw = [json.loads(x) for x in (CKG_SAMPLE / "company.json").read_text(encoding="utf-8").splitlines() if x]
    assert ent.loc["000723.SZ", ["region", "region_source"]].tolist() == ["140000", "inferred"]   # 山西美锦
    assert ent.loc["300042.SZ", "region"] == "440300"                                             # 深圳市朗科
    assert ent.loc["600050.SH", "region"] is None                                                 # 中国联合…
    assert set(ent["as_of"]) == {max(r["time"] for r in raw)}
    assert report.balance()["unaccounted"].eq(0).all()
    assert "启迪桑德" in ent.loc["000826.SZ", "aliases"]
    embedded_store.apply(batch)
    assert resolve_enterprise(embedded_store, "启迪桑德")["enterprise_id"] == "000826.SZ"
    got = embedded_store.table("enterprises")
    assert (got["region_source"] == "inferred").sum() == (ent["region_source"] == "inferred").sum() > 20
    assert pd.isna(got.set_index("enterprise_id").loc["600050.SH", "region"])


def test_import_ckg_command_infers_and_reviews(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("CHAINATLAS_DB", str(tmp_path / "atlas"))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    review = tmp_path / "review.csv"
    run = CliRunner().invoke(main, ["import-ckg", str(CKG_FIXTURE), "--infer-regions",
                                    "--region-review-out", str(review)])
    assert run.exit_code == 0, run.output
    assert "推断区划 8" in run.output and "conflict 688078.SH" in run.output
    df = pd.read_csv(review, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df.loc[df["enterprise_id"] == "600740.SH", "decision"] = "reject"
    df.to_csv(review, index=False, encoding="utf-8-sig")
    again = CliRunner().invoke(main, ["import-ckg", str(CKG_FIXTURE), "--infer-regions", "--region-accept", str(review)])
    assert again.exit_code == 0, again.output
    from graph.store.factory import open_store
    from graph.settings import Settings
    with open_store(Settings.from_env()) as store:
        ent = store.table("enterprises").set_index("enterprise_id")
    # a stored inferred region stays until a person rejects it: the review wins over the store
    assert ent.loc["000723.SZ", "region_source"] == "inferred"
    assert ent.loc["600740.SH", "region"] is None and ent.loc["600740.SH", "region_source"] is None


def test_a_given_region_replaces_a_stored_inferred_one_never_the_reverse(tmp_path, embedded_store):
    s = embedded_store
    s.apply(import_ckg(CKG_FIXTURE, infer_regions=True)[0])
    (tmp_path / "r.csv").write_text("code,province,city\n600740,山西省,太原市\n", encoding="utf-8")
    known = dict(known_regions=s.table("regions"), known_enterprises=s.table("enterprises"),
                 known_products=s.table("products"))
    batch, _ = import_ckg(CKG_FIXTURE, tmp_path / "r.csv", infer_regions=True, **known)
    row = batch["enterprises"].set_index("enterprise_id").loc["600740.SH"]
    assert (row["region"], row["region_source"], row["region_evidence"]) == ("140100", "given", None)
    s.apply(batch)
    again, _ = import_ckg(CKG_FIXTURE, infer_regions=True, known_regions=s.table("regions"),
                          known_enterprises=s.table("enterprises"), known_products=s.table("products"))
    row = again["enterprises"].set_index("enterprise_id").loc["600740.SH"]
    assert (row["region"], row["region_source"]) == ("140100", "given")      # inference never overrides it


def test_review_csv_is_formula_safe():
    from loaders.region_infer import read_review, review_csv

    review = pd.DataFrame({"decision": [""], "enterprise_id": ["E1"], "enterprise": ["=HYPERLINK(1)"],
                           "region": ["140000"], "region_name": ["山西省"], "evidence": ["名称：山西"]})
    data = review_csv(review)
    assert data.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK(1)" in data
    import io
    back = read_review(pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig"))
    assert back[["enterprise_id", "region"]].values.tolist() == [["E1", "140000"]]
