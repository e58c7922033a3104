"""`report item N`: one of the 21 plan items across the county — the points that check it, pass rate by
town and by school, and the failing schools: the points each school's latest visit (per checklist) in the
period failed, by their latest answer revision."""

from __future__ import annotations

from dataclasses import dataclass

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.reports import (
    Filters,
    Period,
    Text,
    answer_words,
    both,
    finding_status_words,
    plan_title,
    rate4,
    severity_words,
    worst_first,
)
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store
from nanxian_cli.store.report_scope import Scope


@dataclass
class PlanItemRef:
    number: int
    title: Words


@dataclass
class ItemTotals:
    visits: int
    schools: int
    pass_: int
    fail: int
    na: int
    failing_schools: int
    compliance_rate: float | None


@dataclass
class ItemPoint:
    checklist: str
    item: str
    text: Words
    severity: str
    severity_label: Text
    versions: str


@dataclass
class TownRate:
    town: str | None
    visits: int
    pass_: int
    fail: int
    na: int
    compliance_rate: float | None


@dataclass
class SchoolRate:
    code: str
    name: str
    town: str | None
    visits: int
    last_visit: str | None
    pass_: int
    fail: int
    na: int
    compliance_rate: float | None


@dataclass
class Failure:
    code: str
    name: str
    town: str | None
    date: str
    visit: str
    inspector: str
    item: str
    text: Words
    severity: str
    severity_label: Text
    value: Text
    note: str | None
    finding: str | None  # the finding's status, if the fail opened or re-checked one
    finding_label: Text


@dataclass
class ItemReport:
    item: PlanItemRef
    period: Period
    filters: Filters
    totals: ItemTotals
    points: list[ItemPoint]
    by_town: list[TownRate]
    by_school: list[SchoolRate]
    failures: list[Failure]


def check_number(number: int) -> int:
    if not 1 <= number <= 21:
        from nanxian_cli.core.words import Words

        raise InputError(Words(f"工作要点：{number} 不在 21 项工作要点（1–21）之内",
                               f"plan item: {number} is not one of the 21 work-plan items (1..21)"))
    return number


def compute(store: Store, number: int, scope: Scope) -> ItemReport:
    check_number(number)
    titles = q.plan_titles(store)
    points = [ItemPoint(p["checklist_id"], p["item_id"], Words(p["text_zh"], p["text_en"]), p["severity"],
                        severity_words(p["severity"]), p["versions"])
              for p in q.item_points(store, scope, number)]
    towns = worst_first([TownRate(r["key"], r["visits"], r["pass"], r["fail"], r["na"],
                                  rate4(r["pass"] or 0, r["fail"] or 0))
                         for r in q.item_groups(store, scope, number, "town")], tie="town")
    schools = worst_first([SchoolRate(r["key"], r["name"], r["town"], r["visits"], r["last_visit"], r["pass"],
                                      r["fail"], r["na"], rate4(r["pass"] or 0, r["fail"] or 0))
                           for r in q.item_groups(store, scope, number, "school")], tie="code")
    failures = [
        Failure(code=f["code"], name=f["name"], town=f["town"], date=f["date"], visit=f["visit_id"],
                inspector=f["inspector"], item=f["item_id"], text=both(f["text_zh"], f["text_en"], f["item_id"]),
                severity=f["severity"], severity_label=severity_words(f["severity"]), value=answer_words(f["value"]),
                note=f["note"], finding=f["finding_status"], finding_label=finding_status_words(f["finding_status"]))
        for f in q.item_failures(store, scope, number)
    ]
    p_sum = sum(r.pass_ for r in towns)
    f_sum = sum(r.fail for r in towns)
    return ItemReport(
        item=PlanItemRef(number, plan_title(titles, number)),
        period=Period(scope.date_from, scope.date_to),
        filters=Filters(scope.town, scope.stage, scope.inspector, scope.checklist),
        totals=ItemTotals(visits=sum(r.visits for r in towns), schools=len(schools), pass_=p_sum, fail=f_sum,
                          na=sum(r.na for r in towns), failing_schools=len({f.code for f in failures}),
                          compliance_rate=rate4(p_sum, f_sum)),
        points=points,
        by_town=towns,
        by_school=schools,
        failures=failures,
    )
