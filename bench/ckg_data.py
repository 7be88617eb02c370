"""The full-size ChainKnowledgeGraph dataset for the bench, made from the consistent sample.

The full public dataset is not in the repository: :func:`generate_ckg` scales the sample
(``../shared/samples/ckg``) up to the full dataset's row counts (:data:`CKG_FULL`) with
deterministic variations of its names, and :func:`ckg_folder` caches the result.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
import time
import unicodedata
from pathlib import Path

from harness import ROOT

DEFAULT_SAMPLE = ROOT.parent / "shared" / "samples" / "ckg"
# rows of the full ChainKnowledgeGraph dataset, per file (shared/samples/README.md)
CKG_FULL = {"company.json": 4_654, "industry.json": 511, "product.json": 95_559, "company_industry.json": 4_430,
            "industry_industry.json": 480, "company_product.json": 53_785, "product_product.json": 110_153}

# deterministic variation vocabulary
_PRODUCT_PREFIXES = tuple("""
    高纯 特种 精密 新型 复合 改性 智能 节能 环保 轻质 超薄 高强 耐高温 微型 大型 工业 民用 车用 医用 光伏
    电子级 食品级 纳米 有机 柔性 数字 液态 固态 超细 高端 低碳 绿色 再生 高性能 多功能 一体化 模块化 标准
    定制 高效 耐腐蚀 防爆 无铅 低温 高压 中压 低压 海洋 航空 船用 军用 商用 家用 便携式 自动 半自动 集成
    精细 稀土 硅基 碳基 铝基 铜基 生物 石墨烯 氢能 储能 5G LED PCB""".split())
_PRODUCT_SUFFIXES = ("", "组件", "系列", "制品", "配件", "总成")
_FALLBACK = ("件", "品", "类", "型", "剂", "机", "材", "器")
_INDUSTRY_SUFFIXES = ("综合", "服务", "制造", "装备", "材料", "科技", "工程", "设备")
_NAME_CHARS = "".join(dict.fromkeys("".join("""
    华中国新东南西北金天恒宏瑞鑫博嘉信安永泰康达隆盛兴昌丰源海洋山川江河湖云星光明辉阳春秋远航通联创
    智科汇德福祥和润泽宝鼎诚正大长城万方凯利佳益荣富贵美晶晨启亿众合力广深沪津渝蜀湘鄂赣皖闽浙苏鲁
    豫冀晋辽吉黑蒙陕甘宁青藏桂琼滇黔粤港澳台龙凤麒麟鹏鸿雁松柏竹梅兰菊银铜铁钢锦绣翔宇宙乾坤
    元亨贞祺禧峰岭峡谷原野田园林森木火土石玉珠翠碧蓝紫红橙黄绿白朗逸卓越精英杰俊豪雄伟图景""".split())))


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _key(text: str) -> str:
    """How the importer will see a name (NFKC, no spaces, lower case): generated names must
    differ by this key unless they are meant as noise."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


def _pick(available: int, wanted: int) -> list[int]:
    """``wanted`` indices spread evenly over ``range(available)`` (thinning, deterministic)."""
    assert available >= wanted, (available, wanted)
    return [k * available // wanted for k in range(wanted)]


def _fullwidth(text: str) -> str:
    """Noise: ASCII letters/digits as full-width characters; text without them gets an
    ideographic space inside (both disappear once the importer normalises the name)."""
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)
    if wide != text:
        return wide
    return text[:1] + "\u3000" + text[1:] if len(text) > 1 else text + "\u3000"


def _spaced(text: str) -> str:
    """Noise: a stray space inside (between CJK characters) or at the end."""
    mid = len(text) // 2
    if len(text) > 1 and "\u3400" <= text[mid - 1] <= "\u9fff" and "\u3400" <= text[mid] <= "\u9fff":
        return text[:mid] + " " + text[mid:]
    return text + " "


def _noisy(text: str, rng: random.Random) -> str:
    return _fullwidth(text) if rng.random() < 0.5 else _spaced(text)


def _level(code: str) -> int:
    return 1 if code[2:] == "0000" else 2 if code[4:] == "00" else 3


