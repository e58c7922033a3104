"""`inspect due` for people: per supervisor, the schools still to visit this month (Rich cells are Text)."""

from __future__ import annotations

from typing import Any

from nanxian_cli.i18n import tr
from nanxian_cli.render.emit import Listing


def due_listing(due: Any, inspector: str | None = None) -> Listing:
    """JSON: a list of {inspector, school, last_visit, days_since, open_findings, due_soon, name, town}."""
    data = [{"inspector": s.inspector, "school": s.school, "last_visit": s.last_visit, "days_since": s.days_since,
             "open_findings": s.open_findings, "due_soon": s.due_soon, "name": s.name, "town": s.town}
            for s in due.schools]
    columns = [tr("督学", "inspector"), tr("代码", "code"), tr("学校", "school"), tr("乡镇", "town"),
               tr("最近督导", "last visit"), tr("距今天数", "days since"), tr("待复查整改项", "open findings"),
               tr("近期到期", "due soon")]
    rows = [[s.inspector, s.school, s.name, s.town, s.last_visit, s.days_since, s.open_findings, s.due_soon]
            for s in due.schools]

    def table(limit: int | None = None):
        from rich.console import Group
        from rich.text import Text

        from nanxian_cli.render.table import simple_table

        title = tr(f"{due.month} 尚未督导的学校（截至 {due.as_of}；挂牌督导：每所学校每月至少一次）",
                   f"Schools not visited in {due.month} (as of {due.as_of}; 挂牌督导: each school at least monthly)")
        if not due.schools:
            if inspector:
                return Text(tr(f"{due.month}：{inspector} 负责的学校都已督导（或没有负责的学校）。",
                               f"{due.month}: every school of {inspector} has been visited (or none is assigned)."))
            return Text(tr(f"{due.month}：各责任督学负责的学校都已督导。",
                           f"{due.month}: every assigned school has been visited."))
        shown = [[r[0], r[1], r[2], r[3], r[4] or tr("从未", "never"), r[5], r[6] or "", r[7] or ""]
                 for r in rows[:limit]]
        return Group(Text(title, style="bold"),
                     simple_table(None, columns, shown, {5: "right", 6: "right", 7: "right"},
                                  keep_whole={0: 12, 1: 20, 2: 30, 3: 12, 4: 10}))

    return Listing(data, columns, rows, table)
