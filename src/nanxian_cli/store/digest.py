"""The weekly digest's queries and its delivery records (exactly once per week, channel and target).

Only submitted visits count (never drafts or voided visits). Totals come from the per-visit counts
(`visits.n_*`) and `visit_plan_counts`, so nothing here scans answers. Dates are county-local ISO
strings, so a date range is a plain string comparison.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.store.db import Store
from nanxian_cli.store.finding_lists import ESCALATED_THEN, REPORTED_THEN

# -- visits -----------------------------------------------------------------------------------------

def visit_totals(store: Store, start: str, end: str) -> dict[str, Any]:
    row = store.one(
        "SELECT count(*) AS visits, count(DISTINCT school_code) AS schools, coalesce(sum(n_pass), 0) AS n_pass, "
        "coalesce(sum(n_fail), 0) AS n_fail, coalesce(sum(n_na), 0) AS n_na "
        "FROM visits WHERE status = 'submitted' AND date BETWEEN ? AND ?",
        (start, end),
    )
    return dict(row)


def visits_by_inspector(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT inspector, count(*) AS visits, count(DISTINCT school_code) AS schools, "
        "coalesce(sum(n_pass), 0) AS n_pass, coalesce(sum(n_fail), 0) AS n_fail "
        "FROM visits WHERE status = 'submitted' AND date BETWEEN ? AND ? "
        "GROUP BY inspector ORDER BY visits DESC, inspector",
        (start, end),
    )
    return [dict(r) for r in rows]


def visits_by_checklist(store: Store, start: str, end: str) -> list[dict[str, Any]]:
    # The title is taken from the newest checklist version used that week.
    rows = store.query(
        "SELECT v.checklist_id, count(*) AS visits, coalesce(sum(v.n_pass), 0) AS n_pass, "
        "coalesce(sum(v.n_fail), 0) AS n_fail, "
        "(SELECT cv.title_zh FROM checklist_versions cv WHERE cv.checklist_id = v.checklist_id "
        " ORDER BY cv.first_seen DESC LIMIT 1) AS title_zh, "
        "(SELECT cv.title_en FROM checklist_versions cv WHERE cv.checklist_id = v.checklist_id "
        " ORDER BY cv.first_seen DESC LIMIT 1) AS title_en "
        "FROM visits v WHERE v.status = 'submitted' AND v.date BETWEEN ? AND ? "
        "GROUP BY v.checklist_id ORDER BY visits DESC, v.checklist_id",
        (start, end),
    )
    return [dict(r) for r in rows]


def unvisited_schools(store: Store, since: str, until: str) -> list[dict[str, Any]]:
    """Schools with no submitted visit dated `since`..`until`, with their 责任督学 and last visit before `until`
    (the query of `inspect due`, store/due.py)."""
    from nanxian_cli.store.due import unvisited_schools as unvisited

    return unvisited(store, since, until)


def school_rates(store: Store, start: str, end: str, limit: int) -> list[dict[str, Any]]:
    """The schools with the lowest compliance rate among those with checked points in the range."""
    rows = store.query(
        "SELECT v.school_code AS code, s.name, count(*) AS visits, sum(v.n_pass) AS n_pass, "
        "sum(v.n_fail) AS n_fail, sum(v.n_critical_fail) AS n_critical_fail, "
        "CAST(sum(v.n_pass) AS REAL) / (sum(v.n_pass) + sum(v.n_fail)) AS rate "
        "FROM visits v JOIN schools s ON s.code = v.school_code "
        "WHERE v.status = 'submitted' AND v.date BETWEEN ? AND ? "
        "GROUP BY v.school_code HAVING sum(v.n_pass) + sum(v.n_fail) > 0 "
        "ORDER BY rate, n_fail DESC, code LIMIT ?",
        (start, end, limit),
    )
    return [dict(r) for r in rows]


def plan_item_rates(store: Store, start: str, end: str, limit: int) -> list[dict[str, Any]]:
    """The work-plan items with the lowest compliance rate in the range (titles when the plan is stored)."""
    rows = store.query(
        "SELECT c.plan_item AS number, p.title_zh, p.title_en, sum(c.n_pass) AS n_pass, sum(c.n_fail) AS n_fail, "
        "CAST(sum(c.n_pass) AS REAL) / (sum(c.n_pass) + sum(c.n_fail)) AS rate "
        "FROM visit_plan_counts c JOIN visits v ON v.seq = c.visit_seq "
        "LEFT JOIN plan_items p ON p.number = c.plan_item "
        "WHERE v.status = 'submitted' AND v.date BETWEEN ? AND ? "
        "GROUP BY c.plan_item HAVING sum(c.n_pass) + sum(c.n_fail) > 0 "
        "ORDER BY rate, n_fail DESC, number LIMIT ?",
        (start, end, limit),
    )
    return [dict(r) for r in rows]


# -- findings -------------------------------------------------------------------------------------
# A finding counts when its visit is submitted; withdrawn findings (e.g. of a voided visit) never count.
# A finding is opened on its visit's date, so new findings are found through the week's visits (indexed).

_FINDING_SELECT = (
    "SELECT f.id, f.uid, f.school_code, s.name AS school_name, f.item_id, ci.text_zh, ci.text_en, f.severity, "
    "f.opened, f.due, f.status, f.resolved_on, f.escalated, f.fixed_on_site, f.reported_on "
    "FROM findings f JOIN schools s ON s.code = f.school_code "
    "LEFT JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id "
)


def new_findings_by_severity(store: Store, start: str, end: str) -> dict[str, int]:
    rows = store.query(
        "SELECT f.severity, count(*) AS n FROM findings f JOIN visits v ON v.id = f.visit_id "
        "WHERE f.status != 'withdrawn' AND v.status = 'submitted' AND v.date BETWEEN ? AND ? "
        "AND f.opened BETWEEN ? AND ? GROUP BY f.severity",
        (start, end, start, end),
    )
    counts = {"critical": 0, "major": 0, "minor": 0}
    counts.update({r["severity"]: r["n"] for r in rows})
    return counts


def new_findings(store: Store, start: str, end: str, severity: str) -> list[dict[str, Any]]:
    rows = store.query(
        _FINDING_SELECT + "JOIN visits v ON v.id = f.visit_id "
        "WHERE f.status != 'withdrawn' AND v.status = 'submitted' AND v.date BETWEEN ? AND ? "
        "AND f.opened BETWEEN ? AND ? AND f.severity = ? ORDER BY f.due, f.opened, f.id",
        (start, end, start, end, severity),
    )
    return [dict(r) for r in rows]


def resolved_findings_by_severity(store: Store, start: str, end: str) -> dict[str, int]:
    rows = store.query(
        # `+status`: let SQLite use the resolved_on index rather than the status one.
        "SELECT severity, count(*) AS n FROM findings WHERE +status = 'resolved' AND resolved_on BETWEEN ? AND ? "
        "GROUP BY severity",
        (start, end),
    )
    counts = {"critical": 0, "major": 0, "minor": 0}
    counts.update({r["severity"]: r["n"] for r in rows})
    return counts


def fixed_on_site(store: Store, start: str, end: str) -> int:
    """Findings fixed during the visit (立行立改) in the range: resolved then, counted as fails, never as open."""
    return store.one("SELECT count(*) FROM findings WHERE +status = 'resolved' AND resolved_on BETWEEN ? AND ? "
                     "AND fixed_on_site = 1", (start, end))[0]


def hand_steps(store: Store, start: str, end: str) -> dict[str, int]:
    """How many findings got their 整改报告 (`reported`) and how many were escalated (`escalated`) in the range.

    Such a finding is in progress or withdrawn by hand now, or was resolved on or after `start`: those are
    found by their indexes, then their histories are read."""
    row = store.one(
        "SELECT coalesce(sum(EXISTS (SELECT 1 FROM finding_steps st WHERE st.finding_id = f.id "
        "  AND st.kind = 'reported' AND st.applied = 1 AND st.date BETWEEN ? AND ?)), 0) AS reported, "
        "coalesce(sum(EXISTS (SELECT 1 FROM finding_steps st WHERE st.finding_id = f.id "
        "  AND st.kind = 'escalated' AND st.applied = 1 AND st.date BETWEEN ? AND ?)), 0) AS escalated "
        "FROM findings f WHERE f.id IN (SELECT id FROM findings WHERE status IN ('open', 'reported', 'withdrawn') "
        "  UNION ALL SELECT id FROM findings WHERE resolved_on >= ? AND +status = 'resolved') "
        "AND f.derived = 1 AND f.opened <= ?",
        (start, end, start, end, start, end),
    )
    return {"reported": row["reported"], "escalated": row["escalated"]}


def due_findings(store: Store, as_of: str, first: str, last: str) -> list[dict[str, Any]]:
    """Findings still in progress at the end of day `as_of` whose due date is `first`..`last`, soonest first;
    `reported_then`, `escalated_then`: so at the end of that day."""
    rows = store.query(
        _FINDING_SELECT.replace("SELECT ", f"SELECT coalesce({REPORTED_THEN}, 0) AS reported_then, "
                                           f"{ESCALATED_THEN} AS escalated_then, ", 1)
        + "JOIN visits v ON v.id = f.visit_id "
        "WHERE f.id IN (SELECT id FROM findings WHERE status IN ('open', 'reported') AND due BETWEEN ? AND ? "
        "               UNION ALL SELECT id FROM findings WHERE resolved_on > ? AND +status = 'resolved' "
        "               AND due BETWEEN ? AND ?) "
        "AND v.status = 'submitted' AND f.opened <= ? "
        "ORDER BY f.due, " + _SEVERITY_ORDER + ", f.opened, f.id",
        (as_of, as_of, first, last, as_of, first, last, as_of),
    )
    return [dict(r) for r in rows]


_SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END"


def overdue_findings(store: Store, as_of: str) -> list[dict[str, Any]]:
    """Findings still open at the end of day `as_of` and due before it, oldest deadline first.

    "Still open then" includes findings resolved after `as_of`, so a digest for a past week shows what
    was overdue at that time.
    """
    rows = store.query(
        # Two indexed branches: open now (status, due), and resolved only after `as_of` (resolved_on).
        _FINDING_SELECT + "JOIN visits v ON v.id = f.visit_id "
        "WHERE f.id IN (SELECT id FROM findings WHERE status IN ('open', 'reported') AND due < ? "
        "               UNION ALL SELECT id FROM findings WHERE resolved_on > ? AND +status = 'resolved' AND due < ?) "
        "AND v.status = 'submitted' AND f.opened <= ? "
        "ORDER BY f.due, f.opened, f.id",
        (as_of, as_of, as_of, as_of),
    )
    return [dict(r) for r in rows]


# -- deliveries -----------------------------------------------------------------------------------

def delivery(store: Store, week: str, channel: str, target: str) -> str | None:
    """When this digest was delivered to this target (UTC), or None."""
    row = store.one(
        "SELECT delivered_at FROM digest_deliveries WHERE week = ? AND channel = ? AND target = ?",
        (week, channel, target),
    )
    return row[0] if row else None


def record_delivery(store: Store, week: str, channel: str, targets: list[str], now: str) -> None:
    """Record successful deliveries (at `now`, UTC); a forced re-delivery moves the time forward."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO digest_deliveries (week, channel, target, delivered_at) VALUES (?,?,?,?) "
            "ON CONFLICT(week, channel, target) DO UPDATE SET delivered_at = excluded.delivered_at",
            [(week, channel, t, now) for t in targets],
        )


def deliveries(store: Store, week: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT channel, target, delivered_at FROM digest_deliveries WHERE week = ? ORDER BY channel, target", (week,)
    )
    return [dict(r) for r in rows]
