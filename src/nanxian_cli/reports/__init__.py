"""Reports as data: each report is computed once into plain dataclasses whose fields are its JSON contract
(English keys, rates as fractions with 4 decimals). No language is chosen and nothing is laid out here: a text
that reads differently in Chinese and English is carried as `Words` (both), and render/ picks and lays out.
No pydantic, no Rich: this package is on the fast read path.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from nanxian_cli.core.scoring import rate
from nanxian_cli.core.vocab import FINDING_STATUS_LABELS, SEVERITY_LABELS, YES_NO_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError

Text = str | Words  # a text in the data: the same in both languages, or both wordings


@dataclass
class Period:
    from_: str
    to: str


@dataclass
class Filters:
    town: str | None
    stage: str | None
    inspector: str | None
    checklist: str | None


# -- numbers --------------------------------------------------------------------------------------

def rounded(value: float | None) -> float | None:
    """Rates in every export carry 4 decimals, so JSON, CSV and XLSX agree number for number."""
    return None if value is None else round(value, 4)


def rate4(passed: float, failed: float) -> float | None:
    """The compliance rate (core.scoring.rate) as exported."""
    return rounded(rate(passed, failed))


def worst_first(rows: list[Any], key: str = "compliance_rate", tie: str = "key") -> list[Any]:
    """Lowest rate first, rows without a rate last; ties by `tie`."""
    def order(r: Any) -> tuple:
        value, t = getattr(r, key), getattr(r, tie)
        return (value is None, value if value is not None else 0, (0, t, "") if isinstance(t, int) else (1, 0, str(t)))

    return sorted(rows, key=order)


# -- the period ---------------------------------------------------------------------------------

def school_year_start(day: dt.date) -> dt.date:
    """1 September of the school year that contains `day`."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def period(date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The report period. Defaults: --to is today (county time); --from is 1 September of the school year
    that contains --to (a 责任督学's year runs with the school year)."""
    end = date_to or today
    start = date_from or school_year_start(end)
    if start > end:
        from nanxian_cli.core.words import Words

        raise InputError(Words(f"--from {start.isoformat()} 晚于 --to {end.isoformat()}",
                               f"--from {start.isoformat()} is after --to {end.isoformat()}"))
    return start, end


@dataclass
class EmptyPeriod:
    """A report period that holds no visit under the report's filters: when the latest visit was (None: never),
    and the period to try instead (the school year of that visit, up to it)."""

    date_from: str
    date_to: str
    latest: str | None
    try_from: str | None
    try_to: str | None


def empty_period(store: Any, scope: Any) -> EmptyPeriod | None:
    """None when the report's period holds visits; else what to say about it (`EmptyPeriod`)."""
    from nanxian_cli.store import reports as q

    if q.visits_in_period(store, scope):
        return None
    latest = q.latest_visit_date(store, scope)
    if latest is None:
        return EmptyPeriod(scope.date_from, scope.date_to, None, None, None)
    day = dt.date.fromisoformat(latest)
    return EmptyPeriod(scope.date_from, scope.date_to, latest, school_year_start(day).isoformat(), latest)


# -- texts in both languages ----------------------------------------------------------------------

def words(pair: tuple[str, str] | None, fallback: Text = "") -> Text:
    return Words(*pair) if pair else fallback


def plan_title(titles: dict[int, tuple[str, str]], number: int) -> Words:
    """A plan item's title (stored in both languages), or its number when the plan has none."""
    pair = titles.get(number)
    return Words(*pair) if pair else Words(f"第{number}项", f"Item {number}")


def severity_words(severity: str | None) -> Text:
    return words(SEVERITY_LABELS.get(severity or ""), severity or "")


def finding_status_words(status: str | None) -> Text:
    if status is None:
        return ""
    return words(FINDING_STATUS_LABELS.get(status), status)


def answer_words(raw: str | None) -> Text:
    """A stored answer (JSON text) as people read it: yes/no in both languages, 60 not 60.0."""
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if value is None:
        return ""
    if isinstance(value, bool):
        return Words(*YES_NO_LABELS[value])
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def both(zh: str | None, en: str | None, fallback: str) -> Words:
    """A stored zh/en pair; a missing side reads `fallback` (an id)."""
    return Words(zh or fallback, en or fallback)
