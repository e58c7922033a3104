"""The `nanxian` command line: parse options, call the core, render. No SQL and no rules here."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from nanxian_cli import __version__
from nanxian_cli.cli.fast_params import install as _install_fast_params
from nanxian_cli.runtime import EXPECTED_FAILURES, failure_exit_code
from nanxian_cli.runtime import report_error  # noqa: F401  (importable from here, as before)

_install_fast_params()  # plain option values without importing pydantic (see fast_params.py)


class NanxianGroup(TyperGroup):
    """Maps domain errors, Ctrl-C, database and file-system errors to one clear message and exit code, for
    every command (`runtime.failure_exit_code`, shared with the digest's fast path)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EXPECTED_FAILURES as exc:
            raise typer.Exit(failure_exit_code(exc)) from None


def _new_root() -> typer.Typer:
    return typer.Typer(
        cls=NanxianGroup,
        name="nanxian",
        help="Checklists, school visits, findings and reports for county school supervisors (责任督学).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )


app = _new_root()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nanxian {__version__}")
        raise typer.Exit()


def root(
    db: Annotated[str | None, typer.Option("--db", help="Database file (env NANXIAN_DB; default in the user data dir)")] = None,
    checklists: Annotated[str | None, typer.Option("--checklists", help="Checklist folder (env NANXIAN_CHECKLISTS; default the bundled one)")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="zh | en (env NANXIAN_LANG; default from the locale)")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit")] = False,
) -> None:
    """nanxian: the county school supervisors' tool for the Nanxian 2020 work plan."""
    from nanxian_cli.runtime import apply_global_options

    apply_global_options(db, checklists, lang)


# name, module (with `register(root)`), one-line help: the order of `nanxian --help`.
COMMANDS: list[tuple[str, str, str]] = [
    ("checklist", "nanxian_cli.cli.checklist", "List, show, validate checklists; plan coverage"),
    ("school", "nanxian_cli.cli.school", "Import and look up the school roster"),
    ("inspector", "nanxian_cli.cli.inspector", "Supervisors (责任督学) and their schools"),
    ("inspect", "nanxian_cli.cli.inspect", "Record school visits (interactive or from an answers file); list, show, amend, void"),
    ("finding", "nanxian_cli.cli.finding", "Findings (整改项): list them, resolve them"),
    ("report", "nanxian_cli.cli.report", "Compliance reports: summary, school, item, matrix, visit, digest"),
    ("demo", "nanxian_cli.cli.demo", "Build a demo county (sample schools, supervisors, synthetic visits and findings) and show its reports"),
]
_GLOBAL_VALUE_OPTIONS = {"--db", "--checklists", "--lang"}


def _mount(root_app: typer.Typer, only: str | None = None) -> typer.Typer:
    """Attach the command groups. With `only`, the others are stand-ins carrying just their help line:
    Typer builds the Click command of every registered command on each run, which costs more start-up
    than importing them."""
    import importlib

    root_app.callback()(root)
    for name, module_name, help_text in COMMANDS:
        if only is None or only == name:
            importlib.import_module(module_name).register(root_app)
        else:
            stand_in = typer.Typer(help=help_text)
            stand_in.command(hidden=True)(_stand_in)
            root_app.add_typer(stand_in, name=name, help=help_text)
    return root_app


def _stand_in() -> None:  # never invoked: the real group is mounted whenever its name is on the command line
    raise typer.Exit(1)


def _invoked_command(argv: list[str]) -> str | None:
    """The command group named on the command line, skipping the global options before it."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _GLOBAL_VALUE_OPTIONS:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


_mount(app)


def main() -> None:
    target = _invoked_command(sys.argv[1:])
    known = {name for name, _, _ in COMMANDS}
    cli_app = _mount(_new_root(), only=target if target in known else "")
    try:
        cli_app()
    except Exception as exc:  # raised outside a command, or a bug: one line, the traceback on request
        sys.exit(failure_exit_code(exc))
