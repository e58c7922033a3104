"""`nanxian report digest`: the weekly digest for cron (files and e-mail, exactly once per week).

The options are parsed here; what the command does is `digest_command.run`, which the console entry's fast
path (entry.py) calls as well.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from nanxian_cli.cli.report import app  # commands attach to the report sub-app

DigestFormat = Literal["text", "markdown", "html", "json"]  # = digest_command.FORMATS (tests/test_entry.py checks)


@app.command("digest")
def digest(
    week: Annotated[str, typer.Option("--week", help="YYYY-Www, last (the week before today's) or this")] = "last",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Take this day as today, YYYY-MM-DD (catch-up runs)")] = None,
    fmt: Annotated[DigestFormat | None, typer.Option("--format", "-f", help="text | markdown | html | json (default: from --output's extension, else text)")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="A folder (file digest-YYYY-Www.<ext>) or a file; written atomically, once per week")] = None,
    email: Annotated[bool, typer.Option("--email", help="Send by e-mail (NANXIAN_SMTP_* or the smtp table of config.toml), once per week and recipient")] = False,
    force: Annotated[bool, typer.Option("--force", help="Deliver again even if this week's digest was already delivered")] = False,
) -> None:
    """Weekly digest of one ISO week (Monday-Sunday, county time): to the terminal, a file, or e-mail.

    Deliveries are recorded once they succeed; running again for the same week does nothing unless --force.
    """
    from nanxian_cli.digest_command import run

    run(week=week, as_of=as_of, fmt=fmt, output=output, email=email, force=force)
