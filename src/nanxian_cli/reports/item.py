"""`report item N`: one of the 21 plan items across the county — the points that check it, pass rate by
town and by school, and the failing schools: the points each school's latest visit (per checklist) in the
period failed, by their latest answer revision."""

from __future__ import annotations

import json

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import answer_text, tr
from nanxian_cli.reports import (
    Column, Document, Section, filters_meta, finding_status_label, plan_label, rates, severity_label, totals_section,
    worst_first,
)
from nanxian_cli.reports.summary import period_text_iso
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store


def check_number(number: int) -> int:
    if not 1 <= number <= 21:
        raise InputError(f"plan item: {number} is not one of the 21 work-plan items (1..21)")
    return number


def _value_text(raw: str | None) -> str:
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return answer_text(value)


def compute(store: Store, number: int, scope: q.Scope) -> Document:
    check_number(number)
    q.check_scope(store, scope)
    titles = q.plan_titles(store)
    points = [
        {"checklist": p["checklist_id"], "item": p["item_id"], "text": tr(p["text_zh"], p["text_en"]),
         "severity": p["severity"],
         "severity_label": severity_label(p["severity"]), "versions": p["versions"]}
        for p in q.item_points(store, scope, number)
    ]
    towns = []
    for r in q.item_groups(store, scope, number, "town"):
        row = {"town": r["key"], "visits": r["visits"], "pass": r["pass"], "fail": r["fail"], "na": r["na"]}
        rates(row)
        row.pop("score")
        towns.append(row)
    towns = worst_first(towns, tie="town")
    schools = []
    for r in q.item_groups(store, scope, number, "school"):
        row = {"code": r["key"], "name": r["name"], "town": r["town"], "visits": r["visits"],
               "last_visit": r["last_visit"], "pass": r["pass"], "fail": r["fail"], "na": r["na"]}
        rates(row)
        row.pop("score")
        schools.append(row)
    schools = worst_first(schools, tie="code")
    failures = [
        {"code": f["code"], "name": f["name"], "town": f["town"], "date": f["date"], "visit": f["visit_id"],
         "inspector": f["inspector"], "item": f["item_id"], "text": tr(f["text_zh"] or f["item_id"], f["text_en"] or f["item_id"]),
         "severity": f["severity"], "severity_label": severity_label(f["severity"]),
         "value": _value_text(f["value"]), "note": f["note"],
         "finding": f["finding_status"], "finding_label": finding_status_label(f["finding_status"])}
        for f in q.item_failures(store, scope, number)
    ]
    p_sum = sum(r["pass"] for r in towns)
    f_sum = sum(r["fail"] for r in towns)
    total = {"visits": sum(r["visits"] for r in towns), "schools": len(schools), "pass": p_sum, "fail": f_sum,
             "na": sum(r["na"] for r in towns), "failing_schools": len({f["code"] for f in failures})}
    rates(total)
    total.pop("score")
    title = plan_label(titles, number)
    filters = {"town": scope.town, "stage": scope.stage, "inspector": scope.inspector, "checklist": scope.checklist}
    data = {
        "item": {"number": number, "title": title},
        "period": {"from": scope.date_from, "to": scope.date_to},
        "filters": filters,
        "totals": total,
        "points": points,
        "by_town": towns,
        "by_school": schools,
        "failures": failures,
    }
    rate_cols = [Column("visits", tr("次数", "visits"), "int"), Column("pass", tr("合格", "pass"), "int"),
                 Column("fail", tr("不合格", "fail"), "int"), Column("na", tr("不适用", "n/a"), "int", priority=0),
                 Column("compliance_rate", tr("合格率", "compliance"), "rate")]
    sections = [
        totals_section([
            {"label": tr("督导次数", "Visits"), "value": total["visits"], "kind": "int"},
            {"label": tr("学校", "Schools"), "value": total["schools"], "kind": "int"},
            {"label": tr("合格", "Pass"), "value": total["pass"], "kind": "int"},
            {"label": tr("不合格", "Fail"), "value": total["fail"], "kind": "int"},
            {"label": tr("不适用", "Not applicable"), "value": total["na"], "kind": "int"},
            {"label": tr("合格率", "Compliance rate"), "value": total["compliance_rate"], "kind": "rate"},
            {"label": tr("有不合格的学校", "Schools with fails"), "value": total["failing_schools"], "kind": "int"},
        ]),
        Section("points", tr("检查本要点的条目", "Points that check this item"), [
            Column("checklist", tr("检查表", "checklist"), priority=2), Column("item", "id", priority=0),
            Column("text", tr("检查内容", "point"), max_width=40), Column("severity_label", tr("程度", "severity"), priority=1),
        ], points, empty=tr("期间内使用的检查表没有检查本要点", "No checklist used in the period checks this item")),
        Section("by_town", tr("按乡镇", "By town"), [Column("town", tr("乡镇", "town"))] + rate_cols, towns,
                empty=tr("没有数据", "No data")),
        Section("by_school", tr("按学校（最差在前）", "By school (worst first)"),
                [Column("code", tr("代码", "code")), Column("name", tr("学校", "school"), max_width=20),
                 Column("town", tr("乡镇", "town"), priority=1), Column("last_visit", tr("最近", "last visit"), "date", priority=0)]
                + rate_cols, schools, empty=tr("没有数据", "No data")),
        Section("failures", tr("仍不合格的学校（期间内最近一次检查）", "Failing schools (latest visit in the period)"), [
            Column("code", tr("代码", "code"), priority=1), Column("name", tr("学校", "school"), max_width=16),
            Column("date", tr("日期", "date"), "date"), Column("text", tr("检查内容", "point"), max_width=24),
            Column("value", tr("结果", "answer"), priority=1, max_width=10), Column("note", tr("备注", "note"), max_width=24),
            Column("finding_label", tr("整改", "finding"), priority=0),
        ], failures, empty=tr("没有不合格记录", "No failures"), sheet=tr("不合格学校", "Failing schools")),
    ]
    return Document(
        kind="item", title=tr(f"工作要点 {number}：{title}", f"Plan item {number}: {title}"),
        meta=[(tr("期间", "Period"), period_text_iso(scope))] + filters_meta(filters),
        sections=sections, data=data,
    )
