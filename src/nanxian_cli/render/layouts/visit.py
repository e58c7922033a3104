"""The layout of `report visit`: the 督导意见书 as the school receives it, in the county's section order — heading,
一 基本情况, 二 主要成绩, 三 存在问题, 四 整改意见, 五 复查情况, signatures. Point texts and labels only: no internal
ids in print (the JSON keeps them); every point's answer is in the spreadsheet formats only."""

from __future__ import annotations

from nanxian_cli.i18n import get_lang, tr
from nanxian_cli.render.document import ATTACHMENTS, Column, Document, Section

BLANK = "________"


def issuer_text(issuer: str | None, county: str | None = None) -> str:
    """The issuing office as printed: the configured one, else 县教育督导室 with a blank to fill in."""
    if issuer:
        return issuer
    if county:
        return tr(f"{county}教育督导室", f"{county} Education Supervision Office")
    return tr(f"{BLANK}县教育督导室", f"{BLANK} County Education Supervision Office")


def notice_number(number: str) -> str:
    """A notice's number as printed: a prefix left unset ([documents] notice_prefix) is a blank to fill in."""
    return BLANK + number if number.startswith("〔") else number


def day_text(iso: str | None) -> str:
    """A date in running text: 2020年11月7日 in Chinese, ISO in English."""
    if not iso:
        return ""
    if get_lang() != "zh":
        return iso
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _status_word(data: dict) -> str | None:
    status = data["status"]
    if status == "submitted":
        return None
    word = {
        "draft": tr("草稿（未提交，不作为正式意见）", "DRAFT (not submitted; not an official opinion)"),
        "void": tr("已作废", "VOID"),
    }.get(status, status)
    if status == "void" and data["void_reason"]:
        word += f"：{data['void_reason']}" if get_lang() == "zh" else f": {data['void_reason']}"
    return word


def _checked_text(data: dict) -> str:
    c, title = data["counts"], data["checklist"]["title"]
    total = c["pass"] + c["fail"] + c["na"] + c["info"]
    rate, score = percent(data["compliance_rate"]), percent(data["score"])
    return tr(
        f"对照《{title}》逐项检查{total}项：合格{c['pass']}项，不合格{c['fail']}项，不适用{c['na']}项，"
        f"记录{c['info']}项；合格率{rate}（加权得分{score}）",
        f"{total} points of “{title}” checked one by one: {c['pass']} passed, {c['fail']} failed, {c['na']} not "
        f"applicable, {c['info']} recorded; compliance {rate} (weighted score {score})",
    )


def _numbered(rows: list[dict]) -> list[dict]:
    """Rows numbered from 1, each with the files printed under it (its `evidence`)."""
    return [{"no": i, **r, ATTACHMENTS: r.get("evidence") or []} for i, r in enumerate(rows, start=1)]


