"""All report SQL. Read-only, stdlib sqlite3 only (no sqlite_utils, no pydantic).

Totals come from the per-visit counts (`visits.n_*`) and the per-visit x plan-item counts
(`visit_plan_counts`), which already mirror the latest answer revision of every point, through their monthly
and yearly roll-ups (m012): whole years and whole months of a period are read from the roll-ups, the days of
a partial month at its edges from the per-visit counts (`visit_rows`, `plan_rows`). The answers table is
read only for per-point detail (`report item`, `report visit`). Only submitted visits count: drafts and
voided visits are ignored everywhere.

Scope: the school filters (town, stage, responsible inspector) select the schools; the visits in
scope are the submitted visits to those schools dated within the period (and of the checklist, if
given). A finding counts as open at the end of the period when it was opened by then and is still
open, or was resolved only after the period; it is overdue when it is open and its due date is
before the end of the period.
"""

from __future__ import annotations

from typing import Any

from nanxian_cli.store.db import Store
from nanxian_cli.store.finding_lists import ESCALATED_THEN, REPORTED_THEN
from nanxian_cli.store.report_scope import (
    Scope,
    finding_from,
    plan_rows,
    school_where,
    scoped_from,
    visit_from,
    visit_rows,
)

# the sums of `visit_rows` / `plan_rows` (alias u), named as the reports read them
_ROW_SUMS = (
    "coalesce(sum(u.visits), 0) AS visits, max(u.last_date) AS last_visit, "
    "coalesce(sum(u.n_pass), 0) AS pass, coalesce(sum(u.n_fail), 0) AS fail, coalesce(sum(u.n_na), 0) AS na, "
    "coalesce(sum(u.n_info), 0) AS info, coalesce(sum(u.w_pass), 0) AS w_pass, coalesce(sum(u.w_fail), 0) AS w_fail, "
    "coalesce(sum(u.n_critical_fail), 0) AS critical_fails"
)


_FINDING_SUMS = ("count(*) AS open_findings, coalesce(sum(f.due < ?), 0) AS overdue_findings, "
                 f"coalesce(sum({REPORTED_THEN}), 0) AS reported_findings, "
                 f"coalesce(sum({ESCALATED_THEN}), 0) AS escalated_findings")


def _sums_params(scope: Scope) -> list[Any]:
    """The ? parameters of _FINDING_SUMS: the end of the period for overdue, reported and escalated."""
    return [scope.date_to, scope.date_to, scope.date_to]


def _fixed_from(scope: Scope, extra_join: str = "") -> tuple[str, list[Any]]:
    """`FROM findings f ... WHERE ...` for the findings fixed on site (立行立改) during the period."""
    return scoped_from("findings", "f", ["f.status = 'resolved'", "f.resolved_on >= ?", "f.resolved_on <= ?",
                                          "f.fixed_on_site = 1"], [scope.date_from, scope.date_to], scope, extra_join)

_ASSIGNED = (
    " LEFT JOIN assignments a ON a.school_code = {col} LEFT JOIN inspectors i ON i.id = a.inspector_id"
)

# group key expression, joins needed for visits and for findings
_GROUPS = {
    "school": ("v.school_code", "", "f.school_code", ""),
    "town": ("s.town", " JOIN schools s ON s.code = v.school_code", "s.town",
             " JOIN schools s ON s.code = f.school_code"),
    "inspector": ("coalesce(i.name, '')", _ASSIGNED.format(col="v.school_code"),
                  "coalesce(i.name, '')", _ASSIGNED.format(col="f.school_code")),
    "checklist": ("v.checklist_id", "", "f.checklist_id", ""),
}


def _dicts(rows: list) -> list[dict]:
    return [dict(r) for r in rows]


def visit_totals(store: Store, scope: Scope) -> dict:
    rows, params = visit_rows(scope)
    return dict(store.one(f"SELECT count(DISTINCT u.code) AS schools, {_ROW_SUMS} FROM {rows} u", params))


def finding_totals(store: Store, scope: Scope) -> dict:
    """Open (of which overdue, reported, escalated) findings at the end of the period; fixed on site in it."""
    sql, params = finding_from(scope)
    out = dict(store.one("SELECT " + _FINDING_SUMS + sql, [*_sums_params(scope), *params]))
    sql, params = _fixed_from(scope)
    out["fixed_on_site_findings"] = store.one("SELECT count(*)" + sql, params)[0]
    return out


