"""graph.analysis.gaps.diagnose against a brute-force recount on a synthetic national data set.

A 10,000-enterprise data set from loaders.synth is given a few twists (a county under a busy
city, enterprises with no region, products nobody makes, a chain of 小类 subclasses), written as
CSV and loaded into the embedded store through the normal pipeline (read, validate, apply). For
several chains and places — a province, a city, a county, a park, the two ends of 飞地园区 with
attribution on and off — every link's local maker count, 规上/大中型 count, revenue-share sum,
status (covered/weak/missing/no_data) and 断链 flag must equal an independent computation in plain
pandas over the generated tables, following the rules as documented (graph.options for statuses,
graph.store.Scope and graph.analysis.scope for who is local). No store and no engine code is used for the
expected side.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from graph.store.embedded.store import EmbeddedStore
from graph.analysis.gaps import diagnose
from graph.options import DEFAULT_THRESHOLDS, Thresholds
from loaders import synth
from loaders.workbook import load_path

N, CHAINS, PRODUCTS, SEED = 10_000, 10, 80, 7
LARGE_SCALES = {"大型", "中型"}


# --- the data set ------------------------------------------------------------------------------
def _twist(t: dict[str, pd.DataFrame]) -> dict:
    """Edit the generated tables in place (still a valid batch); returns what the test needs."""
    rng = np.random.default_rng(SEED)
    ent, regions, makes = t["enterprises"], t["regions"], t["enterprise_products"]
    # a county under the prefecture city with the most enterprises; a third of its park-less
    # firms move there
    cities = set(regions.loc[regions["level"] == "city", "code"])
    city = ent.loc[ent["park"].isna() & ent["region"].isin(cities), "region"].value_counts().index[0]
    county = next(f"{city[:4]}{k:02d}" for k in range(2, 99) if f"{city[:4]}{k:02d}" not in set(regions["code"]))
    row = regions[regions["code"] == city].iloc[0].to_dict()
    row.update(code=county, name="暴力核对区", level="county", parent=city)
    t["regions"] = regions = pd.concat([regions, pd.DataFrame([row], dtype=object)], ignore_index=True)
    movers = ent.index[(ent["region"] == city) & ent["park"].isna()][::3]
    ent.loc[movers, "region"] = county
    # unknown regions: in a park (the park decides) and in none (never local)
    in_park = ent.index[ent["park"].notna()]
    ent.loc[rng.choice(in_park, size=len(in_park) // 20, replace=False), "region"] = None
    free = ent.index[ent["park"].isna() & (ent["region"] != county)]
    ent.loc[rng.choice(free, size=len(free) // 50, replace=False), "region"] = None
    # the largest chain: two of its products lose every maker (no data)
    sizes = t["chain_products"].groupby("chain").size().sort_values(kind="stable")
    largest = sizes.index[-1]
    links = t["chain_products"].loc[t["chain_products"]["chain"] == largest, "product"].tolist()
    made = set(makes["product"])
    nodata = [p for p in links if p in made][-2:]
    t["enterprise_products"] = makes = makes[~makes["product"].isin(nodata)].reset_index(drop=True)
    # subclasses: SUB1 (a kind of one link) and SUB2 (a kind of SUB1), made by firms in the city
    parent_link = next(p for p in links if p not in nodata)
    prod = t["products"].iloc[0].to_dict()
    subs = [dict(prod, product_id=f"BF-SUB{i}", name=f"暴力核对小类{i}", aliases=[]) for i in (1, 2)]
    t["products"] = pd.concat([t["products"], pd.DataFrame(subs, dtype=object)], ignore_index=True)
    t["product_subclasses"] = pd.DataFrame(
        [{"product": "BF-SUB1", "parent": parent_link}, {"product": "BF-SUB2", "parent": "BF-SUB1"}],
        dtype=object).assign(source=prod["source"], as_of=prod["as_of"], illustrative=True)[
        t["product_subclasses"].columns]
    direct = set(makes.loc[makes["product"] == parent_link, "enterprise"])
    firms = [e for e in ent.loc[ent["region"].isin([city, county]), "enterprise_id"] if e not in direct][:6]
    mk = makes.iloc[0].to_dict()
    extra = [dict(mk, enterprise=e, product="BF-SUB1" if i % 2 else "BF-SUB2",
                  revenue_share=None if i == 0 else round(0.1 * i, 3)) for i, e in enumerate(firms)]
    t["enterprise_products"] = pd.concat([makes, pd.DataFrame(extra, dtype=object)], ignore_index=True)
    # 飞地园区: one with makers, counted for another place than where it stands
    parks = t["parks"]
    enclaves = parks[parks["counted_for"].notna()]
    busy = ent["park"].value_counts()
    enclave = enclaves.loc[enclaves["park_id"].map(busy).fillna(0).idxmax()]
    return {"largest": largest, "city": city, "county": county, "province": city[:2] + "0000",
            "nodata": nodata, "parent_link": parent_link, "enclave": enclave.to_dict(),
            "chains": [largest, sizes.index[len(sizes) // 2], sizes.index[0]]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bruteforce")
    batch = synth.generate(N, CHAINS, PRODUCTS, SEED)
    facts = _twist(batch.tables)
    synth.write_folder(batch, tmp / "csv")
    store = EmbeddedStore(str(tmp / "db"))
    load_path(store, tmp / "csv")
    yield store, batch.tables, facts
    store.close()


# --- the brute force ---------------------------------------------------------------------------
def _none(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def local_enterprises(t: dict[str, pd.DataFrame], place: tuple[str, str], enclave: bool) -> set[str]:
    """Enterprises that count for a place: ("park", id) -> the park's enterprises; ("region", code)
    -> those whose region of attribution is the region or below it. The region of attribution of
    an enterprise in a 飞地园区 is the park's counted_for (attribution on) or where the park stands
    (off); otherwise its own region, else its park's region; none -> never local."""
    ent = t["enterprises"]
    kind, ident = place
    if kind == "park":
        return set(ent.loc[ent["park"] == ident, "enterprise_id"])
    parent = dict(zip(t["regions"]["code"], t["regions"]["parent"]))
    below = {ident}
    grew = True
    while grew:
        kids = {c for c, p in parent.items() if p in below and c not in below}
        below |= kids
        grew = bool(kids)
    park_at = dict(zip(t["parks"]["park_id"], t["parks"]["region"]))
    park_for = {k: v for k, v in zip(t["parks"]["park_id"], t["parks"]["counted_for"]) if not _none(v)}
    out = set()
    for eid, region, park in zip(ent["enterprise_id"], ent["region"], ent["park"]):
        if not _none(park) and park in park_for:
            where = park_for[park] if enclave else park_at.get(park)
        elif not _none(region):
            where = region
        else:
            where = None if _none(park) else park_at.get(park)
        if where in below:
            out.add(eid)
    return out


