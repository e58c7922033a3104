"""The clock, read at the boundary: the county's date for "today", and UTC time stamps for records.

The store, the core and the reports never read the clock; the command line computes `today` once and the
services stamp the facts they write with `utc_now()`.
"""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """Now, in UTC, to the microsecond (ISO 8601 with offset): when a record was made. The fraction orders
    facts made in the same second (two visits of one school on one day); older records carry whole seconds,
    which still compare correctly as text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def later(stamp: str, microseconds: int) -> str:
    """A time stamp `microseconds` after `stamp`: the visits of one bulk transaction, in the order written."""
    return (dt.datetime.fromisoformat(stamp)
            + dt.timedelta(microseconds=microseconds)).isoformat(timespec="microseconds")


def county_today(timezone: str) -> dt.date:
    """Today's date in the county's time zone (raises ZoneInfoNotFoundError / ValueError for a bad name)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(timezone)).date()
