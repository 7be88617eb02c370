"""假如引进 (what-if): re-diagnose a chain as if some enterprises had a plant in the region.

:func:`what_if` takes the chain's diagnosis (:func:`graph.analysis.gaps.diagnose`), adds the given
enterprises as local makers of the chain products they make — at the region itself, or at a county
or park inside it — and assembles the diagnosis again with the engine's own
:func:`graph.analysis.gaps.build_report`. Nothing is written to the store. The added maker rows keep
the MAKES fact's as_of; their source says ``假如引进（模拟）`` and they are marked illustrative.

A 链主 among them becomes local to the place (for its local sourcing). An enterprise already local
adds nothing. :func:`what_if_chains` runs it for every chain the enterprises make a product of.

>>> CHANGE_CN["missing>covered"]
'缺链→已配套'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from graph.analysis import gap_rules
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds
from graph.store import MAKER_COLUMNS

SIMULATED_SOURCE = "假如引进（模拟）"
CHANGE_CN = {f"{a}>{b}": f"{gap_rules.STATUS_CN.get(a, a)}→{gap_rules.STATUS_CN.get(b, b)}"
             for a in ("missing", "weak", "covered", "no_data", "unverified")
             for b in ("missing", "weak", "covered", "no_data", "unverified") if a != b}
#: Columns of WhatIf.changes: the links whose status, 断链 flag or local makers changed.
CHANGE_COLUMNS = ["product_id", "name", "stage_cn", "key_link", "status_before", "status_after",
                  "label_before", "label_after", "change", "broken_repaired", "local_before", "local_after",
                  "added", "priority_before"]
#: Summary figures compared (those present in GapReport.summary), with their Chinese labels.
SUMMARY_CN = {"local_rate": "本地配套率", "local_rate_max": "本地配套率上限（待核实环节全部证实为本地）",
              "key_weighted_rate": "关键环节加权配套率", "key_weighted_rate_max": "关键环节加权配套率上限",
              "covered": "已配套", "weak": "弱链", "missing": "缺链", "broken": "断链", "unverified": "待核实",
              "no_data": "无数据", "local_enterprises": "本地企业数"}


@dataclass
class WhatIf:
    """before / after: GapReports; plant: where the plants are (place dict); added: one row per
    (enterprise, link) added (MAKER_COLUMNS + link_id); enterprises: the enterprises asked for
    (enterprise_id, name, region, links — names of the chain links they make, 、-joined; already_local);
    changes: CHANGE_COLUMNS; summary: metric, label, before, after; leaders: 链主 local sourcing
    before and after; notes: Chinese remarks."""

    before: object
    after: object
    plant: dict
    added: pd.DataFrame
    enterprises: pd.DataFrame
    changes: pd.DataFrame
    summary: pd.DataFrame
    leaders: pd.DataFrame
    notes: list = field(default_factory=list)

    @property
    def chain(self) -> dict:
        return self.before.chain

    def closed(self) -> list[str]:
        """Link ids whose status got better (or whose 断链 was repaired)."""
        c = self.changes
        return c.loc[(c["change"] != "") | c["broken_repaired"], "product_id"].astype(str).tolist()

    def improved(self) -> list[str]:
        """Link ids that got better or gained local makers (every row of ``changes``)."""
        return self.changes["product_id"].astype(str).tolist()


def what_if(store, chain: str, region: str, enterprises: list[str], at: str | None = None,
            thresholds: Thresholds = DEFAULT_THRESHOLDS, priority: PriorityWeights = DEFAULT_PRIORITY,
            enclave_attribution: bool = True, count_subclasses: bool = True, before=None) -> WhatIf:
    """Diagnose ``chain`` in ``region`` as if ``enterprises`` (ids, USCCs or exact names) had a plant
    at ``at`` (a county or park inside the region; default the region itself). ``before``: the
    chain's GapReport if already computed (same options)."""
    from graph.analysis.gaps import diagnose

    rep = before or diagnose(store, chain, region, thresholds=thresholds, enclave_attribution=enclave_attribution,
                             priority=priority, count_subclasses=count_subclasses)
    ids = list(dict.fromkeys(resolve_enterprises(store, enterprises)))
    plant = plant_place(store, rep, at)
    return simulate(store, rep, ids, plant)


def resolve_enterprises(store, names) -> list[str]:
    from graph.analysis import lookup
    return [lookup.resolve_enterprise(store, e)["enterprise_id"] for e in names]


def plant_place(store, rep, at: str | None) -> dict:
    """The place dict where the simulated plants stand: ``at`` (must be inside the report's place),
    else the report's place. Adds ``plant_region`` / ``plant_park``."""
    from graph.analysis import lookup
    from graph.analysis.frame_utils import in_scope
    from graph.errors import ChainAtlasError
    place = dict(rep.region)
    if at not in (None, ""):
        place = lookup.resolve_place(store, at)
    region_code = place.get("code")
    park = place["id"] if place.get("kind") == "park" else None
    inside = in_scope(pd.Series([region_code], dtype=object), pd.Series([park], dtype=object), rep.scope)
    if not bool(inside.iloc[0]):
        raise ChainAtlasError(f"引进地点“{place.get('name')}”不在“{rep.region.get('name')}”范围内",
                              f"请选择{rep.region.get('name')}本身，或其下属的县区、园区。")
    return {**place, "plant_region": region_code, "plant_park": park}


