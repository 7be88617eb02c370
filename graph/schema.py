"""The atlas schema: node labels, relationship types, enums and the import tables.

This module is the single allow-list of labels and relationship types. Cypher is
only ever built from the constants here, never from input.

The import format (one workbook, one sheet per table, or a folder of CSV files
named ``<table>.csv``) is described by :data:`TABLES`; README.md's table reference
and the template workbook are generated from it.

>>> TABLES["chains"].key
('chain_id',)
>>> [c.name for c in TABLES["chain_roles"].columns][:3]
['chain', 'enterprise', 'role']
"""
from __future__ import annotations

from dataclasses import dataclass

# --- node labels and relationship types (the allow-list) -------------------
CHAIN, PRODUCT, ENTERPRISE, PARK, REGION = "Chain", "Product", "Enterprise", "Park", "Region"
NODE_LABELS = (CHAIN, PRODUCT, ENTERPRISE, PARK, REGION)

INCLUDES = "INCLUDES"          # (Chain)-[:INCLUDES {stage, segment, key_link}]->(Product)
FEEDS = "FEEDS"                # (Product)-[:FEEDS {cycle_ok}]->(Product): upstream input -> downstream output
MAKES = "MAKES"                # (Enterprise)-[:MAKES {revenue_share}]->(Product)
ROLE_IN = "ROLE_IN"            # (Enterprise)-[:ROLE_IN {role}]->(Chain): 链主 / 链核
LOCATED_IN = "LOCATED_IN"      # (Enterprise)-[:LOCATED_IN]->(Region)
IN_PARK = "IN_PARK"            # (Enterprise)-[:IN_PARK]->(Park)
PARK_IN = "PARK_IN"            # (Park)-[:PARK_IN]->(Region) where it stands
COUNTED_FOR = "COUNTED_FOR"    # (Park)-[:COUNTED_FOR]->(Region) a 飞地园区 is counted for
CARRIES = "CARRIES"            # (Park)-[:CARRIES]->(Chain) 主导产业
PART_OF = "PART_OF"            # (Region)-[:PART_OF]->(Region) parent
SUPPLIES = "SUPPLIES"          # (Enterprise)-[:SUPPLIES {product}]->(Enterprise)
SUBCLASS_OF = "SUBCLASS_OF"    # (Product)-[:SUBCLASS_OF]->(Product) child is a kind of parent
REL_TYPES = (INCLUDES, FEEDS, MAKES, ROLE_IN, LOCATED_IN, IN_PARK, PARK_IN, COUNTED_FOR,
             CARRIES, PART_OF, SUPPLIES, SUBCLASS_OF)

# Bookkeeping labels of the Neo4j store's load journal (never data: not in NODE_LABELS, never
# counted or exported): one AtlasLoad marker per running load (also its lock), one AtlasJournal
# node per committed write batch (what the batch created and the pre-image of what it changed),
# AtlasSource nodes the provenance summary that `chainatlas stats` reads instead of every row.
LOAD, JOURNAL, SOURCE_SUMMARY = "AtlasLoad", "AtlasJournal", "AtlasSource"
SYSTEM_LABELS = (LOAD, JOURNAL, SOURCE_SUMMARY)

# 招商项目库 (#16): recruitment projects live beside the chain data, never in an import table, so a
# reload or clear() of the chain data keeps them. (Project)-[:HAS_EVENT]->(ProjectEvent) = one stage change.
PROJECT, PROJECT_EVENT = "Project", "ProjectEvent"
PROJECT_LABELS = (PROJECT, PROJECT_EVENT)
HAS_EVENT = "HAS_EVENT"
PROJECT_REL_TYPES = (HAS_EVENT,)
# stages in order; 已终止 (with a reason) can end any open project
PROJECT_STAGES = ("线索", "已接洽", "已考察", "洽谈中", "已签约", "已落地", "已终止")

# --- enums: canonical value -> accepted spellings ---------------------------
STAGES = {
    "upstream": ("upstream", "上游", "up"),
    "midstream": ("midstream", "中游", "mid"),
    "downstream": ("downstream", "下游", "down"),
}
STAGE_LABELS = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}

REGION_LEVELS = {
    "province": ("province", "省", "省级", "自治区", "直辖市"),
    "city": ("city", "市", "地级市", "市级", "地级"),
    "county": ("county", "县", "区", "县级", "县区", "区县"),
}

