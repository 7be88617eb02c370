"""Columnar copies of the makers data, rebuilt inside every load transaction.

A gap analysis asks ``makers()`` for the few hundred products of one chain; at national scale that
is ~170k MAKES rows, of which a diagnosis needs only the makers local to its place and those of
unknown location (a few %). So every write that changes the makers (or the regions) rebuilds, in
the same transaction (so they can never disagree with the tables), three derived tables:

- ``derived_parts (product, part, n, fixed, ids, names)``: a product's MAKES rows split by *part*
  — the top region (province) of the maker's region in the region table, or ``?`` (NO_PART) for
  no region or a code missing from the table — in enterprise-id order, with everything
  ``makers()`` returns about them: ``fixed`` one record per row (see :func:`fixed_dtype`: the
  row's position among the product's rows; region/park/scale/tags/region_source/provenance as
  codes, -1 = missing, into the dictionaries below; listed 0/1/2 = unknown; revenue, employees,
  share as float, NaN = unknown; the byte lengths of the id and name), ``ids``/``names`` the UTF-8
  bytes. A scope reads only the parts it can touch (:func:`parts_for`); "outside" reads all.
- ``derived_counts (product, makers)``: MAKES rows per product (``maker_counts``).
- ``derived (name, data)``: ``dicts`` — the dictionaries (JSON: region, park, scale, tags as JSON
  text, prov as [source, as_of, illustrative]), each region code's part, each park's makers'
  parts and the record layout; ``generation`` — the layout FORMAT and data generation they were
  built for.

A reader checks ``generation`` against the store's in its read transaction and uses them only when
they match (stores written by an older version fall back to the row tables), so results are the
same either way; tests/graph/store/test_derived.py compares both paths. A first load into empty
tables builds them from its frames (graph.store.embedded.derived_fresh), any other from the tables.

>>> import pyarrow as pa
>>> _blank_null(pa.array(["a", ""])).to_pylist()
['a', None]
"""
from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DDL = ["CREATE TABLE IF NOT EXISTS derived (name TEXT PRIMARY KEY, data BLOB)",
       "CREATE TABLE IF NOT EXISTS derived_parts (product TEXT, part TEXT, n INTEGER, fixed BLOB, ids BLOB, "
       "names BLOB, PRIMARY KEY (product, part))",
       "CREATE TABLE IF NOT EXISTS derived_counts (product TEXT PRIMARY KEY, makers INTEGER)"]
TABLES = ("derived", "derived_parts", "derived_counts")
OLD_TABLES = ("derived_makes",)                              # earlier layouts, dropped by the next rebuild
SOURCES = ("enterprises", "enterprise_products", "regions")  # the row tables they are made from
CODED = ("region", "park", "scale", "tags", "prov", "region_source")       # int32 codes into the ``dicts`` entry
FORMAT = "3"             # bumped when the layout changes: older derived tables then count as stale
NO_PART = "?"            # the part of makers with no region or a region code missing from the region table
_SEP = "\x1f"
BLOCK = 1 << 18          # MAKES rows per slab while writing derived_parts (bounds the build's memory)
_PROV = "ifnull(source, '') || char(30) || ifnull(as_of, '') || char(30) || ifnull(illustrative, '')"
# One MAKES row in ``derived_parts.fixed``: its position among the product's rows, the codes, numbers
# and the UTF-8 lengths of its enterprise id and name (whose bytes are in ``ids`` and ``names``). The
# integer fields are as narrow as the data allows (the layout is kept in the ``dicts`` entry).
FIELDS = ("seq", "region", "park", "scale", "tags", "region_source", "prov", "listed", "revenue", "employees",
          "share", "id_len", "name_len")
_FLOATS = ("revenue", "employees", "share")


def fixed_dtype(largest: dict[str, int]) -> np.dtype:
    """The record of ``derived_parts.fixed`` for the largest value of each integer field.

    >>> fixed_dtype({f: 100 for f in FIELDS if f not in _FLOATS}).itemsize
    34
    """
    def narrow(n: int) -> str:
        return "i1" if n < 2 ** 7 else "<i2" if n < 2 ** 15 else "<i4" if n < 2 ** 31 else "<i8"
    return np.dtype([(f, "<f8" if f in _FLOATS else narrow(largest[f])) for f in FIELDS])


