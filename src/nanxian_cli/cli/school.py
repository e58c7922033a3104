"""`nanxian school import|list|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import console, emit
from nanxian_cli.cli.options import FormatOption, OutputOption, ShowFormatOption, StageOption, TownOption
from nanxian_cli.cli.runtime import NanxianTyper, open_db
from nanxian_cli.i18n import tr

app = NanxianTyper(name="school", no_args_is_help=True, help="Import and look up the school roster")


def _check_stage(stage: str | None) -> None:
    from nanxian_cli.errors import InputError
    from nanxian_cli.core.vocab import STAGES

    if stage is not None and stage not in STAGES:
        raise InputError(tr(f"--stage：未知学段 {stage!r}；可选 {', '.join(STAGES)}", f"--stage: unknown stage {stage!r}; expected one of {', '.join(STAGES)}"))


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="Roster file: .yaml/.yml (a list of schools) or .csv (header row)")]) -> None:
    """Import or update schools by code. Any bad row: every problem listed, nothing imported."""
    from nanxian_cli.files.roster import pinyin_initials, read_roster
    from nanxian_cli.store.schools import import_schools

    rows = read_roster(file)
    initials = {row.code: pinyin_initials(row.name) for row in rows}
    with open_db() as store:
        counts = import_schools(store, rows, initials)
    console().print(
        tr(f"学校名册：新增 {counts.added}，更新 {counts.updated}，未变 {counts.unchanged}",
           f"Schools: {counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged"),
        markup=False,
    )


def _school_rows(schools: list[dict]) -> tuple[list[str], list[list]]:
    columns = ["code", tr("名称", "name"), tr("乡镇", "town"), tr("学段", "stages"), tr("寄宿", "boarding"),
               tr("食堂", "canteen"), tr("校车", "school bus"), tr("性质", "ownership"), tr("集团", "group"),
               tr("责任督学", "inspector")]
    rows = [[s["code"], s["name"], s["town"], " ".join(s["stages"]), s["boarding"], s["canteen"], s["school_bus"],
             s["ownership"], s["group"], s["inspector"]] for s in schools]
    return columns, rows


@app.command("list")
def list_(
    town: TownOption = None,
    stage: StageOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List schools, by town."""
    from nanxian_cli.store.schools import list_schools

    _check_stage(stage)
    with open_db(create=False) as store:
        schools = list_schools(store, town=town, stage=stage)
    columns, rows = _school_rows(schools)
    emit(fmt, output, json_data=schools, columns=columns, rows=rows, table=_school_table(schools))


def _school_table(schools: list[dict]):
    """The terminal view: attributes in one column so an 80-column terminal keeps codes and names whole."""
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.table import simple_table
    from nanxian_cli.core.vocab import STAGE_LABELS

    attr_labels = {"boarding": tr("寄宿", "boarding"), "canteen": tr("食堂", "canteen"), "school_bus": tr("校车", "school bus")}
    columns = [tr("代码", "code"), tr("名称", "name"), tr("乡镇", "town"), tr("学段", "stages"), tr("条件", "attributes"),
               tr("集团", "group"), tr("责任督学", "inspector")]
    rows = []
    for s in schools:
        attrs = [text for key, text in attr_labels.items() if s[key]]
        if s["ownership"] == "private":
            attrs.append(tr("民办", "private"))
        # Chinese readers get 小学 初中; English keeps the keys that `--stage` accepts
        stages = " ".join(STAGE_LABELS[st][0] if get_lang() == "zh" and st in STAGE_LABELS else st for st in s["stages"])
        rows.append([s["code"], s["name"], s["town"], stages, " ".join(attrs), s["group"], s["inspector"]])
    # Codes, names, towns and inspectors stay on one line; a name longer than the cap still folds.
    return simple_table(None, columns, rows, keep_whole={0: 40, 1: 30, 2: 12, 6: 12})


@app.command("show")
def show(
    school: Annotated[str, typer.Argument(help="Code, exact name, a unique part of the name, or pinyin initials (nzsyxx)")],
    fmt: ShowFormatOption = None,
) -> None:
    """Show one school."""
    from nanxian_cli.render import json_text
    from nanxian_cli.render.table import printable
    from nanxian_cli.store.schools import find_school
    from rich.table import Table
    from rich.text import Text

    if fmt not in (None, "table", "json"):
        from nanxian_cli.errors import InputError

        raise InputError(tr(f"--format：可选 table 或 json，而不是 {fmt!r}", f"--format: choose table or json, not {fmt!r}"))
    with open_db(create=False) as store:
        found = find_school(store, school)
    if fmt == "json":
        typer.echo(json_text(found), nl=False)
        return
    columns, rows = _school_rows([found])
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for col, value in zip(columns, rows[0]):
        if isinstance(value, bool):
            value = tr("是", "yes") if value else tr("否", "no")
        table.add_row(Text(col), Text("—" if value in (None, "") else printable(str(value))))
    console().print(table)