PARK_KINDS = {k: (k,) for k in (
    "国家级经开区", "国家高新区", "省级开发区", "综改区", "化工园区", "特色专业镇", "飞地园区", "其他")}
PARK_KINDS["国家级经开区"] += ("国家级经济技术开发区", "国家级经济开发区")
PARK_KINDS["国家高新区"] += ("国家级高新区", "国家高新技术产业开发区")
PARK_KINDS["省级开发区"] += ("省级", "省级经开区", "省级高新区", "省级经济技术开发区")
PARK_KINDS["综改区"] += ("省级综改区", "综合改革示范区")
PARK_KINDS["飞地园区"] += ("飞地",)
PARK_KINDS["其他"] += ("园区", "园区/示范基地", "产业集聚区", "示范区")

SCALES = {"大型": ("大型", "大", "large"), "中型": ("中型", "中", "medium"),
          "小型": ("小型", "小", "small"), "微型": ("微型", "微", "micro")}
SCALE_RANK = {"大型": 4, "中型": 3, "小型": 2, "微型": 1}

REGION_SOURCES = {"given": ("given", "给定", "登记", "source"),
                  "inferred": ("inferred", "推断", "infer", "inferred from name")}
REGION_SOURCE_LABELS = {"given": "给定", "inferred": "推断"}
GIVEN, INFERRED = "given", "inferred"


def region_label(name, source) -> str:
    """A region name as every face shows it, an inferred one marked 推断.

    >>> region_label("山西省", "inferred"), region_label("运城市", None)
    ('山西省（推断）', '运城市')
    """
    if not isinstance(name, str) or not name:
        return ""
    return f"{name}（{REGION_SOURCE_LABELS[INFERRED]}）" if source == INFERRED else name

ROLES = {"链主": ("链主", "leader", "chain leader"), "链核": ("链核", "anchor", "core")}

# Known enterprise tags (others are kept as free text but these drive scoring).
KNOWN_TAGS = ("规上", "专精特新", "小巨人", "高新技术", "500强", "独角兽", "上市")

LIST_SEPARATORS = ";；、,，|"
TRUE_WORDS = ("1", "true", "yes", "y", "是", "✓", "√", "t")
FALSE_WORDS = ("0", "false", "no", "n", "否", "", "f")


@dataclass(frozen=True)
class Column:
    """One column of an import table.

    kind: ``str``, ``int``, ``float``, ``share`` (0–1), ``bool``, ``date``, ``list``,
    ``code6`` (6-digit division code), ``enum:<STAGES|REGION_LEVELS|PARK_KINDS|SCALES|ROLES|REGION_SOURCES>``,
    or ``ref:<table>`` (an id or the exact name of a row in that table).
    """

    name: str
    kind: str
    required: bool
    doc: str
    example: str = ""


PROVENANCE = (
    Column("source", "str", True, "出处：URL 或文件名 (where the fact comes from)", "https://…"),
    Column("as_of", "date", True, "数据日期 YYYY-MM-DD / YYYY-MM / YYYY (as-of date)", "2024-04-09"),
    Column("illustrative", "bool", False, "示意数据（无公开来源）为 是 (1/是/true = not backed by a public source)", "否"),
)


@dataclass(frozen=True)
class Table:
    name: str
    label: str                      # Chinese sheet title for humans
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]            # natural key for merge/idempotence
    name_column: str | None = None  # column that references by name may match
    optional: bool = False          # table may be absent from a workbook

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _t(name, label, doc, key, cols, name_column=None, optional=False):
    return Table(name, label, doc, tuple(cols) + PROVENANCE, tuple(key), name_column, optional)


