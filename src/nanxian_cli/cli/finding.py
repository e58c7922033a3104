"""`nanxian finding list|resolve`: findings (整改项) with their deadlines."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from nanxian_cli.cli.common import console, plain_text
from nanxian_cli.cli.options import DateOption, FormatOption, OutputOption
from nanxian_cli.cli.runtime import NanxianTyper, open_db, parse_date, today
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

app = NanxianTyper(name="finding", no_args_is_help=True, help="Findings (整改项): list them, resolve them")


@app.command("list")
def list_(
    school: Annotated[str | None, typer.Option("--school", help="Only this school (code, name, initials)")] = None,
    status: Annotated[Literal["open", "overdue", "resolved", "withdrawn"] | None,
                      typer.Option("--status", help="open | overdue | resolved | withdrawn")] = None,
    severity: Annotated[Literal["critical", "major", "minor"] | None,
                        typer.Option("--severity", help="critical | major | minor")] = None,
    as_of: Annotated[str | None,
                     typer.Option("--as-of", help="Overdue as of this day, YYYY-MM-DD (default: today)")] = None,
    overdue: Annotated[bool,
                       typer.Option("--overdue", help="Only overdue findings (same as --status overdue)")] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List findings, critical first; overdue = still open after the due date."""
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.findings import findings_listing
    from nanxian_cli.reports.findings import findings_list
    from nanxian_cli.services.people import find_school

    if overdue:
        if status not in (None, "overdue"):
            raise InputError(tr("--overdue 与 --status 冲突", f"--overdue contradicts --status {status}"))
        status = "overdue"

    day = parse_date(as_of, "--as-of") or today()
    with open_db(create=False) as store:
        code = find_school(store, school)["code"] if school else None
        findings = findings_list(store, school=code, status=status, severity=severity, as_of=day, lang=get_lang())
    emit(findings_listing(findings, day.isoformat()), fmt, output)


@app.command("resolve")
def resolve(
    finding_id: Annotated[int, typer.Argument(help="Finding number (#)")],
    note: Annotated[str, typer.Option("--note", help="How it was fixed (kept with the finding)")],
    date: DateOption = None,
    by: Annotated[str | None, typer.Option("--by", help="Who confirms it (default: config `inspector`)")] = None,
) -> None:
    """Mark an open finding resolved (checked outside a visit)."""
    from rich.text import Text

    from nanxian_cli.services.findings import resolve_finding

    if not note.strip():
        raise InputError("--note: say how the finding was fixed")
    note = plain_text(note, "--note")
    by = plain_text(by, "--by", 100)
    day = parse_date(date) or today()
    if day > today():
        raise InputError(tr(f"--date：{day.isoformat()} 是将来的日期", f"--date: {day.isoformat()} is in the future"))
    with open_db(create=False) as store:
        from nanxian_cli.cli.inspect import _author

        author = _author(store, by)  # a registered supervisor, or none given at all
        result = resolve_finding(store, finding_id, note.strip(), day, author, today=today())
    console().print(Text(tr(f"整改项 #{result['id']} 已于 {result['resolved_on']} 整改完成",
                            f"Finding #{result['id']} resolved on {result['resolved_on']}")))
