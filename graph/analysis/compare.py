"""Regional comparison: one chain's coverage in every city (or county) of a region side by side.

One ``makers`` query for the whole region (inside its scope), then each maker is attributed to a
child region in pandas (飞地园区 rule as in :mod:`graph.analysis.scope`), and the gap rules run per child.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from graph.analysis import compare_cells, gap_rules, gap_summary
from graph.analysis.chain_graph import ChainGraph
from graph.options import DEFAULT_THRESHOLDS, Thresholds

#: Columns of Comparison.coverage (one row per child region, plus 未细分 when needed).
COVERAGE_COLUMNS = ["code", "name", "level", "links", "with_data", "covered", "weak", "missing", "broken",
                    "no_data", "local", "local_rate", "key_links", "key_local", "key_weighted_rate",
                    "local_enterprises", "unverified", "local_rate_max"]
#: Columns of Comparison.cells (long form of the matrix).
CELL_COLUMNS = ["code", "name", "product_id", "product", "stage", "key_link", "local_makers", "status",
                "broken", "label"]
UNASSIGNED = "未细分"


@dataclass
class Comparison:
    """chain: chains row; region: place dict of the parent region; level: the children's level.

    coverage: COVERAGE_COLUMNS — the GapReport summary per child (rates are shares 0–1; no-data
              links left out of denominators); a row ``code=""``/``name=未细分`` collects makers
              attributed to the parent itself or to a region outside the tree, if any.
    matrix:   child region x link: columns ``code``, ``name`` then one column per chain product
              (header = product name) holding the count of local makers.
    cells:    CELL_COLUMNS — the same, one row per (child, product), with status/broken/label.
    notes:    remarks in Chinese.
    """

    chain: dict
    region: dict
    level: str
    enclave_attribution: bool
    thresholds: Thresholds
    coverage: pd.DataFrame
    matrix: pd.DataFrame
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def compare_regions(store, chain: str, region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                    enclave_attribution: bool = True, count_subclasses: bool = True) -> Comparison:
    """Compare ``chain`` across the direct children of ``region`` (a province's cities, a city's
    counties). Store calls: chains, chain_view, regions, parks, product_subclasses, one makers
    (inside the region) and one maker_counts."""
    from graph.analysis import lookup
    from graph.analysis.frame_utils import memo
    from graph.analysis.gaps import chain_links, local_and_unknown
    from graph.analysis.scope import RegionTree, region_scope

    chain_row = lookup.resolve_chain(store, chain)
    cid = str(chain_row["chain_id"])
    view = store.chain_view(cid)
    tree = RegionTree.from_store(store)
    place = lookup.resolve_region(store, region, tree=tree)
    sc = region_scope(tree, place["code"], enclave_attribution)
    link_of, all_links = chain_links(store, view, count_subclasses)
    local, unknown = local_and_unknown(store, tree, place, sc, link_of)
    # what depends on the chain alone is kept per store until its data changes (as gaps.compute_diagnosis)
    counts = memo(store, ("link_counts", cid), lambda: gap_rules.link_counts(store.maker_counts(sorted(all_links)),
                                                                            all_links))
    cg = memo(store, ("chain_graph", cid), lambda: ChainGraph.from_view(view))
    return compare_frames(view, place, tree, local, counts, thresholds, enclave_attribution, unknown=unknown,
                          graph=cg)


def compare_frames(view, place: dict, tree, local: pd.DataFrame, counts: pd.DataFrame,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, enclave_attribution: bool = True,
                   unknown: pd.DataFrame | None = None, graph: ChainGraph | None = None) -> Comparison:
    """Pure: attribute the region's local makers to its children and classify per child (``graph``:
    the view's ChainGraph, if already built).

    For each child, makers whose location is unknown for the region (``unknown``) and the region's
    makers registered only at the region itself (未细分) are of unknown location: links they decide
    are 待核实 in that child, never 缺链."""
    children = tree.children(place["code"])
    notes: list[str] = []
    if not children:
        notes.append(f"“{place['name']}”没有下级区划，无法分区比较。")
    child_of = {d: ch for ch in children for d in tree.descendants(ch)}
    m = local.copy(deep=False)
    if len(m):
        m["attributed"] = tree.attribute(m["region"], m["park"], enclave_attribution)
        m["child"] = m["attributed"].map(child_of).astype(object).where(lambda s: s.notna(), "")
    else:
        m["child"] = pd.Series(dtype=object)
    groups = list(children) + ([""] if (m["child"] == "").any() else [])
    if "" in groups:
        notes.append(f"{m.loc[m['child'] == '', 'enterprise_id'].nunique()} 家本地企业只登记到"
                     f"“{place['name']}”本级或未能归到下级区划，列为“{UNASSIGNED}”。")
    cg = graph or ChainGraph.from_view(view)
    level = tree.level(children[0]) if children else ""
    unknown = unknown if unknown is not None and len(unknown) else pd.DataFrame(columns=list(local.columns))
    vague = m[m["child"] == ""].drop(columns=["attributed", "child"], errors="ignore") if len(m) else unknown
    base, ups, downs = cg.memo("link_columns", lambda: gap_rules._chain_columns(view, cg))
    got = compare_cells.child_links(base, ups, downs, m, groups, unknown, vague, counts, thresholds) \
        if groups and "link_id" in m.columns else None
    order = view.products.drop_duplicates("product_id")
    if got is not None:
        names = [tree.name(code) if code else UNASSIGNED for code in groups]
        coverage, cell_df = _coverage(base, groups, names, got, tree, thresholds)
        matrix = compare_cells.matrix_frame(base, groups, names, got, order)
    else:
        coverage, cell_df = _per_child(view, cg, m, groups, unknown, vague, counts, tree, thresholds)
        matrix = _matrix(cell_df, order)
    n_vague = (int(unknown["enterprise_id"].nunique()) if len(unknown) else 0) + \
        (int(vague["enterprise_id"].nunique()) if len(vague) and children else 0)
    if n_vague:
        notes.append(f"{n_vague} 家生产企业所在地无法落到下级区划（无地区、地区代码不在区划表，或只登记到上级）："
                     "在各下级区划中记为待核实，不计为缺链。")
    if enclave_attribution:
        notes.append("飞地园区企业计入其统计归属地。")
    return Comparison(chain=dict(view.chain), region=dict(place), level=level or "",
                      enclave_attribution=enclave_attribution, thresholds=thresholds, coverage=coverage,
                      matrix=matrix, cells=cell_df, notes=notes)


def _coverage(base: dict, groups: list, names: list, got: dict, tree, thresholds: Thresholds):
    """(coverage, cells) from compare_cells.child_links' arrays."""
    K, rows = len(base["product_id"]), []
    key = base["key_link"].to_numpy()
    for i, code in enumerate(groups):
        s = slice(i * K, (i + 1) * K)
        summary, _ = gap_summary.summary_of(got["status"][s].tolist(), got["local_makers"][s] > 0, key,
                                            int(got["broken"][s].sum()), [""] * K, thresholds)
        rows.append({"code": code, "name": names[i], "level": tree.level(code) if code else "",
                     **{k: summary[k] for k in COVERAGE_COLUMNS if k in summary},
                     "local_enterprises": int(got["local_enterprises"][i])})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS), compare_cells.cells_frame(base, groups, names, got,
                                                                                   CELL_COLUMNS)


