"""`report school SCHOOL`: one school's compliance by month, its visits, open findings and weakest plan items."""

from __future__ import annotations

from dataclasses import dataclass

from nanxian_cli.core.words import Words
from nanxian_cli.reports import Period, Text, both, finding_status_words, plan_title, rate4, severity_words, worst_first
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store
from nanxian_cli.store.report_scope import Scope

WORST_PLAN_ITEMS = 5


@dataclass
class SchoolInfo:
    code: str
    name: str
    town: str | None
    stages: list[str]
    group: str | None
    inspector: str | None


@dataclass
class SchoolTotals:
    visits: int
    last_visit: str | None
    pass_: int
    fail: int
    na: int
    critical_fails: int
    open_findings: int
    overdue_findings: int
    compliance_rate: float | None
    score: float | None


@dataclass
class Month:
    month: str  # YYYY-MM
    visits: int
    pass_: int
    fail: int
    na: int
    compliance_rate: float | None


@dataclass
class SchoolVisit:
    id: str
    short_id: str
    date: str
    inspector: str
    checklist: str
    checklist_title: Words
    pass_: int
    fail: int
    na: int
    info: int
    critical_fails: int
    compliance_rate: float | None
    score: float | None


@dataclass
class OpenFinding:
    id: int
    item: str
    text: Words
    checklist: str
    severity: str
    severity_label: Text
    opened: str
    due: str
    days_overdue: int
    overdue: bool
    note: str | None
    rechecks: int
    visit: str
    uid: str
    status: str
    """At the end of the period: open | reported."""
    status_label: Text
    escalated: bool
    """Escalated (上报/交办) by the end of the period."""


@dataclass
class PlanItemRate:
    number: int
    title: Words
    visits: int
    pass_: int
    fail: int
    na: int
    compliance_rate: float | None


@dataclass
class SchoolReport:
    school: SchoolInfo
    period: Period
    totals: SchoolTotals
    months: list[Month]
    visits: list[SchoolVisit]
    open_findings: list[OpenFinding]
    worst_plan_items: list[PlanItemRate]


def _months(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= end[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute(store: Store, school: dict, scope: Scope) -> SchoolReport:
    scope.school = school["code"]
    by_month = {r["month"]: r for r in q.school_months(store, scope)}
    months = []
    for month in _months(scope.date_from, scope.date_to):
        r = by_month.get(month) or {"month": month, "visits": 0, "pass": 0, "fail": 0, "na": 0}
        months.append(Month(month, r["visits"], r["pass"], r["fail"], r["na"], rate4(r["pass"] or 0, r["fail"] or 0)))
    visits = [
        SchoolVisit(
            id=v["id"], short_id=v["id"][:8], date=v["date"], inspector=v["inspector"], checklist=v["checklist_id"],
            checklist_title=Words(v["title_zh"] or "", v["title_en"] or ""), pass_=v["pass"], fail=v["fail"],
            na=v["na"], info=v["info"], critical_fails=v["critical_fails"],
            compliance_rate=rate4(v["pass"] or 0, v["fail"] or 0), score=rate4(v["w_pass"] or 0, v["w_fail"] or 0))
        for v in q.visit_list(store, scope)
    ]
    findings = [
        OpenFinding(
            id=f["id"], item=f["item_id"], text=both(f["text_zh"], f["text_en"], f["item_id"]),
            checklist=f["checklist_id"],
            severity=f["severity"], severity_label=severity_words(f["severity"]), opened=f["opened"], due=f["due"],
            days_overdue=max(0, f["days_overdue"]), overdue=f["days_overdue"] > 0, note=f["note"],
            rechecks=f["recheck_count"], visit=f["visit_id"], uid=f["uid"],
            status="reported" if f["reported_then"] else "open",
            status_label=finding_status_words("reported" if f["reported_then"] else "open"),
            escalated=bool(f["escalated_then"]))
        for f in q.open_findings(store, scope)
    ]
    titles = q.plan_titles(store)
    plan_rows = []
    for r in q.plan_item_counts(store, scope):
        row = PlanItemRate(r["key"], plan_title(titles, r["key"]), r["visits"], r["pass"], r["fail"], r["na"],
                           rate4(r["pass"] or 0, r["fail"] or 0))
        if row.compliance_rate is not None:
            plan_rows.append(row)
    totals = q.visit_totals(store, scope)
    return SchoolReport(
        school=SchoolInfo(*(school.get(k) for k in ("code", "name", "town", "stages", "group", "inspector"))),
        period=Period(scope.date_from, scope.date_to),
        totals=SchoolTotals(
            visits=totals["visits"], last_visit=totals["last_visit"], pass_=totals["pass"], fail=totals["fail"],
            na=totals["na"], critical_fails=totals["critical_fails"], open_findings=len(findings),
            overdue_findings=sum(1 for f in findings if f.overdue),
            compliance_rate=rate4(totals["pass"] or 0, totals["fail"] or 0),
            score=rate4(totals["w_pass"] or 0, totals["w_fail"] or 0)),
        months=months,
        visits=visits,
        open_findings=findings,
        worst_plan_items=worst_first(plan_rows, tie="number")[:WORST_PLAN_ITEMS],
    )
