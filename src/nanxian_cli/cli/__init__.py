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
from nanxian_cli.cli.failures import closed_pipe, failure_exit_code
from nanxian_cli.cli.groups import GROUPS
from nanxian_cli.cli.options import ChecklistsOption, DbOption, LangOption
from nanxian_cli.cli.runtime import apply_global_options
from nanxian_cli.cli.typer_classes import NanxianGroup, NanxianTyper

COMMANDS = {name: module for name, (module, _) in GROUPS.items()}
"""Each command of the root: the module whose `app` (named alike) it is, in the order of `nanxian --help`."""


class RootGroup(NanxianGroup):
    """The root command. Its commands are built when first asked for, through Click's lazy-loading hooks
    (`list_commands`, `get_command`): Typer builds every command of a group when it builds the group, and
    a run needs only the group it names. `--help` asks for all of them; the tree is the same either way.

    Its own help lists the groups by name and help only (cli/groups.py), none of them imported: building them
    all, every parameter of every command, is a fifth of `nanxian --help`'s time and shows nothing more.

    Its options are the global ones, so it does not take them a second time (`takes_global_options_late`); a
    closed standard output while it prints (`nanxian --help | head -1`) ends the run quietly with 0."""

    takes_global_options_late = False
    listing: dict | None = None  # while the root's help is formatted: the groups as listed, by name

    def format_help(self, ctx: typer.Context, formatter) -> None:
        self.listing = {}
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = None

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except OSError as exc:
            import errno

            if exc.errno != errno.EPIPE:
                raise
            raise typer.Exit(closed_pipe()) from None

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if self.listing is not None:
                return self.listing.setdefault(cmd_name, listed(cmd_name))
            from importlib import import_module

            self.add_command(typer.main.get_command(import_module(COMMANDS[cmd_name]).app))
        return self.commands.get(cmd_name)


def listed(name: str):
    """A group as the root's help lists it: its name and help, nothing imported or built. Never kept in the
    tree: a run builds the group it names."""
    from typer.core import TyperCommand

    return TyperCommand(name, help=GROUPS[name][1])


app = NanxianTyper(
    cls=RootGroup,
    name="nanxian",
    help="Checklists, school visits, findings and reports for county school supervisors (责任督学).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # Typer's own: --install-completion, --show-completion, _NANXIAN_COMPLETE=bash_source
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


COMPLETE_VAR = "_NANXIAN_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_instruction() -> None:
    """Shell completion is Typer's (`--install-completion`, `--show-completion`); Typer reads the instruction in
    `_NANXIAN_COMPLETE` as `source_bash`, Click 8 documents it as `bash_source`: both are taken."""
    import os

    shell, _, what = os.environ.get(COMPLETE_VAR, "").partition("_")
    if shell in SHELLS and what in ("source", "complete"):
        os.environ[COMPLETE_VAR] = f"{what}_{shell}"


def main() -> None:
    """The console script: run the command tree; a failure outside any command is one line, not a traceback."""
    _completion_instruction()
    try:
        app()
    except Exception as exc:  # raised outside a command, or a bug: one line, the traceback on request
        sys.exit(failure_exit_code(exc))
