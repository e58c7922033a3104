"""The options and arguments that more than one command takes, as `Annotated` aliases: each name, help
line and check is written once here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

# -- the global options (before the command) ---------------------------------------------------------
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database file (env NANXIAN_DB; default in the user data dir)")
]
ChecklistsOption = Annotated[
    str | None, typer.Option("--checklists", help="Checklist folder (env NANXIAN_CHECKLISTS; default the bundled one)")
]
# eager: read before --help when given before it, so that `nanxian --lang en --help` is in English
LangOption = Annotated[str | None, typer.Option("--lang", is_eager=True,
                                                help="zh | en (env NANXIAN_LANG; default from the locale)")]

# -- output formats ----------------------------------------------------------------------------------
TableFormat = Literal["table", "json", "csv"]
VisitFormat = Literal["table", "json"]
DocFormat = Literal["table", "json", "csv", "markdown", "html", "xlsx", "docx"]
DigestFormat = Literal["text", "markdown", "html", "json"]
NoticeFormat = Literal["table", "json", "markdown", "html", "docx"]

FormatOption = Annotated[
    TableFormat | None,
    typer.Option("--format", "-f", help="table | json | csv (default: from --output's extension, else table)"),
]
ShowFormatOption = Annotated[str | None, typer.Option("--format", "-f", metavar="[table|json]", help="table | json")]
"""One record (a school, a checklist): the command names the formats it takes when another is asked for."""
VisitFormatOption = Annotated[VisitFormat | None, typer.Option("--format", "-f", help="table | json")]
ReportFormatOption = Annotated[
    DocFormat | None,
    typer.Option("--format", "-f", help="table | json | csv | markdown | html | xlsx | docx "
                                        "(default: from --output's extension, else table)"),
]
NoticeFormatOption = Annotated[
    NoticeFormat | None,
    typer.Option("--format", "-f",
                 help="table | json | markdown | html | docx (default: from --output's extension, else table)"),
]
DigestFormatOption = Annotated[
    DigestFormat | None,
    typer.Option("--format", "-f",
                 help="text | markdown | html | json (default: from --output's extension, else text)"),
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

# -- long tables in a terminal -----------------------------------------------------------------------------
ALL_LISTING_HELP = "Show every row in a terminal (a terminal shows the first 50; a pipe or a file gets every row)"
ALL_REPORT_HELP = ("Show every row in a terminal (a terminal shows the worst 50 rows of each long table; a pipe or "
                   "a file gets every row)")
AllOption = Annotated[bool, typer.Option("--all", help=ALL_LISTING_HELP)]
ReportAllOption = Annotated[bool, typer.Option("--all", help=ALL_REPORT_HELP)]

# -- days and weeks ------------------------------------------------------------------------------------
DateOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today, county time)")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD")]
WeekOption = Annotated[str, typer.Option("--week", help="YYYY-Www, last (the week before today's) or this")]

# -- what a command is about ------------------------------------------------------------------------------
VisitArg = Annotated[str, typer.Argument(help="Visit id, or its first 8 (or more) characters")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: config `inspector`)")]
TownOption = Annotated[str | None, typer.Option("--town", help="Only schools in this town")]
StageOption = Annotated[
    str | None, typer.Option("--stage", help="kindergarten | primary | junior | senior | vocational | special")
]
GroupBy = Literal["school", "town", "inspector", "checklist", "plan-item"]
GroupByOption = Annotated[
    GroupBy, typer.Option("--by", help="One row per school | town | inspector | checklist | plan-item")
]
