"""`inspect due`: the month of 挂牌督导 (each 责任督学 visits each assigned school at least once a month): per
supervisor, the schools no submitted visit reached that month yet, how long since the last one, and the findings
waiting there for a re-check (of them, those due soon). The query is the digest's "not visited" one (store/due.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DUE_SOON_DAYS = 7
"""A finding in progress is "due soon" when its due date is within this many days from the reference day."""


@dataclass
class DueSchool:
    inspector: str
    school: str
    name: str
    town: str
    last_visit: str | None
    days_since: int | None
    open_findings: int
    due_soon: int


@dataclass
class Due:
    month: str
    first: dt.date
    last: dt.date
    as_of: dt.date
    """The day "days since" and "due soon" count from: today, or the month's last day for a past month."""
    schools: list[DueSchool]


def month_range(month: str) -> tuple[dt.date, dt.date]:
    """`2020-11` -> its first and last day (the text is checked by the caller)."""
    year, number = (int(part) for part in month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + (number == 12), number % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def compute(store, month: str, today: dt.date, inspector: str | None = None) -> Due:
    from nanxian_cli.store.due import unvisited_schools

    first, last = month_range(month)
    as_of = min(max(today, first), last)
    soon = as_of + dt.timedelta(days=DUE_SOON_DAYS)
    rows = unvisited_schools(store, first.isoformat(), last.isoformat(), inspector=inspector, assigned_only=True,
                             soon=(as_of.isoformat(), soon.isoformat()))
    schools = [DueSchool(
        inspector=r["inspector"], school=r["code"], name=r["name"], town=r["town"] or "", last_visit=r["last_visit"],
        days_since=(as_of - dt.date.fromisoformat(r["last_visit"])).days if r["last_visit"] else None,
        open_findings=r["open_findings"], due_soon=r["due_soon"],
    ) for r in rows]
    # per supervisor; within one, never visited first, then the longest unvisited
    schools.sort(key=lambda s: (s.inspector, s.days_since is not None, -(s.days_since or 0), s.school))
    return Due(month=month, first=first, last=last, as_of=as_of, schools=schools)
