"""企业与园区: search by name; an enterprise's or park's profile and its expandable neighbourhood."""
import pandas as pd
import streamlit as st

from graph.schema import region_label

from ui import layout, state
from ui.layout import KIND_CN, text
from ui.neighbourhood import graph_html, merge, node_key

EXPANDED = "explorer_expanded"     # session state: {"centre": key, "nodes": [keys expanded one hop]}


def enterprise_profile(eid):
    ent = state.enterprises([eid])
    if ent.empty:
        st.warning("未找到该企业。")
        return
    e = ent.iloc[0]
    tree = state.tree()
    park = tree.park(e["park"]) if text(e["park"]) else None
    place = " / ".join(tree.name(c) for c in reversed(tree.ancestors(e["region"]))) if text(e["region"]) else ""
    facts = {"统一社会信用代码": text(e["uscc"]) or "—",
             "所在地区": (region_label(place, e.get("region_source")) + (
                 f"（依据 {text(e.get('region_evidence'))}）" if text(e.get("region_evidence")) else "")) or "未知",
             "简称/曾用名": text(e.get("aliases")) or "—",
             "所在园区": text((park or {}).get("name")) or "—", "规模": text(e["scale"]) or "—",
             "营业收入（万元）": text(e["revenue"]) or "—", "从业人数": text(e["employees"]) or "—",
             "上市": ("是 " + text(e["stock_code"])) if bool(e["listed"]) else "否", "标签": text(e["tags"]) or "—",
             "行业": text(e["industries"]) or "—", "来源": text(e["source"]), "数据日期": text(e["as_of"]),
             "示意数据": "是（无公开来源）" if bool(e["illustrative"]) else "否"}
    st.dataframe(pd.DataFrame({"项目": list(facts), "内容": list(facts.values())}), hide_index=True, key="ent_facts",
                 height=35 * (len(facts) + 1) + 4)
    made = state.enterprise_products([eid])
    cp, roles, chains = state.table("chain_products"), state.table("chain_roles"), state.table("chains")
    chain_name = dict(zip(chains["chain_id"].astype(str), chains["name"]))
    in_chains = cp[cp["product"].isin(made["product_id"])] if len(made) else cp.iloc[0:0]
    role = roles[roles["enterprise"].astype(str) == str(eid)]
    product_name = dict(zip(made["product_id"], made["product"]))
    rows = [{"产业链": chain_name.get(str(c), c), "角色": "、".join(role.loc[role["chain"] == c, "role"]) or "配套企业",
             "环节": "、".join(product_name[p] for p in in_chains.loc[in_chains["chain"] == c, "product"])}
            for c in dict.fromkeys(list(in_chains["chain"]) + list(role["chain"]))]
    st.markdown("###### 所在产业链与角色")
    st.dataframe(pd.DataFrame(rows, columns=["产业链", "角色", "环节"]), hide_index=True, key="ent_chains")
    st.markdown("###### 产品")
    st.dataframe(made[["product", "revenue_share", "source", "as_of"]].rename(columns={
        "product": "产品", "revenue_share": "营收占比", "source": "来源", "as_of": "数据日期"}), hide_index=True,
        key="ent_products")


def park_profile(park_id):
    tree = state.tree()
    p = tree.park(park_id) or {}
    st.markdown(f"**{text(p.get('name'))}**　{text(p.get('kind'))}　位于 {tree.name(p.get('region'))}"
                + (f"（飞地，统计归属 {tree.name(p.get('counted_for'))}）" if text(p.get("counted_for")) else ""))
    nodes, edges = state.neighbourhood("Park", park_id, limit=2000)
    chains = nodes[nodes["label"] == "Chain"]["name"].map(text).tolist()
    st.markdown("###### 主导产业链")
    st.write("、".join(chains) or "（未登记）")
    ent_ids = nodes.loc[nodes["label"] == "Enterprise", "id"].astype(str).tolist()
    st.markdown(f"###### 园区企业（{len(ent_ids)} 家）")
    ents = state.enterprises(ent_ids)
    st.dataframe(ents[["name", "scale", "tags", "source", "as_of"]].rename(columns={
        "name": "企业", "scale": "规模", "tags": "标签", "source": "来源", "as_of": "数据日期"}).assign(
        标签=lambda d: d["标签"].map(text)), hide_index=True, key="park_ents")


