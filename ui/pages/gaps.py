"""缺链补链清单: the gaps with grade, reason and priority parts; ranked recruitment targets."""
import streamlit as st

from graph.options import DEFAULT_WEIGHTS, Weights
from graph.analysis.gap_summary import coverage_text
from ui import downloads, layout, state
from ui import projects as project_ui
from ui.urlparams import id_select

GAP_COLUMNS = {"grade": "等级", "name": "环节", "stage_cn": "阶段", "segment": "细分领域", "label": "状态",
               "project_label": "招商项目",
               "key_link": "关键环节", "priority": "优先级", "reason": "原因", "local_makers": "本地企业",
               "makers_total": "全部企业", "p_status": "状态分", "p_broken": "断链分", "p_key": "关键分",
               "p_demand": "本地需求分", "p_leaders": "链主需求分", "p_centrality": "中心度分"}
WEIGHT_SLIDERS = [("leader", "链主", 0, 40), ("listed", "上市", 0, 30), ("fortune500", "500强", 0, 30),
                  ("little_giant", "小巨人", 0, 30), ("specialised", "专精特新", 0, 30), ("scale", "企业规模", 0, 30),
                  ("revenue", "营业收入", 0, 30), ("product_share", "产品营收占比", 0, 30),
                  ("distance", "距离近", 0, 40), ("same_province", "同省", 0, 30), ("neighbour_province", "邻省", 0, 30),
                  ("supplies_local", "已向本地供货", 0, 30), ("supplies_leader", "已向本地链主供货", 0, 30)]


def weights_panel() -> tuple[Weights, int]:
    with st.expander("招商评分权重（分值越高越优先）", expanded=False):
        cols = st.columns(4)
        values = {}
        for i, (field, label, lo, hi) in enumerate(WEIGHT_SLIDERS):
            values[field] = float(cols[i % 4].slider(label, lo, hi, int(getattr(DEFAULT_WEIGHTS, field)),
                                                      key=f"w_{field}", bind="query-params"))
        values["eastern_transfer"] = cols[1].toggle("优先东部产业转移", value=False, key="w_eastern", bind="query-params")
        top = cols[2].slider("每个缺口的目标数", 3, 30, 10, key="top", bind="query-params")
    return DEFAULT_WEIGHTS.with_(**values), int(top)


VERIFY_COLUMNS = {"rank": "序号", "name": "企业", "region_name": "已知地区", "why": "待核实原因",
                  "key_links": "关键环节", "links": "环节", "link_names": "可核实的环节"}


