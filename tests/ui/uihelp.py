"""Helpers shared by the UI tests (imported after tests/ui is put on sys.path by conftest.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "shanxi"
APP = str(ROOT / "app.py")
TIMEOUT = 90
XSS = "<img src=x onerror=alert(1)>"
XSS_PRODUCT = "<script>alert('p')</script>部件"


def _build_batch():
    spec = importlib.util.spec_from_file_location("chainatlas_tests_conftest", ROOT / "tests" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_batch


def find(at, kind: str) -> list:
    out = []

    def walk(node):
        for ch in getattr(node, "children", {}).values():
            if getattr(ch, "type", None) == kind:
                out.append(ch)
            walk(ch)
    walk(at._tree)
    return out


def no_errors(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def xss_batch():
    build_batch = _build_batch()
    return build_batch(
        regions=[dict(code="140000", name="山西省", level="province", lon=112.55, lat=37.87),
                 dict(code="140100", name="太原市", level="city", parent="140000", lon=112.55, lat=37.87),
                 dict(code="140200", name="大同市", level="city", parent="140000", lon=113.3, lat=40.08),
                 dict(code="320000", name="江苏省", level="province", lon=118.76, lat=32.06),
                 dict(code="320500", name="苏州市", level="city", parent="320000", lon=120.58, lat=31.3)],
        chains=[dict(chain_id="C-X", name="测试链", province="140000")],
        products=[dict(product_id="P1", name="原料"), dict(product_id="P2", name=XSS_PRODUCT),
                  dict(product_id="P3", name="整机"), dict(product_id="P4", name="无人生产件")],
        chain_products=[dict(chain="C-X", product="P1", stage="upstream", segment="材料"),
                        dict(chain="C-X", product="P2", stage="midstream", segment="部件", key_link=True),
                        dict(chain="C-X", product="P4", stage="midstream", segment="部件"),
                        dict(chain="C-X", product="P3", stage="downstream", segment="整机")],
        product_flows=[dict(from_product="P1", to_product="P2"), dict(from_product="P2", to_product="P3"),
                       dict(from_product="P4", to_product="P3")],
        enterprises=[dict(enterprise_id="E1", name=XSS, region="140100", scale="大型", tags=["规上"]),
                     dict(enterprise_id="E2", name="太原整机", region="140100", scale="大型"),
                     dict(enterprise_id="E3", name="苏州部件", region="320500", scale="中型")],
        enterprise_products=[dict(enterprise="E1", product="P1", revenue_share=0.5),
                             dict(enterprise="E2", product="P3", revenue_share=0.9),
                             dict(enterprise="E3", product="P2", revenue_share=0.8)],
        chain_roles=[dict(chain="C-X", enterprise="E2", role="链主")],
    )


_P = {"source": "https://example.gov.cn/notice", "as_of": "2024-04-09"}
SAMPLE_TABLES = {
    "regions": [{"code": "140000", "name": "山西省", "level": "省", **_P},
                {"code": "140800", "name": "运城市", "level": "市", "parent": "山西省", "lon": "111.0", "lat": "35.0", **_P}],
    "chains": [{"chain_id": "SX-NEV", "name": "新能源汽车", "chief_title": "副省长", "province": "山西省", **_P}],
    "products": [{"product_id": "P-BATT", "name": "动力电池", **_P}, {"product_id": "P-CAR", "name": "整车", **_P}],
    "chain_products": [{"chain": "SX-NEV", "product": "动力电池", "stage": "中游", "key_link": "是", **_P},
                       {"chain": "新能源汽车", "product": "P-CAR", "stage": "下游", **_P}],
    "product_flows": [{"from_product": "动力电池", "to_product": "整车", **_P}],
    "enterprises": [{"enterprise_id": "E-DY", "name": "大运汽车股份有限公司", "region": "运城市", "scale": "大型", **_P}],
    "enterprise_products": [{"enterprise": "E-DY", "product": "整车", "revenue_share": "0.6", **_P}],
    "chain_roles": [{"chain": "SX-NEV", "enterprise": "E-DY", "role": "链主", **_P}],
}


def sample_workbook(path, broken: bool = False):
    """A small valid import workbook (or, with ``broken``, one with several cell errors)."""
    import copy

    from openpyxl import Workbook

    from graph import schema
    tables = copy.deepcopy(SAMPLE_TABLES)
    if broken:
        tables["chain_products"][0]["stage"] = "最上游"          # not a stage
        tables["enterprises"][0]["name"] = ""                    # required
        tables["enterprise_products"][0]["product"] = "飞行汽车"  # unknown product
    wb = Workbook()
    wb.remove(wb.active)
    for name in schema.LOAD_ORDER:
        rows = tables.get(name, [])
        ws = wb.create_sheet(name)
        cols = schema.TABLES[name].column_names
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c, "") for c in cols])
    wb.save(path)
    return path


def upload(at, name: str, data: bytes):
    """Drop one file on the 数据 page's load uploader (its key changes after every drop) and run."""
    n = at.session_state["_upload_round"] if "_upload_round" in at.session_state else 0
    at.file_uploader(key="upload" if n == 0 else f"upload_{n}").upload(name, data).run()
    return at


def graph_page(at) -> str:
    """The HTML page the panorama's graph frame shows (ui/graph_frame.py)."""
    import json
    frames = find(at, "bidi_component")
    assert frames, "no graph frame"
    return json.loads(frames[0].proto.json)["html"]
