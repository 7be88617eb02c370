"""The five tables of a gap-list export, built from the engine's results (pure pandas).

Each table has English column keys (used by the JSON export and by scripts) and Chinese headers
(:data:`HEADERS`, used by the xlsx sheets and CSV files); :func:`display` turns one into the
other. Keys and sheets: ``about`` 说明, ``summary`` 汇总, ``gaps`` 缺口清单, ``targets`` 招商目标,
``plan`` 招商组合, ``makers`` 本地企业, ``matching`` 链主供需对接 (:mod:`graph.analysis.leader_view`),
``verify`` 核实清单 (enterprises whose location would settle 待核实 links).
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.analysis.gap_rules import STATUS_CN
from graph.analysis.gap_summary import coverage_text
from graph.export.project_sheet import HEADERS as PROJECT_HEADERS
from graph.schema import region_label

SHEETS = {"about": "说明", "summary": "汇总", "gaps": "缺口清单", "targets": "招商目标", "plan": "招商组合",
          "makers": "本地企业", "matching": "链主供需对接", "projects": "招商项目", "verify": "核实清单"}

HEADERS: dict[str, dict[str, str]] = {
    "about": {"item": "项目", "value": "取值", "note": "说明"},
    "summary": {
        "chain_id": "产业链编号", "chain": "产业链", "chief": "链长", "lead_unit": "牵头单位", "region": "地区",
        "links": "环节数", "with_data": "有数据环节", "local": "本地有企业环节", "local_rate": "本地配套率",
        "key_links": "关键环节", "key_local": "关键环节本地有企业", "key_weighted_rate": "关键环节加权配套率",
        "covered": "已配套", "weak": "弱链", "missing": "缺链", "broken": "断链", "no_data": "无数据",
        "urgent": "紧急", "important": "重要", "normal": "一般", "local_enterprises": "本地企业数",
        "targets": "招商目标数", "as_of_min": "数据最早日期", "as_of_max": "数据截至", "sources": "数据来源",
        "unverified": "待核实", "coverage": "本地配套率（含待核实范围）",
        "local_rate_max": "本地配套率上限（待核实环节均在本地时）", "key_weighted_rate_max": "关键环节加权配套率上限",
        "unknown_enterprises": "所在地待核实企业数"},
    "gaps": {
        "chain_id": "产业链编号", "chain": "产业链", "stage_cn": "阶段", "segment": "细分领域",
        "product_id": "环节编号", "name": "环节", "key_link": "关键环节", "status_cn": "状态", "broken": "断链",
        "grade": "等级", "priority": "优先级", "p_status": "状态分", "p_broken": "断链分", "p_key": "关键环节分",
        "p_demand": "本地需求分", "p_leaders": "链主需求分", "p_centrality": "中心度分",
        "local_makers": "本地企业数", "local_large": "本地规上/大中型企业数", "local_share_sum": "本地营收占比合计",
        "makers_total": "全部生产企业数", "local_demand": "下游本地企业数", "leader_consumers": "需要该环节的链主",
        "upstream": "上游环节", "downstream": "下游环节", "local_maker_names": "本地企业",
        "targets": "招商目标数", "reason": "原因", "source": "来源", "as_of": "数据日期",
        "unknown_makers": "所在地待核实企业数", "local_scale_unknown": "本地规模未知企业数"},
    "targets": {
        "chain_id": "产业链编号", "chain": "产业链", "gap_product_id": "环节编号", "gap_product": "缺口环节",
        "gap_label": "缺口状态", "gap_grade": "缺口等级", "gap_priority": "缺口优先级", "rank": "名次",
        "enterprise_id": "企业编号", "name": "企业", "region_name": "所在地", "province_name": "所在省份",
        "park_name": "所在园区", "scale": "规模", "revenue": "营业收入（万元）", "revenue_share": "该产品营收占比",
        "listed": "上市", "tags": "标签", "role": "链主/链核", "distance_km": "距离（公里）",
        "score": "得分", "s_role_tags": "身份标签分", "s_scale": "规模分", "s_revenue": "营收分",
        "s_share": "产品占比分", "s_distance": "距离分", "s_province": "省份分", "s_transfer": "产业转移分",
        "s_ties": "供需关系分", "reason": "理由", "source": "来源", "as_of": "数据日期", "illustrative": "示意数据",
        "location": "位置（区域外/待核实）"},
    "plan": {
        "pick": "序号", "enterprise_id": "企业编号", "name": "企业", "province_name": "所在省份",
        "region_name": "所在地", "scale": "规模", "tags": "标签", "gain": "边际增益", "cum_value": "累计增益",
        "value_share": "占组合总增益", "closed_share": "累计覆盖缺口优先级", "chains": "计入产业链",
        "closes": "补齐缺链", "strengthens": "加强环节", "links_closed": "补齐缺链数",
        "links_strengthened": "加强环节数", "key_links_closed": "补齐关键环节数", "source": "来源",
        "as_of": "数据日期"},
    "makers": {
        "chain_id": "产业链编号", "chain": "产业链", "stage_cn": "阶段", "link_id": "环节编号", "link": "环节",
        "link_status": "环节状态", "enterprise_id": "企业编号", "name": "企业", "region_name": "所在地",
        "park_name": "所在园区", "scale": "规模", "revenue": "营业收入（万元）", "employees": "从业人数",
        "listed": "上市", "tags": "标签", "product_id": "所产产品编号", "revenue_share": "该产品营收占比",
        "source": "来源", "as_of": "数据日期", "illustrative": "示意数据"},
    "matching": {
        "chain_id": "产业链编号", "chain": "产业链", "leader_id": "链主编号", "leader": "链主", "leader_local": "链主在本地",
        "stage_cn": "阶段", "input_id": "投入品编号", "input": "投入品（上游环节）", "verdict": "本地能否配套",
        "status_cn": "环节状态", "local_count": "本地企业数", "local_suppliers": "本地供应企业",
        "candidates": "候选供应商（外地，按得分）", "candidate_ids": "候选企业编号", "advice": "对接建议",
        "source": "来源（链主认定）", "as_of": "数据日期"},
    "verify": {
        "rank": "序号", "enterprise_id": "企业编号", "name": "企业", "region": "已知地区代码", "region_name": "已知地区",
        "why": "待核实原因", "weight": "可核实环节（关键环节加权）", "key_links": "关键环节数", "links": "环节数",
        "chains": "产业链", "link_names": "可核实的环节", "source": "来源", "as_of": "数据日期"},
}
HEADERS["projects"] = dict(PROJECT_HEADERS)  # 招商项目 (#16)

#: Excel number formats by column key (any table).
NUMBER_FORMATS = {
    "local_rate": "0.0%", "key_weighted_rate": "0.0%", "local_rate_max": "0.0%", "key_weighted_rate_max": "0.0%",
    "weight": "0.0", "local_share_sum": "0%", "revenue_share": "0%",
    "priority": "0.00", "gap_priority": "0.00", "score": "0.00", "revenue": "#,##0", "employees": "#,##0",
    "distance_km": "0.0", "investment": "#,##0.##", "gain": "0.00", "cum_value": "0.00", "value_share": "0%",
    "closed_share": "0.0%", **{c: "0.00" for c in ("p_status", "p_broken", "p_key", "p_demand", "p_leaders",
                                                 "p_centrality", "s_role_tags", "s_scale", "s_revenue",
                                                 "s_share", "s_distance", "s_province", "s_transfer", "s_ties")},
}
#: Columns coloured by grade (紧急/重要/一般).
GRADE_COLUMNS = ("grade", "gap_grade")

LEVEL_CN = {"province": "省级", "city": "市级", "county": "县级", "park": "园区"}
_NOTES = {
    "min_makers": "本地企业少于此数为弱链", "min_large": "本地规上或大中型企业少于此数为弱链",
    "min_revenue_share": "本地企业该产品营收占比合计低于此值为弱链（0 = 不用此规则）",
    "key_weight": "关键环节在加权配套率中的权重",
    "status_missing": "缺链得分", "status_weak": "弱链得分", "broken": "断链加分", "key_link": "关键环节加分",
    "demand_per_maker": "每家下游本地企业加分", "demand_cap": "下游需求加分上限",
    "leader_per": "每家需要该环节的链主加分", "leaders_cap": "链主需求加分上限", "centrality": "中心度满分",
    "urgent_at": "优先级达到此值为紧急（缺失的关键环节总是紧急）", "important_at": "优先级达到此值为重要",
}


def _empty(key: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HEADERS[key]})


def _names(mapping: dict, values: pd.Series) -> pd.Series:
    """Ids to names (unknown ids as they are; missing or non-text as ""), each distinct id looked up once."""
    def name(v):
        return mapping.get(v, v) if isinstance(v, str) else ""
    values = values.astype(object)
    if not len(values):
        return values.map(name)
    codes, distinct = pd.factorize(values)
    names = np.array([name(v) for v in distinct] + [""], dtype=object)  # the last: missing values (code -1)
    return pd.Series(names[codes], index=values.index, dtype=object).infer_objects()  # the dtype map gives


def _joined(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else
                      ("" if v is None or (isinstance(v, float) and np.isnan(v)) else v)).astype(object)


def summary_rows(reports, targets) -> pd.DataFrame:
    rows = []
    for rep, tg in zip(reports, targets):
        s, c, d = rep.summary, rep.chain, rep.data
        chief = " ".join(str(x) for x in (c.get("chief"), c.get("chief_title")) if x and not pd.isna(x))
        rows.append({"chain_id": c.get("chain_id"), "chain": c.get("name"), "chief": chief,
                     "lead_unit": c.get("lead_unit") or "", "region": rep.region.get("name"),
                     **{k: s.get(k) for k in HEADERS["summary"] if k in s}, "targets": len(tg),
                     "coverage": coverage_text(s),
                     "as_of_min": d.get("as_of_min"), "as_of_max": d.get("as_of_max"),
                     "sources": "；".join(d.get("sources") or [])})
    if not rows:
        return _empty("summary")
    out = pd.DataFrame(rows, columns=list(HEADERS["summary"]))
    for k in ("local_rate", "key_weighted_rate", "local_rate_max", "key_weighted_rate_max"):
        out[k] = out[k].astype(float)
    return out


def verify_rows(reports, tree) -> pd.DataFrame:
    """The 核实清单 of the exported chains (graph.analysis.verify)."""
    from graph.analysis.verify import verification_list
    return verification_list(reports, tree)[list(HEADERS["verify"])]


def gap_rows(reports, targets, gaps) -> pd.DataFrame:
    """The 缺链清单 of every chain; ``gaps``: each report's ``gaps()`` (made once by the caller)."""
    added = ("chain_id", "chain", "targets")
    own = [c for c in HEADERS["gaps"] if c not in added]
    frames, chain_ids, chains, counts = [], [], [], []
    for rep, tg, g in zip(reports, targets, gaps):
        if g.empty:
            continue
        per_gap = Counter(tg["gap_product_id"].tolist()) if len(tg) else {}
        frames.append(g[own])
        ids = g["product_id"].tolist()
        chain_ids += [rep.chain.get("chain_id")] * len(ids)
        chains += [rep.chain.get("name")] * len(ids)
        counts += [per_gap.get(p, 0) for p in ids]
    if not frames:
        return _empty("gaps")
    out = pd.concat(frames, ignore_index=True)
    out = out.assign(chain_id=pd.Series(chain_ids), chain=pd.Series(chains),
                     targets=np.array(counts, dtype=np.int64))
    return out[list(HEADERS["gaps"])]


