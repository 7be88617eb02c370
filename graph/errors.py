"""Every error ChainAtlas raises on purpose.

Faces (CLI, Streamlit pages) catch :class:`ChainAtlasError` and show ``str(err)``
plus ``err.hint``; anything else is a bug and may show a traceback in logs only.

>>> try:
...     raise NotFound("产业链", "新能原汽车", candidates=["新能源汽车"])
... except ChainAtlasError as err:
...     print(err); print(err.hint)
未找到产业链“新能原汽车”
您是不是要找：新能源汽车
"""
from __future__ import annotations

from dataclasses import dataclass


class ChainAtlasError(Exception):
    """Base class. ``hint`` says what the user can do about it."""

    hint: str = ""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        if hint:
            self.hint = hint


VALUE_SHOWN = 120   # characters of an offending value kept in a problem


@dataclass(frozen=True)
class InputProblem:
    """One problem in an input file, precise enough to fix without guessing."""

    file: str
    sheet: str          # table name (sheet in a workbook, file stem for CSV)
    row: int | None     # 1-based row as the user sees it in Excel (header is row 1); None = whole sheet
    column: str | None  # column header; None = whole row / sheet
    value: str          # the offending value, as text ('' when missing)
    message: str        # what is wrong (Chinese first, English ok)
    fix: str            # how to fix it

    def __post_init__(self):    # a 50,000-character cell is shown by its start
        if isinstance(self.value, str) and len(self.value) > VALUE_SHOWN:
            object.__setattr__(self, "value", self.value[:VALUE_SHOWN] + f"…（共 {len(self.value):,} 字 chars）")

    def location(self) -> str:
        """Where, as a person looks for it: ``文件 data.xlsx，表 企业，第 3 行，列 scale``."""
        parts = [f"文件 {self.file}"]
        if self.sheet:
            parts.append(f"表 {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列 {self.column}")
        return "，".join(parts)

    def __str__(self) -> str:
        val = f"（值：{self.value}）" if self.value != "" else ""
        return f"{self.location()}：{self.message}{val} — 修改建议：{self.fix}"

    def as_dict(self) -> dict:
        return {
            "file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
            "value": self.value, "message": self.message, "fix": self.fix,
        }


class ValidationFailed(ChainAtlasError):
    """Input did not validate; nothing was written. ``problems`` lists them — capped to the first
    few per column and kind when the input has very many; ``omitted`` counts the rest as
    ``{"file", "sheet", "column", "message", "count"}`` dicts, and ``total`` is all of them."""

    hint = "按每条问题的修改建议改好后重新载入。Fix every listed problem and load again."

    def __init__(self, problems: list[InputProblem], source: str = "", omitted: list[dict] | None = None):
        self.problems = list(problems)
        self.omitted = list(omitted or [])
        n = self.total = len(self.problems) + sum(o["count"] for o in self.omitted)
        where = f"{source}：" if source else ""
        shown = f"，下面列出前 {len(self.problems):,} 处" if self.omitted else ""
        super().__init__(f"{where}发现 {n:,} 处问题{shown}，未写入任何数据"
                         f"（{n:,} problem{'s' if n != 1 else ''} found; nothing was written）")

    def omitted_lines(self) -> list[str]:
        """One line per kind of problem not listed: where, what, how many."""
        out = []
        for o in self.omitted:
            where = [f"文件 {o['file']}"] + ([f"表 {o['sheet']}"] if o["sheet"] else []) \
                + ([f"列 {o['column']}"] if o["column"] else [])
            out.append(f"… 另有 {o['count']:,} 个同类问题：{'，'.join(where)}：{o['message']}")
        return out

    def report(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [str(self)] + [f"  - {p}" for p in shown]
        if limit is not None and len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        lines += [f"  {line}" for line in self.omitted_lines()]
        return "\n".join(lines)


class NotFound(ChainAtlasError):
    """A chain, product, region, park or enterprise name/id that does not exist."""

    def __init__(self, kind: str, name: str, candidates: list[str] | None = None):
        self.kind, self.name = kind, name
        self.candidates = list(candidates or [])
        hint = ("您是不是要找：" + "、".join(self.candidates)) if self.candidates else \
            "Run `chainatlas stats` or open the app's 数据 page to see what is loaded."
        super().__init__(f"未找到{kind}“{name}”", hint)


class Ambiguous(ChainAtlasError):
    """A name that matches more than one node; the user must pick an id."""

    def __init__(self, kind: str, name: str, candidates: list[str]):
        self.kind, self.name, self.candidates = kind, name, list(candidates)
        super().__init__(f"{kind}“{name}”有多个匹配", "请改用编号（id）之一：" + "、".join(self.candidates))


class StoreUnavailable(ChainAtlasError):
    """The store cannot be opened or reached (server down, wrong password, bad path)."""


class StoreLocked(ChainAtlasError):
    """Another process holds the embedded store's write lock."""


class UnfinishedLoad(ChainAtlasError):
    """A load into Neo4j was interrupted (its process killed) and must be rolled back first."""

    hint = ("Run `chainatlas recover` to roll it back (it restores what the load changed and deletes "
            "what it added), then load again.")


class UnsupportedInput(ChainAtlasError):
    """A file type or layout ChainAtlas does not read."""


class NoRegions(ChainAtlasError):
    """The store holds data but no region (行政区划) yet: places cannot be chosen or resolved."""

    def __init__(self, what: str = ""):
        super().__init__("尚未载入行政区划 / no regions are loaded" + (f"（图谱中已有{what}）" if what else ""),
                         "一步载入内置全国行政区划参考表（31 个省级、333 个地级）：命令行 `chainatlas load-regions`，"
                         "或在应用侧栏点“载入全国行政区划”。 Load the bundled national region reference with "
                         "`chainatlas load-regions` (or the sidebar button in the app).")
