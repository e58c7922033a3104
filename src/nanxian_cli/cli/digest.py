"""`nanxian report digest`: the weekly digest for cron (files and e-mail, exactly once per week)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from nanxian_cli.cli.options import DigestFormatOption, WeekOption
from nanxian_cli.cli.report import app  # commands attach to the report sub-app
from nanxian_cli.cli.runtime import open_db, parse_date, settings, today
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


@app.command("digest")
def digest(
    week: WeekOption = "last",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Take this day as today, YYYY-MM-DD (catch-up runs)")
    ] = None,
    fmt: DigestFormatOption = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="PATH",
                     help="A folder (file digest-YYYY-Www.<ext>) or a file; written atomically, once per week"),
    ] = None,
    email: Annotated[
        bool,
        typer.Option("--email", help="Send by e-mail (NANXIAN_SMTP_* or the smtp table of config.toml), once per week "
                                     "and recipient"),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Deliver again even if this week's digest was already delivered")
    ] = False,
) -> None:
    """Weekly digest of one ISO week (Monday-Sunday, county time): to the terminal, a file, or e-mail.

    Deliveries are recorded once they succeed; running again for the same week does nothing unless --force.
    """
    from nanxian_cli.core.weeks import WeekError, parse_week
    from nanxian_cli.i18n import pick
    from nanxian_cli.reports import digest as report
    from nanxian_cli.services import digest as delivery

    real_today = today()
    day = parse_date(as_of, "--as-of") or real_today
    if day > real_today:
        raise InputError(tr(f"--as-of：{day.isoformat()} 晚于今天（{real_today.isoformat()}）",
                            f"--as-of: {day.isoformat()} is after today ({real_today.isoformat()})"))
    try:
        the_week = parse_week(week, day)
    except WeekError as exc:
        raise InputError(pick(exc.words)) from None
    if the_week.monday > day:
        raise InputError(tr(f"--week：{the_week.label} 尚未开始（今天是 {day.isoformat()}）",
                            f"--week: {the_week.label} has not started yet (today is {day.isoformat()})"))
    smtp = None
    if email:
        from nanxian_cli.config_sections import smtp_settings
        from nanxian_cli.services import mail

        smtp = smtp_settings(settings())
        mail.check_settings(smtp)
    from nanxian_cli.i18n import get_lang

    # a digest in another language than the usual one (asked for with --lang) is another file and delivery
    language = get_lang() if get_lang() != settings().usual_lang else None
    file = delivery.file_target(output, the_week, fmt, language) if output is not None else None

    # Never create a database here: a mistyped NANXIAN_DB in a crontab must fail, not mail an empty digest.
    with open_db(create=False) as store:
        d = report.build_digest(store, the_week, day)
        if file is None and smtp is None:
            from nanxian_cli.render.digest import render

            sys.stdout.write(render(d, fmt or "text"))
            return
        results = delivery.deliver(store, d, file=file, smtp=smtp, force=force, language=language)
    _say(results, d)


def _say(results: list, d) -> None:
    """One line per delivery; the failures, if any, as one error (exit 1)."""
    from nanxian_cli.errors import DeliveryError

    label = d.week.label
    failures = []
    for r in results:
        where = r.target
        if r.status == "sent":
            typer.echo(tr(f"{label} 周报已写入 {where}", f"Digest {label} written to {where}") if r.channel == "file"
                       else tr(f"{label} 周报已发送至 {where}", f"Digest {label} sent to {where}"))
        elif r.status == "already":
            when = _local(r.when)
            typer.echo(tr(f"{label} 周报已于 {when} 送达 {where}，本次不再重复（--force 可重新发送）",
                          f"Digest {label} was already delivered to {where} at {when}; not delivered again "
                          f"(--force delivers again)"))
        else:
            failures.append(r)
    if not d.complete and any(r.status == "sent" for r in results):
        typer.echo(tr(f"注意：{label} 尚未结束，本次送达未记录；周结束后还会正常送达一次",
                      f"Note: {label} is not over yet, so this delivery was not recorded; the final digest "
                      f"will still be delivered after the week ends"))
    if failures:
        messages = []
        for r in failures:
            if r.error.message not in messages:
                messages.append(r.error.message)
        if len(messages) == 1:
            raise DeliveryError(messages[0])
        raise DeliveryError(messages[0], messages[1:])


def _local(utc_text: str | None) -> str:
    """A recorded UTC time as county time, `YYYY-MM-DD HH:MM` (the stored text if it does not parse)."""
    from nanxian_cli.i18n import local_time

    return local_time(utc_text, str(utc_text))