TABLES: dict[str, Table] = {t.name: t for t in (
    _t("regions", "行政区划", "Provinces, cities and counties (6-digit division codes).", ["code"], [
        Column("code", "code6", True, "6 位行政区划代码", "140800"),
        Column("name", "str", True, "名称", "运城市"),
        Column("level", "enum:REGION_LEVELS", True, "级别 province/city/county (省/市/县)", "city"),
        Column("parent", "ref:regions", False, "上级区划（代码或名称）", "140000"),
        Column("lon", "float", False, "经度（中心点）", "111.007"),
        Column("lat", "float", False, "纬度（中心点）", "35.026"),
    ], name_column="name"),
    _t("chains", "产业链", "Industrial chains under the chain-chief system (链长制).", ["chain_id"], [
        Column("chain_id", "str", True, "产业链编号", "SX-NEV"),
        Column("name", "str", True, "产业链名称", "新能源汽车"),
        Column("chief", "str", False, "链长姓名", ""),
        Column("chief_title", "str", False, "链长职务", "副省长"),
        Column("lead_unit", "str", False, "牵头单位", "省工信厅"),
        Column("batch", "str", False, "批次", "首批"),
        Column("year", "int", False, "认定年份", "2022"),
        Column("province", "ref:regions", False, "所属省份（代码或名称）", "山西省"),
    ], name_column="name"),
    _t("products", "产品/环节", "Products: the links of chains.", ["product_id"], [
        Column("product_id", "str", True, "产品编号", "P-BATT"),
        Column("name", "str", True, "产品名称", "动力电池"),
        Column("aliases", "list", False, "别名，用 ; 或 、 分隔", "锂电池;动力锂电池"),
        Column("gbt4754", "str", False, "国民经济行业分类代码 GB/T 4754（可选）", "3841"),
    ], name_column="name"),
    _t("chain_products", "链-产品", "Which products make up a chain, at which stage.", ["chain", "product"], [
        Column("chain", "ref:chains", True, "产业链（编号或名称）", "新能源汽车"),
        Column("product", "ref:products", True, "产品（编号或名称）", "动力电池"),
        Column("stage", "enum:STAGES", True, "环节位置 upstream/midstream/downstream（上游/中游/下游）", "中游"),
        Column("segment", "str", False, "环节名称", "系统总成"),
        Column("key_link", "bool", False, "是否关键环节（是/否）", "是"),
    ]),
    _t("product_flows", "产品流向", "Product feeds product: upstream input -> downstream output.",
       ["from_product", "to_product"], [
        Column("from_product", "ref:products", True, "上游投入品（编号或名称）", "正极材料"),
        Column("to_product", "ref:products", True, "下游产出品（编号或名称）", "动力电池"),
        Column("cycle_ok", "bool", False, "声明允许的循环（是/否）；未声明的循环会报错", "否"),
    ]),
    _t("product_subclasses", "产品小类", "Product is a subclass (小类) of a parent product.",
       ["product", "parent"], [
        Column("product", "ref:products", True, "小类产品（编号或名称）", "磷酸铁锂电池"),
        Column("parent", "ref:products", True, "上级产品（编号或名称）", "动力电池"),
    ], optional=True),
    _t("parks", "园区", "Parks (开发区/高新区/综改区/飞地园区 …).", ["park_id"], [
        Column("park_id", "str", True, "园区编号", "PK-YCETDZ"),
        Column("name", "str", True, "园区名称", "运城经济技术开发区"),
        Column("kind", "enum:PARK_KINDS", True, "类型：" + "/".join(PARK_KINDS), "省级开发区"),
        Column("region", "ref:regions", True, "所在区划（代码或名称）", "盐湖区"),
        Column("counted_for", "ref:regions", False, "飞地园区：统计归属区划（代码或名称）", ""),
    ], name_column="name"),
    _t("park_chains", "园区主导产业", "Park carries chain (主导产业).", ["park", "chain"], [
        Column("park", "ref:parks", True, "园区（编号或名称）", "运城经济技术开发区"),
        Column("chain", "ref:chains", True, "产业链（编号或名称）", "新能源汽车"),
    ], optional=True),
    _t("enterprises", "企业", "Enterprises.", ["enterprise_id"], [
        Column("enterprise_id", "str", True, "企业编号（有统一社会信用代码时可用之）", "E-DAYUN"),
        Column("name", "str", True, "企业名称", "大运汽车股份有限公司"),
        Column("aliases", "list", False, "简称、曾用名，用 ; 或 、 分隔（可搜索，名称引用可用）", "大运汽车;大运"),
        Column("uscc", "str", False, "统一社会信用代码（18 位）", ""),
        Column("region", "ref:regions", False, "所在区划（代码或名称；空 = 未知）", "运城市"),
        Column("region_source", "enum:REGION_SOURCES", False,
               "区划来源 given/inferred（给定/推断：由企业名称或地址推断）；空 = 给定", "给定"),
        Column("region_evidence", "str", False, "推断区划所依据的字样（如名称中的“山西”）", ""),
        Column("park", "ref:parks", False, "所在园区（编号或名称）", ""),
        Column("scale", "enum:SCALES", False, "规模 大型/中型/小型/微型", "大型"),
        Column("revenue", "float", False, "营业收入（万元）", "1200000"),
        Column("employees", "int", False, "从业人数", "8000"),
        Column("listed", "bool", False, "是否上市（是/否）", "否"),
        Column("stock_code", "str", False, "股票代码", ""),
        Column("tags", "list", False, "标签：" + "、".join(KNOWN_TAGS) + " 等，用 ; 或 、 分隔", "规上;高新技术"),
        Column("industries", "list", False, "行业分类（如申万行业、国标行业），用 ; 分隔", "汽车整车"),
        Column("evidence", "str", False, "证据说明（如“口径”“推断”）", ""),
    ], name_column="name"),
    _t("enterprise_products", "企业-产品", "Enterprise makes product.", ["enterprise", "product"], [
        Column("enterprise", "ref:enterprises", True, "企业（编号或名称）", "大运汽车股份有限公司"),
        Column("product", "ref:products", True, "产品（编号或名称）", "整车"),
        Column("revenue_share", "share", False, "该产品占企业营收比例 0–1", "0.6"),
    ]),
    _t("chain_roles", "链主/链核", "Enterprise leads (链主) or anchors (链核) a chain.", ["chain", "enterprise"], [
        Column("chain", "ref:chains", True, "产业链（编号或名称）", "新能源汽车"),
        Column("enterprise", "ref:enterprises", True, "企业（编号或名称）", "大运汽车股份有限公司"),
        Column("role", "enum:ROLES", True, "角色 链主/链核", "链主"),
        Column("evidence", "str", False, "证据说明（如“晋中市口径”）", ""),
    ]),
    _t("supplies", "供货关系", "Optional: enterprise supplies enterprise.", ["supplier", "customer"], [
        Column("supplier", "ref:enterprises", True, "供货企业（编号或名称）", ""),
        Column("customer", "ref:enterprises", True, "客户企业（编号或名称）", ""),
        Column("product", "ref:products", False, "所供产品（编号或名称）", ""),
    ], optional=True),
)}

