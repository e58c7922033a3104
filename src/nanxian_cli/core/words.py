"""Text in both languages, as data: core, store and services say what they mean in Chinese and English and
the command line picks one at the boundary (`i18n.pick`). Nothing here reads the user's language."""

from __future__ import annotations

from typing import NamedTuple


class Words(NamedTuple):
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def same(text: str) -> Words:
    """A text that reads the same in both languages (an id, a number, a file:line location)."""
    return Words(text, text)
