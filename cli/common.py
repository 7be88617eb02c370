"""Helpers shared by the commands: opening the store once, printing tables."""
from __future__ import annotations

import json
import sys

import click
import pandas as pd

from graph.export.safe import csv_bytes
from graph.settings import Settings
from graph.store import AtlasStore
from graph.store.factory import open_store


def store_from_env() -> AtlasStore:
    """The store named by the environment (one per process)."""
    return open_store(Settings.from_env())


def echo_frame(df: pd.DataFrame, fmt: str = "table") -> None:
    """Print a DataFrame as an aligned table, CSV (UTF-8 with BOM) or JSON lines."""
    if fmt == "csv":
        sys.stdout.buffer.write(csv_bytes(df, lineterminator="\n"))
    elif fmt == "json":
        click.echo(df.to_json(orient="records", force_ascii=False, indent=1))
    else:
        if df.empty:
            click.echo("(无 none)")
            return
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.unicode.east_asian_width", True):
            click.echo(df.to_string(index=False))


def progress_printer(label: str = ""):
    """A progress callback for store.apply that draws one line per step on stderr."""
    state = {"step": None}

    def progress(step: str, done: int, total: int) -> None:
        pct = 100 if total == 0 else int(done * 100 / total)
        bar = "#" * (pct // 5)
        end = "\n" if done >= total else ""
        click.echo(f"\r{label}{step:<22} [{bar:<20}] {done}/{total}", nl=False, err=True)
        if end:
            click.echo("", err=True)
        state["step"] = step

    return progress


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