def visit_groups(store: Store, scope: Scope, by: str) -> list[dict]:
    """Counts per group (school, town, inspector, checklist, plan-item) over the visits in scope."""
    if by == "plan-item":
        rows, params = plan_rows(scope)
        return _dicts(store.query(f"SELECT u.plan_item AS key, {_ROW_SUMS} FROM {rows} u GROUP BY u.plan_item", params))
    expr, join = {
        "school": ("u.code", ""),
        "town": ("s.town", " JOIN schools s ON s.code = u.code"),
        "inspector": ("coalesce(i.name, '')", _ASSIGNED.format(col="u.code")),
        "checklist": ("cv.checklist_id", " JOIN checklist_versions cv ON cv.hash = u.hash"),
    }[by]
    rows, params = visit_rows(scope)
    return _dicts(store.query(f"SELECT {expr} AS key, {_ROW_SUMS} FROM {rows} u{join} GROUP BY {expr}", params))


def finding_groups(store: Store, scope: Scope, by: str) -> list[dict]:
    """Open (of which overdue, reported, escalated) findings at the end of the period, and the findings fixed
    on site during it, per group."""
    if by == "plan-item":
        expr = "cip.plan_item"
        join = " JOIN checklist_item_plan cip ON cip.hash = f.checklist_hash AND cip.item_id = f.item_id"
    else:
        _, _, expr, join = _GROUPS[by]
    sql, params = finding_from(scope, join)
    groups = {r["key"]: dict(r) for r in store.query(f"SELECT {expr} AS key, {_FINDING_SUMS}{sql} GROUP BY {expr}",
                                                      [*_sums_params(scope), *params])}
    sql, params = _fixed_from(scope, join)
    empty = {"open_findings": 0, "overdue_findings": 0, "reported_findings": 0, "escalated_findings": 0}
    for r in store.query(f"SELECT {expr} AS key, count(*) AS n{sql} GROUP BY {expr}", params):
        groups.setdefault(r["key"], {"key": r["key"], **empty})["fixed_on_site_findings"] = r["n"]
    return list(groups.values())


def schools_in_scope(store: Store, scope: Scope) -> list[dict]:
    where, params = school_where(scope)
    sql = (
        "SELECT s.code, s.name, s.town, s.stages, s.grp, i.name AS inspector FROM schools s"
        + _ASSIGNED.format(col="s.code")
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY s.town, s.code"
    )
    return _dicts(store.query(sql, params))


def unvisited_schools(store: Store, scope: Scope) -> list[dict]:
    """Schools in scope without a submitted visit in the period (of the checklist, if given)."""
    where, params = school_where(scope)
    cond = "v.school_code = s.code AND v.status = 'submitted' AND v.date >= ? AND v.date <= ?"
    vparams: list[Any] = [scope.date_from, scope.date_to]
    if scope.checklist is not None:
        cond += " AND v.checklist_id = ?"
        vparams.append(scope.checklist)
    where.append(f"NOT EXISTS (SELECT 1 FROM visits v WHERE {cond})")
    sql = (
        "SELECT s.code, s.name, s.town, i.name AS inspector, "
        "(SELECT max(v2.date) FROM visits v2 WHERE v2.school_code = s.code AND v2.status = 'submitted' "
        "AND v2.date < ?) AS last_visit_before FROM schools s"
        + _ASSIGNED.format(col="s.code")
        + " WHERE " + " AND ".join(where) + " ORDER BY s.town, s.code"
    )
    return _dicts(store.query(sql, [scope.date_from, *params, *vparams]))


def checklist_titles(store: Store) -> dict[str, tuple[str, str]]:
    """Latest stored title of each checklist id."""
    rows = store.query(
        "SELECT checklist_id, title_zh, title_en FROM checklist_versions ORDER BY first_seen, rowid"
    )
    return {r["checklist_id"]: (r["title_zh"] or r["checklist_id"], r["title_en"] or r["checklist_id"]) for r in rows}


def plan_titles(store: Store) -> dict[int, tuple[str, str]]:
    return {r["number"]: (r["title_zh"], r["title_en"])
            for r in store.query("SELECT number, title_zh, title_en FROM plan_items")}


# -- school ------------------------------------------------------------------------------------

def school_months(store: Store, scope: Scope) -> list[dict]:
    sql, params = visit_from(scope)
    return _dicts(store.query(
        "SELECT substr(v.date, 1, 7) AS month, count(*) AS visits, coalesce(sum(v.n_pass), 0) AS pass, "
        f"coalesce(sum(v.n_fail), 0) AS fail, coalesce(sum(v.n_na), 0) AS na{sql} GROUP BY substr(v.date, 1, 7) "
        "ORDER BY month",
        params,
    ))