def matching_rows(reports, targets, per_input: int = 3) -> pd.DataFrame:
    """链主供需对接清单 of every chain: its 链主's inputs, local or not, candidate suppliers."""
    from graph.analysis.leader_view import leader_matching
    pairs = [(leader_matching(rep, tg, per_input), rep.chain) for rep, tg in zip(reports, targets)]
    pairs = [(f, chain) for f, chain in pairs if len(f)]
    if not pairs:
        return _empty("matching")
    return _with_chains(*zip(*pairs))[list(HEADERS["matching"])]


def _with_chains(frames, chains) -> pd.DataFrame:
    """``pd.concat([f.assign(chain_id=c["chain_id"], chain=c["name"]) for f, c in zip(frames, chains)],
    ignore_index=True)``, the two columns made once for all rows when every id and name is text.

    >>> _with_chains([pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [3]})],
    ...              [{"chain_id": "C1", "name": "甲"}, {"chain_id": "C2", "name": "乙"}])["chain"].tolist()
    ['甲', '甲', '乙']
    """
    values = [(c.get("chain_id"), c.get("name")) for c in chains]
    if not all(isinstance(a, str) and isinstance(b, str) for a, b in values):
        return pd.concat([f.assign(chain_id=a, chain=b) for f, (a, b) in zip(frames, values)], ignore_index=True)
    sizes = [len(f) for f in frames]
    out = pd.concat(frames, ignore_index=True)
    column = lambda k: pd.Series(np.repeat(np.array([v[k] for v in values], dtype=object), sizes))  # noqa: E731
    return out.assign(chain_id=column(0), chain=column(1))


