"""Regions, chains, products, flows and parks of the Shanxi seed."""
from __future__ import annotations

import re

from graph import schema

from builder.design import (CHAIN_IDS, CHAIN_PRODUCTS, FLOWS, FLOW_FACTS, MED_DIR, PLACE_ALIASES,
                            POOL_CITIES, PRODUCTS, Product, SEGMENT_CHAIN, SUBCLASSES, ZGQ_CODE, ZGQ_NAME,
                            park_id)
from builder.facts import CPCA_AS_OF, CPCA_SOURCE, Facts, STATS_SOURCE, Tables, as_of_for, split_sources


class CatalogueBuilder:
    def __init__(self, facts: Facts, reference: list[dict]):
        self.f = facts
        self.ref = reference
        self.t = Tables()
        self.seg_rows = {(r["chain"], r["segment_type"]): r for r in facts.segments}
        self.key_chains = {r["chain"]: r for r in facts.chains}
        self.sx = {r["adcode6"]: r for r in facts.adcodes}
        self.sx_city_by_name = {r["name"]: r["adcode6"] for r in facts.adcodes if r["level"] == "city"}
        self.region_codes: set[str] = set()
        self.enterprise_ids: dict[str, dict] = {}
        self.makers: dict[str, list[str]] = {}
        self.unplaced: list[str] = []

    # -- regions -------------------------------------------------------------------------------
    def county_code(self, city_code: str, token: str) -> str | None:
        token = token.strip()
        if token in PLACE_ALIASES:
            return PLACE_ALIASES[token]
        prefix = city_code[:4]
        for code, r in self.sx.items():
            if code[:4] == prefix and r["level"] == "county" and r["name"] in (
                    token, token + "区", token + "县", token + "市"):
                return code
        return None

    def place(self, text: str) -> str | None:
        """A region code for '运城市(河津)', '运城(盐湖)', '太原/晋中', '太原市(综改区)' …"""
        text = text.strip()
        if not text:
            return None
        m = re.fullmatch(r"([^()（）]+?)[(（]([^)）]+)[)）]", text)
        city_part, county_part = (m.group(1), m.group(2)) if m else (text, "")
        if city_part == "太原/晋中":          # 综改区 spans both; its statistical code is under 太原
            return ZGQ_CODE
        city_name = city_part if city_part.endswith("市") else city_part + "市"
        city = self.sx_city_by_name.get(city_name)
        if city is None:
            return None
        if county_part:
            return self.county_code(city, county_part) or city
        return city

    def build_regions(self):
        t = self.t
        sx_source = "shared/facts/shanxi_adcodes.csv (" + CPCA_SOURCE + ")"
        for r in self.f.adcodes:
            code = r["adcode6"]
            parent = "" if r["level"] == "province" else ("140000" if r["level"] == "city" else code[:4] + "00")
            t.add("regions", sx_source, CPCA_AS_OF, code=code, name=r["name"], level=r["level"],
                  parent=parent, lon=r["lon"], lat=r["lat"])
            self.region_codes.add(code)
        assert ZGQ_CODE not in self.region_codes
        assert any(row[2] == ZGQ_CODE for row in self.f.zone_units), "140171 not in zone units"
        t.add("regions", STATS_SOURCE, "2022", code=ZGQ_CODE, name=ZGQ_NAME, level="county", parent="140100")
        self.region_codes.add(ZGQ_CODE)
        self.ref_by_name = {}
        for r in self.ref:
            if r["level"] == "province":
                self.ref_by_name[r["name"]] = r["code"]
        for r in self.ref:
            if r["level"] == "city" and r["name"] not in self.ref_by_name:
                self.ref_by_name[r["name"]] = r["code"]
        # other provinces (all of them) + the cities the pool uses
        used_cities = {name for chain in POOL_CITIES.values() for name in chain.split()}
        self.pool_city_code = {}
        for name in sorted(used_cities):
            assert name in self.ref_by_name, f"pool city {name} not in reference"
            self.pool_city_code[name] = self.ref_by_name[name]
        wanted = set(self.pool_city_code.values())
        for r in self.ref:
            if r["code"] in self.region_codes:
                continue
            if r["level"] == "province" or r["code"] in wanted:
                t.add("regions", r["source"], r["as_of"], code=r["code"], name=r["name"], level=r["level"],
                      parent=r["parent"], lon=r["lon"], lat=r["lat"])
                self.region_codes.add(r["code"])

    # -- chains --------------------------------------------------------------------------------
    def build_chains(self):
        for r in self.f.chains:
            cid = CHAIN_IDS[r["chain"]]
            srcs = split_sources(r["source"])
            self.t.add("chains", "; ".join(srcs), as_of_for(srcs, r["year_designated"]), chain_id=cid,
                       name=r["chain"], lead_unit=r["lead_unit_verified"], batch=r["batch"],
                       year=r["year_designated"], province="140000")
        assert len(self.t.rows["chains"]) == 16

    # -- products ------------------------------------------------------------------------------
    def fact_row(self, product: Product):
        if not product.fact:
            return None
        row = self.seg_rows[(product.fact[0], product.fact[1])]
        assert product.fact[2] in row["segments_or_products"], (product.pid, product.fact)
        return row

    def row_source(self, row, fallback_year="") -> tuple[str, str]:
        srcs = split_sources(row["sources"])
        chain_id = CHAIN_IDS.get(row["chain"]) or SEGMENT_CHAIN.get(row["chain"])
        year = fallback_year
        if chain_id:
            name = next(n for n, c in CHAIN_IDS.items() if c == chain_id)
            year = self.key_chains[name]["year_designated"]
        return "; ".join(srcs), as_of_for(srcs, year or "2022")

    def build_products(self):
        used = {pid for rows in CHAIN_PRODUCTS.values() for pid, *_ in rows}
        assert used == set(PRODUCTS), (set(PRODUCTS) - used, used - set(PRODUCTS))
        names = [p.name for p in PRODUCTS.values()]
        aliases = [a for p in PRODUCTS.values() for a in p.aliases]
        assert len(set(names)) == len(names)
        assert len(set(aliases)) == len(aliases) and not set(aliases) & set(names), "alias clash"
        for pid, p in PRODUCTS.items():
            row = self.fact_row(p)
            vals = dict(product_id=pid, name=p.name, aliases=list(p.aliases), gbt4754=p.gb)
            if row:
                self.t.add("products", *self.row_source(row), **vals)
            else:
                self.t.illus("products", **vals)
        for cid, rows in CHAIN_PRODUCTS.items():
            seen = set()
            for pid, stage, segment, key in rows:
                assert pid not in seen, (cid, pid)
                seen.add(pid)
                p = PRODUCTS[pid]
                row = self.fact_row(p)
                vals = dict(chain=cid, product=pid, stage=stage, segment=segment, key_link=key)
                fact_chain = row and (CHAIN_IDS.get(row["chain"]) or SEGMENT_CHAIN.get(row["chain"]))
                if row and fact_chain == cid:
                    self.t.add("chain_products", *self.row_source(row), **vals)
                else:
                    self.t.illus("chain_products", **vals)
        for a, b in FLOWS:
            assert a in PRODUCTS and b in PRODUCTS, (a, b)
            src = self.flow_fact(a, b)
            if src:
                self.t.add("product_flows", *self.row_source(src), from_product=a, to_product=b, cycle_ok=False)
            else:
                self.t.illus("product_flows", from_product=a, to_product=b, cycle_ok=False)
        for child, parent in SUBCLASSES:
            pc, pp = PRODUCTS[child], PRODUCTS[parent]
            if pc.fact and pp.fact and pc.fact[:2] == pp.fact[:2] == MED_DIR:
                row = self.fact_row(pc)
                assert f"{pp.fact[2]}({pc.fact[2]}" in row["segments_or_products"] or \
                    re.search(re.escape(pp.fact[2]) + r"\([^)]*" + re.escape(pc.fact[2]), row["segments_or_products"])
                self.t.add("product_subclasses", *self.row_source(row), product=child, parent=parent)
            else:
                self.t.illus("product_subclasses", product=child, parent=parent)

    def flow_fact(self, a: str, b: str):
        if (a, b) in FLOW_FACTS:
            key, snippet = FLOW_FACTS[(a, b)]
            row = self.seg_rows[key]
            assert snippet in row["segments_or_products"]
            return row
        pa, pb = PRODUCTS[a], PRODUCTS[b]
        if not (pa.fact and pb.fact and pa.fact[:2] == pb.fact[:2]):
            return None
        row = self.fact_row(pa)
        parts = row["segments_or_products"].split(">")
        if len(parts) < 2:
            return None

        def part_of(token):
            return next(i for i, part in enumerate(parts) if token in part)
        return row if part_of(pb.fact[2]) == part_of(pa.fact[2]) + 1 else None

    # -- parks ---------------------------------------------------------------------------------
    def build_parks(self):
        zone_county = {name.strip(): county for _, name, county, *_ in self.f.zone_units}
        parks: dict[str, dict] = {}      # park id -> row values + sources
        self.park_by_fact_name = {}
        self.park_chains: list[tuple[str, str, list[str]]] = []

        def kind_of(text: str, name: str) -> str:
            if text:
                for canonical, spellings in schema.PARK_KINDS.items():
                    if text in spellings:
                        return canonical
                raise ValueError(f"park type {text!r}")
            if "高新" in name or "经济开发区" in name or "经济技术开发区" in name:
                return "省级开发区"
            return "其他"

        def region_of(name: str, place: str) -> str:
            code = self.place(place)
            if code is None:
                raise ValueError(f"place {place!r}")
            if code == ZGQ_CODE or (code in self.sx and self.sx[code]["level"] == "county"):
                return code
            for ccode, r in sorted(self.sx.items()):    # the park's name starts with the county's name
                stem = r["name"][:-1] if len(r["name"]) > 2 else r["name"]
                if r["level"] == "county" and ccode[:4] == code[:4] and name.startswith(stem):
                    return ccode
            for zname, county in sorted(zone_county.items()):  # 统计用区划: the zone's own county
                if (zname == name or zname.endswith(name)) and county[:4] == code[:4] \
                        and county in self.region_codes:
                    return county
            return code

        def add(pid, name, kind, region, sources, fallback):
            if pid in parks:
                parks[pid]["sources"] += [s for s in sources if s not in parks[pid]["sources"]]
                return
            parks[pid] = dict(park_id=pid, name=name, kind=kind, region=region, sources=list(sources),
                              fallback=fallback)

        pid_for = {}
        for r in self.f.parks:
            raw = r["park"]
            m = re.fullmatch(r"(.+?)\((.+)\)", raw)
            name, note = (m.group(1), m.group(2)) if m else (raw, "")
            srcs = split_sources(r["sources"])
            cid = CHAIN_IDS[r["chain"]]
            year = self.key_chains[r["chain"]]["year_designated"]
            if name == ZGQ_NAME:
                add("PK-ZGQ", name, kind_of(r["park_type"], name), ZGQ_CODE, srcs, year)
                self.park_chains.append(("PK-ZGQ", cid, srcs))
                if note:          # 山西合成生物产业生态园,阳曲: a park inside the 综改区
                    sub = note.split(",")[0]
                    add("PK-SYNBIO-ECO", sub, "其他", ZGQ_CODE, srcs, year)
                    self.park_chains.append(("PK-SYNBIO-ECO", cid, srcs))
                continue
            if note and re.search(r"区$", note) and self.county_code(self.place(r["city"]) or "", note):
                place = f"{r['city']}({note})"       # 中北高新技术产业开发区(尖草坪区)
            else:
                place = r["city"]
                if note:
                    name = raw                        # keep the descriptive note in the name
            pid = pid_for.setdefault(name, park_id(name))
            add(pid, name, kind_of(r["park_type"], name), region_of(name, place), srcs, year)
            self.park_chains.append((pid, cid, srcs))
        for r in self.f.linfen:
            name = r["zone"]
            pid = pid_for.setdefault(name, park_id(name))
            add(pid, name, kind_of("", name), region_of(name, r["city_county"]), split_sources(r["source"]), "2022")
        for p in parks.values():
            self.t.add("parks", "; ".join(p["sources"]), as_of_for(p["sources"], p["fallback"]),
                       park_id=p["park_id"], name=p["name"], kind=p["kind"], region=p["region"])
        self.park_ids = set(parks)
        # illustrative 飞地园区
        self.t.illus("parks", park_id="PK-ENC-JX-YH", name="盐湖—绛县新能源汽车零部件飞地园区", kind="飞地园区",
                     region="140826", counted_for="140802")
        self.t.illus("parks", park_id="PK-ENC-YC-BJ", name="运城(北京)科创飞地", kind="飞地园区",
                     region="110000", counted_for="140800")
        self.park_ids |= {"PK-ENC-JX-YH", "PK-ENC-YC-BJ"}
        seen = set()
        for pid, cid, srcs in self.park_chains:
            if (pid, cid) in seen:
                continue
            seen.add((pid, cid))
            year = next(r["year_designated"] for r in self.f.chains if CHAIN_IDS[r["chain"]] == cid)
            self.t.add("park_chains", "; ".join(srcs), as_of_for(srcs, year), park=pid, chain=cid)
        self.t.illus("park_chains", park="PK-ENC-JX-YH", chain="SX-NEV")
        self.t.illus("park_chains", park="PK-ENC-YC-BJ", chain="SX-NEV")
        self.t.illus("park_chains", park="PK-ENC-YC-BJ", chain="SX-ALMG")
