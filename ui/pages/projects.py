"""招商项目: the recruitment projects as a table and a board by stage, filters (chain, link, unit,
stage, overdue next steps), the funnel by chain, and — with editor rights — new projects, stage
moves and the project workbook import. Every figure comes from graph.analysis.project_views."""
import tempfile
from pathlib import Path

import streamlit as st

from graph.errors import ChainAtlasError
from graph.schema import PROJECT_STAGES
from ui import layout, state
from ui import projects as project_ui

TABLE = {"project_id": "编号", "name": "项目", "stage": "阶段", "chain_label": "产业链", "product_label": "环节",
         "enterprise": "目标企业", "unit": "责任单位", "person": "责任人", "investment": "计划投资（万元）",
         "next_step": "下一步", "next_date": "下一步日期", "overdue": "逾期", "landed_on": "落地日期",
         "stop_reason": "终止原因", "flag": "提示", "source": "来源", "as_of": "数据日期"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters():
    chains = state.table("chains")
    names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str)))
    f = st.columns([2, 2, 2, 2, 1.2])
    chain = f[0].selectbox("产业链", [""] + list(names), format_func=lambda c: names.get(c, "全部产业链"),
                           key="pj_chain")
    link = f[1].text_input("环节", key="pj_link", placeholder="编号或名称")
    unit = f[2].text_input("责任单位", key="pj_unit", placeholder="包含…")
    stages = f[3].multiselect("阶段", list(PROJECT_STAGES), key="pj_stage", placeholder="全部阶段")
    overdue = f[4].toggle("逾期", key="pj_overdue", help="下一步日期已过、尚未落地或终止的项目")
    return dict(chain=chain or None, link=link.strip() or None, unit=unit.strip() or None,
                stage=stages or None, overdue=bool(overdue))


def board(df):
    cols = st.columns(len(PROJECT_STAGES))
    for col, stage in zip(cols, PROJECT_STAGES):
        mine = df[df["stage"] == stage]
        col.markdown(f"**{stage}**（{len(mine)}）")
        for r in mine.to_dict("records"):
            with col.container(border=True):
                st.caption(f"{layout.text(r['project_id'])} · {layout.text(r['name'])}")
                st.caption(f"下一步：{layout.text(r['next_step']) or '—'} {layout.text(r['next_date'])}"
                           + ("（逾期）" if r["overdue"] else ""))
                if r["flag"]:
                    st.caption(f"⚠ {layout.text(r['flag'])}")


def funnel_chart(f):
    """Horizontal bars per stage in stage order (线索 at the top), one colour per chain."""
    import altair as alt
    stages = list(PROJECT_STAGES[:6])
    long = f.melt(id_vars="chain", value_vars=stages, var_name="阶段", value_name="项目数")
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("阶段:N", sort=stages, title=None),
        x=alt.X("项目数:Q", title="到达该阶段的项目数", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("chain:N", title="产业链"), yOffset="chain:N", tooltip=["chain", "阶段", "项目数"])