def brute_links(t: dict[str, pd.DataFrame], chain: str, local: set[str],
                th: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """Per link of ``chain``: local_makers, local_large, local_share_known, local_share_sum,
    local_maker_ids, makers_anywhere, status, broken — from the tables alone."""
    links = t["chain_products"].loc[t["chain_products"]["chain"] == chain, "product"].tolist()
    link_of = {p: p for p in links}
    kids = t["product_subclasses"].groupby("parent")["product"].apply(list).to_dict()
    for root in links:                       # a maker of a subclass (at any depth) makes the link
        todo = list(kids.get(root, []))
        while todo:
            c = todo.pop()
            if c not in link_of:
                link_of[c] = root
                todo += kids.get(c, [])
    makes = t["enterprise_products"].assign(link=lambda d: d["product"].map(link_of)).dropna(subset=["link"])
    anywhere = makes.groupby("link").size()
    ent = t["enterprises"].set_index("enterprise_id")
    mine = makes[makes["enterprise"].isin(local)].copy()
    mine["large"] = [ent.at[e, "scale"] in LARGE_SCALES or "规上" in (ent.at[e, "tags"] or [])
                     for e in mine["enterprise"]]
    mine["share"] = pd.to_numeric(mine["revenue_share"], errors="coerce")
    mine = mine.sort_values("share", ascending=False).drop_duplicates(["link", "enterprise"])
    rows = []
    for p in links:
        m = mine[mine["link"] == p]
        known = m["share"].dropna()
        rows.append({"product_id": p, "local_makers": m["enterprise"].nunique(), "local_large": int(m["large"].sum()),
                     "local_share_known": len(known), "local_share_sum": known.sum() if len(known) else np.nan,
                     "local_maker_ids": ";".join(sorted(m["enterprise"])), "anywhere": int(anywhere.get(p, 0))})
    out = pd.DataFrame(rows).set_index("product_id")
    n, large, known, share = out["local_makers"], out["local_large"], out["local_share_known"], out["local_share_sum"]
    weak = ((n < th.min_makers) | (large < th.min_large)
            | ((known > 0) & (th.min_revenue_share > 0) & (share < th.min_revenue_share)))
    out["status"] = np.where(out["anywhere"] == 0, "no_data",
                             np.where(n == 0, "missing", np.where(weak, "weak", "covered")))
    flows = t["product_flows"]
    flows = flows[flows["from_product"].isin(links) & flows["to_product"].isin(links)
                  & (flows["from_product"] != flows["to_product"])]
    has = (n > 0).to_dict()
    up = flows.groupby("to_product")["from_product"].apply(lambda s: any(has[x] for x in s))
    down = flows.groupby("from_product")["to_product"].apply(lambda s: any(has[x] for x in s))
    out["broken"] = (out["status"].isin(["missing", "weak"]) & out.index.map(up).fillna(False).astype(bool)
                     & out.index.map(down).fillna(False).astype(bool))
    return out


# --- the comparison ----------------------------------------------------------------------------
def check(store, t, chain: str, place: tuple[str, str], enclave: bool, th: Thresholds = DEFAULT_THRESHOLDS):
    report = diagnose(store, chain, place[1], thresholds=th, enclave_attribution=enclave)
    got = report.links.set_index("product_id")
    local = local_enterprises(t, place, enclave)
    want = brute_links(t, chain, local, th)
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index]
    where = f"{chain} in {place} (飞地 {'on' if enclave else 'off'}, {th})"
    for col in ("local_makers", "local_large", "local_share_known", "status", "broken", "local_maker_ids"):
        diff = got[col].astype(object) != want[col].astype(object)
        assert not diff.any(), f"{where}: {col} differs for " + "; ".join(
            f"{p}: engine {got.at[p, col]!r} vs brute {want.at[p, col]!r}" for p in got.index[diff][:5])
    np.testing.assert_allclose(got["local_share_sum"].astype(float), want["local_share_sum"].astype(float),
                               rtol=1e-9, err_msg=where)
    return local


