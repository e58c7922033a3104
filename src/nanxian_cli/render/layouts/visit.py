"""The layout of `report visit`: the 督导意见书 as the school receives it."""

from __future__ import annotations

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.document import Column, Document, Section


def layout(data: dict) -> Document:
    status = data["status"]
    status_word = {
        "submitted": tr("已提交", "submitted"),
        "draft": tr("草稿（未提交，不作为正式意见）", "DRAFT (not submitted; not an official opinion)"),
        "void": tr("已作废", "VOID"),
    }.get(status, status)
    if status == "void" and data["void_reason"]:
        status_word += f"：{data['void_reason']}" if get_lang() == "zh" else f": {data['void_reason']}"
    school, checklist, counts, points = data["school"], data["checklist"], data["counts"], data["points"]
    basic = [
        (tr("学校", "School"), f"{school['code']}  {school['name']}"),
        (tr("乡镇", "Town"), school["town"] or ""),
        (tr("督导日期", "Date of visit"), data["date"]),
        (tr("督学", "Supervisor"), data["inspector"]),
        (tr("检查表", "Checklist"), f"{checklist['title']}（{checklist['id']} v{checklist['version']}）"),
        (tr("记录编号", "Visit id"), data["id"]),
        (tr("状态", "Status"), status_word),
    ]
    point_cols = [
        Column("item", "id", priority=0), Column("text", tr("检查内容", "point"), max_width=40),
        Column("value", tr("回答", "answer"), max_width=12), Column("note", tr("备注", "note"), max_width=30),
    ]
    failed = [p for p in points if p["outcome"] == "fail"]
    passed = [p for p in points if p["outcome"] == "pass"]
    other = [p for p in points if p["outcome"] not in ("pass", "fail")]
    sections = [
        Section("summary", tr("检查情况", "What was checked"), [Column("label", ""), Column("value", "", "number")], [
            {"label": tr("检查条目", "Points"), "value": len(points), "kind": "int"},
            {"label": tr("合格", "Passed"), "value": counts["pass"], "kind": "int"},
            {"label": tr("不合格", "Failed"), "value": counts["fail"], "kind": "int"},
            {"label": tr("不适用", "Not applicable"), "value": counts["na"], "kind": "int"},
            {"label": tr("记录", "Recorded (not scored)"), "value": counts["info"], "kind": "int"},
            {"label": tr("合格率", "Compliance rate"), "value": data["compliance_rate"], "kind": "rate"},
            {"label": tr("加权得分", "Weighted score"), "value": data["score"], "kind": "rate"},
        ], layout="fields"),
        Section("failed", tr("存在的问题（不合格条目）", "Problems found (failed points)"),
                point_cols[:3] + [Column("severity_label", tr("程度", "severity"))] + point_cols[3:], failed,
                empty=tr("未发现不合格条目", "No failed points")),
        Section("rectifications", tr("整改要求", "Rectification required"), [
            Column("text", tr("问题", "point"), max_width=36), Column("severity_label", tr("程度", "severity")),
            Column("due", tr("整改期限", "deadline"), "date"), Column("status_label", tr("状态", "status"), priority=1),
            Column("requirement", tr("要求", "requirement"), max_width=40),
        ], data["rectifications"], empty=tr("本次督导无整改要求", "No rectification required")),
        Section("passed", tr("合格条目", "Points passed"), point_cols, passed, empty=tr("（无）", "(none)")),
        Section("other", tr("不适用与记录条目", "Not applicable and recorded points"),
                point_cols[:2] + [Column("outcome_label", tr("判定", "outcome"))] + point_cols[2:], other,
                empty=tr("（无）", "(none)")),
        Section("signatures", tr("签字", "Signatures"), [Column("label", "")], [
            {"label": tr("责任督学（签字）", "Supervisor (signature)")},
            {"label": tr("学校负责人（签字、盖章）", "Head of school (signature and stamp)")},
        ], layout="signatures"),
    ]
    return Document(
        kind="visit", title=tr(f"督导意见书：{school['name']}", f"Supervision opinion: {school['name']}"),
        meta=basic, sections=sections,
    )
