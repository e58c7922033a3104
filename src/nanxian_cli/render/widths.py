"""Column widths sized to their content, for the printed formats (docx, html) and the spreadsheet (xlsx).

Widths are in terminal cells (a Chinese character is two, a digit one). Short columns (numbers, dates,
severities) keep their whole width; when the page is too narrow for every column's longest cell, the longest
columns give way first, down to a floor, so a date or a percentage is never broken mid-word.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.render.document_text import cell_kind, matrix_cell_text, plain

CAP = 80  # no column asks for more than this many cells, however long its longest text
FLOOR = 8  # a text column keeps at least this many cells (four Chinese characters)


_NARROW = {".": 0.5, ",": 0.5, ":": 0.55, ";": 0.55, "-": 0.7, " ": 0.5, "(": 0.7, ")": 0.7, "/": 0.6, "'": 0.4,
           "i": 0.6, "l": 0.6, "j": 0.6, "t": 0.65, "f": 0.7, "r": 0.75, "I": 0.75, "%": 1.7, "m": 1.55, "w": 1.45,
           "M": 1.8, "W": 1.9, "—": 2.0, "·": 0.5}


def _line_width(line: str) -> float:
    """A line's printed width in half-em: a Chinese character 2, a digit 1, capitals and `%` wider than that, a
    full stop narrower (a column sized by terminal cells alone breaks `NX-001` and `75.8%` in print)."""
    from rich.cells import cell_len

    width = 0.0
    for ch in line:
        if ch in _NARROW:
            width += _NARROW[ch]
        elif "A" <= ch <= "Z":
            width += 1.45
        elif "a" <= ch <= "z":
            width += 1.12
        elif ch.isascii():
            width += 1.0
        else:
            width += cell_len(ch)
    return width


def text_width(text: str) -> int:
    """The widest line of `text` in print, in half-em cells (rounded up, one to spare)."""
    import math

    return max((math.ceil(_line_width(line)) + 1 for line in str(text).splitlines() if line), default=0)


HEADER_FLOOR = 4  # a header may wrap onto lines this narrow (two Chinese characters), its column's data may not


def header_width(text: str) -> int:
    """A header's width: headers are printed bold, Latin letters a little wider than in the cells (a Chinese
    character is as wide bold as not)."""
    import math

    latin = sum(1 for ch in text if ch.isascii())
    return math.ceil(text_width(text) + 0.15 * latin)


def _longest_word(text: str) -> int:
    """The widest word of a header: Latin words do not break, Chinese may break between any two characters."""
    import re

    return max((header_width(w) for w in re.findall(r"[A-Za-z0-9%.,'()/-]+", text)), default=0)


def shown(section: Any, column: Any, row: dict) -> str:
    """A cell as printed: a heat-map cell is its whole percent."""
    kind = cell_kind(column, row)
    if kind == "rate" and section.layout == "matrix":
        return matrix_cell_text(row.get(column.key))
    return plain(row.get(column.key), kind)


def content(section: Any, columns: list | None = None) -> list[int]:
    """Each column's widest value (header left out), capped."""
    return [min(CAP, max((text_width(shown(section, c, r)) for r in section.rows), default=0))
            for c in (columns if columns is not None else section.columns)]


def natural(section: Any, columns: list | None = None) -> list[int]:
    """Each column's widest cell (header included), capped."""
    cols = columns if columns is not None else section.columns
    return [max(w, min(CAP, header_width(c.header))) for c, w in zip(cols, content(section, cols), strict=False)]


def floors(section: Any, widths: list[int], columns: list | None = None, short: int = 18) -> list[int]:
    """How narrow each column may become: a number, a date or a short text (up to `short` cells: a code, a
    severity, a few words) keeps its widest value whole, its header wrapping if it must; longer text keeps FLOOR
    cells (or its header's width, up to twice that)."""
    cols = columns if columns is not None else section.columns
    out = []
    for c, w, widest in zip(cols, widths, content(section, cols), strict=False):
        header = header_width(c.header)
        if c.kind in ("int", "rate", "number", "date") or widest <= short:
            out.append(min(w, max(widest, min(header, max(HEADER_FLOOR, _longest_word(c.header))))))
        else:
            out.append(min(w, max(FLOOR, min(header, 2 * FLOOR))))
    return out


def volume(section: Any, columns: list | None = None) -> list[float]:
    """Each column's mean cell width: how much text it holds (a column of mostly empty notes holds little)."""
    out = []
    rows = max(1, len(section.rows))
    for c in columns if columns is not None else section.columns:
        total = sum(min(CAP * 4, text_width(shown(section, c, r))) for r in section.rows)
        out.append(max(1.0, total / rows))
    return out


