"""Reading an answers file (DESIGN.md format) into the answers of a visit, with the line of every answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.core.visit import GivenAnswer
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError, ValidationFailed


@dataclass
class AnswersDocument:
    school: str | None
    checklist: str | None
    date: dt.date | None
    inspector: str | None
    given: dict[str, GivenAnswer]
    path: Path
    lines: dict[str, int] = field(default_factory=dict)
    """The line of each header key present in the file (school, checklist, date, inspector)."""
    evidence: dict[str, list[tuple[Path, str]]] = field(default_factory=dict)
    """Point id -> the evidence files named on its answer: (path, relative to the answers file's folder;
    `answers.yaml:7`, where it was named)."""
    problems: list[Words] = field(default_factory=list)
    """What is wrong in the file itself (`answers.yaml:4: date: …`); the rest of the file was still read, so the
    command can list these with every other problem at once."""
    broken: set[str] = field(default_factory=set)
    """Header keys whose value could not be read (their problem is in `problems`)."""

    def where(self, key: str) -> str:
        """`answers.yaml:3: date`: where a header value was written, for messages about it."""
        return f"{self.path}:{self.lines.get(key, 1)}: {key}"


def read_answers_file(path: Path) -> AnswersDocument:
    """Parse an answers file (DESIGN.md format) with line numbers for every answer. A value that cannot be read
    (a date written `2020/11/05`, an answer of the wrong shape) is noted in `problems` and left out, and the rest of
    the file is read: every problem of the file is reported together."""
    from pydantic import ValidationError

    from nanxian_cli.core.answers_file_models import AnswerEntry, AnswersFile
    from nanxian_cli.core.model_base import CONTROL_CHARS
    from nanxian_cli.files.yaml import read_yaml, validation_words

    doc = read_yaml(path, keep_bad_dates=True)
    if not isinstance(doc.data, dict):
        raise ValidationFailed(Words(f"{path}：不是答案文件", f"{path}: not an answers file"),
                               [Words(f"{path}:1: 应为包含 school、checklist、date、answers 的映射",
                                      f"{path}:1: expected a mapping with school, checklist, date, answers")])
    data = dict(doc.data)
    problems: list[Words] = []
    broken: set[str] = set()
    try:
        parsed = AnswersFile.model_validate(data)
    except ValidationError as exc:
        # a date YAML could not read is said as the reader says it, not as the model does
        problems = [Words(p.zh, str(p)) for p in doc.bad_values.values()]
        problems += validation_words(doc, exc, members=False, skip=set(doc.bad_values))
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            if loc and loc[0] == "answers" and len(loc) > 1 and isinstance(data.get("answers"), dict):
                data["answers"] = {k: v for k, v in data["answers"].items() if k != loc[1]}
                continue
            if loc == ("answers",) and isinstance(data.get("answers"), dict):
                # a check of the answers as a whole (a control character in a plain answer): leave those out
                data["answers"] = {k: v for k, v in data["answers"].items()
                                   if not (isinstance(v, str) and CONTROL_CHARS.search(v))}
                continue
            if loc:
                data.pop(loc[0], None)
            broken.add(str(loc[0]) if loc else "")
        try:
            parsed = AnswersFile.model_validate(data)
        except ValidationError:
            raise ValidationFailed(Words(f"{path}：答案文件有误", f"{path}: invalid answers file"), problems) from None

    def as_typed(loc: tuple, value: Any) -> Any:
        # YAML reads `060` as octal 48 and `1:30` as 90; then judge the text the supervisor typed instead
        written = doc.numbers_as_written.get(loc)
        if written is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        try:
            if float(written) == value:  # an ordinary decimal: keep the number
                return value
        except ValueError:
            pass
        return written

    given: dict[str, GivenAnswer] = {}
    evidence: dict[str, list[tuple[Path, str]]] = {}
    for key, entry in parsed.answers.items():
        where = f"{path}:{doc.line_of(('answers', key))}"
        if isinstance(entry, AnswerEntry):
            given[str(key)] = GivenAnswer(as_typed(("answers", key, "value"), entry.value), entry.note, where,
                                          entry.fixed_on_site)
            if entry.evidence:
                at = f"{path}:{doc.line_of(('answers', key, 'evidence'))}"
                evidence[str(key)] = [(Path(path).parent / Path(p).expanduser(), at) for p in entry.evidence]
        else:
            given[str(key)] = GivenAnswer(as_typed(("answers", key), entry), None, where)
    return AnswersDocument(
        school=str(as_typed(("school",), parsed.school)) if parsed.school is not None else None,
        checklist=parsed.checklist, date=parsed.date, inspector=parsed.inspector, given=given, path=path,
        lines={key: doc.line_of((key,)) for key in ("school", "checklist", "date", "inspector") if key in doc.data},
        evidence=evidence,
        problems=problems, broken=broken,
    )


def require(value: Any, what: Any) -> Any:
    """`value`, or InputError when it is missing; `what` names it (a `Words`, or text)."""
    if value in (None, ""):
        if isinstance(what, tuple):
            raise InputError(Words(f"缺少{what[0]}", f"{what[1]} is required"))
        raise InputError(Words(f"缺少 {what}", f"{what} is required"))
    return value
