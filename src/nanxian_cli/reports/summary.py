"""`report summary`: totals and one row per school, town, supervisor, checklist or plan item, worst first."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.reports import (Column, Document, Section, filters_meta, period_text, plan_label, rates,
                                 totals_section, worst_first)
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store

GROUPS = ("school", "town", "inspector", "checklist", "plan-item")

_COUNT_KEYS = ("visits", "pass", "fail", "na", "info", "w_pass", "w_fail", "critical_fails")


def _empty_counts(key) -> dict:
    row = {"key": key, "visits": 0, "last_visit": None, "pass": 0, "fail": 0, "na": 0, "info": 0, "w_pass": 0.0,
           "w_fail": 0.0, "critical_fails": 0}
    return row


def compute(store: Store, scope: q.Scope, by: str = "school") -> Document:
    q.check_scope(store, scope)
    totals = q.visit_totals(store, scope)
    ftotals = q.finding_totals(store, scope)
    in_scope = q.schools_in_scope(store, scope)
    unvisited = q.unvisited_schools(store, scope)
    groups = {g["key"]: g for g in q.visit_groups(store, scope, by)}
    findings = {f["key"]: f for f in q.finding_groups(store, scope, by)}

    rows: list[dict] = []
    if by == "school":
        for s in in_scope:
            row = groups.get(s["code"]) or _empty_counts(s["code"])
            row.update(label=s["name"], town=s["town"], inspector=s["inspector"])
            rows.append(row)
    elif by == "plan-item":
        titles = q.plan_titles(store)
        for number in range(1, 22):
            row = groups.get(number) or _empty_counts(number)
            row["label"] = plan_label(titles, number)
            rows.append(row)
    else:
        keys = set(groups) | set(findings)
        if by == "town":
            keys |= {s["town"] for s in in_scope}
        elif by == "inspector":
            keys |= {s["inspector"] or "" for s in in_scope}
        titles = q.checklist_titles(store) if by == "checklist" else {}
        for key in keys:
            row = groups.get(key) or _empty_counts(key)
            if by == "checklist":
                pair = titles.get(key)
                row["label"] = tr(pair[0], pair[1]) if pair else key
            elif by == "inspector":
                row["label"] = key or tr("（未指定责任督学）", "(no supervisor assigned)")
            else:
                row["label"] = key or tr("（未填乡镇）", "(no town)")
            rows.append(row)
    for row in rows:
        f = findings.get(row["key"]) or {}
        row["open_findings"] = f.get("open_findings", 0)
        row["overdue_findings"] = f.get("overdue_findings", 0)
        row.pop("schools", None)
        rates(row)
        row["w_pass"] = float(row["w_pass"])
        row["w_fail"] = float(row["w_fail"])
    rows = worst_first(rows)

    total = {
        "visits": totals["visits"], "schools": totals["schools"], "schools_in_scope": len(in_scope),
        "unvisited_schools": len(unvisited), "pass": totals["pass"], "fail": totals["fail"], "na": totals["na"],
        "info": totals["info"], "w_pass": float(totals["w_pass"]), "w_fail": float(totals["w_fail"]),
        "critical_fails": totals["critical_fails"], "open_findings": ftotals["open_findings"],
        "overdue_findings": ftotals["overdue_findings"], "last_visit": totals["last_visit"],
    }
    rates(total)
    filters = {"town": scope.town, "stage": scope.stage, "inspector": scope.inspector, "checklist": scope.checklist}
    data = {
        "period": {"from": scope.date_from, "to": scope.date_to},
        "by": by,
        "filters": filters,
        "totals": total,
        "rows": [_json_row(r, by) for r in rows],
        "unvisited": [{"code": u["code"], "name": u["name"], "town": u["town"], "inspector": u["inspector"],
                       "last_visit_before": u["last_visit_before"]} for u in unvisited],
    }
    return Document(
        kind="summary",
        title=tr("督导合规汇总", "Compliance summary"),
        meta=[(tr("期间", "Period"), period_text_iso(scope))] + filters_meta({**filters, "by": _by_label(by)}),
        sections=_sections(data, by),
        data=data,
        csv_sections=["rows"],
    )


def period_text_iso(scope: q.Scope) -> str:
    import datetime as dt

    return period_text(dt.date.fromisoformat(scope.date_from), dt.date.fromisoformat(scope.date_to))


def _by_label(by: str) -> str:
    return {"school": tr("学校", "school"), "town": tr("乡镇", "town"), "inspector": tr("责任督学", "supervisor"),
            "checklist": tr("检查表", "checklist"), "plan-item": tr("工作要点", "plan item")}[by]


def _json_row(r: dict, by: str) -> dict:
    out = {
        "key": r["key"], "label": r["label"], "visits": r["visits"], "last_visit": r["last_visit"],
        "pass": r["pass"], "fail": r["fail"], "na": r["na"], "info": r["info"],
        "compliance_rate": r["compliance_rate"], "score": r["score"],
        "open_findings": r["open_findings"], "overdue_findings": r["overdue_findings"],
        "critical_fails": r["critical_fails"],
    }
    if by == "school":
        out["town"] = r["town"]
        out["inspector"] = r["inspector"]
    return out


def _sections(data: dict, by: str) -> list[Section]:
    key_header = {"school": tr("代码", "code"), "town": tr("乡镇", "town"), "inspector": tr("责任督学", "supervisor"),
                  "checklist": tr("检查表", "checklist"), "plan-item": tr("要点", "no.")}[by]
    label_header = {"school": tr("学校", "school"), "plan-item": tr("工作要点", "plan item"),
                    "checklist": tr("名称", "title")}.get(by)
    cols = [Column("key", key_header, "int" if by == "plan-item" else "text", priority=3 if by != "town" else 3)]
    if label_header:
        cols.append(Column("label", label_header, priority=3, max_width=24))
    if by == "school":
        cols += [Column("town", tr("乡镇", "town"), priority=1), Column("inspector", tr("责任督学", "supervisor"), priority=0)]
    cols += [
        Column("visits", tr("次数", "visits"), "int"),
        Column("last_visit", tr("最近", "last visit"), "date", priority=1),
        Column("pass", tr("合格", "pass"), "int", priority=1),
        Column("fail", tr("不合格", "fail"), "int", priority=2),
        Column("na", tr("不适用", "n/a"), "int", priority=0),
        Column("compliance_rate", tr("合格率", "compliance"), "rate"),
        Column("score", tr("加权得分", "score"), "rate", priority=1),
        Column("open_findings", tr("未整改", "open"), "int"),
        Column("overdue_findings", tr("逾期", "overdue"), "int"),
        Column("critical_fails", tr("严重", "critical"), "int", priority=1),
    ]
    t = data["totals"]
    totals_rows = [
        {"label": tr("督导次数", "Visits"), "value": t["visits"], "kind": "int"},
        {"label": tr("到访学校", "Schools visited"), "value": t["schools"], "kind": "int"},
        {"label": tr("范围内学校", "Schools in scope"), "value": t["schools_in_scope"], "kind": "int"},
        {"label": tr("未到访学校", "Schools not visited"), "value": t["unvisited_schools"], "kind": "int"},
        {"label": tr("合格", "Pass"), "value": t["pass"], "kind": "int"},
        {"label": tr("不合格", "Fail"), "value": t["fail"], "kind": "int"},
        {"label": tr("不适用", "Not applicable"), "value": t["na"], "kind": "int"},
        {"label": tr("合格率", "Compliance rate"), "value": t["compliance_rate"], "kind": "rate"},
        {"label": tr("加权得分", "Weighted score"), "value": t["score"], "kind": "rate"},
        {"label": tr("严重问题", "Critical fails"), "value": t["critical_fails"], "kind": "int"},
        {"label": tr("未整改问题", "Open findings"), "value": t["open_findings"], "kind": "int"},
        {"label": tr("逾期未整改", "Overdue findings"), "value": t["overdue_findings"], "kind": "int"},
    ]
    sections = [
        totals_section(totals_rows),
        Section("rows", tr("明细（最差在前）", "Rows (worst first)"), cols, data["rows"],
                empty=tr("期间内没有已提交的督导记录", "No submitted visits in this period"), sheet=tr("明细", "Rows")),
    ]
    if data["unvisited"]:
        sections.append(Section(
            "unvisited",
            tr("期间内未到访的学校（责任督学应每月到校）", "Schools not visited in the period (a supervisor should visit monthly)"),
            [Column("code", tr("代码", "code")), Column("name", tr("学校", "school"), max_width=24),
             Column("town", tr("乡镇", "town")), Column("inspector", tr("责任督学", "supervisor")),
             Column("last_visit_before", tr("此前最近到访", "last visit before"), "date", priority=1)],
            data["unvisited"], sheet=tr("未到访学校", "Unvisited"),
        ))
    return sections