def fit(widths: list[int], lows: list[int], total: float, *, fill: bool = True,
        weights: list[float] | None = None) -> list[float]:
    """Widths (cells) that sum to `total`: each column its natural width when they fit (the spare room shared
    among the columns in proportion, when `fill`); else the text columns share what the fixed ones leave in
    proportion to `weights` (how much text each holds), each between its floor (`lows`) and its natural width."""
    if not widths:
        return []
    room = float(total)
    if sum(widths) <= room:
        if not fill or sum(widths) == 0:
            return [float(w) for w in widths]
        scale = room / sum(widths)
        return [w * scale for w in widths]
    if sum(lows) >= room:  # too many columns for the page: shrink all of them alike
        scale = room / max(1, sum(lows))
        return [w * scale for w in lows]
    weights = weights or [float(w) for w in widths]

    def sized(t: float) -> list[float]:
        return [float(max(low, min(w, weight * t))) for w, low, weight in zip(widths, lows, weights, strict=False)]

    lo, hi = 0.0, max(w / weight for w, weight in zip(widths, weights, strict=False)) + 1
    for _ in range(50):  # the scale t with sum(sized(t)) == room
        mid = (lo + hi) / 2
        if sum(sized(mid)) > room:
            hi = mid
        else:
            lo = mid
    out = sized(lo)
    spare = room - sum(out)
    growable = [i for i, (w, x) in enumerate(zip(widths, out, strict=False)) if x < w]
    for i in growable:  # what rounding left over
        out[i] += spare / len(growable)
    return out


def _cells(section: Any, columns: list) -> list[list[int]]:
    """Each row's cell widths, column by column."""
    return [[min(CAP * 8, text_width(shown(section, c, r))) for c in columns] for r in section.rows]


def _height(row: list[int], widths: list[float]) -> int:
    return max((-(-length // max(1, int(w))) if length else 1) for length, w in zip(row, widths, strict=False))


def _lines(length: int, width: float) -> int:
    return -(-length // max(1, int(width))) if length else 1


def fewest_lines(cells: list[list[int]], widths: list[int], lows: list[int], total: float) -> list[float] | None:
    """Widths between the floors and the natural widths that print the rows in the fewest lines. From the floors,
    room goes step by step to the row whose next line saved costs the fewest cells (a row is as tall as its tallest
    cell, so its columns widen together); what is left once no line can be saved is shared by the columns that
    still wrap, in proportion. None when the floors do not fit."""
    cols = len(widths)
    w = [float(x) for x in lows]
    spare = total - sum(w)
    if spare < 0:
        return None
    while spare >= 1:
        heights = [max(_lines(x, wj) for x, wj in zip(row, w, strict=False)) for row in cells]
        best: tuple[float, list[float]] | None = None
        for row, h in zip(cells, heights, strict=False):
            if h <= 1:
                continue
            trial = [max(wj, min(float(nat), float(-(-x // (h - 1)))))
                     for x, wj, nat in zip(row, w, widths, strict=True)]
            if max(_lines(x, t) for x, t in zip(row, trial, strict=False)) >= h:
                continue  # a column at its natural width still needs h lines
            cost = sum(trial) - sum(w)
            if cost <= 0 or cost > spare:
                continue
            gain = sum(old - max(_lines(x, t) for x, t in zip(r, trial, strict=True))
                       for old, r in zip(heights, cells, strict=True))
            if best is None or gain / cost > best[0]:
                best = (gain / cost, trial)
        if best is None:
            break
        spare -= sum(best[1]) - sum(w)
        w = best[1]
    if spare > 0:  # no line left to save: the rest goes to the columns that still wrap, then to all alike
        growable = [j for j in range(cols) if w[j] < widths[j]] or [j for j in range(cols) if widths[j] > lows[j]] \
            or list(range(cols))
        for j in growable:
            w[j] += spare / len(growable)
    return w


def column_widths(section: Any, total: float, columns: list | None = None, *, fill: bool = True) -> list[float]:
    """The section's columns sized to their content within `total` cells: short columns whole, the long ones in the
    fewest printed lines (tables of many rows: in proportion to how much text each column holds)."""
    columns = columns if columns is not None else section.columns
    widths = natural(section, columns)
    lows = floors(section, widths, columns)
    if sum(lows) > 0.6 * total:  # short texts kept whole would leave too little for the long ones
        lows = floors(section, widths, columns, short=FLOOR + 2)
    if sum(widths) > total and len(section.rows) <= 60:
        header = [header_width(c.header) for c in columns]  # the header row wraps too
        best = fewest_lines([header, *_cells(section, columns)], widths, lows, total)
        if best is not None:
            return best
    return fit(widths, lows, total, fill=fill, weights=volume(section, columns))


def narrowest(section: Any) -> int:
    """The fewest cells a table's columns can have without breaking a number, a date or a code."""
    widths = natural(section)
    return sum(floors(section, widths))


def too_wide(doc: Any, cells: float, pad: float = 0.0) -> bool:
    """Whether some table of the document cannot fit `cells` (portrait) without breaking its values: it is printed
    landscape then."""
    return any(s.layout in ("table", "matrix") and s.rows and not s.data_only
               and narrowest(s) + pad * len(s.columns) > cells for s in doc.sections)
