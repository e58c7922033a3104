"""The body of `nanxian report digest`, free of Typer.

The Typer command (`cli/digest.py`) and the console entry's fast path for cron (`entry.py`) parse the same
options and both call `run`: there is one implementation of what the command does and says.
"""

from __future__ import annotations

import sys

from nanxian_cli.render.formats import OFFERED

FORMATS = OFFERED["digest"]


def run(
    week: str = "last",
    as_of: str | None = None,
    fmt: str | None = None,
    output: str | None = None,
    email: bool = False,
    force: bool = False,
) -> None:
    """The digest of one ISO week: to stdout, or delivered to a file and/or by e-mail once per week.

    Expects the global options to be applied (`runtime.apply_global_options`); raises NanxianError.
    """
    from nanxian_cli.core.weeks import WeekError, parse_week
    from nanxian_cli.errors import InputError
    from nanxian_cli.i18n import pick, tr
    from nanxian_cli.reports import digest as report
    from nanxian_cli.runtime import open_db, parse_date, settings, today
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
        from nanxian_cli.services import mail
        from nanxian_cli.config import smtp_settings

        smtp = smtp_settings(settings())
        mail.check_settings(smtp)
    file = delivery.file_target(output, the_week, fmt) if output is not None else None

    # Never create a database here: a mistyped NANXIAN_DB in a crontab must fail, not mail an empty digest.
    with open_db(create=False) as store:
        d = report.build_digest(store, the_week, day)
        if file is None and smtp is None:
            from nanxian_cli.render.digest import render

            sys.stdout.write(render(d, fmt or "text"))
            return
        results = delivery.deliver(store, d, file=file, smtp=smtp, force=force)
    _say(results, d)


def _say(results: list, d) -> None:
    from nanxian_cli.errors import DeliveryError
    from nanxian_cli.i18n import tr
    from nanxian_cli.runtime import echo

    label = d.week.label
    failures = []
    for r in results:
        where = r.target
        if r.status == "sent":
            echo(tr(f"{label} 周报已写入 {where}", f"Digest {label} written to {where}") if r.channel == "file"
                 else tr(f"{label} 周报已发送至 {where}", f"Digest {label} sent to {where}"))
        elif r.status == "already":
            when = _local(r.when)
            echo(tr(f"{label} 周报已于 {when} 送达 {where}，本次不再重复（--force 可重新发送）",
                    f"Digest {label} was already delivered to {where} at {when}; not delivered again "
                    f"(--force delivers again)"))
        else:
            failures.append(r)
    if not d.complete and any(r.status == "sent" for r in results):
        echo(tr(f"注意：{label} 尚未结束，本次送达未记录；周结束后还会正常送达一次",
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
    import datetime as dt
    from zoneinfo import ZoneInfo

    from nanxian_cli.runtime import settings

    try:
        return dt.datetime.fromisoformat(utc_text or "").astimezone(ZoneInfo(settings().timezone)).strftime("%Y-%m-%d %H:%M")
    except (ValueError, KeyError, OSError):
        return str(utc_text)
