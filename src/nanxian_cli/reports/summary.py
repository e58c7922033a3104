"""`report summary`: totals and one row per school, town, supervisor, checklist or plan item, worst first."""

from __future__ import annotations

from dataclasses import dataclass

from nanxian_cli.core.words import Words
from nanxian_cli.reports import Filters, Period, Text, plan_title, rate4, worst_first
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store
from nanxian_cli.store.report_scope import Scope

GROUPS = ("school", "town", "inspector", "checklist", "plan-item")


@dataclass
class SummaryTotals:
    visits: int
    schools: int
    schools_in_scope: int
    unvisited_schools: int
    pass_: int
    fail: int
    na: int
    info: int
    w_pass: float
    w_fail: float
    critical_fails: int
    open_findings: int
    overdue_findings: int
    reported_findings: int
    """Of the open findings: the school's 整改报告 is in, awaiting the re-check (待复查)."""
    escalated_findings: int
    """Of the open findings: escalated to the bureau (上报/交办)."""
    fixed_on_site_findings: int
    """Findings fixed during the visit (立行立改) in the period: counted as fails, never as open."""
    last_visit: str | None
    compliance_rate: float | None
    score: float | None


@dataclass
class SummaryRow:
    key: str | int
    label: Text
    visits: int
    last_visit: str | None
    pass_: int
    fail: int
    na: int
    info: int
    compliance_rate: float | None
    score: float | None
    open_findings: int
    overdue_findings: int
    reported_findings: int
    escalated_findings: int
    fixed_on_site_findings: int
    critical_fails: int


@dataclass
class SchoolSummaryRow(SummaryRow):
    """A row of `--by school` also names the school's town and responsible supervisor."""

    town: str | None
    inspector: str | None


@dataclass
class UnvisitedSchool:
    code: str
    name: str
    town: str | None
    inspector: str | None
    last_visit_before: str | None


@dataclass
class Summary:
    period: Period
    by: str
    filters: Filters
    totals: SummaryTotals
    rows: list[SummaryRow]
    unvisited: list[UnvisitedSchool]


def _empty_counts(key) -> dict:
    return {"key": key, "visits": 0, "last_visit": None, "pass": 0, "fail": 0, "na": 0, "info": 0, "w_pass": 0.0,
            "w_fail": 0.0, "critical_fails": 0}


def _label(by: str, key, titles: dict) -> Text:
    if by == "checklist":
        pair = titles.get(key)
        return Words(*pair) if pair else key
    if by == "inspector":
        return key or Words("（未指定责任督学）", "(no supervisor assigned)")
    return key or Words("（未填乡镇）", "(no town)")


def compute(store: Store, scope: Scope, by: str = "school") -> Summary:
    totals = q.visit_totals(store, scope)
    ftotals = q.finding_totals(store, scope)
    in_scope = q.schools_in_scope(store, scope)
    unvisited = q.unvisited_schools(store, scope)
    groups = {g["key"]: g for g in q.visit_groups(store, scope, by)}
    findings = {f["key"]: f for f in q.finding_groups(store, scope, by)}

    counted: list[tuple[dict, Text, dict]] = []  # (counts, label, where: town and supervisor of a school)
    if by == "school":
        for s in in_scope:
            counted.append((groups.get(s["code"]) or _empty_counts(s["code"]), s["name"],
                            {"town": s["town"], "inspector": s["inspector"]}))
    elif by == "plan-item":
        titles = q.plan_titles(store)
        for number in range(1, 22):
            counted.append((groups.get(number) or _empty_counts(number), plan_title(titles, number), {}))
    else:
        keys = set(groups) | set(findings)
        if by == "town":
            keys |= {s["town"] for s in in_scope}
        elif by == "inspector":
            keys |= {s["inspector"] or "" for s in in_scope}
        titles = q.checklist_titles(store) if by == "checklist" else {}
        for key in keys:
            counted.append((groups.get(key) or _empty_counts(key), _label(by, key, titles), {}))
    rows = []
    for c, label, where in counted:
        f = findings.get(c["key"]) or {}
        kind = SchoolSummaryRow if by == "school" else SummaryRow
        rows.append(kind(
            key=c["key"], label=label, visits=c["visits"], last_visit=c["last_visit"], pass_=c["pass"],
            fail=c["fail"], na=c["na"], info=c["info"],
            compliance_rate=rate4(c.get("pass") or 0, c.get("fail") or 0),
            score=rate4(c.get("w_pass") or 0, c.get("w_fail") or 0),
            open_findings=f.get("open_findings", 0), overdue_findings=f.get("overdue_findings", 0),
            reported_findings=f.get("reported_findings", 0), escalated_findings=f.get("escalated_findings", 0),
            fixed_on_site_findings=f.get("fixed_on_site_findings", 0), critical_fails=c["critical_fails"], **where,
        ))
    return Summary(
        period=Period(scope.date_from, scope.date_to),
        by=by,
        filters=Filters(scope.town, scope.stage, scope.inspector, scope.checklist),
        totals=SummaryTotals(
            visits=totals["visits"], schools=totals["schools"], schools_in_scope=len(in_scope),
            unvisited_schools=len(unvisited), pass_=totals["pass"], fail=totals["fail"], na=totals["na"],
            info=totals["info"], w_pass=float(totals["w_pass"]), w_fail=float(totals["w_fail"]),
            critical_fails=totals["critical_fails"], open_findings=ftotals["open_findings"],
            overdue_findings=ftotals["overdue_findings"], reported_findings=ftotals["reported_findings"],
            escalated_findings=ftotals["escalated_findings"], fixed_on_site_findings=ftotals["fixed_on_site_findings"],
            last_visit=totals["last_visit"],
            compliance_rate=rate4(totals.get("pass") or 0, totals.get("fail") or 0),
            score=rate4(totals.get("w_pass") or 0, totals.get("w_fail") or 0),
        ),
        rows=worst_first(rows),
        unvisited=[UnvisitedSchool(u["code"], u["name"], u["town"], u["inspector"], u["last_visit_before"])
                   for u in unvisited],
    )
