"""The one rule for which days a checklist version covers, shared by its model and by the header peek that passes
over other versions' files (no heavy imports)."""

from __future__ import annotations

import datetime as dt


def covers(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date | None) -> bool:
    """Whether a version valid `valid_from`..`valid_to` (both inclusive, None: open) is the one sought for a visit
    dated `day`; without a day, the current version (no `valid_to`)."""
    if day is None:
        return valid_to is None
    return (valid_from is None or day >= valid_from) and (valid_to is None or day <= valid_to)