def test_province_city_county_match_brute_force(world):
    store, t, f = world
    for chain in f["chains"]:
        for place in (("region", f["province"]), ("region", f["city"]), ("region", f["county"])):
            check(store, t, chain, place, enclave=True)


def test_county_is_part_of_city_and_province(world):
    _, t, f = world
    county = local_enterprises(t, ("region", f["county"]), True)
    city = local_enterprises(t, ("region", f["city"]), True)
    province = local_enterprises(t, ("region", f["province"]), True)
    assert county and county < city <= province


def test_enclave_attribution_on_and_off(world):
    store, t, f = world
    e = f["enclave"]
    for code in (e["counted_for"], e["region"]):
        on = check(store, t, f["largest"], ("region", code), enclave=True)
        off = check(store, t, f["largest"], ("region", code), enclave=False)
        assert on != off, f"飞地 {e['park_id']} should change who is local in {code}"
    check(store, t, f["largest"], ("park", e["park_id"]), enclave=True)


def test_subclass_makers_and_no_data_links(world):
    store, t, f = world
    want = brute_links(t, f["largest"], local_enterprises(t, ("region", f["city"]), True))
    assert (want.loc[f["nodata"], "status"] == "no_data").all()
    assert any(e.startswith("SYN-") for e in want.at[f["parent_link"], "local_maker_ids"].split(";"))
    check(store, t, f["largest"], ("region", f["city"]), enclave=True)


def test_other_thresholds(world):
    store, t, f = world
    strict = Thresholds(min_makers=3, min_large=2, min_revenue_share=0.5)
    loose = Thresholds(min_makers=1, min_large=0, min_revenue_share=0.0)
    for th in (strict, loose):
        check(store, t, f["largest"], ("region", f["province"]), enclave=True, th=th)


def test_the_places_exercise_every_status_and_broken(world):
    """The data set is rich enough: the places above meet every status and both 断链 values."""
    _, t, f = world
    seen = pd.concat([brute_links(t, chain, local_enterprises(t, ("region", code), True))
                      for chain in f["chains"] for code in (f["province"], f["city"], f["county"])])
    assert set(seen["status"]) == {"covered", "weak", "missing", "no_data"}
    assert set(seen["broken"]) == {True, False}