def target_rows(reports, targets, tree) -> pd.DataFrame:
    frames, chains = [], []
    park_names = {k: v.get("name") for k, v in tree.parks.items()}
    for rep, tg in zip(reports, targets):
        if tg.empty:
            continue
        frames.append(tg.assign(park_name=_names(park_names, tg["park"])))
        chains.append(rep.chain)
    if not frames:
        return _empty("targets")
    out = _with_chains(frames, chains)
    out["rank"] = out["rank"].astype(int)
    return out[list(HEADERS["targets"])]


def maker_rows(reports, tree) -> pd.DataFrame:
    """本地企业: every chain's local makers, links in the chain's order, then by name, id and product
    (one frame for all chains: each derived column is computed once, each distinct value looked up once)."""
    frames, chain_pos, link_pos, offsets, link_tables = [], [], [], [0], []
    for rep in reports:
        m = rep.makers
        if m is None or m.empty:
            continue
        links = rep.links
        pos = pd.Index(links["product_id"]).get_indexer(m["link_id"])
        frames.append(m)
        chain_pos.append(np.full(len(m), len(link_tables), dtype=np.int64))
        link_pos.append(np.where(pos >= 0, pos + offsets[-1], -1))
        offsets.append(offsets[-1] + len(links))
        link_tables.append((rep, links))
    if not frames:
        return _empty("makers")
    m = pd.concat(frames, ignore_index=True)
    at = np.concatenate(link_pos)
    found = at >= 0

    def per_link(values: list, default=np.nan) -> np.ndarray:
        out = np.full(len(m), default, dtype=object)
        out[found] = np.asarray(values, dtype=object)[at[found]]
        return out
    pick = np.concatenate(chain_pos)
    chain_ids = np.array([rep.chain.get("chain_id") for rep, _ in link_tables], dtype=object)[pick]
    chain_names = np.array([rep.chain.get("name") for rep, _ in link_tables], dtype=object)[pick]
    column = {c: [v for _, ls in link_tables for v in ls[c].tolist()] for c in ("stage_cn", "name", "status")}
    status = pd.Series(per_link(column["status"]), dtype=object).map(STATUS_CN)
    park_names = {k: v.get("name") for k, v in tree.parks.items()}
    region_names = {k: tree.name(k) for k in tree.regions}
    sources = m["region_source"] if "region_source" in m else pd.Series(None, index=m.index)
    out = pd.DataFrame({
        "chain_id": chain_ids, "chain": chain_names, "stage_cn": per_link(column["stage_cn"]),
        "link_id": m["link_id"], "link": per_link(column["name"]), "link_status": status,
        "enterprise_id": m["enterprise_id"], "name": m["name"],
        "region_name": _pairwise(region_label, _names(region_names, m["region"]), sources),
        "park_name": _names(park_names, m["park"]), "scale": m["scale"], "revenue": m["revenue"],
        "employees": m["employees"], "listed": m["listed"], "tags": _joined_once(m["tags"]),
        "product_id": m["product_id"], "revenue_share": m["revenue_share"], "source": m["source"],
        "as_of": m["as_of"], "illustrative": m["illustrative"]})
    order = np.where(found, at, np.iinfo(np.int64).max)  # unknown links last
    out = out.take(_lexsort([pick, order, out["name"], out["enterprise_id"], out["product_id"]]))
    out = out.reset_index(drop=True)
    for k in ("revenue", "revenue_share", "employees"):
        out[k] = pd.to_numeric(out[k], errors="coerce").astype(float)
    return out[list(HEADERS["makers"])]


