"""The store interface: one contract, two implementations.

- :class:`graph.store.embedded.store.EmbeddedStore` (default): a directory on disk, no server.
- :class:`graph.store.neo4j.store.Neo4jStore`: a Neo4j 5 server or cluster via the official driver.

:func:`graph.store.factory.open_store` picks one from :class:`graph.settings.Settings`. Every read returns plain
Python values or pandas DataFrames (never driver objects), with exactly the columns documented
here, so the gap engine, the app and the CLI run unchanged on either store. The contract tests in
tests/graph/store/test_store_contract.py run the same assertions against both.

Column conventions for the DataFrames returned:
- ids are ``str``; missing values are ``None`` (or NaN in float columns);
- ``tags`` and ``aliases`` are lists of str (empty list when none);
- every row that is a fact carries ``source``, ``as_of`` and ``illustrative``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, Iterable

import pandas as pd

from graph.model import ImportBatch, LoadReport

# progress(step, done, total): step is a table name or a phase such as "commit".
Progress = Callable[[str, int, int], None]

# Columns of makers(): one row per (enterprise, product) MAKES relationship.
MAKER_COLUMNS = ["enterprise_id", "product_id", "revenue_share", "name", "region", "park", "scale",
                 "revenue", "employees", "listed", "tags", "source", "as_of", "illustrative"]

# Columns of projects(): one row per 招商项目 (recruitment project, #16). ``products``/``chains``
# (ids) and ``product_names`` are lists; ``investment`` (万元) float; dates are text YYYY-MM-DD,
# ``created_at``/``updated_at`` YYYY-MM-DD HH:MM:SS; stage one of graph.schema.PROJECT_STAGES.
PROJECT_COLUMNS = ["project_id", "name", "enterprise_id", "enterprise", "products", "product_names", "chains",
                   "region", "park", "stage", "stop_reason", "unit", "person", "investment", "next_step",
                   "next_date", "notes", "landed_on", "created_at", "updated_at", "source", "as_of",
                   "illustrative"]
PROJECT_LIST_COLUMNS = ("products", "product_names", "chains")
# Columns of project_history(): one row per stage change (``seq`` 1, 2 … per project; the
# creation is seq 1 with from_stage None).
HISTORY_COLUMNS = ["project_id", "seq", "at", "by", "from_stage", "to_stage", "note"]


@dataclass(frozen=True)
class Scope:
    """Which enterprises count as local.

    An enterprise is local iff its park is in ``include_parks``, or its region is in
    ``region_codes`` and its park is not in ``exclude_parks``. Enterprises with an unknown
    region and no park are never local. The gap engine builds scopes (a region and all its
    descendants, 飞地园区 attribution on or off); stores only apply them.
    """

    region_codes: frozenset[str] = frozenset()
    include_parks: frozenset[str] = frozenset()
    exclude_parks: frozenset[str] = frozenset()


@dataclass
class ChainView:
    """One chain with everything the gap engine needs that is small.

    chain:    dict of the chains row (import columns, ids)
    products: chain_products joined with products: product_id, name, aliases, gbt4754, stage,
              segment, key_link, source, as_of, illustrative (of the INCLUDES fact)
    flows:    product_flows among the chain's products: from_product, to_product, cycle_ok,
              source, as_of, illustrative
    roles:    chain_roles joined with enterprises: enterprise_id, name, role, evidence, region,
              park, scale, tags, source, as_of, illustrative (of the role fact)
    parks:    parks carrying the chain: park_id, name, kind, region, counted_for, source, as_of,
              illustrative (of the CARRIES fact)
    """

    chain: dict
    products: pd.DataFrame
    flows: pd.DataFrame
    roles: pd.DataFrame
    parks: pd.DataFrame


class AtlasStore(ABC):
    backend: str = ""      # "embedded" | "neo4j"
    location: str = ""     # path or URI, for messages

    # --- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Release files/connections. Idempotent."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- writes --------------------------------------------------------------
    @abstractmethod
    def plan(self, batch: ImportBatch) -> LoadReport:
        """What :meth:`apply` would add and change, per table; writes nothing (written=False)."""

    @abstractmethod
    def apply(self, batch: ImportBatch, progress: Progress | None = None) -> LoadReport:
        """Merge the batch by key, all or nothing: nodes before relationships, one transaction
        (or an atomic swap). Re-applying the same batch adds nothing (changes 0)."""

    def pending_loads(self) -> list[dict]:
        """Loads that hold the write lock or were interrupted without finishing: dicts with ``id``,
        ``started`` (epoch s), ``status``, ``pid``, ``host``, ``source``, ``batches``, ``stale`` (its
        process is gone: ``chainatlas recover`` rolls it back). The embedded
        store swaps a whole load in at once, so it never has any."""
        return []

    def check_writable(self) -> None:
        """Raise StoreLocked (another load runs) or UnfinishedLoad (a killed load must be recovered
        first) when a load could not start now."""

    def recover(self, force: bool = False, progress: Progress | None = None) -> list[dict]:
        """Roll back loads left behind by killed processes (see :meth:`pending_loads`); returns one
        dict per load handled (``action``: rolled back / commit completed). ``force`` also takes
        over a load whose process seems alive."""
        return []

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and relationship (used by tests and full reloads)."""

    # --- reads: whole tables and counts ---------------------------------------
    @abstractmethod
    def table(self, name: str) -> pd.DataFrame:
        """A whole import table as stored, with the import columns (see graph.schema.TABLES);
        ``ref:`` columns hold ids. Meant for the small tables; large ones work but are slow."""

    @abstractmethod
    def node_names(self, table: str) -> pd.DataFrame:
        """Columns ``id``, ``name`` of a node table (``regions``: id is the code).
        Used to resolve names in later workbooks against what is stored."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Count of every node label and relationship type in graph.schema (zeros included).
        LOCATED_IN, IN_PARK, PARK_IN, COUNTED_FOR and PART_OF are derived from the region/park
        columns and counted like the others."""

    def generation(self) -> str:
        """A token that changes whenever the stored data changes (from any process), so callers
        can key caches on it. The default derives it from :meth:`counts` (it misses a load that
        only changes properties); the embedded store returns its write counter."""
        return ",".join(f"{k}={v}" for k, v in sorted(self.counts().items()))

    def is_empty(self) -> bool:
        c = self.counts()
        return all(c.get(label, 0) == 0 for label in ("Chain", "Product", "Enterprise"))

    @abstractmethod
    def sources(self) -> pd.DataFrame:
        """Provenance summary: columns ``source``, ``as_of``, ``table``, ``rows``,
        ``illustrative_rows``; one row per (source, as_of, table)."""

    # --- reads: the engine's queries -----------------------------------------
    @abstractmethod
    def chain_view(self, chain_id: str) -> ChainView:
        """The chain's products, flows among them, 链主/链核 and parks. Raises NotFound."""

    @abstractmethod
    def makers(self, product_ids: Iterable[str], scope: Scope | None = None,
               side: str = "all") -> pd.DataFrame:
        """Makers of the given products, MAKER_COLUMNS, one row per MAKES relationship.

        side: ``inside`` (local to scope), ``outside`` (not local, unknown region included),
        or ``all`` (scope ignored). source/as_of/illustrative are those of the MAKES fact.
        Must stay fast with a million enterprises: driven by the product ids."""

    @abstractmethod
    def maker_counts(self, product_ids: Iterable[str]) -> pd.DataFrame:
        """Columns ``product_id``, ``makers``: makers anywhere in the data (0 included), so the
        engine can tell "no data" from "no local maker"."""

    @abstractmethod
    def products(self, ids: Iterable[str]) -> pd.DataFrame:
        """Product rows (import columns) for the given ids, in any order."""

    @abstractmethod
    def find_products(self, texts: Iterable[str]) -> pd.DataFrame:
        """Products whose id, name or one of whose aliases equals one of ``texts`` exactly:
        columns ``product_id``, ``name``, ``aliases`` (ordered by id)."""

    @abstractmethod
    def product_flows_of(self, product_ids: Iterable[str]) -> pd.DataFrame:
        """Flows with either end among the given products: ``from_product``, ``to_product``,
        ``cycle_ok``, ``source``, ``as_of``, ``illustrative`` (ordered by from, to). With
        :meth:`flow_degrees`, lets a caller walk the flow graph without reading it whole."""

    @abstractmethod
    def flow_degrees(self, product_ids: Iterable[str]) -> pd.DataFrame:
        """Columns ``product_id``, ``degree``: distinct flow neighbours (up- or downstream, not
        itself) of each given product, 0 included."""

    @abstractmethod
    def enterprises(self, ids: Iterable[str]) -> pd.DataFrame:
        """Enterprise rows (import columns) for the given ids, in any order."""

    @abstractmethod
    def supplies(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        """Supply ties touching the given enterprises (as supplier or customer):
        columns ``supplier``, ``customer``, ``product``, ``source``, ``as_of``, ``illustrative``."""

    @abstractmethod
    def enterprise_products(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        """MAKES rows of the given enterprises: ``enterprise_id``, ``product_id``, ``product``
        (name), ``revenue_share``, ``source``, ``as_of``, ``illustrative``."""

    @abstractmethod
    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        """Case-insensitive substring search over names (and aliases, stock codes, USCC) of all
        node kinds: columns ``label`` (Chain/Product/Enterprise/Park/Region), ``id``, ``name``,
        ``detail`` (e.g. the region name). Exact matches first, then shorter names."""

    @abstractmethod
    def neighbourhood(self, label: str, node_id: str, limit: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
        """One hop around a node. Returns (nodes, edges): nodes ``label``, ``id``, ``name``
        (the centre included); edges ``source_label``, ``source``, ``target_label``, ``target``,
        ``type`` (a schema relationship type). At most ``limit`` neighbours."""

    # --- 招商项目 (recruitment projects, #16): kept apart from the chain data ----------------------
    # Never touched by apply() or clear(): a reload of the chain data keeps every project.
    @abstractmethod
    def save_projects(self, projects: list[dict], events: list[dict] = ()) -> None:
        """Upsert ``projects`` (dicts with PROJECT_COLUMNS; a project is replaced whole) and add
        ``events`` (dicts with HISTORY_COLUMNS) in one transaction, all or nothing. An event
        whose (project_id, seq) exists already raises ChainAtlasError (someone else moved the
        project meanwhile): nothing is written."""

    @abstractmethod
    def projects(self) -> pd.DataFrame:
        """Every project, PROJECT_COLUMNS, ordered by project_id."""

    @abstractmethod
    def project_history(self, project_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Stage changes (HISTORY_COLUMNS) of the given projects (None = all), by project_id, seq."""

    @abstractmethod
    def clear_projects(self) -> None:
        """Delete every project and its history (tests; never part of a data reload)."""
