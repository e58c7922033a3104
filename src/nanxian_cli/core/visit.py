"""Preparing a visit: every answer judged against the exact checklist version BEFORE anything is written.

`prepare_visit` is the single path every recorded visit takes (answers files, the demo's synthetic visits, bulk
imports); the interactive screen judges each answer with the same `judge` and checks the header with the same
`header_problems`. Pure: problems are returned or raised as data (`Words`, both languages).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.answers import AnswerError, Outcome, is_na, judge
from nanxian_cli.core.applicability import applies, auto_na, in_season
from nanxian_cli.core.scoring import Tally, tally
from nanxian_cli.core.vocab import STAGE_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.errors import ValidationFailed


@dataclass
class GivenAnswer:
    raw: Any
    note: str | None = None
    where: str = ""
    """"file:line" for messages."""
    fixed_on_site: bool = False
    """立行立改: a failing answer fixed during the visit."""


@dataclass
class PreparedVisit:
    id: str
    school: dict
    loaded: Any  # files.checklist_file.LoadedChecklist
    date: dt.date
    inspector: str
    status: str  # draft | submitted
    answers: list[tuple[str, Any, str, str | None]]  # (item_id, value, outcome, note)
    missing: list[str]
    tally: Tally
    warnings: list[Words] = field(default_factory=list)
    source: str = "file"
    fixed: set[str] = field(default_factory=set)
    """Items whose failing answer was fixed on site."""


def date_problem(date: dt.date, today: dt.date | None, where: str = "date") -> Words | None:
    """A visit dated after today (`where`: where the date came from, e.g. `--date` or `answers.yaml:3: date`)."""
    if today is not None and date > today:
        return Words(f"{where}：{date.isoformat()} 是将来的日期（今天是 {today.isoformat()}）",
                     f"{where}: {date.isoformat()} is in the future (today is {today.isoformat()})")
    return None


def applies_problem(checklist: Any, school: dict, prefix: str = "", day: dt.date | None = None) -> Words | None:
    """A checklist that does not concern the school's stages or attributes, or (with the visit's date `day`) a
    seasonal checklist (`applies_to.months`) out of season."""
    if applies(checklist, school):
        if day is None or in_season(checklist, day):
            return None
        months = ", ".join(str(m) for m in checklist.applies_to.months)
        return Words(f"{prefix}检查表 {checklist.id} 只在 {months} 月使用；本次督导日期为 {day.isoformat()}",
                     f"{prefix}checklist {checklist.id!r} is used in months {months} only; the visit is dated "
                     f"{day.isoformat()}")
    stages = " ".join(school["stages"])
    stages_zh = "、".join(STAGE_LABELS.get(s, (s, s))[0] for s in school["stages"])
    return Words(f"{prefix}检查表 {checklist.id} 不适用于 {school['name']}（{stages_zh}）",
                 f"{prefix}checklist {checklist.id!r} does not apply to {school['name']} ({stages})")


def window_problem(checklist: Any, day: dt.date, prefix: str = "") -> Words | None:
    """A visit dated outside the validity window (`valid_from`..`valid_to`) of its checklist version."""
    if checklist.valid_on(day):
        return None
    start = checklist.valid_from.isoformat() if checklist.valid_from else "…"
    end = checklist.valid_to.isoformat() if checklist.valid_to else "…"
    return Words(f"{prefix}检查表 {checklist.id} 第 {checklist.version} 版的有效期为 {start} 至 {end}，"
                 f"本次督导日期为 {day.isoformat()}",
                 f"{prefix}checklist {checklist.id!r} version {checklist.version} is valid from {start} to {end}; "
                 f"the visit is dated {day.isoformat()}")


def header_problems(checklist: Any, school: dict, date: dt.date, today: dt.date | None, where: str = "",
                    check_window: bool = True) -> list[Words]:
    """What is wrong with a visit's header: a date after today, a checklist that does not concern the school (or
    is out of season), a date outside the checklist version's validity window (unless told already:
    `check_window` False)."""
    prefix = f"{where}: " if where else ""
    found = [date_problem(date, today, f"{prefix}date"), applies_problem(checklist, school, prefix, date),
             window_problem(checklist, date, prefix) if check_window else None]
    return [p for p in found if p is not None]


def unknown_points(checklist: Any, given: dict[str, GivenAnswer], where: str = "") -> list[Words]:
    """Answers to points the checklist does not have."""
    prefix = f"{where}: " if where else ""
    known = {item.id for item in checklist.items}
    problems = []
    for item_id, unknown in given.items():
        if item_id not in known:
            at = unknown.where or prefix.rstrip(": ")
            problems.append(Words(f"{at}: answers.{item_id}：检查表 {checklist.id} 中没有这个要点",
                                  f"{at}: answers.{item_id}: unknown point id for checklist {checklist.id!r}"))
    return problems


def judged(item: Any, answer: GivenAnswer) -> tuple[Outcome | None, Words | None]:
    """One given answer judged against its point: (the outcome, None), or (None, what is wrong with it)."""
    try:
        result = judge(item, answer.raw)
    except AnswerError as exc:
        return None, Words(f"{answer.where}: answers.{item.id}: {exc.words.zh}",
                           f"{answer.where}: answers.{item.id}: {exc.words.en}")
    if answer.fixed_on_site and result.outcome != "fail":
        return None, Words(f"{answer.where}: answers.{item.id}.fixed_on_site：只有不合格的回答才能立行立改",
                           f"{answer.where}: answers.{item.id}.fixed_on_site: only a failing answer can be fixed on "
                           "site")
    return result, None


def answer_problems(checklist: Any, given: dict[str, GivenAnswer], where: str = "") -> list[Words]:
    """What is wrong with the answers themselves, school aside (for a file whose school could not be found: its
    answers are still checked, so all its problems are told at once)."""
    problems = unknown_points(checklist, given, where)
    for item in checklist.items:
        answer = given.get(item.id)
        if answer is not None and answer.raw is not None and not is_na(answer.raw):
            problem = judged(item, answer)[1]
            if problem is not None:
                problems.append(problem)
    return problems


def prepare_visit(
    loaded: Any,
    school: dict,
    date: dt.date,
    inspector: str,
    given: dict[str, GivenAnswer],
    *,
    partial: bool = False,
    today: dt.date | None = None,
    visit_id: str | None = None,
    where: str = "",
    check_window: bool = True,
) -> PreparedVisit:
    """Judge every answer; raise ValidationFailed listing every problem, or return the visit to write."""
    checklist = loaded.checklist
    problems: list[Any] = header_problems(checklist, school, date, today, where, check_window)
    problems += unknown_points(checklist, given, where)
    values: dict[str, Outcome] = {}
    answers: list[tuple[str, Any, str, str | None]] = []
    missing: list[str] = []
    warnings: list[Words] = []
    fixed: set[str] = set()
    for item in checklist.items:
        answer = given.get(item.id)
        if auto_na(item, school, values, date):
            values[item.id] = Outcome(None, "na")
            note = None
            if answer is not None and not (answer.raw is None or is_na(answer.raw)):
                warnings.append(Words(f"{answer.where}: {item.id}：不适用于本校或条件不满足，记为不适用",
                                      f"{answer.where}: {item.id}: does not apply to this school or its condition "
                                      "is not met; recorded as na"))
                note = answer.note
            answers.append((item.id, None, "na", note))
            continue
        if answer is None or answer.raw is None:
            missing.append(item.id)
            continue
        result, problem = judged(item, answer)
        if problem is not None:
            problems.append(problem)
            continue
        assert result is not None
        if answer.fixed_on_site:
            fixed.add(item.id)
        values[item.id] = result
        answers.append((item.id, result.value, result.outcome, answer.note))
    if problems:
        n = len(problems)
        raise ValidationFailed(Words(f"答案文件中有 {n} 处问题；未写入任何内容",
                                     f"{n} problem(s) in the answers; nothing was written"), problems)
    items_by_id = {item.id: item for item in checklist.items}
    t = tally(items_by_id, {a[0]: a[2] for a in answers})
    status = "draft" if missing and not partial else "submitted"
    return PreparedVisit(
        id=visit_id or str(uuid.uuid4()), school=school, loaded=loaded, date=date, inspector=inspector,
        status=status, answers=answers, missing=missing, tally=t, warnings=warnings, fixed=fixed,
    )
