"""`report school SCHOOL`: one school's compliance by month, its visits, open findings and weakest plan items."""

from __future__ import annotations

import datetime as dt

from nanxian_cli.i18n import tr
from nanxian_cli.reports import Column, Document, Section, plan_label, rates, severity_label, totals_section, worst_first
from nanxian_cli.reports.summary import period_text_iso
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store

WORST_PLAN_ITEMS = 5


def _months(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= end[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute(store: Store, school: dict, scope: q.Scope) -> Document:
    from nanxian_cli.render.sections import bar

    scope.school = school["code"]
    by_month = {r["month"]: r for r in q.school_months(store, scope)}
    months = []
    for month in _months(scope.date_from, scope.date_to):
        r = by_month.get(month) or {"month": month, "visits": 0, "pass": 0, "fail": 0, "na": 0}
        r = dict(r)
        rates(r)
        r.pop("score", None)
        r["bar"] = bar(r["compliance_rate"])
        months.append(r)
    visits = []
    for v in q.visit_list(store, scope):
        row = {"id": v["id"], "short_id": v["id"][:8], "date": v["date"], "inspector": v["inspector"],
               "checklist": v["checklist_id"], "checklist_title": tr(v["title_zh"] or "", v["title_en"] or ""),
               "pass": v["pass"], "fail": v["fail"], "na": v["na"], "info": v["info"], "w_pass": v["w_pass"],
               "w_fail": v["w_fail"], "critical_fails": v["critical_fails"]}
        rates(row)
        del row["w_pass"], row["w_fail"]
        visits.append(row)
    findings = [
        {"id": f["id"], "item": f["item_id"], "text": tr(f["text_zh"] or f["item_id"], f["text_en"] or f["item_id"]),
         "checklist": f["checklist_id"], "severity": f["severity"], "severity_label": severity_label(f["severity"]),
         "opened": f["opened"], "due": f["due"],
         "days_overdue": max(0, f["days_overdue"]), "overdue": f["days_overdue"] > 0, "note": f["note"],
         "rechecks": f["recheck_count"], "visit": f["visit_id"]}
        for f in q.open_findings(store, scope)
    ]
    titles = q.plan_titles(store)
    plan_rows = []
    for r in q.plan_item_counts(store, scope):
        row = {"number": r["key"], "title": plan_label(titles, r["key"]), "visits": r["visits"], "pass": r["pass"],
               "fail": r["fail"], "na": r["na"], "w_pass": r["w_pass"], "w_fail": r["w_fail"]}
        rates(row)
        del row["w_pass"], row["w_fail"], row["score"]
        if row["compliance_rate"] is not None:
            plan_rows.append(row)
    worst = worst_first(plan_rows, tie="number")[:WORST_PLAN_ITEMS]
    totals = q.visit_totals(store, scope)
    total = {"visits": totals["visits"], "last_visit": totals["last_visit"], "pass": totals["pass"],
             "fail": totals["fail"], "na": totals["na"], "w_pass": totals["w_pass"], "w_fail": totals["w_fail"],
             "critical_fails": totals["critical_fails"], "open_findings": len(findings),
             "overdue_findings": sum(1 for f in findings if f["overdue"])}
    rates(total)
    del total["w_pass"], total["w_fail"]
    data = {
        "school": {k: school.get(k) for k in ("code", "name", "town", "stages", "group", "inspector")},
        "period": {"from": scope.date_from, "to": scope.date_to},
        "totals": total,
        "months": [{k: m[k] for k in ("month", "visits", "pass", "fail", "na", "compliance_rate")} for m in months],
        "visits": visits,
        "open_findings": findings,
        "worst_plan_items": worst,
    }
    return Document(
        kind="school",
        title=tr(f"学校督导报告：{school['name']}", f"School report: {school['name']}"),
        meta=[
            (tr("学校", "School"), f"{school['code']}  {school['name']}"),
            (tr("乡镇", "Town"), school.get("town") or ""),
            (tr("学段", "Stages"), " ".join(school.get("stages") or [])),
            (tr("责任督学", "Supervisor"), school.get("inspector") or "—"),
            (tr("期间", "Period"), period_text_iso(scope)),
        ],
        sections=_sections(data, months),
        data=data,
    )


def _sections(data: dict, months: list[dict]) -> list[Section]:
    t = data["totals"]
    return [
        totals_section([
            {"label": tr("督导次数", "Visits"), "value": t["visits"], "kind": "int"},
            {"label": tr("最近到访", "Last visit"), "value": t["last_visit"], "kind": "date"},
            {"label": tr("合格", "Pass"), "value": t["pass"], "kind": "int"},
            {"label": tr("不合格", "Fail"), "value": t["fail"], "kind": "int"},
            {"label": tr("不适用", "Not applicable"), "value": t["na"], "kind": "int"},
            {"label": tr("合格率", "Compliance rate"), "value": t["compliance_rate"], "kind": "rate"},
            {"label": tr("加权得分", "Weighted score"), "value": t["score"], "kind": "rate"},
            {"label": tr("未整改问题", "Open findings"), "value": t["open_findings"], "kind": "int"},
            {"label": tr("逾期未整改", "Overdue findings"), "value": t["overdue_findings"], "kind": "int"},
        ]),
        Section("months", tr("按月合格率", "Compliance by month"), [
            Column("month", tr("月份", "month")), Column("visits", tr("次数", "visits"), "int"),
            Column("pass", tr("合格", "pass"), "int", priority=1), Column("fail", tr("不合格", "fail"), "int", priority=1),
            Column("compliance_rate", tr("合格率", "compliance"), "rate"), Column("bar", "", "bar", priority=2),
        ], months),
        Section("visits", tr("督导记录", "Visits"), [
            Column("short_id", "id"), Column("date", tr("日期", "date"), "date"),
            Column("inspector", tr("督学", "supervisor"), priority=1), Column("checklist", tr("检查表", "checklist"), priority=2),
            Column("pass", tr("合格", "pass"), "int", priority=1), Column("fail", tr("不合格", "fail"), "int"),
            Column("na", tr("不适用", "n/a"), "int", priority=0), Column("compliance_rate", tr("合格率", "compliance"), "rate"),
            Column("score", tr("加权得分", "score"), "rate", priority=0),
            Column("critical_fails", tr("严重", "critical"), "int", priority=1),
        ], data["visits"], empty=tr("期间内没有已提交的督导记录", "No submitted visits in this period")),
        Section("open_findings", tr("未整改问题", "Open findings"), [
            Column("id", "#", "int"), Column("text", tr("问题", "point"), max_width=30),
            Column("severity_label", tr("程度", "severity"), priority=1), Column("opened", tr("发现", "opened"), "date", priority=0),
            Column("due", tr("整改期限", "due"), "date"), Column("days_overdue", tr("逾期天数", "days overdue"), "int"),
            Column("note", tr("备注", "note"), priority=0, max_width=30),
        ], data["open_findings"], empty=tr("没有未整改的问题", "No open findings")),
        Section("worst_plan_items", tr("表现最弱的工作要点", "Weakest plan items"), [
            Column("number", tr("要点", "no."), "int"), Column("title", tr("工作要点", "plan item"), max_width=30),
            Column("pass", tr("合格", "pass"), "int"), Column("fail", tr("不合格", "fail"), "int"),
            Column("compliance_rate", tr("合格率", "compliance"), "rate"),
        ], data["worst_plan_items"], empty=tr("没有数据", "No data")),
    ]
