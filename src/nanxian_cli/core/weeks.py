"""ISO weeks (Monday-Sunday), the digest's period. Pure: `today` is passed in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nanxian_cli.core.words import Words

_WEEK_RE = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


class WeekError(ValueError):
    """A `--week` value that names no week; `words` says why, in both languages."""

    def __init__(self, words: Words) -> None:
        super().__init__(words.en)
        self.words = words


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    def previous(self) -> IsoWeek:
        return week_of(self.monday - dt.timedelta(days=7))

    def next(self) -> IsoWeek:
        return week_of(self.monday + dt.timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def week_of(day: dt.date) -> IsoWeek:
    iso = day.isocalendar()
    return IsoWeek(iso[0], iso[1])


def parse_week(text: str | None, today: dt.date) -> IsoWeek:
    """`YYYY-Www`, `last` (the week before `today`'s) or `this` (the week of `today`)."""
    value = "last" if text is None else text.strip().lower()
    if value == "last":
        return week_of(today - dt.timedelta(days=7))
    if value == "this":
        return week_of(today)
    match = _WEEK_RE.match(value)
    if not match:
        raise WeekError(Words(f"--week：{text!r} 不是周（YYYY-Www、last 或 this）",
                              f"--week: {text!r} is not a week (YYYY-Www, last or this)"))
    year, week = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekError(Words(f"--week：{year} 年没有第 {week} 周", f"--week: {year} has no ISO week {week}")) from None
    return IsoWeek(year, week)
