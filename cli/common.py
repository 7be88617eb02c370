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


def region_inference_options(source: str):
    """The --infer-regions, --region-review-out and --region-accept options of an importer
    (``source``: what the region is inferred from, for the help text)."""
    def wrap(fn):
        for opt in reversed([
            click.option("--infer-regions", is_flag=True,
                         help=f"推断区划：enterprises without a region get one from {source}, to the finest "
                              "certain level (山西… → 山西省), marked 推断 (region_source = inferred)."),
            click.option("--region-review-out", type=click.Path(dir_okay=False),
                         help="With --infer-regions: write the inferred regions to check here (CSV, UTF-8 "
                              "with BOM)."),
            click.option("--region-accept", type=click.Path(exists=True, dir_okay=False),
                         help="With --infer-regions: a filled-in region review from an earlier run "
                              "(accept/reject, or another region in 'region').")]):
            fn = opt(fn)
        return fn
    return wrap


def check_region_options(infer_regions: bool, review_out, accept) -> None:
    if (review_out or accept) and not infer_regions:
        raise click.UsageError("--region-review-out/--region-accept need --infer-regions")


def echo_region_review(review: pd.DataFrame | None, out) -> None:
    """Say how many regions were inferred; write the review CSV (UTF-8 with BOM) to ``out`` if given."""
    from pathlib import Path

    from loaders.region_infer import DECISION_HELP, review_csv

    if review is None:
        return
    click.echo(f"推断区划 {len(review)} enterprises got a region inferred (shown as 推断).")
    if out:
        Path(out).write_bytes(review_csv(review))
        click.echo(f"待核对 written to {out}: {DECISION_HELP}; then run again with --infer-regions "
                   f"--region-accept {out}")
