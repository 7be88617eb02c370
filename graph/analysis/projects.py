"""招商项目库 (#16): recruitment projects from a target to a signed, landed project.

A project names the target enterprise, the gap links (products) and chains it is meant to fill, the
place it would land, its stage (graph.schema.PROJECT_STAGES), the responsible unit/person, planned
investment (万元), the next step and its date, notes, and the history of every stage change. It
lives in the store (``save_projects`` / ``projects`` / ``project_history``) beside the chain data.

Stage rules (:func:`check_move`): a project moves forward (skipping stages is fine), never back;
已落地 only from 已签约; 已终止 from any open stage and only with a reason; an ended project
(已终止) can be reopened as 线索. 已落地 is final.

>>> check_move("线索", "洽谈中")
>>> check_move("洽谈中", "已接洽")
Traceback (most recent call last):
...
graph.errors.ChainAtlasError: 不能从“洽谈中”退回“已接洽” / a project only moves forward
"""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from graph.errors import ChainAtlasError
from graph.schema import PROJECT_STAGES
from graph.store import PROJECT_COLUMNS

OPEN_STAGES = PROJECT_STAGES[:5]          # 线索 … 已签约: the next step matters
TALKING = ("已接洽", "已考察", "洽谈中")   # shown as 在谈
STAGE_RANK = {s: i for i, s in enumerate(PROJECT_STAGES)}
EDITABLE = ("name", "enterprise", "enterprise_id", "region", "park", "unit", "person", "investment", "next_step", "next_date",
            "notes")


