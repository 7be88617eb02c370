"""Saved what-if scenarios (假如引进情景): small named JSON files, the same for both stores.

A scenario is what was asked, not its result — region, chains (None = every chain the enterprises
serve), enterprises, plant place (``at``) and the diagnosis options — so running it later uses the
data of the day, and two runs can be compared. The folder is ``Settings.scenarios_dir``
(``CHAINATLAS_SCENARIOS``).

>>> scenario_file("/tmp/s", "运城 电池/正极 方案").name
'运城 电池_正极 方案.json'
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from graph.errors import ChainAtlasError, NotFound

FORMAT = "chainatlas.whatif-scenario"


def scenario_file(folder, name: str) -> Path:
    safe = "".join("_" if ch in '\\/:*?"<>|\r\n\t' else ch for ch in str(name).strip())
    if not safe or safe.startswith("."):
        raise ChainAtlasError(f"情景名称“{name}”不可用", "请用中文或字母数字命名，例如：运城电池包引进方案。")
    return Path(folder) / f"{safe}.json"


def save_scenario(folder, name: str, region: str, enterprises: list[str], chains: list[str] | None = None,
                  at: str | None = None, options: dict | None = None) -> Path:
    """Write (or replace) the scenario ``name``; returns its path."""
    path = scenario_file(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": FORMAT, "name": str(name).strip(), "region": region, "chains": list(chains) if chains else None,
           "enterprises": list(enterprises), "at": at, "options": options or {},
           "saved_at": datetime.now().astimezone().isoformat(timespec="seconds")}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def load_scenario(folder, name: str) -> dict:
    path = scenario_file(folder, name)
    if not path.exists():
        raise NotFound("情景", name, list_scenarios(folder)["name"].head(6).tolist())
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ChainAtlasError(f"情景文件 {path} 无法读取：{err}", "删除该文件后重新保存情景。") from None
    if doc.get("format") != FORMAT:
        raise ChainAtlasError(f"{path} 不是 ChainAtlas 情景文件", "请重新保存情景。")
    return doc


def list_scenarios(folder) -> pd.DataFrame:
    """name, region, enterprises (count), chains, saved_at — newest first."""
    rows = []
    for p in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if d.get("format") == FORMAT:
            rows.append({"name": d.get("name"), "region": d.get("region"), "enterprises": len(d.get("enterprises") or []),
                         "chains": "、".join(d.get("chains") or []) or "（全部相关）", "saved_at": d.get("saved_at")})
    df = pd.DataFrame(rows, columns=["name", "region", "enterprises", "chains", "saved_at"])
    return df.sort_values("saved_at", ascending=False, kind="stable").reset_index(drop=True)


def run_scenario(store, doc: dict) -> list:
    """The what-ifs of a scenario, with today's data."""
    from graph.analysis.whatif import what_if_chains
    from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS
    opt = doc.get("options") or {}
    return what_if_chains(store, doc.get("chains"), doc["region"], doc["enterprises"], at=doc.get("at"),
                          thresholds=DEFAULT_THRESHOLDS.with_(**(opt.get("thresholds") or {})),
                          priority=DEFAULT_PRIORITY.with_(**(opt.get("priority") or {})),
                          enclave_attribution=bool(opt.get("enclave_attribution", True)),
                          count_subclasses=bool(opt.get("count_subclasses", True)))
