"""A visit and lists of visits for people: `inspect visit|show` and `inspect list` (Rich renderables; every
cell a `Text`, never markup). The data are the dicts store/visits.py returns."""

from __future__ import annotations

from nanxian_cli.i18n import local_time, tr
from nanxian_cli.render.emit import Listing, Record
from nanxian_cli.render.findings import findings_table
from nanxian_cli.render.labels import answer, percent, word


def visit_record(detail: dict, with_answers: bool = False) -> Record:
    """One visit (`visit_detail`): its header, failed points (or every answer and the revision history) and
    findings; JSON is the detail, without the answers unless `with_answers`."""
    data = dict(detail)
    if not with_answers:
        data.pop("answers", None)
    return Record(data, lambda: visit_renderables(detail, with_answers))


def visit_renderables(detail: dict, with_answers: bool) -> list:
    from rich.table import Table
    from rich.text import Text

    out: list = []
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    status_style = {"submitted": "green", "draft": "yellow", "void": "red"}.get(detail["status"], "")
    rows = [
        (tr("督导记录", "Visit"), Text(detail["id"])),
        (tr("学校", "School"), Text(f"{detail['school_name']} ({detail['school']})")),
        (tr("检查表", "Checklist"),
         Text(f"{detail['checklist_title']} [{detail['checklist']} v{detail['checklist_version']}]")),
        (tr("日期", "Date"), Text(detail["date"])),
        (tr("督学", "Inspector"), Text(detail["inspector"])),
        (tr("状态", "Status"), Text(word(detail["status"]), style=status_style)),
    ]
    c = detail["counts"]
    rows.append((tr("结果", "Counts"),
                 Text(tr(f"合格 {c['pass']} · 不合格 {c['fail']} · 不适用 {c['na']} · 记录 {c['info']}",
                         f"pass {c['pass']} · fail {c['fail']} · n/a {c['na']} · info {c['info']}"))))
    rows.append((tr("合格率", "Compliance"), Text(percent(detail["compliance_rate"]))))
    rows.append((tr("得分", "Score"), Text(percent(detail["score"]))))
    if detail["status"] == "void":
        rows.append((tr("作废原因", "Void reason"), Text(detail["void_reason"] or "")))
    if detail.get("missing"):
        rows.append((tr("未回答", "Not answered"), Text(", ".join(detail["missing"]), style="yellow")))
    for label, value in rows:
        head.add_row(Text(label), value)
    out.append(head)
    if with_answers:
        table = Table(title=Text(tr("全部回答", "Answers")), title_justify="left")
        for col in (tr("要点", "point"), tr("内容", "text"), tr("回答", "answer"), tr("结果", "outcome"),
                    tr("备注", "note"), tr("修订", "rev")):
            table.add_column(col, overflow="fold")
        for a in detail["answers"]:
            style = ("bold red" if a["severity"] == "critical" else "red") if a["outcome"] == "fail" else ""
            table.add_row(Text(a["item"], style=style), Text(a["text"]), Text(answer(a["value"])),
                          Text(word(a["outcome"]), style=style), Text(a["note"] or ""), Text(str(len(a["revisions"]))))
        out.append(table)
        amended = [a for a in detail["answers"] if len(a["revisions"]) > 1]
        if amended:
            hist = Table(title=Text(tr("修订记录", "Revision history")), title_justify="left")
            for col in (tr("要点", "point"), "#", tr("回答", "answer"), tr("结果", "outcome"), tr("备注", "note"),
                        tr("原因", "reason"), tr("修改人", "by"), tr("时间", "at")):
                hist.add_column(col, overflow="fold")
            for a in amended:
                for r in a["revisions"]:
                    hist.add_row(Text(a["item"]), Text(str(r["revision"])), Text(answer(r["value"])),
                                 Text(word(r["outcome"])), Text(r["note"] or ""), Text(r["reason"] or ""),
                                 Text(r["author"] or ""), Text(local_time(r["recorded_at"])))
            out.append(hist)
    else:
        failed = [a for a in detail["answers"] if a["outcome"] == "fail"]
        if failed:
            table = Table(title=Text(tr("不合格要点", "Failed points")), title_justify="left")
            for col in (tr("要点", "point"), tr("内容", "text"), tr("程度", "severity"), tr("回答", "answer"),
                        tr("备注", "note")):
                table.add_column(col, overflow="fold")
            for a in failed:
                style = "bold red" if a["severity"] == "critical" else ""
                table.add_row(Text(a["item"], style=style), Text(a["text"], style=style),
                              Text(word(a["severity"]), style=style), Text(answer(a["value"])), Text(a["note"] or ""))
            out.append(table)
    if detail["findings"]:
        out.append(findings_table(detail["findings"], tr("整改项", "Findings"), relation=True))
    if detail.get("evidence"):
        from nanxian_cli.render.evidence import evidence_table

        out.append(evidence_table(detail["evidence"], tr(f"佐证材料（{len(detail['evidence'])}）",
                                                          f"Evidence ({len(detail['evidence'])})"), per_item=True))
    return out


