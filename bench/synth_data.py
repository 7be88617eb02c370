"""The synthetic national data of the bench: ``chainatlas synth`` folders, made once per size and
cached in bench/.cache, with the facts the figures need (rows per table, the largest chain, the
enterprises per province)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness import chainatlas

def synth_folder(cache: Path, n: int, chains: int, products: int, seed: int, province: str) -> tuple[Path, dict]:
    """The synthetic folder for size ``n`` (generated once) and facts about it."""
    folder = cache / f"synth-{n}-{chains}-{products}-{seed}"
    done = folder / ".done.json"
    if done.exists():
        return folder, _with_province(json.loads(done.read_text()), province)
    if folder.exists():
        shutil.rmtree(folder)
    res = chainatlas("synth", "--enterprises", str(n), "--chains", str(chains), "--products-per-chain",
                     str(products), "--seed", str(seed), "--out", str(folder))
    if res["rc"] != 0:
        raise RuntimeError(f"chainatlas synth failed: {res['stderr'][-2000:]}")
    import pandas as pd

    rows = {f.stem: _count_rows(f) for f in sorted(folder.glob("*.csv"))}
    cp = pd.read_csv(folder / "chain_products.csv", usecols=["chain"], dtype=str)
    ent = pd.read_csv(folder / "enterprises.csv", usecols=["region"], dtype=str, keep_default_na=False)
    regions = pd.read_csv(folder / "regions.csv", usecols=["code", "name", "level"], dtype=str,
                          keep_default_na=False)
    by_province = (ent["region"].str[:2] + "0000").value_counts().to_dict()
    facts = {"rows": rows, "total_rows": sum(rows.values()), "synth_s": res["wall_s"],
             "largest_chain": cp["chain"].value_counts().index[0],
             "by_province": {k: int(v) for k, v in by_province.items()},
             "region_names": dict(zip(regions["code"], regions["name"]))}
    done.write_text(json.dumps(facts, ensure_ascii=False))
    return folder, _with_province(facts, province)


def _with_province(facts: dict, province: str) -> dict:
    out = dict(facts)
    out["province_code"] = province
    out["province_name"] = facts.get("region_names", {}).get(province, province)
    out["province_enterprises"] = facts.get("by_province", {}).get(province, 0)
    return out


def _count_rows(path: Path) -> int:
    """Data rows of a CSV the generator wrote (no quoted newlines): lines after the header."""
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, n + (last != b"\n") - 1)


