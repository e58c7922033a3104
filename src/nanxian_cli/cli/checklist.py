"""`nanxian checklist list|show|validate|coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import console, emit
from nanxian_cli.cli.options import FormatOption, OutputOption, ShowFormatOption
from nanxian_cli.cli.runtime import NanxianTyper, settings
from nanxian_cli.i18n import tr

app = NanxianTyper(name="checklist", no_args_is_help=True, help="List, show, validate checklists; plan coverage")


def _rule_text(item) -> str:
    if item.type == "yesno":
        return tr("应为：是", "expect: yes") if item.expect_value else tr("应为：否", "expect: no")
    if item.type == "number":
        from nanxian_cli.core.answers import rule

        return rule(item).en
    if item.type == "rating":
        return f"1–5, ≥ {item.min:g}"
    if item.type == "choice":
        lang = "zh" if tr("zh", "en") == "zh" else "en"
        opts = [f"{k}={v.get(lang)}{'✓' if k in (item.pass_ or []) else ''}" for k, v in (item.choices or {}).items()]
        return "; ".join(opts)
    return tr("记录（不评分）", "recorded, not scored")


def _applies_text(applies) -> str:
    if applies is None:
        return ""
    parts = list(applies.stages) + [f"+{r}" for r in applies.requires]
    return " ".join(parts)


@app.command("list")
def list_(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List the configured checklists."""
    from nanxian_cli.files.checklists import load_all
    from nanxian_cli.i18n import get_lang

    lang = get_lang()
    loaded = load_all(settings().checklists_dir)
    data = [
        {"id": l.checklist.id, "version": str(l.checklist.version), "kind": l.checklist.kind,
         "title": l.checklist.title.get(lang), "points": len(l.checklist.items),
         "plan_items": sorted({n for it in l.checklist.items for n in it.plan}), "hash": l.hash,
         "file": str(l.path)}
        for l in loaded
    ]
    columns = ["id", tr("版本", "version"), tr("类型", "kind"), tr("名称", "title"), tr("要点数", "points"), tr("工作要点", "plan items")]
    rows = [[d["id"], d["version"], d["kind"], d["title"], d["points"], _ranges(d["plan_items"])] for d in data]
    from nanxian_cli.render.table import simple_table

    # ids stay whole (they are typed back into `checklist show`); titles fold
    table = simple_table(None, columns, rows, keep_whole={0: 40, 2: 12})
    emit(fmt, output, json_data=data, columns=columns, rows=rows, table=table)


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


