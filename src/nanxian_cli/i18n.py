"""User-facing text in Chinese and English. `tr(zh, en)` keeps both wordings side by side at the call."""

from __future__ import annotations

_lang = "zh"


def set_lang(lang: str) -> None:
    global _lang
    _lang = "en" if lang == "en" else "zh"


def get_lang() -> str:
    return _lang


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