# --- build (inside the write transaction) ----------------------------------------------------------
def _columns(conn, exprs: list[str], source: str) -> list[pa.StringArray]:
    """Text columns of ``SELECT exprs FROM source`` as Arrow string arrays, in one scan: one
    ``group_concat`` per column, split in Arrow (no Python string per value); rows one by one when a
    value holds the separator."""
    inner = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
    aggs = ", ".join(f"group_concat(c{i}, char(31))" for i in range(len(exprs)))
    n, *texts = conn.execute(f"SELECT count(*), {aggs} FROM (SELECT {inner} FROM {source})").fetchone()
    if not n:
        return [pa.array([], pa.string()) for _ in exprs]
    cols = [pc.split_pattern(pa.array([t], pa.large_string()), _SEP).flatten().cast(pa.string()) for t in texts]
    del texts
    if all(len(c) == n for c in cols):
        return cols
    rows = conn.execute(f"SELECT {inner} FROM {source}").fetchall()
    return [pa.array([str(v) for v in col], pa.string()) for col in zip(*rows)]


def _blank_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _encode(arr: pa.Array) -> tuple[np.ndarray, list]:
    """(int32 codes, -1 for null; the distinct values)."""
    d = pc.dictionary_encode(arr)
    return d.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32), d.dictionary.to_pylist()


def region_parts(regions: dict, codes: list) -> list[str]:
    """The part of each region code: its top ancestor in ``regions`` (code -> parent), NO_PART for a
    code missing from it.

    >>> region_parts({"14": None, "1401": "14", "140105": "1401"}, ["140105", "14", "99"])
    ['14', '14', '?']
    """
    out = []
    for code in codes:
        seen = []
        while code in regions and code not in seen and regions[code] not in (None, ""):
            seen.append(code)
            code = regions[code]
        out.append(code if code in regions else NO_PART)
    return out


def rebuild(conn, generation: int, fresh=None) -> None:
    """Recompute the derived tables (inside the caller's write transaction): from ``fresh``
    (graph.store.embedded.derived_fresh.Fresh: the frames just bulk-loaded into the empty makers tables)
    when it holds them all, else from the row tables."""
    got = fresh.columns(conn) if fresh is not None and fresh.complete() else None
    ent_text, ent_num, makes = got if got is not None else _from_tables(conn)
    write(conn, generation, layout(regions_of(conn), ent_text, ent_num, makes))


def regions_of(conn) -> dict:
    """Region code -> parent code, as the write transaction sees them."""
    return dict(conn.execute("SELECT code, parent FROM regions").fetchall())


def write(conn, generation: int, built: tuple) -> None:
    """Replace the derived tables' rows by ``built`` (see :func:`layout`), tagged for ``generation``."""
    parts, counts, dicts = built
    clear(conn)
    write_parts(conn, parts)
    write_rest(conn, generation, counts, dicts)


def clear(conn) -> None:
    for t in TABLES + OLD_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {t}" if t in OLD_TABLES else f"DELETE FROM {t}")


def write_parts(conn, parts) -> None:
    """Add rows of derived_parts (after :func:`clear`; in any number of calls)."""
    conn.executemany("INSERT INTO derived_parts VALUES (?, ?, ?, ?, ?, ?)", parts)


def write_rest(conn, generation: int, counts: list, dicts: str) -> None:
    """derived_counts, the dicts and the generation tag (once all of derived_parts is written)."""
    conn.executemany("INSERT INTO derived_counts VALUES (?, ?)", counts)
    conn.execute("INSERT INTO derived VALUES ('dicts', ?)", (dicts,))
    conn.execute("INSERT INTO derived VALUES ('generation', ?)", (_tag(generation),))


def _from_tables(conn):
    """(enterprise text columns, enterprise numbers, MAKES columns) read from the row tables; the
    same as derived_fresh.Fresh.columns gives from the frames."""
    ids, name, region, park, scale, revenue, employees, listed, tags, region_source = _columns(
        conn, ["enterprise_id", "ifnull(name, '')", "ifnull(region, '')", "ifnull(park, '')", "ifnull(scale, '')",
               "ifnull(revenue, 'nan')", "ifnull(employees, '')", "ifnull(listed, '')", "ifnull(tags, '[]')",
               "ifnull(region_source, '')"],
        "enterprises")
    ent_text = {"enterprise_id": ids, "name": name, "region": region, "park": park, "scale": scale, "tags": tags,
                "region_source": region_source}
    ent_num = {"revenue": revenue.cast(pa.float64()).to_numpy(zero_copy_only=False),
               "employees": _blank_null(employees).cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False),
               "listed": np.where(pc.equal(listed, "").to_numpy(zero_copy_only=False), 2,
                                  pc.equal(listed, "1").to_numpy(zero_copy_only=False)).astype(np.int8)}
    del revenue, employees, listed
    product, who, share, prov = _columns(conn, ["product", "enterprise", "ifnull(revenue_share, 'nan')", _PROV],
                                         "enterprise_products ORDER BY enterprise, product")
    return ent_text, ent_num, (product, who, share.cast(pa.float64()).to_numpy(zero_copy_only=False), *_encode(prov),
                               True)


