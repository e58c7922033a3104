"""`nanxian inspect visit|list|show|amend|void`: recording school visits and correcting them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from nanxian_cli.cli.common import console, plain_text
from nanxian_cli.cli.options import (
    ByOption,
    DateOption,
    FormatOption,
    FromOption,
    OutputOption,
    ToOption,
    VisitArg,
    VisitFormatOption,
)
from nanxian_cli.cli.runtime import NanxianTyper, open_db, parse_date, settings, today
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr
from nanxian_cli.render.labels import percent as _pct

app = NanxianTyper(name="inspect", no_args_is_help=True,
                   help="Record school visits (interactive or from an answers file); list, show, amend, void, "
                        "discard a draft")


# -- recording -------------------------------------------------------------------------------------

def _inspector(store: Any, option: str | None, header: str | None, school: dict, header_source: str = "") -> str:
    """Who records the visit (services.people.supervisor_for_visit: --inspector > the answers file >
    NANXIAN_INSPECTOR / config `inspector` > the school's responsible supervisor; registered)."""
    from nanxian_cli.services.people import supervisor_for_visit

    return supervisor_for_visit(store, school, [
        (option, "--inspector"), (header, header_source or "inspector"),
        (settings().inspector, settings().inspector_source or "inspector")])


def _check_applies(loaded: Any, school: dict, day: Any = None) -> None:
    from nanxian_cli.core.visit import applies_problem

    problem = applies_problem(loaded.checklist, school, day=day)
    if problem is not None:
        raise InputError(problem)


def _visit_date(text: str | None, header: Any, where: str = "--date") -> Any:
    from nanxian_cli.core.visit import date_problem

    chosen = parse_date(text) if text is not None else header
    now = today()
    if chosen is None:
        return now
    problem = date_problem(chosen, now, where)
    if problem is not None:
        raise InputError(problem)
    return chosen


def _origin(doc: Any, key: str, option: str, given: Any) -> str:
    """Where a visit's header value came from: the option (or argument) that gave it, else its line in the
    answers file (`answers.yaml:3: date`)."""
    return option if given is not None or doc is None else doc.where(key)


def _from(origin: str | None, lookup: Any, *args: Any) -> Any:
    """Look a value up; a message about that value starts with where it came from (if known)."""
    from nanxian_cli.errors import ValidationFailed

    if origin is None:
        return lookup(*args)
    try:
        return lookup(*args)
    except ValidationFailed:
        raise  # a broken file names itself
    except InputError as exc:
        raise type(exc)(f"{origin}: {exc.message}", exc.details) from None


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
    from nanxian_cli.files.answers import read_answers_file, require
    from nanxian_cli.files.checklists import check_checklist_id, find_checklist
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
    school_ref = require(school or (doc.school if doc else None),
                         tr("学校（参数 SCHOOL 或答案文件中的 school）",
                            "SCHOOL (argument, or `school` in the answers file)"))
    checklist_id = require(checklist or (doc.checklist if doc else None),
                           tr("--checklist（或答案文件中的 checklist）",
                              "--checklist (or `checklist` in the answers file)"))
    checklist_from = _origin(doc, "checklist", "--checklist", checklist)
    _from(checklist_from, check_checklist_id, checklist_id)  # an id, never a path: before anything is opened
    inspector_from = doc.where("inspector") if doc and inspector is None and (doc.inspector or "").strip() else None
    if inspector_from:
        plain_text(doc.inspector.strip(), inspector_from, 100)
    with open_db() as store:
        found = _from(_origin(doc, "school", "SCHOOL", school), find_school, store, school_ref)
        if resume:
            _interactive(store, found, checklist_id, inspector, date, fmt, output, resume=True, again=again)
            return
        visit_date = _visit_date(date, doc.date if doc else None, _origin(doc, "date", "--date", date))
        loaded = _from(checklist_from, find_checklist, settings().checklists_dir, checklist_id, visit_date)
        _refuse_output_over_inputs(output)  # the checklist file is an input too
        who = _inspector(store, inspector, doc.inspector if doc else None, found, inspector_from or "")
        if doc is None:
            _check_applies(loaded, found, visit_date)
            _interactive(store, found, checklist_id, who, visit_date, fmt, output, loaded=loaded, again=again)
            return
        _from_file(store, found, loaded, visit_date, who, doc, partial, fmt, output, again)


def _refuse_output_over_inputs(output: Path | None) -> None:
    """Refuse an --output over the database or an input before the visit is recorded, not after."""
    if output is not None:
        from nanxian_cli.files.outputs import check_output

        check_output(output)


def _from_file(store, school, loaded, visit_date, who, doc, partial, fmt, output, again=False) -> None:
    from nanxian_cli.core.visit import prepare_visit
    from nanxian_cli.errors import ValidationFailed
    from nanxian_cli.i18n import pick
    from nanxian_cli.render.formats import choose
    from nanxian_cli.services.recording import record_visit

    choose("record", fmt, output)  # a format or --output extension it does not write: refused before recording

    evidence, problems = _answer_evidence(doc)
    try:
        prepared = prepare_visit(loaded, school, visit_date, who, doc.given, partial=partial, today=today(),
                                 where=str(doc.path))
    except ValidationFailed as exc:  # the answers' problems and the evidence files' problems, all at once
        raise ValidationFailed(exc.message, [*exc.details, *problems]) from None
    if problems:
        raise ValidationFailed(tr(f"答案文件中有 {len(problems)} 处问题；未写入任何内容",
                                  f"{len(problems)} problem(s) in the answers; nothing was written"), problems)
    prepared.source = "file"
    record_visit(store, prepared, again=again, evidence=evidence)
    for line in prepared.warnings:  # plain lines: no Rich start-up for the common, scripted case
        typer.echo(f"{tr('注意', 'Note')}: {pick(line)}", err=True)
    detail = _detail(store, prepared.id)
    _emit_visit(detail, fmt, output)
    if prepared.status == "draft":
        from nanxian_cli.ui.prompter import resume_command

        err = console(stderr=True)
        err.print(
            tr(f"{len(prepared.missing)} 项未回答：{', '.join(prepared.missing)}。已保存为草稿（未提交）。继续录入：",
               f"{len(prepared.missing)} point(s) have no answer: {', '.join(prepared.missing)}. "
               f"Saved as a draft (not submitted). To continue:"),
            style="yellow", markup=False, highlight=False, soft_wrap=True,
        )
        err.print(f"  {resume_command(school['code'], loaded.checklist.id, prepared.id)}", markup=False,
                  highlight=False, soft_wrap=True)


def _answer_evidence(doc) -> tuple[dict, list[str]]:
    """The evidence files an answers file names, each checked (point id -> files), and the problems found."""
    from nanxian_cli.cli.evidence import evidence_limit
    from nanxian_cli.services.evidence import check_files

    evidence: dict = {}
    problems: list[str] = []
    for item_id, paths in doc.evidence.items():
        for path, where in paths:
            try:
                evidence.setdefault(item_id, []).extend(check_files([(path, f"{where}: answers.{item_id}.evidence")],
                                                                    evidence_limit()))
            except InputError as exc:
                problems += [exc.message, *exc.details]
    return evidence, problems


def _interactive(store, school, checklist_id, who, visit_date, fmt, output, *, loaded=None, resume=False,
                 chosen=None, again=False) -> None:
    """The interactive visit (ui/flow.py), its outcome shown or mapped to an exit code."""
    from nanxian_cli.render.formats import choose
    from nanxian_cli.ui.flow import run_interactive

    choose("record", fmt, output)  # a format or --output extension it does not write: refused before any answer

    def show(visit_id: str) -> None:
        _emit_visit(_detail(store, visit_id), fmt, output)

    from nanxian_cli.cli.evidence import evidence_limit

    ended = run_interactive(store, school, checklist_id, who, visit_date, screen=console(stderr=fmt == "json"),
                            on_submitted=show, loaded=loaded, resume=resume, chosen=chosen, again=again,
                            evidence_limit=evidence_limit())
    if ended == "submitted":
        return
    if ended == "interrupt":
        raise typer.Exit(130)
    if ended == "invalid":
        raise InputError(tr("连续 3 次无效回答，已停止", "3 invalid answers in a row; stopped"))


# -- rendering one visit ---------------------------------------------------------------------------

def _emit_visit(detail: dict, fmt: str | None, output: Path | None, with_answers: bool = False) -> None:
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.visits import visit_record

    emit(visit_record(detail, with_answers), fmt, output)


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
) -> None:
    """List visits, newest first."""
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.visits import visits_listing
    from nanxian_cli.reports.visits import visits_list
    from nanxian_cli.services.people import find_school

    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if first and last and first > last:
        raise InputError(f"--from {first} is after --to {last}")
    with open_db(create=False) as store:
        code = find_school(store, school)["code"] if school else None
        visits = visits_list(store, lang=get_lang(), school=code, inspector=inspector, checklist=checklist,
                             date_from=first, date_to=last, status=status)
    emit(visits_listing(visits), fmt, output)


def _find(store: Any, ref: str) -> str:
    from nanxian_cli.services.recording import find_visit

    return find_visit(store, ref)["id"]


def _detail(store: Any, visit_id: str) -> dict:
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.reports.visits import visit_detail

    return visit_detail(store, visit_id, as_of=today(), lang=get_lang())


@app.command("show")
def show(visit_ref: VisitArg, fmt: VisitFormatOption = None, output: OutputOption = None) -> None:
    """One visit: every answer with outcome, note and revision history; its findings."""
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
    out = console()
    for change in result["revisions"]:
        out.print(Text(tr(f"{change['item']}：{change['from'] or '—'} → {change['to']}（第 {change['revision']} 版）",
                          f"{change['item']}: "
                          f"{change['from'] or '—'} → {change['to']} (revision {change['revision']})")))
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
