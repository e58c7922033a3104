"""`nanxian inspect visit|list|show|amend|void`: recording school visits and correcting them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from nanxian_cli.cli.common import console, plain_text
from nanxian_cli.cli.options import (ByOption, DateOption, FormatOption, FromOption, OutputOption, ToOption, VisitArg,
                                     VisitFormatOption)
from nanxian_cli.cli.runtime import NanxianTyper, open_db, parse_date, settings, today
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import answer_text, tr

app = NanxianTyper(name="inspect", no_args_is_help=True, help="Record school visits (interactive or from an answers file); list, show, amend, void, discard a draft")


# -- recording -------------------------------------------------------------------------------------

def _inspector(store: Any, option: str | None, header: str | None, school: dict, header_source: str = "") -> str:
    """--inspector > the answers file > NANXIAN_INSPECTOR / config `inspector` > the school's responsible
    supervisor; whichever is used must be a registered supervisor (exit 2 with the closest names)."""
    from nanxian_cli.store.schools import registered_inspector, responsible_inspector

    for candidate, source in ((option, "--inspector"), (header, header_source or "inspector"),
                              (settings().inspector, settings().inspector_source or "inspector")):
        if candidate and candidate.strip():
            name = candidate.strip()
            break
    else:
        name = responsible_inspector(store, school["code"])
        source = tr(f"{school['name']} 的责任督学", f"responsible supervisor of {school['name']}")
    if not name:
        raise InputError(tr(
            f"不知道督学是谁：请用 --inspector 姓名，或在配置文件中设置 inspector，或为 {school['name']} 指定责任督学",
            f"who is inspecting? give --inspector NAME, set `inspector` in the config file, or assign a supervisor "
            f"to {school['name']} (`nanxian inspector assign`)",
        ))
    name = plain_text(name, source, 100)
    return registered_inspector(store, name, source)


def _check_applies(loaded: Any, school: dict) -> None:
    from nanxian_cli.core.applicability import applies

    if not applies(loaded.checklist, school):
        raise InputError(tr(f"检查表 {loaded.checklist.id} 不适用于 {school['name']}（{' '.join(school['stages'])}）",
                            f"checklist {loaded.checklist.id!r} does not apply to {school['name']} "
                            f"({' '.join(school['stages'])})"))


def _visit_date(text: str | None, header: Any, where: str = "--date") -> Any:
    chosen = parse_date(text) if text is not None else header
    now = today()
    if chosen is None:
        return now
    if chosen > now:
        raise InputError(tr(f"{where}：{chosen.isoformat()} 是将来的日期（今天是 {now.isoformat()}）",
                            f"{where}: {chosen.isoformat()} is in the future (today is {now.isoformat()})"))
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
    school: Annotated[str | None, typer.Argument(help="School: code, name, part of the name or pinyin initials")] = None,
    checklist: Annotated[str | None, typer.Option("--checklist", "-c", help="Checklist id, e.g. routine-monthly")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector", help="Supervisor's name (default: config, then the school's 责任督学)")] = None,
    date: DateOption = None,
    answers: Annotated[Path | None, typer.Option("--answers", help="Answers file (YAML); without it the visit is interactive")] = None,
    partial: Annotated[bool, typer.Option("--partial", help="Submit even if some points have no answer")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the latest draft (with answers) for this school and checklist")] = False,
    draft: Annotated[str | None, typer.Option("--draft", help="Continue this draft: its id or first 8+ characters (implies --resume)")] = None,
    again: Annotated[bool, typer.Option("--again", help="Record it even if this supervisor already submitted a visit "
                                                       "with this checklist to this school on that date")] = False,
    fmt: VisitFormatOption = None,
    output: OutputOption = None,
) -> None:
    """Record a visit: interactively (one point at a time) or from --answers FILE."""
    from nanxian_cli.files.checklists import check_checklist_id, find_checklist
    from nanxian_cli.store.schools import find_school
    from nanxian_cli.files.answers import read_answers_file, require

    if answers is not None and (resume or draft is not None):
        raise InputError(tr("--resume 只用于交互录入，不能与 --answers 同用", "--resume continues an interactive draft; it cannot be used with --answers"))
    if draft is not None:
        with open_db() as store:
            row, found = _chosen_draft(store, draft, school, checklist)
            _interactive(store, found, row["checklist_id"], inspector, date, fmt, output, resume=True, chosen=row,
                         again=again)
        return
    doc = read_answers_file(answers) if answers is not None else None
    _refuse_output_over_inputs(output)
    school_ref = require(school or (doc.school if doc else None), tr("学校（参数 SCHOOL 或答案文件中的 school）", "SCHOOL (argument, or `school` in the answers file)"))
    checklist_id = require(checklist or (doc.checklist if doc else None), tr("--checklist（或答案文件中的 checklist）", "--checklist (or `checklist` in the answers file)"))
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
        loaded = _from(checklist_from, find_checklist, settings().checklists_dir, checklist_id)
        _refuse_output_over_inputs(output)  # the checklist file is an input too
        who = _inspector(store, inspector, doc.inspector if doc else None, found, inspector_from or "")
        if doc is None:
            _check_applies(loaded, found)
            _interactive(store, found, checklist_id, who, visit_date, fmt, output, loaded=loaded, again=again)
            return
        _from_file(store, found, loaded, visit_date, who, doc, partial, fmt, output, again)


def _refuse_output_over_inputs(output: Path | None) -> None:
    """Refuse an --output over the database or an input before the visit is recorded, not after."""
    if output is not None:
        from nanxian_cli.files.outputs import check_output

        check_output(output)


def _from_file(store, school, loaded, visit_date, who, doc, partial, fmt, output, again=False) -> None:
    from nanxian_cli.store.visits import record_visit, visit_detail
    from nanxian_cli.core.visit import prepare_visit

    prepared = prepare_visit(loaded, school, visit_date, who, doc.given, partial=partial, today=today(), where=str(doc.path))
    prepared.source = "file"
    record_visit(store, prepared, again=again)
    for line in prepared.warnings:  # plain lines: no Rich start-up for the common, scripted case
        typer.echo(f"{tr('注意', 'Note')}: {line}", err=True)
    detail = visit_detail(store, prepared.id, as_of=today())
    _emit_visit(detail, fmt, output)
    if prepared.status == "draft":
        from nanxian_cli.ui.entry import resume_command

        err = console(stderr=True)
        err.print(
            tr(f"{len(prepared.missing)} 项未回答：{', '.join(prepared.missing)}。已保存为草稿（未提交）。继续录入：",
               f"{len(prepared.missing)} point(s) have no answer: {', '.join(prepared.missing)}. "
               f"Saved as a draft (not submitted). To continue:"),
            style="yellow", markup=False, highlight=False, soft_wrap=True,
        )
        err.print(f"  {resume_command(school['code'], loaded.checklist.id, prepared.id)}", markup=False, highlight=False,
                  soft_wrap=True)


def _chosen_draft(store: Any, ref: str, school_ref: str | None, checklist_id: str | None) -> tuple[Any, dict]:
    """`--draft ID`: the draft and its school; SCHOOL and --checklist, when given, must be the draft's."""
    from nanxian_cli.store.schools import find_school
    from nanxian_cli.store.visits import find_visit

    row = find_visit(store, ref)
    if row["status"] != "draft":
        hint = tr("；更正答案请用 nanxian inspect amend", "; correct an answer with `nanxian inspect amend`") \
            if row["status"] == "submitted" else ""
        raise InputError(tr(f"--draft：督导记录 {row['id'][:8]} 是{_word(row['status'])}状态，不是草稿{hint}",
                            f"--draft: visit {row['id'][:8]} is {row['status']}, not a draft{hint}"))
    found = find_school(store, row["school_code"])
    if school_ref is not None and find_school(store, school_ref)["code"] != row["school_code"]:
        raise InputError(tr(f"--draft：草稿 {row['id'][:8]} 属于 {found['name']}（{found['code']}），不是 {school_ref}",
                            f"--draft: draft {row['id'][:8]} is for {found['name']} ({found['code']}), not {school_ref}"))
    if checklist_id is not None and checklist_id != row["checklist_id"]:
        raise InputError(tr(f"--draft：草稿 {row['id'][:8]} 用的是检查表 {row['checklist_id']}，不是 {checklist_id}",
                            f"--draft: draft {row['id'][:8]} uses checklist {row['checklist_id']}, not {checklist_id}"))
    return row, found