def visit_list(store: Store, scope: Scope) -> list[dict]:
    sql, params = visit_from(scope, " LEFT JOIN checklist_versions cv ON cv.hash = v.checklist_hash")
    return _dicts(store.query(
        "SELECT v.id, v.date, v.inspector, v.checklist_id, cv.title_zh, cv.title_en, v.n_pass AS pass, "
        "v.n_fail AS fail, v.n_na AS na, v.n_info AS info, v.w_pass, v.w_fail, v.n_critical_fail AS critical_fails"
        f"{sql} ORDER BY v.date DESC, v.created_at DESC",
        params,
    ))


def open_findings(store: Store, scope: Scope) -> list[dict]:
    """Findings open at the end of the period, most overdue first, with the point's text; `reported_then` and
    `escalated_then`: so at the end of the period."""
    sql, params = finding_from(scope, " JOIN schools s ON s.code = f.school_code"
                                " LEFT JOIN checklist_items ci"
                                " ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id")
    return _dicts(store.query(
        "SELECT f.id, f.uid, f.school_code, s.name AS school_name, s.town, f.item_id, f.checklist_id, f.severity, "
        "f.opened, f.due, f.note, f.recheck_count, f.visit_id, ci.text_zh, ci.text_en, "
        f"coalesce({REPORTED_THEN}, 0) AS reported_then, coalesce({ESCALATED_THEN}, 0) AS escalated_then, "
        f"CAST(julianday(?) - julianday(f.due) AS INTEGER) AS days_overdue{sql} ORDER BY f.due, f.id",
        [*_sums_params(scope), *params],
    ))


def plan_item_counts(store: Store, scope: Scope) -> list[dict]:
    return visit_groups(store, scope, "plan-item")


# -- matrix -------------------------------------------------------------------------------------

def school_plan_counts(store: Store, scope: Scope) -> list[dict]:
    rows, params = plan_rows(scope, columns=("n_pass", "n_fail"))
    return _dicts(store.query(
        "SELECT u.code, u.plan_item, coalesce(sum(u.n_pass), 0) AS pass, coalesce(sum(u.n_fail), 0) AS fail "
        f"FROM {rows} u GROUP BY u.code, u.plan_item",
        params,
    ))


# -- plan item ----------------------------------------------------------------------------------

def item_points(store: Store, scope: Scope, number: int) -> list[dict]:
    """The points that check plan item `number` in the checklist versions used in the period."""
    rows, params = visit_rows(scope, columns=())
    return _dicts(store.query(
        "SELECT cv.checklist_id, cip.item_id, ci.text_zh, ci.text_en, ci.severity, "
        "count(DISTINCT cv.hash) AS versions, max(cv.version) AS version "
        "FROM checklist_item_plan cip JOIN checklist_versions cv ON cv.hash = cip.hash "
        "JOIN checklist_items ci ON ci.hash = cip.hash AND ci.item_id = cip.item_id "
        f"WHERE cip.plan_item = ? AND cip.hash IN (SELECT u.hash FROM {rows} u) "
        "GROUP BY cv.checklist_id, cip.item_id ORDER BY cv.checklist_id, min(ci.position)",
        [number, *params],
    ))


def item_groups(store: Store, scope: Scope, number: int, by: str) -> list[dict]:
    """Plan item `number`'s counts per school or per town."""
    rows, params = plan_rows(scope, number, columns=("visits", "n_pass", "n_fail", "n_na", "last_date"))
    expr = "u.code" if by == "school" else "s.town"
    extra = ", s.name, s.town" if by == "school" else ""
    return _dicts(store.query(
        f"SELECT {expr} AS key{extra}, coalesce(sum(u.visits), 0) AS visits, max(u.last_date) AS last_visit, "
        "coalesce(sum(u.n_pass), 0) AS pass, coalesce(sum(u.n_fail), 0) AS fail, coalesce(sum(u.n_na), 0) AS na "
        f"FROM {rows} u JOIN schools s ON s.code = u.code GROUP BY {expr}",
        params,
    ))


