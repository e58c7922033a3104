"""The layout of `report school`."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.document import Column, Document, Section, period_text, totals_section
from nanxian_cli.render.labels import stages


def layout(data: dict) -> Document:
    from nanxian_cli.render.document_text import bar

    school = data["school"]
    months = [{**m, "bar": bar(m["compliance_rate"])} for m in data["months"]]
    return Document(
        kind="school",
        title=tr(f"学校督导报告：{school['name']}", f"School report: {school['name']}"),
        meta=[
            (tr("学校", "School"), f"{school['code']}  {school['name']}"),
            (tr("乡镇", "Town"), school.get("town") or ""),
            (tr("学段", "Stages"), stages(school.get("stages"))),
            (tr("责任督学", "Supervisor"), school.get("inspector") or "—"),
            (tr("期间", "Period"), period_text(data["period"])),
        ],
        sections=_sections(data, months),
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
            {"label": tr("待整改问题", "Open findings"), "value": t["open_findings"], "kind": "int"},
            {"label": tr("逾期待整改", "Overdue findings"), "value": t["overdue_findings"], "kind": "int"},
        ]),
        Section("months", tr("按月合格率", "Compliance by month"), [
            Column("month", tr("月份", "month")), Column("visits", tr("次数", "visits"), "int"),
            Column("pass", tr("合格", "pass"), "int", priority=1),
            Column("fail", tr("不合格", "fail"), "int", priority=1),
            Column("compliance_rate", tr("合格率", "compliance"), "rate"), Column("bar", "", "bar", priority=2),
        ], months),
        Section("visits", tr("督导记录", "Visits"), [
            Column("short_id", "id"), Column("date", tr("日期", "date"), "date"),
            Column("inspector", tr("督学", "supervisor"), priority=1),
            Column("checklist", tr("检查表", "checklist"), priority=2),
            Column("pass", tr("合格", "pass"), "int", priority=1), Column("fail", tr("不合格", "fail"), "int"),
            Column("na", tr("不适用", "n/a"), "int", priority=0),
            Column("compliance_rate", tr("合格率", "compliance"), "rate"),
            Column("score", tr("加权得分", "score"), "rate", priority=0),
            Column("critical_fails", tr("严重", "critical"), "int", priority=1),
        ], data["visits"], empty=tr("期间内没有已提交的督导记录", "No submitted visits in this period")),
        Section("open_findings", tr("待整改问题", "Open findings"), [
            Column("id", "#", "int"), Column("text", tr("问题", "point"), max_width=30),
            Column("severity_label", tr("程度", "severity"), priority=1),
            Column("opened", tr("发现", "opened"), "date", priority=0),
            Column("due", tr("整改期限", "due"), "date"), Column("days_overdue", tr("逾期天数", "days overdue"), "int"),
            Column("note", tr("备注", "note"), priority=0, max_width=30),
            Column("status_label", tr("状态", "status"), priority=0),
        ], data["open_findings"], empty=tr("没有待整改的问题", "No open findings")),
        Section("worst_plan_items", tr("表现最弱的工作要点", "Weakest plan items"), [
            Column("number", tr("要点", "no."), "int"), Column("title", tr("工作要点", "plan item"), max_width=30),
            Column("pass", tr("合格", "pass"), "int"), Column("fail", tr("不合格", "fail"), "int"),
            Column("compliance_rate", tr("合格率", "compliance"), "rate"),
        ], data["worst_plan_items"], empty=tr("没有数据", "No data")),
    ]
