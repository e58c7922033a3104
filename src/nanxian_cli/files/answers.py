"""Reading an answers file (DESIGN.md format) into the answers of a visit, with the line of every answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.core.visit import GivenAnswer
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

    def where(self, key: str) -> str:
        """`answers.yaml:3: date`: where a header value was written, for messages about it."""
        return f"{self.path}:{self.lines.get(key, 1)}: {key}"


def read_answers_file(path: Path) -> AnswersDocument:
    """Parse an answers file (DESIGN.md format) with line numbers for every answer."""
    from pydantic import ValidationError

    from nanxian_cli.core.models import AnswerEntry, AnswersFile
    from nanxian_cli.files.yaml import read_yaml, validation_lines

    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise ValidationFailed(f"{path}: not an answers file",
                               [f"{path}:1: expected a mapping with school, checklist, date, answers"])
    try:
        parsed = AnswersFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ValidationFailed(f"{path}: invalid answers file", validation_lines(doc, exc)) from None
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
    )


def require(value: Any, what: str) -> Any:
    if value in (None, ""):
        raise InputError(f"{what} is required")
    return value