# Order in which tables are validated and written: nodes before relationships.
NODE_TABLES = ("regions", "chains", "products", "parks", "enterprises")
REL_TABLES = ("chain_products", "product_flows", "product_subclasses", "park_chains", "enterprise_products",
              "chain_roles", "supplies")
LOAD_ORDER = NODE_TABLES + REL_TABLES
assert set(LOAD_ORDER) == set(TABLES)

# Which node table each node label is stored from, and its key column.
LABEL_OF_TABLE = {"regions": REGION, "chains": CHAIN, "products": PRODUCT, "parks": PARK,
                  "enterprises": ENTERPRISE}
KEY_OF_LABEL = {REGION: "code", CHAIN: "chain_id", PRODUCT: "product_id", PARK: "park_id",
                ENTERPRISE: "enterprise_id"}
# Relationship type each relationship table is stored as.
REL_OF_TABLE = {"chain_products": INCLUDES, "product_flows": FEEDS, "park_chains": CARRIES,
                "product_subclasses": SUBCLASS_OF,
                "enterprise_products": MAKES, "chain_roles": ROLE_IN, "supplies": SUPPLIES}


def enum_values(kind: str) -> dict[str, tuple[str, ...]]:
    """The mapping for an ``enum:<NAME>`` column kind."""
    return {"STAGES": STAGES, "REGION_LEVELS": REGION_LEVELS, "PARK_KINDS": PARK_KINDS,
            "SCALES": SCALES, "ROLES": ROLES, "REGION_SOURCES": REGION_SOURCES}[kind.split(":", 1)[1]]


