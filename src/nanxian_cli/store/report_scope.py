"""The scope of a report as SQL: the school filters, the visits and findings in scope (`visit_from`, `finding_from`,
every value a ? parameter), and the rows whose sums are the counts of the visits in scope (`visit_rows`,
`plan_rows`): the roll-ups of m012 for the whole years, quarters and months of the period, the per-visit counts for
the days of a partial month at either end (store/rollups.py splits the period). Read-only, stdlib sqlite3 only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Scope:
    date_from: str
    date_to: str
    town: str | None = None
    stage: str | None = None
    inspector: str | None = None  # the schools' responsible supervisor (责任督学)
    checklist: str | None = None
    school: str | None = None  # one school code


# -- building the WHERE clauses (every value a ? parameter) -----------------------------------

def school_where(scope: Scope, alias: str = "s", *, with_code: bool = True) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if scope.town is not None:
        where.append(f"{alias}.town = ?")
        params.append(scope.town)
    if scope.stage is not None:
        where.append(f"(' ' || {alias}.stages || ' ') LIKE ?")
        params.append(f"% {scope.stage} %")
    if scope.inspector is not None:
        where.append(
            f"{alias}.code IN (SELECT a2.school_code FROM assignments a2 JOIN inspectors i2 ON i2.id = a2.inspector_id "
            "WHERE i2.name = ?)"
        )
        params.append(scope.inspector)
    if with_code and scope.school is not None:
        where.append(f"{alias}.code = ?")
        params.append(scope.school)
    return where, params


def has_school_filter(scope: Scope) -> bool:
    return any(x is not None for x in (scope.town, scope.stage, scope.inspector))


def visit_from(scope: Scope, extra_join: str = "") -> tuple[str, list[Any]]:
    """`FROM visits v [JOIN schools s] ... WHERE ...` for the visits in scope.

    `extra_join` may carry its own ? parameters; they come first in the returned list."""
    return scoped_from("visits", "v", ["v.status = 'submitted'", "v.date >= ?", "v.date <= ?"],
                        [scope.date_from, scope.date_to], scope, extra_join)


OPEN_AT_END = "f.opened <= ? AND (f.status IN ('open', 'reported') OR (f.status = 'resolved' AND f.resolved_on > ?))"


def finding_from(scope: Scope, extra_join: str = "") -> tuple[str, list[Any]]:
    """`FROM findings f [JOIN schools s] ... WHERE ...` for the findings open at the end of the scope."""
    return scoped_from("findings", "f", [OPEN_AT_END], [scope.date_to, scope.date_to], scope, extra_join)


def scoped_from(table: str, alias: str, where: list[str], params: list[Any], scope: Scope,
                 extra_join: str) -> tuple[str, list[Any]]:
    """The base conditions, then the scope's checklist, school and school filters (town, stage, inspector)."""
    if scope.checklist is not None:
        where.append(f"{alias}.checklist_id = ?")
        params.append(scope.checklist)
    if scope.school is not None:
        where.append(f"{alias}.school_code = ?")
        params.append(scope.school)
    join = extra_join
    if has_school_filter(scope):
        if " schools s " not in join:
            join = f" JOIN schools s ON s.code = {alias}.school_code" + join
        swhere, sparams = school_where(scope, with_code=False)
        where += swhere
        params += sparams
    return f" FROM {table} {alias}{join} WHERE " + " AND ".join(where), params


# -- the counts of the visits in scope: roll-ups for whole years, quarters and months, visits for the edge days ----

_SUMMED = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail")
_ALL = ("visits", *_SUMMED, "last_date")


def _rollup_where(scope: Scope, periods: list[str], *, kind: str, number: int | None = None
                  ) -> tuple[str, list[Any]]:
    """The roll-up rows `r` of these periods in scope. Without a school filter each period's rows are read as one
    range; with one (or for one plan item), each school's rows are sought by key."""
    where = [f"r.period IN ({', '.join('?' for _ in periods)})"]
    params: list[Any] = list(periods)
    swhere, sparams = school_where(scope)
    if swhere or number is not None:
        where.append("r.school_code IN (SELECT s.code FROM schools s" + (" WHERE " + " AND ".join(swhere) if swhere
                                                                           else "") + ")")
        params += sparams
    if number is not None:
        where.append("r.plan_item = ?")
        params.append(number)
    if scope.checklist is not None:
        if kind == "visit":
            where.append("r.checklist_hash IN (SELECT cv.hash FROM checklist_versions cv WHERE cv.checklist_id = ?)")
        else:
            where.append("r.checklist_id = ?")
        params.append(scope.checklist)
    return " WHERE " + " AND ".join(where), params


