"""产业链全景图: the layered chain graph coloured by status, and the chosen link's details."""
import streamlit as st

from graph.schema import region_label

from ui import layout, state
from ui.layout import coverage_range
from ui import projects as project_ui
from ui.graph_frame import graph_frame
from ui.panorama import AGGREGATE_AT, panorama, status_key
from ui.urlparams import id_select

CLICKED = "_pano_clicked"


def link_details(sel, rep, pid):
    row = rep.links.set_index("product_id").loc[pid]
    status = status_key({"status": row["status"], "broken": row["broken"]})
    info, local_col, target_col = st.columns([2, 3, 4], gap="small")
    with info:
        st.markdown(f"**{'★ ' if bool(row['key_link']) else ''}{layout.text(row['name'])}**　"
                    f"{layout.text(row['stage_cn'])} · {layout.text(row['segment']) or '—'}")
        colour = {"covered": "green", "weak": "orange", "missing": "red", "broken": "red",
                  "unverified": "blue"}.get(status, "gray")
        st.badge(layout.text(row["label"]), color=colour)
        st.metric("本地生产企业", "无数据" if status == "no_data" else f"{int(row['local_makers'])} 家",
                  f"数据中共 {int(row['makers_total'])} 家", delta_color="off", border=True)
        if status == "no_data":
            st.info("无数据：数据中没有任何企业生产该产品。这不代表本地缺失，请补充该环节的企业数据。")
        elif status == "unverified":
            st.info(f"待核实：{int(row['unknown_makers'])} 家生产企业所在地未知（{layout.text(row['unknown_maker_names'])}），"
                    "可能就在本地。这不是缺口；请核实其所在地（见“缺链补链清单”页的核实清单）。")
        st.caption(f"判定：{layout.text(row['reason'])}")
        if layout.text(row["upstream"]) or layout.text(row["downstream"]):
            st.caption(f"上游：{layout.text(row['upstream']) or '—'}；下游：{layout.text(row['downstream']) or '—'}")
    local = rep.makers[rep.makers["link_id"].astype(str) == pid] if len(rep.makers) else rep.makers
    with local_col:
        st.markdown(f"###### 本地生产企业（{len(local)} 家）")
        if len(local):
            tree = state.tree()
            view = local.assign(地区=[region_label(tree.name(r), s) for r, s in zip(
                                    local["region"], local.get("region_source", [None] * len(local)))],
                                标签=local["tags"].map(layout.text),
                                园区=local["park"].map(lambda p: layout.text((tree.park(p) or {}).get("name"))))
            st.dataframe(view[["name", "地区", "园区", "scale", "标签", "revenue_share", "as_of"]].rename(columns={
                "name": "企业", "scale": "规模", "revenue_share": "营收占比", "as_of": "数据日期"}),
                hide_index=True, key="pano_local")
        else:
            st.caption("无数据（数据中没有任何生产企业）。" if status == "no_data" else
                       f"本地暂无已知的生产企业；{int(row['unknown_makers'])} 家所在地待核实。" if status == "unverified"
                       else "本地没有该环节的生产企业。")
    with target_col:
        st.markdown("###### 招商目标（区域外，前 10）")
        tg, notes = state.targets(sel, products=[pid])
        if len(tg):
            st.dataframe(tg[["rank", "name", "score", "reason", "province_name"]].rename(columns={
                "rank": "名次", "name": "企业", "score": "得分", "reason": "理由", "province_name": "省份"}),
                hide_index=True, key="pano_targets", width="stretch",
                column_config={"名次": st.column_config.NumberColumn(width=40),
                               "企业": st.column_config.TextColumn(width=150),
                               "得分": st.column_config.NumberColumn(format="%.1f", width=48),
                               "理由": st.column_config.TextColumn(width=190, help="悬停查看完整理由"),
                               "省份": st.column_config.TextColumn(width=80)})
        for n in notes:
            st.caption(n)
        gp = project_ui.gap_projects(rep).set_index("product_id")
        if pid in gp.index and gp.at[pid, "project_label"]:
            st.caption(f"招商项目：{layout.text(gp.at[pid, 'project_label'])}")
        project_ui.lead_action(tg, rep, key="pano")


def body():
    sel = state.selection()
    rep = state.report(sel)
    s = rep.summary
    chief = " ".join(layout.text(rep.chain.get(k)) for k in ("chief_title", "chief")).strip()
    layout.banner(sel.title, f"链长：{chief}" if layout.text(rep.chain.get("chief")) else "")
    c = st.columns(7)
    c[0].metric("本地配套率", layout.pct(s["local_rate"]), help="有本地企业的环节 ÷ 有数据的环节", border=True,
                delta=coverage_range(s), delta_color="off")
    c[1].metric("关键环节加权配套率", layout.pct(s["key_weighted_rate"]), border=True,
                delta=coverage_range(s, "key_weighted_rate"), delta_color="off")
    c[2].metric("缺链", s["missing"], border=True)
    c[3].metric("弱链", s["weak"], border=True)
    c[4].metric("断链", s["broken"], border=True)
    c[5].metric("待核实", s.get("unverified", 0), border=True,
                help="取决于所在地未知的生产企业的环节：不是缺口，核实所在地后即可判定")
    c[6].metric("无数据", s["no_data"], help="数据中没有任何生产企业的环节（不计为缺链）", border=True)
    if rep.links.empty:
        st.warning("该产业链还没有环节（chain_products 为空）。")
        return
    links = rep.links
    ids = links["product_id"].astype(str).tolist()
    label = {p: f"{'★ ' if k else ''}{n} · {lb}" for p, n, k, lb in
             zip(ids, links["name"].map(layout.text), links["key_link"].fillna(False), links["label"].map(layout.text))}
    graph_slot = st.container()
    with st.container(border=True):
        st.subheader("环节详情：本地企业与招商目标")
        gaps = rep.gaps()
        default = ids.index(str(gaps["product_id"].iloc[0])) if len(gaps) else 0
        clicked = st.session_state.pop(CLICKED, None)
        if clicked in ids:
            st.session_state["link"] = clicked          # a node clicked in the graph
        names = dict(zip(ids, links["name"].map(layout.text)))
        pid = id_select(st, "选择环节（选中的环节在图中以橙色高亮）", ids, index=default, format_func=label.get,
                        key="link", name=names.get, what="环节")
        link_details(sel, rep, pid)
    with graph_slot:
        fig = panorama(links, selected=pid)
        if fig.aggregated:
            st.info(f"该产业链共 {len(links)} 个环节（超过 {AGGREGATE_AT} 个），图中按环节分类汇总显示；"
                    "单个环节请在下方选择或到“缺链补链清单”页查看。")
        node = graph_frame(fig.html, fig.height, key="pano_graph", title="产业链全景图")
        if node in ids and node != pid:
            st.session_state[CLICKED] = node
            st.rerun()
        d = rep.data
        st.caption("；".join([*rep.notes, f"数据日期 {layout.text(d.get('as_of_min'))} – "
                              f"{layout.text(d.get('as_of_max'))}，事实 {d.get('facts', 0)} 条，"
                              f"其中示意数据 {d.get('illustrative_facts', 0)} 条"]))


layout.run_page("产业链全景图", body, caption="按上游 → 中游 → 下游分层；颜色表示配套状态，★ 为关键环节。")