def verify_section(sel, rep):
    """待核实 links and the 核实清单 (whose location to check first), with the fill-in workbook."""
    unverified = rep.links[rep.links["status"] == "unverified"]
    if unverified.empty:
        return
    st.subheader(f"待核实环节（{len(unverified)}）")
    st.caption("这些环节取决于所在地未知的生产企业（无地区、地区代码不在区划表，或只登记到上级区划），"
               "不计为缺链或弱链，也不给出招商目标。核实下列企业的所在地并重新导入后，状态即更新。")
    st.dataframe(unverified[["name", "stage_cn", "local_makers", "unknown_makers", "reason"]].rename(columns={
        "name": "环节", "stage_cn": "阶段", "local_makers": "本地已知", "unknown_makers": "所在地待核实",
        "reason": "原因"}), hide_index=True, key="unverified_table",
        column_config={"原因": st.column_config.TextColumn(width="large")})
    v = state.verify(sel)
    st.markdown(f"###### 核实清单（{len(v)} 家，按可核实的环节数排序，关键环节加权）")
    st.dataframe(v[list(VERIFY_COLUMNS)].rename(columns=VERIFY_COLUMNS), hide_index=True, key="verify_table")
    st.download_button("下载回填工作簿（填写 region 后在“数据”页导入）", state.fill_in_workbook(sel),
                       file_name=downloads.safe_name(f"核实清单_{sel.chain_name}_{sel.place_name}") + ".xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="verify_download")


def body():
    sel = state.selection()
    rep = state.report(sel)
    s = rep.summary
    layout.banner(sel.title, "缺链 = 数据中有生产企业但本地没有；弱链 = 本地有但不足；断链 = 上下游本地都有而本环节缺/弱；"
                  "待核实 = 取决于所在地未知的企业，不是缺口")
    c = st.columns(6)
    c[0].metric("紧急", s["urgent"], border=True)
    c[1].metric("重要", s["important"], border=True)
    c[2].metric("缺链", s["missing"], border=True)
    c[3].metric("弱链", s["weak"], border=True)
    c[4].metric("断链", s["broken"], border=True)
    c[5].metric("待核实", s.get("unverified", 0), border=True, help="取决于所在地未知的生产企业的环节，不计为缺链")
    st.caption(f"本地配套率 {coverage_text(s)} · 关键环节加权 {coverage_text(s, 'key_weighted_rate')}")

    gp = project_ui.gap_projects(rep)
    gaps = rep.gaps().merge(gp[["product_id", "project_label"]], on="product_id", how="left")
    f = st.columns([2, 2, 2, 1])
    stages = f[0].multiselect("阶段", ["上游", "中游", "下游"], key="f_stage", bind="query-params", placeholder="全部阶段")
    statuses = f[1].multiselect("状态", ["缺链", "弱链", "断链"], key="f_status", bind="query-params", placeholder="全部状态")
    grades = f[2].multiselect("等级", ["紧急", "重要", "一般"], key="f_grade", bind="query-params", placeholder="全部等级")
    key_only = f[3].toggle("仅关键环节", key="f_key", bind="query-params")
    view = gaps
    if stages:
        view = view[view["stage_cn"].isin(stages)]
    if statuses:
        broken = "断链" in statuses
        plain = [x for x in statuses if x != "断链"]
        view = view[view["status_cn"].isin(plain) | (view["broken"].astype(bool) if broken else False)]
    if grades:
        view = view[view["grade"].isin(grades)]
    if key_only:
        view = view[view["key_link"].fillna(False).astype(bool)]
    st.subheader(f"缺口清单（{len(view)} / {len(gaps)}）")
    table = view[list(GAP_COLUMNS)].rename(columns=GAP_COLUMNS)
    st.dataframe(table, hide_index=True, key="gap_table", height=min(720, 35 * (len(table) + 1) + 4), column_config={
        "优先级": st.column_config.ProgressColumn(format="%.1f", min_value=0, max_value=100),
        "原因": st.column_config.TextColumn(width="large")})
    project_ui.coverage_notes(gp)
    no_data = rep.links[rep.links["status"] == "no_data"]
    if len(no_data):
        st.caption(f"另有 {len(no_data)} 个环节无数据（数据中没有任何生产企业，不计为缺链）："
                   + "、".join(no_data["name"].map(layout.text)))
    verify_section(sel, rep)

    st.subheader("招商目标")
    weights, top = weights_panel()
    include_unverified = st.checkbox("列入所在地待核实的企业（可能就在本地，标注“待核实”）", key="t_unverified",
                                     bind="query-params")
    if view.empty:
        st.info("筛选条件下没有缺口环节。")
    else:
        ids = view["product_id"].astype(str).tolist()
        names = dict(zip(ids, [f"{g} · {n} · {lb}" for g, n, lb in zip(view["grade"], view["name"], view["label"])]))
        plain = dict(zip(ids, view["name"].map(layout.text)))
        pid = id_select(st, "缺口环节", ids, format_func=names.get, key="gap", name=plain.get, what="缺口环节")
        tg, notes = state.targets(sel, weights, top, products=[pid], include_unverified=include_unverified)
        cols = {"rank": "名次", "name": "企业", "location": "位置", "score": "得分", "reason": "理由",
                "province_name": "省份",
                "region_name": "所在地", "scale": "规模", "tags": "标签", "role": "链主/链核", "distance_km": "距离(km)",
                "s_role_tags": "身份标签分",
                "s_scale": "规模分", "s_revenue": "营收分", "s_share": "占比分", "s_distance": "距离分",
                "s_province": "省份分", "s_transfer": "转移分", "s_ties": "供货关系分", "source": "来源",
                "as_of": "数据日期"}
        st.dataframe(tg[list(cols)].rename(columns=cols), hide_index=True, key="target_table",
                     column_config={"得分": st.column_config.NumberColumn(format="%.1f"),
                                    "理由": st.column_config.TextColumn(width="large")})
        for n in notes:
            st.caption(n)
        project_ui.lead_action(tg, rep, key="gap")
    st.subheader("下载清单")
    st.caption("清单包含：说明、汇总、缺口清单、招商目标（按上方权重）、本地企业、招商项目、核实清单。")
    downloads.buttons(sel, weights, top)


layout.run_page("缺链补链清单", body, caption="按优先级排序的缺链、弱链；每个缺口给出区域外可招引的企业及理由。")
