"""What every command shares: settings, the store, output and the option aliases."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from nanxian_cli.errors import InputError

# The global options' state, settings, the store and dates live in the Typer-free `runtime` module (the
# console entry's fast path uses them too); the commands keep importing them from here.
from nanxian_cli.runtime import State, open_db, parse_date, settings, state, today  # noqa: F401


# -- shared options ---------------------------------------------------------------------------------
TableFormat = Literal["table", "json", "csv"]
ReportFormat = Literal["table", "json", "csv", "markdown", "html", "xlsx"]

FormatOption = Annotated[
    TableFormat | None, typer.Option("--format", "-f", help="table | json | csv (default: from --output's extension, else table)")
]
def _refuse_protected_output(value: Path | None) -> Path | None:
    """Before the command runs: an --output that would replace the database, a file beside it or its evidence
    folder is refused at once (exit 2); the writer checks again, the command's inputs included, when it writes."""
    if value is not None:
        from nanxian_cli.files.outputs import check_output

        check_output(value)
    return value


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of the terminal (atomically)",
                              callback=_refuse_protected_output)
]
DateOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today, county time)")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD")]


def console(stderr: bool = False):
    from nanxian_cli.render.table import make_console

    return make_console(file=sys.stderr if stderr else None)


def plain_text(value: str | None, option: str, limit: int = 4000) -> str | None:
    """A note, reason or name typed on the command line: no terminal control characters, bounded length."""
    if value is None:
        return None
    for ch in value:
        if (ord(ch) < 32 and ch not in "\n\t") or 127 <= ord(ch) < 160:
            raise InputError(f"{option}: contains the control character U+{ord(ch):04X}; remove it")
    if len(value) > limit:
        raise InputError(f"{option}: at most {limit} characters")
    return value
