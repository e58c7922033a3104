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


class Problem(ValueError):
    """A validator's refusal in both languages: pydantic keeps it as its error's `ctx["error"]`, so the message
    can be shown in the user's language (files/yaml.py `validation_words`); str() is the English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.words = Words(zh, en)


class Said(str):
    """A line in English that also carries its Chinese (`zh`): it flows through code written for plain strings
    (sorted, compared, deduplicated as its English) and is shown in the user's language at the boundary
    (`i18n.pick`). Joining it into a longer string keeps the English only: wrap the result again."""

    zh: str

    def __new__(cls, zh: str, en: str) -> Said:
        line = super().__new__(cls, en)
        line.zh = zh
        return line

    @classmethod
    def of(cls, words: Words) -> Said:
        return cls(words.zh, words.en)
