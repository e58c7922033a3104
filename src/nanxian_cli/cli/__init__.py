"""The `nanxian` command line: parse options, call the core, render. No SQL and no rules here."""

from __future__ import annotations

import os
import sqlite3
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
        except sqlite3.Error as exc:  # a database failure the store did not foresee (disk full, I/O error)
            from nanxian_cli.errors import StoreError

            report_error(StoreError(f"database error: {exc}"))
            raise typer.Exit(1) from None
        except OSError as exc:  # the file system (a full disk, a vanished folder)
            from nanxian_cli.errors import RuntimeFailure

            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            report_error(RuntimeFailure(f"{where}{exc.strerror or exc}"))
            raise typer.Exit(1) from None


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
    from nanxian_cli.i18n import set_lang

    state.db, state.checklists, state.lang, state._settings = db, checklists, lang, None
    set_lang(state.settings.lang)


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
    except NanxianError as exc:  # raised outside a command (e.g. in the root callback)
        report_error(exc)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: one line for the supervisor, the traceback on request
        if os.environ.get("NANXIAN_DEBUG"):
            raise
        from nanxian_cli.errors import RuntimeFailure

        report_error(RuntimeFailure(
            f"internal error ({type(exc).__name__}: {exc}); nothing more was written. "
            "Run again with NANXIAN_DEBUG=1 to see the details and report them."
        ))
        sys.exit(1)
