"""Names as people type them: pinyin initials (`nzsyxx` for 南洲实验小学) and the closest known names to a
typo. Pure."""

from __future__ import annotations


def _each(chars):
    return list(chars)


def pinyin_initials(name: str) -> str:
    """`南洲实验小学` -> `nzsyxx`: what a supervisor types when the Chinese input method is not at hand."""
    from pypinyin import Style, lazy_pinyin

    # Characters that are not Chinese are kept one by one (pypinyin takes a list back; its stubs say str only).
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=_each)
    return "".join(p[:1] for p in parts if p).lower()


def closest_names(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    """The registered names a mistyped `name` most likely meant, best first (pure; for error messages).

    A Chinese input method's typo is usually a homophone (李铭 for 李明): same pinyin first, then the same
    pinyin initials (also what a supervisor types without an input method: `lm`); only when nothing sounds
    alike, close spellings.
    """
    import difflib

    from pypinyin import lazy_pinyin

    text = name.strip()
    typed = text.lower()

    def spelled(value: str) -> str:
        return "".join(lazy_pinyin(value, errors=_each)).lower()

    chosen: list[str] = []

    def take(matches: list[str]) -> None:
        for match in matches:
            if match not in chosen and match != text:
                chosen.append(match)

    sound = spelled(text)
    initials = pinyin_initials(text)
    take([c for c in candidates if spelled(c) == sound or spelled(c) == typed])
    take([c for c in candidates if initials and pinyin_initials(c) in (initials, typed)])
    if not chosen and typed.isascii() and typed.isalpha():  # initials typed with a slip (`nzsyx`, `nzxyxx`)
        by_initials: dict[str, list[str]] = {}
        for candidate in candidates:
            by_initials.setdefault(pinyin_initials(candidate), []).append(candidate)
        for close in difflib.get_close_matches(typed, list(by_initials), n=limit, cutoff=0.75):
            take(by_initials[close])
    if not chosen:  # no name sounds alike: the closest spellings (one character of two in common)
        take(difflib.get_close_matches(text, candidates, n=limit, cutoff=0.5))
    return chosen[:limit]
