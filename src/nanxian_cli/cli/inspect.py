"""`nanxian inspect visit|list|show|amend|void`: recording school visits and correcting them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from nanxian_cli.cli.common import console, plain_text
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import (
    AllOption,
    ByOption,
    DateOption,
    FormatOption,
    FromOption,
    OutputOption,
    ToOption,
    VisitArg,
    VisitFormatOption,
)
from nanxian_cli.cli.runtime import open_db, parse_date, settings, today
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

app = NanxianTyper(name="inspect", lazy=True, no_args_is_help=True,
                   help=group_help("inspect"))


# -- recording -------------------------------------------------------------------------------------

@app.command("visit")
def visit(
    school: Annotated[str | None,
                      typer.Argument(help="School: code, name, part of the name or pinyin initials")] = None,
    checklist: Annotated[str | None,
                         typer.Option("--checklist", "-c", help="Checklist id, e.g. routine-monthly")] = None,
    inspector: Annotated[str | None,
                         typer.Option("--inspector",
                                      help="Supervisor's name (default: config, then the school's 责任督学)")] = None,
    date: DateOption = None,
    answers: Annotated[Path | None,
                       typer.Option("--answers",
                                    help="Answers file (YAML); without it the visit is interactive")] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Submit even if some points have no answer")] = False,
    resume: Annotated[bool,
                      typer.Option("--resume",
                                   help="Continue the latest draft (with answers) "
                                        "for this school and checklist")] = False,
    draft: Annotated[str | None,
                     typer.Option("--draft",
                                  help="Continue this draft: its id or first 8+ characters (implies --resume)")] = None,
    again: Annotated[bool, typer.Option("--again", help="Record it even if this supervisor already submitted a visit "
                                                       "with this checklist to this school on that date")] = False,
    fmt: VisitFormatOption = None,
    output: OutputOption = None,
) -> None:
    """Record a visit: interactively (one point at a time) or from --answers FILE."""
    from nanxian_cli.cli.visit_recording import (
        _check_applies,
        _from_file,
        _inspector,
        _interactive,
        _origin,
        _Problems,
        _refuse_output_over_inputs,
        _visit_date,
    )
    from nanxian_cli.files.answers import read_answers_file, require
    from nanxian_cli.files.checklist_folder import check_checklist_id, find_checklist
    from nanxian_cli.services.people import find_school

    if answers is not None and (resume or draft is not None):
        raise InputError(tr("--resume 只用于交互录入，不能与 --answers 同用",
                            "--resume continues an interactive draft; it cannot be used with --answers"))
    if draft is not None:
        with open_db() as store:
            from nanxian_cli.ui.flow import chosen_draft

            row, found = chosen_draft(store, draft, school, checklist)
            _interactive(store, found, row["checklist_id"], inspector, date, fmt, output, resume=True, chosen=row,
                         again=again)
        return
    doc = read_answers_file(answers) if answers is not None else None
    _refuse_output_over_inputs(output)
    problems = _Problems(doc)
    school_given = school or (doc.school if doc else None)
    school_ref = None if school_given is None and doc and "school" in doc.broken else problems.attempt(
        None, require, school_given, Words("学校（参数 SCHOOL 或答案文件中的 school）",
                                           "SCHOOL (argument, or `school` in the answers file)"))
    checklist_given = checklist or (doc.checklist if doc else None)
    checklist_id = None if checklist_given is None and doc and "checklist" in doc.broken else problems.attempt(
        None, require, checklist_given, Words("--checklist（或答案文件中的 checklist）",
                                              "--checklist (or `checklist` in the answers file)"))
    checklist_from = _origin(doc, "checklist", "--checklist", checklist)
    if checklist_id is not None:  # an id, never a path: before anything is opened
        checklist_id = problems.attempt(checklist_from, check_checklist_id, checklist_id)
    inspector_from = doc.where("inspector") if doc and inspector is None and (doc.inspector or "").strip() else None
    inspector_ok = not (inspector_from and problems.attempt(inspector_from, plain_text, doc.inspector.strip(),
                                                            inspector_from, 100) is None)
    with open_db() as store:
        found = None if school_ref is None else problems.attempt(_origin(doc, "school", "SCHOOL", school),
                                                                 find_school, store, school_ref)
        if resume:
            problems.raise_any()
            _interactive(store, found, checklist_id, inspector, date, fmt, output, resume=True, again=again)
            return
        date_unknown = date is None and doc is not None and "date" in doc.broken
        visit_date = None if date_unknown else problems.attempt(
            None, _visit_date, date, doc.date if doc else None, _origin(doc, "date", "--date", date))
        loaded = None
        if checklist_id is not None:
            loaded = problems.attempt(checklist_from, find_checklist, settings().checklists_dir, checklist_id,
                                      visit_date)
            if loaded is None and visit_date is not None and doc is not None and problems.about_version():
                # no version in force on that date: the newest still judges the answers, so all is said at once
                loaded = problems.attempt(None, lambda: find_checklist(settings().checklists_dir, checklist_id,
                                                                       visit_date, or_newest=True))
        _refuse_output_over_inputs(output)  # the checklist file is an input too
        who = None
        named = inspector or (doc.inspector if doc else None) or settings().inspector
        if (found is not None or named) and inspector_ok and not (inspector is None and doc and
                                                                 "inspector" in doc.broken):
            # a name given is checked even when the school is unknown (the school is only the fallback)
            who = problems.attempt(None, _inspector, store, inspector, doc.inspector if doc else None,
                                   found or {"code": "", "name": ""}, inspector_from or "")
        if doc is None:
            problems.raise_any()
            _check_applies(loaded, found, visit_date)
            _interactive(store, found, checklist_id, who, visit_date, fmt, output, loaded=loaded, again=again)
            return
        _from_file(store, found, loaded, visit_date, who, doc, partial, fmt, output, again, problems)


@app.command("due")
def due(
    inspector: Annotated[str | None, typer.Option("--inspector", help="Only this supervisor's schools")] = None,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (default: this month, county time)")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    every_row: AllOption = False,
) -> None:
    """The month of 挂牌督导: per supervisor, the assigned schools not yet visited that month, days since the last
    visit, open findings waiting for a re-check and those due within 7 days."""
    import re

    from nanxian_cli.render.due import due_listing
    from nanxian_cli.render.emit import emit
    from nanxian_cli.reports.due import compute

    inspector = plain_text(inspector, "--inspector", 100)
    if month is None:
        month = today().strftime("%Y-%m")
    elif not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month.strip()):
        raise InputError(tr(f"--month：{month!r} 不是月份（应为 YYYY-MM，例如 2020-11）",
                            f"--month: {month!r} is not a month (YYYY-MM, e.g. 2020-11)"))
    with open_db(create=False) as store:
        if inspector is not None:
            from nanxian_cli.services.lookups import check_supervisor

            inspector = check_supervisor(store, inspector)
        result = compute(store, month.strip(), today(), inspector)
    emit(due_listing(result, inspector), fmt, output, every_row)


@app.command("template")
def template(
    checklist: Annotated[str, typer.Argument(help="Checklist id, e.g. routine-monthly")],
    school: Annotated[str | None, typer.Option("--school", help="Only the points that apply to this school (code, "
                                                                "name, initials); its code is filled in")] = None,
    date: Annotated[str | None, typer.Option("--date", help="The visit's day, YYYY-MM-DD: the checklist version and "
                                                            "seasonal points of that day (default: today)")] = None,
    output: OutputOption = None,
) -> None:
    """A blank answers file for CHECKLIST: every (applicable) point with its text and accepted answers as
    comments. Fill it in and record it with `inspect visit --answers FILE`."""
    from nanxian_cli.cli.visit_recording import _check_applies
    from nanxian_cli.core.applicability import applies
    from nanxian_cli.files.checklist_folder import check_checklist_id, find_checklist
    from nanxian_cli.render.answers_template import answers_template
    from nanxian_cli.render.emit import write_stdout

    check_checklist_id(checklist)
    day = parse_date(date, "--date") or today()
    found = None
    if school is not None:
        from nanxian_cli.services.people import find_school

        with open_db(create=False) as store:
            found = find_school(store, school)
    loaded = find_checklist(settings().checklists_dir, checklist, day, or_newest=True)
    if found is not None:
        _check_applies(loaded, found, day)
    points = [item for item in loaded.checklist.items if found is None or applies(item, found, day)]
    who = settings().inspector or (found or {}).get("inspector")
    text = answers_template(loaded, found, points, who, day if date is not None else None)
    if output is None:
        write_stdout(text)
        return
    from nanxian_cli.files.outputs import write_output

    write_output(text, output)
    console(stderr=True).print(f"→ {output}", markup=False, highlight=False)


# -- history ---------------------------------------------------------------------------------------

@app.command("list")
def list_(
    school: Annotated[str | None, typer.Option("--school", help="Only this school (code, name, initials)")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector", help="Only this supervisor")] = None,
    checklist: Annotated[str | None, typer.Option("--checklist", "-c", help="Only this checklist id")] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    status: Annotated[Literal["draft", "submitted", "void"] | None,
                      typer.Option("--status", help="draft | submitted | void")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    every_row: AllOption = False,
) -> None:
    """List visits, newest first."""
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.emit import emit, terminal_rows
    from nanxian_cli.render.visits import visits_listing
    from nanxian_cli.reports.visits import visits_count, visits_list
    from nanxian_cli.services.people import find_school

    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if first and last and first > last:
        raise InputError(tr(f"--from {first} 晚于 --to {last}", f"--from {first} is after --to {last}"))
    with open_db(create=False) as store:
        code = find_school(store, school)["code"] if school else None
        if inspector is not None or checklist is not None:
            from nanxian_cli.services.lookups import check_recorded_checklist, check_supervisor

            inspector = check_supervisor(store, inspector, with_visits=True) if inspector is not None else None
            checklist = check_recorded_checklist(store, checklist, offered=_checklist_ids()) \
                if checklist is not None else None
        filters = {"school": code, "inspector": inspector, "checklist": checklist, "date_from": first,
                   "date_to": last, "status": status}
        shown = terminal_rows("listing", fmt, output, every_row)  # a terminal reads the newest 50, counts the rest
        counted = visits_count(store, **filters) if shown is not None else None
        visits = visits_list(store, lang=get_lang(), limit=shown, **filters)
    emit(visits_listing(visits, counted), fmt, output, every_row)


def _checklist_ids() -> list[str]:
    """The ids of the checklist folder (a broken folder offers none: the filter then knows the recorded ids)."""
    from nanxian_cli.errors import NanxianError
    from nanxian_cli.files.checklist_folder import load_all

    try:
        return sorted({lc.checklist.id for lc in load_all(settings().checklists_dir)})
    except NanxianError:
        return []


def _find(store: Any, ref: str) -> str:
    from nanxian_cli.services.recording import find_visit

    return find_visit(store, ref)["id"]


@app.command("show")
def show(visit_ref: VisitArg, fmt: VisitFormatOption = None, output: OutputOption = None) -> None:
    """One visit: every answer with outcome, note and revision history; its findings."""
    from nanxian_cli.cli.visit_recording import _detail, _emit_visit

    with open_db(create=False) as store:
        detail = _detail(store, _find(store, visit_ref))
    _emit_visit(detail, fmt, output, with_answers=True)


def _author(store: Any, by: str | None, fallback: str | None = None) -> str | None:
    """--by > NANXIAN_INSPECTOR / config `inspector` > `fallback` (the visit's supervisor); registered."""
    from nanxian_cli.services.people import author_for

    return author_for(store, [(by, "--by"), (settings().inspector, settings().inspector_source or "inspector"),
                              (fallback, tr("督导记录的督学", "the visit's inspector"))])


@app.command("amend")
def amend(
    visit_ref: VisitArg,
    item: Annotated[str, typer.Argument(help="Point id")],
    value: Annotated[str, typer.Argument(help="The corrected answer: y | n | na | a number | a choice key | text")],
    reason: Annotated[str, typer.Option("--reason", help="Why the answer is corrected (kept in the history)")],
    note: Annotated[str | None,
                    typer.Option("--note", help="A new note for the point (default: keep the old one)")] = None,
    by: ByOption = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Correct one answer: a new revision; outcome, score and findings follow it."""
    from rich.text import Text

    from nanxian_cli.render import json_text
    from nanxian_cli.services.corrections import amend_answer
    from nanxian_cli.services.recording import find_visit

    note = plain_text(note, "--note")
    reason = plain_text(reason, "--reason")
    value = plain_text(value, "VALUE")
    by = plain_text(by, "--by", 100)
    with open_db(create=False) as store:
        row = find_visit(store, visit_ref)
        result = amend_answer(store, row["id"], item, value, reason, _author(store, by, row["inspector"]), note=note)
    if fmt == "json":
        typer.echo(json_text(result), nl=False)
        return
    from nanxian_cli.render.labels import percent as _pct
    from nanxian_cli.render.labels import word

    out = console()
    for change in result["revisions"]:
        was, now = word(change["from"]) if change["from"] else "—", word(change["to"])
        out.print(Text(tr(f"{change['item']}：{was} → {now}（第 {change['revision']} 版）",
                          f"{change['item']}: {was} → {now} (revision {change['revision']})")))
    c = result["counts"]
    out.print(Text(tr(f"合格 {c['pass']} · 不合格 {c['fail']} · 不适用 {c['na']} · 合格率 "
                      f"{_pct(result['compliance_rate'])} · 得分 {_pct(result['score'])}",
                      f"pass {c['pass']} · fail {c['fail']} · n/a {c['na']} · compliance "
                      f"{_pct(result['compliance_rate'])} · score {_pct(result['score'])}")))
    for item_id in result["needs_answer"]:
        out.print(Text(tr(f"{item_id} 现在适用，需要回答："
                          f"nanxian inspect amend {row['id'][:8]} {item_id} 值 --reason …",
                          f"{item_id} now applies and needs an answer: "
                          f"nanxian inspect amend {row['id'][:8]} {item_id} VALUE --reason …"),
                       style="yellow"))


@app.command("void")
def void(
    visit_ref: VisitArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the visit is void (kept)")],
    by: ByOption = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Mark a visit void: excluded from reports, never deleted; its findings are withdrawn."""
    from rich.text import Text

    from nanxian_cli.render import json_text
    from nanxian_cli.services.corrections import void_visit
    from nanxian_cli.services.recording import find_visit

    reason = plain_text(reason, "--reason")
    by = plain_text(by, "--by", 100)
    with open_db(create=False) as store:
        row = find_visit(store, visit_ref)
        result = void_visit(store, row["id"], reason, _author(store, by, row["inspector"]))
    if fmt == "json":
        typer.echo(json_text(result), nl=False)
        return
    console().print(Text(tr(
        f"督导记录 {row['id'][:8]} 已作废；撤销整改项 {len(result['withdrawn'])} 个，"
        f"重新打开 {len(result['reopened'])} 个",
        f"Visit {row['id'][:8]} is void; {len(result['withdrawn'])} finding(s) withdrawn, "
        f"{len(result['reopened'])} reopened",
    )))


@app.command("discard")
def discard(
    visit_ref: VisitArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the draft is given up (kept)")],
    by: ByOption = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Give up a draft: one with answers is kept as void with the reason; an empty one is removed."""
    from rich.text import Text

    from nanxian_cli.render import json_text
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import discard_draft, find_visit

    reason = plain_text(reason, "--reason")
    by = plain_text(by, "--by", 100)
    if not (reason or "").strip():
        raise InputError(tr("--reason：请说明放弃草稿的原因", "--reason: say why the draft is given up"))
    with open_db(create=False) as store:
        row = find_visit(store, visit_ref)
        vid = row["id"]
        if row["status"] == "submitted":
            raise InputError(tr(f"督导记录 {vid[:8]} 已提交，不能放弃；已提交的记录只能作废（保留记录）："
                                f"nanxian inspect void {vid[:8]} --reason …",
                                f"visit {vid[:8]} is submitted, not a draft; a submitted visit is voided, "
                                "never discarded: "
                                f"nanxian inspect void {vid[:8]} --reason …"))
        if row["status"] != "draft":
            raise InputError(tr(f"督导记录 {vid[:8]} 已作废", f"visit {vid[:8]} is already void"))
        what = f"{find_school(store, row['school_code'])['name']}, {row['checklist_id']}, {row['date']}"
        from nanxian_cli.ui.flow import holding_draft

        with holding_draft(store, vid, what):
            result = discard_draft(store, vid, reason, _author(store, by, row["inspector"]))
    if fmt == "json":
        typer.echo(json_text(result), nl=False)
        return
    if result["status"] == "removed":
        text = tr(f"草稿 {vid[:8]} 没有任何回答，已删除", f"Draft {vid[:8]} had no answers and was removed")
    else:
        text = tr(f"草稿 {vid[:8]} 已放弃：{result['answers']} 项回答保留为作废记录（不计入任何报告）",
                  f"Draft {vid[:8]} given up: its {result['answers']} answer(s) are kept as a void visit "
                  f"(never counted in reports)")
    console().print(Text(text))