def visits_listing(visits: list[dict], counted: tuple[int, int] | None = None) -> Listing:
    """`inspect list` (`list_visits`): JSON is the list; CSV one row per visit. `counted`: how many visits there
    are and how many of them drafts, when `visits` holds only the newest of them (what a terminal shows)."""
    columns = ["id", "date", "school", "school_name", "checklist", "inspector", "status", "pass", "fail", "na", "info",
               "compliance_rate", "score", "critical_fails"]
    rows = [[v["id"], v["date"], v["school"], v["school_name"], v["checklist"], v["inspector"], v["status"],
             v["counts"]["pass"], v["counts"]["fail"], v["counts"]["na"], v["counts"]["info"], v["compliance_rate"],
             v["score"], v["critical_fails"]] for v in visits]
    return Listing(visits, columns, rows, lambda limit=None: visits_table(visits, limit, counted),
                   total=counted[0] if counted else None)


def visits_table(visits: list[dict], limit: int | None = None, counted: tuple[int, int] | None = None):
    """Every visit, or the first `limit` (the title and the drafts line still count them all: `counted`, when
    `visits` are only the first)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    total, drafts = counted or (len(visits), sum(1 for v in visits if v["status"] == "draft"))
    table = Table(title=Text(tr(f"督导记录（{total}）", f"Visits ({total})")), title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column(tr("日期", "date"), no_wrap=True)
    table.add_column(tr("学校", "school"), overflow="fold")
    table.add_column(tr("检查表", "checklist"), overflow="fold")
    table.add_column(tr("督学", "inspector"), overflow="fold")
    table.add_column(tr("状态", "status"), overflow="fold")
    table.add_column(tr("合格/不合格/不适用", "pass/fail/na"), justify="right")
    table.add_column(tr("合格率", "rate"), justify="right", no_wrap=True)
    table.add_column(tr("得分", "score"), justify="right", no_wrap=True)
    for v in visits[:limit]:
        c = v["counts"]
        fail = Text(f"{c['pass']}/")
        fail.append(str(c["fail"]), style="bold red" if v["critical_fails"] else "")
        fail.append(f"/{c['na']}")
        status_style = {"draft": "bold yellow", "void": "red"}.get(v["status"], "")
        table.add_row(Text(v["id"][:8]), Text(v["date"]), Text(v["school_name"]), Text(v["checklist"]),
                      Text(v["inspector"]), Text(status_text(v), style=status_style), fail,
                      Text(percent(v["compliance_rate"])), Text(percent(v["score"])))
    if drafts:
        table.caption = Text(tr(
            f"{drafts} 份草稿未提交，不计入报告。继续："
            "nanxian inspect visit 学校 --checklist 检查表 --resume --draft 编号；"
            "放弃：nanxian inspect discard 编号 --reason …",
            f"{drafts} draft(s) not submitted, not counted in reports. Continue one: nanxian inspect visit SCHOOL "
            f"--checklist ID --resume --draft VISIT; give one up: nanxian inspect discard VISIT --reason …"),
            style="yellow")
        table.caption_justify = "left"
    return table


def status_text(v: dict) -> str:
    """A visit's status for people: a draft says how far it got; a draft given up is not a voided visit."""
    if v["status"] == "draft":
        return tr(f"草稿（已记录 {v['points']} 项）", f"draft ({v['points']} points recorded)")
    if v["status"] == "void" and v["submitted_at"] is None:
        return tr("已放弃的草稿", "discarded draft")
    return word(v["status"])
