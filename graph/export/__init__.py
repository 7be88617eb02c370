"""graph.export — the 清单 a planner hands on, and what changed since the last one.

- :mod:`.build`: :func:`build_export`, the 清单 tables for a place and its chains, written as
  xlsx, a CSV folder, zip or JSON; :mod:`.tables`: the tables' columns and Chinese headers.
- :mod:`.xlsx`: the xlsx writer (formats, widths, grade colours).
- :mod:`.safe`: formula safety and cell limits for every spreadsheet cell the project writes.
- :mod:`.snapshot`: the snapshot embedded in each export, and the diff of two exports.

May import: graph's top-level modules, graph.store (contract) and graph.analysis. Never
loaders/ or the faces.
"""
