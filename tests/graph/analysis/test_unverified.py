"""Unknown is never a gap (#11): three-valued location, 待核实 links, rules judged on what is known,
the coverage range, targets without unknown-location firms, the 核实清单 and its reload round trip.
Hand-made scenario (gapworld.honest_world) on both stores."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import honest_world  # noqa: E402

from graph.analysis import location  # noqa: E402
from graph.analysis.gap_summary import coverage_text  # noqa: E402
from graph.analysis.gaps import diagnose  # noqa: E402
from graph.analysis.scope import RegionTree, place_of_park, place_of_region, scope_for  # noqa: E402
from graph.analysis.targets import rank_targets  # noqa: E402
from graph.analysis.verify import VERIFY_COLUMNS, fill_in_tables, verify_list  # noqa: E402
from graph.options import Thresholds  # noqa: E402


@pytest.fixture
def atlas(store):
    store.apply(honest_world())
    return store


def status(report) -> dict:
    return report.links.set_index("product_id")["status"].to_dict()


def link(report, pid) -> pd.Series:
    return report.links.set_index("product_id").loc[pid]


def test_unknown_region_maker_makes_the_link_unverified_never_missing(atlas):
    r = diagnose(atlas, "新能源汽车", "运城市")
    assert status(r) == {"P-LI": "weak", "P-CAT": "unverified", "P-CELL": "covered", "P-BMS": "unverified",
                         "P-PACK": "unverified", "P-MOTOR": "covered", "P-GLASS": "covered", "P-CAR": "covered",
                         "P-CHG": "no_data"}
    cat = link(r, "P-CAT")
    assert cat["status_cn"] == "待核实" and cat["unknown_makers"] == 1 and cat["unknown_maker_names"] == "山西焦化"
    assert cat["grade"] == "" and cat["priority"] == 0 and not cat["broken"]
    assert "1 家生产企业所在地待核实（山西焦化）" in cat["reason"] and "均在区域外" not in cat["reason"]
    assert "核实前不判为缺链" in cat["reason"]
    # no 缺链 anywhere: the only outside-only verdicts left are the honest ones
    assert not r.gaps()["product_id"].isin(["P-CAT", "P-PACK", "P-BMS"]).any()
    assert any("3 家生产企业的所在地对“运城市”未知" in n for n in r.notes)
    assert any(n.startswith("3 个环节待核实") for n in r.notes)


def test_province_only_location_is_unknown_for_the_city_and_local_for_the_province(atlas):
    city = diagnose(atlas, "C-NEV", "运城市")
    pack = link(city, "P-PACK")
    assert pack["status"] == "unverified" and pack["local_makers"] == 0 and pack["unknown_maker_ids"] == "E-PACK-SX"
    province = diagnose(atlas, "C-NEV", "山西省")
    pack = link(province, "P-PACK")
    assert pack["local_makers"] == 1 and pack["unknown_makers"] == 0
    assert pack["status"] == "weak" and "本地仅 1 家生产企业" in pack["reason"]   # certain: 1 maker in all
    assert "E-PACK-SX" in set(province.makers["enterprise_id"]) and "E-PACK-SX" not in set(city.makers["enterprise_id"])
    assert link(province, "P-CAT")["status"] == "unverified"                    # no region at all


def test_three_valued_location_rule_directly(atlas):
    tree = RegionTree.from_store(atlas, cached=False)
    regions = pd.Series(["140802", "140100", "140000", None, "410100", "140800"])
    parks = pd.Series([None, None, None, None, None, "PK-FD"])
    yc = place_of_region(tree, "140800")
    assert location.classify(tree, yc, scope_for(tree, yc), regions, parks).tolist() == \
        ["local", "outside", "unknown", "unknown", "outside", "local"]
    pk = place_of_park(tree, "PK-YC")   # the park stands in 盐湖区: a firm known only to 盐湖区/运城 may be in it
    assert location.classify(tree, pk, scope_for(tree, pk), regions, parks).tolist() == \
        ["unknown", "outside", "unknown", "unknown", "outside", "outside"]


def test_unknown_scale_is_not_weak_for_scale_but_the_count_rule_holds(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    motor = link(r, "P-MOTOR")
    assert motor["status"] == "covered" and motor["local_scale_unknown"] == 1 and motor["local_large"] == 0
    assert "规模未知 1 家，未按规模判断弱链" in motor["reason"]
    strict = diagnose(atlas, "C-NEV", "运城市", thresholds=Thresholds(min_makers=3))
    motor = link(strict, "P-MOTOR")
    assert motor["status"] == "weak" and "本地仅 2 家生产企业（阈值 3）" in motor["reason"]


def test_too_few_known_local_makers_with_unknowns_is_unverified_until_certain(atlas):
    bms = link(diagnose(atlas, "C-NEV", "运城市"), "P-BMS")
    assert (bms["local_makers"], bms["unknown_makers"], bms["status"]) == (1, 2, "unverified")
    assert "本地已知 1 家生产企业（阈值 2）" in bms["reason"]
    # with 4 required even 1 + 2 unknown cannot reach it: weak for certain
    assert link(diagnose(atlas, "C-NEV", "运城市", thresholds=Thresholds(min_makers=4)), "P-BMS")["status"] == "weak"


def test_coverage_is_known_value_plus_range(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    s = r.summary
    assert (s["local_rate"], s["local_rate_max"], s["unverified"], s["unverified_open"]) == (0.75, 1.0, 3, 2)
    assert coverage_text(s) == "75%（待核实 2 个环节，上限 100%）"
    # key links: CAT, CELL, PACK, MOTOR, CAR (CHG has no data); weight 2 → known (2*3+1*3)/(2*5+3)
    assert s["key_weighted_rate"] == round(9 / 13, 4) and s["key_weighted_rate_max"] == 1.0
    mid = r.stages.set_index("stage").loc["midstream"]
    assert (mid["unverified"], mid["unverified_open"], mid["local_rate"], mid["local_rate_max"]) == (2, 1, 0.8, 1.0)


def test_targets_exclude_unknown_location_firms_unless_asked(atlas):
    r = diagnose(atlas, "C-NEV", "运城市")
    t = rank_targets(atlas, r, products=["P-CAT"])
    assert "E-CAT-U" not in set(t["enterprise_id"]) and set(t["location"]) == {"区域外"}
    assert t.attrs["unverified"] == 1
    assert any(n.startswith("1 家生产企业所在地对“运城市”待核实") and "--include-unverified" in n
               for n in t.attrs["notes"])
    both = rank_targets(atlas, r, products=["P-CAT"], include_unverified=True).set_index("enterprise_id")
    assert both.at["E-CAT-U", "location"] == "待核实" and both.at["E-CAT-U", "reason"].startswith("待核实")
    # a certain weak link whose only outside makers are of unknown location: no target at all
    strict = diagnose(atlas, "C-NEV", "运城市", thresholds=Thresholds(min_makers=4))
    bms = rank_targets(atlas, strict, products=["P-BMS"])
    assert bms.empty and bms.attrs["unverified"] == 2


def test_verification_list_order(atlas):
    v, notes = verify_list(atlas, "运城市", chains=["新能源汽车"])
    assert list(v.columns) == VERIFY_COLUMNS
    # 山西焦化 could settle 正极材料 (key, 2) + 电池管理系统 (1); 山西电池包 电池包 (key, 2); 某电控 1
    assert v[["enterprise_id", "weight", "key_links", "links", "rank"]].values.tolist() == [
        ["E-CAT-U", 3.0, 1, 2, 1], ["E-PACK-SX", 2.0, 1, 1, 2], ["E-BMS-U", 1.0, 0, 1, 3]]
    row = v.set_index("enterprise_id").loc["E-PACK-SX"]
    assert row["why"] == "只登记到山西省，无法确定是否在运城市" and row["link_names"] == "新能源汽车:电池包(关键)"
    assert v.set_index("enterprise_id").at["E-CAT-U", "why"] == "无所在地区"
    assert notes[0].startswith("3 家企业所在地对“运城市”待核实，涉及 3 个待核实环节")
    assert verify_list(atlas, "运城市", top=1)[0]["enterprise_id"].tolist() == ["E-CAT-U"]


def test_fill_in_and_reload_resolves_the_statuses(atlas, tmp_path):
    from loaders.workbook import load_path
    v, _ = verify_list(atlas, "运城市")
    tables = fill_in_tables(atlas, v)
    sheet = tables["enterprises"]
    assert sheet["enterprise_id"].tolist() == ["E-CAT-U", "E-PACK-SX", "E-BMS-U"]
    sheet["region"] = ["140800", "320500", "410100"]          # what the planners found out
    folder = tmp_path / "filled"
    folder.mkdir()
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    load_path(atlas, folder)
    r = diagnose(atlas, "C-NEV", "运城市")
    st = status(r)
    assert (st["P-CAT"], st["P-BMS"], st["P-PACK"]) == ("weak", "covered", "missing")
    assert r.summary["unverified"] == 0 and r.summary["local_rate"] == r.summary["local_rate_max"]
    ent = atlas.enterprises(["E-CAT-U"]).iloc[0]
    assert ent["scale"] == "中型" and list(ent["tags"]) == ["规上"]      # the rest of the row survived
    assert verify_list(atlas, "运城市")[0].empty


def test_compare_treats_province_only_makers_as_unknown_in_every_city(atlas):
    from graph.analysis.compare import compare_regions
    cmp = compare_regions(atlas, "C-NEV", "山西省")
    cells = cmp.cells.set_index(["name", "product_id"])
    # 山西电池包 is registered only as 山西省: 未细分 at the province, unknown for 运城 and 太原
    assert cells.at[("运城市", "P-PACK"), "status"] == "unverified"
    assert cells.at[("太原市", "P-PACK"), "status"] == "unverified"
    assert cells.at[("未细分", "P-PACK"), "local_makers"] == 1
    cov = cmp.coverage.set_index("name")
    assert cov.at["运城市", "unverified"] == 3 and cov.at["运城市", "local_rate_max"] == 1.0
    assert any("在各下级区划中记为待核实" in n for n in cmp.notes)


def test_a_leader_of_unknown_location_is_not_called_outside(atlas):
    roles = [dict(chain="C-NEV", enterprise="E-CAR1", role="链主"), dict(chain="C-NEV", enterprise="E-TY", role="链主"),
             dict(chain="C-NEV", enterprise="E-PACK-SX", role="链主")]
    atlas.apply(honest_world(chain_roles=roles))
    lead = diagnose(atlas, "C-NEV", "运城市").leaders.set_index("enterprise_id")["location"].to_dict()
    assert lead == {"E-CAR1": "本地", "E-TY": "区域外", "E-PACK-SX": "待核实"}


def test_unknown_revenue_share_is_not_weak_for_share(store):
    from gapworld import MAKES, UNKNOWN_MAKES
    makes = [(e, p, None if e == "E-LI2" else sh) for e, p, sh in MAKES + UNKNOWN_MAKES]
    store.apply(honest_world(enterprise_products=[dict(enterprise=e, product=p, revenue_share=sh)
                                                  for e, p, sh in makes]))
    li = link(diagnose(store, "C-NEV", "运城市"), "P-LI")      # known 0.1 < 0.3, but 盐湖锂业's share unknown
    assert li["status"] == "covered" and "营收占比未知 1 家，未按占比判断" in li["reason"]
