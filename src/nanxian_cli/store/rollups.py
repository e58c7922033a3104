"""Reading the roll-ups of m012: a period is split into whole years, quarters and months, and the days at its edges.

A report sums the roll-up rows of the whole years, quarters and months of its period (the fewest that cover them)
and the per-visit counts of the days of a partial month at either end, so the sums are exactly those over the visits
of the period, and reading a school year (six pieces: a month, three quarters, two months) or ten years (at most
twenty pieces) costs a few rows per school and piece.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Spans:
    days: list[tuple[str, str]] = field(default_factory=list)
    """(first day, last day): read from the per-visit counts."""
    periods: list[str] = field(default_factory=list)
    """Whole years ('2020'), quarters ('2020-Q2') and months ('2020-05'): read from the roll-ups."""


def _month_start_after(day: dt.date) -> dt.date | None:
    """The first day of the month after `day`'s (None past the calendar's end)."""
    if day.month == 12:
        return dt.date(day.year + 1, 1, 1) if day.year < dt.MAXYEAR else None
    return dt.date(day.year, day.month + 1, 1)


def pieces(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    """The months (year, month) `first`..`last` as the fewest whole years, quarters and months, in order."""
    out: list[str] = []
    i, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    while i <= end:
        year, month0 = divmod(i, 12)
        if month0 == 0 and i + 11 <= end:
            out.append(f"{year:04d}")
            i += 12
        elif month0 % 3 == 0 and i + 2 <= end:
            out.append(f"{year:04d}-Q{month0 // 3 + 1}")
            i += 3
        else:
            out.append(f"{year:04d}-{month0 + 1:02d}")
            i += 1
    return out


def split(date_from: str, date_to: str) -> Spans:
    """The period `date_from`..`date_to` (ISO days, both included) as roll-up periods and edge days."""
    try:
        start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    except ValueError:
        return Spans(days=[(date_from, date_to)])
    if start > end:
        return Spans(days=[(date_from, date_to)])  # an empty period: the per-visit counts give nothing
    one_day = dt.timedelta(days=1)
    first = start if start.day == 1 else _month_start_after(start)  # the first day of the first whole month
    after = _month_start_after(end)
    if after is not None and after - one_day == end:
        last: dt.date | None = end  # the period ends on the last day of a month
    else:
        month_start = end.replace(day=1)
        last = month_start - one_day if month_start > dt.date.min else None  # the last day of the last whole month
    if first is None or last is None or first > last:
        return Spans(days=[(date_from, date_to)])
    days = []
    if start < first:
        days.append((date_from, (first - one_day).isoformat()))
    if last < end:
        days.append(((last + one_day).isoformat(), date_to))
    return Spans(days=days, periods=pieces((first.year, first.month), (last.year, last.month)))
