"""Synthetic national data: a valid import folder of any size, for benchmarks and scale tests.

Every row is made up (``source`` = ``synthetic:seed=S``, ``illustrative`` = 是). The geography is
real: all 31 provinces and their prefecture-level cities from seeds/reference/china_regions.csv
(a province without prefecture cities, i.e. a 直辖市, is itself the place enterprises sit in).

What is generated (all from one ``numpy.random.Generator(seed)``, so a seed gives identical files):

- chains: ``n_chains``; the largest has ``products_per_chain`` products, the others linearly
  fewer down to a third of that. Products sit in layers; stage (上游/中游/下游) and segment follow
  the layer; about 10% of links are key links; flows only go from a layer to a later one (and a
  product shared between chains keeps one global position), so the flows are acyclic.
- parks: a few per province (more in richer ones), kinds from the enum, a few 飞地园区 with
  ``counted_for``; each carries 1–3 chains.
- enterprises: lognormal revenue (万元), scale and employees from it, tags with realistic rarity
  (规上 ≈ 30%, 高新技术, 专精特新, 小巨人, top-500 as 500强, a handful of 独角兽), some listed;
  placed in cities weighted by economic weight, some in parks; names such as 运城华信汽车零部件有限公司.
- about 3 products made per enterprise (clustered in one chain and neighbouring layers), with
  revenue shares summing to at most 1; 1–3 链主 and 3–8 链核 per chain among its largest makers;
  about 0.5 supply ties per enterprise, between makers of products joined by a flow.

API: :func:`generate` → ImportBatch (normalised, as :func:`loaders.validate` returns it),
:func:`write_folder` (ImportBatch → <table>.csv files), :func:`synthesize` (generate straight to a
folder: the fast path behind ``chainatlas synth``). A million enterprises take well under a minute.

The parts, in the order they draw from the generator: :mod:`loaders.synth_geo`,
:mod:`loaders.synth_chains`, :mod:`loaders.synth_parks`, :mod:`loaders.synth_firms`,
:mod:`loaders.synth_links`; words and weights in :mod:`loaders.synth_vocab`, CSV writing in
:mod:`loaders.synth_write`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.errors import ChainAtlasError
from graph.model import ImportBatch
from loaders.synth_arrays import LIST_JOIN, frame
from loaders.synth_chains import build_chains
from loaders.synth_firms import build_enterprises
from loaders.synth_geo import build_geography, load_regions
from loaders.synth_links import build_makes, build_roles, build_supplies
from loaders.synth_parks import build_parks
from loaders.synth_write import write_folder, write_tables

__all__ = ["generate", "write_folder", "synthesize", "load_regions", "source_of", "AS_OF"]

AS_OF = "2024-12-31"


def source_of(seed: int) -> str:
    """The ``source`` of every synthetic row made with ``seed``."""
    return f"synthetic:seed={seed}"


def _build(n_enterprises: int, n_chains: int, products_per_chain: int, seed: int,
           regions=None) -> dict[str, pd.DataFrame]:
    """Every table without provenance columns; list columns joined by ``;``, bools as numpy
    bools, missing text as None, missing floats as NaN."""
    if n_enterprises < 0 or n_chains < 1 or products_per_chain < 3 or seed < 0:
        raise ChainAtlasError("synth: need enterprises >= 0, chains >= 1, products per chain >= 3, seed >= 0")
    ref = load_regions(regions)
    rng = np.random.default_rng(seed)
    geo = build_geography(ref, rng)
    ch = build_chains(n_chains, products_per_chain, geo, rng)
    pk = build_parks(geo, ch, rng)
    enterprises, ids, revenue, home = build_enterprises(n_enterprises, geo, ch, pk, rng)
    makes, ent, prod = build_makes(n_enterprises, ids, home, ch, rng)
    roles = build_roles(n_enterprises, ids, revenue, ent, prod, ch, rng)
    supplies = build_supplies(n_enterprises, ids, ent, prod, ch, rng)
    subclasses = frame({"product": np.zeros(0, dtype=object), "parent": np.zeros(0, dtype=object)})
    return {"regions": geo.regions, "chains": ch.table, "products": ch.products, "parks": pk.table,
            "enterprises": enterprises, "chain_products": ch.cp, "product_flows": ch.flows,
            "product_subclasses": subclasses, "park_chains": pk.carries, "enterprise_products": makes,
            "chain_roles": roles, "supplies": supplies}


def _object_values(series: pd.Series, kind: str) -> np.ndarray:
    """A raw column as the object array an ImportBatch holds (Python values, None for missing)."""
    values = series.to_numpy()
    if kind == "list":
        codes, uniques = pd.factorize(series.fillna(""), sort=False)
        lists = [u.split(LIST_JOIN) if u else [] for u in uniques]
        out = np.empty(len(codes), dtype=object)
        out[:] = [list(lists[c]) for c in codes]
        return out
    out = values.astype(object)
    if values.dtype.kind == "f":
        out[np.isnan(values)] = None
    elif values.dtype.kind == "O":
        out[pd.isna(values)] = None
    return out


def _to_batch(raw: dict[str, pd.DataFrame], source: str, as_of: str) -> ImportBatch:
    """The raw tables as a normalised ImportBatch, provenance filled in (illustrative = True)."""
    batch = ImportBatch.empty(source=source)
    for name, table in schema.TABLES.items():
        df = raw[name]
        n = len(df)
        cols = {}
        for col in table.columns:
            if col.name == "source":
                vals = np.full(n, source, dtype=object)
            elif col.name == "as_of":
                vals = np.full(n, as_of, dtype=object)
            elif col.name == "illustrative":
                vals = np.full(n, True, dtype=object)
            else:
                vals = _object_values(df[col.name], col.kind)
            cols[col.name] = pd.Series(vals, dtype=object)
        batch.tables[name] = pd.DataFrame(cols, columns=table.column_names)
    return batch


def generate(n_enterprises: int = 10_000, n_chains: int = 10, products_per_chain: int = 60, seed: int = 1,
             *, regions=None, as_of: str = AS_OF) -> ImportBatch:
    """A synthetic national data set as a normalised ImportBatch (object columns, Python values,
    lists as lists, ids in every ``ref:`` column), exactly what validating the folder written by
    :func:`synthesize` with the same arguments gives. ``regions``: see :func:`load_regions`."""
    raw = _build(n_enterprises, n_chains, products_per_chain, seed, regions)
    return _to_batch(raw, source_of(seed), as_of)


def synthesize(out_dir, n_enterprises: int = 10_000, n_chains: int = 10, products_per_chain: int = 60,
               seed: int = 1, *, regions=None, as_of: str = AS_OF) -> dict[str, int]:
    """Generate and write straight to ``out_dir`` (no per-row Python objects for lists);
    the files equal ``write_folder(generate(...))``. Returns rows per table."""
    raw = _build(n_enterprises, n_chains, products_per_chain, seed, regions)
    write_tables(raw, out_dir, (source_of(seed), as_of, True))
    return {name: len(raw[name]) for name in schema.LOAD_ORDER}
