"""数据: what is loaded and from where; the template; imports (only when editing is allowed)."""
import streamlit as st

from ui import data_sections as ds
from ui import layout, state


def body():
    st.subheader("当前数据")
    seeded = state.atlas().seeded
    if seeded is not None:
        st.caption(f"本次启动时图谱为空，已自动载入内置种子数据（{state.seed_label()}，{seeded.added} 条记录；"
                   "标为“示意”的记录没有公开来源）。")
    ds.current_data()

    st.subheader("导入模板")
    st.caption("模板每张表一页，“说明”页列出每一列的含义、是否必填与示例。")
    st.download_button("⬇ 下载导入模板（.xlsx）", data=ds.template_bytes(), file_name="ChainAtlas导入模板.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="template_download")

    st.subheader("导入数据")
    if not ds.may_edit():
        return
    ds.guarded(ds.load_section)
    st.subheader("其他数据源")
    with st.expander("产业链知识图谱（ChainKnowledgeGraph）导入"):
        ds.guarded(ds.ckg_section)
    with st.expander("企业名录导入与产品标注审核"):
        ds.guarded(ds.registry_section)
    with st.expander("从产品流向起草产业链"):
        ds.guarded(ds.draft_section)


layout.run_page("数据管理", body, caption="所有导入先校验、再预览，确认后才写入。")
