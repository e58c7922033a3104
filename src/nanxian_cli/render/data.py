"""A report's dataclasses as the JSON contract: field names are the keys (a trailing `_` dropped, so `pass_` is
`pass` and `from_` is `from`), in field order; a text in both languages (`Words`) is the current language's."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from nanxian_cli.core.words import Words


def as_data(value: Any, lang: str | None = None) -> Any:
    """`value` as plain JSON values (dicts, lists, str, numbers, None), `Words` picked in `lang`."""
    if lang is None:
        from nanxian_cli.i18n import get_lang

        lang = get_lang()
    return _plain(value, lang)


def _plain(value: Any, lang: str) -> Any:
    if isinstance(value, Words):
        return value.get(lang)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name.removesuffix("_"): _plain(getattr(value, f.name), lang) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, lang) for k, v in value.items()}
    return value