def _latest_draft(store: Any, school: dict, checklist_id: str, screen: Any) -> Any:
    """Plain `--resume`: the newest draft that holds answers (empty ones hold nothing to continue)."""
    from nanxian_cli.store.visits import resumable_drafts

    drafts = resumable_drafts(store, school["code"], checklist_id)
    if not drafts:
        raise InputError(tr(f"{school['name']} 没有 {checklist_id} 的草稿可继续",
                            f"no draft of {checklist_id} for {school['name']} to resume"))
    if len(drafts) > 1:
        others = ", ".join(f"{d['id'][:8]} ({d['date']})" for d in drafts[1:])
        screen.print(tr(f"注意：继续最新的草稿 {drafts[0]['id'][:8]}（{drafts[0]['date']}）；另有草稿 {others}，"
                        "可用 --draft 编号 选择",
                        f"Note: continuing the newest draft {drafts[0]['id'][:8]} ({drafts[0]['date']}); other drafts: "
                        f"{others} (choose one with --draft ID)"),
                     style="yellow", markup=False, highlight=False, soft_wrap=True)
    return drafts[0]


@contextmanager
def _holding_draft(store: Any, visit_id: str, what: str) -> Iterator[None]:
    """One session per draft (DESIGN, invariant 10): an OS lock beside the database, held for the whole
    session and dropped by the kernel however the process ends. A second session is refused at once."""
    from nanxian_cli.errors import StoreError
    from nanxian_cli.store.locks import LockBusy, draft_lock

    with ExitStack() as held:
        try:
            held.enter_context(draft_lock(store.path, visit_id))
        except LockBusy:
            raise InputError(tr(f"草稿 {visit_id[:8]}（{what}）正在另一个会话中编辑；请在那边完成或按 q 退出后再试",
                                f"draft {visit_id[:8]} ({what}) is being edited in another session; finish it "
                                f"there or quit it with q, then try again")) from None
        except OSError as exc:
            raise StoreError(tr(f"{store.path}：无法创建草稿锁文件：{exc.strerror or exc}",
                                f"{store.path}: cannot create the draft's lock file: {exc.strerror or exc}")) from None
        yield


