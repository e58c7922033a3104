"""The layout of `report notice`: the 整改通知书 as the school receives it — the issuing office, the title and the
number; the school addressed; each problem with what was found, the standard, the requirement and the deadline;
where the 整改报告 goes; the office and the date of issue; the lines to sign."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.document import ATTACHMENTS, Column, Document, Section
from nanxian_cli.render.layouts.visit import BLANK, day_text, issuer_text, notice_number


def _standard(p: dict) -> str:
    cited = tr("；", "; ").join(p["sources"])
    if not cited:
        return p["standard"]
    return tr(f"{p['standard']}（依据：{cited}）", f"{p['standard']} (source: {cited})") if p["standard"] else cited


def _found(p: dict) -> str:
    parts = [x for x in (p["found"], p["note"]) if x]
    return tr("；", "; ").join(parts)


def layout(data: dict) -> Document:
    school, checklist = data["school"], data["checklist"]["title"]
    reply = data["reply_to"] or BLANK * 2
    issuer = issuer_text(data["issuer"], data["county"])
    rows = [{"no": i, "text": p["text"], "found": _found(p), "standard": _standard(p),
             "requirement": p["requirement"], "due": p["due"], "severity_label": p["severity_label"],
             ATTACHMENTS: p["evidence"]}
            for i, p in enumerate(data["problems"], start=1)]
    opening = [
        {"text": tr(f"{school['name']}：", f"To {school['name']}:"), "style": "addressee"},
        {"text": tr(
            f"{day_text(data['date'])}，责任督学{data['inspector']}依据《{checklist}》对你校进行了督导检查，"
            f"发现下列问题，现通知你校限期整改。",
            f"On {data['date']} the supervisor {data['inspector']} inspected your school against “{checklist}” "
            f"and found the problems below. You are required to rectify them by the deadlines given."),
         "style": "body"},
    ]
    closing = [
        {"text": tr(
            f"请你校对照上述问题逐项整改，在整改期限内将书面整改报告（整改措施、完成情况及佐证材料）报送{reply}。"
            "整改中遇到学校自身无法解决的困难，请在整改报告中一并说明。",
            f"Please rectify each problem and, within its deadline, send a written rectification report (the "
            f"measures taken, what was done and the evidence) to {reply}. Any difficulty the school cannot solve "
            f"by itself should be stated in the report."), "style": "body"},
        {"text": tr("特此通知。", "This notice is hereby given."), "style": "body"},
    ]
    sections = [
        Section("opening", "", [Column("text", "")], opening, layout="text"),
        Section("problems", tr("存在问题及整改要求", "Problems and what is required"), [
            Column("no", tr("序号", "no."), "int"), Column("text", tr("存在问题", "problem"), max_width=30),
            Column("found", tr("检查发现", "found"), max_width=24),
            Column("standard", tr("标准", "standard"), max_width=24, priority=1),
            Column("requirement", tr("整改要求", "requirement"), max_width=24),
            Column("due", tr("整改期限", "deadline"), "date"),
        ], rows, sheet=tr("整改要求", "Problems")),
        Section("closing", "", [Column("text", "")], closing, layout="text"),
        Section("signatures", "", [Column("label", "")], [
            {"text": tr(f"{issuer}（盖章）", f"{issuer} (seal)")},
            {"text": day_text(data["issued_on"])},
            {"label": tr("责任督学（签字）", "Supervisor (signature)")},
            {"label": tr("学校签收人（签字）", "Received for the school by (signature)")},
        ], layout="signatures"),
    ]
    return Document(
        kind="notice", title=tr("整改通知书", "Rectification notice"), meta=[], sections=sections, official=True,
        issuer=issuer, number=notice_number(data["number"]),
    )
