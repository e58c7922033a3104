"""The config file's sections that only a few commands read: `[smtp]` (the digest's delivery) and `[documents]`
(the documents for the school). Apart from config.py, so the other commands do not define them at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nanxian_cli.config import Settings
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


@dataclass
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    tls: str = "starttls"


def smtp_settings(settings: Settings) -> SmtpSettings:
    """SMTP settings, read only by the commands that send mail."""
    cfg = settings.raw_config
    section = cfg.get("smtp") or {}
    if not isinstance(section, dict):
        raise InputError(tr("config.toml：[smtp] 应为一节（表）", "config.toml: [smtp] must be a table"))
    env = os.environ
    port_text = env.get("NANXIAN_SMTP_PORT") or section.get("port")
    try:
        port = int(port_text) if port_text not in (None, "") else None
    except (TypeError, ValueError):
        raise InputError(tr(f"NANXIAN_SMTP_PORT / smtp.port：不是端口号：{port_text!r}",
                            f"NANXIAN_SMTP_PORT / smtp.port: not a port number: {port_text!r}")) from None
    to_raw = env.get("NANXIAN_SMTP_TO") or section.get("to") or []
    if isinstance(to_raw, str):
        to = [part.strip() for part in to_raw.split(",") if part.strip()]
    else:
        to = [str(part).strip() for part in to_raw if str(part).strip()]
    tls = (env.get("NANXIAN_SMTP_TLS") or section.get("tls") or "starttls").lower()
    if tls not in ("starttls", "ssl", "none"):
        raise InputError(tr(f"NANXIAN_SMTP_TLS / smtp.tls：应为 starttls、ssl 或 none，收到 {tls!r}",
                            f"NANXIAN_SMTP_TLS / smtp.tls: expected starttls, ssl or none, got {tls!r}"))
    return SmtpSettings(
        host=env.get("NANXIAN_SMTP_HOST") or section.get("host"),
        port=port,
        user=env.get("NANXIAN_SMTP_USER") or section.get("user"),
        # The password is taken from the environment only, never from a file.
        password=env.get("NANXIAN_SMTP_PASSWORD"),
        sender=env.get("NANXIAN_SMTP_FROM") or section.get("from"),
        to=to,
        tls=tls,
    )


@dataclass
class DocumentSettings:
    """`[documents]` in the config file: what the documents for the school print (issuer, notice numbers)."""

    issuer: str | None = None
    """The issuing office, e.g. 南县人民政府教育督导室; None: the documents leave a blank before 县教育督导室."""
    county: str | None = None
    notice_prefix: str | None = None
    """The word before 〔year〕 in a notice's number, e.g. 南督整."""
    reply_to: str | None = None
    """Where the school sends its 整改报告."""
    notice_first: int = 1
    notice_last: int | None = None
    """The range of notice numbers this database gives out each year (a laptop's range, set by the bureau);
    None: no upper end when the range starts at 1, else a block of 100 (notice_first + 99)."""

    @property
    def range_end(self) -> int | None:
        if self.notice_last is not None:
            return self.notice_last
        return None if self.notice_first == 1 else self.notice_first + 99


def document_settings(settings: Settings) -> DocumentSettings:
    """`[documents]`, checked: the texts are strings, the range whole numbers with notice_first <= notice_last."""
    where = settings.config_path or "config.toml"
    section = settings.raw_config.get("documents") or {}
    if not isinstance(section, dict):
        raise InputError(tr(f"{where}：[documents] 应为一个表", f"{where}: [documents] must be a table"))
    known = ("issuer", "county", "notice_prefix", "reply_to", "notice_first", "notice_last")
    unknown = sorted(set(section) - set(known))
    if unknown:
        raise InputError(tr(f"{where}：[documents] 中没有设置项 {', '.join(unknown)}（可用：{', '.join(known)}）",
                            f"{where}: [documents] has no setting {', '.join(unknown)} (known: {', '.join(known)})"))
    texts: dict[str, str | None] = {}
    for key in ("issuer", "county", "notice_prefix", "reply_to"):
        value = section.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(tr(f"{where}：documents.{key} 应为带引号的字符串，而不是 {value!r}",
                                f"{where}: documents.{key} must be a quoted string, got {value!r}"))
        if isinstance(value, str) and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            raise InputError(tr(f"{where}：documents.{key} 含有控制字符",
                                f"{where}: documents.{key} contains a control character"))
        texts[key] = value.strip() if isinstance(value, str) and value.strip() else None
    numbers: dict[str, int | None] = {}
    for key in ("notice_first", "notice_last"):
        value = section.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999_999):
            raise InputError(tr(f"{where}：documents.{key} 应为 1 至 999999 的整数，而不是 {value!r}",
                                f"{where}: documents.{key} must be a whole number from 1 to 999999, got {value!r}"))
        numbers[key] = value
    first, last = numbers["notice_first"] or 1, numbers["notice_last"]
    if last is not None and last < first:
        raise InputError(tr(f"{where}：documents.notice_last（{last}）小于 notice_first（{first}）",
                            f"{where}: documents.notice_last ({last}) is below notice_first ({first})"))
    return DocumentSettings(texts["issuer"], texts["county"], texts["notice_prefix"], texts["reply_to"], first, last)