def _interactive(store, school, checklist_id, who, visit_date, fmt, output, *, loaded=None, resume=False,
                 chosen=None, again=False) -> None:
    import uuid

    from nanxian_cli.errors import DuplicateVisit
    from nanxian_cli.ui.entry import resume_command, run_visit
    from nanxian_cli.store.visits import (find_resumable_draft, load_snapshot, refuse_duplicate, remove_empty_draft,
                                          start_draft, visit_detail)

    screen = console(stderr=fmt == "json")
    if resume:
        draft = chosen if chosen is not None else _latest_draft(store, school, checklist_id, screen)
        visit_id = draft["id"]
        what = f"{school['name']}, {draft['checklist_id']}, {draft['date']}"
    else:
        visit_id = str(uuid.uuid4())
        what = f"{school['name']}, {checklist_id}, {visit_date}"
    with _holding_draft(store, visit_id, what):
        if resume:
            import datetime as dt

            draft = store.one("SELECT * FROM visits WHERE id = ?", (visit_id,))  # again, now that it is ours
            if draft is None or draft["status"] != "draft":
                raise InputError(tr(f"草稿 {visit_id[:8]} 刚在另一个会话中提交或放弃了",
                                    f"draft {visit_id[:8]} was just submitted or given up in another session"))
            loaded = load_snapshot(store.conn, draft["checklist_hash"])
            kept_date, kept_who = dt.date.fromisoformat(draft["date"]), draft["inspector"]
            if (who and who.strip() != kept_who) or (visit_date and parse_date(visit_date) != kept_date):
                screen.print(tr(f"注意：继续草稿时沿用草稿的日期 {kept_date} 和督学 {kept_who}",
                                f"Note: a resumed draft keeps its date {kept_date} and inspector {kept_who}"),
                             style="yellow", markup=False, highlight=False)
            visit_date, who = kept_date, kept_who
            if not again:  # before the first question: the same refusal as at submit
                refuse_duplicate(store.conn, school["code"], draft["checklist_id"], kept_date.isoformat(), kept_who,
                                 exclude=visit_id)
        else:
            if not again:  # before the first question (and before any draft is made): see record_visit
                refuse_duplicate(store.conn, school["code"], loaded.checklist.id, visit_date.isoformat(), who)
            earlier = find_resumable_draft(store, school["code"], checklist_id)
            if earlier is not None:
                screen.print(tr(f"注意：已有 {earlier['date']} 的草稿 {earlier['id'][:8]}；要继续它请用 --resume。现在开始新的检查。",
                                f"Note: there is a draft from {earlier['date']} ({earlier['id'][:8]}); use --resume to continue it. "
                                f"Starting a new visit."), style="yellow", markup=False, highlight=False)
            start_draft(store, school, loaded, visit_date, who, visit_id=visit_id)
        try:
            ended = run_visit(store, school=school, loaded=loaded, date=visit_date, inspector=who, visit_id=visit_id,
                              console=screen, again=again)
        except DuplicateVisit:
            # another session submitted the same visit while this one was being answered: keep this draft
            screen.print(tr("草稿已保存（未提交）。确需提交为第二次督导：", "Draft saved (not submitted). To submit it as a second visit:"),
                         style="bold yellow", markup=False, highlight=False)
            screen.print(f"  {resume_command(school['code'], loaded.checklist.id, visit_id)} --again", markup=False,
                         highlight=False, soft_wrap=True)
            raise
        # A draft with no answer holds no fact: it is not kept (removed while it is still ours).
        removed = ended != "submitted" and remove_empty_draft(store, visit_id)
    if ended == "submitted":
        _emit_visit(visit_detail(store, visit_id, as_of=today()), fmt, output)
        return
    if ended == "interrupt":
        screen.print()
    if removed:
        screen.print(tr("未回答任何要点，未保留草稿。", "Nothing was answered, so no draft was kept."),
                     style="bold yellow", markup=False, highlight=False)
    else:
        saved = tr("草稿已保存（未提交）。继续录入：", "Draft saved (not submitted). To continue:")
        screen.print(saved, style="bold yellow", markup=False, highlight=False)
        screen.print(f"  {resume_command(school['code'], loaded.checklist.id, visit_id)}", markup=False, highlight=False,
                     soft_wrap=True)
    if ended == "interrupt":
        raise typer.Exit(130)
    if ended == "invalid":
        raise InputError(tr("连续 3 次无效回答，已停止", "3 invalid answers in a row; stopped"))


