"""Pydantic models of an answers file: its header (school, checklist, date, inspector) and each point's answer
(a value, or an entry with a note, 立行立改 and evidence paths).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, StrictBool, field_validator

from nanxian_cli.core.model_base import Strict, _refuse_control
from nanxian_cli.core.words import Problem

AnswerScalar = bool | int | float | str


class AnswerEntry(Strict):
    value: AnswerScalar | None = None
    note: Annotated[str, Field(max_length=4000)] | None = None
    fixed_on_site: StrictBool = False
    """立行立改: a failing answer whose problem the school fixed during the visit (true or false only)."""
    evidence: Annotated[list[Annotated[str, Field(min_length=1, max_length=4096)]], Field(max_length=50)] = \
        Field(default_factory=list)
    """Photos or documents for the point: paths relative to the answers file (one path or a list)."""

    @field_validator("value", "note")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return _refuse_control(value, allow_breaks=True) if isinstance(value, str) else value

    @field_validator("evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("evidence")
    @classmethod
    def _printable_paths(cls, value: list[str]) -> list[str]:
        return [_refuse_control(v, allow_breaks=False) for v in value]


class AnswersFile(Strict):
    school: str | int | None = None
    checklist: str | None = None
    date: dt.date | None = None
    inspector: str | None = None
    answers: dict[str, AnswerScalar | AnswerEntry | None] = Field(default_factory=dict)

    @field_validator("answers", mode="before")
    @classmethod
    def _none_to_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("answers")
    @classmethod
    def _printable_answers(cls, value: dict) -> dict:
        for key, answer in value.items():
            if isinstance(answer, str):
                try:
                    _refuse_control(answer, allow_breaks=True)
                except Problem as exc:
                    raise Problem(f"{key}：{exc.words.zh}", f"{key}: {exc}") from None
        return value

    @field_validator("inspector", "checklist")
    @classmethod
    def _printable_header(cls, value: str | None) -> str | None:
        return _refuse_control(value, allow_breaks=False) if isinstance(value, str) else value
