"""Delivering the weekly digest to a file and by e-mail, exactly once per (week, channel, target).

Under an exclusive lock, each target is checked against the delivery records, delivered, and recorded only
after it succeeded. A week that is not over yet is delivered but never recorded, so the real digest still
goes out once the week has ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from nanxian_cli.core.weeks import IsoWeek
from nanxian_cli.errors import DeliveryError, InputError
from nanxian_cli.i18n import tr
from nanxian_cli.reports.digest import Digest
from nanxian_cli.store.db import Store


@dataclass
class Delivery:
    channel: str  # file | email
    target: str
    status: str  # sent | already | failed
    when: str | None = None  # the earlier delivery, for `already`
    error: Any = None  # the NanxianError, for `failed`


def file_target(output: Any, week: IsoWeek, fmt: str | None, language: str | None = None) -> tuple[Any, str]:
    """The file to write and its format: `digest-YYYY-Www.<ext>` inside a folder (`digest-YYYY-Www.<language>.<ext>`
    for a digest in another language than the usual one, see `deliver`), else the file named (its format from
    `fmt`, else its extension: one the digest does not write is refused)."""
    import os
    from pathlib import Path

    from nanxian_cli.render.formats import choose, extension

    text = str(output)
    path = Path(output).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        if not path.is_dir():
            raise InputError(tr(f"--output：文件夹 {path} 不存在", f"--output: folder {path} does not exist"))
        chosen = choose("digest", fmt, None)
        path = path / ".".join(["digest-" + week.label, *([language] if language else []), extension(chosen)])
    else:
        chosen = None
        if not path.parent.is_dir():
            raise InputError(tr(f"--output：文件夹 {path.parent} 不存在",
                                f"--output: folder {path.parent} does not exist"))
    from nanxian_cli.files.outputs import check_output

    # the computed file too: refused (exit 2) before anything is read, written or recorded
    checked = check_output(path)
    return checked, chosen or choose("digest", fmt, path)  # the format from the name given, not a link's target


def delivered_as(target: str, language: str | None) -> str:
    """What a delivery is recorded as: its target, and the language when it is not the usual one (the same week
    to the same place in another language is another delivery; a database's records stay valid)."""
    return f"{target} ({language})" if language else target


def deliver(store: Any, d: Digest, *, file: tuple[Any, str] | None, smtp: Any, force: bool,
            language: str | None = None) -> list[Delivery]:
    """Deliver the digest to the file and the recipients, each once per (week, channel, target, language and
    format: the file's name carries its format). `language` is set when the digest is not in the usual language
    (config `lang`, NANXIAN_LANG, the locale) but in another one asked for with --lang."""
    from pathlib import Path

    from nanxian_cli.clock import utc_now
    from nanxian_cli.errors import NanxianError
    from nanxian_cli.files.outputs import write_output
    from nanxian_cli.render import digest as render
    from nanxian_cli.services import mail
    from nanxian_cli.store import digest as q

    week = d.week.label
    results: list[Delivery] = []
    with delivery_lock(store):
        if file is not None:
            path, fmt = file
            # a file whose name says its language (digest-2020-W45.en.txt) is told apart by its name already
            target = str(path) if f".{language}." in Path(path).name else delivered_as(str(path), language)
            when = q.delivery(store, week, "file", target)
            if when and not force:
                results.append(Delivery("file", target, "already", when))
            else:
                try:
                    write_output(render.render(d, fmt), path)
                    if d.complete:
                        q.record_delivery(store, week, "file", [target], utc_now())
                    results.append(Delivery("file", target, "sent"))
                except NanxianError as exc:
                    results.append(Delivery("file", target, "failed", error=exc))
        if smtp is not None:
            pending = []
            for address in smtp.to:
                target = delivered_as(mail.envelope(address).lower(), language)
                when = q.delivery(store, week, "email", target)
                if when and not force:
                    results.append(Delivery("email", target, "already", when))
                else:
                    pending.append(address)
            if pending:
                from nanxian_cli.store.meta import device_id

                # A finished week's mail has a stable Message-ID, so a resend (after a crash between sending and
                # recording, or --force) is the same message; a week not over yet is a preview: a fresh id each time.
                message_id = (mail.digest_message_id(device_id(store), week, smtp.sender, pending, language)
                              if d.complete else None)
                try:
                    sent = mail.send(smtp, pending, render.subject(d), render.render_mail_text(d),
                                     render.render_html(d), message_id)
                except NanxianError as exc:
                    results.extend(Delivery("email", delivered_as(mail.envelope(a).lower(), language), "failed",
                                            error=exc) for a in pending)
                else:
                    accepted = [delivered_as(mail.envelope(a).lower(), language) for a in sent.accepted]
                    if d.complete and accepted:
                        try:
                            q.record_delivery(store, week, "email", accepted, utc_now())
                        except NanxianError as exc:
                            from nanxian_cli.errors import DeliveryError

                            raise DeliveryError(tr(
                                f"周报已发送至 {', '.join(accepted)}，但无法记录：{exc.message}；下次运行可能重复发送",
                                f"the digest was sent to {', '.join(accepted)} but could not be recorded: "
                                f"{exc.message}; "
                                f"the next run may send it again",
                            )) from None
                    results.extend(Delivery("email", a, "sent") for a in accepted)
                    for address, why in sent.refused.items():
                        from nanxian_cli.errors import DeliveryError

                        results.append(Delivery("email", delivered_as(address.lower(), language), "failed",
                                                error=DeliveryError(
                            tr(f"收件人 {address} 被拒绝：{why}；下次运行会重新发送给该收件人",
                               f"recipient {address} was refused: {why}; the next run sends to it again"))))
    return results


LOCK_WAIT_SECONDS = 300


@contextmanager
def delivery_lock(store: Store, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive OS lock (a file next to the database) while deliveries are checked and made.

    Two digest runs at once (cron and a person, or a retried cron job) queue here; the second one then
    re-reads the delivery records and finds the work done. The kernel drops the lock if a run dies.
    Without POSIX locks, the delivery records alone guard against a second delivery.
    """
    from nanxian_cli.files.locks import LockBusy, exclusive_lock
    from nanxian_cli.files.outputs import digest_lock_path  # named in one place: no output may replace it

    path = digest_lock_path(store.path)
    with ExitStack() as held:
        try:
            held.enter_context(exclusive_lock(path, wait_seconds))
        except LockBusy:
            raise DeliveryError(tr(
                f"另一个周报进程已发送超过 {int(wait_seconds)} 秒（锁 {path}）；本次未发送任何内容",
                f"another digest run has been delivering for over {int(wait_seconds)} s "
                f"(lock {path}); nothing was sent by this run",
            )) from None
        except OSError as exc:
            raise DeliveryError(tr(f"{path}：无法创建周报锁文件：{exc.strerror or exc}",
                                   f"{path}: cannot create the digest lock file: {exc.strerror or exc}")) from None
        yield