# -- rendering one visit ---------------------------------------------------------------------------

WORDS = {
    "critical": ("严重", "critical"), "major": ("一般", "major"), "minor": ("轻微", "minor"),
    "submitted": ("已提交", "submitted"), "draft": ("草稿", "draft"), "void": ("已作废", "void"),
    "open": ("待整改", "open"), "resolved": ("已整改", "resolved"), "withdrawn": ("已撤销", "withdrawn"),
    "pass": ("合格", "pass"), "fail": ("不合格", "fail"), "na": ("不适用", "na"), "info": ("记录", "info"),
}


def _word(key: str) -> str:
    """A closed-vocabulary value in the current language (JSON keeps the English key)."""
    pair = WORDS.get(key)
    return tr(*pair) if pair else key


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _value_text(value: Any) -> str:
    return answer_text(value, "—")


def _visit_json(detail: dict, with_answers: bool) -> dict:
    data = dict(detail)
    if not with_answers:
        data.pop("answers", None)
    return data


def _visit_renderables(detail: dict, with_answers: bool) -> list:
    from rich.table import Table
    from rich.text import Text

    out: list = []
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    status_style = {"submitted": "green", "draft": "yellow", "void": "red"}.get(detail["status"], "")
    rows = [
        (tr("督导记录", "Visit"), Text(detail["id"])),
        (tr("学校", "School"), Text(f"{detail['school_name']} ({detail['school']})")),
        (tr("检查表", "Checklist"), Text(f"{detail['checklist_title']} [{detail['checklist']} v{detail['checklist_version']}]")),
        (tr("日期", "Date"), Text(detail["date"])),
        (tr("督学", "Inspector"), Text(detail["inspector"])),
        (tr("状态", "Status"), Text(_word(detail["status"]), style=status_style)),
    ]
    c = detail["counts"]
    rows.append((tr("结果", "Counts"), Text(tr(f"合格 {c['pass']} · 不合格 {c['fail']} · 不适用 {c['na']} · 记录 {c['info']}",
                                               f"pass {c['pass']} · fail {c['fail']} · n/a {c['na']} · info {c['info']}"))))
    rows.append((tr("合格率", "Compliance"), Text(_pct(detail["compliance_rate"]))))
    rows.append((tr("得分", "Score"), Text(_pct(detail["score"]))))
    if detail["status"] == "void":
        rows.append((tr("作废原因", "Void reason"), Text(detail["void_reason"] or "")))
    if detail.get("missing"):
        rows.append((tr("未回答", "Not answered"), Text(", ".join(detail["missing"]), style="yellow")))
    for label, value in rows:
        head.add_row(Text(label), value)
    out.append(head)
    if with_answers:
        table = Table(title=Text(tr("全部回答", "Answers")), title_justify="left")
        for col in (tr("要点", "point"), tr("内容", "text"), tr("回答", "answer"), tr("结果", "outcome"),
                    tr("备注", "note"), tr("修订", "rev")):
            table.add_column(col, overflow="fold")
        for a in detail["answers"]:
            style = ("bold red" if a["severity"] == "critical" else "red") if a["outcome"] == "fail" else ""
            table.add_row(Text(a["item"], style=style), Text(a["text"]), Text(_value_text(a["value"])),
                          Text(_word(a["outcome"]), style=style), Text(a["note"] or ""), Text(str(len(a["revisions"]))))
        out.append(table)
        amended = [a for a in detail["answers"] if len(a["revisions"]) > 1]
        if amended:
            hist = Table(title=Text(tr("修订记录", "Revision history")), title_justify="left")
            for col in (tr("要点", "point"), "#", tr("回答", "answer"), tr("结果", "outcome"), tr("备注", "note"),
                        tr("原因", "reason"), tr("修改人", "by"), tr("时间", "at")):
                hist.add_column(col, overflow="fold")
            for a in amended:
                for r in a["revisions"]:
                    hist.add_row(Text(a["item"]), Text(str(r["revision"])), Text(_value_text(r["value"])),
                                 Text(_word(r["outcome"])), Text(r["note"] or ""), Text(r["reason"] or ""),
                                 Text(r["author"] or ""), Text(r["recorded_at"]))
            out.append(hist)
    else:
        failed = [a for a in detail["answers"] if a["outcome"] == "fail"]
        if failed:
            table = Table(title=Text(tr("不合格要点", "Failed points")), title_justify="left")
            for col in (tr("要点", "point"), tr("内容", "text"), tr("程度", "severity"), tr("回答", "answer"), tr("备注", "note")):
                table.add_column(col, overflow="fold")
            for a in failed:
                style = "bold red" if a["severity"] == "critical" else ""
                table.add_row(Text(a["item"], style=style), Text(a["text"], style=style), Text(_word(a["severity"]), style=style),
                              Text(_value_text(a["value"])), Text(a["note"] or ""))
            out.append(table)
    if detail["findings"]:
        out.append(_findings_table(detail["findings"], tr("整改项", "Findings"), relation=True))
    return out


