"""Gap diagnosis: every status rule, 飞地 on/off, key-link grading, priority parts, summary."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis import gap_rules  # noqa: E402
from graph.analysis.gaps import LINK_COLUMNS, diagnose  # noqa: E402
from graph.options import PriorityWeights, Thresholds  # noqa: E402
from graph.store import MAKER_COLUMNS, ChainView  # noqa: E402


# --- pure functions on hand-made frames -------------------------------------------------------
def view(products, flows=()):
    p = pd.DataFrame([dict(product_id=i, name=i, stage=s, segment=None, key_link=k, source="t", as_of="2024",
                           illustrative=False) for i, s, k in products])
    f = pd.DataFrame(list(flows), columns=["from_product", "to_product"])
    return ChainView({"chain_id": "C"}, p, f, pd.DataFrame(columns=["enterprise_id", "role"]), pd.DataFrame())


def makers(rows):
    """rows: (enterprise_id, product_id, revenue_share, scale, tags)."""
    full = [{**{c: None for c in MAKER_COLUMNS}, "enterprise_id": e, "product_id": p, "revenue_share": sh,
             "name": e, "scale": sc, "tags": t, "region": "R"} for e, p, sh, sc, t in rows]
    m = pd.DataFrame(full, columns=MAKER_COLUMNS)
    return gap_rules.attach_links(m, {p: p for p in m["product_id"]})


def counts(**n):
    return pd.DataFrame({"product_id": list(n), "makers": list(n.values())})


def classify(v, m, c, t=Thresholds()):
    links, notes = gap_rules.classify_links(v, m, c, t)
    return links.set_index("product_id"), notes


def test_status_rules_pure():
    v = view([("A", "upstream", False), ("B", "midstream", False), ("C", "midstream", False),
              ("D", "midstream", False), ("E", "downstream", False), ("F", "downstream", False),
              ("G", "downstream", False)])
    m = makers([("a1", "A", 0.5, "大型", []), ("a2", "A", 0.5, None, ["规上"]),        # covered
                ("b1", "B", 0.9, "大型", []),                                          # weak: few
                ("c1", "C", 0.3, "小型", []), ("c2", "C", 0.3, "微型", ["专精特新"]),  # weak: none large
                ("d1", "D", 0.1, "中型", []), ("d2", "D", 0.1, "小型", []),            # weak: low share
                ("e1", "E", None, "大型", []), ("e2", "E", None, "中型", [])])         # covered, share unknown
    links, notes = classify(v, m, counts(A=2, B=3, C=2, D=2, E=2, F=4, G=0))
    assert links["status"].to_dict() == {"A": "covered", "B": "weak", "C": "weak", "D": "weak", "E": "covered",
                                         "F": "missing", "G": "no_data"}
    assert links.at["B", "reason"] == "本地仅 1 家生产企业（阈值 2）"
    assert links.at["C", "reason"] == "规上或大中型企业 0 家（阈值 1）"
    assert links.at["D", "reason"] == "本地企业该产品营收占比合计 0.20，低于 0.30"
    assert links.at["E", "reason"] == "本地 2 家生产企业，其中规上或大中型 2 家；营收占比未知，未按占比判断"
    assert links.at["F", "reason"] == "本地无生产企业（数据中共 4 家，均在区域外）"
    assert links.at["G", "reason"] == "全部数据中无该产品的生产企业：数据未知，不作为缺链"
    assert links.at["A", "local_large"] == 2 and links.at["A", "local_share_sum"] == 1.0
    assert pd.isna(links.at["E", "local_share_sum"]) and links.at["E", "local_share_known"] == 0
    assert links.at["C", "local_maker_names"] == "c1(小型)、c2(微型·专精特新)"
    assert list(links.reset_index().columns) == LINK_COLUMNS
    assert notes[0].startswith("1 个环节在全部数据中没有任何生产企业") and notes[0].endswith("G")
    assert "未按营收占比判断弱链" in notes[1]


def test_thresholds_change_status_pure():
    v = view([("B", "midstream", False), ("C", "midstream", False), ("D", "midstream", False)])
    m = makers([("b1", "B", 0.9, "大型", []), ("c1", "C", 0.5, "小型", []), ("c2", "C", 0.5, "小型", []),
                ("d1", "D", 0.1, "中型", []), ("d2", "D", 0.1, "中型", [])])
    c = counts(B=1, C=2, D=2)
    assert classify(v, m, c)[0]["status"].tolist() == ["weak", "weak", "weak"]
    off = Thresholds(min_makers=1, min_large=0, min_revenue_share=0)
    assert classify(v, m, c, off)[0]["status"].tolist() == ["covered", "covered", "covered"]
    stricter = Thresholds(min_makers=3, min_large=0, min_revenue_share=0)
    assert classify(v, m, c, stricter)[0]["status"].tolist() == ["weak", "weak", "weak"]


def test_broken_needs_local_up_and_down_pure():
    v = view([("U", "upstream", False), ("M", "midstream", True), ("M2", "midstream", False),
              ("D", "downstream", False)], flows=[("U", "M"), ("M", "D"), ("U", "M2")])
    m = makers([("u", "U", 0.9, "大型", []), ("d", "D", 0.9, "大型", []), ("u2", "U", 0.9, "大型", []),
                ("d2", "D", 0.9, "大型", [])])
    links, _ = classify(v, m, counts(U=2, M=5, M2=5, D=2))
    assert links["broken"].to_dict() == {"U": False, "M": True, "M2": False, "D": False}
    assert links.at["M", "label"] == "断链·缺链" and links.at["M2", "label"] == "缺链"
    assert links.at["M", "reason"].endswith("断链：上游（U）与下游（D）本地均有企业，本环节使本地链条中断；关键环节")


def test_subclass_makers_count_for_the_link():
    link_of = gap_rules.link_products(["BATT"], pd.DataFrame({"product": ["LFP", "LFP-X"],
                                                              "parent": ["BATT", "LFP"]}))
    assert link_of == {"BATT": "BATT", "LFP": "BATT", "LFP-X": "BATT"}
    raw = pd.DataFrame([{**{c: None for c in MAKER_COLUMNS}, "enterprise_id": e, "product_id": p,
                         "revenue_share": s} for e, p, s in [("e1", "LFP", 0.4), ("e1", "BATT", 0.1),
                                                             ("e2", "LFP-X", 0.2)]], columns=MAKER_COLUMNS)
    m = gap_rules.attach_links(raw, link_of)
    assert m[["enterprise_id", "product_id", "link_id"]].values.tolist() == [["e1", "BATT", "BATT"],
                                                                             ["e2", "LFP-X", "BATT"]]
    c = gap_rules.link_counts(pd.DataFrame({"product_id": ["BATT", "LFP", "LFP-X"], "makers": [1, 1, 1]}), link_of)
    assert c.values.tolist() == [["BATT", 3]]


# --- through the store --------------------------------------------------------------------------
@pytest.fixture
def atlas(store):
    store.apply(world())
    return store


def by_id(report, col):
    return report.links.set_index("product_id")[col].to_dict()


def test_diagnose_statuses_enclave_on(atlas):
    r = diagnose(atlas, "新能源汽车", "运城市")
    assert by_id(r, "status") == {"P-LI": "weak", "P-CAT": "missing", "P-CELL": "covered", "P-BMS": "weak",
                                  "P-PACK": "missing", "P-MOTOR": "weak", "P-GLASS": "covered",
                                  "P-CAR": "covered", "P-CHG": "no_data"}
    assert {k for k, v in by_id(r, "broken").items() if v} == {"P-CAT", "P-PACK"}
    assert by_id(r, "local_makers")["P-CELL"] == 2
    assert by_id(r, "local_maker_ids")["P-CELL"] == "E-CELL1;E-CELL2"
    stages = r.links["stage"].tolist()   # links come in stage order
    assert stages == sorted(stages, key=["upstream", "midstream", "downstream"].index)


def test_diagnose_enclave_off_moves_the_park(atlas):
    r = diagnose(atlas, "C-NEV", "140800", enclave_attribution=False)
    assert by_id(r, "status")["P-CELL"] == "weak"
    assert by_id(r, "local_maker_ids")["P-CELL"] == "E-CELL2"
    assert by_id(r, "reason")["P-CELL"].startswith("本地仅 1 家生产企业（阈值 2）；规上或大中型企业 0 家（阈值 1）")
    ty_on = diagnose(atlas, "C-NEV", "太原市")
    ty_off = diagnose(atlas, "C-NEV", "太原市", enclave_attribution=False)
    assert by_id(ty_on, "status")["P-CELL"] == "missing"
    assert by_id(ty_off, "local_maker_ids")["P-CELL"] == "E-CELL1"
    assert "飞地园区按实际所在地计入（未启用飞地归属）。" in ty_off.notes


def test_diagnose_park_and_county(atlas):
    park = diagnose(atlas, "C-NEV", "运城经济技术开发区")
    assert park.region["kind"] == "park"
    assert {k for k, v in by_id(park, "local_makers").items() if v} == {"P-CAR"}
    county = diagnose(atlas, "C-NEV", "盐湖区")
    assert by_id(county, "local_maker_ids")["P-CAR"] == "E-CAR2"
    assert by_id(county, "local_maker_ids")["P-LI"] == "E-LI2"


def test_priority_parts_and_grades(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    links = r.links.set_index("product_id")
    parts = ["p_status", "p_broken", "p_key", "p_demand", "p_leaders", "p_centrality", "priority"]
    assert links.loc["P-CAT", parts].tolist() == [35, 15, 20, 4, 0, 7.08, 81.08]
    assert links.loc["P-PACK", parts].tolist() == [35, 15, 20, 4, 10, 10, 94]
    assert links.loc["P-MOTOR", parts].tolist() == [15, 0, 20, 4, 5, 1.67, 45.67]
    assert links.loc["P-LI", parts].tolist() == [15, 0, 0, 0, 0, 1.67, 16.67]
    assert links.loc["P-CAR", parts].tolist() == [0] * 7
    assert by_id(r, "grade") == {"P-LI": "一般", "P-CAT": "紧急", "P-CELL": "", "P-BMS": "一般", "P-PACK": "紧急",
                                 "P-MOTOR": "重要", "P-GLASS": "", "P-CAR": "", "P-CHG": ""}
    assert links.at["P-PACK", "leader_consumers"] == "大运汽车（本地）、太原整车"
    assert links.at["P-PACK", "leader_consumers_local"] == 1
    assert links.at["P-CAT", "local_demand"] == 2
    assert r.gaps()["product_id"].tolist() == ["P-PACK", "P-CAT", "P-MOTOR", "P-BMS", "P-LI"]


def test_missing_key_link_is_always_urgent(atlas):
    high = PriorityWeights(urgent_at=1000, important_at=1000)
    r = diagnose(atlas, "C-NEV", "运城市", priority=high)
    grades = by_id(r, "grade")
    assert (grades["P-CAT"], grades["P-PACK"]) == ("紧急", "紧急")   # missing key links
    assert (grades["P-MOTOR"], grades["P-LI"]) == ("一般", "一般")   # weak key link is not


def test_changed_thresholds_change_results(atlas):
    r = diagnose(atlas, "C-NEV", "运城市", thresholds=Thresholds(min_makers=1, min_large=0, min_revenue_share=0))
    assert by_id(r, "status") == {"P-LI": "covered", "P-CAT": "missing", "P-CELL": "covered",
                                  "P-BMS": "covered", "P-PACK": "missing", "P-MOTOR": "covered",
                                  "P-GLASS": "covered", "P-CAR": "covered", "P-CHG": "no_data"}
    assert r.thresholds.min_makers == 1 and r.options()["thresholds"]["min_revenue_share"] == 0


def test_summary_stages_leaders(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    assert r.summary == {"links": 9, "with_data": 8, "covered": 3, "weak": 3, "missing": 2, "broken": 2,
                         "no_data": 1, "local": 6, "local_rate": 0.75, "key_links": 5, "key_local": 3,
                         "key_weighted_rate": 0.6923, "urgent": 2, "important": 1, "normal": 2,
                         "local_enterprises": 11, "unverified": 0, "unverified_open": 0,
                         "local_rate_max": 0.75, "key_weighted_rate_max": 0.6923, "unknown_enterprises": 0}
    assert r.stages[["stage", "links", "covered", "weak", "missing", "broken", "no_data", "local_rate"]] \
        .values.tolist() == [["upstream", 2, 0, 1, 1, 1, 0, 0.5], ["midstream", 5, 2, 2, 1, 1, 0, 0.8],
                             ["downstream", 2, 1, 0, 0, 0, 1, 1.0]]
    lead = r.leaders.set_index("enterprise_id")
    assert lead.loc["E-CAR1", ["is_local", "inputs", "inputs_local", "missing_inputs", "weak_inputs"]].tolist() \
        == [True, 3, 2, "电池包", "电机"]
    assert lead.at["E-CAR1", "local_share"] == pytest.approx(2 / 3)
    assert lead.loc["E-TY", ["is_local", "products", "inputs", "local_share"]].tolist() == [False, "整车、电机", 2, 0.5]
    assert r.data["as_of_max"] == "2024-01-01" and r.data["sources"] == ["test"]


def test_no_maker_anywhere_is_no_data_not_missing(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    assert by_id(r, "status")["P-CHG"] == "no_data"
    assert "P-CHG" not in r.gaps()["product_id"].tolist()
    assert any("充电桩" in n and "无数据" in n for n in r.notes)
    empty = diagnose(atlas, "特钢材料", "运城市")
    assert empty.summary["links"] == 0 and empty.gaps().empty


def test_to_dict_is_json_ready(atlas):
    import json
    d = diagnose(atlas, "C-NEV", "运城市").to_dict()
    text = json.dumps(d, ensure_ascii=False, allow_nan=False)   # NaN would raise here
    assert "断链·缺链" in text
    cat = next(x for x in d["links"] if x["product_id"] == "P-CAT")
    assert cat["local_share_sum"] is None and cat["broken"] is True and cat["priority"] == 81.08


def test_maker_lists_are_capped_for_export():
    v = view([("A", "midstream", False)])
    m = makers([(f"e{i:03d}", "A", 0.01, "大型", []) for i in range(60)])
    links, _ = classify(v, m, counts(A=60))
    names = links.at["A", "local_maker_names"]
    assert names.endswith("、…等 60 家") and names.count("、") == 50
    assert links.at["A", "local_makers"] == 60


def test_tag_helpers():
    tags = pd.Series([["规上", "专精特新"], [], None, ["小巨人"]], index=[10, 11, 12, 13])
    assert gap_rules.has_tag(tags, "规上", "小巨人").tolist() == [True, False, False, True]
    flags = gap_rules.tag_flags(tags, ["专精特新", "上市"])
    assert flags["专精特新"].tolist() == [True, False, False, False] and not flags["上市"].any()
    assert list(flags["上市"].index) == [10, 11, 12, 13]


def test_subclass_makers_through_the_store(store):
    subs = [dict(product="P-LFP", parent="P-PACK")]
    products = world()["products"].to_dict(orient="records") + [dict(product_id="P-LFP", name="磷酸铁锂电池包",
                                                                     aliases=[])]
    makes = world()["enterprise_products"].to_dict(orient="records") + [
        dict(enterprise="E-BMS1", product="P-LFP", revenue_share=0.05)]
    store.apply(world(product_subclasses=subs, products=products, enterprise_products=makes))
    on = diagnose(store, "C-NEV", "运城市")
    assert by_id(on, "local_maker_ids")["P-PACK"] == "E-BMS1" and by_id(on, "status")["P-PACK"] == "weak"
    assert on.link_of["P-LFP"] == "P-PACK"
    off = diagnose(store, "C-NEV", "运城市", count_subclasses=False)
    assert by_id(off, "status")["P-PACK"] == "missing" and off.options()["count_subclasses"] is False