def layout(regions: dict, ent_text: dict, ent_num: dict, makes: tuple) -> tuple:
    """Code the columns: (the rows of derived_parts, made slab by slab as they are taken; those of
    derived_counts; the ``dicts`` JSON) for :func:`write`. ``regions``: :func:`regions_of`. ``makes``: (product, enterprise, share, provenance codes,
    their texts source\\x1eas_of\\x1eillustrative, ordered = the rows come by (enterprise, product) already)."""
    ids = ent_text["enterprise_id"]
    dicts, ent = {}, {"enterprise_id": ids, "name": ent_text["name"], **ent_num}
    for key in ("region", "park", "scale", "tags", "region_source"):
        arr = ent_text.pop(key)
        ent[key], dicts[key] = _encode(arr if key == "tags" else _blank_null(arr))
    del ent_text
    product, who, share, prov_codes, prov_uniq, ordered = makes
    del makes
    pos = pc.index_in(who, value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
    dicts["prov"] = [[x or None for x in u.split("\x1e")[:2]] + [{"1": True, "0": False}.get(u.split("\x1e")[2])]
                     for u in prov_uniq]
    p_codes, p_uniq = _encode(product)
    del product
    if not ordered and len(pos):      # SQLite's order: enterprise id, then product id, both by their bytes
        e_rank = np.arange(len(ids), dtype=np.int64)
        if len(ids) > 1 and not pc.all(pc.less(ids.slice(0, len(ids) - 1), ids.slice(1))).as_py():
            e_rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids))
        p_rank = np.empty(len(p_uniq), dtype=np.int64)
        p_rank[pc.sort_indices(pa.array(p_uniq, pa.string())).to_numpy()] = np.arange(len(p_uniq))
        key = e_rank[pos] * len(p_uniq) + p_rank[p_codes]
        if not bool(np.all(key[1:] > key[:-1])):
            order = np.argsort(key, kind="stable")
            pos, p_codes, share, prov_codes = pos[order], p_codes[order], share[order], prov_codes[order]
        del key
    del who
    return _rows(regions, ent, dicts, pos, p_codes, p_uniq, share, prov_codes)


