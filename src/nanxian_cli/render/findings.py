"""Findings (整改项) for people: the table of `finding list` and of a visit's findings (Rich, cells are `Text`).
The data are the dicts store/visits.py returns."""

from __future__ import annotations

from nanxian_cli.core.vocab import (
    ESCALATED_LABEL,
    FINDING_EVENT_LABELS,
    FINDING_RELATION_LABELS,
    FIXED_ON_SITE_LABEL,
    OVERDUE_LABEL,
)
from nanxian_cli.i18n import label, pick, tr
from nanxian_cli.render.emit import Listing, Record
from nanxian_cli.render.labels import answer, word

COLUMNS = ["id", "school", "school_name", "item", "item_text", "checklist", "severity", "opened", "due", "status",
           "overdue", "days_overdue", "visit", "resolved_by", "resolved_on", "recheck_count", "uid", "escalated",
           "fixed_on_site", "reported_on"]


def findings_listing(findings: list[dict], as_of: str, total: int | None = None) -> Listing:
    """`finding list` (`list_findings`) as of a day: JSON is the list; CSV has the columns above. `total`: how
    many findings there are when `findings` holds only the first of them (what a terminal shows)."""
    n = len(findings) if total is None else total
    title = tr(f"整改项（{n}，截至 {as_of}）", f"Findings ({n}, as of {as_of})")
    return Listing(findings, COLUMNS, [[f[c] for c in COLUMNS] for f in findings],
                   lambda limit=None: findings_table(findings[:limit], title), total=total)


def findings_table(findings: list[dict], title: str | None, relation: bool = False):
    """Findings, critical and open ones in bold red, overdue ones in red; `relation`: a visit's findings, with
    what the visit did to each (no school column)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", no_wrap=True)
    if not relation:
        table.add_column(tr("学校", "school"), overflow="fold", ratio=1, min_width=8)
    # the point's text takes what the fixed columns leave; its id goes under it, dimmed
    table.add_column(tr("要点", "point"), overflow="fold", ratio=3, min_width=16)
    table.add_column(tr("程度", "severity"), no_wrap=True)
    # the opening date is in JSON/CSV and `inspect show`
    table.add_column(tr("期限", "due"), no_wrap=True, min_width=10)
    table.add_column(tr("状态", "status"), overflow="fold", min_width=12)
    if relation:
        table.add_column(tr("本次", "this visit"), overflow="fold")
    for f in findings:
        style = "bold red" if f["severity"] == "critical" and f["status"] == "open" else ""
        status = status_text(f)
        row = [Text(str(f["id"]), style=style)]
        if not relation:
            row.append(Text(f["school_name"]))
        point = Text(f["item_text"] or f["item"], style=style)
        if f["item_text"]:
            point.append(f"\n{f['item']}", style="dim")
        row += [point, Text(word(f["severity"]), style=style),
                Text(f["due"], style="red" if f["overdue"] else ""),
                Text(status, style="red" if f["overdue"] else "")]
        if relation:
            row.append(Text(pick(FINDING_RELATION_LABELS["returned" if f.get("returned") else f["relation"]]),
                            style="red" if f.get("returned") else ""))
        table.add_row(*row)
    return table


def status_text(f: dict) -> str:
    """A finding's state in one word (待整改, 待复查 …), with its flags: overdue (days), escalated, fixed on site,
    failed re-checks."""
    status = word(f["status"])
    if f["overdue"]:
        status += f" · {pick(OVERDUE_LABEL)} {f['days_overdue']} {tr('天', 'd')}"
    if f.get("fixed_on_site"):
        status += f" · {pick(FIXED_ON_SITE_LABEL)}"
    if f.get("escalated") and f["status"] in ("open", "reported"):
        status += f" · {pick(ESCALATED_LABEL)}"
    if f["recheck_count"]:
        status += tr(f"\n复查未过 {f['recheck_count']} 次", f"\nre-check ✗ {f['recheck_count']}×")
    return status


def finding_record(f: dict) -> Record:
    """`finding show`: JSON is the finding's dict; the table its fields, deadline changes and history."""
    return Record(f, lambda: finding_renderables(f))


def finding_renderables(f: dict) -> list:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    rows = [
        (tr("整改项", "Finding"), f"#{f['id']}  {f['uid']}"),
        (tr("学校", "School"), f"{f['school_name']} ({f['school']})"),
        (tr("要点", "Point"), f"{f['item_text'] or f['item']}  [{f['checklist']}/{f['item']}]"),
        (tr("程度", "Severity"), word(f["severity"])),
        (tr("发现", "Opened"), f"{f['opened']}  ({tr('督导记录', 'visit')} {f['visit'][:8]})"),
        (tr("整改期限", "Due"), f["due"]),
        (tr("状态", "Status"), status_text(f).replace("\n", " · ")),
    ]
    if f["answer"] is not None:
        rows.append((tr("当时的回答", "Answer then"), answer(f["answer"])))
    if f["note"]:
        rows.append((tr("问题记录", "Note"), f["note"]))
    if f["measures"]:
        rows.append((tr("整改措施", "Measures"), f"{f['measures']}  ({f['reported_on']})"))
    if f["status"] == "resolved":
        how = pick(FIXED_ON_SITE_LABEL) if f["fixed_on_site"] else word("resolved")
        by = f["resolved_by_name"] or "—"
        rows.append((tr("销号", "Resolved"), f"{f['resolved_on']}  {how}  {by}  {f['resolve_note'] or ''}".rstrip()))
    for key, value in rows:
        head.add_row(Text(key), Text(value))
    out: list = [head]
    if f["due_history"]:
        due = Table(title=Text(tr("整改期限变更", "Due date changes")), title_justify="left", box=box.SIMPLE_HEAD,
                    pad_edge=False)
        for col in (tr("日期", "date"), tr("新期限", "new due"), tr("原因", "reason"), tr("经办", "by")):
            due.add_column(col, overflow="fold")
        for d in f["due_history"]:
            due.add_row(Text(d["date"]), Text(d["due"] or ""), Text(d["reason"] or ""), Text(d["by"] or ""))
        out.append(due)
    events = Table(title=Text(tr("经过", "History")), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in (tr("日期", "date"), tr("事项", "event"), tr("经办", "by"), tr("说明", "text")):
        events.add_column(col, overflow="fold")
    for e in f["events"]:
        kind = label(FINDING_EVENT_LABELS.get(e["kind"]), e["kind"])
        events.add_row(Text(e["date"]), Text(kind), Text(e["by"] or ""), Text(e["text"] or ""))
    out.append(events)
    if f.get("evidence_files"):
        from nanxian_cli.render.evidence import evidence_table

        out.append(evidence_table(f["evidence_files"], tr(f"佐证材料（{len(f['evidence_files'])}）",
                                                          f"Evidence ({len(f['evidence_files'])})")))
    return out
