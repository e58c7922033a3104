"""Sending the digest by SMTP: one multipart/alternative message (plain text + HTML), UTF-8.

smtplib, ssl and email are imported inside the functions: only `report digest --email` needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nanxian_cli.errors import DeliveryError, InputError
from nanxian_cli.i18n import tr

TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


@dataclass
class SendResult:
    accepted: list[str]
    refused: dict[str, str]


def check_settings(smtp: Any) -> None:
    """Every setting `--email` needs, named the way the user sets it; raises InputError (exit 2)."""
    missing = []
    if not smtp.host:
        missing.append("NANXIAN_SMTP_HOST / smtp.host")
    if not smtp.sender:
        missing.append("NANXIAN_SMTP_FROM / smtp.from")
    if not smtp.to:
        missing.append("NANXIAN_SMTP_TO / smtp.to")
    if missing:
        raise InputError(tr(f"--email：缺少邮件设置：{'；'.join(missing)}",
                            f"--email: missing mail setting(s): {'; '.join(missing)}"))
    if smtp.user and not smtp.password:
        raise InputError(tr("--email：已设置 NANXIAN_SMTP_USER，但环境变量 NANXIAN_SMTP_PASSWORD 为空",
                            "--email: NANXIAN_SMTP_USER is set but the environment variable "
                            "NANXIAN_SMTP_PASSWORD is empty"))
    for name, value in (("NANXIAN_SMTP_USER", smtp.user), ("NANXIAN_SMTP_PASSWORD", smtp.password)):
        # smtplib sends the login as ASCII only (CPython issue 73936); say so instead of failing mid-send.
        if smtp.user and value and not value.isascii():
            raise InputError(tr(f"--email：{name} 含非 ASCII 字符，Python 的 SMTP 登录无法发送",
                                f"--email: {name} has non-ASCII characters, which Python's SMTP login cannot send"))
    for address in [smtp.sender, *smtp.to]:
        envelope(address)


def envelope(address: str) -> str:
    """The bare address of `Name <user@host>` or `user@host`; InputError if it is not one."""
    from email.utils import parseaddr

    if any(ch in address for ch in "\r\n"):
        raise InputError(tr(f"--email：邮件地址无效：{address!r}", f"--email: not a mail address: {address!r}"))
    _, bare = parseaddr(address)
    local, _, domain = bare.rpartition("@")
    if not local or not domain or any(ch in bare for ch in " <>,;\"'"):
        raise InputError(tr(f"--email：邮件地址无效：{address!r}", f"--email: not a mail address: {address!r}"))
    return bare


def digest_message_id(database_id: str, week: str, sender: str, recipients: list[str],
                      language: str | None = None) -> str:
    """A stable Message-ID for one digest mail: the same database, week and recipients give the same id (and the
    same language: a digest in another language than the usual one is another message).

    A run that dies after the server accepted the mail but before the delivery was recorded sends it again
    on the next run; with the same Message-ID, mail clients and servers see the resend as the same message.
    The id is a hash (the database's identity is not shown), on the sender's domain.
    """
    import hashlib

    targets = sorted(envelope(r).lower() for r in recipients)
    parts = ["nanxian-digest", database_id, week, *targets, *([f"language:{language}"] if language else [])]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    domain = envelope(sender).rsplit("@", 1)[-1]
    return f"<digest.{week}.{digest[:24]}@{domain}>"  # short: one header line for most domains


def build_message(sender: str, recipients: list[str], subject: str, text: str, html: str,
                  message_id: str | None = None) -> Any:
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = envelope(sender).rsplit("@", 1)[-1]
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(smtp: Any, recipients: list[str], subject: str, text: str, html: str,
         message_id: str | None = None) -> SendResult:
    """Send one message to `recipients`; raise DeliveryError (exit 1) if no recipient accepted it."""
    import smtplib
    import ssl

    port = smtp.port or DEFAULT_PORTS[smtp.tls]
    where = f"{smtp.host}:{port}"
    msg = build_message(smtp.sender, recipients, subject, text, html, message_id)
    step = "connect"  # which command an SMTPNotSupportedError came from
    try:
        if smtp.tls == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, port, timeout=TIMEOUT_SECONDS)
        try:
            if smtp.tls == "starttls":
                step = "starttls"
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                step = "login"
                server.login(smtp.user, smtp.password or "")
            step = "send"
            refused = server.send_message(msg, from_addr=envelope(smtp.sender),
                                          to_addrs=[envelope(r) for r in recipients])
        finally:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(_failed(where, tr("登录被拒绝", "login refused") + f" ({exc.smtp_code})")) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(_failed(where, tr("收件人全部被拒绝：", "every recipient was refused: ")
                                    + ", ".join(exc.recipients))) from None
    except smtplib.SMTPNotSupportedError as exc:
        why = {
            "starttls": tr("服务器不支持 STARTTLS（可设置 NANXIAN_SMTP_TLS=ssl 或 none）",
                           "the server does not offer STARTTLS (set NANXIAN_SMTP_TLS=ssl or none)"),
            "login": tr("服务器不提供登录（SMTP AUTH）；请检查 NANXIAN_SMTP_TLS 和端口，或不设 NANXIAN_SMTP_USER",
                        "the server does not offer login (SMTP AUTH); check NANXIAN_SMTP_TLS and the port, "
                        "or leave NANXIAN_SMTP_USER unset"),
        }.get(step, str(exc) or type(exc).__name__)
        raise DeliveryError(_failed(where, why)) from None
    except smtplib.SMTPResponseException as exc:
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise DeliveryError(_failed(where, f"{exc.smtp_code} {detail}")) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(_failed(where, str(exc) or type(exc).__name__)) from None
    except ssl.SSLCertVerificationError as exc:
        # verify_message tells an unknown CA from a certificate for another host name, or an expired one.
        why = (exc.verify_message or exc.reason or str(exc)).rstrip(".")
        raise DeliveryError(_failed(where, tr(f"TLS：服务器证书未通过验证（{why}）",
                                              f"TLS: the server's certificate was not accepted ({why})"))) from None
    except ssl.SSLError as exc:
        raise DeliveryError(_failed(where, f"TLS: {exc.reason or exc}")) from None
    except TimeoutError:
        raise DeliveryError(_failed(where, tr(f"{TIMEOUT_SECONDS} 秒内无响应",
                                              f"no answer within {TIMEOUT_SECONDS} s"))) from None
    except OSError as exc:
        raise DeliveryError(_failed(where, exc.strerror or str(exc) or type(exc).__name__)) from None
    refused_text = {addr: f"{code} {resp.decode('utf-8', 'replace') if isinstance(resp, bytes) else resp}"
                    for addr, (code, resp) in (refused or {}).items()}
    return SendResult(accepted=[r for r in recipients if envelope(r) not in refused_text], refused=refused_text)


def _failed(where: str, why: str) -> str:
    return tr(f"邮件未能发送（SMTP {where}）：{why}；未记录为已发送，下次运行会重新发送",
              f"the digest e-mail was not sent (SMTP {where}): {why}; nothing was recorded, the next run sends it")
