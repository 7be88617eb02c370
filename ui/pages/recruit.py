"""招商组合: the k enterprises that close the most gap priority across chains, the coverage curve,
and each chain before/after (假如引进) with the closed links highlighted."""
import pandas as pd
import streamlit as st

from graph.analysis.plan import PlanWeights
from ui import layout, recruit, state
from ui.panorama import panorama

PICK_COLUMNS = {"pick": "序", "name": "企业", "province_name": "省份", "region_name": "所在地", "scale": "规模",
                "gain": "增益", "value_share": "累计占组合", "closed_share": "累计覆盖缺口", "chains": "计入产业链",
                "closes": "补齐缺链", "strengthens": "加强环节", "source": "来源", "as_of": "数据日期"}
CHANGE_COLUMNS = {"name": "环节", "key_link": "关键环节", "label_before": "引进前", "label_after": "引进后",
                  "change": "变化", "broken_repaired": "断链修复", "local_before": "本地企业(前)",
                  "local_after": "本地企业(后)", "added": "引进企业"}


def controls(chains: pd.DataFrame):
    names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str)))
    c = st.columns([4, 1])
    picked = c[0].multiselect("产业链（不选 = 全部）", list(names), format_func=names.get, key="plan_chains",
                              placeholder="全部产业链")
    k = c[1].number_input("企业数 k", 1, 50, 10, key="plan_k")
    with st.expander("组合权重与约束", expanded=False):
        w = st.columns(4)
        second = w[0].slider("同一环节第二家企业的价值", 0.0, 1.0, 0.3, 0.05, key="plan_second",
                             help="第一家补齐缺口得全部优先级分，第二家得其此倍数，第三家再乘一次（边际递减）。")
        quality = w[1].slider("企业质量权重", 0.0, 1.0, 0.0, 0.1, key="plan_quality",
                              help="0 = 只看补齐的缺口；越大越看重招商目标得分（规模、标签、距离等）。")
        cap = w[2].number_input("每条链最多（0 = 不限）", 0, 50, 0, key="plan_cap")
        key_first = w[3].toggle("先补关键环节", key="plan_key_first")
        e = st.columns(2)
        prov = e[0].text_input("排除省份（逗号分隔，如：江苏,浙江）", key="plan_exclude_prov")
        ents = e[1].text_input("排除企业（名称或编号，逗号分隔）", key="plan_exclude_ent")
    excl = {"provinces": _items(prov), "enterprises": _items(ents)}
    return (picked or list(names)), int(k), PlanWeights(second=float(second), quality=float(quality)), \
        bool(key_first), (int(cap) or None), excl, names


def _items(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]


def before_after(sel, p, names):
    by_chain = {c: e for c, e in p.by_chain().items() if e}
    if not by_chain:
        return
    st.subheader("引进前后对比（假如引进）")
    c = st.columns([2, 3])
    cid = c[0].selectbox("产业链", list(by_chain), format_func=lambda c: names.get(c, c), key="plan_view_chain")
    extra = c[1].text_input("另加企业（名称或编号，逗号分隔；在本组合之外假如引进）", key="plan_extra")
    ents = by_chain[cid] + _items(extra)
    w = recruit.what_if(sel, cid, ents)
    s = w.summary.set_index("metric")
    cols = st.columns(4)
    for col, (m, fmt) in zip(cols, [("local_rate", layout.pct), ("key_weighted_rate", layout.pct),
                                    ("missing", lambda v: f"{int(v)}"), ("broken", lambda v: f"{int(v)}")]):
        if m in s.index:
            before, after = s.at[m, "before"], s.at[m, "after"]
            col.metric(f"{s.at[m, 'label']}", fmt(after), f"引进前 {fmt(before)}", delta_color="off", border=True)
    unverified = [m for m in s.index if m == "unverified" or m.endswith("_max")]   # the 待核实 range
    for m in unverified:
        fmt = layout.pct if m.endswith("_max") else (lambda v: f"{int(v)}")
        st.caption(f"{s.at[m, 'label']}：引进前 {fmt(s.at[m, 'before'])}，引进后 {fmt(s.at[m, 'after'])}")
    st.dataframe(w.changes[list(CHANGE_COLUMNS)].rename(columns=CHANGE_COLUMNS), hide_index=True, key="plan_changes")
    fig = panorama(w.after.links, highlight=set(w.improved()))
    st.caption("全景图为引进后的状态；绿色光晕与 ▲ 标出补齐、升级或加强的环节。")
    st.iframe(fig.html, height=fig.height)
    for n in w.notes:
        st.caption(n)
    c = st.columns([3, 1])
    name = c[0].text_input("保存为情景（名称）", key="plan_scenario_name", placeholder="例如：运城电池包引进方案")
    if c[1].button("保存情景", key="plan_scenario_save", disabled=not name.strip()):
        path = recruit.save(sel, name, cid, ents)
        st.success(f"已保存情景“{name}”（{path.name}），可用 chainatlas whatif --scenario {name} 再次运行。")


def body():
    sel = state.selection()
    chains = state.table("chains")
    layout.banner(f"招商组合 · {sel.place_name}",
                  "在全部（或所选）产业链中挑选 k 家区域外企业，使补齐的缺口优先级最高；所在地未知的企业不入选")
    picked, k, weights, key_first, cap, excl, names = controls(chains)
    p = recruit.plan(sel, picked, k, weights, key_first=key_first, cap=cap, exclude_provinces=excl["provinces"],
                     exclude=excl["enterprises"])
    picks = p.picks
    m = st.columns(4)
    m[0].metric("入选企业", len(picks), border=True)
    m[1].metric("覆盖缺口优先级", layout.pct(picks["closed_share"].iloc[-1] if len(picks) else 0.0), border=True)
    m[2].metric("补齐缺链", int(picks["links_closed"].sum()) if len(picks) else 0, border=True)
    m[3].metric("候选企业", p.counts.get("candidates", 0), border=True)
    for n in p.notes:
        st.caption(n)
    if picks.empty:
        st.info("没有可带来增益的企业。")
        return
    st.subheader("招商组合")
    view = picks[list(PICK_COLUMNS)].rename(columns=PICK_COLUMNS)
    st.dataframe(view, hide_index=True, key="zs_plan_table", column_config={
        "增益": st.column_config.NumberColumn(format="%.1f"),
        "累计占组合": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        "累计覆盖缺口": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    st.subheader("覆盖曲线")
    curve = p.curve().set_index("pick")[["value_share", "closed_share"]] \
        .rename(columns={"value_share": "占组合总增益", "closed_share": "覆盖缺口优先级"})
    st.line_chart(curve, x_label="入选企业数", y_label="比例")
    half = picks[picks["value_share"] >= 0.7]
    if len(half):
        st.caption(f"前 {int(half['pick'].iloc[0])} 家企业即可达到本组合 {len(picks)} 家总增益的 70%。"
                   "贪心组合不劣于同规模最优组合的 1 − 1/e（约 63%）。")
    before_after(sel, p, names)


layout.run_page("招商组合", body, caption="招商组合优化：一家企业只算一次，同一环节的第二家企业价值递减。")
