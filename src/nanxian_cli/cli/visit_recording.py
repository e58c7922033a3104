"""Recording a visit for `nanxian inspect visit`: the header values looked up with where they came from, every
problem of the answers file, options and what they name collected and said at once (`_Problems`), an answers file
recorded, the interactive visit run (ui/flow.py); and one visit shown as `inspect show` and a recording show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from nanxian_cli.cli.common import console
from nanxian_cli.cli.runtime import parse_date, settings, today
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


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


class _Problems:
    """Every problem of one `inspect visit` (its answers file, options and what they name), collected so that all
    of them are said at once: one alone is raised as it is; several as one list, by line of the answers file."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.found: list[Any] = list(doc.problems) if doc is not None else []
        self._version = False

    def attempt(self, origin: str | None, lookup: Any, *args: Any) -> Any:
        """`lookup(*args)` (a message about it starts with `origin`); a refusal is noted and None returned."""
        from nanxian_cli.files.checklist_versions import NoVersionOn

        try:
            return _from(origin, lookup, *args)
        except NoVersionOn as exc:
            self._version = True
            self.found.append(exc)
        except InputError as exc:
            self.found.append(exc)
        return None

    def about_version(self) -> bool:
        """Whether the checklist has no version in force on the visit's date (noted by `attempt`)."""
        return self._version

    def add_listed(self, exc: Any) -> None:
        """The problems a ValidationFailed lists (the answers judged against the checklist), one by one."""
        self.found.extend(exc._details or [exc._message])

    def raise_any(self) -> None:
        import re

        from nanxian_cli.errors import NanxianError, ValidationFailed

        if not self.found:
            return
        if len(self.found) == 1 and isinstance(self.found[0], NanxianError):
            raise self.found[0]
        path = str(self.doc.path) if self.doc is not None else ""

        def line_of(problem: Any) -> int:
            text = problem[1] if isinstance(problem, tuple) else getattr(problem, "_message", problem)
            text = text[1] if isinstance(text, tuple) else str(text)
            hit = re.match(re.escape(path) + r":(\d+)", text) if path else None
            return int(hit.group(1)) if hit else 0

        lines: list[Any] = []
        for problem in sorted(self.found, key=line_of):
            if isinstance(problem, NanxianError):
                lines.append(problem._message)
                lines.extend(_indented(d) for d in problem._details)
            else:
                lines.append(problem)
        n = len(self.found)
        if self.doc is not None and all(not isinstance(p, NanxianError) for p in self.found):
            raise ValidationFailed(Words(f"{path}：答案文件有误", f"{path}: invalid answers file"), lines)
        where = f"{path}: " if path else ""
        raise ValidationFailed(Words(f"{where}{n} 处问题；未写入任何内容",
                                     f"{where}{n} problem(s); nothing was written"), lines)


def _indented(detail: Any) -> Any:
    """A detail line under its problem, in both languages when it has both."""
    if isinstance(detail, tuple):
        return Words(f"  {detail[0]}", f"  {detail[1]}")
    if hasattr(detail, "zh"):  # core.words.Said
        return Words(f"  {detail.zh}", f"  {detail}")
    return f"  {detail}"


def _refuse_output_over_inputs(output: Path | None) -> None:
    """Refuse an --output over the database or an input before the visit is recorded, not after."""
    if output is not None:
        from nanxian_cli.files.outputs import check_output

        check_output(output)


def _from_file(store, school, loaded, visit_date, who, doc, partial, fmt, output, again=False,
               problems: _Problems | None = None) -> None:
    from nanxian_cli.core.visit import prepare_visit
    from nanxian_cli.errors import ValidationFailed
    from nanxian_cli.i18n import pick
    from nanxian_cli.render.formats import choose
    from nanxian_cli.services.recording import record_visit

    choose("record", fmt, output)  # a format or --output extension it does not write: refused before recording

    evidence, evidence_problems = _answer_evidence(doc)
    problems = problems or _Problems(doc)
    problems.found.extend(evidence_problems)  # the evidence files' problems are listed with all the others
    prepared = None
    if school is not None and loaded is not None:
        # a date already refused (or unreadable) is not judged again; the answers are judged as of today
        try:
            prepared = prepare_visit(loaded, school, visit_date or today(), who or "", doc.given, partial=partial,
                                     today=today() if visit_date is not None else None, where=str(doc.path),
                                     check_window=not problems.about_version())
        except ValidationFailed as exc:
            if not problems.found:
                raise
            problems.add_listed(exc)
    elif loaded is not None:  # the school is unknown: the answers are still checked against the checklist
        from nanxian_cli.core.visit import answer_problems

        problems.found.extend(answer_problems(loaded.checklist, doc.given))
    problems.raise_any()
    assert prepared is not None
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
    if not doc.evidence:
        return {}, []
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


def _detail(store: Any, visit_id: str) -> dict:
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.reports.visits import visit_detail

    return visit_detail(store, visit_id, as_of=today(), lang=get_lang())
