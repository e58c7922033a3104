"""Lines of text for a fixed width (help columns, the digest's mail text), counted in terminal cells.

Chinese is broken between any two characters, except never before a closing mark such as ，。） and never after
an opening one such as （; a run of narrow characters (a word, `--output`, 2020-11-02) is never broken; spaces
are break points. (Rich and textwrap break at spaces only.)
"""

from __future__ import annotations

from functools import lru_cache

_NO_LINE_START = set("，。、；：！？）》」』】〉,.;:!?)>]}")
_NO_LINE_END = set("（《「『【〈(<[{")


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: a wide character (with the closing mark after it or the opening mark
    before it), a run of narrow ones (a word with its punctuation, `--output`, 44.4%), a space."""
    out: list[str] = []
    for ch in text:
        if ch == " ":
            out.append(" ")
        elif not _wide(ch) and out and out[-1] != " " and not _wide(out[-1][-1]):
            out[-1] += ch  # a narrow run goes on
        else:
            out.append(ch)
    glued: list[str] = []
    for tok in out:
        if tok != " " and glued and glued[-1] != " " and (tok[0] in _NO_LINE_START or glued[-1][-1] in _NO_LINE_END):
            glued[-1] += tok
        else:
            glued.append(tok)
    return glued


@lru_cache(maxsize=4096)
def cells(text: str) -> int:
    """The width of `text` in terminal cells: 2 for a wide (CJK) character, 0 for a combining one. ASCII by its
    length; each text measured once (the digest measures every cell of its tables twice, and repeats its school
    names and numbers)."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """`text` in lines of at most `width` terminal cells: the first starting with `first`, the others with
    `indent` (a piece wider than a line gets a line of its own)."""
    lines: list[str] = []
    line, empty = first, True
    for tok in _tokens(text):
        if tok == " ":
            if not empty:
                line += " "
            continue
        if not empty and cells(line + tok) > width:
            lines.append(line.rstrip())
            line = indent
        line += tok
        empty = False
    if not empty:
        lines.append(line.rstrip())
    return lines
