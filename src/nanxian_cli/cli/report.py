"""`nanxian report ...`: compliance reports for the bureau (summary, school, item, matrix, visit, digest)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Compliance reports: summary, school, item, matrix, visit, digest")


def register(root: typer.Typer) -> None:
    # The digest command lives in cli/digest.py and attaches itself to this sub-app.
    from nanxian_cli.cli import digest  # noqa: F401

    root.add_typer(app, name="report")