def layout(data: dict) -> Document:
    school, points = data["school"], data["points"]
    town = f"（{school['town']}）" if school["town"] and get_lang() == "zh" else f" ({school['town']})" \
        if school["town"] else ""
    basics = [
        {"label": tr("学校", "School"), "value": school["name"] + town},
        {"label": tr("督导日期", "Date of visit"), "value": day_text(data["date"])},
        {"label": tr("责任督学", "Supervisor"), "value": data["inspector"]},
        {"label": tr("记录号", "Visit"), "value": data["id"][:8]},
        {"label": tr("检查情况", "What was checked"), "value": _checked_text(data), "wide": True},
    ]
    status = _status_word(data)
    if status:
        basics.insert(0, {"label": tr("状态", "Status"), "value": status, "wide": True})
    areas = [{"title": a["title"], "checked": a["passed"] + a["failed"], "passed": a["passed"], "failed": a["failed"],
              "items": tr("、", ", ").join(a["passed_items"])} for a in data["areas"]]
    failed = _numbered([p for p in points if p["outcome"] == "fail"])
    rects = _numbered(data["rectifications"])
    rechecks = _numbered(data["rechecks"])
    n = "no"
    sections = [
        Section("basics", tr("一、基本情况", "1. The visit"), [Column("label", tr("项目", "item")),
                Column("value", tr("内容", "detail"))], basics, layout="fields", pairs=2,
                sheet=tr("基本情况", "Visit")),
        Section("areas", tr("二、主要成绩", "2. What went well"), [
            Column("title", tr("方面（工作要点）", "area (plan section)")),
            Column("checked", tr("检查", "checked"), "int"), Column("passed", tr("合格", "passed"), "int"),
            Column("failed", tr("不合格", "failed"), "int", priority=1),
            Column("items", tr("达标的工作要点", "plan items fully met"), priority=0),
        ], areas, empty=tr("本次督导没有评分的检查项", "No scored points at this visit"),
            sheet=tr("主要成绩", "Areas")),
        Section("problems", tr("三、存在问题", "3. Problems found"), [
            Column(n, tr("序号", "no."), "int"), Column("text", tr("问题", "point"), max_width=36),
            Column("answer", tr("检查结果", "found"), max_width=12),
            Column("note", tr("情况说明", "note"), max_width=30),
            Column("standard", tr("标准", "standard"), max_width=24, priority=1),
            Column("severity_label", tr("程度", "severity")),
        ], failed, empty=tr("本次督导未发现问题", "No problems were found"), sheet=tr("存在问题", "Problems")),
        Section("rectifications", tr("四、整改意见", "4. Rectification required"), [
            Column(n, tr("序号", "no."), "int"), Column("text", tr("问题", "point"), max_width=36),
            Column("requirement", tr("整改要求及期限", "requirement and deadline"), max_width=44),
        ], rects, empty=tr("本次督导无整改要求", "No rectification required"), sheet=tr("整改意见", "Rectification")),
    ]
    if any(r["status"] in ("open", "reported") for r in rects):
        reply = data["reply_to"] or tr("责任督学", "the supervisor")
        after = tr(f"请学校按上述要求和期限完成整改，并将书面整改报告报送{reply}。",
                   f"Please rectify as required above and send a written rectification report to {reply}.")
        if data["notice"]:
            number = notice_number(data["notice"]["number"])
            after += tr(f"整改通知书（{number}）已于{day_text(data['notice']['issued_on'])}另行送达。",
                        f" The rectification notice ({number}) was issued separately on {data['notice']['issued_on']}.")
        sections.append(Section("reply", "", [Column("text", "")], [{"text": after}], layout="text"))
    sections += [
        Section("rechecks", tr("五、复查情况", "5. Earlier findings re-checked"), [
            Column(n, tr("序号", "no."), "int"), Column("text", tr("问题", "point"), max_width=40),
            Column("opened", tr("发现日期", "found on"), "date", priority=1),
            Column("due", tr("整改期限", "deadline"), "date", priority=0),
            Column("outcome_label", tr("复查结果", "outcome")),
        ], rechecks, empty=tr("本次督导没有需要复查的问题", "No earlier findings to re-check at this visit"),
            sheet=tr("复查情况", "Re-checks")),
        Section("points", tr("检查明细（全部检查项）", "Every point checked"), [
            Column("text", tr("检查项", "point"), max_width=40), Column("outcome_label", tr("判定", "outcome")),
            Column("answer", tr("回答", "answer"), max_width=12), Column("note", tr("备注", "note"), max_width=30),
            Column("severity_label", tr("程度", "severity")),
        ], points, sheet=tr("检查明细", "Points"), data_only=True),
        Section("signatures", "", [Column("label", "")], [
            {"labels": [tr("责任督学（签字）", "Supervisor (signature)"),
                        tr("学校负责人（签字、盖章）", "Head of school (signature and stamp)")]},
            {"text": issuer_text(data["issuer"])},
            {"text": day_text(data["date"])},
        ], layout="signatures"),
    ]
    return Document(
        kind="visit", title=tr(f"{school['name']}督导意见书", f"Supervision opinion: {school['name']}"),
        meta=[], sections=sections, official=True, issuer=issuer_text(data["issuer"]),
    )
