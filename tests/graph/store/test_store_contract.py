"""The AtlasStore contract, backend-agnostic: only the public interface, no SQL or Cypher.

Runs against the embedded store always and against Neo4j when NEO4J_URI is set (see the
``store`` fixture in tests/conftest.py).

The fixture graph (运城 = 140800 with county 盐湖区 140802):
- PK-YC stands in 盐湖区; PK-FD is a 飞地园区 standing in 晋中 (140700) counted for 运城;
  PK-OUT stands in 盐湖区 but is counted for 晋中.
- makers of 动力电池 P-BATT: E2 (盐湖区), E3 (in PK-FD), E5 (region unknown), E6 (陕西),
  E7 (in PK-OUT).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from graph import schema
from graph.errors import ChainAtlasError, NotFound
from graph.store import MAKER_COLUMNS, Scope

REGIONS = [
    {"code": "140000", "name": "山西省", "level": "province", "lon": 112.55, "lat": 37.87},
    {"code": "140800", "name": "运城市", "level": "city", "parent": "140000", "lon": 111.007, "lat": 35.026},
    {"code": "140802", "name": "盐湖区", "level": "county", "parent": "140800"},
    {"code": "140700", "name": "晋中市", "level": "city", "parent": "140000"},
    {"code": "610000", "name": "陕西省", "level": "province"},
]
CHAINS = [
    {"chain_id": "SX-NEV", "name": "新能源汽车", "chief_title": "副省长", "lead_unit": "省工信厅",
     "batch": "首批", "year": 2022, "province": "140000"},
    {"chain_id": "SX-H2", "name": "氢能", "year": 2023, "province": "140000"},
]
PRODUCTS = [
    {"product_id": "P-CATH", "name": "正极材料"},
    {"product_id": "P-BATT", "name": "动力电池", "aliases": ["锂电池", "动力锂电池"], "gbt4754": "3841"},
    {"product_id": "P-CAR", "name": "整车"},
    {"product_id": "P-LFP", "name": "磷酸铁锂电池"},
    {"product_id": "P-H2", "name": "氢气"},
]
CHAIN_PRODUCTS = [
    {"chain": "SX-NEV", "product": "P-CAR", "stage": "downstream", "segment": "整车"},
    {"chain": "SX-NEV", "product": "P-BATT", "stage": "midstream", "segment": "系统总成", "key_link": True},
    {"chain": "SX-NEV", "product": "P-CATH", "stage": "upstream", "segment": "材料", "key_link": False},
    {"chain": "SX-H2", "product": "P-H2", "stage": "upstream"},
]
FLOWS = [
    {"from_product": "P-CATH", "to_product": "P-BATT"},
    {"from_product": "P-BATT", "to_product": "P-CAR", "cycle_ok": False},
    {"from_product": "P-H2", "to_product": "P-CAR"},
]
SUBCLASSES = [{"product": "P-LFP", "parent": "P-BATT"}]
PARKS = [
    {"park_id": "PK-YC", "name": "运城经济技术开发区", "kind": "国家级经开区", "region": "140802"},
    {"park_id": "PK-FD", "name": "运城晋中飞地园区", "kind": "飞地园区", "region": "140700", "counted_for": "140800"},
    {"park_id": "PK-OUT", "name": "盐湖晋中飞地园区", "kind": "飞地园区", "region": "140802", "counted_for": "140700"},
]
PARK_CHAINS = [{"park": "PK-YC", "chain": "SX-NEV"}, {"park": "PK-FD", "chain": "SX-NEV"}]
E1 = {"enterprise_id": "E1", "name": "大运汽车股份有限公司", "uscc": "91140800MA0KABCD1X", "region": "140800",
      "park": "PK-YC", "scale": "大型", "revenue": 1200000.0, "employees": 8000, "listed": False,
      "tags": ["规上", "高新技术"], "industries": ["汽车整车"]}
ENTERPRISES = [
    E1,
    {"enterprise_id": "E2", "name": "运城锂电科技有限公司", "region": "140802", "scale": "中型", "revenue": 5000.5,
     "employees": 300, "listed": True, "stock_code": "300001", "tags": ["专精特新"]},
    {"enterprise_id": "E3", "name": "飞地电池公司", "region": "140700", "park": "PK-FD", "scale": "小型"},
    {"enterprise_id": "E4", "name": "晋中正极材料有限公司", "region": "140700"},
    {"enterprise_id": "E5", "name": "未知地区电池厂"},
    {"enterprise_id": "E6", "name": "西安电池", "region": "610000"},
    {"enterprise_id": "E7", "name": "盐湖飞地电池厂", "region": "140802", "park": "PK-OUT"},
]
EP = {"source": "ep.csv", "as_of": "2023-06"}
MAKES = [
    {"enterprise": "E1", "product": "P-CAR", "revenue_share": 0.9, **EP},
    {"enterprise": "E2", "product": "P-BATT", "revenue_share": 0.6, **EP},
    {"enterprise": "E2", "product": "P-CATH", "revenue_share": 0.3, **EP},
    {"enterprise": "E3", "product": "P-BATT", **EP},
    {"enterprise": "E4", "product": "P-CATH", "revenue_share": 1.0, **EP},
    {"enterprise": "E5", "product": "P-BATT", "revenue_share": 0.5, **EP, "illustrative": True},
    {"enterprise": "E6", "product": "P-BATT", "revenue_share": 0.7, **EP},
    {"enterprise": "E7", "product": "P-BATT", "revenue_share": 0.2, **EP},
]
ROLES = [
    {"chain": "SX-NEV", "enterprise": "E1", "role": "链主", "evidence": "省工信厅口径"},
    {"chain": "SX-NEV", "enterprise": "E2", "role": "链核"},
]
SUPPLIES = [
    {"supplier": "E2", "customer": "E1", "product": "P-BATT"},
    {"supplier": "E4", "customer": "E2", "product": "P-CATH"},
]
ROWS = {"regions": 5, "chains": 2, "products": 5, "chain_products": 4, "product_flows": 3,
        "product_subclasses": 1, "parks": 3, "park_chains": 2, "enterprises": 7, "enterprise_products": 8,
        "chain_roles": 2, "supplies": 2}
COUNTS = {"Chain": 2, "Product": 5, "Enterprise": 7, "Park": 3, "Region": 5,
          "INCLUDES": 4, "FEEDS": 3, "MAKES": 8, "ROLE_IN": 2, "LOCATED_IN": 6, "IN_PARK": 3, "PARK_IN": 3,
          "COUNTED_FOR": 2, "CARRIES": 2, "PART_OF": 3, "SUPPLIES": 2, "SUBCLASS_OF": 1}
YUNCHENG = frozenset({"140800", "140802"})


@pytest.fixture
def base(make_batch):
    return make_batch(regions=REGIONS, chains=CHAINS, products=PRODUCTS, chain_products=CHAIN_PRODUCTS,
                      product_flows=FLOWS, product_subclasses=SUBCLASSES, parks=PARKS, park_chains=PARK_CHAINS,
                      enterprises=ENTERPRISES, enterprise_products=MAKES, chain_roles=ROLES, supplies=SUPPLIES)


@pytest.fixture
def loaded(store, base):
    store.apply(base)
    return store


def by_id(df: pd.DataFrame, col: str) -> dict:
    return {r[col]: r for r in df.to_dict("records")}


def missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def summary(report) -> dict:
    return {t: (c.added, c.changed, c.unchanged) for t, c in report.changes.items()
            if c.added or c.changed or c.unchanged}


# --- writes ---------------------------------------------------------------------------------
def test_empty_store_counts_every_label_and_type(store):
    c = store.counts()
    assert set(c) == set(schema.NODE_LABELS) | set(schema.REL_TYPES)
    assert all(v == 0 for v in c.values())
    assert store.is_empty()


def test_apply_reports_added_and_counts_round_trip(store, base):
    report = store.apply(base)
    assert report.written is True
    assert summary(report) == {t: (n, 0, 0) for t, n in ROWS.items()}
    assert store.counts() == COUNTS
    assert not store.is_empty()


def test_table_round_trip_keeps_types(loaded):
    ent = loaded.table("enterprises")
    assert list(ent.columns) == schema.TABLES["enterprises"].column_names
    assert sorted(ent["enterprise_id"]) == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    e = by_id(ent, "enterprise_id")
    assert e["E1"]["tags"] == ["规上", "高新技术"] and e["E1"]["industries"] == ["汽车整车"]
    assert e["E1"]["revenue"] == 1200000.0 and e["E1"]["employees"] == 8000
    assert e["E1"]["listed"] == False and e["E2"]["listed"] == True  # noqa: E712
    assert e["E1"]["uscc"] == "91140800MA0KABCD1X" and e["E1"]["stock_code"] is None
    assert e["E2"]["revenue"] == 5000.5 and e["E2"]["stock_code"] == "300001"
    assert e["E5"]["region"] is None and e["E5"]["park"] is None and e["E5"]["tags"] == []
    assert missing(e["E5"]["revenue"]) and e["E5"]["listed"] is None
    assert e["E1"]["source"] == "test" and e["E1"]["as_of"] == "2024-01-01" and e["E1"]["illustrative"] == False  # noqa: E712
    cp = {(r["chain"], r["product"]): r for r in loaded.table("chain_products").to_dict("records")}
    assert cp[("SX-NEV", "P-BATT")]["key_link"] == True and cp[("SX-NEV", "P-CATH")]["key_link"] == False  # noqa: E712
    assert cp[("SX-NEV", "P-CAR")]["key_link"] is None and cp[("SX-NEV", "P-CAR")]["stage"] == "downstream"
    reg = by_id(loaded.table("regions"), "code")
    assert reg["140800"]["lon"] == 111.007 and missing(reg["140802"]["lat"]) and reg["140802"]["parent"] == "140800"
    prod = by_id(loaded.table("products"), "product_id")
    assert prod["P-BATT"]["aliases"] == ["锂电池", "动力锂电池"] and prod["P-CAR"]["aliases"] == []
    ch = by_id(loaded.table("chains"), "chain_id")
    assert ch["SX-NEV"]["year"] == 2022 and ch["SX-NEV"]["chief"] is None
    mk = {(r["enterprise"], r["product"]): r for r in loaded.table("enterprise_products").to_dict("records")}
    assert mk[("E2", "P-BATT")]["revenue_share"] == 0.6 and missing(mk[("E3", "P-BATT")]["revenue_share"])
    assert mk[("E5", "P-BATT")]["illustrative"] == True and mk[("E5", "P-BATT")]["source"] == "ep.csv"  # noqa: E712
    names = loaded.node_names("parks")
    assert list(names.columns) == ["id", "name"]
    assert dict(zip(names["id"], names["name"]))["PK-FD"] == "运城晋中飞地园区"
    regions = loaded.node_names("regions")
    assert dict(zip(regions["id"], regions["name"]))["140802"] == "盐湖区"


def test_reapplying_the_same_batch_changes_nothing(loaded, base):
    report = loaded.apply(base)
    assert (report.added, report.changed) == (0, 0)
    assert summary(report) == {t: (0, 0, n) for t, n in ROWS.items()}
    assert loaded.counts() == COUNTS


def _second_batch(make_batch):
    e1 = {**E1, "employees": 9000, "tags": ["规上"]}
    e8 = {"enterprise_id": "E8", "name": "运城新能源整车厂", "region": "140800"}
    return make_batch(enterprises=[e1, e8], enterprise_products=[
        MAKES[0], {"enterprise": "E8", "product": "P-CAR", "revenue_share": 1.0, **EP}])


def test_second_batch_merges_and_reports_exact_changes(loaded, make_batch):
    report = loaded.apply(_second_batch(make_batch))
    assert summary(report) == {"enterprises": (1, 1, 0), "enterprise_products": (1, 0, 1)}
    (example,) = report.changes["enterprises"].examples
    assert example["key"] == "E1"
    assert example["fields"] == {"employees": [8000, 9000], "tags": [["规上", "高新技术"], ["规上"]]}
    e = by_id(loaded.table("enterprises"), "enterprise_id")
    assert e["E1"]["employees"] == 9000 and e["E1"]["tags"] == ["规上"] and e["E1"]["name"] == E1["name"]
    assert loaded.counts()["Enterprise"] == 8 and loaded.counts()["MAKES"] == 9
    assert loaded.counts()["LOCATED_IN"] == 7


def test_plan_reports_the_same_and_writes_nothing(store, base, make_batch):
    preview = store.plan(base)
    assert preview.written is False
    assert summary(preview) == {t: (n, 0, 0) for t, n in ROWS.items()}
    assert store.is_empty() and all(v == 0 for v in store.counts().values())
    store.apply(base)
    second = _second_batch(make_batch)
    preview = store.plan(second)
    assert summary(preview) == {"enterprises": (1, 1, 0), "enterprise_products": (1, 0, 1)}
    assert store.counts() == COUNTS
    assert by_id(store.table("enterprises"), "enterprise_id")["E1"]["employees"] == 8000
    assert summary(store.apply(second)) == summary(preview)


def test_failed_apply_rolls_back_everything(loaded, make_batch):
    bad = make_batch(
        products=[{"product_id": "P-NEW", "name": "新产品"}],
        enterprises=[{"enterprise_id": "E9", "name": "新企业", "region": "140800"}],
        enterprise_products=[{"enterprise": "E9", "product": "P-MISSING"}])
    with pytest.raises(ChainAtlasError):
        loaded.apply(bad)
    assert loaded.counts() == COUNTS
    assert "E9" not in set(loaded.table("enterprises")["enterprise_id"])
    assert "P-NEW" not in set(loaded.table("products")["product_id"])


def test_failed_apply_on_an_empty_store_leaves_it_empty(store, make_batch):
    bad = make_batch(chains=[{"chain_id": "C1", "name": "链"}],
                     chain_products=[{"chain": "C1", "product": "P-MISSING", "stage": "upstream"}])
    with pytest.raises(ChainAtlasError):
        store.apply(bad)
    assert store.is_empty() and all(v == 0 for v in store.counts().values())


def test_a_failed_or_finished_load_leaves_no_pending_load(loaded, make_batch):
    with pytest.raises(ChainAtlasError):
        loaded.apply(make_batch(enterprise_products=[{"enterprise": "E-NONE", "product": "P-BATT"}]))
    assert loaded.pending_loads() == [] and loaded.recover() == []
    loaded.check_writable()   # nothing in the way of the next load
    loaded.apply(make_batch(products=[{"product_id": "P-NEW2", "name": "又一个新产品"}]))
    assert loaded.pending_loads() == [] and loaded.counts()["Product"] == COUNTS["Product"] + 1


def test_clear_empties_the_store_and_it_can_be_reloaded(loaded, base):
    loaded.clear()
    assert all(v == 0 for v in loaded.counts().values())
    assert loaded.table("enterprises").empty and loaded.makers(["P-BATT"]).empty
    assert summary(loaded.apply(base)) == {t: (n, 0, 0) for t, n in ROWS.items()}


def test_sources_summarise_provenance(loaded):
    src = loaded.sources()
    assert list(src.columns) == ["source", "as_of", "table", "rows", "illustrative_rows"]
    rows = {(r["source"], r["as_of"], r["table"]): (r["rows"], r["illustrative_rows"]) for r in src.to_dict("records")}
    assert rows[("ep.csv", "2023-06", "enterprise_products")] == (8, 1)
    assert rows[("test", "2024-01-01", "enterprises")] == (7, 0)
    assert rows[("test", "2024-01-01", "regions")] == (5, 0)
    assert len(rows) == len(ROWS)


# --- the engine's reads -------------------------------------------------------------------
def test_chain_view(loaded):
    v = loaded.chain_view("SX-NEV")
    assert v.chain["name"] == "新能源汽车" and v.chain["year"] == 2022 and v.chain["province"] == "140000"
    assert list(v.products.columns) == ["product_id", "name", "aliases", "gbt4754", "stage", "segment",
                                        "key_link", "source", "as_of", "illustrative"]
    p = by_id(v.products, "product_id")
    assert set(p) == {"P-CATH", "P-BATT", "P-CAR"}
    assert p["P-BATT"]["stage"] == "midstream" and p["P-BATT"]["segment"] == "系统总成"
    assert p["P-BATT"]["aliases"] == ["锂电池", "动力锂电池"] and p["P-BATT"]["gbt4754"] == "3841"
    assert p["P-BATT"]["key_link"] == True and p["P-CAR"]["key_link"] is None  # noqa: E712
    assert list(v.flows.columns) == ["from_product", "to_product", "cycle_ok", "source", "as_of", "illustrative"]
    assert set(zip(v.flows["from_product"], v.flows["to_product"])) == {("P-CATH", "P-BATT"), ("P-BATT", "P-CAR")}
    assert list(v.roles.columns) == ["enterprise_id", "name", "role", "evidence", "region", "park", "scale",
                                     "tags", "source", "as_of", "illustrative"]
    r = by_id(v.roles, "enterprise_id")
    assert set(r) == {"E1", "E2"} and r["E1"]["role"] == "链主" and r["E2"]["role"] == "链核"
    assert r["E1"]["evidence"] == "省工信厅口径" and r["E1"]["park"] == "PK-YC" and r["E1"]["tags"] == ["规上", "高新技术"]
    assert r["E2"]["region"] == "140802" and r["E2"]["scale"] == "中型"
    assert list(v.parks.columns) == ["park_id", "name", "kind", "region", "counted_for", "source", "as_of",
                                     "illustrative"]
    k = by_id(v.parks, "park_id")
    assert set(k) == {"PK-YC", "PK-FD"}
    assert k["PK-FD"]["counted_for"] == "140800" and k["PK-FD"]["region"] == "140700" and k["PK-YC"]["counted_for"] is None
    h2 = loaded.chain_view("SX-H2")
    assert list(h2.products["product_id"]) == ["P-H2"] and h2.flows.empty and h2.roles.empty and h2.parks.empty


def test_chain_view_unknown_chain_raises_not_found(loaded):
    with pytest.raises(NotFound):
        loaded.chain_view("SX-NOPE")


def makers_of(store, scope, side, products=("P-BATT",)):
    df = store.makers(list(products), scope, side)
    assert list(df.columns) == MAKER_COLUMNS
    return set(df["enterprise_id"])


def test_makers_columns_and_values(loaded):
    df = loaded.makers(["P-BATT", "P-CATH"])
    assert list(df.columns) == MAKER_COLUMNS
    assert sorted(zip(df["enterprise_id"], df["product_id"])) == [
        ("E2", "P-BATT"), ("E2", "P-CATH"), ("E3", "P-BATT"), ("E4", "P-CATH"), ("E5", "P-BATT"),
        ("E6", "P-BATT"), ("E7", "P-BATT")]
    rows = {(r["enterprise_id"], r["product_id"]): r for r in df.to_dict("records")}
    e2 = rows[("E2", "P-BATT")]
    assert e2["revenue_share"] == 0.6 and e2["name"] == "运城锂电科技有限公司" and e2["region"] == "140802"
    assert e2["park"] is None and e2["scale"] == "中型" and e2["revenue"] == 5000.5 and e2["employees"] == 300
    assert e2["listed"] == True and e2["tags"] == ["专精特新"]  # noqa: E712
    assert (e2["source"], e2["as_of"], e2["illustrative"]) == ("ep.csv", "2023-06", False)
    assert rows[("E5", "P-BATT")]["illustrative"] == True and rows[("E5", "P-BATT")]["region"] is None  # noqa: E712
    assert missing(rows[("E3", "P-BATT")]["revenue_share"]) and rows[("E3", "P-BATT")]["park"] == "PK-FD"
    assert list(loaded.makers([]).columns) == MAKER_COLUMNS and loaded.makers([]).empty
    assert loaded.makers(["P-LFP"]).empty


def test_makers_inside_outside_with_enclave_attribution(loaded):
    enclaves = Scope(region_codes=YUNCHENG, include_parks=frozenset({"PK-FD"}), exclude_parks=frozenset({"PK-OUT"}))
    assert makers_of(loaded, enclaves, "inside") == {"E2", "E3"}
    assert makers_of(loaded, enclaves, "outside") == {"E5", "E6", "E7"}
    geography = Scope(region_codes=YUNCHENG)
    assert makers_of(loaded, geography, "inside") == {"E2", "E7"}
    assert makers_of(loaded, geography, "outside") == {"E3", "E5", "E6"}
    assert makers_of(loaded, geography, "all") == {"E2", "E3", "E5", "E6", "E7"}
    assert makers_of(loaded, None, "all") == {"E2", "E3", "E5", "E6", "E7"}


def test_unknown_region_is_never_inside(loaded):
    everywhere = Scope(region_codes=frozenset(r["code"] for r in REGIONS))
    assert makers_of(loaded, everywhere, "inside") == {"E2", "E3", "E6", "E7"}
    assert makers_of(loaded, everywhere, "outside") == {"E5"}
    assert makers_of(loaded, Scope(), "inside") == set()
    assert makers_of(loaded, Scope(), "outside") == {"E2", "E3", "E5", "E6", "E7"}


def test_makers_of_unknown_location(loaded):
    # for 运城: 山西省 is an area containing it (not settling); the other codes and every park settle
    codes = frozenset(r["code"] for r in REGIONS) - {"140000"}
    scope = Scope(region_codes=YUNCHENG, include_parks=frozenset({"PK-FD"}), exclude_parks=frozenset({"PK-OUT"}),
                  settled_regions=codes, settling_parks=frozenset({"PK-YC", "PK-FD", "PK-OUT"}))
    assert makers_of(loaded, scope, "unknown") == {"E5"}                 # no region, no park
    unsettled = Scope(region_codes=YUNCHENG, include_parks=frozenset({"PK-FD"}), exclude_parks=frozenset({"PK-OUT"}))
    assert makers_of(loaded, unsettled, "unknown") == {"E5", "E6", "E7"}  # nothing settles: every non-local one
    assert makers_of(loaded, Scope(region_codes=YUNCHENG, settled_regions=frozenset({"610000"})), "unknown") \
        == {"E3", "E5"}                                                    # 晋中 (E3's region) unsettled here
    with pytest.raises(ValueError):
        loaded.makers(["P-BATT"], scope, side="elsewhere")


def test_maker_counts_include_zeros(loaded):
    mc = loaded.maker_counts(["P-BATT", "P-CAR", "P-LFP", "P-H2", "P-CATH"])
    assert list(mc.columns) == ["product_id", "makers"]
    assert dict(zip(mc["product_id"], mc["makers"])) == {"P-BATT": 5, "P-CAR": 1, "P-LFP": 0, "P-H2": 0, "P-CATH": 2}


def test_enterprises_by_id(loaded):
    df = loaded.enterprises(["E2", "E5", "NOPE"])
    assert list(df.columns) == schema.TABLES["enterprises"].column_names
    e = by_id(df, "enterprise_id")
    assert set(e) == {"E2", "E5"} and e["E2"]["tags"] == ["专精特新"] and e["E5"]["region"] is None
    assert loaded.enterprises([]).empty


def test_supplies_both_directions(loaded):
    df = loaded.supplies(["E2"])
    assert list(df.columns) == ["supplier", "customer", "product", "source", "as_of", "illustrative"]
    assert sorted(zip(df["supplier"], df["customer"], df["product"])) == [("E2", "E1", "P-BATT"), ("E4", "E2", "P-CATH")]
    assert sorted(zip(loaded.supplies(["E1"])["supplier"], loaded.supplies(["E1"])["customer"])) == [("E2", "E1")]
    assert loaded.supplies(["E6"]).empty


def test_supply_pairs_are_the_supplies_pairs(loaded):
    pairs = getattr(loaded, "supply_pairs", None)
    if pairs is None:
        pytest.skip("optional store method")
    for ids in (["E2"], ["E1", "E4"], ["E6"], ["E1", "E2", "E3", "E4", "E5", "NOPE"]):
        df = pairs(ids)
        assert list(df.columns) == ["supplier", "customer"]
        full = loaded.supplies(ids)
        assert sorted(zip(df["supplier"], df["customer"])) == sorted(zip(full["supplier"], full["customer"]))


def test_enterprise_products(loaded):
    df = loaded.enterprise_products(["E2", "E1"])
    assert list(df.columns) == ["enterprise_id", "product_id", "product", "revenue_share", "source", "as_of",
                                "illustrative"]
    assert sorted(zip(df["enterprise_id"], df["product_id"], df["product"], df["revenue_share"])) == [
        ("E1", "P-CAR", "整车", 0.9), ("E2", "P-BATT", "动力电池", 0.6), ("E2", "P-CATH", "正极材料", 0.3)]
    assert set(df["source"]) == {"ep.csv"}


def test_search_chinese_partial_and_exact_first(loaded):
    df = loaded.search("电池")
    assert list(df.columns) == ["label", "id", "name", "detail"]
    assert set(zip(df["label"], df["id"])) == {("Product", "P-BATT"), ("Product", "P-LFP"), ("Enterprise", "E3"),
                                               ("Enterprise", "E5"), ("Enterprise", "E6"), ("Enterprise", "E7")}
    lengths = [len(n) for n in df["name"]]
    assert lengths == sorted(lengths)   # no exact match: shorter names first
    exact = loaded.search("西安电池")
    assert (exact.iloc[0]["label"], exact.iloc[0]["id"]) == ("Enterprise", "E6")
    alias = loaded.search("锂电池")      # exact alias of 动力电池, substring of 磷酸铁锂电池
    assert list(alias["id"])[:2] == ["P-BATT", "P-LFP"]
    assert list(loaded.search("飞地园区")["id"])[:2] in (["PK-FD", "PK-OUT"], ["PK-OUT", "PK-FD"])
    assert set(loaded.search("sx-nev")["id"]) == {"SX-NEV"}
    assert list(loaded.search("300001")["id"]) == ["E2"]
    assert list(loaded.search("ma0kabcd")["id"]) == ["E1"]
    salt = loaded.search("盐湖")
    assert set(zip(salt["label"], salt["id"])) == {("Region", "140802"), ("Park", "PK-OUT"), ("Enterprise", "E7")}
    assert len(loaded.search("电池", limit=2)) == 2
    assert loaded.search("不存在的名字").empty
    assert loaded.search("%").empty and loaded.search("_").empty   # no wildcards


def edges_of(store, label, node_id, limit=200):
    nodes, edges = store.neighbourhood(label, node_id, limit)
    assert list(nodes.columns) == ["label", "id", "name"]
    assert list(edges.columns) == ["source_label", "source", "target_label", "target", "type"]
    keys = list(zip(nodes["label"], nodes["id"]))
    assert len(keys) == len(set(keys)) and (label, node_id) in keys
    assert set(edges["type"]) <= set(schema.REL_TYPES)
    for e in edges.to_dict("records"):
        assert (e["source_label"], e["source"]) in keys and (e["target_label"], e["target"]) in keys
    return nodes, {tuple(e) for e in edges.itertuples(index=False, name=None)}


def test_neighbourhood_of_an_enterprise(loaded):
    nodes, edges = edges_of(loaded, "Enterprise", "E2")
    assert edges == {
        ("Enterprise", "E2", "Product", "P-BATT", "MAKES"), ("Enterprise", "E2", "Product", "P-CATH", "MAKES"),
        ("Enterprise", "E2", "Chain", "SX-NEV", "ROLE_IN"), ("Enterprise", "E2", "Region", "140802", "LOCATED_IN"),
        ("Enterprise", "E2", "Enterprise", "E1", "SUPPLIES"), ("Enterprise", "E4", "Enterprise", "E2", "SUPPLIES")}
    assert dict(zip(nodes["id"], nodes["name"]))["140802"] == "盐湖区"
    _, e1 = edges_of(loaded, "Enterprise", "E1")
    assert ("Enterprise", "E1", "Park", "PK-YC", "IN_PARK") in e1


def test_neighbourhood_of_a_product_park_chain_region(loaded):
    _, edges = edges_of(loaded, "Product", "P-BATT")
    assert edges == {
        ("Chain", "SX-NEV", "Product", "P-BATT", "INCLUDES"), ("Product", "P-CATH", "Product", "P-BATT", "FEEDS"),
        ("Product", "P-BATT", "Product", "P-CAR", "FEEDS"), ("Product", "P-LFP", "Product", "P-BATT", "SUBCLASS_OF"),
        *{("Enterprise", e, "Product", "P-BATT", "MAKES") for e in ("E2", "E3", "E5", "E6", "E7")}}
    _, edges = edges_of(loaded, "Park", "PK-FD")
    assert edges == {("Park", "PK-FD", "Region", "140700", "PARK_IN"), ("Park", "PK-FD", "Region", "140800", "COUNTED_FOR"),
                     ("Park", "PK-FD", "Chain", "SX-NEV", "CARRIES"), ("Enterprise", "E3", "Park", "PK-FD", "IN_PARK")}
    _, edges = edges_of(loaded, "Chain", "SX-NEV")
    assert edges == {*{("Chain", "SX-NEV", "Product", p, "INCLUDES") for p in ("P-CATH", "P-BATT", "P-CAR")},
                     ("Enterprise", "E1", "Chain", "SX-NEV", "ROLE_IN"), ("Enterprise", "E2", "Chain", "SX-NEV", "ROLE_IN"),
                     ("Park", "PK-YC", "Chain", "SX-NEV", "CARRIES"), ("Park", "PK-FD", "Chain", "SX-NEV", "CARRIES")}
    _, edges = edges_of(loaded, "Region", "140800")
    assert edges == {("Region", "140800", "Region", "140000", "PART_OF"), ("Region", "140802", "Region", "140800", "PART_OF"),
                     ("Park", "PK-FD", "Region", "140800", "COUNTED_FOR"), ("Enterprise", "E1", "Region", "140800", "LOCATED_IN")}


def test_neighbourhood_limit_and_unknown_node(loaded):
    nodes, edges = edges_of(loaded, "Product", "P-BATT", limit=3)
    assert len(nodes) == 4 and len(edges) >= 3
    with pytest.raises(NotFound):
        loaded.neighbourhood("Enterprise", "NOPE")


def test_generation_changes_with_every_write_and_only_then(loaded, make_batch):
    before = loaded.generation()
    assert loaded.generation() == before  # reads do not move it
    loaded.apply(make_batch(products=[{"product_id": "P-NEW", "name": "新产品"}]))
    after = loaded.generation()
    assert after != before
    loaded.clear()
    assert loaded.generation() not in (before, after)
