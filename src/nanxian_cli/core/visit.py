"""Preparing a visit: answers checked against the exact checklist version BEFORE anything is written.

`prepare_visit` is the single path every recorded visit takes (answers files, the demo's
synthetic visits, bulk imports); the interactive screen judges each answer with the same `judge`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.i18n import pick
from nanxian_cli.core.answers import AnswerError, Outcome, judge
from nanxian_cli.core.scoring import Tally, tally
from nanxian_cli.core.applicability import applies, auto_na


@dataclass
class GivenAnswer:
    raw: Any
    note: str | None = None
    where: str = ""  # "file:line" for messages


@dataclass
class PreparedVisit:
    id: str
    school: dict
    loaded: Any  # LoadedChecklist
    date: dt.date
    inspector: str
    status: str  # draft | submitted
    answers: list[tuple[str, Any, str, str | None]]  # (item_id, value, outcome, note)
    missing: list[str]
    tally: Tally
    warnings: list[str] = field(default_factory=list)
    source: str = "file"


def value_json(value: Any) -> str | None:
    # Fast paths give exactly json.dumps' text: most answers are yes/no or whole numbers, and the
    # bulk path encodes millions of them.
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


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
) -> PreparedVisit:
    """Judge every answer; raise ValidationFailed listing every problem, or return the visit to write."""
    checklist = loaded.checklist
    problems: list[str] = []
    prefix = f"{where}: " if where else ""
    if today is not None and date > today:
        problems.append(f"{prefix}date: {date.isoformat()} is in the future (today is {today.isoformat()})")
    if not applies(checklist, school):
        problems.append(f"{prefix}checklist {checklist.id!r} does not apply to {school['name']} ({' '.join(school['stages'])})")
    known = {item.id for item in checklist.items}
    for item_id, unknown in given.items():
        if item_id not in known:
            problems.append(f"{unknown.where or prefix.rstrip(': ')}: answers.{item_id}: unknown point id for checklist {checklist.id!r}")
    values: dict[str, Outcome] = {}
    answers: list[tuple[str, Any, str, str | None]] = []
    missing: list[str] = []
    warnings: list[str] = []
    for item in checklist.items:
        answer = given.get(item.id)
        if auto_na(item, school, values):
            values[item.id] = Outcome(None, "na")
            note = None
            if answer is not None and not _is_na_raw(answer.raw):
                warnings.append(f"{answer.where}: {item.id}: does not apply to this school or its condition is not met; recorded as na")
                note = answer.note
            answers.append((item.id, None, "na", note))
            continue
        if answer is None or answer.raw is None:
            missing.append(item.id)
            continue
        try:
            result = judge(item, answer.raw)
        except AnswerError as exc:
            problems.append(f"{answer.where}: answers.{item.id}: {pick(exc.words)}")
            continue
        values[item.id] = result
        answers.append((item.id, result.value, result.outcome, answer.note))
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the answers; nothing was written", problems)
    items_by_id = {item.id: item for item in checklist.items}
    t = tally(items_by_id, {a[0]: a[2] for a in answers})
    status = "draft" if missing and not partial else "submitted"
    return PreparedVisit(
        id=visit_id or str(uuid.uuid4()), school=school, loaded=loaded, date=date, inspector=inspector,
        status=status, answers=answers, missing=missing, tally=t, warnings=warnings,
    )


def _is_na_raw(raw: Any) -> bool:
    from nanxian_cli.core.answers import is_na

    return raw is None or is_na(raw)