def _rows(regions: dict, ent: dict, dicts: dict, pos, p_codes, p_uniq: list, share, prov_codes) -> tuple:
    """The rows of derived_parts/derived_counts and the dicts JSON from the enterprise columns ``ent``
    and the MAKES rows (enterprise position, product code, share, provenance code) in (enterprise,
    product) order."""
    parts = region_parts(regions, dicts["region"])
    part_names = sorted(set(parts) | {NO_PART})
    part_code = np.array([part_names.index(p) for p in parts] + [part_names.index(NO_PART)], dtype=np.int32)
    ent_part = part_code[ent["region"]]                 # code -1 (no region) picks the last entry: NO_PART
    mk_part = ent_part[pos]
    counts = np.bincount(p_codes, minlength=len(p_uniq))
    n_parts = len(part_names)
    group = p_codes.astype(np.int64) * n_parts + mk_part
    by_product = _stable_order(p_codes, len(p_uniq))
    order = by_product[_stable_order(mk_part[by_product], n_parts)]
    order = order[_stable_order(p_codes[order], len(p_uniq))]  # by (product, part), then still by enterprise
    seq = np.empty(len(p_codes), dtype=np.int32)    # a row's position among its product's rows
    seq[by_product] = np.arange(len(p_codes)) - np.repeat(np.cumsum(counts) - counts, counts)
    del by_product
    pos, group, seq, share, prov_codes = pos[order], group[order], seq[order], share[order], prov_codes[order]
    del order, mk_part, p_codes
    park = ent["park"][pos]
    park_parts: list[list] = [[] for _ in dicts["park"]]
    for combo in np.unique(park[park >= 0].astype(np.int64) * n_parts + (group % n_parts)[park >= 0]).tolist():
        park_parts[combo // n_parts].append(part_names[combo % n_parts])
    del park
    dicts["region_part"], dicts["park_parts"] = parts, park_parts
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(group)) + 1, [len(group)]]) if len(group) \
        else np.zeros(1, dtype=np.int64)
    fixed_t = fixed_dtype({"seq": int(counts.max(initial=0)), "listed": 2, "prov": len(dicts["prov"]),
                           **{k: len(dicts[k]) for k in ("region", "park", "scale", "tags", "region_source")},
                           **{f"{k}_len": _longest(ent[c]) for k, c in (("id", "enterprise_id"), ("name", "name"))}})
    dicts["fixed"] = fixed_t.descr
    keys = group[bounds[:-1]]
    names = [p_uniq[k] for k in (keys // n_parts).tolist()]
    part_of = [part_names[k] for k in (keys % n_parts).tolist()]

    def blobs():   # groups in slabs of about BLOCK rows: the 3M-row columns are never built whole
        g = 0
        while g < len(bounds) - 1:
            stop = max(g + 1, int(np.searchsorted(bounds, bounds[g] + BLOCK, side="right")) - 1)
            a0, b0 = bounds[g], bounds[stop]
            at = pos[a0:b0]
            rec = np.empty(b0 - a0, dtype=fixed_t)
            for k in ("region", "park", "scale", "tags", "region_source", "revenue", "employees", "listed"):
                rec[k] = ent[k][at]
            rec["seq"], rec["share"], rec["prov"] = seq[a0:b0], share[a0:b0], prov_codes[a0:b0]
            cut = bounds[g:stop + 1] - a0
            views = []
            for k, col in (("id", "enterprise_id"), ("name", "name")):
                arr = ent[col].take(pa.array(at, pa.int64()))
                off = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset:arr.offset + len(arr) + 1]
                rec[k + "_len"] = np.diff(off)
                data = memoryview(arr.buffers()[2] or b"")
                views.append([data[a:b] for a, b in zip(off[cut[:-1]].tolist(), off[cut[1:]].tolist())])
            fixed = memoryview(rec.tobytes())
            size = fixed_t.itemsize
            views.append([fixed[a * size:b * size] for a, b in zip(cut[:-1].tolist(), cut[1:].tolist())])
            yield from zip(names[g:stop], part_of[g:stop], np.diff(cut).tolist(), views[2], views[0], views[1])
            g = stop
    return blobs(), list(zip(p_uniq, counts.tolist())), json.dumps(dicts, ensure_ascii=False)


def _longest(arr: pa.Array) -> int:
    """The most UTF-8 bytes of one value of a string array."""
    return int(pc.max(pc.binary_length(arr)).as_py() or 0) if len(arr) else 0


def _stable_order(codes: np.ndarray, n: int) -> np.ndarray:
    """Stable argsort of small non-negative int codes (< n): a radix sort when they fit 16 bits.

    >>> _stable_order(np.array([2, 0, 2, 1]), 3).tolist()
    [1, 3, 0, 2]
    """
    return np.argsort(codes.astype(np.int16 if n < 2 ** 15 else np.int64), kind="stable")


def _tag(generation: int) -> str:
    return f"{FORMAT}:{generation}"


def retag(conn, generation: int) -> None:
    """Mark the derived tables as built for ``generation`` (a write that left SOURCES as they were)."""
    conn.execute("UPDATE derived SET data = ? WHERE name = 'generation'", (_tag(generation),))


# --- read ------------------------------------------------------------------------------------------
def current(conn, generation: int) -> bool:
    """Are the derived tables there, of this layout and built for ``generation``?"""
    try:
        row = conn.execute("SELECT data FROM derived WHERE name = 'generation'").fetchone()
    except Exception:  # noqa: BLE001  (a store made before the derived tables existed)
        return False
    return row is not None and str(row[0]) == _tag(generation)


def dictionaries(conn) -> dict:
    """The code dictionaries: region, park, scale (object arrays with None last, so code -1 gives
    None), tags (object array of lists), prov (list of [source, as_of, illustrative]); and for
    choosing parts: ``region_part`` (region code -> part), ``park_parts`` (park -> its makers' parts)."""
    row = conn.execute("SELECT data FROM derived WHERE name = 'dicts'").fetchone()
    d = json.loads(row[0]) if row else {k: [] for k in (*CODED, "region_part", "park_parts")}
    out = {k: _with_none(d.get(k, [])) for k in ("region", "park", "scale", "region_source")}
    out["tags"] = _objects([json.loads(t) for t in d["tags"]])
    out["prov"] = d["prov"]
    out["fixed"] = np.dtype([tuple(f) for f in d.get("fixed", [])])
    out["region_part"] = dict(zip(d["region"], d["region_part"]))
    out["park_parts"] = dict(zip(d["park"], d["park_parts"]))
    return out


def parts_for(dicts: dict, scope, side: str) -> frozenset | None:
    """The parts that can hold makers of ``side`` for ``scope`` (None: every part). Inside: the parts
    of the scope's regions and of its included parks' makers; unknown: those of every region code
    the scope does not settle; both also NO_PART (no region, or a code missing from the region table),
    so one read serves a diagnosis' inside and unknown calls.

    >>> from graph.store import Scope
    >>> d = {"region_part": {"140100": "140000", "320500": "320000", "99": "?"}, "park_parts": {"K1": ["320000"]}}
    >>> sorted(parts_for(d, Scope(region_codes=frozenset({"140100"})), "inside"))
    ['140000', '?']
    >>> sorted(parts_for(d, Scope(include_parks=frozenset({"K1"})), "inside"))
    ['320000', '?']
    >>> sorted(parts_for(d, Scope(settled_regions=frozenset({"140100", "320500"})), "unknown"))
    ['?']
    """
    if side not in ("inside", "unknown") or scope is None:
        return None
    rp = dicts["region_part"]
    if side == "inside":
        got = {rp[r] for r in scope.region_codes if r in rp}
        for p in scope.include_parks:
            got.update(dicts["park_parts"].get(p, ()))
    else:
        got = {part for r, part in rp.items() if r not in scope.settled_regions}
    return frozenset(got | {NO_PART})


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _with_none(values: list) -> np.ndarray:
    return _objects(list(values) + [None])


def _strings(blobs: list[bytes], lengths: np.ndarray) -> pa.Array:
    """One Arrow string array from the concatenated UTF-8 bytes and the length of each value."""
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    data = pa.py_buffer(b"".join(blobs))
    if offsets[-1] < 2 ** 31 - 1:
        return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets.astype(np.int32)), data)
    return pa.LargeStringArray.from_buffers(len(lengths), pa.py_buffer(offsets), data)


