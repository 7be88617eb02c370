"""The ``chainatlas`` command. Each command lives in cli/commands/<name>.py and exposes
``command`` (a click.Command); they are discovered here, so adding one touches no other file.

Errors: a ChainAtlasError becomes its message and hint on stderr with exit code 1
(validation problems are listed in full); any other exception is a bug and is reported
as one line with a pointer to --debug.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from graph.errors import ChainAtlasError, ValidationFailed
import cli.commands as _commands_pkg


class AtlasGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationFailed as err:
            click.echo(err.report(), err=True)
            click.echo(f"提示 hint: {err.hint}", err=True)
            ctx.exit(1)
        except ChainAtlasError as err:
            click.echo(f"错误 error: {err}", err=True)
            if err.hint:
                click.echo(f"提示 hint: {err.hint}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # output piped into `head` etc.: stop quietly
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as err:  # a bug: one line, full traceback only with --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"内部错误 internal error: {type(err).__name__}: {err}", err=True)
            click.echo("提示 hint: run again with `chainatlas --debug …` and report the traceback.", err=True)
            ctx.exit(2)


@click.group(cls=AtlasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@click.version_option(package_name="chainatlas")
@click.pass_context
def main(ctx, debug):
    """ChainAtlas 产业链图谱: load chains, find gaps (缺链/弱链/断链), rank recruitment targets.

    The store is chosen by CHAINATLAS_DB (a directory, default ./atlas-data, or a
    bolt:// / neo4j:// URI with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _info in sorted(pkgutil.iter_modules(_commands_pkg.__path__), key=lambda m: m.name):
    _mod = importlib.import_module(f"cli.commands.{_info.name}")
    _cmd = getattr(_mod, "command", None)
    if isinstance(_cmd, click.Command):
        main.add_command(_cmd)


if __name__ == "__main__":
    sys.exit(main())
