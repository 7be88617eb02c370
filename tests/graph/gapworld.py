"""A small hand-made world for the gap-engine tests (imported by test_gaps/test_targets/…).

Chain C-NEV 新能源汽车 (9 links), flows:
    锂矿 -> 正极材料 -> 电芯 -> 电池包 -> 整车;  电池管理系统 -> 电池包;  电机 -> 整车;  汽车玻璃 -> 整车;
    充电桩 has no maker anywhere (no data).
Key links: 正极材料, 电芯, 电池包, 电机, 整车, 充电桩.

In 运城市 (140800; 盐湖区 140802 below it), with 飞地 attribution on:
    锂矿      weak (revenue share 0.1+0.1 < 0.3)       正极材料  missing, key, broken
    电芯      covered (one maker in the 飞地 park PK-FD standing in 太原, counted for 运城)
    电池管理系统 weak (1 maker < 2)                      电池包   missing, key, broken
    电机      weak (2 makers, none 规上/大中型), key      汽车玻璃  covered (shares unknown)
    整车      covered                                  充电桩   no data
链主: E-CAR1 (运城, makes 整车), E-TY (太原, makes 整车 and 电机).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_build_batch():
    """tests/conftest.py's build_batch, loaded by path (tests/ is not a package)."""
    name = "_chainatlas_tests_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "conftest.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name].build_batch


build_batch = _load_build_batch()

REGIONS = [
    dict(code="140000", name="山西省", level="province", lon=112.55, lat=37.87),
    dict(code="140100", name="太原市", level="city", parent="140000", lon=112.55, lat=37.87),
    dict(code="140800", name="运城市", level="city", parent="140000", lon=111.0, lat=35.03),
    dict(code="140802", name="盐湖区", level="county", parent="140800"),
    dict(code="410000", name="河南省", level="province", lon=113.75, lat=34.77),
    dict(code="410100", name="郑州市", level="city", parent="410000", lon=113.63, lat=34.75),
    dict(code="320000", name="江苏省", level="province", lon=118.76, lat=32.06),
    dict(code="320500", name="苏州市", level="city", parent="320000", lon=120.58, lat=31.30),
]
PARKS = [
    dict(park_id="PK-YC", name="运城经济技术开发区", kind="国家级经开区", region="140802"),
    dict(park_id="PK-FD", name="太原运城飞地园区", kind="飞地园区", region="140100", counted_for="140800"),
]
PRODUCTS = [("P-LI", "锂矿", "upstream", False), ("P-CAT", "正极材料", "upstream", True),
            ("P-CELL", "电芯", "midstream", True), ("P-BMS", "电池管理系统", "midstream", False),
            ("P-PACK", "电池包", "midstream", True), ("P-MOTOR", "电机", "midstream", True),
            ("P-GLASS", "汽车玻璃", "midstream", False), ("P-CAR", "整车", "downstream", True),
            ("P-CHG", "充电桩", "downstream", True)]
FLOWS = [("P-LI", "P-CAT"), ("P-CAT", "P-CELL"), ("P-CELL", "P-PACK"), ("P-BMS", "P-PACK"),
         ("P-PACK", "P-CAR"), ("P-MOTOR", "P-CAR"), ("P-GLASS", "P-CAR")]
# enterprise_id, name, region, park, scale, revenue, listed, tags
ENTERPRISES = [
    ("E-CAR1", "大运汽车", "140800", None, "大型", 1200000.0, False, ["规上"]),
    ("E-CAR2", "运城整车二厂", "140802", "PK-YC", "中型", 80000.0, False, []),
    ("E-TY", "太原整车", "140100", None, "大型", 3000000.0, True, ["规上"]),
    ("E-CELL1", "飞地电芯", "140100", "PK-FD", "大型", 500000.0, False, ["规上"]),
    ("E-CELL2", "运城电芯", "140800", None, "小型", 3000.0, False, []),
    ("E-LI1", "运城锂业", "140800", None, None, 20000.0, False, ["规上"]),
    ("E-LI2", "盐湖锂业", "140802", None, "小型", 1000.0, False, []),
    ("E-BMS1", "运城电控", "140800", None, "中型", 40000.0, False, []),
    ("E-MOT1", "运城电机一", "140800", None, "小型", 2000.0, False, []),
    ("E-MOT2", "运城电机二", "140802", None, "小型", 2500.0, False, []),
    ("E-GL1", "运城玻璃", "140800", None, "大型", 300000.0, False, []),
    ("E-GL2", "盐湖玻璃", "140802", None, "中型", 60000.0, False, []),
    ("E-CAT-HN", "郑州正极", "410100", None, "中型", 50000.0, False, ["专精特新"]),
    ("E-CAT-JS", "苏州正极", "320500", None, "大型", 2000000.0, True, ["小巨人"]),
    ("E-CAT-X", "苏州正极二厂", "320500", None, "中型", None, False, ["规上"]),
    ("E-PACK-JS", "苏州电池包", "320500", None, "大型", 5000000.0, False, ["500强", "上市"]),
]
MAKES = [("E-CAR1", "P-CAR", 0.8), ("E-CAR2", "P-CAR", 0.5), ("E-TY", "P-CAR", 0.8), ("E-TY", "P-MOTOR", 0.2),
         ("E-CELL1", "P-CELL", 0.7), ("E-CELL2", "P-CELL", 0.4), ("E-LI1", "P-LI", 0.1), ("E-LI2", "P-LI", 0.1),
         ("E-BMS1", "P-BMS", 0.9), ("E-MOT1", "P-MOTOR", 0.2), ("E-MOT2", "P-MOTOR", 0.2),
         ("E-GL1", "P-GLASS", None), ("E-GL2", "P-GLASS", None),
         ("E-CAT-HN", "P-CAT", 0.6), ("E-CAT-JS", "P-CAT", 0.3), ("E-CAT-X", "P-CAT", None),
         ("E-PACK-JS", "P-PACK", 0.9)]
