"""`nanxian school import|list|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import AllOption, FormatOption, OutputOption, ShowFormatOption, StageOption, TownOption
from nanxian_cli.cli.runtime import open_db
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.i18n import tr

app = NanxianTyper(name="school", lazy=True, no_args_is_help=True, help=group_help("school"))


def _check_stage(stage: str | None) -> None:
    from nanxian_cli.core.vocab import STAGES
    from nanxian_cli.errors import InputError

    if stage is not None and stage not in STAGES:
        raise InputError(tr(f"--stage：未知学段 {stage!r}；可选 {', '.join(STAGES)}",
                            f"--stage: unknown stage {stage!r}; expected one of {', '.join(STAGES)}"))


RosterArg = Annotated[Path, typer.Argument(help="Roster file: .yaml/.yml (a list of schools), .csv (header row) or "
                                                ".xlsx (first sheet); headers in English or Chinese")]


@app.command("import")
def import_(file: RosterArg) -> None:
    """Import or update schools by code. Any bad row: every problem listed, nothing imported."""
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.services.people import import_schools

    rows = read_roster(file)
    with open_db() as store:
        counts = import_schools(store, rows)
    console().print(
        tr(f"学校名册：新增 {counts.added}，更新 {counts.updated}，未变 {counts.unchanged}",
           f"Schools: {counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged"),
        markup=False,
    )


@app.command("list")
def list_(
    town: TownOption = None,
    stage: StageOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    every_row: AllOption = False,
) -> None:
    """List schools, by town."""
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.schools import school_listing
    from nanxian_cli.store.schools import list_schools

    _check_stage(stage)
    with open_db(create=False) as store:
        if town is not None:
            from nanxian_cli.services.lookups import check_town

            town = check_town(store, town)
        schools = list_schools(store, town=town, stage=stage)
    emit(school_listing(schools), fmt, output, every_row)


@app.command("show")
def show(
    school: Annotated[str,
                      typer.Argument(help="Code, exact name, a unique part of the name, or pinyin initials (nzsyxx)")],
    fmt: ShowFormatOption = None,
) -> None:
    """Show one school."""
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.formats import choose
    from nanxian_cli.render.schools import school_record
    from nanxian_cli.services.people import find_school

    choose("record", fmt, None)
    with open_db(create=False) as store:
        found = find_school(store, school)
    emit(school_record(found), fmt, None)
