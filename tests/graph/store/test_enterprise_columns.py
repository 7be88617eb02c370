"""The enterprise columns added for real-world imports, on both stores: ``aliases`` (searchable,
usable as name references), ``region_source`` / ``region_evidence`` (stored, handed to faces by
makers and search, shown as 推断), and an embedded store made before them gains them."""
from __future__ import annotations

import sqlite3

import pytest

from graph.analysis.lookup import resolve_enterprise


def world(make_batch):
    return make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140100", "name": "太原市", "level": "city", "parent": "140000"}],
        products=[{"product_id": "P-COKE", "name": "焦炭"}],
        enterprises=[
            {"enterprise_id": "600740.SH", "name": "山西焦化股份有限公司", "aliases": ["山西焦化"], "region": "140000",
             "region_source": "inferred", "region_evidence": "名称：山西"},
            {"enterprise_id": "600408.SH", "name": "山西安泰集团股份有限公司", "aliases": ["ST安泰", "安泰集团"],
             "region": "140100", "region_source": "given"},
            {"enterprise_id": "E-X", "name": "无区划公司"}],
        enterprise_products=[{"enterprise": e, "product": "P-COKE"} for e in ("600740.SH", "600408.SH", "E-X")])


def test_columns_round_trip_and_reach_the_faces(store, make_batch):
    store.apply(world(make_batch))
    ent = store.table("enterprises").set_index("enterprise_id")
    assert ent.loc["600740.SH", ["region_source", "region_evidence"]].tolist() == ["inferred", "名称：山西"]
    assert ent.loc["600408.SH", "aliases"] == ["ST安泰", "安泰集团"] and ent.loc["E-X", "aliases"] == []
    makers = store.makers(["P-COKE"]).set_index("enterprise_id")["region_source"]
    assert makers.to_dict() == {"600740.SH": "inferred", "600408.SH": "given", "E-X": None}
    names = store.node_names("enterprises").set_index("id")
    assert names.loc["600408.SH", "aliases"] == ["ST安泰", "安泰集团"]
    hit = store.search("ST安泰")
    assert hit.iloc[0][["label", "id", "detail"]].tolist() == ["Enterprise", "600408.SH", "太原市"]
    assert store.search("山西焦化").iloc[0]["detail"] == "山西省（推断）"
    assert store.search("安泰")["id"].tolist()[:1] == ["600408.SH"]
    assert resolve_enterprise(store, "st安泰")["enterprise_id"] == "600408.SH"
    assert store.apply(world(make_batch)).changed == 0                      # idempotent


def test_an_older_embedded_store_gains_the_columns(tmp_path, make_batch):
    from graph.store.embedded.store import EmbeddedStore

    path = tmp_path / "old"
    with EmbeddedStore(str(path)) as s:
        s.apply(make_batch(enterprises=[{"enterprise_id": "E1", "name": "甲公司"}]))
    conn = sqlite3.connect(path / "atlas.sqlite")
    for col in ("aliases", "region_source", "region_evidence"):
        conn.execute(f'ALTER TABLE enterprises DROP COLUMN "{col}"')           # as a store made before #11
    conn.commit()
    conn.close()
    with EmbeddedStore(str(path)) as s:
        s.apply(world(make_batch))
        assert s.table("enterprises").set_index("enterprise_id").loc["600740.SH", "region_source"] == "inferred"
        assert s.table("enterprises").set_index("enterprise_id").loc["E1", "aliases"] == []


@pytest.mark.parametrize("source,label", [("inferred", "山西省（推断）"), ("given", "山西省"), (None, "山西省")])
def test_region_label(source, label):
    from graph.schema import region_label
    assert region_label("山西省", source) == label


def test_targets_and_export_mark_inferred_locations(embedded_store, make_batch):
    from graph.analysis.gaps import diagnose
    from graph.analysis.targets import rank_targets
    from graph.export.build import build_export

    embedded_store.apply(make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140100", "name": "太原市", "level": "city", "parent": "140000"},
                 {"code": "440000", "name": "广东省", "level": "province"},
                 {"code": "440100", "name": "广州市", "level": "city", "parent": "440000"}],
        chains=[{"chain_id": "C1", "name": "电池链", "province": "140000"}],
        products=[{"product_id": "P1", "name": "电解液"}],
        chain_products=[{"chain": "C1", "product": "P1", "stage": "upstream"}],
        enterprises=[{"enterprise_id": "E-GZ", "name": "广州天赐高新材料股份有限公司", "region": "440100",
                      "region_source": "inferred", "region_evidence": "名称：广州"},
                     {"enterprise_id": "E-GD", "name": "广东某材料公司", "region": "440000"}],
        enterprise_products=[{"enterprise": "E-GZ", "product": "P1"}, {"enterprise": "E-GD", "product": "P1"}]))
    report = diagnose(embedded_store, "C1", "140100")
    got = dict(zip(*rank_targets(embedded_store, report)[["enterprise_id", "region_name"]].T.values))
    assert got == {"E-GZ": "广州市（推断）", "E-GD": "广东省"}
    for key, place in (("targets", "140100"), ("makers", "440000")):     # a target; a local maker of 广东省
        table = build_export(embedded_store, ["C1"], place).tables[key]
        assert dict(zip(table["enterprise_id"], table["region_name"]))["E-GZ"] == "广州市（推断）", key