def _per_child(view, cg, m, groups, unknown, vague, counts, tree, thresholds):
    """(coverage, cells) classifying child by child (gap_rules.classify_links)."""
    rows, cells = [], []
    for code in groups:
        sub = m[m["child"] == code]
        unk = unknown if code == "" or not len(vague) else pd.concat([unknown, vague], ignore_index=True)
        links, _ = gap_rules.classify_links(view, sub, counts, thresholds, graph=cg, unknown=unk)
        summary, _ = gap_summary.summarise(links, thresholds)
        name = tree.name(code) if code else UNASSIGNED
        rows.append({"code": code, "name": name, "level": tree.level(code) if code else "",
                     **{k: summary[k] for k in COVERAGE_COLUMNS if k in summary},
                     "local_enterprises": int(sub["enterprise_id"].nunique()) if len(sub) else 0})
        cells.append(links.assign(code=code, name_=name)[
            ["code", "name_", "product_id", "name", "stage", "key_link", "local_makers", "status", "broken",
             "label"]].rename(columns={"name": "product", "name_": "name"}))
    coverage = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    return coverage, pd.concat(cells, ignore_index=True)[CELL_COLUMNS] if cells else \
        pd.DataFrame(columns=CELL_COLUMNS)


def _matrix(cells: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    if cells.empty:
        return pd.DataFrame(columns=["code", "name"])
    wide = cells.pivot_table(index=["code", "name"], columns="product_id", values="local_makers",
                             aggfunc="sum", fill_value=0, sort=False)
    cols = [p for p in cells["product_id"].drop_duplicates() if p in wide.columns]
    names = dict(zip(products["product_id"].astype(str), products["name"]))
    wide = wide[cols].rename(columns=lambda p: names.get(p, p)).reset_index()
    wide.columns.name = None
    return wide