# --- Chinese column headers ------------------------------------------------------------------
# The template's header row is Chinese; the reader takes these headers (and the synonyms below)
# as well as the column keys. One label per column, unique within its table.
PROVENANCE_LABELS = {"source": "来源", "as_of": "数据日期", "illustrative": "示意数据"}
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "regions": {"code": "区划代码", "name": "区划名称", "level": "级别", "parent": "上级区划",
                "lon": "经度", "lat": "纬度"},
    "chains": {"chain_id": "产业链编号", "name": "产业链名称", "chief": "链长", "chief_title": "链长职务",
               "lead_unit": "牵头单位", "batch": "批次", "year": "认定年份", "province": "所属省份"},
    "products": {"product_id": "产品编号", "name": "产品名称", "aliases": "别名", "gbt4754": "国民经济行业代码"},
    "chain_products": {"chain": "产业链", "product": "产品", "stage": "环节位置", "segment": "环节名称",
                       "key_link": "关键环节"},
    "product_flows": {"from_product": "上游投入品", "to_product": "下游产出品", "cycle_ok": "允许循环"},
    "product_subclasses": {"product": "小类产品", "parent": "上级产品"},
    "parks": {"park_id": "园区编号", "name": "园区名称", "kind": "园区类型", "region": "所在地区",
              "counted_for": "统计归属地区"},
    "park_chains": {"park": "园区", "chain": "产业链"},
    "enterprises": {"enterprise_id": "企业编号", "name": "企业名称", "uscc": "统一社会信用代码",
                    "region": "所在地区", "park": "所在园区", "scale": "规模", "revenue": "营业收入（万元）",
                    "employees": "从业人数", "listed": "是否上市", "stock_code": "股票代码", "tags": "标签",
                    "industries": "行业分类", "evidence": "证据说明", "aliases": "简称/曾用名",
                    "region_source": "区划来源", "region_evidence": "区划推断依据"},
    "enterprise_products": {"enterprise": "企业", "product": "产品", "revenue_share": "营收占比"},
    "chain_roles": {"chain": "产业链", "enterprise": "企业", "role": "角色", "evidence": "证据说明"},
    "supplies": {"supplier": "供货企业", "customer": "客户企业", "product": "所供产品"},
}
# Other headers people write for a column (any table that has the column).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "source": ("出处", "数据来源"), "as_of": ("日期", "数据时间"), "illustrative": ("示意", "是否示意"),
    "stage": ("阶段", "环节", "上中下游"), "region": ("所在区划", "地区", "区划"), "revenue": ("营业收入", "营收"),
    "scale": ("企业规模",), "uscc": ("信用代码",), "role": ("链主/链核",), "key_link": ("是否关键环节",),
    "kind": ("类型",), "level": ("区划级别",), "parent": ("上级",), "aliases": ("别称",),
}


def column_label(table: str, column: str) -> str:
    """The Chinese header of a column.

    >>> column_label("enterprises", "name"), column_label("chains", "as_of")
    ('企业名称', '数据日期')
    """
    return COLUMN_LABELS[table].get(column) or PROVENANCE_LABELS[column]


def header_key(text: str) -> str:
    """A header as compared: lower case, no spaces, ASCII brackets, no required-marks (*, （必填）).

    >>> header_key(" 营业收入（万元）* "), header_key("企业名称(必填)")
    ('营业收入(万元)', '企业名称')
    """
    t = str(text).translate(_HEADER_NOISE).lower()
    for mark in ("(必填)", "(选填)", "(可选)", "*"):
        t = t.replace(mark, "")
    return t


_HEADER_NOISE = str.maketrans({"（": "(", "）": ")", "＊": "*", " ": None, "\u3000": None, "\xa0": None})


def header_names(table: str) -> dict[str, str]:
    """Every accepted header of ``table`` (as :func:`header_key`) -> its column key.

    >>> h = header_names("enterprises"); h["企业名称"], h["name"], h["营业收入"], h["出处"]
    ('name', 'name', 'revenue', 'source')
    """
    out: dict[str, str] = {}
    for c in TABLES[table].columns:
        for text in (*HEADER_SYNONYMS.get(c.name, ()), column_label(table, c.name), c.name):
            out[header_key(text)] = c.name      # keys and labels win over synonyms
    return out


for _t_name, _t in TABLES.items():
    assert set(COLUMN_LABELS[_t_name]) | set(PROVENANCE_LABELS) == set(_t.column_names), _t_name
    _labels = [column_label(_t_name, _c) for _c in _t.column_names]
    assert len(set(_labels)) == len(_labels), _t_name
