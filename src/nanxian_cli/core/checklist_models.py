"""Pydantic models of a checklist file (its items, whom they apply to, when they are asked, their sources and
rectification days) and of the plan (the work plan's 21 items in their sections).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from nanxian_cli.core.model_base import (
    ITEM_ID,
    Attribute,
    ItemType,
    LocalText,
    Severity,
    Stage,
    Strict,
    _finite,
    _refuse_control,
)
from nanxian_cli.core.validity import covers
from nanxian_cli.core.vocab import DEFAULT_RECTIFY_DAYS
from nanxian_cli.core.words import Problem


class AppliesTo(Strict):
    stages: list[Stage] = Field(default_factory=list)
    """Empty means every stage."""
    requires: list[Attribute] = Field(default_factory=list)
    """School attributes that must all be true (canteen, boarding, school_bus)."""
    months: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=1)] | None = None
    """Format 2: a seasonal point (or checklist) applies in these months of the visit's date only."""
    inclusive: bool | None = None
    """Format 2: only 普惠 kindergartens (true) or only the others (false)."""
    ownership: Literal["public", "private"] | None = None
    """Format 2: only 公办 (public) or only 民办 (private) schools."""

    @field_validator("months")
    @classmethod
    def _unique_months(cls, months: list[int] | None) -> list[int] | None:
        if months is not None and len(set(months)) != len(months):
            raise Problem("月份重复", "months repeat")
        return months