def simulate(store, rep, enterprise_ids: list[str], plant: dict) -> WhatIf:
    """The what-if of ``rep`` with plants of ``enterprise_ids`` at ``plant`` (see :func:`plant_place`)."""
    from graph.analysis.gaps import build_report

    ents = store.enterprises(enterprise_ids)
    made = store.enterprise_products(enterprise_ids)
    link_of = rep.link_of or {p: p for p in rep.links["product_id"].astype(str)}
    made = made[made["product_id"].astype(str).isin(link_of)]
    added = _plant_rows(made, ents, plant)
    added = gap_rules.attach_links(added, link_of)
    local = rep.makers
    if len(local) and len(added):
        have = set(zip(local["link_id"].astype(str), local["enterprise_id"].astype(str)))
        added = added[[(lk, e) not in have for lk, e in zip(added["link_id"].astype(str),
                                                             added["enterprise_id"].astype(str))]]
    after_local = pd.concat([local, added], ignore_index=True) if len(added) else local
    view = store.chain_view(str(rep.chain.get("chain_id")))
    view = _roles_moved(view, set(enterprise_ids), plant)
    leader_ids = view.roles.loc[view.roles["role"] == "链主", "enterprise_id"].astype(str).tolist() \
        if len(view.roles) else []
    leader_products = store.enterprise_products(leader_ids) if leader_ids else \
        pd.DataFrame(columns=["enterprise_id", "product_id", "product", "revenue_share"])
    counts = rep.links[["product_id", "makers_total"]].rename(columns={"makers_total": "makers"})
    after = build_report(view, rep.region, rep.scope, after_local.reset_index(drop=True), counts, leader_products,
                         link_of=link_of, thresholds=rep.thresholds, priority=rep.priority,
                         enclave_attribution=rep.enclave_attribution,
                         **_location_inputs(store, rep, set(enterprise_ids), build_report))
    after.count_subclasses = rep.count_subclasses
    return WhatIf(before=rep, after=after, plant=plant, added=added.reset_index(drop=True),
                  enterprises=_enterprise_rows(ents, enterprise_ids, made, rep, added),
                  changes=compare_links(rep.links, after.links, added), summary=compare_summary(rep, after),
                  leaders=_leaders(rep.leaders, after.leaders), notes=_notes(rep, enterprise_ids, added, plant))


def what_if_chains(store, chains: list[str] | None, region: str, enterprises: list[str], at: str | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, priority: PriorityWeights = DEFAULT_PRIORITY,
                   enclave_attribution: bool = True, count_subclasses: bool = True) -> list[WhatIf]:
    """:func:`what_if` for each chain (None = every chain the enterprises make a product of)."""
    from graph.analysis import lookup
    from graph.analysis.gaps import diagnose

    ids = list(dict.fromkeys(resolve_enterprises(store, enterprises)))
    if chains:
        chain_ids = [lookup.resolve_chain(store, c)["chain_id"] for c in chains]
    else:
        made = set(store.enterprise_products(ids)["product_id"].astype(str))
        from graph.analysis.plan_candidates import chain_products
        all_ids = store.table("chains")["chain_id"].astype(str).tolist()
        chain_ids = [c for c in all_ids if made & set(chain_products(store, [c]))]
    out = []
    for cid in dict.fromkeys(chain_ids):
        rep = diagnose(store, cid, region, thresholds=thresholds, enclave_attribution=enclave_attribution,
                       priority=priority, count_subclasses=count_subclasses)
        out.append(simulate(store, rep, ids, plant_place(store, rep, at)))
    return out


# --- pieces ---------------------------------------------------------------------------------
def _location_inputs(store, rep, ids: set, build_report) -> dict:
    """The makers of unknown location (待核实) the engine keeps, minus the enterprises now placed
    here, and the region tree — for engines whose build_report takes them."""
    import inspect
    params = inspect.signature(build_report).parameters
    out = {}
    if "unknown" in params:
        unknown = getattr(rep, "unknown", None)
        if unknown is not None and len(unknown):
            unknown = unknown[~unknown["enterprise_id"].astype(str).isin(ids)].reset_index(drop=True)
        out["unknown"] = unknown
    if "tree" in params:
        from graph.analysis.scope import RegionTree
        out["tree"] = RegionTree.from_store(store)
    return out


def _plant_rows(made: pd.DataFrame, ents: pd.DataFrame, plant: dict) -> pd.DataFrame:
    if made.empty:
        return pd.DataFrame(columns=MAKER_COLUMNS)
    e = ents.set_index(ents["enterprise_id"].astype(str))
    rows = []
    for r in made.to_dict("records"):
        eid = str(r["enterprise_id"])
        ent = e.loc[eid].to_dict() if eid in e.index else {}
        tags = ent.get("tags")
        rows.append({"enterprise_id": eid, "product_id": str(r["product_id"]), "revenue_share": r.get("revenue_share"),
                     "name": ent.get("name"), "region": plant.get("plant_region"), "park": plant.get("plant_park"),
                     "scale": ent.get("scale"), "revenue": ent.get("revenue"), "employees": ent.get("employees"),
                     "listed": ent.get("listed"), "tags": list(tags) if isinstance(tags, (list, tuple)) else [],
                     "source": SIMULATED_SOURCE, "as_of": r.get("as_of"), "illustrative": True})
    return pd.DataFrame(rows, columns=MAKER_COLUMNS)


