"""招商项目 helpers shared by pages (#16): the "create lead" action from a target, and the project
counts per gap. Editing needs editor rights, the same rule as data loading
(:func:`ui.data_sections.may_edit`, CHAINATLAS_EDITING).

Any page showing targets can offer the action: ``lead_action(targets_frame, report, key="gap")``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.errors import ChainAtlasError
from ui import layout, state

BY_KEY = "_projects_by"   # the operator name, remembered for the session


def operator(key: str) -> str:
    """A text box for who is acting (kept for the session); the history records it."""
    by = st.text_input("操作人", value=st.session_state.get(BY_KEY, ""), key=key,
                       help="记入项目的阶段记录（谁、何时、从何阶段到何阶段）。")
    st.session_state[BY_KEY] = by
    return by.strip()


def lead_action(targets: pd.DataFrame, report, key: str) -> None:
    """An expander to create a lead (招商线索) from one of ``targets`` (TARGET_COLUMNS rows),
    prefilled with the enterprise, gap link, chain and place of ``report``."""
    from ui.data_sections import may_edit
    with st.expander("从招商目标创建招商线索", expanded=False, icon=":material/add_task:"):
        if targets is None or targets.empty:
            st.caption("没有可选的招商目标。")
            return
        if not may_edit():
            return
        rows = targets.reset_index(drop=True)
        labels = {i: f"{r['rank']}. {layout.text(r['name'])}（{layout.text(r['gap_product'])}）"
                  for i, r in rows.iterrows()}
        i = st.selectbox("招商目标", list(labels), format_func=labels.get, key=f"{key}_lead_target")
        c = st.columns(3)
        unit = c[0].text_input("责任单位", key=f"{key}_lead_unit")
        person = c[1].text_input("责任人", key=f"{key}_lead_person")
        with c[2]:
            by = operator(f"{key}_lead_by")
        if st.button("创建招商线索", key=f"{key}_lead_create", type="primary"):
            from graph.analysis.projects import create_project, draft_from_target
            try:
                p = create_project(state.store(), draft_from_target(rows.loc[i].to_dict(), report,
                                                                    unit=unit or None, person=person or None), by=by)
            except ChainAtlasError as err:
                layout.show_error(err)
                return
            st.success(f"已创建招商线索 {p['project_id']}：{p['name']}（阶段：线索）。到“招商项目”页跟进。")


def project_token(store=None) -> str:
    """Changes whenever a project is saved (the 清单 download includes the 招商项目 sheet)."""
    store = store if store is not None else state.store()
    df = store.projects()
    return f"{len(df)}:{df['updated_at'].max() if len(df) else ''}:{len(store.project_history())}"


def gap_projects(report) -> pd.DataFrame:
    """graph.analysis.project_gaps.gap_projects for the report (not cached: projects change often)."""
    from graph.analysis.project_gaps import gap_projects as compute
    return compute(state.store(), report)


def coverage_notes(gp: pd.DataFrame) -> None:
    """What landed projects mean for coverage, said plainly (never assumed)."""
    notes = [n for n in gp["coverage_note"] if n]
    if notes:
        st.caption("已落地项目：" + "；".join(layout.text(n) for n in notes)
                   + "。规则：已落地项目仅在该企业的生产关系（企业-产品）已载入、且引擎认定其为本地企业时，"
                     "才从落地日期起计为本地配套；否则环节状态按数据判定，不作假定。")