def _edge_scope(scope: Scope, first: str, last: str) -> Scope:
    return Scope(first, last, town=scope.town, stage=scope.stage, inspector=scope.inspector, checklist=scope.checklist,
                 school=scope.school)


def _aggregates(prefix: str, columns: tuple[str, ...], *, rollup: bool) -> str:
    """The aggregates of `columns` over roll-up rows (`rollup`) or over visits / plan counts (`prefix` v or p)."""
    out = []
    for c in columns:
        if c == "visits":
            out.append("sum(r.visits) AS visits" if rollup else "count(*) AS visits")
        elif c == "last_date":
            out.append("max(r.last_date) AS last_date" if rollup else "max(v.date) AS last_date")
        else:
            out.append(f"sum({'r' if rollup else prefix}.{c}) AS {c}")
    return "".join(", " + a for a in out)


def _union(parts: list[str], columns: tuple[str, ...]) -> str:
    empty = "SELECT " + ", ".join(f"NULL AS {c}" for c in columns) + " WHERE 0"
    return "(" + " UNION ALL ".join(parts or [empty]) + ")"


def visit_rows(scope: Scope, columns: tuple[str, ...] = _ALL) -> tuple[str, list[Any]]:
    """A subquery of rows (code, hash, *columns) whose sums (of `last_date`: maximum) per school and checklist
    version are those of the submitted visits in scope; `columns` from visits, n_pass, n_fail, n_na, n_info, w_pass,
    w_fail, n_critical_fail, last_date (each aggregate costs time on every row read)."""
    from nanxian_cli.store.rollups import split

    spans = split(scope.date_from, scope.date_to)
    parts: list[str] = []
    params: list[Any] = []
    if spans.periods:
        where, wparams = _rollup_where(scope, spans.periods, kind="visit")
        parts.append(f"SELECT r.school_code AS code, r.checklist_hash AS hash{_aggregates('r', columns, rollup=True)} "
                     f"FROM visit_rollups r{where} GROUP BY r.school_code, r.checklist_hash")
        params += wparams
    vsums = _aggregates("v", columns, rollup=False)
    for first, last in spans.days:
        sql, vparams = visit_from(_edge_scope(scope, first, last))
        parts.append(f"SELECT v.school_code AS code, v.checklist_hash AS hash{vsums}{sql} "
                     "GROUP BY v.school_code, v.checklist_hash")
        params += vparams
    return _union(parts, ("code", "hash", *columns)), params


def plan_rows(scope: Scope, number: int | None = None, columns: tuple[str, ...] = _ALL) -> tuple[str, list[Any]]:
    """A subquery of rows (code, plan_item, *columns) whose sums (of `last_date`: maximum) per school and plan item
    (only plan item `number`, if given) are those of the submitted visits in scope; `visits` counts the visits
    that checked the plan item."""
    from nanxian_cli.store.rollups import split

    spans = split(scope.date_from, scope.date_to)
    parts: list[str] = []
    params: list[Any] = []
    if spans.periods:
        where, wparams = _rollup_where(scope, spans.periods, kind="plan", number=number)
        parts.append(f"SELECT r.school_code AS code, r.plan_item{_aggregates('r', columns, rollup=True)} "
                     f"FROM plan_rollups r{where} GROUP BY r.school_code, r.plan_item")
        params += wparams
    psums = _aggregates("p", columns, rollup=False)
    join = " JOIN visit_plan_counts p ON p.visit_seq = v.seq" + (" AND p.plan_item = ?" if number is not None else "")
    for first, last in spans.days:
        sql, vparams = visit_from(_edge_scope(scope, first, last), join)
        parts.append(f"SELECT v.school_code AS code, p.plan_item{psums}{sql} GROUP BY v.school_code, p.plan_item")
        params += ([number] if number is not None else []) + vparams
    return _union(parts, ("code", "plan_item", *columns)), params
