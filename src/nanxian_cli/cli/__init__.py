"""The `nanxian` command line: parse options, call the core, render. No SQL and no rules here.

`main` is the console script and `python -m nanxian_cli`; `app` is the command tree it runs (the tests run
the same object).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import typer.main

from nanxian_cli import __version__
from nanxian_cli.cli.options import ChecklistsOption, DbOption, LangOption
from nanxian_cli.cli.runtime import NanxianGroup, NanxianTyper, apply_global_options, failure_exit_code

# Each command of the root: the module whose `app` (named alike) it is, in the order of `nanxian --help`.
COMMANDS = {
    "checklist": "nanxian_cli.cli.checklist",
    "school": "nanxian_cli.cli.school",
    "inspector": "nanxian_cli.cli.inspector",
    "inspect": "nanxian_cli.cli.inspect",
    "finding": "nanxian_cli.cli.finding",
    "evidence": "nanxian_cli.cli.evidence",
    "report": "nanxian_cli.cli.report",
    "sync": "nanxian_cli.cli.sync",
    "demo": "nanxian_cli.cli.demo",
}


class RootGroup(NanxianGroup):
    """The root command. Its commands are built when first asked for, through Click's lazy-loading hooks
    (`list_commands`, `get_command`): Typer builds every command of a group when it builds the group, and
    a run needs only the group it names. `--help` asks for all of them; the tree is the same either way."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            from importlib import import_module

            self.add_command(typer.main.get_command(import_module(COMMANDS[cmd_name]).app))
        return self.commands.get(cmd_name)


app = NanxianTyper(
    cls=RootGroup,
    name="nanxian",
    help="Checklists, school visits, findings and reports for county school supervisors (责任督学).",
    no_args_is_help=True,
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
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit")
    ] = False,
) -> None:
    """nanxian: the county school supervisors' tool for the Nanxian 2020 work plan."""
    apply_global_options(db, checklists, lang)


def main() -> None:
    """The console script: run the command tree; a failure outside any command is one line, not a traceback."""
    try:
        app()
    except Exception as exc:  # raised outside a command, or a bug: one line, the traceback on request
        sys.exit(failure_exit_code(exc))
