"""Reading the roll-ups of m012: a period is split into whole years, whole months and the days at its edges.

A report sums the yearly roll-ups over the whole calendar years of its period, the monthly ones over the whole
months left, and the per-visit counts over the days of a partial month at either end, so the sums are exactly
those over the visits of the period, and reading a school year, or ten, costs a few rows per school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Spans:
    days: list[tuple[str, str]] = field(default_factory=list)
    """(first day, last day): read from the per-visit counts."""
    months: list[tuple[str, str]] = field(default_factory=list)
    """('YYYY-MM', 'YYYY-MM'): read from the monthly roll-ups."""
    years: list[tuple[str, str]] = field(default_factory=list)
    """('YYYY', 'YYYY'): read from the yearly roll-ups."""


def _month_start_after(day: dt.date) -> dt.date | None:
    """The first day of the month after `day`'s (None past the calendar's end)."""
    if day.month == 12:
        return dt.date(day.year + 1, 1, 1) if day.year < dt.MAXYEAR else None
    return dt.date(day.year, day.month + 1, 1)


def split(date_from: str, date_to: str) -> Spans:
    """The period `date_from`..`date_to` (ISO days, both included) as whole years, whole months and edge days."""
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
    m1, m2 = (first.year, first.month), (last.year, last.month)
    y1 = m1[0] if m1[1] == 1 else m1[0] + 1
    y2 = m2[0] if m2[1] == 12 else m2[0] - 1
    months: list[tuple[tuple[int, int], tuple[int, int]]] = []
    years: list[tuple[str, str]] = []
    if y1 <= y2:
        if m1 < (y1, 1):
            months.append((m1, (y1 - 1, 12)))
        if (y2, 12) < m2:
            months.append(((y2 + 1, 1), m2))
        years.append((f"{y1:04d}", f"{y2:04d}"))
    else:
        months.append((m1, m2))
    return Spans(days=days, months=[(f"{a[0]:04d}-{a[1]:02d}", f"{b[0]:04d}-{b[1]:02d}") for a, b in months],
                 years=years)
