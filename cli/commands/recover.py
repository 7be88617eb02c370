"""``chainatlas recover [--force]``: roll back a Neo4j load that a killed process left unfinished."""
from __future__ import annotations

import time

import click

from cli.common import progress_printer, store_from_env


@click.command("recover")
@click.option("--force", is_flag=True,
              help="也接管看似仍在运行的载入 Also roll back a load whose process seems alive (another host).")
def command(force):
    """恢复 Roll back an interrupted load (Neo4j): restore what it changed, delete what it added.

    A load into Neo4j commits in batches; if its process is killed, the next connect finds the
    unfinished load and new loads are refused until it is rolled back here.
    """
    with store_from_env() as store:
        done = store.recover(force=force, progress=progress_printer())
    if not done:
        click.echo("没有未完成的载入 nothing to recover")
    for d in done:
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d["started"]))
        click.echo(f"{d['action']}: load {d['id']} of {d['source']} (started {started}, pid {d['pid']} on "
                   f"{d['host']}; {d['entries']} journal batch(es) undone)")
