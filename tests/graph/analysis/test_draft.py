"""Chain drafting from product flows: stages by distance, noise filters, workbook round trip."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from graph.analysis.draft import draft_chain
from loaders.template import write_draft_workbook
from graph.errors import NotFound

SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "ckg"

EDGES = [("矿石", "碳酸锂"), ("碳酸锂", "正极材料"), ("正极材料", "锂电池"), ("电解液", "锂电池"),
         ("锂电池", "动力电池包"), ("动力电池包", "新能源汽车"), ("煤", "电力"), ("电力", "锂电池"),
         ("其他", "锂电池"), ("隔膜", "锂电池"), ("锂电池", "隔膜")]
EDGES += [("电力", f"用电产品{i}") for i in range(10)]          # 电力: a hub with 12 neighbours


@pytest.fixture
def tables():
    names = sorted({n for e in EDGES for n in e})
    products = pd.DataFrame({"product_id": [f"P{i}" for i in range(len(names))], "name": names,
                             "aliases": [["锂离子电池"] if n == "锂电池" else [] for n in names]})
    pid = dict(zip(names, products["product_id"]))
    flows = pd.DataFrame({"from_product": [pid[a] for a, _ in EDGES], "to_product": [pid[b] for _, b in EDGES],
                          "cycle_ok": [(a, b) == ("锂电池", "隔膜") for a, b in EDGES]})
    return flows, products, {v: k for k, v in pid.items()}


def staged(batch, name_of):
    return {name_of[p]: (s, seg) for p, s, seg in
            batch["chain_products"][["product", "stage", "segment"]].itertuples(index=False)}


def test_stages_by_distance_and_filters(tables):
    flows, products, name_of = tables
    batch = draft_chain(flows, products, ["锂离子电池"], up=2, down=1, max_degree=8)
    assert staged(batch, name_of) == {
        "碳酸锂": ("upstream", "上游2级"), "正极材料": ("upstream", "上游1级"), "电解液": ("upstream", "上游1级"),
        "隔膜": ("upstream", "上游1级"), "锂电池": ("midstream", "核心"), "动力电池包": ("downstream", "下游1级")}
    # 矿石 is 3 levels up, 新能源汽车 2 down; 电力 is a hub (so 煤 is not reached); 其他 is generic
    chain = batch["chains"].iloc[0]
    assert (chain["chain_id"], chain["name"]) == ("DRAFT-锂电池", "锂电池产业链")
    key = batch["chain_products"].set_index("product")["key_link"]
    assert [name_of[p] for p in key[key].index] == ["锂电池"]
    flows_out = {(name_of[a], name_of[b]): ok for a, b, ok in
                 batch["product_flows"][["from_product", "to_product", "cycle_ok"]].itertuples(index=False)}
    assert flows_out == {("碳酸锂", "正极材料"): False, ("正极材料", "锂电池"): False, ("电解液", "锂电池"): False,
                         ("锂电池", "动力电池包"): False, ("隔膜", "锂电池"): False, ("锂电池", "隔膜"): True}
    assert list(batch["products"]["product_id"]) == list(batch["chain_products"]["product"])    # 6, same order


def test_options_widen_the_draft(tables):
    flows, products, name_of = tables
    batch = draft_chain(flows, products, ["锂电池"], up=3, down=2, exclude_generic=False, max_degree=None)
    got = staged(batch, name_of)
    assert got["矿石"] == ("upstream", "上游3级") and got["新能源汽车"] == ("downstream", "下游2级")
    assert got["电力"] == ("upstream", "上游1级") and got["煤"] == ("upstream", "上游2级")
    assert got["其他"] == ("upstream", "上游1级")
    assert "用电产品1" not in got                                   # downstream of an upstream product
    lean = draft_chain(flows, products, ["锂电池"], up=1, down=0, min_degree=2, max_degree=8)
    assert set(staged(lean, name_of)) == {"锂电池", "正极材料"}     # 电解液, 隔膜: one neighbour each


def test_unknown_core_product(tables):
    flows, products, _ = tables
    with pytest.raises(NotFound) as err:
        draft_chain(flows, products, ["锂电"])
    assert "锂电池" in err.value.candidates


def test_workbook_validates_and_loads(tables, tmp_path, embedded_store):
    from loaders.workbook import load_path

    flows, products, name_of = tables
    path = write_draft_workbook(draft_chain(flows, products, ["锂电池"], up=2, down=1, max_degree=8),
                                tmp_path / "draft.xlsx")
    report = load_path(embedded_store, path)
    assert report.changes["chain_products"].added == 6
    view = embedded_store.chain_view("DRAFT-锂电池")
    assert dict(zip(view.products["name"], view.products["stage"]))["碳酸锂"] == "upstream"


@pytest.mark.skipif(not (SAMPLE / "product_product.json").exists(), reason=f"CKG sample not found at {SAMPLE}")
def test_draft_from_the_ckg_sample_in_a_store(embedded_store):
    from loaders.ckg import import_ckg

    embedded_store.apply(import_ckg(SAMPLE, as_of="2024-01-01")[0])
    batch = draft_chain(embedded_store.table("product_flows"), embedded_store.table("products"), ["涂料"],
                        up=1, down=1, max_degree=50)
    rows = [json.loads(line) for line in (SAMPLE / "product_product.json").read_text(encoding="utf-8").splitlines()]
    ups = {r["to_entity"] for r in rows if r["rel"] == "上游材料" and r["from_entity"] == "涂料"} \
        | {r["from_entity"] for r in rows if r["rel"] == "下游产品" and r["to_entity"] == "涂料"}
    downs = {r["from_entity"] for r in rows if r["rel"] == "上游材料" and r["to_entity"] == "涂料"} \
        | {r["to_entity"] for r in rows if r["rel"] == "下游产品" and r["from_entity"] == "涂料"}
    got = batch["chain_products"].assign(name=lambda d: d["product"].str.removeprefix("CKG:"))
    assert set(got.loc[got["stage"] == "upstream", "name"]) == ups - {"水泥"}     # 水泥: 70 neighbours, a hub
    assert set(got.loc[got["stage"] == "downstream", "name"]) == downs
    assert {"钛白粉", "苯乙烯"} <= ups and "彩涂板" in downs
    assert set(batch["products"]["source"]) == {"ChainKnowledgeGraph/product.json"}


def test_draft_chain_command(tables, tmp_path, monkeypatch, make_batch):
    from click.testing import CliRunner

    from cli.main import main
    from graph.store.embedded.store import EmbeddedStore

    flows, products, name_of = tables
    db = tmp_path / "atlas"
    with EmbeddedStore(str(db)) as store:
        store.apply(make_batch(products=products.to_dict("records"),
                                product_flows=flows.to_dict("records")))
    monkeypatch.setenv("CHAINATLAS_DB", str(db))
    monkeypatch.setenv("CHAINATLAS_SEED", "none")
    out = tmp_path / "d.xlsx"
    result = CliRunner().invoke(main, ["draft-chain", "--core", "锂电池", "--up", "1", "--down", "1",
                                       "--max-degree", "8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "碳酸锂" not in result.output and "正极材料" in result.output
    bad = CliRunner().invoke(main, ["draft-chain", "--core", "锂电", "--out", str(out)])
    assert bad.exit_code == 1 and "锂电池" in bad.output


@pytest.mark.parametrize("core, up, down, kw", [
    (["锂离子电池"], 2, 1, {"max_degree": 8}), (["锂电池"], 3, 2, {"exclude_generic": False, "max_degree": None}),
    (["锂电池"], 1, 0, {"min_degree": 2, "max_degree": 8}), (["电力", "正极材料"], 2, 2, {}),
    (["新能源汽车"], 4, 0, {"max_degree": 3})])
def test_draft_from_store_reads_the_neighbourhood_only_and_drafts_the_same(store, tables, make_batch, core, up,
                                                                           down, kw, monkeypatch):
    from graph.analysis.draft import draft_from_store

    flows, products, name_of = tables
    store.apply(make_batch(products=products.to_dict("records"), product_flows=flows.to_dict("records")))
    whole = draft_chain(store.table("product_flows"), store.table("products"), core, up=up, down=down,
                        as_of="2024-01-01", **kw)

    def no_whole_tables(name):
        raise AssertionError(f"read the whole table {name}")
    monkeypatch.setattr(store, "table", no_whole_tables)
    part = draft_from_store(store, core, up=up, down=down, as_of="2024-01-01", **kw)
    for t in ("chains", "chain_products", "products", "product_flows"):
        pd.testing.assert_frame_equal(part[t].reset_index(drop=True), whole[t].reset_index(drop=True), check_dtype=False)


def test_store_flow_reads(store, tables, make_batch):
    flows, products, name_of = tables
    store.apply(make_batch(products=products.to_dict("records"), product_flows=flows.to_dict("records")))
    pid = {v: k for k, v in name_of.items()}
    found = store.find_products(["锂离子电池", "煤", pid["电力"], "没有"])
    assert list(found["name"]) == sorted(["锂电池", "煤", "电力"], key=lambda n: pid[n])
    deg = dict(zip(*store.flow_degrees([pid["电力"], pid["隔膜"], "NOPE"]).values.T))
    assert deg == {pid["电力"]: 12, pid["隔膜"]: 1, "NOPE": 0}   # 隔膜 ⇄ 锂电池 counts once
    touching = store.product_flows_of([pid["隔膜"]])
    assert set(zip(touching["from_product"], touching["to_product"])) == {(pid["隔膜"], pid["锂电池"]),
                                                                          (pid["锂电池"], pid["隔膜"])}
    assert list(touching.columns) == ["from_product", "to_product", "cycle_ok", "source", "as_of", "illustrative"]
    got = store.products([pid["锂电池"]])
    assert got["aliases"].iloc[0] == ["锂离子电池"] and list(got.columns) == list(products.columns) + [
        c for c in got.columns if c not in products.columns]
