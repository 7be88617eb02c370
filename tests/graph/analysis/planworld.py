"""A small two-chain world for the recruitment-plan tests (imported by test_plan / the CLI and UI tests).

甲链 C-A: X (key) -> Y -> W, and V;  乙链 C-B: Y -> Z  (Y is in both chains). No maker of X, Y or Z in
运城市 (140800) and none of unknown location, so all three are 缺链 in both chains where they occur; W is
已配套 (local makers L1, L2). V is 弱链 whatever D and U turn out to be: its one known local maker L3 is
small and so are D and U, so it lacks a 规上/大中型 maker either way.
Outside makers:
    A   苏州 (no tags, unknown scale)    makes X and Y      -> serves 3 gaps (X@甲, Y@甲, Y@乙)
    B   郑州, 500强, 上市, 大型            makes X
    C   郑州                              makes Z
    P   苏州                              makes Z
    D   no region                         makes V            -> location unknown: never picked
    U   山西省 (140000, coarser than 运城) makes V            -> location unknown: never picked
A maker of unknown location of X, Y or Z would make that link 待核实 (not a gap) instead (issue #11).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gapworld  # noqa: E402
from gapworld import build_batch  # noqa: E402

REGIONS = gapworld.REGIONS   # 山西 (太原, 运城 > 盐湖区), 河南 (郑州), 江苏 (苏州)
ENTERPRISES = [  # id, name, region, scale, revenue, listed, tags
    ("A", "苏州甲乙材料", "320500", None, None, False, []),
    ("B", "郑州大集团", "410100", "大型", 10_000_000.0, True, ["500强", "上市"]),
    ("C", "郑州丙厂", "410100", "中型", 50_000.0, False, []),
    ("P", "苏州丙厂", "320500", "小型", 5_000.0, False, []),
    ("D", "无地址全能厂", None, "小型", 1_000.0, False, []),
    ("U", "山西某全能厂", "140000", "小型", 1_000.0, False, []),
    ("L3", "运城戊厂", "140800", "小型", 1_000.0, False, []),
    ("L1", "运城丁厂一", "140800", "大型", 100_000.0, False, ["规上"]),
    ("L2", "运城丁厂二", "140802", "中型", 80_000.0, False, []),
]
MAKES = [("A", "X", 0.1), ("A", "Y", 0.1), ("B", "X", 1.0), ("C", "Z", 0.5), ("P", "Z", 0.5),
         ("D", "V", 0.3), ("U", "V", 0.3), ("L3", "V", 0.9),
         ("L1", "W", 0.5), ("L2", "W", 0.5)]


def world():
    return build_batch(
        regions=REGIONS,
        chains=[dict(chain_id="C-A", name="甲链", province="140000"), dict(chain_id="C-B", name="乙链", province="140000")],
        products=[dict(product_id=p, name=p) for p in ("X", "Y", "Z", "W", "V")],
        chain_products=[dict(chain="C-A", product="X", stage="upstream", key_link=True),
                        dict(chain="C-A", product="Y", stage="midstream", key_link=False),
                        dict(chain="C-A", product="W", stage="downstream", key_link=False),
                        dict(chain="C-A", product="V", stage="midstream", key_link=False),
                        dict(chain="C-B", product="Y", stage="upstream", key_link=False),
                        dict(chain="C-B", product="Z", stage="downstream", key_link=False)],
        product_flows=[dict(from_product="X", to_product="Y"), dict(from_product="Y", to_product="W"),
                       dict(from_product="Y", to_product="Z")],
        enterprises=[dict(enterprise_id=e, name=n, region=r, scale=s, revenue=rv, listed=ls, tags=t)
                     for e, n, r, s, rv, ls, t in ENTERPRISES],
        enterprise_products=[dict(enterprise=e, product=p, revenue_share=sh) for e, p, sh in MAKES],
    )
