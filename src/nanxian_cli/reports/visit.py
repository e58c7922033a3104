"""`report visit VISIT`: the 督导意见书 handed to the school after a visit — what was checked, what passed and
failed (latest answer revisions), each 整改 requirement with its deadline, and signature lines."""

from __future__ import annotations

from nanxian_cli.i18n import label, tr
from nanxian_cli.reports import Column, Document, Section, finding_status_label, rates
from nanxian_cli.reports.item import _value_text
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store
from nanxian_cli.core.vocab import OUTCOME_LABELS, SEVERITY_LABELS


def compute(store: Store, visit_id: str) -> Document:
    from nanxian_cli.errors import NotFound

    head = q.visit_header(store, visit_id)
    if head is None:
        raise NotFound(f"no visit {visit_id!r}")
    points = []
    for p in q.visit_points(store, visit_id):
        points.append({
            "item": p["item_id"], "text": tr(p["text_zh"], p["text_en"]),
            "plan": [int(n) for n in (p["plan"] or "").split(",") if n],
            "severity": p["severity"], "severity_label": label(SEVERITY_LABELS.get(p["severity"])),
            "outcome": p["outcome"], "outcome_label": label(OUTCOME_LABELS.get(p["outcome"]), tr("未答", "not answered")),
            "value": _value_text(p["value"]), "note": p["note"], "revision": p["revision"],
        })
    text_of = {p["item"]: p["text"] for p in points}
    rect = []
    for f in q.visit_findings(store, visit_id):
        rect.append({
            "finding": f["id"], "item": f["item_id"], "text": text_of.get(f["item_id"], f["item_id"]),
            "severity": f["severity"], "severity_label": label(SEVERITY_LABELS.get(f["severity"])),
            "opened": f["opened"], "due": f["due"], "status": f["status"],
            "status_label": finding_status_label(f["status"]), "relation": f["relation"],
            "note": f["note"],
            "requirement": _requirement(f["due"], head["date"], f["status"]),
        })
    counts = {"pass": head["n_pass"], "fail": head["n_fail"], "na": head["n_na"], "info": head["n_info"]}
    r = {"pass": head["n_pass"], "fail": head["n_fail"], "w_pass": head["w_pass"], "w_fail": head["w_fail"]}
    rates(r)
    checklist_title = tr(head["title_zh"] or head["checklist_id"], head["title_en"] or head["checklist_id"])
    data = {
        "id": head["id"],
        "school": {"code": head["school_code"], "name": head["school_name"], "town": head["town"]},
        "date": head["date"],
        "inspector": head["inspector"],
        "responsible_inspector": head["responsible"],
        "checklist": {"id": head["checklist_id"], "version": head["checklist_version"], "title": checklist_title,
                      "hash": head["checklist_hash"]},
        "status": head["status"],
        "void_reason": head["void_reason"],
        "counts": counts,
        "compliance_rate": r["compliance_rate"],
        "score": r["score"],
        "points": points,
        "rectifications": rect,
    }
    status_word = {
        "submitted": tr("已提交", "submitted"),
        "draft": tr("草稿（未提交，不作为正式意见）", "DRAFT (not submitted; not an official opinion)"),
        "void": tr("已作废", "VOID"),
    }.get(head["status"], head["status"])
    if head["status"] == "void" and head["void_reason"]:
        status_word += f"：{head['void_reason']}" if tr("zh", "en") == "zh" else f": {head['void_reason']}"
    basic = [
        (tr("学校", "School"), f"{head['school_code']}  {head['school_name']}"),
        (tr("乡镇", "Town"), head["town"] or ""),
        (tr("督导日期", "Date of visit"), head["date"]),
        (tr("督学", "Supervisor"), head["inspector"]),
        (tr("检查表", "Checklist"), f"{checklist_title}（{head['checklist_id']} v{head['checklist_version']}）"),
        (tr("记录编号", "Visit id"), head["id"]),
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
        ], rect, empty=tr("本次督导无整改要求", "No rectification required")),
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
        kind="visit", title=tr(f"督导意见书：{head['school_name']}", f"Supervision opinion: {head['school_name']}"),
        meta=basic, sections=sections, data=data,
    )


def _requirement(due: str, visit_date: str, status: str) -> str:
    """The 整改 requirement as handed to the school: a finding re-checked past its deadline says so."""
    if status == "open" and due < visit_date:
        return tr(f"已逾期（原定 {due} 前整改），请立即整改，并向责任督学书面报告整改情况",
                  f"Overdue (was due {due}): fix it at once and report the rectification to the supervisor in writing")
    return tr(f"请于 {due} 前完成整改，并向责任督学书面报告整改情况",
              f"Fix by {due} and report the rectification to the supervisor in writing")
