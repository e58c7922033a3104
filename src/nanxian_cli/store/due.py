"""The schools no submitted visit reached in a window of days: `inspect due` (the month of 挂牌督导) and the digest's
"not visited for 30 days" ask the same question here."""

from __future__ import annotations

from typing import Any

from nanxian_cli.store.db import Store

_IN_PROGRESS = "f.school_code = s.code AND f.status IN ('open', 'reported')"


def unvisited_schools(store: Store, since: str, until: str, *, inspector: str | None = None,
                      assigned_only: bool = False, soon: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """Schools with no submitted visit dated `since`..`until`, with their 责任督学 and their last visit up to
    `until`, the longest unvisited first (never visited before them all). `inspector`: only that supervisor's
    schools; `assigned_only`: only schools that have one. With `soon` (two days), each row also counts the findings
    in progress there (`open_findings`: waiting for a re-check) and those of them due between the two days
    (`due_soon`)."""
    counts = ""
    params: list[Any] = [until]
    if soon is not None:
        counts = (f", (SELECT count(*) FROM findings f WHERE {_IN_PROGRESS}) AS open_findings, "
                  f"(SELECT count(*) FROM findings f WHERE {_IN_PROGRESS} AND f.due >= ? AND f.due <= ?) AS due_soon")
        params += list(soon)
    where = ["NOT EXISTS (SELECT 1 FROM visits v WHERE v.school_code = s.code AND v.status = 'submitted' "
             "AND v.date BETWEEN ? AND ?)"]
    params += [since, until]
    if inspector is not None:
        where.append("i.name = ?")
        params.append(inspector)
    elif assigned_only:
        where.append("i.id IS NOT NULL")
    rows = store.query(
        "SELECT s.code, s.name, s.town, i.name AS inspector, "
        "(SELECT max(v.date) FROM visits v WHERE v.school_code = s.code AND v.status = 'submitted' "
        f" AND v.date <= ?) AS last_visit{counts} "
        "FROM schools s LEFT JOIN assignments a ON a.school_code = s.code "
        "LEFT JOIN inspectors i ON i.id = a.inspector_id "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY last_visit IS NOT NULL, last_visit, s.code",
        params,
    )
    return [dict(r) for r in rows]
