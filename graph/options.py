"""Tunable options of the gap engine, with their documented defaults.

Three frozen dataclasses, all changeable per call (CLI flags, app sliders):

- :class:`Thresholds` — when a link with local makers is still *weak* (弱链), and how key links
  weigh in the key-weighted 本地配套率.
- :class:`PriorityWeights` — the points that make up a gap's priority score and the grade cut-offs.
- :class:`Weights` — the points that make up a recruitment target's score.

Rules they drive (see graph.analysis.gap_rules and graph.analysis.targets for the code):

*Link status* (per product of the chain, for a region scope):

Makers are local, outside or of unknown location for the place (graph.analysis.location).

- ``no_data`` (无数据): no maker of the product anywhere in the data — unknown, not a gap.
- ``unverified`` (待核实): no known local maker but at least one of unknown location; or a weak
  rule below fires on the known local makers but would not if every unknown one were local (and
  large). Not a gap: no priority, no grade, no targets.
- ``missing`` (缺链): makers exist, none local and none of unknown location.
- ``weak`` (弱链): local makers exist and, even counting every maker of unknown location as local,
  at least one of
  (a) fewer than ``min_makers`` makers;
  (b) fewer than ``min_large`` makers that are "规上 or larger", i.e. tagged 规上 or of scale
  大型/中型 — judged only when every local maker's scale (or 规上 tag) is known, else skipped and
  the reason says "规模未知 N 家";
  (c) the sum of the local makers' ``revenue_share`` (share of each maker's revenue from this
  product) is below ``min_revenue_share`` — judged only when every local maker's share is known
  and no maker is of unknown location; the reason says when it is skipped.
  Setting ``min_makers<=1``, ``min_large=0`` or ``min_revenue_share=0`` switches a rule off.
- ``covered`` (已配套): otherwise.
- ``broken`` (断链, a flag on missing/weak links): at least one direct upstream neighbour *and* at
  least one direct downstream neighbour in the chain's product flow have local makers.

*Priority* of a missing/weak link (covered and no-data links score 0, grade ""):

    priority = status (missing: status_missing, weak: status_weak)
             + broken            if broken
             + key_link          if a key link (关键环节)
             + min(demand_cap, demand_per_maker * local downstream makers)
             + min(leaders_cap, leader_per * 链主 consuming it)
             + centrality * normalised centrality (0–1) in the chain graph

With the defaults the maximum is 35+15+20+10+10+10 = 100. Grade: 紧急 if a key link is missing
or priority >= ``urgent_at``; 重要 if priority >= ``important_at``; else 一般.

*Target score* (an enterprise outside the region that makes a gap's product): the sum of the parts
documented on :class:`Weights`; every part is shown in the result.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Thresholds:
    """When a link with local makers is weak; key-link weight in the weighted coverage rate."""

    min_makers: int = 2               # weak if fewer local makers than this
    min_large: int = 1                # weak if fewer local 规上-or-larger makers than this
    min_revenue_share: float = 0.3    # weak if sum of known local revenue_share < this
    key_weight: float = 2.0           # a key link counts this many times in the weighted rate

    def with_(self, **changes) -> "Thresholds":
        """A copy with some fields changed; ``None`` values are ignored (handy for CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PriorityWeights:
    """Points that make up a gap's priority (0–100 with the defaults) and the grade cut-offs."""

    status_missing: float = 35.0      # 缺链
    status_weak: float = 15.0         # 弱链
    broken: float = 15.0              # 断链 (missing/weak with local makers up- and downstream)
    key_link: float = 20.0            # 关键环节
    demand_per_maker: float = 2.0     # per local maker of a direct downstream product
    demand_cap: float = 10.0
    leader_per: float = 5.0           # per 链主 of the chain that consumes the product
    leaders_cap: float = 10.0
    centrality: float = 10.0          # times the normalised centrality (0–1)
    urgent_at: float = 60.0           # grade 紧急 at or above (a missing key link is always 紧急)
    important_at: float = 35.0        # grade 重要 at or above; below: 一般

    def with_(self, **changes) -> "PriorityWeights":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Weights:
    """Points that make up a recruitment target's score (all parts are additive).

    - role/tags (``s_role_tags``): leader (this chain's 链主) + core (链核) + listed (``listed`` or
      tag 上市) + fortune500 (tag 500强) + little_giant (小巨人) + specialised (专精特新) +
      above_scale (规上) + high_tech (高新技术), capped at ``tags_cap``;
    - scale (``s_scale``): ``scale`` × rank/4 with 大型 4, 中型 3, 小型 2, 微型 1 (unknown 0);
    - revenue (``s_revenue``): ``revenue`` × clip(log10(revenue/revenue_floor) /
      log10(revenue_full/revenue_floor), 0, 1); revenue in 万元 (unknown 0);
    - product share (``s_share``): ``product_share`` × revenue_share of that product (unknown 0);
    - distance (``s_distance``): ``distance`` × max(0, 1 − km/distance_full) between region
      centroids (an enterprise's region lon/lat, else its parent's); unknown location 0;
    - province (``s_province``): ``same_province`` or ``neighbour_province`` bonus;
    - transfer (``s_transfer``): ``eastern`` if ``eastern_transfer`` is on and the enterprise is in
      an eastern province (东部地区, industrial transfer source) other than the region's own;
    - ties (``s_ties``): supplies_local (already supplies a local enterprise) + supplies_leader
      (… a local 链主 of the chain, on top) + buys_local (already buys from a local enterprise).
    """

    leader: float = 20.0
    core: float = 10.0
    listed: float = 10.0
    fortune500: float = 15.0
    little_giant: float = 12.0
    specialised: float = 8.0
    above_scale: float = 4.0
    high_tech: float = 3.0
    tags_cap: float = 35.0
    scale: float = 10.0
    revenue: float = 10.0
    revenue_floor: float = 100.0          # 万元 (1 百万元) -> 0 points
    revenue_full: float = 10_000_000.0    # 万元 (1000 亿元) -> full points
    product_share: float = 15.0
    distance: float = 15.0
    distance_full: float = 1500.0         # km at which the distance part reaches 0
    same_province: float = 10.0
    neighbour_province: float = 5.0
    eastern_transfer: bool = False        # option: favour eastern provinces as transfer sources
    eastern: float = 8.0
    supplies_local: float = 10.0
    supplies_leader: float = 10.0
    buys_local: float = 5.0

    def with_(self, **changes) -> "Weights":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_PRIORITY = PriorityWeights()
DEFAULT_WEIGHTS = Weights()
