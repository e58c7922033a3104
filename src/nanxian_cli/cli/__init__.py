"""The `nanxian` command line: parse options, call the core, render. No SQL and no rules here.

`main` is the console script and `python -m nanxian_cli`; `app` is the command tree it runs (the tests run
the same object).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from nanxian_cli import __version__
from nanxian_cli.cli.options import ChecklistsOption, DbOption, LangOption
from nanxian_cli.cli.runtime import NanxianGroup, NanxianTyper, apply_global_options, failure_exit_code

# The order of `nanxian --help`: the groups a supervisor uses, then the demo.
ORDER = ("checklist", "school", "inspector", "inspect", "finding", "report", "demo")


class RootGroup(NanxianGroup):
    """The root command: its commands listed in ORDER (Typer lists plain commands before groups)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))


app = NanxianTyper(
    cls=RootGroup,
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
    db: DbOption = None,
    checklists: ChecklistsOption = None,
    lang: LangOption = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit")] = False,
) -> None:
    """nanxian: the county school supervisors' tool for the Nanxian 2020 work plan."""
    apply_global_options(db, checklists, lang)


def _register() -> None:
    from nanxian_cli.cli import checklist, demo, finding, inspect, inspector, report, school

    for module in (checklist, school, inspector, inspect, finding, report, demo):
        module.register(app)


_register()


def main() -> None:
    """The console script: run the command tree; a failure outside any command is one line, not a traceback."""
    try:
        app()
    except Exception as exc:  # raised outside a command, or a bug: one line, the traceback on request
        sys.exit(failure_exit_code(exc))
