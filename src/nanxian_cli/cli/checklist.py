"""`nanxian checklist list|show|validate|coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.options import FormatOption, OutputOption, ShowFormatOption
from nanxian_cli.cli.runtime import NanxianTyper, settings
from nanxian_cli.i18n import tr

app = NanxianTyper(name="checklist", no_args_is_help=True, help="List, show, validate checklists; plan coverage")


@app.command("list")
def list_(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List the configured checklists."""
    from nanxian_cli.files.checklists import load_all
    from nanxian_cli.render.checklists import checklist_listing
    from nanxian_cli.render.emit import emit
    from nanxian_cli.reports.checklists import checklist_entries

    emit(checklist_listing(checklist_entries(load_all(settings().checklists_dir))), fmt, output)


@app.command("show")
def show(
    checklist_id: Annotated[str, typer.Argument(help="Checklist id, e.g. routine-monthly")],
    fmt: ShowFormatOption = None,
    output: OutputOption = None,
) -> None:
    """Show every point of a checklist: text, guidance, type and rule, severity, plan items."""
    from nanxian_cli.files.checklists import find_checklist
    from nanxian_cli.render.checklists import checklist_record
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.formats import choose

    choose("record", fmt, output)
    emit(checklist_record(find_checklist(settings().checklists_dir, checklist_id)), fmt, output)


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None,
                     typer.Argument(help="Files or folders (default: the configured checklists)")] = None,
) -> None:
    """Check checklist files; print every problem with file and line. Exit 2 if any."""
    from nanxian_cli.errors import ValidationFailed
    from nanxian_cli.files.checklists import validate_paths

    targets = list(paths) if paths else [settings().checklists_dir]
    good, problems = validate_paths(targets)
    if problems:
        raise ValidationFailed(
            tr(f"{len(problems)} 个问题", f"{len(problems)} problem(s) found"), problems
        )
    points = sum(len(loaded.checklist.items) for loaded in good)
    console().print(
        tr(f"全部通过：{len(good)} 份清单，{points} 个要点", f"OK: {len(good)} checklist(s), {points} point(s)"),
        markup=False,
    )


@app.command("coverage")
def coverage(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """The plan's 21 items against the checklist points that check them."""
    from nanxian_cli.files.checklists import load_all, load_plan
    from nanxian_cli.render.checklists import coverage_listing
    from nanxian_cli.render.emit import emit
    from nanxian_cli.reports.checklists import coverage as plan_coverage

    emit(coverage_listing(plan_coverage(load_plan(), load_all(settings().checklists_dir))), fmt, output)