def _findings_table(findings: list[dict], title: str | None, relation: bool = False):
    from rich.table import Table
    from rich.text import Text

    from rich import box

    table = Table(title=Text(title) if title else None, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", no_wrap=True)
    if not relation:
        table.add_column(tr("学校", "school"), overflow="fold", ratio=1, min_width=8)
    # the point's text takes what the fixed columns leave; its id goes under it, dimmed
    table.add_column(tr("要点", "point"), overflow="fold", ratio=3, min_width=16)
    table.add_column(tr("程度", "severity"), no_wrap=True)
    table.add_column(tr("期限", "due"), no_wrap=True, min_width=10)  # the opening date is in JSON/CSV and `inspect show`
    table.add_column(tr("状态", "status"), overflow="fold", min_width=12)
    if relation:
        table.add_column(tr("本次", "this visit"), overflow="fold")
    for f in findings:
        style = "bold red" if f["severity"] == "critical" and f["status"] == "open" else ""
        status = _word(f["status"])
        if f["overdue"]:
            status = tr(f"逾期 {f['days_overdue']} 天", f"overdue {f['days_overdue']} d")
        if f["recheck_count"]:
            status += tr(f"\n复查未过 {f['recheck_count']} 次", f"\nre-check ✗ {f['recheck_count']}×")
        row = [Text(str(f["id"]), style=style)]
        if not relation:
            row.append(Text(f["school_name"]))
        point = Text(f["item_text"] or f["item"], style=style)
        if f["item_text"]:
            point.append(f"\n{f['item']}", style="dim")
        row += [point, Text(_word(f["severity"]), style=style),
                Text(f["due"], style="red" if f["overdue"] else ""),
                Text(status, style="red" if f["overdue"] else "")]
        if relation:
            row.append(Text({"opened": tr("发现", "opened"), "resolved": tr("已整改", "resolved"),
                             "rechecked": tr("复查", "re-checked")}[f["relation"]]))
        table.add_row(*row)
    return table


def _emit_visit(detail: dict, fmt: str | None, output: Path | None, with_answers: bool = False) -> None:
    from nanxian_cli.render import infer_format, json_text
    from nanxian_cli.files.outputs import write_output

    chosen = infer_format(fmt, output)
    if chosen not in ("table", "json"):
        raise InputError(f"--format: {chosen!r} is not available here; choose table or json")
    if chosen == "json":
        content = json_text(_visit_json(detail, with_answers))
        if output is None:
            typer.echo(content, nl=False)
            return
    else:
        import io

        from nanxian_cli.render.table import make_console

        if output is None:
            out = console()
            for part in _visit_renderables(detail, with_answers):
                out.print(part)
            return
        buf = io.StringIO()
        target = make_console(file=buf, width=160)
        for part in _visit_renderables(detail, with_answers):
            target.print(part)
        content = buf.getvalue()
    write_output(content, output)
    console(stderr=True).print(f"→ {output}", markup=False, highlight=False)


# -- history ---------------------------------------------------------------------------------------

@app.command("list")
def list_(
    school: Annotated[str | None, typer.Option("--school", help="Only this school (code, name, initials)")] = None,
    inspector: Annotated[str | None, typer.Option("--inspector", help="Only this supervisor")] = None,
    checklist: Annotated[str | None, typer.Option("--checklist", "-c", help="Only this checklist id")] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    status: Annotated[Literal["draft", "submitted", "void"] | None, typer.Option("--status", help="draft | submitted | void")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List visits, newest first."""
    from nanxian_cli.cli.common import emit
    from nanxian_cli.store.schools import find_school
    from nanxian_cli.store.visits import list_visits

    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if first and last and first > last:
        raise InputError(f"--from {first} is after --to {last}")
    with open_db(create=False) as store:
        code = find_school(store, school)["code"] if school else None
        visits = list_visits(store, school=code, inspector=inspector, checklist=checklist, date_from=first,
                             date_to=last, status=status)
    columns = ["id", "date", "school", "school_name", "checklist", "inspector", "status", "pass", "fail", "na", "info",
               "compliance_rate", "score", "critical_fails"]
    rows = [[v["id"], v["date"], v["school"], v["school_name"], v["checklist"], v["inspector"], v["status"],
             v["counts"]["pass"], v["counts"]["fail"], v["counts"]["na"], v["counts"]["info"], v["compliance_rate"],
             v["score"], v["critical_fails"]] for v in visits]
    emit(fmt, output, json_data=visits, columns=columns, rows=rows, table=_visits_table(visits))


def _visits_table(visits: list[dict]):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(tr(f"督导记录（{len(visits)}）", f"Visits ({len(visits)})")), title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column(tr("日期", "date"), no_wrap=True)
    table.add_column(tr("学校", "school"), overflow="fold")
    table.add_column(tr("检查表", "checklist"), overflow="fold")
    table.add_column(tr("督学", "inspector"), overflow="fold")
    table.add_column(tr("状态", "status"), overflow="fold")
    table.add_column(tr("合格/不合格/不适用", "pass/fail/na"), justify="right")
    table.add_column(tr("合格率", "rate"), justify="right", no_wrap=True)
    table.add_column(tr("得分", "score"), justify="right", no_wrap=True)
    for v in visits:
        c = v["counts"]
        fail = Text(f"{c['pass']}/")
        fail.append(str(c["fail"]), style="bold red" if v["critical_fails"] else "")
        fail.append(f"/{c['na']}")
        status_style = {"draft": "bold yellow", "void": "red"}.get(v["status"], "")
        table.add_row(Text(v["id"][:8]), Text(v["date"]), Text(v["school_name"]), Text(v["checklist"]),
                      Text(v["inspector"]), Text(_status_text(v), style=status_style), fail,
                      Text(_pct(v["compliance_rate"])), Text(_pct(v["score"])))
    drafts = sum(1 for v in visits if v["status"] == "draft")
    if drafts:
        table.caption = Text(tr(
            f"{drafts} 份草稿未提交，不计入报告。继续：nanxian inspect visit 学校 --checklist 检查表 --resume --draft 编号；"
            "放弃：nanxian inspect discard 编号 --reason …",
            f"{drafts} draft(s) not submitted, not counted in reports. Continue one: nanxian inspect visit SCHOOL "
            f"--checklist ID --resume --draft VISIT; give one up: nanxian inspect discard VISIT --reason …"),
            style="yellow")
        table.caption_justify = "left"
    return table


def _status_text(v: dict) -> str:
    """A visit's status for people: a draft says how far it got; a draft given up is not a voided visit."""
    if v["status"] == "draft":
        return tr(f"草稿（已记录 {v['points']} 项）", f"draft ({v['points']} points recorded)")
    if v["status"] == "void" and v["submitted_at"] is None:
        return tr("已放弃的草稿", "discarded draft")
    return _word(v["status"])


def _find(store: Any, ref: str) -> str:
    from nanxian_cli.store.visits import find_visit

    return find_visit(store, ref)["id"]


@app.command("show")
def show(visit_ref: VisitArg, fmt: VisitFormatOption = None, output: OutputOption = None) -> None:
    """One visit: every answer with outcome, note and revision history; its findings."""
    from nanxian_cli.store.visits import visit_detail

    with open_db(create=False) as store:
        detail = visit_detail(store, _find(store, visit_ref), as_of=today())
    _emit_visit(detail, fmt, output, with_answers=True)


def _author(store: Any, by: str | None, fallback: str | None = None) -> str | None:
    """--by > NANXIAN_INSPECTOR / config `inspector` > `fallback` (the visit's supervisor); the name used must be
    a registered supervisor (exit 2 with the closest names)."""
    from nanxian_cli.store.schools import registered_inspector

    for candidate, source in ((by, "--by"), (settings().inspector, settings().inspector_source or "inspector"),
                              (fallback, tr("督导记录的督学", "the visit's inspector"))):
        name = (candidate or "").strip()
        if name:
            break
    else:
        return None
    if len(name) > 100:
        raise InputError("--by: a name is at most 100 characters")
    return registered_inspector(store, name, source)


@app.command("amend")
def amend(
    visit_ref: VisitArg,
    item: Annotated[str, typer.Argument(help="Point id")],
    value: Annotated[str, typer.Argument(help="The corrected answer: y | n | na | a number | a choice key | text")],
    reason: Annotated[str, typer.Option("--reason", help="Why the answer is corrected (kept in the history)")],
    note: Annotated[str | None, typer.Option("--note", help="A new note for the point (default: keep the old one)")] = None,
    by: ByOption = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Correct one answer: a new revision; outcome, score and findings follow it."""
    from rich.text import Text

    from nanxian_cli.render import json_text
    from nanxian_cli.store.visits import amend_answer

    note = plain_text(note, "--note")
    reason = plain_text(reason, "--reason")
    value = plain_text(value, "VALUE")
    by = plain_text(by, "--by", 100)
    with open_db(create=False) as store:
        from nanxian_cli.store.visits import find_visit

        row = find_visit(store, visit_ref)
        result = amend_answer(store, row["id"], item, value, reason, _author(store, by, row["inspector"]), note=note)
    if fmt == "json":
        typer.echo(json_text(result), nl=False)
        return
    out = console()
    for change in result["revisions"]:
        out.print(Text(tr(f"{change['item']}：{change['from'] or '—'} → {change['to']}（第 {change['revision']} 版）",
                          f"{change['item']}: {change['from'] or '—'} → {change['to']} (revision {change['revision']})")))
    c = result["counts"]
    out.print(Text(tr(f"合格 {c['pass']} · 不合格 {c['fail']} · 不适用 {c['na']} · 合格率 {_pct(result['compliance_rate'])} · 得分 {_pct(result['score'])}",
                      f"pass {c['pass']} · fail {c['fail']} · n/a {c['na']} · compliance {_pct(result['compliance_rate'])} · score {_pct(result['score'])}")))
    for item_id in result["needs_answer"]:
        out.print(Text(tr(f"{item_id} 现在适用，需要回答：nanxian inspect amend {row['id'][:8]} {item_id} 值 --reason …",
                          f"{item_id} now applies and needs an answer: nanxian inspect amend {row['id'][:8]} {item_id} VALUE --reason …"),
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
    from nanxian_cli.store.visits import find_visit, void_visit

    reason = plain_text(reason, "--reason")
    by = plain_text(by, "--by", 100)
    with open_db(create=False) as store:
        row = find_visit(store, visit_ref)
        result = void_visit(store, row["id"], reason, _author(store, by, row["inspector"]))
    if fmt == "json":
        typer.echo(json_text(result), nl=False)
        return
    console().print(Text(tr(
        f"督导记录 {row['id'][:8]} 已作废；撤销整改项 {len(result['withdrawn'])} 个，重新打开 {len(result['reopened'])} 个",
        f"Visit {row['id'][:8]} is void; {len(result['withdrawn'])} finding(s) withdrawn, {len(result['reopened'])} reopened",
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
    from nanxian_cli.store.schools import find_school
    from nanxian_cli.store.visits import discard_draft, find_visit

    reason = plain_text(reason, "--reason")
    by = plain_text(by, "--by", 100)
    if not (reason or "").strip():
        raise InputError(tr("--reason：请说明放弃草稿的原因", "--reason: say why the draft is given up"))
    with open_db(create=False) as store:
        row = find_visit(store, visit_ref)
        vid = row["id"]
        if row["status"] == "submitted":
            raise InputError(tr(f"督导记录 {vid[:8]} 已提交，不能放弃；已提交的记录只能作废（保留记录）：nanxian inspect void {vid[:8]} --reason …",
                                f"visit {vid[:8]} is submitted, not a draft; a submitted visit is voided, never discarded: "
                                f"nanxian inspect void {vid[:8]} --reason …"))
        if row["status"] != "draft":
            raise InputError(tr(f"督导记录 {vid[:8]} 已作废", f"visit {vid[:8]} is already void"))
        what = f"{find_school(store, row['school_code'])['name']}, {row['checklist_id']}, {row['date']}"
        with _holding_draft(store, vid, what):
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
