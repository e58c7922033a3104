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


_PLAIN = frozenset((str, int, float, bool, type(None)))
_KEYS: dict[type, tuple[tuple[str, str], ...] | None] = {}
"""A class -> (key, field name) of each field when it is a dataclass, else None (looked up once a class: a city's
report is a hundred thousand values)."""


def _keys(cls: type) -> tuple[tuple[str, str], ...] | None:
    keys = _KEYS.get(cls, ())
    if keys == ():
        keys = _KEYS[cls] = (tuple((f.name.removesuffix("_"), f.name) for f in fields(cls))
                             if is_dataclass(cls) else None)
    return keys


def _plain(value: Any, lang: str) -> Any:
    cls = type(value)
    if cls in _PLAIN:
        return value
    if isinstance(value, Words):
        return value.get(lang)
    keys = _keys(cls)
    if keys is not None:
        return {key: _plain(getattr(value, name), lang) for key, name in keys}
    if isinstance(value, (list, tuple)):
        return [_plain(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, lang) for k, v in value.items()}
    return value