SUPPLIES = [("E-CAT-JS", "E-CAR1", "P-CAT"), ("E-LI1", "E-CAT-HN", "P-LI")]


def world(**overrides):
    """The batch; ``overrides`` replace whole tables (lists of row dicts)."""
    tables = dict(
        regions=REGIONS, parks=PARKS,
        chains=[dict(chain_id="C-NEV", name="新能源汽车", province="140000"),
                dict(chain_id="C-STEEL", name="特钢材料", province="140000")],
        products=[dict(product_id=p, name=n, aliases=["锂辉石"] if p == "P-LI" else []) for p, n, _, _ in PRODUCTS],
        chain_products=[dict(chain="C-NEV", product=p, stage=s, key_link=k) for p, _, s, k in PRODUCTS],
        product_flows=[dict(from_product=a, to_product=b) for a, b in FLOWS],
        enterprises=[dict(enterprise_id=e, name=n, region=r, park=pk, scale=s, revenue=rv, listed=ls, tags=t)
                     for e, n, r, pk, s, rv, ls, t in ENTERPRISES],
        enterprise_products=[dict(enterprise=e, product=p, revenue_share=sh) for e, p, sh in MAKES],
        chain_roles=[dict(chain="C-NEV", enterprise="E-CAR1", role="链主"),
                     dict(chain="C-NEV", enterprise="E-TY", role="链主")],
        supplies=[dict(supplier=a, customer=b, product=p) for a, b, p in SUPPLIES],
    )
    tables.update(overrides)
    return build_batch(**tables)


# --- the honest world: makers whose location or scale is unknown (issue #11) -----------------------
#: Added to the world. For 运城市: 正极材料 and 电池包 have no known local maker but makers of unknown
#: location (山西焦化: no region; 山西电池包: only 山西省) -> 待核实; 电池管理系统 has 1 known local maker
#: (< 2) and 2 of unknown location -> 待核实; 电机 has a maker of unknown scale -> not weak for scale.
UNKNOWN_ENTERPRISES = [
    ("E-CAT-U", "山西焦化", None, None, "中型", None, False, ["规上"]),
    ("E-PACK-SX", "山西电池包", "140000", None, "大型", 90000.0, False, []),
    ("E-BMS-U", "某电控", None, None, None, None, False, []),
]
UNKNOWN_MAKES = [("E-CAT-U", "P-CAT", 0.5), ("E-CAT-U", "P-BMS", 0.5), ("E-PACK-SX", "P-PACK", 0.6),
                 ("E-BMS-U", "P-BMS", None)]


def honest_world(**overrides):
    """:func:`world` plus UNKNOWN_ENTERPRISES/UNKNOWN_MAKES, and 运城电机二 (E-MOT2) of unknown scale."""
    ents = [(e, n, r, pk, None if e == "E-MOT2" else s, rv, ls, t) for e, n, r, pk, s, rv, ls, t in ENTERPRISES]
    tables = dict(
        enterprises=[dict(enterprise_id=e, name=n, region=r, park=pk, scale=s, revenue=rv, listed=ls, tags=t)
                     for e, n, r, pk, s, rv, ls, t in ents + UNKNOWN_ENTERPRISES],
        enterprise_products=[dict(enterprise=e, product=p, revenue_share=sh) for e, p, sh in MAKES + UNKNOWN_MAKES])
    tables.update(overrides)
    return world(**tables)