def editor(df_all):
    from graph.analysis.projects import create_project, move_project
    from ui.data_sections import may_edit
    st.subheader("编辑")
    if not may_edit():
        return
    by = project_ui.operator("pj_by")
    move_tab, new_tab, import_tab = st.tabs(["变更阶段", "新建项目", "导入工作簿"])
    with move_tab:
        if df_all.empty:
            st.caption("还没有项目。")
        else:
            ids = df_all["project_id"].tolist()
            label = dict(zip(ids, [f"{i} · {layout.text(n)}（{s}）" for i, n, s in
                                   zip(ids, df_all["name"], df_all["stage"])]))
            pid = st.selectbox("项目", ids, format_func=label.get, key="pj_move_id")
            c = st.columns(3)
            to = c[0].selectbox("新阶段", list(PROJECT_STAGES), key="pj_move_to")
            reason = c[1].text_input("终止原因（转为 已终止 时必填）", key="pj_move_reason")
            landed = c[2].text_input("落地日期（已落地；默认今天）", key="pj_move_landed", placeholder="YYYY-MM-DD")
            c = st.columns(3)
            note = c[0].text_input("说明", key="pj_move_note")
            step = c[1].text_input("新的下一步（可空）", key="pj_move_step")
            date = c[2].text_input("新的下一步日期（可空）", key="pj_move_date", placeholder="YYYY-MM-DD")
            if st.button("变更阶段", key="pj_move_go", type="primary"):
                try:
                    p = move_project(state.store(), pid, to, by=by, note=note or None, reason=reason or None,
                                     landed_on=landed or None, next_step=step or None, next_date=date or None)
                    st.success(f"{p['project_id']} 已变更为“{p['stage']}”。")
                except ChainAtlasError as err:
                    layout.show_error(err)
    with new_tab:
        c = st.columns(3)
        ent = c[0].text_input("目标企业", key="pj_new_ent")
        prod = c[1].text_input("目标环节（编号或名称，多个用 ; 分隔）", key="pj_new_prod")
        try:
            sel = state.selection()
        except ChainAtlasError:   # no chain loaded yet: projects can still be recorded
            sel = None
        region = c[2].text_input("落地区划（代码或名称）", value=sel.place_name if sel else "", key="pj_new_region")
        c = st.columns(4)
        unit = c[0].text_input("责任单位", key="pj_new_unit")
        person = c[1].text_input("责任人", key="pj_new_person")
        step = c[2].text_input("下一步", key="pj_new_step")
        date = c[3].text_input("下一步日期", key="pj_new_date", placeholder="YYYY-MM-DD")
        if st.button("新建项目", key="pj_new_go"):
            fields = {"enterprise": ent.strip() or None, "unit": unit or None, "person": person or None,
                      "products": [x.strip() for x in prod.replace("；", ";").split(";") if x.strip()],
                      "next_step": step or None, "next_date": date or None}
            if sel and sel.place_kind == "park" and region == sel.place_name:
                fields["park"] = sel.place_id
            else:
                fields["region"] = region or None
            try:
                p = create_project(state.store(), fields, by=by)
                st.success(f"已新建 {p['project_id']}：{p['name']}。")
            except ChainAtlasError as err:
                layout.show_error(err)
    with import_tab:
        up = st.file_uploader("项目工作簿（.xlsx，表头见导出）", type=["xlsx"], key="pj_upload")
        if up is not None and st.button("导入（全部成功才写入）", key="pj_import_go"):
            from graph.export.project_book import import_workbook
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / Path(up.name).name
                path.write_bytes(up.getvalue())
                try:
                    c = import_workbook(state.store(), path, by=by)
                    st.success(f"已导入：新增 {c['added']}，更新 {c['changed']}（阶段变更 {c['moved']}），未变 {c['unchanged']}。")
                except ChainAtlasError as err:
                    layout.show_error(err)


def body():
    from graph.analysis.project_views import annotate, funnel, list_projects
    from graph.export.project_book import workbook_bytes
    store = state.store()
    all_projects = annotate(store)
    open_ = all_projects[all_projects["stage"].isin(PROJECT_STAGES[:5])]
    c = st.columns(5)
    c[0].metric("项目", len(all_projects), border=True)
    c[1].metric("在谈", int(all_projects["stage"].isin(["已接洽", "已考察", "洽谈中"]).sum()), border=True)
    c[2].metric("已签约", int((all_projects["stage"] == "已签约").sum()), border=True)
    c[3].metric("已落地", int((all_projects["stage"] == "已落地").sum()), border=True)
    c[4].metric("逾期", int(open_["overdue"].sum()), border=True, help="下一步日期已过的在办项目")
    view = list_projects(store, **filters())
    st.caption(f"符合条件的项目 {len(view)} / {len(all_projects)} 个。")
    table_tab, board_tab, funnel_tab = st.tabs(["表格", "看板", "漏斗"])
    with table_tab:
        shown = view[list(TABLE)].rename(columns=TABLE)
        shown["逾期"] = shown["逾期"].map(lambda v: "逾期" if v else "")
        st.dataframe(shown, hide_index=True, key="pj_table",
                     column_config={"计划投资（万元）": st.column_config.NumberColumn(format="%.0f")})
    with board_tab:
        board(view)
    with funnel_tab:
        f = funnel(store, view)
        st.caption("每个项目计入它到达过的每个阶段（已终止另计）；跨两条产业链的项目两条都计。")
        st.dataframe(f.drop(columns=["chain_id"]).rename(columns={
            "chain": "产业链", "projects": "项目数", "investment_signed": "签约/落地计划投资（万元）"}),
            hide_index=True, key="pj_funnel")
        if len(f):
            st.altair_chart(funnel_chart(f), width="stretch")
    st.download_button("⬇ 导出项目工作簿（招商项目、阶段记录）", data=lambda: workbook_bytes(store),
                       file_name="招商项目.xlsx", mime=XLSX, key="pj_download")
    editor(all_projects)


layout.run_page("招商项目", body, caption="从招商目标到签约落地：线索 → 已接洽 → 已考察 → 洽谈中 → 已签约 → 已落地（或已终止）。")
