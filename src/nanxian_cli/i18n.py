"""User-facing text in Chinese and English. `tr(zh, en)` keeps both wordings side by side at the call."""

from __future__ import annotations

_lang = "zh"
_zone = "Asia/Shanghai"


def set_lang(lang: str) -> None:
    global _lang
    _lang = "en" if lang == "en" else "zh"


def get_lang() -> str:
    return _lang


def set_zone(name: str) -> None:
    """The county's time zone (config `timezone`): times people read are shown in it."""
    global _zone
    _zone = name


def local_time(text: str | None, empty: str = "") -> str:
    """A recorded time (ISO 8601 with an offset, as stored: UTC) as county time, `YYYY-MM-DD HH:MM`.

    Text that is not such a time is shown as it is; an unknown configured zone is a usage error (exit 2)."""
    import datetime as dt

    if not text:
        return empty
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if when.tzinfo is None:  # a time without an offset was written as UTC
        when = when.replace(tzinfo=dt.UTC)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(_zone)
    except (ZoneInfoNotFoundError, ValueError):
        from nanxian_cli.errors import InputError

        raise InputError(tr(f"timezone：未知的时区 {_zone!r}", f"timezone: unknown time zone {_zone!r}")) from None
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def tr(zh: str, en: str) -> str:
    return zh if _lang == "zh" else en


def pick(words) -> str:
    """Words in both languages (core.words.Words, a (zh, en) pair, or a core.words.Said line) in the current
    language; plain text as it is."""
    if isinstance(words, str):
        return getattr(words, "zh", words) if _lang == "zh" else str(words)
    return words[0] if _lang == "zh" else words[1]


def label(pair: tuple[str, str] | None, fallback: str = "") -> str:
    """Pick the current language from a (zh, en) pair."""
    if not pair:
        return fallback
    return pair[0] if _lang == "zh" else pair[1]


def answer_text(value: object, empty: str = "") -> str:
    """A recorded answer as people read it: yes/no in the current language, 60 not 60.0."""
    if value is None:
        return empty
    if isinstance(value, bool):
        return tr("是", "yes") if value else tr("否", "no")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