def fetch(conn, products: list[str], parts: frozenset | None, dicts: dict
          ) -> tuple[list[str], dict[str, np.ndarray | pa.Array], np.ndarray, np.ndarray]:
    """The stored MAKES rows of ``products`` (sorted; products without makers left out) whose maker
    lies in one of ``parts`` (None: all): (products found, columns over those rows as stored, rows
    per product, ``order``: the stored row of each product's rows in enterprise-id order, so
    ``col[order]`` lists them product by product the way the row tables do)."""
    sql = "SELECT product, n, fixed, ids, names FROM derived_parts WHERE product IN (SELECT value FROM json_each(?))"
    args = [json.dumps(products, ensure_ascii=False)]
    if parts is not None:
        sql += " AND part IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(sorted(parts), ensure_ascii=False))
    found = conn.execute(sql + " ORDER BY product, part", args).fetchall()
    if not found:
        return [], {}, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    names, n, fixed, id_blobs, name_blobs = zip(*found)
    del found
    have, first = np.unique(np.asarray(names, dtype=object), return_index=True)
    sizes = np.add.reduceat(np.asarray(n, dtype=np.int64), np.sort(first))
    rec = np.frombuffer(b"".join(fixed), dtype=dicts["fixed"])
    if parts is None:    # every row of each product: (product's start + position among its rows) is a permutation
        key = np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes) + rec["seq"]
        order = np.empty(len(key), dtype=np.int64)
        order[key] = np.arange(len(key))
    else:
        order = np.argsort((np.repeat(np.arange(len(sizes), dtype=np.int64), sizes) << 32) + rec["seq"], kind="stable")
    cols = {k: rec[k] for k in FIELDS if k not in ("seq", "id_len", "name_len")}
    cols["enterprise_id"] = _strings(id_blobs, rec["id_len"])
    cols["name"] = _strings(name_blobs, rec["name_len"])
    return list(have), cols, sizes, order


def take_text(arr, idx: np.ndarray) -> np.ndarray:
    """Object array of ``arr[idx]`` (an Arrow string array or a numpy object array)."""
    if isinstance(arr, np.ndarray):
        return arr[idx]
    return arr.take(pa.array(idx, pa.int64())).to_numpy(zero_copy_only=False).astype(object)
