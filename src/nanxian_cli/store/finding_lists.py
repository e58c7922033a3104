"""SQL of the findings as they are listed and counted (`finding list`, a visit's findings, one finding): the
order they are listed in, the conditions of their state on a given day (in progress, reported, escalated then; the
reports and the digest count with the same conditions) and the listing with its filters, a page of it and its
count. Read-only."""

from __future__ import annotations

import sqlite3
from typing import Any

# m013 indexes findings on this very expression (idx_findings_listed): a change here needs a new index too
SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END"

_FINDING_SELECT = (
    "SELECT f.*, s.name AS school_name, ci.text_zh AS item_text_zh, ci.text_en AS item_text_en, "
    "(SELECT a.value FROM answers a WHERE a.visit_seq = (SELECT fv.seq FROM visits fv WHERE fv.id = f.visit_id) "
    " AND a.item_id = f.item_id AND a.is_current = 1) AS answer_value "
    "FROM findings f JOIN schools s ON s.code = f.school_code "
    "LEFT JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id"
)

# In progress at the end of `day`: open or reported now, or resolved only after that day.
_IN_PROGRESS_THEN = "(f.status IN ('open', 'reported') OR (f.status = 'resolved' AND f.resolved_on > ?))"

# Reported (the 整改报告 in, awaiting re-check) at the end of `day`: the last step up to then that changed the
# state is `reported` (one that was reported and then re-checked without passing is open again).
STATE_STEPS = ("('opened', 'reported', 'returned', 'reopened', 'resolved', 'recheck_passed', 'fixed_on_site', "
               "'withdrawn')")
REPORTED_THEN = (
    "(f.derived = 1 AND f.reported_on IS NOT NULL AND (SELECT st.kind FROM finding_steps st WHERE st.finding_id = f.id "
    f"AND st.applied = 1 AND st.date <= ? AND st.kind IN {STATE_STEPS} ORDER BY st.n DESC LIMIT 1) = 'reported')"
)
# Escalated (上报/交办) by the end of `day`.
ESCALATED_THEN = ("(f.escalated = 1 AND EXISTS (SELECT 1 FROM finding_steps st WHERE st.finding_id = f.id "
                  "AND st.kind = 'escalated' AND st.applied = 1 AND st.date <= ?))")


def list_findings(store, *, day: str, limit: int | None = None, offset: int = 0, **filters: Any
                  ) -> list[sqlite3.Row]:
    """Findings as they stood at the end of `day`, critical first then by deadline (filters: `_listed`); with
    `limit`, only that many from `offset` on in that order: the page is chosen over the findings' own columns
    first, so the answers and texts are looked up for its rows only."""
    where, params = _listed(day, **filters)
    order = f" ORDER BY {SEVERITY_ORDER}, f.due, f.id"
    if limit is None:
        return store.query(_FINDING_SELECT + where + order, params)
    page = (f"SELECT f.id FROM findings f JOIN schools s ON s.code = f.school_code{where}{order} "
            "LIMIT ? OFFSET ?")
    return store.query(_FINDING_SELECT + f" WHERE f.id IN ({page}){order}", [*params, limit, offset])


def count_findings(store, *, day: str, **filters: Any) -> int:
    """How many findings `list_findings` lists with these filters."""
    where, params = _listed(day, **filters)
    return store.one("SELECT count(*) FROM findings f JOIN schools s ON s.code = f.school_code" + where, params)[0]


def _listed(day: str, *, school: str | None = None, status: str | None = None,
            severity: str | None = None, schools: list[str] | None = None, escalated: bool = False,
            due_by: str | None = None, due_from: str | None = None, town: str | None = None,
            inspector: str | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of the findings listed as they stood at the end of `day`.

    `status`: open (in progress then: open or reported) | reported | overdue (in progress and past due) |
    resolved (by then) | withdrawn; None = every finding except withdrawn ones. A finding opened after `day` is
    not listed. `schools` limits to these school codes, `town` to the schools of a town, `inspector` to the
    schools a supervisor is responsible for (assignments); `due_by` (and `due_from`) to findings in progress
    then that are due on or before (on or after) it; `escalated` to those escalated by then."""
    where, params = ["f.opened <= ?"], [day]
    if school:
        where.append("f.school_code = ?")
        params.append(school)
    if schools is not None:
        where.append(f"f.school_code IN ({', '.join('?' for _ in schools)})" if schools else "0")
        params.extend(schools)
    if town is not None:
        where.append("s.town = ?")
        params.append(town)
    if inspector is not None:
        where.append("f.school_code IN (SELECT a.school_code FROM assignments a JOIN inspectors i "
                     "ON i.id = a.inspector_id WHERE i.name = ?)")
        params.append(inspector)
    if status == "overdue":
        where.append(f"{_IN_PROGRESS_THEN} AND f.due < ?")
        params.extend([day, day])
    elif status == "open":
        where.append(_IN_PROGRESS_THEN)
        params.append(day)
    elif status == "reported":
        where.append(f"{_IN_PROGRESS_THEN} AND {REPORTED_THEN}")
        params.extend([day, day])
    elif status == "resolved":
        where.append("f.status = 'resolved' AND f.resolved_on <= ?")
        params.append(day)
    elif status:
        where.append("f.status = ?")
        params.append(status)
    else:  # withdrawn findings (amended or voided visits) are shown only when asked for
        where.append("f.status != 'withdrawn'")
    if severity:
        where.append("f.severity = ?")
        params.append(severity)
    if escalated:
        where.append(ESCALATED_THEN)
        params.append(day)
    if due_by or due_from:
        where.append(_IN_PROGRESS_THEN)
        params.append(day)
    if due_by:
        where.append("f.due <= ?")
        params.append(due_by)
    if due_from:
        where.append("f.due >= ?")
        params.append(due_from)
    return " WHERE " + " AND ".join(where), params


def findings_of_visit(store, visit_id: str) -> list[sqlite3.Row]:
    """The findings a visit opened, re-checked or resolved, critical first then by deadline."""
    return store.query(
        _FINDING_SELECT + " WHERE f.visit_id = ? OR f.resolved_by_visit = ? OR f.id IN "
        "(SELECT finding_id FROM finding_steps WHERE visit_id = ?) ORDER BY " + SEVERITY_ORDER + ", f.due, f.id",
        (visit_id, visit_id, visit_id),
    )


def finding_row(store, finding_id: int) -> sqlite3.Row | None:
    return store.one(_FINDING_SELECT + " WHERE f.id = ?", (finding_id,))


def draft_rechecks(conn: sqlite3.Connection, visit_id: str) -> dict[str, sqlite3.Row]:
    """finding uid -> the latest re-check a visit recorded for it."""
    out: dict[str, sqlite3.Row] = {}
    for r in conn.execute("SELECT * FROM finding_actions WHERE visit_id = ? AND kind = 'recheck' "
                          "ORDER BY recorded_at, uid", (visit_id,)):
        out[r["finding"]] = r
    return out
