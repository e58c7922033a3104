"""The `nanxian` command line: parse options, call the core, render. No SQL and no rules here."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from nanxian_cli import __version__
from nanxian_cli.cli.common import state
from nanxian_cli.errors import NanxianError
from nanxian_cli.cli.fast_params import install as _install_fast_params

_install_fast_params()  # plain option values without importing pydantic (see fast_params.py)


def report_error(exc: NanxianError) -> None:
    from nanxian_cli.cli.common import console
    from nanxian_cli.i18n import tr

    err = console(stderr=True)
    err.print(f"{tr('错误', 'Error')}: {exc.message}", style="bold red", markup=False, highlight=False, soft_wrap=True)
    for line in exc.details:
        err.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


class NanxianGroup(TyperGroup):
    """Maps domain errors to one clear message and exit code 1 or 2, for every command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NanxianError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=NanxianGroup,
    name="nanxian",
    help="Checklists, school visits, findings and reports for county school supervisors (责任督学).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nanxian {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[str | None, typer.Option("--db", help="Database file (env NANXIAN_DB; default in the user data dir)")] = None,
    checklists: Annotated[str | None, typer.Option("--checklists", help="Checklist folder (env NANXIAN_CHECKLISTS; default the bundled one)")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh | en (env NANXIAN_LANG; default from the locale)")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit")] = False,
) -> None:
    """nanxian: the county school supervisors' tool for the Nanxian 2020 work plan."""
    from nanxian_cli.i18n import set_lang

    state.db, state.checklists, state.lang, state._settings = db, checklists, lang, None
    set_lang(state.settings.lang)


def _mount() -> None:
    from nanxian_cli.cli import checklist, inspector, school

    app.add_typer(checklist.app, name="checklist", help="List, show, validate checklists; plan coverage")
    app.add_typer(school.app, name="school", help="Import and look up the school roster")
    app.add_typer(inspector.app, name="inspector", help="Supervisors (责任督学) and their schools")
    for name in ("inspect", "finding", "report", "demo"):
        try:
            module = __import__(f"nanxian_cli.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"nanxian_cli.cli.{name}":
                raise
            continue
        module.register(app)


_mount()


def main() -> None:
    try:
        app()
    except NanxianError as exc:  # raised outside a command (e.g. in the root callback)
        report_error(exc)
        sys.exit(exc.exit_code)
