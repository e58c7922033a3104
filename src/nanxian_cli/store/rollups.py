"""The roll-ups of m012: a period split into whole years, quarters and months, and the days at its edges; the plan
counts of a visit added to them and taken out of them.

A report sums the roll-up rows of the whole years, quarters and months of its period (the fewest that cover them)
and the per-visit counts of the days of a partial month at either end, so the sums are exactly those over the visits
of the period, and reading a school year (six pieces: a month, three quarters, two months) or ten years (at most
twenty pieces) costs a few rows per school and piece.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
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


# -- keeping plan_rollups in step with visit_plan_counts (m012's triggers follow the visits themselves) -----------

_COUNTS = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail")
_KEY = ("period", "school_code", "plan_item", "checklist_id")
# a visit's three periods: k = 1 its month ('2020-05'), 2 its quarter ('2020-Q2'), 3 its year ('2020')
_PERIOD = ("(CASE k.column1 WHEN 1 THEN substr(v.date, 1, 7) "
           "WHEN 2 THEN substr(v.date, 1, 5) || 'Q' || ((substr(v.date, 6, 2) + 2) / 3) ELSE substr(v.date, 1, 4) END)")
# The plan counts of the visits named in a JSON list, per roll-up row, for the submitted ones. Joined in this order
# (CROSS JOIN): from the visits named to their rows, never through every submitted visit.
_ROWS = ("(SELECT " + _PERIOD + " AS period, v.school_code AS school_code, p.plan_item AS plan_item, "
         "v.checklist_id AS checklist_id, count(*) AS visits, " + ", ".join(f"sum(p.{c}) AS {c}" for c in _COUNTS)
         + ", max(v.date) AS date FROM json_each(?) j CROSS JOIN visits v CROSS JOIN visit_plan_counts p "
         "CROSS JOIN (VALUES (1), (2), (3)) k WHERE v.seq = j.value AND +v.status = 'submitted' "
         "AND p.visit_seq = v.seq GROUP BY 1, 2, 3, 4)")


_SPANS = ("substr(v.date, 1, 7)", "substr(v.date, 1, 5) || 'Q' || ((substr(v.date, 6, 2) + 2) / 3)",
          "substr(v.date, 1, 4)")


def add_plan_rows(conn: sqlite3.Connection, seqs: list[int]) -> None:
    """Add the plan counts of these visits (just written) to the roll-ups of their month, quarter and year, if they
    are submitted: one statement per kind of period (measured: cheaper than one through a sort, or a trigger)."""
    cols = ", ".join((*_KEY, "visits", *_COUNTS, "last_date"))
    sums = ", ".join(f"{c} = {c} + excluded.{c}" for c in ("visits", *_COUNTS))
    counts = ", ".join(f"p.{c}" for c in _COUNTS)
    named = json.dumps(seqs)
    for period in _SPANS:
        conn.execute(f"INSERT INTO plan_rollups ({cols}) SELECT {period}, v.school_code, p.plan_item, v.checklist_id, "
                     f"1, {counts}, v.date FROM json_each(?) j CROSS JOIN visits v CROSS JOIN visit_plan_counts p "
                     "WHERE v.seq = j.value AND +v.status = 'submitted' AND p.visit_seq = v.seq "
                     f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {sums}, "
                     "last_date = max(last_date, excluded.last_date)", (named,))


def take_out_plan_rows(conn: sqlite3.Connection, seq: int) -> None:
    """Take a visit's plan counts (about to be deleted) out of the roll-ups, if it is submitted: subtract, find the
    latest date of the other visits again where this one held it, and delete the rows no visit is left in."""
    match = " AND ".join(f"r.{c} = x.{c}" for c in _KEY)
    subtract = ", ".join(f"{c} = r.{c} - x.{c}" for c in ("visits", *_COUNTS))
    param = (json.dumps([seq]),)
    first = ("(CASE WHEN length(r.period) = 4 THEN r.period || '-01-01' WHEN substr(r.period, 6, 1) = 'Q' THEN "
             "substr(r.period, 1, 5) || printf('%02d', substr(r.period, 7) * 3 - 2) || '-01' "
             "ELSE r.period || '-01' END)")
    last = ("(CASE WHEN length(r.period) = 4 THEN r.period || '-12-31' WHEN substr(r.period, 6, 1) = 'Q' THEN "
            "substr(r.period, 1, 5) || printf('%02d', substr(r.period, 7) * 3) || '-31' ELSE r.period || '-31' END)")
    latest = ("(SELECT max(v2.date) FROM visits v2 JOIN visit_plan_counts p2 ON p2.visit_seq = v2.seq "
              "AND p2.plan_item = r.plan_item WHERE v2.school_code = r.school_code "
              "AND v2.checklist_id = r.checklist_id AND v2.status = 'submitted' AND v2.seq != ? "
              f"AND v2.date BETWEEN {first} AND {last})")
    conn.execute(f"UPDATE plan_rollups AS r SET {subtract} FROM {_ROWS} x WHERE {match}", param)
    conn.execute(f"UPDATE plan_rollups AS r SET last_date = {latest} FROM {_ROWS} x WHERE {match} "
                 "AND r.last_date = x.date AND r.visits > 0", (seq, *param))
    conn.execute(f"DELETE FROM plan_rollups WHERE visits = 0 AND ({', '.join(_KEY)}) IN "
                 f"(SELECT {', '.join(_KEY)} FROM {_ROWS})", param)
