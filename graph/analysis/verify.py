"""核实清单 (verification list): whose location to check first so that 待核实 links resolve.

A link is 待核实 (``unverified``) when its verdict hinges on makers whose location is unknown for the
place (see :mod:`graph.analysis.location`). Knowing where one such maker is can settle the link, so
the list ranks those makers by the links they could settle, key links (关键环节) weighted
``key_weight`` times (the same weight as the key-weighted 本地配套率), then by key links, then by
links, then by id. Planners fill in the regions (:func:`fill_in_table` gives ready-to-load
enterprise rows), reload, and the statuses resolve.

>>> verification_list([]).columns.tolist() == VERIFY_COLUMNS
True
"""
from __future__ import annotations

import pandas as pd

from graph import schema

VERIFY_COLUMNS = [
    "rank", "enterprise_id", "name", "region", "region_name",
    "why",            # why its location is unknown for the place (无所在地区 / 只登记到山西省 …)
    "weight",         # links it could settle, key links counted key_weight times
    "key_links", "links",
    "chains",         # chain names, 、-joined
    "link_names",     # 链:环节(关键), 、-joined
    "source", "as_of",
]


def verification_list(reports: list, tree=None) -> pd.DataFrame:
    """Pure: the 核实清单 of one or more GapReports of the same place (VERIFY_COLUMNS, best first)."""
    from graph.analysis import location
    rows: dict[str, dict] = {}
    for rep in reports:
        links = rep.links
        is_open = (links["status"] == "unverified").to_numpy(bool)
        if not is_open.any() or not len(rep.unknown):  # nothing to verify in this chain
            continue
        open_links = links[is_open].set_index("product_id")
        unk = rep.unknown
        unk = unk[unk["link_id"].isin(open_links.index)]
        kw = float(rep.thresholds.key_weight)
        chain = str(rep.chain.get("name") or rep.chain.get("chain_id"))
        for r in unk.drop_duplicates(["enterprise_id", "link_id"]).to_dict(orient="records"):
            eid = str(r["enterprise_id"])
            key = bool(open_links.at[r["link_id"], "key_link"])
            e = rows.setdefault(eid, {
                "enterprise_id": eid, "name": r.get("name") or eid, "region": _text(r.get("region")),
                "region_name": tree.name(r["region"]) if tree is not None and _text(r.get("region")) else "",
                "why": location.why_unknown(tree, rep.region, r.get("region")) if tree is not None else "",
                "weight": 0.0, "key_links": 0, "links": 0, "chains": [], "link_names": [],
                "source": r.get("source"), "as_of": r.get("as_of")})
            e["weight"] += kw if key else 1.0
            e["key_links"] += int(key)
            e["links"] += 1
            if chain not in e["chains"]:
                e["chains"].append(chain)
            e["link_names"].append(f"{chain}:{open_links.at[r['link_id'], 'name']}" + ("(关键)" if key else ""))
    if not rows:
        return pd.DataFrame(columns=VERIFY_COLUMNS)
    out = pd.DataFrame(list(rows.values()))
    out["chains"] = out["chains"].map("、".join)
    out["link_names"] = out["link_names"].map("、".join)
    out = out.sort_values(["weight", "key_links", "links", "enterprise_id"], ascending=[False, False, False, True],
                          kind="stable").reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out[VERIFY_COLUMNS]


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def verify_list(store, region: str, chains: list[str] | None = None, top: int | None = None,
                **diagnose_options) -> tuple[pd.DataFrame, list[str]]:
    """(核实清单, notes) for ``chains`` (names or ids; None = every chain) in ``region``.

    diagnose_options: thresholds, enclave_attribution, count_subclasses (as graph.analysis.gaps.diagnose).
    """
    from graph.analysis.gaps import diagnose
    from graph.analysis.scope import RegionTree
    if chains is None:
        chains = store.table("chains")["chain_id"].astype(str).tolist()
    reports = [diagnose(store, c, region, **diagnose_options) for c in chains]
    out = verification_list(reports, RegionTree.from_store(store))
    open_links = sum(int(r.summary.get("unverified", 0)) for r in reports)
    place = reports[0].region.get("name") if reports else region
    notes = [f"{len(out)} 家企业所在地对“{place}”待核实，涉及 {open_links} 个待核实环节；"
             "按可核实的环节数（关键环节加权）排序。填写所在地区后重新导入（chainatlas load），状态即更新。"
             if len(out) else f"“{place}”没有待核实环节，无需核实企业所在地。"]
    if top is not None and len(out) > top:
        notes.append(f"仅列前 {top} 家（共 {len(out)} 家）。")
        out = out.head(top)
    return out, notes


def fill_in_tables(store, verification: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every import table, ready to write as a folder of CSVs (or sheets) and load again: the listed
    enterprises in ``enterprises`` (see :func:`fill_in_table`), every other table header-only."""
    out = {name: pd.DataFrame(columns=t.column_names) for name, t in schema.TABLES.items() if not t.optional}
    out["enterprises"] = fill_in_table(store, verification)
    return out


def fill_in_table(store, verification: pd.DataFrame) -> pd.DataFrame:
    """The listed enterprises as rows of the ``enterprises`` import table (same order, list cells
    joined with ``;``), ready for planners to fill in ``region`` (or ``park``) and load again."""
    cols = schema.TABLES["enterprises"].column_names
    ids = verification["enterprise_id"].astype(str).tolist()
    if not ids:
        return pd.DataFrame(columns=cols)
    ents = store.enterprises(ids)
    ents = ents.assign(_order=ents["enterprise_id"].astype(str).map({e: i for i, e in enumerate(ids)}))
    ents = ents.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    for c in cols:
        if c not in ents.columns:
            ents[c] = None
        elif ents[c].map(lambda v: isinstance(v, (list, tuple))).any():
            ents[c] = ents[c].map(lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return ents[cols]
