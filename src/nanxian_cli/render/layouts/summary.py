"""The layout of `report summary`."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.document import Column, Document, Section, filters_meta, period_text, totals_section
from nanxian_cli.render.labels import shown_filters


def _by_label(by: str) -> str:
    return {"school": tr("学校", "school"), "town": tr("乡镇", "town"), "inspector": tr("责任督学", "supervisor"),
            "checklist": tr("检查表", "checklist"), "plan-item": tr("工作要点", "plan item")}[by]


def layout(data: dict) -> Document:
    return Document(
        kind="summary",
        title=tr("督导合规汇总", "Compliance summary"),
        meta=[(tr("期间", "Period"), period_text(data["period"]))]
        + filters_meta({**shown_filters(data["filters"]), "by": _by_label(data["by"])}),
        sections=_sections(data, data["by"]),
        csv_sections=["rows"],
    )


def _sections(data: dict, by: str) -> list[Section]:
    key_header = {"school": tr("代码", "code"), "town": tr("乡镇", "town"), "inspector": tr("责任督学", "supervisor"),
                  "checklist": tr("检查表", "checklist"), "plan-item": tr("要点", "no.")}[by]
    label_header = {"school": tr("学校", "school"), "plan-item": tr("工作要点", "plan item"),
                    "checklist": tr("名称", "title")}.get(by)
    cols = [Column("key", key_header, "int" if by == "plan-item" else "text")]
    if label_header:
        cols.append(Column("label", label_header, priority=3, max_width=24))
    if by == "school":
        cols += [Column("town", tr("乡镇", "town"), priority=1),
                 Column("inspector", tr("责任督学", "supervisor"), priority=0)]
    cols += [
        Column("visits", tr("次数", "visits"), "int"),
        Column("last_visit", tr("最近", "last visit"), "date", priority=1),
        Column("pass", tr("合格", "pass"), "int", priority=1),
        Column("fail", tr("不合格", "fail"), "int", priority=2),
        Column("na", tr("不适用", "n/a"), "int", priority=0),
        Column("compliance_rate", tr("合格率", "compliance"), "rate"),
        Column("score", tr("加权得分", "score"), "rate", priority=1),
        Column("open_findings", tr("待整改", "open"), "int"),
        Column("overdue_findings", tr("逾期", "overdue"), "int"),
        Column("critical_fails", tr("严重", "critical"), "int", priority=1),
        Column("reported_findings", tr("待复查", "reported"), "int", priority=0),
        Column("escalated_findings", tr("已上报", "escalated"), "int", priority=0),
        Column("fixed_on_site_findings", tr("立行立改", "fixed on site"), "int", priority=0),
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
        {"label": tr("待整改问题", "Open findings"), "value": t["open_findings"], "kind": "int"},
        {"label": tr("逾期待整改", "Overdue findings"), "value": t["overdue_findings"], "kind": "int"},
        {"label": tr("待复查（已交整改报告）", "Reported (awaiting re-check)"), "value": t["reported_findings"],
         "kind": "int"},
        {"label": tr("已上报/交办", "Escalated"), "value": t["escalated_findings"], "kind": "int"},
        {"label": tr("立行立改（期间内）", "Fixed on site (in the period)"), "value": t["fixed_on_site_findings"],
         "kind": "int"},
    ]
    sections = [
        totals_section(totals_rows),
        Section("rows", tr("明细（最差在前）", "Rows (worst first)"), cols, data["rows"],
                empty=tr("期间内没有已提交的督导记录", "No submitted visits in this period"), sheet=tr("明细", "Rows"),
                rank="compliance_rate"),
    ]
    if data["unvisited"]:
        sections.append(Section(
            "unvisited",
            tr("期间内未到访的学校（责任督学应每月到校）",
               "Schools not visited in the period (a supervisor should visit monthly)"),
            [Column("code", tr("代码", "code")), Column("name", tr("学校", "school"), max_width=24),
             Column("town", tr("乡镇", "town")), Column("inspector", tr("责任督学", "supervisor")),
             Column("last_visit_before", tr("此前最近到访", "last visit before"), "date", priority=1)],
            data["unvisited"], sheet=tr("未到访学校", "Unvisited"),
        ))
    return sections