# --- ChainKnowledgeGraph full-scale generator --------------------------------------------------
def generate_ckg(sample: Path, out: Path, counts: dict[str, int] | None = None, seed: int = 1) -> dict:
    """Scale the consistent sample in ``sample`` up to ``counts`` rows per file (default the
    full dataset's, :data:`CKG_FULL`) in the same JSON-lines layout, into ``out``.

    New rows are deterministic variations of sample rows: product variant v of a sample name is
    a prefix/suffix word + the name; company copy c of a sample company gets a new stock code of
    the same board and exchange and a short/full name with a varied first character; industries
    get new Shenwan codes under existing parents. Relations are copied per variant (company
    copies map to product variants; product-product copies link variant v to variant v + round,
    which keeps the sample's hierarchy acyclic and its 上游材料/下游产品/产品小类 mix), then thinned
    evenly to the exact count. Weights are the sample's with ±15 % jitter (the sample's 0.001
    floor, 1.0, negative and >1 weights kept as they are). Noise: a few names full-width or with
    stray spaces, some duplicate rows, stock codes without or with lower-case suffixes, a few
    reversed flows (cycles), on top of what the sample carries (renamed companies, duplicate
    company-products, garbage product names).
    """
    counts = {**CKG_FULL, **(counts or {})}
    rng = random.Random(f"chainatlas-ckg-full-{seed}")
    sample, out = Path(sample), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    src = {f: _read_jsonl(sample / f) for f in CKG_FULL}

    industries, ii_rows, l3_codes = _gen_industries(src, counts)
    companies, short_of, code_of = _gen_companies(src["company.json"], counts["company.json"], rng)
    ci_rows = _gen_company_industry(src, companies, code_of, short_of, l3_codes, industries,
                                    counts["company_industry.json"])
    base_products = [r["name"] for r in src["product.json"]]
    products, name_of, variants = _gen_products(base_products, counts["product.json"], rng)
    cp_rows = _gen_company_products(src["company_product.json"], short_of, name_of, variants,
                                    counts["company_product.json"], rng)
    pp_rows = _gen_product_relations(src["product_product.json"], name_of, variants,
                                     counts["product_product.json"], rng)
    tables = {"company.json": companies, "industry.json": industries, "product.json": products,
              "company_industry.json": ci_rows, "industry_industry.json": ii_rows,
              "company_product.json": cp_rows, "product_product.json": pp_rows}
    for name, rows in tables.items():
        assert len(rows) == counts[name], (name, len(rows), counts[name])
        _write_jsonl(out / name, rows)
    return {name: len(rows) for name, rows in tables.items()}