def _lexsort(keys: list) -> np.ndarray:
    """The row order ``sort_values(keys, kind="stable")`` gives (missing values last): one stable
    pyarrow sort of integer and text keys (strings by code point, as pandas orders them), else
    each key's sorted factor codes through numpy's lexsort.

    >>> _lexsort([np.array([1, 0, 1]), pd.Series(["b", None, "a"])]).tolist()
    [1, 2, 0]
    """
    arrays = []
    for k in keys:
        try:
            if isinstance(k, np.ndarray) and k.dtype.kind in "iu":
                arrays.append(pa.array(k))
            elif isinstance(k.dtype, pd.StringDtype) and k.dtype.storage == "pyarrow":
                arrays.append(pa.array(k.array))
            elif k.dtype == object:   # text (missing as None/NaN) or else the numpy way
                arrays.append(pa.array(k.to_numpy(), pa.string(), from_pandas=True))
            else:
                break
        except (pa.ArrowException, TypeError, ValueError):
            break
    else:
        names = [f"k{i}" for i in range(len(arrays))]
        table = pa.table(dict(zip(names, arrays)))
        return pc.sort_indices(table, [(n, "ascending") for n in names]).to_numpy()  # nulls at the end
    codes = []
    for k in keys:
        c, uniques = pd.factorize(k, sort=True)
        codes.append(np.where(c < 0, len(uniques), c))
    return np.lexsort(codes[::-1])


