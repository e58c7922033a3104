"""Findings (整改项) for people: the table of `finding list` and of a visit's findings (Rich, cells are `Text`).
The data are the dicts store/visits.py returns."""

from __future__ import annotations

from nanxian_cli.core.vocab import FINDING_RELATION_LABELS, OVERDUE_LABEL
from nanxian_cli.i18n import pick, tr
from nanxian_cli.render.emit import Listing
from nanxian_cli.render.labels import word

COLUMNS = ["id", "school", "school_name", "item", "item_text", "checklist", "severity", "opened", "due", "status",
           "overdue", "days_overdue", "visit", "resolved_by", "resolved_on", "recheck_count"]


def findings_listing(findings: list[dict], as_of: str) -> Listing:
    """`finding list` (`list_findings`) as of a day: JSON is the list; CSV has the columns above."""
    title = tr(f"整改项（{len(findings)}，截至 {as_of}）", f"Findings ({len(findings)}, as of {as_of})")
    return Listing(findings, COLUMNS, [[f[c] for c in COLUMNS] for f in findings],
                   lambda: findings_table(findings, title))


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
        status = word(f["status"])
        if f["overdue"]:
            status = f"{pick(OVERDUE_LABEL)} {f['days_overdue']} {tr('天', 'd')}"
        if f["recheck_count"]:
            status += tr(f"\n复查未过 {f['recheck_count']} 次", f"\nre-check ✗ {f['recheck_count']}×")
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
            row.append(Text(pick(FINDING_RELATION_LABELS[f["relation"]])))
        table.add_row(*row)
    return table