def neighbourhood_section(label, node_id, name):
    centre = node_key(label, node_id)
    memo = st.session_state.get(EXPANDED)
    if not memo or memo.get("centre") != centre:
        memo = {"centre": centre, "nodes": [centre]}
        st.session_state[EXPANDED] = memo
    parts = [state.neighbourhood(*k.split("|", 1)) for k in memo["nodes"]]
    nodes, edges = merge(parts)
    keys = {node_key(lb, i): text(n) for lb, i, n in zip(nodes["label"], nodes["id"].astype(str), nodes["name"])}
    st.markdown(f"###### 关系网络（以“{text(name)}”为中心，已展开 {len(memo['nodes'])} 个节点）")
    pick, grow, reset = st.columns([4, 1, 1], vertical_alignment="bottom")
    choices = [k for k in keys if k not in memo["nodes"]]
    chosen = pick.selectbox("展开一个相邻节点（再向外一跳）", choices, key="expand_pick",
                            format_func=lambda k: f"{KIND_CN.get(k.split('|')[0], '')} · {keys[k]}")
    if grow.button("展开", key="expand_go", disabled=not choices, width="stretch") and chosen:
        memo["nodes"].append(chosen)
        st.rerun()
    if reset.button("收起", key="expand_reset", disabled=len(memo["nodes"]) == 1, width="stretch"):
        memo["nodes"] = [centre]
        st.rerun()
    page, height = graph_html(nodes, edges, centre, memo["nodes"])
    st.iframe(page, height=height)


def body():
    q = st.text_input("搜索企业、园区、产品、产业链或地区（支持部分名称、股票代码、信用代码）", key="q",
                      bind="query-params", placeholder="例如：太原、汽车、比亚迪")
    if not q.strip():
        st.info("输入名称的一部分开始搜索。")
        return
    hits = state.search(q.strip(), limit=50)
    if hits.empty:
        st.warning(f"没有找到包含“{q.strip()}”的名称。")
        return
    hits = hits.assign(key=[node_key(lb, i) for lb, i in zip(hits["label"], hits["id"].astype(str))])
    label = {k: f"{KIND_CN.get(lb, lb)} · {text(n)}" + (f"（{text(d)}）" if text(d) else "")
             for k, lb, n, d in zip(hits["key"], hits["label"], hits["name"], hits["detail"])}
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.caption(f"找到 {len(hits)} 条")
        st.dataframe(hits.assign(类型=hits["label"].map(KIND_CN))[["类型", "name", "detail"]].rename(
            columns={"name": "名称", "detail": "所在/说明"}), hide_index=True, key="search_hits",
            height=min(220, 35 * (len(hits) + 1) + 4))
    with right:
        key = st.selectbox("查看", hits["key"].tolist(), format_func=label.get, key="node", bind="query-params")
    kind, node_id = key.split("|", 1)
    name = hits.set_index("key").loc[key, "name"]
    neighbourhood_section(kind, node_id, name)          # the relation network first, the profile below
    st.subheader(f"{KIND_CN.get(kind, kind)}档案")
    if kind == "Enterprise":
        enterprise_profile(node_id)
    elif kind == "Park":
        park_profile(node_id)
    else:
        st.write(f"{KIND_CN.get(kind, kind)}：{text(name)}（编号 {node_id}）")


layout.run_page("企业与园区", body, caption="按名称搜索企业、园区；查看企业档案、园区企业，以及逐跳展开的关系网络。")
