"""The 数据 page's uploads: one table at a time merges into what is loaded, Chinese headers, the
ask-which-table flow for a CSV named otherwise, and re-dropping a file replaces it."""
from __future__ import annotations

from uihelp import no_errors, upload

PRODUCTS_CN = "产品编号,产品名称,别名,来源,数据日期\nP-BATT,动力电池系统,锂电池,https://x.gov.cn,2024-05\n" \
              "P-MOTOR,驱动电机,,https://x.gov.cn,2024-05\n"


def _counts(at) -> dict:
    return {m.label: m.value for m in at.metric}


def _table(at, column: str):
    """The first table shown with ``column`` (AppTest does not always report a dataframe's key)."""
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    return hits[0] if hits else None


def _plan(at) -> dict:
    df = _table(at, "新增")
    return df.set_index("表")[["新增", "修改"]].to_dict("index")


def test_one_csv_with_chinese_headers_merges(loaded_env):
    at = loaded_env
    before = _counts(at)
    upload(at, "products.csv", PRODUCTS_CN.encode("utf-8"))
    no_errors(at)
    plan = _plan(at)
    assert plan["products"] == {"新增": 1, "修改": 1}
    assert sum(v["新增"] + v["修改"] for t, v in plan.items() if t != "products") == 0
    at.button(key="load_go").click().run()
    no_errors(at)
    after = _counts(at)
    assert after["产品/环节"] == "3" and after["企业"] == before["企业"] == "1"
    assert after["产业链"] == before["产业链"]


def test_an_xlsx_with_only_an_enterprises_sheet(loaded_env, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["企业编号", "企业名称", "所在地区", "规模", "来源", "数据日期"])
    ws.append(["E-NEW", "运城新电池有限公司", "运城市", "中型", "https://x.gov.cn", "2024"])
    wb.save(tmp_path / "企业.xlsx")
    at = loaded_env
    upload(at, "企业.xlsx", (tmp_path / "企业.xlsx").read_bytes())
    no_errors(at)
    assert _plan(at)["enterprises"]["新增"] == 1
    at.button(key="load_go").click().run()
    assert _counts(at)["企业"] == "2" and _counts(at)["产业链"] == "1"


def test_a_csv_named_otherwise_asks_which_table(loaded_env):
    at = loaded_env
    upload(at, "产品表.csv", PRODUCTS_CN.encode("utf-8"))
    no_errors(at)
    ask = at.selectbox(key="table_of_产品表.csv")
    assert "产品/环节" in ask.placeholder                    # guessed from its header
    assert _table(at, "新增") is None                        # nothing checked before the answer
    ask.select("products").run()
    no_errors(at)
    assert _plan(at)["products"]["新增"] == 1


def test_problems_name_the_users_file_in_chinese(loaded_env):
    at = loaded_env
    upload(at, "产品.csv", "产品编号,产品名称,来源\nP-X,,s\n".encode("utf-8"))
    problems = _table(at, "修改建议 fix")
    assert set(problems["文件 file"]) == {"产品.csv"}
    assert "产品名称（name）" in set(problems["列 column"]) and "数据日期（as_of）" in set(problems["列 column"])
    assert not any("chainatlas-" in str(v) for v in problems.to_numpy().ravel())
    assert all(str(v) != "None" for v in problems.to_numpy().ravel())
    upload(at, "产品.csv", PRODUCTS_CN.encode("utf-8"))      # fixed and dropped again
    no_errors(at)
    assert len([b for b in at.button if b.key and b.key.startswith("tray_remove_")]) == 1
    assert _plan(at)["products"]["新增"] == 1
