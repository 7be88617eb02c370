"""The seed's design, read from seeds/design/*.csv: what the facts do not say and the builder
must be told — the product catalogue, chain memberships and flows, the ids of the fact-backed
enterprises, the illustrative local firms and the national pool's cities and product groups.

A row that a facts row backs names it (``fact_chain``, ``fact_segment_type`` and the token or
snippet that must appear in that row of ``chain_segments.csv``); the builder then copies that
row's sources and date. Every other row becomes illustrative (see seeds/README.md).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DESIGN = Path(__file__).resolve().parents[1] / "design"


def _rows(name: str) -> list[dict]:
    with open(DESIGN / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fact(row: dict, last: str) -> tuple[str, str, str] | None:
    return (row["fact_chain"], row["fact_segment_type"], row[last]) if row["fact_chain"] else None


def _share(text: str) -> float:
    return float(text)


@dataclass
class Product:
    pid: str
    name: str
    kw: str                         # industry word for illustrative company names
    aliases: tuple[str, ...] = ()
    gb: str = ""
    fact: tuple[str, str, str] | None = None   # (chain in chain_segments.csv, segment_type, token)


CHAIN_IDS = {r["name"]: r["chain_id"] for r in _rows("chain_ids.csv") if r["note"] == "designated chain"}
# chain names used in chain_segments.csv that differ from the designated names
SEGMENT_CHAIN = {r["name"]: r["chain_id"] or None for r in _rows("chain_ids.csv") if r["note"] != "designated chain"}
MED_DIR = ("现代医药", "产品方向")

PRODUCTS = {r["product_id"]: Product(r["product_id"], r["name"], r["company_word"],
                                     tuple(a for a in r["aliases"].split(";") if a), r["gbt4754"],
                                     _fact(r, "fact_token"))
            for r in _rows("products.csv")}
NO_DATA = ("P-SSB", "P-HIGHCOND", "P-LH2")   # products no enterprise makes (designed "no data")

# chain -> [(product, stage, segment, key_link)]
CHAIN_PRODUCTS: dict[str, list[tuple[str, str, str, bool]]] = {}
for _r in _rows("chain_products.csv"):
    CHAIN_PRODUCTS.setdefault(_r["chain"], []).append((_r["product"], _r["stage"], _r["segment"], _r["key_link"] == "是"))

_flows = _rows("product_flows.csv")
FLOWS = [(r["from_product"], r["to_product"]) for r in _flows]
# flows a facts row states outright although the two products sit in different rows
FLOW_FACTS = {(r["from_product"], r["to_product"]): ((r["fact_chain"], r["fact_segment_type"]), r["fact_snippet"])
              for r in _flows if r["fact_chain"]}
SUBCLASSES = [(r["product"], r["parent"]) for r in _rows("product_subclasses.csv")]

# fact name -> (enterprise_id, display name, evidence note for the name, scale); the scale of
# well-known groups is an editorial estimate (README), not a sourced value.
FACT_ENTERPRISES = {r["fact_name"]: (r["enterprise_id"], r["name"], r["name_evidence"], r["scale"])
                    for r in _rows("fact_enterprises.csv")}
# listed companies that are the same entity as a 链主 in the facts (same short name)
LISTED_SAME_AS = {r["ts_code"]: r["enterprise_id"] for r in _rows("listed_same_as.csv")}
# place words in the facts that are neither a city nor a county name
PLACE_ALIASES = {r["place"]: r["region_code"] for r in _rows("place_aliases.csv")}
ZGQ_CODE, ZGQ_NAME = "140171", "山西转型综合改革示范区"

# illustrative products of fact enterprises: their core products (shares illustrative)
FACT_MAKES: dict[str, list[tuple[str, float]]] = {}
for _r in _rows("fact_makes.csv"):
    FACT_MAKES.setdefault(_r["enterprise_id"], []).append((_r["product"], _share(_r["revenue_share"])))

# illustrative Shanxi enterprises (the designed gap situation; see README):
# id, name, region code, park id, scale, revenue(万元), employees, tags, [(product, share)]
LOCAL = [(r["enterprise_id"], r["name"], r["region"], r["park"], r["scale"], int(r["revenue"]), int(r["employees"]),
          r["tags"], [(p, _share(s)) for p, s in (m.split(":") for m in r["makes"].split(";"))])
         for r in _rows("local_enterprises.csv")]

# national pool (illustrative): cities and size per chain, and the product groups a pool firm
# may make besides its main one (a battery maker does not make motors)
POOL_CITIES = {r["chain"]: r["cities"] for r in _rows("pool_chains.csv")}
POOL_SIZE = {r["chain"]: int(r["size"]) for r in _rows("pool_chains.csv")}
_POOL_GROUPS = {r["group"]: r["products"] for r in _rows("pool_groups.csv")}
POOL_GROUP = {pid: g for g, pids in _POOL_GROUPS.items() for pid in pids.split()}
assert len(POOL_GROUP) == sum(len(v.split()) for v in _POOL_GROUPS.values()), "a product in two pool groups"
MIN_POOL_MAKERS = 3   # every product of the six chains has at least this many primary makers in the pool
BRAND_1 = "恒瑞鑫华盛泰联创博远嘉宏锦凯源达通普德信安科智晟峰启卓弘润昊铭睿邦翔耀永正天中航金"
BRAND_2 = "瑞鑫华盛泰联创博远嘉宏锦凯源达通普德信安科智晟峰启卓弘润昊铭睿邦翔耀永正"
# two-character brands that belong to well-known real companies: never generated
BRAND_BLOCK = {r["brand"] for r in _rows("brand_block.csv")}
SCALE_RANGES = {r["scale"]: ((int(r["employees_min"]), int(r["employees_max"])),
                             (int(r["revenue_min"]), int(r["revenue_max"]))) for r in _rows("scale_ranges.csv")}
DESIGN_CHAINS = ("SX-NEV", "SX-PV", "SX-STEEL", "SX-ALMG", "SX-MED", "SX-H2")
_PARK_ABBR = {r["park"]: r["park_id"] for r in _rows("park_ids.csv")}


def park_id(name: str) -> str:
    if name not in _PARK_ABBR:
        raise KeyError(f"no park id for {name!r}: add it to seeds/design/park_ids.csv")
    return _PARK_ABBR[name]