def _roles_moved(view, ids: set, plant: dict):
    from dataclasses import replace
    roles = view.roles
    if not len(roles) or not roles["enterprise_id"].astype(str).isin(ids).any():
        return view
    roles = roles.copy()
    moved = roles["enterprise_id"].astype(str).isin(ids)
    roles.loc[moved, "region"] = plant.get("plant_region")
    roles.loc[moved, "park"] = plant.get("plant_park")
    return replace(view, roles=roles)


def compare_links(before: pd.DataFrame, after: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """CHANGE_COLUMNS for the links whose status, 断链 flag or local maker count changed."""
    cols = ["product_id", "name", "stage_cn", "key_link", "status", "label", "broken", "local_makers", "priority"]
    b = before[cols].set_index("product_id")
    a = after[cols].set_index("product_id").reindex(b.index)
    names = {}
    if len(added):
        for lk, nm in zip(added["link_id"].astype(str), added["name"]):
            names.setdefault(lk, []).append(str(nm))
    out = pd.DataFrame({
        "product_id": b.index.astype(str), "name": b["name"].to_numpy(), "stage_cn": b["stage_cn"].to_numpy(),
        "key_link": b["key_link"].fillna(False).astype(bool).to_numpy(),
        "status_before": b["status"].to_numpy(), "status_after": a["status"].to_numpy(),
        "label_before": b["label"].to_numpy(), "label_after": a["label"].to_numpy(),
        "broken_repaired": (b["broken"].astype(bool) & ~a["broken"].astype(bool)).to_numpy(),
        "local_before": b["local_makers"].astype(int).to_numpy(), "local_after": a["local_makers"].astype(int).to_numpy(),
        "priority_before": b["priority"].astype(float).to_numpy()})
    out["change"] = [CHANGE_CN.get(f"{x}>{y}", "") if x != y else "" for x, y in
                     zip(out["status_before"], out["status_after"])]
    out["added"] = ["、".join(sorted(names.get(p, []))) for p in out["product_id"]]
    moved = (out["change"] != "") | out["broken_repaired"] | (out["local_after"] != out["local_before"])
    return out.loc[moved, CHANGE_COLUMNS].reset_index(drop=True)


def compare_summary(before, after) -> pd.DataFrame:
    rows = [{"metric": k, "label": lab, "before": before.summary.get(k), "after": after.summary.get(k)}
            for k, lab in SUMMARY_CN.items() if k in before.summary]
    return pd.DataFrame(rows, columns=["metric", "label", "before", "after"])


def _leaders(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    cols = ["enterprise_id", "name", "is_local", "inputs_with_data", "inputs_local", "local_share"]
    if before is None or not len(before):
        return pd.DataFrame(columns=cols + ["is_local_after", "inputs_local_after", "local_share_after"])
    a = after.set_index("enterprise_id").reindex(before["enterprise_id"])
    out = before[cols].reset_index(drop=True).copy()
    out["is_local_after"] = a["is_local"].to_numpy()
    out["inputs_local_after"] = a["inputs_local"].to_numpy()
    out["local_share_after"] = a["local_share"].to_numpy()
    return out


def _enterprise_rows(ents, ids, made, rep, added) -> pd.DataFrame:
    names = dict(zip(ents["enterprise_id"].astype(str), ents["name"])) if len(ents) else {}
    region = dict(zip(ents["enterprise_id"].astype(str), ents["region"])) if len(ents) else {}
    link_name = dict(zip(rep.links["product_id"].astype(str), rep.links["name"]))
    links: dict = {}
    for p, e in zip(made["product_id"].astype(str), made["enterprise_id"].astype(str)):
        ln = link_name.get(rep.link_of.get(p, p)) if rep.link_of else link_name.get(p)
        if ln and ln not in links.setdefault(e, []):
            links[e].append(ln)
    new = set(added["enterprise_id"].astype(str)) if len(added) else set()
    return pd.DataFrame([{"enterprise_id": e, "name": names.get(e, e), "region": region.get(e),
                          "links": "、".join(links.get(e, [])), "already_local": bool(links.get(e)) and e not in new}
                         for e in ids], columns=["enterprise_id", "name", "region", "links", "already_local"])


def _notes(rep, ids, added, plant) -> list[str]:
    notes = [f"模拟：以下企业在{plant.get('name')}设厂（未写入数据）。"]
    makes = set(added["enterprise_id"].astype(str)) if len(added) else set()
    idle = [e for e in ids if e not in makes]
    if idle:
        notes.append(f"{len(idle)} 家企业不生产该产业链的环节产品或已在本地，对本链无影响：" + "、".join(idle[:10]))
    return notes
