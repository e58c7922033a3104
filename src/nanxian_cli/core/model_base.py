"""The shared base of the pydantic models for the files the bureau writes: the strict model, text in Chinese
and English, the rules every text and number in those files keeps (no control characters, finite numbers), and
the vocabulary they are written in (stages, attributes, item types, severities, item ids).

Only write paths import the models (building the first pydantic model costs start-up time); reports work on plain
rows and dataclasses.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from nanxian_cli.core.words import Problem

Stage = Literal["kindergarten", "primary", "junior", "senior", "vocational", "special", "training"]
Attribute = Literal["boarding", "canteen", "school_bus"]
ItemType = Literal["yesno", "number", "choice", "rating", "text"]
Severity = Literal["critical", "major", "minor"]
ITEM_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Terminal control characters (ESC sequences could rewrite a supervisor's screen); tab and newline are allowed."""
LINE_BREAKS = re.compile(r"[\t\n]")


def _refuse_control(value: str, allow_breaks: bool) -> str:
    found = CONTROL_CHARS.search(value) or (None if allow_breaks else LINE_BREAKS.search(value))
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise Problem(f"含有控制字符 {code}；请删除", f"contains the control character {code}; remove it")
    return value


def _finite(value: Any, info: ValidationInfo) -> Any:
    """Numbers written in a checklist are finite: `max: .nan` would fail every answer, `min: -.inf` pass any.

    A checklist version stored with a visit before this rule is read back as it was (`stored` context):
    old visits keep their meaning.
    """
    if isinstance(value, float) and not math.isfinite(value) and not (info.context or {}).get("stored"):
        raise Problem(f"应为有限的数字，不能是 {value}", f"must be a finite number, not {value}")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(Strict):
    """Text in Chinese and English; a plain string in the file stands for both."""

    zh: Annotated[str, Field(min_length=1, max_length=2000)]
    en: Annotated[str, Field(min_length=1, max_length=2000)]

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"zh": value, "en": value}
        return value

    @field_validator("zh", "en")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _refuse_control(value, allow_breaks=True)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