@app.command("show")
def show(
    checklist_id: Annotated[str, typer.Argument(help="Checklist id, e.g. routine-monthly")],
    fmt: ShowFormatOption = None,
    output: OutputOption = None,
) -> None:
    """Show every point of a checklist: text, guidance, type and rule, severity, plan items."""
    from rich.table import Table
    from rich.text import Text

    from nanxian_cli.files.checklists import find_checklist
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render import infer_format, json_text
    from nanxian_cli.files.outputs import write_output

    lang = get_lang()
    loaded = find_checklist(settings().checklists_dir, checklist_id)
    cl = loaded.checklist
    chosen = infer_format(fmt, output)
    if chosen == "json":
        import json

        data = json.loads(loaded.canonical)
        data["hash"] = loaded.hash
        content = json_text(data)
        if output:
            write_output(content, output)
        else:
            typer.echo(content, nl=False)
        return
    if chosen != "table":
        from nanxian_cli.errors import InputError

        raise InputError("--format: choose table or json")
    title = Text(f"{cl.title.get(lang)}  ({cl.id} v{cl.version}, {cl.kind})", style="bold")
    days = cl.rectify_days
    sub = Text(
        tr(f"整改期限：严重 {days.critical} 天，一般 {days.major} 天，轻微 {days.minor} 天",
           f"Rectify within: critical {days.critical} d, major {days.major} d, minor {days.minor} d")
        + (f"   {tr('适用', 'applies to')}: {_applies_text(cl.applies_to)}" if cl.applies_to else ""),
        style="dim",
    )
    table = Table(show_lines=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column(tr("检查要点", "Point"), ratio=3, overflow="fold")
    table.add_column(tr("类型与标准", "Type & rule"), ratio=1, overflow="fold")
    table.add_column(tr("等级", "Severity"))
    table.add_column(tr("要点", "Plan"))
    sev_style = {"critical": "bold red", "major": "yellow", "minor": "dim"}
    from nanxian_cli.core.vocab import SEVERITY_LABELS

    for index, item in enumerate(cl.items, start=1):
        body = Text()
        body.append(item.text.get(lang), style="bold")
        body.append(f"\n{item.id}", style="dim")
        if item.guidance:
            body.append(f"\n{tr('检查方法', 'How to check')}: {item.guidance.get(lang)}")
        if item.evidence:
            body.append(f"\n{tr('留存', 'Evidence')}: {item.evidence.get(lang)}", style="dim")
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
        rule = Text(f"{item.type}\n{_rule_text(item)}")
        if item.weight != 1:
            rule.append(f"\n{tr('权重', 'weight')} {item.weight:g}", style="dim")
        sev = Text(SEVERITY_LABELS[item.severity][0 if lang == "zh" else 1], style=sev_style[item.severity])
        table.add_row(str(index), body, rule, sev, Text(",".join(map(str, item.plan))))
    if output:
        import io

        from nanxian_cli.render.table import make_console

        buf = io.StringIO()
        c = make_console(file=buf, width=160)
        c.print(title)
        c.print(sub)
        c.print(table)
        write_output(buf.getvalue(), output)
        return
    out = console()
    out.print(title)
    out.print(sub)
    out.print(table)


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the configured checklists)")] = None,
) -> None:
    """Check checklist files; print every problem with file and line. Exit 2 if any."""
    from nanxian_cli.files.checklists import validate_paths
    from nanxian_cli.errors import ValidationFailed

    targets = list(paths) if paths else [settings().checklists_dir]
    good, problems = validate_paths(targets)
    if problems:
        raise ValidationFailed(
            tr(f"{len(problems)} 个问题", f"{len(problems)} problem(s) found"), problems
        )
    points = sum(len(l.checklist.items) for l in good)
    console().print(
        tr(f"全部通过：{len(good)} 份清单，{points} 个要点", f"OK: {len(good)} checklist(s), {points} point(s)"),
        markup=False,
    )


@app.command("coverage")
def coverage(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """The plan's 21 items against the checklist points that check them."""
    from nanxian_cli.files.checklists import load_all, load_plan
    from nanxian_cli.i18n import get_lang
    from rich.table import Table
    from rich.text import Text

    lang = get_lang()
    plan = load_plan()
    loaded = load_all(settings().checklists_dir)
    items = []
    for section in plan.sections:
        for pi in section.items:
            points = [(l.checklist.id, it.id) for l in loaded for it in l.checklist.items if pi.number in it.plan]
            items.append({
                "number": pi.number, "section": section.number, "title": pi.title.get(lang),
                "points": len(points), "checklists": sorted({c for c, _ in points}),
                "point_ids": [p for _, p in points],
            })
    covered = sum(1 for i in items if i["points"] > 0)
    data = {"covered": covered, "total": len(items), "points": sum(len(l.checklist.items) for l in loaded),
            "checklists": len(loaded), "items": items}
    columns = ["#", tr("工作要点", "plan item"), tr("要点数", "points"), tr("清单数", "checklists"), tr("清单", "checklist ids")]
    rows = [[i["number"], i["title"], i["points"], len(i["checklists"]), " ".join(i["checklists"])] for i in items]
    table = Table(
        title=tr(f"工作要点覆盖：{covered}/{len(items)} 项已有检查要点", f"Plan coverage: {covered}/{len(items)} items checked"),
        title_justify="left", header_style="bold",
    )
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i in (0, 2, 3) else "left", overflow="fold")
    for i in items:
        style = "red" if i["points"] == 0 else "yellow" if i["points"] < 3 else ""
        table.add_row(Text(str(i["number"])), Text(i["title"]), Text(str(i["points"]), style=style),
                      Text(str(len(i["checklists"]))), Text(" ".join(i["checklists"]), style="dim"))
    emit(fmt, output, json_data=data, columns=columns, rows=rows, table=table)
