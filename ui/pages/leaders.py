"""链主对接: per 链主 of the chain, its input products, which are made in the place and which not,
and candidate suppliers for each missing or weak one — the 供需对接清单 (graph.analysis.leader_view)."""
import streamlit as st

from graph.analysis.leader_view import leader_matching
from graph.options import DEFAULT_WEIGHTS
from ui import downloads, layout, state
from ui.urlparams import id_select

TOP = 10          # targets ranked per gap (as on the 缺链补链清单 page); 3 shown per input


def body():
    sel = state.selection()
    layout.banner(f"{sel.chain_name} · {sel.place_name} · 链主供需对接",
                  "链主的上游投入品在本地能否配套；本地没有的，列出外地候选供应商（按招商得分）")
    rep = state.report(sel)
    leaders = rep.leaders
    if leaders.empty:
        st.info("本产业链尚未登记链主企业（chain_roles 表中角色为“链主”的企业），无法生成供需对接清单。"
                "可在“数据”页上传链主名单。")
        return
    targets, _ = state.targets(sel, DEFAULT_WEIGHTS, TOP)
    matching = leader_matching(rep, targets, per_input=3)
    ids = leaders["enterprise_id"].astype(str).tolist()
    names = dict(zip(ids, leaders["name"].map(layout.text)))
    leader = id_select(st, "链主", ids, key="leader", name=names.get, what="链主")
    row = leaders[leaders["enterprise_id"].astype(str) == leader].iloc[0]
    mine = matching[matching["leader_id"].astype(str) == leader]
    where = "本地" if bool(row["is_local"]) else "外地（不在所选地区）"
    st.caption(f"{names[leader]}：{where}；本链产品 {layout.text(row['products']) or '未登记'}；"
               f"来源 {layout.text(row['source'])}（{layout.text(row['as_of'])}）")
    c = st.columns(4)
    c[0].metric("上游投入品", len(mine), border=True)
    c[1].metric("本地有", int(mine["status"].isin(["covered", "weak"]).sum()), border=True,
                help="其中偏弱（弱链）的也计入，见表中“本地能否配套”")
    c[2].metric("本地无", int((mine["status"] == "missing").sum()), border=True)
    c[3].metric("未知（无数据）", int((mine["status"] == "no_data").sum()), border=True,
                help="数据中没有任何生产企业的投入品：无法判断本地有无，不作结论")
    if mine.empty:
        st.info("该链主未登记本链产品，或其产品没有上游投入品，无法列出投入品。")
        return
    cols = {"stage_cn": "阶段", "input": "投入品", "verdict": "本地能否配套", "local_suppliers": "本地供应企业",
            "candidates": "候选供应商（外地，按得分）", "advice": "对接建议"}
    st.dataframe(mine[list(cols)].rename(columns=cols), hide_index=True, key="matching_table", width="stretch",
                 height=36 * (len(mine) + 1) + 4,
                 column_config={"阶段": st.column_config.TextColumn(width=56),
                                "投入品": st.column_config.TextColumn(width=120),
                                "本地能否配套": st.column_config.TextColumn(width=110),
                                "本地供应企业": st.column_config.TextColumn(width="medium"),
                                "候选供应商（外地，按得分）": st.column_config.TextColumn(width="large"),
                                "对接建议": st.column_config.TextColumn(width="medium")})
    st.caption("候选供应商来自“缺链补链清单”的招商目标排序（每个投入品列前 3 名）；本地供应企业括号内为规模与标签。")
    downloads.matching_button(sel, DEFAULT_WEIGHTS, TOP)


layout.run_page("链主供需对接", body, caption="供需对接清单：可直接交给链主企业，对接本地供应商或引进外地配套。")
