"""`report matrix`: a heat map of schools (rows, grouped by town) x the 21 plan items (compliance rate)."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.reports import Column, Document, Section, filters_meta, plan_label, rate, rounded
from nanxian_cli.reports.summary import period_text_iso
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store

PLAN_ITEMS = range(1, 22)


def compute(store: Store, scope: q.Scope) -> Document:
    q.check_scope(store, scope)
    schools = q.schools_in_scope(store, scope)
    counts: dict[str, dict[int, tuple[int, int]]] = {}
    for r in q.school_plan_counts(store, scope):
        counts.setdefault(r["code"], {})[r["plan_item"]] = (r["pass"], r["fail"])
    titles = q.plan_titles(store)
    rows = []
    for s in schools:  # ordered by town, code
        mine = counts.get(s["code"], {})
        cells = {str(n): rounded(rate(*mine[n])) if n in mine else None for n in PLAN_ITEMS}
        p = sum(v[0] for v in mine.values())
        f = sum(v[1] for v in mine.values())
        rows.append({"code": s["code"], "name": s["name"], "town": s["town"], "cells": cells,
                     "checked": p + f})
    column_totals = {}
    for n in PLAN_ITEMS:
        p = sum(counts[c][n][0] for c in counts if n in counts[c])
        f = sum(counts[c][n][1] for c in counts if n in counts[c])
        column_totals[str(n)] = rounded(rate(p, f))
    data = {
        "period": {"from": scope.date_from, "to": scope.date_to},
        "filters": {"town": scope.town, "stage": scope.stage, "inspector": scope.inspector, "checklist": scope.checklist},
        "columns": list(PLAN_ITEMS),
        "column_titles": {str(n): plan_label(titles, n) for n in PLAN_ITEMS},
        "rows": [{"code": r["code"], "name": r["name"], "town": r["town"], "cells": r["cells"]} for r in rows],
        "county": column_totals,
    }
    plan_cols = [Column(str(n), str(n), "rate", title=plan_label(titles, n)) for n in PLAN_ITEMS]
    flat = [{"code": r["code"], "name": r["name"], "town": r["town"], **r["cells"]} for r in rows]
    grid = Section(
        "matrix", tr("学校 × 工作要点 合格率", "Compliance by school and plan item"),
        [Column("code", tr("代码", "code")), Column("name", tr("学校", "school")), Column("town", tr("乡镇", "town"))]
        + plan_cols,
        flat, layout="matrix", empty=tr("没有学校", "No schools"), sheet=tr("热力图", "Matrix"),
    )
    county = Section(
        "county", tr("全县各工作要点合格率", "County compliance by plan item"),
        [Column("number", tr("要点", "no."), "int"), Column("title", tr("工作要点", "plan item")),
         Column("compliance_rate", tr("合格率", "compliance"), "rate")],
        [{"number": n, "title": plan_label(titles, n), "compliance_rate": column_totals[str(n)]} for n in PLAN_ITEMS],
        sheet=tr("全县", "County"),
    )
    return Document(
        kind="matrix", title=tr("督导热力图：学校 × 21项工作要点", "Heat map: schools x the 21 plan items"),
        meta=[(tr("期间", "Period"), period_text_iso(scope))] + filters_meta(data["filters"]),
        sections=[grid, county], data=data, csv_sections=["matrix"], landscape=True,
    )
