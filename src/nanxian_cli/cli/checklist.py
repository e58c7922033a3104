"""`nanxian checklist list|show|validate|coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import FormatOption, OutputOption, ShowFormatOption
from nanxian_cli.cli.runtime import settings
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.i18n import tr

app = NanxianTyper(name="checklist", lazy=True, no_args_is_help=True,
                   help=group_help("checklist"))


@app.command("list")
def list_(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List the configured checklists."""
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.render.checklists import checklist_listing
    from nanxian_cli.render.emit import emit
    from nanxian_cli.reports.checklists import checklist_entries

    emit(checklist_listing(checklist_entries(load_all(settings().checklists_dir))), fmt, output)


@app.command("show")
def show(
    checklist_id: Annotated[str, typer.Argument(help="Checklist id, e.g. routine-monthly")],
    fmt: ShowFormatOption = None,
    output: OutputOption = None,
    date: Annotated[str | None, typer.Option("--date", help="The version in force on this day, YYYY-MM-DD "
                                                            "(default: today's, else the newest)")] = None,
) -> None:
    """Show every point of a checklist: text, guidance, type and rule, severity, plan items, standard, sources."""
    from nanxian_cli.cli.runtime import parse_date, today
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.render.checklists import checklist_record
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.formats import choose

    choose("record", fmt, output)
    folder = settings().checklists_dir
    if date is not None:
        loaded = find_checklist(folder, checklist_id, parse_date(date, "--date"))
    else:
        loaded = find_checklist(folder, checklist_id, today(), or_newest=True)
    emit(checklist_record(loaded), fmt, output)


@app.command("validate")
def validate(
    paths: Annotated[list[Path] | None,
                     typer.Argument(help="Files or folders (default: the configured checklists)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings (points no one can verify, no `standard`) "
                                                          "are errors: exit 2")] = False,
) -> None:
    """Check checklist files; print every problem with file and line. Exit 2 if any.

    Warnings (a vague point text, a point that can fail without `standard`) are listed and exit 0, unless --strict."""
    from nanxian_cli.errors import ValidationFailed
    from nanxian_cli.files.checklist_folder import validate_paths

    targets = list(paths) if paths else [settings().checklists_dir]
    good, problems, warnings = validate_paths(targets)
    if problems or (strict and warnings):
        found = problems + (warnings if strict else [])
        raise ValidationFailed(
            tr(f"{len(found)} 个问题", f"{len(found)} problem(s) found")
            + (tr(f"（其中 {len(warnings)} 个警告，--strict）", f" ({len(warnings)} of them warnings, --strict)")
               if strict and warnings else ""),
            found,
        )
    if warnings:
        err = console(stderr=True)
        err.print(tr(f"警告：{len(warnings)} 处（--strict 视为错误）", f"Warning: {len(warnings)} warning(s) "
                     f"(errors with --strict)"), style="yellow", markup=False, highlight=False, soft_wrap=True)
        from nanxian_cli.i18n import pick

        for line in warnings:
            err.print(f"  {pick(line)}", markup=False, highlight=False, soft_wrap=True)
    points = sum(len(lc.checklist.items) for lc in good)
    console().print(
        tr(f"全部通过：{len(good)} 份清单，{points} 个要点", f"OK: {len(good)} checklist(s), {points} point(s)"),
        markup=False,
    )


@app.command("coverage")
def coverage(
    fmt: FormatOption = None,
    output: OutputOption = None,
    date: Annotated[str | None, typer.Option("--date", help="Count the checklist versions in force on this day, "
                                                            "YYYY-MM-DD (default: today)")] = None,
) -> None:
    """The plan's 21 items against the checklist points that check them (the versions in force on --date)."""
    from nanxian_cli.cli.runtime import parse_date, today
    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.files.checklist_versions import in_force
    from nanxian_cli.render.checklists import coverage_listing
    from nanxian_cli.render.emit import emit
    from nanxian_cli.reports.checklists import coverage as plan_coverage

    day = parse_date(date, "--date") if date is not None else today()
    emit(coverage_listing(plan_coverage(load_plan(), in_force(load_all(settings().checklists_dir), day))), fmt, output)