def _pairwise(fn, a: pd.Series, b: pd.Series) -> list:
    """``[fn(x, y) for x, y in zip(a, b)]``, calling ``fn`` once per distinct (x, y) pair."""
    x, y = a.to_numpy(object), b.to_numpy(object)
    xc, xu = pd.factorize(x, use_na_sentinel=False)
    yc, yu = pd.factorize(y, use_na_sentinel=False)
    pairs, inverse = np.unique(xc.astype(np.int64) * max(len(yu), 1) + yc, return_inverse=True)
    done = [fn(xu[p // max(len(yu), 1)], yu[p % max(len(yu), 1)]) for p in pairs.tolist()]
    return [done[i] for i in inverse.ravel().tolist()]


def _joined_once(values: pd.Series) -> pd.Series:
    """:func:`_joined`, each distinct object (the store shares one tag list per distinct tags) joined once."""
    objs = values.to_numpy(object)
    if not len(objs):
        return _joined(values)
    ids = np.fromiter(map(id, objs), dtype=np.uint64, count=len(objs))
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    joined = _joined(pd.Series(objs[first], dtype=object)).to_numpy(object)
    return pd.Series(joined[inverse.ravel()], index=values.index, dtype=object)


def plan_rows(plan) -> pd.DataFrame:
    """The 招商组合 sheet: one row per pick of graph.analysis.plan.optimise (empty when no plan)."""
    if plan is None or not len(plan.picks):
        return _empty("plan")
    return plan.picks.rename(columns={"value": "cum_value"})[list(HEADERS["plan"])].reset_index(drop=True)


def about_rows(meta: dict) -> pd.DataFrame:
    region, opts, data = meta["region"], meta["options"], meta["data"]
    rows = [("标题", "缺链补链招商清单", "ChainAtlas 产业链图谱导出"),
            ("产业链", "、".join(f"{c['name']}（{c['chain_id']}）" for c in meta["chains"]),
             f"共 {len(meta['chains'])} 条"),
            ("地区", f"{region.get('name')}（{region.get('id')}）", LEVEL_CN.get(region.get("level"), "")),
            ("飞地园区归属", "开" if opts["enclave_attribution"] else "关",
             "开：飞地园区按统计归属地计入；关：按实际所在地计入"),
            ("小类企业计入环节", "是" if opts.get("count_subclasses", True) else "否",
             "是：生产小类产品的企业计为所属环节的本地企业"),
            ("每个缺口的招商目标数", opts["top"], "按得分从高到低"),
            ("招商组合企业数", opts.get("plan_k", 0),
             "贪心选出的企业组合（一家企业只算一次，同一环节第二家价值递减），不劣于最优组合的 1 − 1/e")]
    rows += [(f"判定阈值 {k}", v, _NOTES.get(k, "")) for k, v in opts["thresholds"].items()]
    rows += [(f"优先级权重 {k}", v, _NOTES.get(k, "")) for k, v in opts["priority"].items()]
    rows += [(f"招商评分权重 {k}", "是" if v is True else "否" if v is False else v, "见 graph.options.Weights")
             for k, v in opts["weights"].items()]
    rows += [("数据日期", f"{data.get('as_of_min') or '—'} 至 {data.get('as_of_max') or '—'}", "所用事实的 as_of 范围"),
             ("数据来源", "；".join(data.get("sources") or []) or "—", ""),
             ("事实条数", data.get("facts", 0), f"其中示意数据 {data.get('illustrative_facts', 0)} 条"),
             ("生成时间", meta["generated_at"], ""),
             ("工具版本", f"ChainAtlas {meta['tool_version']}", f"存储：{meta.get('backend') or '—'}")]
    rows += [(f"注·{chain}", note, "") for chain, note in meta.get("notes", [])]
    return pd.DataFrame(rows, columns=["item", "value", "note"], dtype=object)


def _has_bools(s: pd.Series, inferred: str) -> bool:
    if inferred in ("string", "empty"):  # most columns are text
        return False
    return inferred == "boolean" or bool(s.map(lambda v: isinstance(v, (bool, np.bool_))).any())


def display_column(s: pd.Series) -> pd.Series:
    """One column's display values: booleans as 是/否, missing text as None (see :func:`display`)."""
    inferred = pd.api.types.infer_dtype(s, skipna=True) if s.dtype == object and len(s) else ""
    if inferred == "boolean" or s.dtype == bool:  # every value a bool or missing (NaN, as map makes it)
        values = s.to_numpy(dtype=object)
        have = ~pd.isna(values)
        out = np.full(len(values), np.nan, dtype=object)
        out[have] = np.where(values[have].astype(bool), "是", "否")
        return pd.Series(out, index=s.index, name=s.name, dtype=object)
    if s.dtype == object and len(s) and _has_bools(s, inferred):
        return s.map(lambda v: ("是" if v else "否") if isinstance(v, (bool, np.bool_)) else v).astype(object)
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        return s.astype(object).where(s.notna(), None)
    return s


def display(key: str, df: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and display values: booleans as 是/否 (empty when unknown), lists joined."""
    out = df[list(HEADERS[key])].copy()
    for col in out.columns:
        out[col] = display_column(out[col])
    return out.rename(columns=HEADERS[key])