def _gen_industries(src: dict, counts: dict) -> tuple[list[dict], list[dict], list[str]]:
    """Shenwan industries: the sample's plus new codes under existing parents, one
    industry_industry row (sub → parent) per non-level-1 industry."""
    names = {r["code"]: r["name"] for r in src["industry.json"]}
    rel = src["industry_industry.json"][0]["rel"] if src["industry_industry.json"] else "上游产业"
    by_level = {lv: sorted(c for c in names if _level(c) == lv) for lv in (1, 2, 3)}
    n_l1 = counts["industry.json"] - counts["industry_industry.json"]
    below = counts["industry_industry.json"]
    sample_below = max(1, len(by_level[2]) + len(by_level[3]))
    want = {1: n_l1, 2: round(below * len(by_level[2]) / sample_below)}
    want[3] = below - want[2]
    used_names = {_key(n) for n in names.values()}

    def new_name(base: str, k: int) -> str:
        for j in range(k, k + 100):
            n = len(_INDUSTRY_SUFFIXES)
            cand = base + _INDUSTRY_SUFFIXES[j % n] + "Ⅱ" * (j // n)
            if _key(cand) not in used_names:
                used_names.add(_key(cand))
                return cand
        raise RuntimeError(f"no new industry name for {base}")

    for lv in (1, 2, 3):
        base = list(by_level[lv])
        k = 0
        while len(by_level[lv]) < want[lv]:
            if lv == 1:
                free = [f"{d:02d}0000" for d in range(11, 100) if f"{d:02d}0000" not in names]
                code = free[0]
            else:
                parents = by_level[lv - 1]
                parent = parents[k % len(parents)]
                width = 4 if lv == 2 else 6
                free = [c for c in (parent[:width - 2] + f"{d:02d}" + "0" * (6 - width) for d in range(1, 100))
                        if c not in names]
                code = free[0]
            names[code] = new_name(names[base[k % len(base)]], k // len(base))
            by_level[lv].append(code)
            k += 1
    parent_of = {c: (c[:4] + "00" if _level(c) == 3 else c[:2] + "0000") for c in names if _level(c) > 1}
    industries = [{"code": c, "name": names[c]} for c in sorted(names)]
    ii_rows = [{"from_code": c, "from_industry": names[c], "rel": rel, "to_industry": names[p], "to_code": p}
               for c, p in sorted(parent_of.items())]
    return industries, ii_rows, sorted(by_level[3])


_BOARDS = {"000": ("000", "001", "002", "003"), "001": ("000", "001", "002", "003"),
           "002": ("000", "001", "002", "003"), "003": ("000", "001", "002", "003"),
           "300": ("300", "301"), "301": ("300", "301"), "600": ("600", "601", "603", "605"),
           "601": ("600", "601", "603", "605"), "603": ("600", "601", "603", "605"),
           "605": ("600", "601", "603", "605"), "688": ("688", "689")}


def _gen_companies(base: list[dict], n: int, rng: random.Random) -> tuple[list[dict], dict, dict]:
    """``n`` company lines: copy c of sample line i is line c * len(base) + i (copy 0 = the
    sample). Returns the lines, (copy, sample short name) -> short name, (copy, sample code) ->
    normalised code."""
    def digits(code: str) -> str:
        return "".join(ch for ch in code if ch.isdigit())[:6]

    used_codes = {digits(r["code"]) for r in base}
    pools: dict[tuple, list[str]] = {}
    used_names = {_key(r["name"]) for r in base} | {_key(r.get("fullname") or "") for r in base}
    code_of: dict[tuple[int, str], str] = {}
    short_of: dict[tuple[int, str], str] = {}
    lines = []
    for k in range(n):
        c, i = divmod(k, len(base))
        b = base[i]
        d = digits(b["code"])
        suffix = "SZ" if d[:1] in "03" else "SH" if d[:1] in "6" else "BJ"
        if c == 0:
            code_of[(c, b["code"])] = f"{d}.{suffix}"
            short_of[(c, b["name"])] = b["name"]
            lines.append(dict(b))
            continue
        if (c, b["code"]) not in code_of:
            board = _BOARDS.get(d[:3], (d[:3],))
            pool = pools.get(board)
            if pool is None:
                pool = [f"{p}{x:03d}" for p in board for x in range(1000)]
                random.Random(f"pool-{'-'.join(board)}").shuffle(pool)
                pools[board] = pool
            while pool and pool[-1] in used_codes:
                pool.pop()
            if not pool:
                raise RuntimeError(f"stock codes of board {board} exhausted")
            new = pool.pop()
            used_codes.add(new)
            code_of[(c, b["code"])] = f"{new}.{suffix}"
        code = code_of[(c, b["code"])]
        name = b["name"]
        st = next((p for p in ("*ST", "ST") if name.startswith(p)), "")
        core = name[len(st):]
        full = b.get("fullname") or name
        start = (c * 7 + i * 13) % len(_NAME_CHARS)
        for j in range(len(_NAME_CHARS) * 3):
            ch = _NAME_CHARS[(start + j) % len(_NAME_CHARS)]
            extra = "" if j < len(_NAME_CHARS) else _NAME_CHARS[(start + 2 * j) % len(_NAME_CHARS)]
            new_core = ch + extra + core[1:]
            new_full = full.replace(core, new_core, 1) if core and core in full else full[:2] + new_core + "股份有限公司"
            if _key(st + new_core) not in used_names and _key(new_full) not in used_names:
                break
        else:
            raise RuntimeError(f"no new company name for {name}")
        used_names |= {_key(st + new_core), _key(new_full)}
        short_of[(c, name)] = st + new_core
        written = code
        roll = rng.random()
        if roll < 0.03:
            written = code[:6]                        # no exchange suffix (like "301079")
        elif roll < 0.04:
            written = code.lower()
        listed = b.get("time") or ""
        try:
            listed = (dt.date.fromisoformat(listed) - dt.timedelta(days=29 * c)).isoformat()
        except ValueError:
            pass
        lines.append({**b, "name": st + new_core, "fullname": new_full, "code": written, "time": listed})
    return lines, short_of, code_of


def _gen_company_industry(src: dict, companies: list[dict], code_of: dict, short_of: dict, l3: list[str],
                          industries: list[dict], n: int) -> list[dict]:
    base = src["company.json"]
    names = {r["code"]: r["name"] for r in industries}
    by_code = {}
    for r in src["company_industry.json"]:
        by_code.setdefault(r["company_code"], []).append(r)
    digits = {r["company_code"]: "".join(ch for ch in r["company_code"] if ch.isdigit())[:6]
              for r in src["company_industry.json"]}
    base_code = {"".join(ch for ch in r["code"] if ch.isdigit())[:6]: r["code"] for r in base}
    cand, without, seen = [], [], set()
    for k in range(len(companies)):
        c, i = divmod(k, len(base))
        b = base[i]
        if (c, b["code"]) in seen:
            continue
        seen.add((c, b["code"]))
        code, short = code_of[(c, b["code"])], short_of[(c, b["name"])]
        rows = [r for cc, rs in by_code.items() if base_code.get(digits[cc]) == b["code"] for r in rs]
        if not rows:
            without.append((c, code, short, k))
        for r in rows:
            ind = r["industry_code"]
            if c and ind in l3:
                ind = l3[(l3.index(ind) + c * 53) % len(l3)]
            cand.append({"company_code": code if c else r["company_code"], "industry_code": ind,
                         "industry_name": names.get(ind, r["industry_name"]) if c else r["industry_name"],
                         "company_name": short if c else r["company_name"], "rel": r["rel"]})
    rel = src["company_industry.json"][0]["rel"] if src["company_industry.json"] else "所属行业"
    if len(cand) < n and not without:
        raise RuntimeError("cannot reach the company_industry count")
    extra = 0
    while len(cand) < n:          # too few companies with an industry: give some of the others one
        c, code, short, k = without[extra % len(without)]
        ind = l3[(k * 31 + extra) % len(l3)]
        cand.append({"company_code": code, "industry_code": ind, "industry_name": names[ind],
                     "company_name": short, "rel": rel})
        extra += 1
    return [cand[j] for j in _pick(len(cand), n)]


def _gen_products(base: list[str], n: int, rng: random.Random) -> tuple[list[dict], dict, int]:
    """``n`` product lines: variant v of every sample name in turn (variant 0 = the sample).
    Returns the lines, (variant, sample index) -> name, and the number of complete variants."""
    used = {_key(b) for b in base}
    name_of: dict[tuple[int, int], str] = {(0, i): b for i, b in enumerate(base)}
    rows = [{"name": b} for b in base[:n]]
    v = 1
    while len(rows) < n:
        pre = _PRODUCT_PREFIXES[(v - 1) % len(_PRODUCT_PREFIXES)]
        suf = _PRODUCT_SUFFIXES[((v - 1) // len(_PRODUCT_PREFIXES)) % len(_PRODUCT_SUFFIXES)]
        for i, b in enumerate(base):
            if len(rows) >= n:
                break
            name = pre + b + suf
            j = 0
            while _key(name) in used:
                name = pre + b + suf + _FALLBACK[j % len(_FALLBACK)] * (1 + j // len(_FALLBACK))
                j += 1
            used.add(_key(name))
            name_of[(v, i)] = name
            roll = rng.random()
            if roll < 0.004:
                written = _noisy(name, rng)                      # spelling noise
            elif roll < 0.006 and rows:
                written = _noisy(rows[-1]["name"].strip(), rng)  # a duplicate of the line before
            else:
                written = name
            rows.append({"name": written})
        v += 1
    return rows, name_of, n // len(base)


def _product_name(name_of: dict, index: dict, v: int, raw: str) -> str:
    i = index.get(raw)
    if i is not None and (v, i) in name_of:
        return name_of[(v, i)]
    return raw if v == 0 else _PRODUCT_PREFIXES[(v - 1) % len(_PRODUCT_PREFIXES)] + raw


def _jitter(w, rng: random.Random):
    if not isinstance(w, (int, float)) or w <= 0.001 or w >= 1:
        return w        # the floor, whole-revenue, accounting offsets and >1 oddities stay as they are
    return round(min(0.999999, w * (0.85 + 0.3 * rng.random())), 6)


def _gen_company_products(base: list[dict], short_of: dict, name_of: dict, variants: int, n: int,
                          rng: random.Random) -> list[dict]:
    """Company copy c's main products are the sample's, in product variant c % variants (and
    (c + round) % variants in later rounds when the companies alone are too few)."""
    index = {name: i for (v, i), name in name_of.items() if v == 0}
    copies = sorted({c for c, _ in short_of})
    cand: list[tuple[int, int, str, dict]] = []      # (copy, round, short name, sample row)
    rnd = 0
    while len(cand) < n:
        for c in copies:
            for r in base:
                short = short_of.get((c, r["company_name"]))
                if short is not None:
                    cand.append((c, rnd, short, r))
        rnd += 1
    out = []
    for j in _pick(len(cand), n):
        c, rnd, short, r = cand[j]
        w = r["rel_weight"] if c == 0 and rnd == 0 else _jitter(r["rel_weight"], rng)
        row = {"company_name": short,
               "product_name": _product_name(name_of, index, (c + rnd) % variants, r["product_name"]),
               "rel": r["rel"], "rel_weight": w}
        roll = rng.random()
        if roll < 0.01:
            row["company_name"] = _noisy(row["company_name"], rng)
        elif roll < 0.02:
            row["product_name"] = _noisy(row["product_name"], rng)
        out.append(row)
    return out


def _gen_product_relations(base: list[dict], name_of: dict, variants: int, n: int,
                           rng: random.Random) -> list[dict]:
    """Copy c = round * variants + v of the sample relations: ``from`` in variant v, ``to`` in
    variant (v + round) % variants (round 0 = within a variant)."""
    index = {name: i for (v, i), name in name_of.items() if v == 0}
    copies = -(-n // len(base))
    cand = []
    for c in range(copies):
        rnd, v = divmod(c, variants)
        w = (v + rnd) % variants
        for r in base:
            cand.append((v, w, r))
    out = []
    for j in _pick(len(cand), n):
        v, w, r = cand[j]
        row = {"from_entity": _product_name(name_of, index, v, r["from_entity"]),
               "to_entity": _product_name(name_of, index, w, r["to_entity"]), "rel": r["rel"]}
        roll = rng.random()
        if roll < 0.003:
            side = "from_entity" if rng.random() < 0.5 else "to_entity"
            row[side] = _noisy(row[side], rng)
        elif roll < 0.005 and out:
            prev = out[-1]          # a duplicate of the row before, spelt differently
            row = {"from_entity": _noisy(prev["from_entity"].strip(), rng), "to_entity": prev["to_entity"],
                   "rel": prev["rel"]}
        elif roll < 0.006 and out and out[-1]["rel"] in ("上游材料", "下游产品"):
            prev = out[-1]          # the row before reversed: a two-product cycle
            row = {"from_entity": prev["to_entity"], "to_entity": prev["from_entity"], "rel": prev["rel"]}
        out.append(row)
    return out


def ckg_folder(cache: Path, sample: Path = DEFAULT_SAMPLE, regenerate: bool = False) -> tuple[Path, dict]:
    """The full-scale folder in ``cache/ckg-full`` (generated once; remade when the sample or
    this file changed, or with ``regenerate``) and facts about it."""
    folder = Path(cache) / "ckg-full"
    done = folder / ".done.json"
    stamp = {"generator": hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12],
             "sample": str(Path(sample).resolve()),
             "sample_bytes": {f: (Path(sample) / f).stat().st_size for f in CKG_FULL}, "counts": CKG_FULL}
    if not regenerate and done.exists():
        facts = json.loads(done.read_text())
        if all(facts.get(k) == v for k, v in stamp.items()):
            return folder, facts
    shutil.rmtree(folder, ignore_errors=True)
    t = time.perf_counter()
    rows = generate_ckg(Path(sample), folder)
    facts = {**stamp, "rows": rows, "total_rows": sum(rows.values()), "generate_s": round(time.perf_counter() - t, 1)}
    done.write_text(json.dumps(facts, ensure_ascii=False))
    return folder, facts
