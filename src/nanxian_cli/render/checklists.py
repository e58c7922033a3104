"""Checklists for people: `checklist list|show|coverage` (Rich, cells are `Text`, never markup)."""

from __future__ import annotations

from typing import Any

from nanxian_cli.i18n import get_lang, pick, tr
from nanxian_cli.render.emit import Listing, Record


def _rule_text(item) -> str:
    if item.type == "yesno":
        return tr("应为：是", "expect: yes") if item.expect_value else tr("应为：否", "expect: no")
    if item.type == "number":
        from nanxian_cli.core.answers import rule

        return rule(item).en
    if item.type == "rating":
        return f"1–5, ≥ {item.min:g}"
    if item.type == "choice":
        lang = get_lang()
        opts = [f"{k}={v.get(lang)}{'✓' if k in (item.pass_ or []) else ''}" for k, v in (item.choices or {}).items()]
        return "; ".join(opts)
    return tr("记录（不评分）", "recorded, not scored")


def _applies_text(applies) -> str:
    if applies is None:
        return ""
    from nanxian_cli.core.vocab import ATTRIBUTE_LABELS, STAGE_LABELS

    parts = [_label(STAGE_LABELS, st) for st in applies.stages] + [f"+{_label(ATTRIBUTE_LABELS, r)}"
                                                                   for r in applies.requires]
    if applies.inclusive is not None:
        parts.append(tr("普惠", "inclusive") if applies.inclusive else tr("非普惠", "not inclusive"))
    if applies.ownership is not None:
        parts.append(tr("公办", "public") if applies.ownership == "public" else tr("民办", "private"))
    if applies.months:
        parts.append(tr(f"{_ranges(sorted(applies.months))} 月", f"months {_ranges(sorted(applies.months))}"))
    return " ".join(parts)


def _label(labels: dict, key: str) -> str:
    pair = labels.get(key)
    return pick(pair) if pair else key


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], None, None
    for n in numbers + [None]:
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = n
    return ",".join(out)


def _window(start: str | None, end: str | None) -> str:
    """A validity window for people: `2021-01-01 –`, `– 2020-12-31`, `2020-01-01 – 2020-12-31`; empty: always."""
    if not start and not end:
        return ""
    return f"{start or ''} – {end or ''}".strip()


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def checklist_listing(entries: list) -> Listing:
    """`checklist list` (reports/checklists.py `checklist_entries`)."""
    from nanxian_cli.render.data import as_data

    data = as_data(entries)
    columns = ["id", tr("版本", "version"), tr("有效期", "valid"), tr("类型", "kind"), tr("名称", "title"),
               tr("要点数", "points"), tr("工作要点", "plan items")]
    from nanxian_cli.core.vocab import KIND_LABELS

    rows = [[d["id"], d["version"], _window(d["valid_from"], d["valid_to"]), _label(KIND_LABELS, d["kind"]),
             d["title"], d["points"], _ranges(d["plan_items"])] for d in data]

    def table():
        from nanxian_cli.render.table import simple_table

        # ids stay whole (they are typed back into `checklist show`); titles fold
        return simple_table(None, columns, rows, keep_whole={0: 40, 2: 24, 3: 12})

    return Listing(data, columns, rows, table)


def checklist_record(loaded: Any) -> Record:
    """`checklist show`: JSON is the checklist's canonical content and its hash; the table every point with its
    text, guidance, type and rule, severity and plan items."""
    import json

    data = json.loads(loaded.canonical)
    data["hash"] = loaded.hash
    for key in ("valid_from", "valid_to", "source"):  # format 2: always present, null when the file has none
        data.setdefault(key, None)
    for item in data.get("items", []):
        for key in ("standard", "source", "ref"):
            item.setdefault(key, None)
    return Record(data, lambda: _checklist_parts(loaded.checklist))


def _sources_text(sources: Any) -> str:
    """《title》 number (year); …"""
    parts = []
    for src in sources or []:
        title = src.title if src.title.startswith("《") else f"《{src.title}》"
        parts.append(" ".join(p for p in (title, src.number or "", f"({src.year})") if p))
    return "; ".join(parts)