def item_failures(store: Store, scope: Scope, number: int) -> list[dict]:
    """The failing schools on plan item `number`: for each school and checklist, its latest visit in the
    period (of two on that day, the one recorded first); listed are that visit's points checking the item whose
    current answer revision failed (the latest; after parallel edits, the one recorded last, as the counts take;
    a school that has passed since is not listed), with the status of the point's latest finding opened by then at
    that school."""
    rows, params = visit_rows(scope, columns=("last_date",))
    return _dicts(store.query(
        "SELECT x.school_code AS code, s.name, s.town, v.id AS visit_id, v.date, v.inspector, a.item_id, a.value, "
        "a.note, ci.text_zh, ci.text_en, ci.severity, "
        "(SELECT f.status FROM findings f WHERE f.school_code = x.school_code AND f.point_key = ci.point_key "
        " AND f.opened <= v.date ORDER BY f.opened DESC, f.id DESC LIMIT 1) AS finding_status "
        "FROM (SELECT u.code AS school_code, cv.checklist_id, max(u.last_date) AS date "
        f"      FROM {rows} u JOIN checklist_versions cv ON cv.hash = u.hash GROUP BY u.code, cv.checklist_id) x "
        "JOIN visits v ON v.seq = (SELECT w.seq FROM visits w WHERE w.school_code = x.school_code "
        "  AND w.date = x.date AND w.checklist_id = x.checklist_id AND w.status = 'submitted' ORDER BY w.seq LIMIT 1) "
        "JOIN checklist_item_plan cip ON cip.hash = v.checklist_hash AND cip.plan_item = ? "
        "JOIN answers a ON a.visit_seq = v.seq AND a.item_id = cip.item_id AND a.is_current = 1 "
        "JOIN schools s ON s.code = x.school_code "
        "LEFT JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = cip.item_id "
        "WHERE a.outcome = 'fail' "
        "ORDER BY s.town, x.school_code, v.date DESC, a.item_id",
        [*params, number],
    ))


# -- one visit ----------------------------------------------------------------------------------

def visit_header(store: Store, visit_id: str) -> dict | None:
    row = store.one(
        "SELECT v.*, s.name AS school_name, s.town, s.stages, cv.title_zh, cv.title_en, "
        "cv.version AS checklist_version, "
        "(SELECT i.name FROM assignments a JOIN inspectors i ON i.id = a.inspector_id "
        "WHERE a.school_code = v.school_code) "
        "AS responsible FROM visits v JOIN schools s ON s.code = v.school_code "
        "LEFT JOIN checklist_versions cv ON cv.hash = v.checklist_hash WHERE v.id = ?",
        (visit_id,),
    )
    return dict(row) if row is not None else None


def visit_points(store: Store, visit_id: str) -> list[dict]:
    """Every point of the visit's checklist version with its current answer revision (None when unanswered)."""
    return _dicts(store.query(
        "SELECT ci.item_id, ci.position, ci.type, ci.severity, ci.weight, ci.text_zh, ci.text_en, "
        "(SELECT group_concat(plan_item, ',') FROM (SELECT cip.plan_item FROM checklist_item_plan cip "
        "  WHERE cip.hash = ci.hash AND cip.item_id = ci.item_id ORDER BY cip.plan_item)) AS plan, "
        "a.value, a.outcome, a.note, a.revision "
        "FROM visits v JOIN checklist_items ci ON ci.hash = v.checklist_hash "
        "LEFT JOIN answers a ON a.visit_seq = v.seq AND a.item_id = ci.item_id AND a.is_current = 1 "
        "WHERE v.id = ? ORDER BY ci.position",
        (visit_id,),
    ))


def visit_findings(store: Store, visit_id: str) -> list[dict]:
    """Findings this visit opened or re-checked (still failing), with their deadlines."""
    return _dicts(store.query(
        "SELECT f.id, f.item_id, f.severity, f.opened, f.due, f.status, f.note, f.recheck_count, "
        "CASE WHEN f.visit_id = ? THEN 'opened' ELSE 'recheck' END AS relation "
        "FROM findings f WHERE f.status != 'withdrawn' AND (f.visit_id = ? OR f.id IN "
        "(SELECT s.finding_id FROM finding_steps s WHERE s.visit_id = ? AND s.kind = 'recheck_failed' AND s.applied)) "
        "ORDER BY f.due, f.id",
        (visit_id, visit_id, visit_id),
    ))


def visits_in_period(store: Store, scope: Scope) -> int:
    """How many submitted visits are in scope (filters and period)."""
    sql, params = visit_from(scope)
    return int(store.one("SELECT count(*)" + sql, params)[0])


def latest_visit_date(store: Store, scope: Scope) -> str | None:
    """The date of the latest submitted visit under the scope's filters, whatever the period."""
    from dataclasses import replace

    sql, params = visit_from(replace(scope, date_from="0001-01-01", date_to="9999-12-31"))
    row = store.one("SELECT max(v.date)" + sql, params)
    return row[0] if row else None
