"""Whether a point is asked at a school: `applies_to` (stages, attributes, 普惠, ownership, months) and skip logic
(`when`).

A point that does not apply, or whose `when` is not met, is recorded as `na` without asking. Pure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.core.answers import YES_WORDS, Outcome

INSTITUTION = "training"
"""The roster stage of an off-campus tutoring institution (校外培训机构): not a school."""


def applies(item_or_checklist: Any, school: dict, day: dt.date | None = None) -> bool:
    """Whether a point (or a whole checklist) concerns this school's stages and attributes and, when the visit's
    date `day` is given, its month (`applies_to.months`: a seasonal point is `na` outside its months).

    A checklist without `stages` is for every kind of school, not for a tutoring institution: an institution gets
    only the checklists that name the stage `training`."""
    rule = item_or_checklist.applies_to
    if (hasattr(item_or_checklist, "items") and set(school["stages"]) == {INSTITUTION}
            and (rule is None or INSTITUTION not in rule.stages)):
        return False
    if rule is None:
        return True
    stages = set(school["stages"])
    if rule.stages and not stages.intersection(rule.stages):
        return False
    if rule.inclusive is not None and bool(school.get("inclusive")) != rule.inclusive:
        return False
    if rule.ownership is not None and school.get("ownership", "public") != rule.ownership:
        return False
    if not in_season(item_or_checklist, day):
        return False
    return all(school.get(attr) for attr in rule.requires)


def in_season(item_or_checklist: Any, day: dt.date | None) -> bool:
    """Whether `day` falls in the months of `applies_to.months` (always, without months or without a day)."""
    rule = item_or_checklist.applies_to
    months = getattr(rule, "months", None) if rule is not None else None
    return day is None or not months or day.month in months


def when_met(item: Any, values: dict[str, Outcome]) -> bool:
    """Skip logic: the referenced earlier point's answer equals `when.equals`."""
    if item.when is None:
        return True
    given = values.get(item.when.item)
    if given is None or given.outcome == "na":
        return False
    expected = item.when.equals
    actual = given.value
    if isinstance(actual, bool) or isinstance(expected, bool):
        if isinstance(expected, str):
            expected = expected.strip().lower() in YES_WORDS
        return bool(actual) == bool(expected) if isinstance(actual, bool) else False
    if isinstance(actual, (int, float)):
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    return str(actual) == str(expected)


def auto_na(item: Any, school: dict, values: dict[str, Outcome], day: dt.date | None = None) -> bool:
    """True when the point is recorded as `na` without asking: it does not apply (on the visit's date `day`) or
    its `when` is not met."""
    return not applies(item, school, day) or not when_met(item, values)


def dependents(checklist: Any, changed: str) -> list[Any]:
    """The points whose `when` depends, directly or through others, on point `changed`, in checklist order."""
    depends = {changed}
    found = []
    for other in checklist.items:
        if other.when is not None and other.when.item in depends:
            depends.add(other.id)
            found.append(other)
    return found


def follow_change(checklist: Any, school: dict, values: dict[str, Outcome], changed: str,
                  day: dt.date | None = None) -> tuple[list[str], list[str]]:
    """After point `changed` got a new answer (already in `values`): the dependent points that must now be `na`
    (their condition no longer holds) and those that now need an answer (condition met, none given).

    `values` is updated with the `na` outcomes, so later dependents see them."""
    to_na: list[str] = []
    needs_answer: list[str] = []
    for other in dependents(checklist, changed):
        if not applies(other, school, day):
            continue
        current = values.get(other.id)
        if not when_met(other, values):
            if current is None or current.outcome != "na":
                to_na.append(other.id)
                values[other.id] = Outcome(None, "na")
        elif current is None or (current.outcome == "na" and not other.allow_na):
            needs_answer.append(other.id)
    return to_na, needs_answer
