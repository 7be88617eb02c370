"""The sidebar: chain, place (province → city → county → park), thresholds and 飞地 toggle.

Every widget is bound to a URL query parameter (the widget key is the parameter name), so the
address bar always holds the current choice and a copied link opens the same view. The chain and
place parameters hold ids (``?chain=SX-NEV&city=140800``, see :mod:`ui.urlparams`); names typed
into a link work too, and an unknown value shows a notice instead of silently opening another.

Other pages change a choice through :func:`request`, applied here before the widgets are drawn
on the next run (a widget's state cannot change once it is drawn).
"""
from __future__ import annotations

import streamlit as st

from graph.options import DEFAULT_THRESHOLDS, Thresholds
from ui import state
from ui.first_page import DEFAULT_ENCLAVE, province_order
from ui.urlparams import id_select

PENDING = "_sidebar_pending"
ALL = ""                     # the "whole region / no park" option of the cascade
THRESHOLD_KEYS = {"min_makers": "min_makers", "min_large": "min_large", "min_share": "min_revenue_share",
                  "key_weight": "key_weight"}


def request(**choices) -> None:
    """Ask the sidebar to select e.g. ``chain="SX-NEV"`` on the next run."""
    st.session_state.setdefault(PENDING, {}).update(choices)


def keep_query() -> dict:
    """The current query parameters, for ``st.switch_page(..., query_params=keep_query())`` (without
    it a page switch clears them). Bound parameters cannot be changed here: use :func:`request`."""
    return st.query_params.to_dict()


def _apply_pending() -> None:
    pending = st.session_state.pop(PENDING, None) or {}
    for key, value in pending.items():
        st.session_state[key] = value


def _reset_thresholds() -> None:
    d = DEFAULT_THRESHOLDS
    st.session_state.update(min_makers=d.min_makers, min_large=d.min_large, min_share=d.min_revenue_share,
                            key_weight=d.key_weight, enclave=DEFAULT_ENCLAVE)


def offer_reference_regions(where) -> None:
    """One button that loads the bundled national region reference (31 省级, 333 地级)."""
    if where.button("载入全国行政区划（内置参考表）", key="load_reference_regions", type="primary"):
        from loaders.reference_regions import load_reference
        report = load_reference(state.store())
        state.bump()
        st.session_state["_reference_loaded"] = report.added
        st.rerun()


def render() -> state.Selection | None:
    """Draw the sidebar; return the resolved selection (None when the atlas has no chain)."""
    _apply_pending()
    sb = st.sidebar
    chains = state.table("chains")
    if chains.empty:
        sb.warning("图谱中还没有产业链。请到“数据”页导入。")
        return None
    names = dict(zip(chains["chain_id"].astype(str), chains["name"].astype(str)))
    chain_ids = list(names)
    sb.markdown("#### 产业链")
    chain_id = id_select(sb, "产业链", chain_ids, key="chain", name=names.get, what="产业链",
                         label_visibility="collapsed")

    tree = state.tree()
    provinces = province_order(chains, tree)
    if not provinces:
        sb.warning(f"尚未载入行政区划（regions 表），无法选择地区；图谱中已有 {len(chains)} 条产业链。")
        offer_reference_regions(sb)
        return None
    sb.markdown("#### 地区与园区")
    province = id_select(sb, "省", provinces, key="province", name=tree.name, what="省份")
    cities = [ALL] + tree.children(province)
    city = id_select(sb, "市", cities, key="city", name=lambda c: "（全省）" if c == ALL else tree.name(c),
                     what="城市", default=ALL, disabled=len(cities) == 1)
    county = ALL
    if city:
        counties = [ALL] + tree.children(city)
        county = id_select(sb, "县区", counties, key="county", what="县区", default=ALL,
                           name=lambda c: "（全市）" if c == ALL else tree.name(c), disabled=len(counties) == 1)
    else:
        st.query_params.pop("county", None)
    region = county or city or province
    inside = tree.descendants(region)
    parks = [ALL] + sorted(pid for pid, p in tree.parks.items()
                           if str(p.get("region")) in inside or str(p.get("counted_for")) in inside)
    park = id_select(sb, "园区", parks, key="park", what="园区", default=ALL, disabled=len(parks) == 1,
                     name=lambda p: "（不限园区）" if p == ALL else str(tree.parks[p].get("name") or p))

    with sb.expander("判定阈值与口径", expanded=False):
        d = DEFAULT_THRESHOLDS
        mk = st.slider("弱链：本地企业少于（家）", 1, 10, d.min_makers, key="min_makers", bind="query-params",
                       help="本地生产企业少于此数即为弱链；设为 1 关闭此规则。")
        ml = st.slider("弱链：规上或大中型企业少于（家）", 0, 5, d.min_large, key="min_large", bind="query-params",
                       help="设为 0 关闭此规则。")
        ms = st.slider("弱链：本地企业该产品营收占比合计低于", 0.0, 1.0, d.min_revenue_share, step=0.05,
                       key="min_share", bind="query-params", help="仅当本地企业占比均已知时判断；设为 0 关闭此规则。")
        kw = st.slider("关键环节在加权配套率中的权重", 1.0, 5.0, d.key_weight, step=0.5, key="key_weight",
                       bind="query-params")
        enclave = st.toggle("飞地园区按统计归属地计入", value=DEFAULT_ENCLAVE, key="enclave", bind="query-params",
                            help="开：飞地园区的企业计入其统计归属地；关：按实际所在地计入。")
        st.button("恢复默认", on_click=_reset_thresholds, key="reset_thresholds")

    thresholds = Thresholds(min_makers=int(mk), min_large=int(ml), min_revenue_share=float(ms), key_weight=float(kw))
    if park:
        place = {"id": park, "name": str(tree.parks[park].get("name") or park), "kind": "park",
                 "region": str(tree.parks[park].get("region") or region)}
    else:
        place = {"id": region, "name": tree.name(region), "kind": "region", "region": region}
    sel = state.Selection(chain_id=chain_id, chain_name=names.get(chain_id, chain_id), place_id=place["id"],
                          place_name=place["name"], place_kind=place["kind"], region_code=place["region"],
                          province=province, thresholds=thresholds, enclave=bool(enclave))
    sb.caption(f"当前：{sel.chain_name} · {sel.place_name}")
    return sel
