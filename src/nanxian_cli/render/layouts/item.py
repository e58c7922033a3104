"""The layout of `report item`."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.document import Column, Document, Section, filters_meta, period_text, totals_section
from nanxian_cli.render.labels import shown_filters


def layout(data: dict) -> Document:
    number, title = data["item"]["number"], data["item"]["title"]
    total = data["totals"]
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
            Column("text", tr("检查内容", "point"), max_width=40),
            Column("severity_label", tr("程度", "severity"), priority=1),
        ], data["points"], empty=tr("期间内使用的检查表没有检查本要点",
                                    "No checklist used in the period checks this item")),
        Section("by_town", tr("按乡镇", "By town"), [Column("town", tr("乡镇", "town"))] + rate_cols, data["by_town"],
                empty=tr("没有数据", "No data"), rank="compliance_rate"),
        Section("by_school", tr("按学校（最差在前）", "By school (worst first)"),
                [Column("code", tr("代码", "code")), Column("name", tr("学校", "school"), max_width=20),
                 Column("town", tr("乡镇", "town"), priority=1),
                 Column("last_visit", tr("最近", "last visit"), "date", priority=0)]
                + rate_cols, data["by_school"], empty=tr("没有数据", "No data"), rank="compliance_rate"),
        Section("failures", tr("仍不合格的学校（期间内最近一次检查）",
                               "Failing schools (latest visit in the period)"), [
            Column("code", tr("代码", "code"), priority=1), Column("name", tr("学校", "school"), max_width=16),
            Column("date", tr("日期", "date"), "date"), Column("text", tr("检查内容", "point"), max_width=24),
            Column("value", tr("结果", "answer"), priority=1, max_width=10),
            Column("note", tr("备注", "note"), max_width=24),
            Column("finding_label", tr("整改", "finding"), priority=0),
        ], data["failures"], empty=tr("没有不合格记录", "No failures"), sheet=tr("不合格学校", "Failing schools")),
    ]
    return Document(
        kind="item", title=tr(f"工作要点 {number}：{title}", f"Plan item {number}: {title}"),
        meta=[(tr("期间", "Period"), period_text(data["period"]))] + filters_meta(shown_filters(data["filters"])),
        sections=sections,
    )
