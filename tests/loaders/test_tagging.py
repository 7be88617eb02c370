"""Product tagging of free text: longest match, trade-only phrases, confidence by field."""
from __future__ import annotations

import pandas as pd
import pytest

from loaders.tagging import ProductTagger, match_key, tag_rows

PRODUCTS = pd.DataFrame({
    "product_id": ["P-LI", "P-POWER", "P-PARTS", "P-CAR", "P-MOTOR", "P-CATH", "P-OTHER", "P-COAL"],
    "name": ["锂电池", "动力电池", "汽车零部件", "汽车", "电机", "正极材料", "其他", "煤"],
    "aliases": [[], ["动力锂电池"], ["汽车配件"], [], [], [], [], []],
})


@pytest.fixture(scope="module")
def tagger():
    return ProductTagger(PRODUCTS)


def found(tagger, text, field="经营范围"):
    return [(m.product_id, m.mode, m.confidence) for m in tagger.mentions(text, field)]


@pytest.mark.parametrize("text, expected", [
    ("锂电池制造", [("P-LI", "make", 0.85)]),
    ("生产锂电池", [("P-LI", "make", 0.85)]),
    ("锂电池、电机的研发、生产和销售", [("P-LI", "make", 0.85), ("P-MOTOR", "make", 0.85)]),
    ("汽车零部件销售", [("P-PARTS", "trade", 0.0)]),                 # longest: not 汽车
    ("销售：锂电池、电机", [("P-LI", "trade", 0.0), ("P-MOTOR", "trade", 0.0)]),
    ("批发零售锂电池", [("P-LI", "trade", 0.0)]),
    ("货物进出口；汽车零部件加工", [("P-PARTS", "make", 0.85)]),
    ("汽车维修", [("P-CAR", "service", 0.0)]),
    ("锂电池技术咨询", [("P-LI", "mention", 0.6)]),
    ("从事动力锂电池的研发", [("P-POWER", "make", 0.8)]),              # alias: 0.05 less
    ("锂电池生产设备制造", [("P-LI", "mention", 0.6)]),                # a modifier, not the product made
    ("汽车配件及其他产品销售", [("P-PARTS", "trade", 0.0)]),           # 其他 is too generic to match
    ("煤炭开采", []),                                                   # one-character names are not patterns
    ("ＬＩ电池；汽车 零部件制造", [("P-PARTS", "make", 0.85)]),        # full width, spaces
])
def test_scope_mentions(tagger, text, expected):
    assert found(tagger, text) == expected


def test_main_products_field(tagger):
    assert found(tagger, "锂电池", "主营产品") == [("P-LI", "exact", 0.95)]
    assert found(tagger, "动力锂电池", "主营产品") == [("P-POWER", "exact", 0.9)]
    assert found(tagger, "锂电池、电机", "主营产品") == [("P-LI", "mention", 0.9), ("P-MOTOR", "mention", 0.9)]
    assert found(tagger, "汽车零部件销售", "主营产品") == [("P-PARTS", "trade", 0.0)]


def test_phrase_and_context(tagger):
    [m] = tagger.mentions("一般项目：汽车零部件制造；技术服务", "经营范围")
    assert (m.phrase, m.context, m.field) == ("汽车零部件", "一般项目:汽车零部件制造", "经营范围")
    assert match_key(" ＬＥＤ 芯片 ") == "led芯片"


def test_tag_rows_keeps_the_best_mention_per_product(tagger):
    rows = pd.DataFrame({"row": [2, 3], "enterprise_id": ["E1", "E2"], "enterprise": ["甲", "乙"],
                         "主营产品": ["锂电池", ""],
                         "经营范围": ["锂电池销售；汽车零部件销售", "汽车零部件销售；汽车零部件制造"]})
    tags = tag_rows(tagger, rows)
    got = {(r.enterprise_id, r.product_id): (r.field, r.mode, r.makes) for r in tags.itertuples()}
    assert got == {("E1", "P-LI"): ("主营产品", "exact", True),
                   ("E1", "P-PARTS"): ("经营范围", "trade", False),
                   ("E2", "P-PARTS"): ("经营范围", "make", True)}


def test_empty_inputs():
    t = ProductTagger(pd.DataFrame({"product_id": [], "name": [], "aliases": []}))
    assert t.mentions("锂电池制造") == []
    assert ProductTagger(PRODUCTS).mentions(None) == []
