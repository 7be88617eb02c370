"""One settings object, read once from the environment.

Every setting, its environment variable and default:

========================  =====================  ==================================================
setting                   variable               meaning
========================  =====================  ==================================================
db                        CHAINATLAS_DB          where the atlas lives: a directory path for the
                                                 embedded store (default ``./atlas-data``), or a
                                                 ``bolt://``, ``neo4j://`` (cluster routing),
                                                 ``bolt+s://`` or ``neo4j+s://`` URI for Neo4j 5
neo4j_user                NEO4J_USER             Neo4j user (default ``neo4j``)
neo4j_password            NEO4J_PASSWORD         Neo4j password (default empty)
neo4j_database            NEO4J_DATABASE         Neo4j database (default ``neo4j``)
seed                      CHAINATLAS_SEED        dataset loaded on a first start with an empty
                                                 store (default: the built-in Shanxi seed,
                                                 ``seeds/shanxi``); ``none`` turns it off
editing                   CHAINATLAS_EDITING     who may load data in the app: ``open`` (default),
                                                 ``password`` (needs ``editor_password`` in
                                                 Streamlit secrets or CHAINATLAS_EDITOR_PASSWORD),
                                                 ``off``
editor_password           CHAINATLAS_EDITOR_PASSWORD  password for ``editing=password`` when no
                                                 Streamlit secret is set
batch_size                CHAINATLAS_BATCH_SIZE  rows per write batch (on Neo4j one UNWIND batch
                                                 and one journaled transaction; default 5000)
max_input_mb              CHAINATLAS_MAX_INPUT_MB  largest input file (workbook, zip, CSV; a
                                                 folder: all its CSV files) in MB (default 1024)
max_member_mb             CHAINATLAS_MAX_MEMBER_MB  largest unpacked zip member or workbook
                                                 part in MB (default 500)
max_zip_ratio             CHAINATLAS_MAX_ZIP_RATIO  largest compression ratio of a zip member
                                                 or workbook part over 1 MB (default 100)
max_rows                  CHAINATLAS_MAX_ROWS    most data rows in one table (default 5000000)
max_problems              CHAINATLAS_MAX_PROBLEMS  problems listed per column and kind; the
                                                 rest are counted (default 20)
scenarios                 CHAINATLAS_SCENARIOS   folder of saved what-if scenarios (假如引进情景,
                                                 small JSON files); default ``<db>/scenarios``
                                                 for the embedded store, ``./atlas-scenarios``
                                                 for Neo4j
cache_dir                 CHAINATLAS_CACHE_DIR   the app's first-page results kept between starts
                                                 (ui/result_cache.py); default
                                                 ``$XDG_CACHE_HOME/chainatlas``; ``none`` = off
warm                      CHAINATLAS_WARM        ``streamlit run serve.py`` begins the default
                                                 page's work at server start (ui/warm.py);
                                                 ``0`` = off (default on)
========================  =====================  ==================================================

>>> s = Settings.from_env({"CHAINATLAS_DB": "neo4j://db.example:7687"})
>>> s.backend
'neo4j'
>>> Settings.from_env({}).backend
'embedded'
>>> Settings.from_env({"CHAINATLAS_WARM": "off"}).warm, Settings.from_env({}).warm
(False, True)
>>> Settings.from_env({"CHAINATLAS_CACHE_DIR": " none "}).cache_dir
'none'
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO_ROOT / "seeds" / "shanxi"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


@dataclass(frozen=True)
class Settings:
    db: str = "./atlas-data"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    seed: str = str(DEFAULT_SEED)
    editing: str = "open"
    editor_password: str = ""
    batch_size: int = 5000
    max_input_mb: float = 1024.0
    max_member_mb: float = 500.0
    max_zip_ratio: float = 100.0
    max_rows: int = 5_000_000
    max_problems: int = 20
    scenarios: str = ""
    cache_dir: str = ""
    warm: bool = True

    @property
    def backend(self) -> str:
        return "neo4j" if self.db.startswith(NEO4J_SCHEMES) else "embedded"

    @property
    def scenarios_dir(self) -> Path:
        if self.scenarios:
            return Path(self.scenarios)
        return Path(self.db) / "scenarios" if self.backend == "embedded" else Path("atlas-scenarios")

    @property
    def seed_path(self) -> Path | None:
        return None if self.seed.strip().lower() in ("", "none", "off") else Path(self.seed)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        d = cls()
        editing = env.get("CHAINATLAS_EDITING", d.editing).strip().lower()
        if editing not in ("open", "password", "off"):
            editing = "off"  # an unknown value fails closed
        return cls(
            db=env.get("CHAINATLAS_DB", d.db) or d.db,
            neo4j_user=env.get("NEO4J_USER", d.neo4j_user),
            neo4j_password=env.get("NEO4J_PASSWORD", d.neo4j_password),
            neo4j_database=env.get("NEO4J_DATABASE", d.neo4j_database),
            seed=env.get("CHAINATLAS_SEED", d.seed),
            editing=editing,
            editor_password=env.get("CHAINATLAS_EDITOR_PASSWORD", d.editor_password),
            batch_size=int(env.get("CHAINATLAS_BATCH_SIZE", d.batch_size)),
            max_input_mb=_number(env, "CHAINATLAS_MAX_INPUT_MB", d.max_input_mb),
            max_member_mb=_number(env, "CHAINATLAS_MAX_MEMBER_MB", d.max_member_mb),
            max_zip_ratio=_number(env, "CHAINATLAS_MAX_ZIP_RATIO", d.max_zip_ratio),
            max_rows=int(_number(env, "CHAINATLAS_MAX_ROWS", d.max_rows)),
            max_problems=int(_number(env, "CHAINATLAS_MAX_PROBLEMS", d.max_problems)),
            scenarios=env.get("CHAINATLAS_SCENARIOS", d.scenarios),
            cache_dir=env.get("CHAINATLAS_CACHE_DIR", d.cache_dir).strip(),
            warm=env.get("CHAINATLAS_WARM", "1").strip().lower() not in ("0", "off", "none", "false", "no"),
        )


def _number(env, name: str, default: float) -> float:
    """A positive number from the environment; the default when unset, empty or not a positive number."""
    try:
        value = float(str(env.get(name, "")).replace("_", "").replace(",", "") or default)
    except ValueError:
        return default
    return value if value > 0 else default
