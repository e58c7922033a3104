"""The pydantic model of a roster row (a school: code, name, town, stages, attributes, ownership, 普惠), and the
yes/no words a roster may write.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from nanxian_cli.core.model_base import Stage, Strict, _refuse_control
from nanxian_cli.core.words import Problem

_TRUE = {"true", "yes", "y", "1", "是", "有", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "f", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Problem(f"应为 是/否（true/false），收到 {value!r}", f"expected true or false, got {value!r}")


class SchoolRow(Strict):
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    town: Annotated[str, Field(max_length=100)] = ""
    stages: Annotated[list[Stage], Field(min_length=1)]
    boarding: bool = False
    canteen: bool = False
    school_bus: bool = False
    ownership: Literal["public", "private"] = "public"
    group: Annotated[str, Field(max_length=200)] = ""
    inclusive: bool = False
    """普惠 (a kindergarten of the public-benefit kind: public, or private with 普惠 status)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("inclusive")
    @classmethod
    def _inclusive_kindergarten(cls, value: bool, info: ValidationInfo) -> bool:
        stages = info.data.get("stages")
        if value and stages is not None and "kindergarten" not in stages:
            raise Problem("普惠只适用于幼儿园，该校没有幼儿园学段",
                          "普惠 (inclusive) is a kindergarten's status, and this school has no kindergarten stage")
        return value

    @field_validator("code", "name", "town", "group", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("name", "town", "group")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _refuse_control(value, allow_breaks=False)

    @field_validator("stages", mode="before")
    @classmethod
    def _split_stages(cls, value: Any) -> Any:
        from nanxian_cli.core.vocab import STAGE_WORDS

        if isinstance(value, str):
            value = [p for p in re.split(r"[\s,，、;]+", value.strip()) if p]
        if isinstance(value, list):
            out: list[Any] = []
            for part in value:
                if isinstance(part, str):
                    part = part.strip()
                    if part == "九年一贯制":  # a nine-year school is primary + junior
                        out.extend(["primary", "junior"])
                        continue
                    part = STAGE_WORDS.get(part, part.lower())
                out.append(part)
            return out
        return value

    @field_validator("boarding", "canteen", "school_bus", "inclusive", mode="before")
    @classmethod
    def _bool(cls, value: Any) -> bool:
        if value is None:
            return False
        return parse_bool(value)

    @field_validator("ownership", mode="before")
    @classmethod
    def _ownership(cls, value: Any) -> Any:
        if value is None or value == "":
            return "public"
        if isinstance(value, str):
            return {"公办": "public", "民办": "private"}.get(value.strip(), value.strip().lower())
        return value