def _checklist_parts(cl: Any) -> list:
    from rich.table import Table
    from rich.text import Text

    from nanxian_cli.core.vocab import KIND_LABELS, SEVERITY_LABELS, TYPE_LABELS

    lang = get_lang()
    title = Text(f"{cl.title.get(lang)}  ({cl.id} v{cl.version}, {_label(KIND_LABELS, cl.kind)})", style="bold")
    days = cl.rectify_days
    sub = Text(
        tr(f"整改期限：严重 {days.critical} 天，一般 {days.major} 天，轻微 {days.minor} 天",
           f"Rectify within: critical {days.critical} d, major {days.major} d, minor {days.minor} d")
        + (f"   {tr('适用', 'applies to')}: {_applies_text(cl.applies_to)}" if cl.applies_to else ""),
        style="dim",
    )
    if cl.valid_from or cl.valid_to:
        sub.append(f"\n{tr('有效期', 'Valid')}: {_window(_iso(cl.valid_from), _iso(cl.valid_to))}")
    if cl.source:
        sub.append(f"\n{tr('依据', 'Source')}: {_sources_text(cl.source)}")
    table = Table(show_lines=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column(tr("检查要点", "Point"), ratio=3, overflow="fold")
    table.add_column(tr("类型与标准", "Type & rule"), ratio=1, overflow="fold")
    table.add_column(tr("程度", "Severity"))
    table.add_column(tr("要点", "Plan"))
    sev_style = {"critical": "bold red", "major": "yellow", "minor": "dim"}
    for index, item in enumerate(cl.items, start=1):
        body = Text()
        body.append(item.text.get(lang), style="bold")
        body.append(f"\n{item.id}", style="dim")
        if item.guidance:
            body.append(f"\n{tr('检查方法', 'How to check')}: {item.guidance.get(lang)}")
        if item.evidence:
            body.append(f"\n{tr('留存', 'Evidence')}: {item.evidence.get(lang)}", style="dim")
        if item.standard:
            body.append(f"\n{tr('标准', 'Standard')}: {item.standard.get(lang)}")
        if item.source:
            body.append(f"\n{tr('依据', 'Source')}: {_sources_text(item.source)}", style="dim")
        if item.ref:
            body.append(f"\n{tr('共用要点', 'library point')}: {item.ref}", style="dim")
        extras = []
        if item.applies_to:
            extras.append(f"{tr('适用', 'applies to')}: {_applies_text(item.applies_to)}")
        if item.when:
            equals = item.when.equals
            if isinstance(equals, bool):
                equals = tr("是", "yes") if equals else tr("否", "no")
            extras.append(f"{tr('条件', 'when')}: {item.when.item} = {equals}")
        if item.allow_na:
            extras.append(tr("可填不适用", "n/a allowed"))
        if extras:
            body.append("\n" + "; ".join(extras), style="cyan")
        rule = Text(f"{_label(TYPE_LABELS, item.type)}\n{_rule_text(item)}")
        if item.weight != 1:
            rule.append(f"\n{tr('权重', 'weight')} {item.weight:g}", style="dim")
        sev = Text(pick(SEVERITY_LABELS[item.severity]), style=sev_style[item.severity])
        table.add_row(str(index), body, rule, sev, Text(",".join(map(str, item.plan))))
    return [title, sub, table]


def coverage_listing(coverage: Any) -> Listing:
    """`checklist coverage` (reports/checklists.py `coverage`): each plan item and the points that check it."""
    from nanxian_cli.render.data import as_data

    data = as_data(coverage)
    items = data["items"]
    covered = data["covered"]
    columns = ["#", tr("工作要点", "plan item"), tr("要点数", "points"), tr("检查表数", "checklists"),
               tr("检查表", "checklist ids")]
    rows = [[i["number"], i["title"], i["points"], len(i["checklists"]), " ".join(i["checklists"])] for i in items]

    def table():
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=tr(f"工作要点覆盖：{covered}/{len(items)} 项已有检查要点",
                     f"Plan coverage: {covered}/{len(items)} items checked"),
            title_justify="left", header_style="bold",
        )
        for i, col in enumerate(columns):
            table.add_column(col, justify="right" if i in (0, 2, 3) else "left", overflow="fold")
        for i in items:
            style = "red" if i["points"] == 0 else "yellow" if i["points"] < 3 else ""
            table.add_row(Text(str(i["number"])), Text(i["title"]), Text(str(i["points"]), style=style),
                          Text(str(len(i["checklists"]))), Text(" ".join(i["checklists"]), style="dim"))
        return table

    return Listing(data, columns, rows, table)