class Source(Strict):
    """Format 2: a document a checklist or a point rests on (e.g. 《中小学校责任督学挂牌督导办法》,
    国教督办〔2013〕2号, 2013)."""

    title: Annotated[str, Field(min_length=1, max_length=300)]
    number: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """The document's number (文号), if it has one."""
    year: Annotated[int, Field(ge=1949, le=2100)]

    @field_validator("title", "number", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("title", "number")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return _refuse_control(value, allow_breaks=False) if isinstance(value, str) else value


class When(Strict):
    """Skip logic: the point is asked only when an earlier point's answer equals `equals`."""

    item: Annotated[str, Field(pattern=ITEM_ID)]
    equals: bool | int | float | str

    _finite_equals = field_validator("equals")(_finite)


class RectifyDays(Strict):
    critical: Annotated[int, Field(ge=1, le=365)] = DEFAULT_RECTIFY_DAYS["critical"]
    major: Annotated[int, Field(ge=1, le=365)] = DEFAULT_RECTIFY_DAYS["major"]
    minor: Annotated[int, Field(ge=1, le=365)] = DEFAULT_RECTIFY_DAYS["minor"]


class Item(Strict):
    id: Annotated[str, Field(pattern=ITEM_ID)]
    text: LocalText
    guidance: LocalText | None = None
    plan: Annotated[list[Annotated[int, Field(ge=1, le=21)]], Field(min_length=1)]
    """Work-plan item numbers (1..21) this point checks."""
    type: ItemType
    expect: bool | None = None
    """yesno: the passing answer (default yes)."""
    min: float | None = None
    max: float | None = None
    choices: dict[str, LocalText] | None = None
    pass_: list[str] | None = Field(default=None, alias="pass")
    """choice: the passing option keys; without it the answer is recorded as a fact (`info`), not scored."""
    severity: Severity = "major"
    weight: Annotated[float, Field(gt=0, le=100)] = 1
    applies_to: AppliesTo | None = None
    when: When | None = None
    allow_na: bool = False
    evidence: LocalText | None = None
    standard: LocalText | None = None
    """Format 2: the rule in words, printed beside a failed point (e.g. {zh: 每周不少于4节, en: at least 4 a week})."""
    source: Annotated[list[Source], Field(min_length=1)] | None = None
    """Format 2: the documents the point rests on."""
    ref: Annotated[str, Field(pattern=ITEM_ID)] | None = None
    """Format 2: the library point this item is (its `id` is then the library id; files/checklist_library.py
    resolves `{ref: x}` into the library point's fields before validation). Findings are kept under it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _finite_numbers = field_validator("min", "max", "weight")(_finite)

    @field_validator("plan")
    @classmethod
    def _unique_plan(cls, plan: list[int]) -> list[int]:
        if len(set(plan)) != len(plan):
            raise Problem("工作要点编号重复", "plan item numbers repeat")
        return plan

    @model_validator(mode="after")
    def _rule_fits_type(self) -> Item:
        from nanxian_cli.core.answers import RULE_KEYS, TYPES

        kind = TYPES[self.type]
        given = {"expect": self.expect, "min": self.min, "max": self.max, "choices": self.choices, "pass": self.pass_}
        wrong = [k for k in RULE_KEYS if given[k] is not None and k not in kind.rule_keys]
        if wrong:
            raise Problem(f"`{', '.join(wrong)}` 不适用于类型 {self.type}",
                          f"`{', '.join(wrong)}` does not fit type {self.type}")
        problem = kind.rule_problem(self)
        if problem:
            raise Problem(*problem)
        return self

    @property
    def expect_value(self) -> bool:
        return True if self.expect is None else self.expect


class Checklist(Strict):
    id: Annotated[str, Field(pattern=ITEM_ID)]
    version: int | str
    title: LocalText
    kind: Literal["routine", "special", "assessment"]
    applies_to: AppliesTo | None = None
    rectify_days: RectifyDays = Field(default_factory=RectifyDays)
    description: LocalText | None = None
    valid_from: dt.date | None = None
    """Format 2: the first day a visit may be recorded against this version (none: no start)."""
    valid_to: dt.date | None = None
    """Format 2: the last day a visit may be recorded against this version (none: no end)."""
    source: Annotated[list[Source], Field(min_length=1)] | None = None
    """Format 2: the documents the checklist rests on."""
    items: Annotated[list[Item], Field(min_length=1)]

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _a_day(cls, value: Any) -> Any:
        """A date (`2021-01-01`, quoted or not); not a number (pydantic would read `2021` as seconds since 1970)
        nor a time of day."""
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return value.strip()
        raise Problem(f"应为日期 YYYY-MM-DD，收到 {value!r}", f"expected a date YYYY-MM-DD, got {value!r}")

    def valid_on(self, day: dt.date) -> bool:
        """Whether a visit dated `day` may use this version (its `valid_from`..`valid_to`, both inclusive)."""
        return covers(self.valid_from, self.valid_to, day)

    @model_validator(mode="after")
    def _cross_checks(self) -> Checklist:
        seen: dict[str, int] = {}
        problems: list[str] = []
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            problems.append(f"valid_to: {self.valid_to.isoformat()} is before valid_from "
                            f"{self.valid_from.isoformat()}")
        for index, item in enumerate(self.items):
            if item.id in seen:
                problems.append(f"items[{index}].id: duplicate item id {item.id!r} (first at items[{seen[item.id]}])")
            else:
                seen[item.id] = index
            if item.when is not None:
                ref = seen.get(item.when.item)
                if ref is None or ref == index:
                    later = any(other.id == item.when.item for other in self.items[index:])
                    why = "a later or the same item" if later else "an unknown item"
                    problems.append(f"items[{index}].when.item: {item.when.item!r} is {why}; "
                                    "`when` must name an earlier item")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PlanItem(Strict):
    number: Annotated[int, Field(ge=1, le=21)]
    title: LocalText
    text: str | None = None
    targets: list[LocalText] = Field(default_factory=list)


class PlanSection(Strict):
    number: Annotated[int, Field(ge=1, le=5)]
    title: LocalText
    items: Annotated[list[PlanItem], Field(min_length=1)]


class Plan(Strict):
    id: str
    title: LocalText
    document: str | None = None
    issued: dt.date | None = None
    sections: list[PlanSection]

    @model_validator(mode="after")
    def _all_21(self) -> Plan:
        numbers = [item.number for section in self.sections for item in section.items]
        if sorted(numbers) != list(range(1, 22)):
            missing = sorted(set(range(1, 22)) - set(numbers))
            dupes = sorted({n for n in numbers if numbers.count(n) > 1})
            raise ValueError(f"the plan must list items 1..21 exactly once (missing {missing}, repeated {dupes})")
        return self
