"""`report matrix`: a heat map of schools (rows, grouped by town) x the 21 plan items (compliance rate)."""

from __future__ import annotations

from dataclasses import dataclass

from nanxian_cli.core.words import Words
from nanxian_cli.reports import Filters, Period, plan_title, rate4
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store
from nanxian_cli.store.report_scope import Scope

PLAN_ITEMS = range(1, 22)


@dataclass
class MatrixRow:
    code: str
    name: str
    town: str | None
    cells: dict[str, float | None]  # plan item number (as text) -> compliance rate, None when nothing was checked


@dataclass
class Matrix:
    period: Period
    filters: Filters
    columns: list[int]
    column_titles: dict[str, Words]
    rows: list[MatrixRow]  # ordered by town, code
    county: dict[str, float | None]  # the county's rate per plan item


def compute(store: Store, scope: Scope) -> Matrix:
    schools = q.schools_in_scope(store, scope)
    counts: dict[str, dict[int, tuple[int, int]]] = {}
    for r in q.school_plan_counts(store, scope):
        counts.setdefault(r["code"], {})[r["plan_item"]] = (r["pass"], r["fail"])
    titles = q.plan_titles(store)
    rows = []
    for s in schools:  # ordered by town, code
        mine = counts.get(s["code"], {})
        rows.append(MatrixRow(s["code"], s["name"], s["town"],
                              {str(n): rate4(*mine[n]) if n in mine else None for n in PLAN_ITEMS}))
    county = {}
    for n in PLAN_ITEMS:
        p = sum(counts[c][n][0] for c in counts if n in counts[c])
        f = sum(counts[c][n][1] for c in counts if n in counts[c])
        county[str(n)] = rate4(p, f)
    return Matrix(
        period=Period(scope.date_from, scope.date_to),
        filters=Filters(scope.town, scope.stage, scope.inspector, scope.checklist),
        columns=list(PLAN_ITEMS),
        column_titles={str(n): plan_title(titles, n) for n in PLAN_ITEMS},
        rows=rows,
        county=county,
    )