def now_text(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")


def is_blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def check_date(value, what: str) -> str | None:
    """``YYYY-MM-DD`` text (a date/datetime is formatted); None when empty; raises otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text[:10], "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise ChainAtlasError(f"{what}“{value}”不是日期 / not a date", "请写成 YYYY-MM-DD，例如 2025-03-31。") from None


def check_stage(stage) -> str:
    s = str(stage or "").strip()
    if s not in STAGE_RANK:
        raise ChainAtlasError(f"阶段“{stage}”无效 / unknown stage", "阶段为：" + "、".join(PROJECT_STAGES))
    return s


def check_move(current: str, target: str, reason: str | None = None) -> None:
    """Raise ChainAtlasError when ``current`` → ``target`` breaks the stage rules."""
    current, target = check_stage(current), check_stage(target)
    hint = "阶段顺序：" + " → ".join(PROJECT_STAGES[:6]) + "；任何未结束阶段可转为 已终止（需写明原因）。"
    if current == target:
        raise ChainAtlasError(f"项目已处于“{current}” / already at this stage", hint)
    if current == "已落地":
        raise ChainAtlasError("已落地项目不能再变更阶段 / a landed project is final", hint)
    if target == "已终止":
        if is_blank(reason):
            raise ChainAtlasError("终止项目须写明原因 / a reason is required to stop a project",
                                  "请填写终止原因（如：企业投资计划取消）。")
        return
    if current == "已终止":
        if target != "线索":
            raise ChainAtlasError("已终止项目只能重新作为“线索”启动 / a stopped project restarts as 线索", hint)
        return
    if target == "已落地" and current != "已签约":
        raise ChainAtlasError(f"只有已签约项目才能落地（当前“{current}”） / only a signed project can land", hint)
    if STAGE_RANK[target] < STAGE_RANK[current]:
        raise ChainAtlasError(f"不能从“{current}”退回“{target}” / a project only moves forward", hint)


def _by_id(store, project_id: str) -> dict:
    df = store.projects()
    hit = df[df["project_id"] == str(project_id)]
    if hit.empty:
        from graph.errors import NotFound
        raise NotFound("招商项目", str(project_id), candidates=df["project_id"].head(5).tolist())
    return hit.iloc[0].to_dict()


def next_id(existing) -> str:
    """``PJ-0001``, ``PJ-0002`` … after the highest numbered id in ``existing``.

    >>> next_id(["PJ-0007", "X"])
    'PJ-0008'
    """
    nums = [int(str(i)[3:]) for i in existing if str(i).startswith("PJ-") and str(i)[3:].isdigit()]
    return f"PJ-{max(nums, default=0) + 1:04d}"


def draft_from_target(target: dict, report=None, **extra) -> dict:
    """A new project's fields prefilled from a target row (graph.analysis.targets.TARGET_COLUMNS,
    or any dict with enterprise_id/name and gap_product_id/gap_product) and the GapReport it came
    from (chain and place). Nothing is saved.

    >>> d = draft_from_target({"enterprise_id": "E6", "name": "西安电池", "gap_product_id": "P-BATT",
    ...                        "gap_product": "动力电池", "source": "ep.csv", "as_of": "2023-06"})
    >>> d["name"], d["products"], d["stage"]
    ('西安电池 · 动力电池', ['P-BATT'], '线索')
    """
    d = {"enterprise_id": target.get("enterprise_id"), "enterprise": target.get("name"),
         "products": [str(target["gap_product_id"])] if target.get("gap_product_id") else [],
         "product_names": [str(target["gap_product"])] if target.get("gap_product") else [],
         "chains": [], "region": None, "park": None, "stage": "线索",
         "name": " · ".join(str(x) for x in (target.get("name"), target.get("gap_product")) if x),
         "notes": f"来自招商目标：{target['reason']}" if target.get("reason") else None,
         "source": "招商目标推荐", "as_of": date.today().isoformat()}
    if report is not None:
        d["chains"] = [str(report.chain.get("chain_id"))]
        place = report.region
        if place.get("kind") == "park":
            d["park"], d["region"] = place.get("id"), place.get("code")
        else:
            d["region"] = place.get("id")
    d.update(extra)
    return d


class Lookups:
    """Name resolution for one batch of project edits: each distinct text is resolved once, the
    products table and the region tree are read once. Errors are remembered and raised again."""

    def __init__(self, store):
        self.store = store
        self._memo: dict = {}
        self._products = None
        self._tree = None

    def _get(self, kind: str, text: str, compute):
        key = (kind, str(text).strip())
        if key not in self._memo:
            try:
                self._memo[key] = (compute(key[1]), None)
            except ChainAtlasError as err:
                self._memo[key] = (None, err)
        value, err = self._memo[key]
        if err is not None:
            raise err
        return value

    def product(self, text) -> dict:
        from graph.analysis import lookup
        if self._products is None:
            self._products = self.store.table("products")
        return self._get("product", text, lambda t: lookup.resolve_product(self.store, t, within=self._products))

    def chain(self, text) -> dict:
        from graph.analysis import lookup
        return self._get("chain", text, lambda t: lookup.resolve_chain(self.store, t))

    def tree(self):
        from graph.analysis.scope import RegionTree
        if self._tree is None:
            self._tree = RegionTree.from_store(self.store)
        return self._tree

    def place(self, region=None, park=None) -> tuple[str | None, str | None]:
        """(region code, park id) from codes, ids or names; a park alone gives its region too."""
        from graph.analysis import lookup
        park_id = code = None
        if not is_blank(park):
            place = self._get("park", park, lambda t: lookup.resolve_park(self.store, t, tree=self.tree()))
            park_id, code = str(place["id"]), place.get("code")
        if not is_blank(region):
            code = str(self._get("region", region,
                                 lambda t: lookup.resolve_region(self.store, t, tree=self.tree()))["id"])
        return code, park_id

    def enterprise_id(self, name) -> str | None:
        return self._get("enterprise", name, lambda t: match_enterprise(self.store, t))

    def products_of(self, texts) -> tuple[list[str], list[str]]:
        """Resolve product ids/names: (ids, names), repeats dropped. Raises NotFound with suggestions."""
        ids, names = [], []
        for text in texts or []:
            row = self.product(text)
            if str(row["product_id"]) not in ids:
                ids.append(str(row["product_id"]))
                names.append(str(row["name"]))
        return ids, names

    def chains_of(self, texts, product_ids) -> list[str]:
        """Chain ids of ``texts``; none given: the chains the products belong to."""
        chains = [str(self.chain(t)["chain_id"]) for t in texts or []]
        if not chains and product_ids:
            cp = self._get("table", "chain_products", lambda t: self.store.table(t))
            chains = sorted(set(cp.loc[cp["product"].isin(product_ids), "chain"].astype(str)))
        return list(dict.fromkeys(chains))


def create_project(store, fields: dict, by: str = "", now: datetime | None = None,
                   lookups: Lookups | None = None) -> dict:
    """Save a new project (stage 线索 unless given) and its first history entry; returns it.

    fields: PROJECT_COLUMNS (``products``/``chains`` as ids or names; ``enterprise`` a name —
    matched to an enterprise in the data when ``enterprise_id`` is not given, else kept as text).
    """
    f = dict(fields)
    stage = check_stage(f.get("stage") or "线索")
    if stage == "已终止" and is_blank(f.get("stop_reason")):
        check_move("线索", "已终止", None)
    look = lookups or Lookups(store)
    pids, pnames = look.products_of(f.get("products"))
    if is_blank(f.get("enterprise")) and is_blank(f.get("enterprise_id")):
        raise ChainAtlasError("招商项目须有目标企业 / a project needs a target enterprise",
                              "填写企业名称（可不在图谱数据中）。")
    ent_id, ent_name = f.get("enterprise_id"), f.get("enterprise")
    if is_blank(ent_id):
        ent_id = look.enterprise_id(ent_name)
    elif is_blank(ent_name):
        found = store.enterprises([str(ent_id)])
        ent_name = found["name"].iloc[0] if len(found) else str(ent_id)
    f["region"], f["park"] = look.place(f.get("region"), f.get("park"))
    stamp = now_text(now)
    pid = f.get("project_id") if not is_blank(f.get("project_id")) else next_id(store.projects()["project_id"])
    project = {c: None for c in PROJECT_COLUMNS}
    project.update({k: f.get(k) for k in EDITABLE + ("stop_reason", "source", "as_of", "illustrative")})
    project.update(project_id=str(pid), enterprise_id=None if is_blank(ent_id) else str(ent_id),
                   enterprise=str(ent_name), products=pids, product_names=pnames,
                   chains=look.chains_of(f.get("chains"), pids), stage=stage,
                   next_date=check_date(f.get("next_date"), "下一步日期"),
                   landed_on=check_date(f.get("landed_on"), "落地日期") or (stamp[:10] if stage == "已落地" else None),
                   created_at=stamp, updated_at=stamp, investment=money(f.get("investment")),
                   illustrative=bool(f.get("illustrative") or False))
    project["name"] = project["name"] or " · ".join([project["enterprise"], *pnames])
    project["source"] = project["source"] or (f"录入：{by}" if by else "手工录入")
    project["as_of"] = check_date(project["as_of"], "数据日期") or stamp[:10]
    event = {"project_id": project["project_id"], "seq": 1, "at": stamp, "by": by or None, "from_stage": None,
             "to_stage": stage, "note": f.get("stop_reason") if stage == "已终止" else "新建"}
    store.save_projects([project], [event])
    return project


def money(v) -> float | None:
    if is_blank(v):
        return None
    try:
        x = float(str(v).replace(",", "").replace("，", ""))
    except ValueError:
        raise ChainAtlasError(f"计划投资“{v}”不是数字 / not a number", "填写万元数，例如 50000。") from None
    if x < 0:
        raise ChainAtlasError(f"计划投资不能为负数：{v}", "填写万元数，例如 50000。")
    return x


def match_enterprise(store, name) -> str | None:
    """The id of the enterprise with exactly this name or id, when there is exactly one."""
    from graph.analysis import lookup
    from graph.errors import Ambiguous, NotFound
    try:
        return str(lookup.resolve_enterprise(store, str(name))["enterprise_id"])
    except (NotFound, Ambiguous):
        return None


def move_project(store, project_id: str, to_stage: str, by: str = "", note: str | None = None,
                 reason: str | None = None, landed_on=None, next_step: str | None = None, next_date=None,
                 now: datetime | None = None) -> dict:
    """Move a project to ``to_stage`` under the stage rules, recording who, when, from, to.
    ``reason`` is required for 已终止; ``landed_on`` (default today) is kept for 已落地."""
    p = _by_id(store, project_id)
    old = p["stage"]
    check_move(old, to_stage, reason)
    stamp = now_text(now)
    hist = store.project_history([p["project_id"]])
    seq = int(hist["seq"].max()) + 1 if len(hist) else 1
    p.update(stage=to_stage, updated_at=stamp)
    if to_stage == "已终止":
        p["stop_reason"] = reason
    elif old == "已终止":
        p["stop_reason"] = None
    if to_stage == "已落地":
        p["landed_on"] = check_date(landed_on, "落地日期") or stamp[:10]
    if next_step is not None:
        p["next_step"] = next_step or None
    if next_date is not None:
        p["next_date"] = check_date(next_date, "下一步日期")
    event = {"project_id": p["project_id"], "seq": seq, "at": stamp, "by": by or None, "from_stage": old,
             "to_stage": to_stage, "note": reason if to_stage == "已终止" else note}
    store.save_projects([p], [event])
    return p


def update_project(store, project_id: str, changes: dict, now: datetime | None = None) -> dict:
    """Change a project's non-stage fields (EDITABLE: next step and date, unit, person, notes …)."""
    p = _by_id(store, project_id)
    bad = set(changes) - set(EDITABLE)
    if bad:
        raise ChainAtlasError(f"不能直接修改：{'、'.join(sorted(bad))}", "阶段请用“变更阶段”（chainatlas projects move）。")
    p.update(changes)
    p["next_date"] = check_date(p.get("next_date"), "下一步日期")
    p["investment"] = money(p.get("investment"))
    p["updated_at"] = now_text(now)
    store.save_projects([p])
    return p
