"""Answers -> outcomes, counts and deadlines. Pure functions: no I/O, no database.

A value is normalised before it is judged: yes/no to a bool, numbers to float, a choice to its key.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.i18n import tr

NA_WORDS = {"na", "n/a", "不适用", "无此项"}
YES_WORDS = {"y", "yes", "true", "1", "是", "有", "t"}
NO_WORDS = {"n", "no", "false", "0", "否", "无", "f"}


class AnswerError(ValueError):
    """An answer that does not fit its point (wrong type, out of range, unknown choice)."""


@dataclass(frozen=True)
class Outcome:
    value: Any
    outcome: str  # pass | fail | na | info


def is_na(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in NA_WORDS


def judge(item: Any, raw: Any) -> Outcome:
    """Normalise `raw` for `item` and decide pass/fail/na/info; raise AnswerError if it does not fit."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise AnswerError(tr("没有回答", "no answer given"))
    if is_na(raw):
        if not item.allow_na:
            raise AnswerError(tr("此要点适用于本校，不能填 na", "this point does not accept 'na' (it applies to this school)"))
        return Outcome(None, "na")
    kind = item.type
    if kind == "yesno":
        if isinstance(raw, bool):
            value = raw
        elif isinstance(raw, str) and raw.strip().lower() in YES_WORDS:
            value = True
        elif isinstance(raw, str) and raw.strip().lower() in NO_WORDS:
            value = False
        else:
            raise AnswerError(tr(f"应回答 是/否（y/n），收到 {_show(raw)}", f"expected yes or no, got {_show(raw)}"))
        return Outcome(value, "pass" if value == item.expect_value else "fail")
    if kind in ("number", "rating"):
        if isinstance(raw, bool):
            raise AnswerError(tr(f"应填数字，收到 {_show(raw)}", f"expected a number, got {_show(raw)}"))
        if isinstance(raw, (int, float)):
            value = float(raw)
        elif isinstance(raw, str):
            try:
                value = float(raw.strip().replace(",", ""))
            except ValueError:
                raise AnswerError(tr(f"应填数字，收到 {_show(raw)}", f"expected a number, got {_show(raw)}")) from None
        else:
            raise AnswerError(tr(f"应填数字，收到 {_show(raw)}", f"expected a number, got {_show(raw)}"))
        if not math.isfinite(value):
            raise AnswerError(tr(f"应填有限的数字，收到 {_show(raw)}", f"expected a finite number, got {_show(raw)}"))
        if kind == "rating":
            if value != int(value) or not 1 <= value <= 5:
                raise AnswerError(tr(f"应填 1–5 的评分，收到 {_show(raw)}", f"expected a rating 1..5, got {_show(raw)}"))
            return Outcome(int(value), "pass" if value >= item.min else "fail")
        if value < -1e12 or value > 1e12:
            raise AnswerError(tr(f"数字超出范围：{_show(raw)}", f"number out of range: {_show(raw)}"))
        ok = (item.min is None or value >= item.min) and (item.max is None or value <= item.max)
        return Outcome(int(value) if value == int(value) else value, "pass" if ok else "fail")
    if kind == "choice":
        key = raw if isinstance(raw, str) else None
        if key is not None:
            key = key.strip()
        choices = item.choices or {}
        if key not in choices:
            # accept the choice's label as well as its key
            for k, label in choices.items():
                if key in (label.zh, label.en):
                    key = k
                    break
            else:
                raise AnswerError(tr(f"应为以下选项之一：{', '.join(choices)}，收到 {_show(raw)}", f"expected one of {', '.join(choices)}, got {_show(raw)}"))
        if not item.pass_:
            return Outcome(key, "info")  # a fact question (e.g. a gate for `when`), not scored
        return Outcome(key, "pass" if key in item.pass_ else "fail")
    # text
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise AnswerError(tr(f"应填文字，收到 {_show(raw)}", f"expected text, got {_show(raw)}"))
    text = str(raw).strip()
    if len(text) > 4000:
        raise AnswerError(tr("文字超过 4000 字", "text longer than 4000 characters"))
    return Outcome(text, "info")


def bounds_text(item: Any) -> str:
    """A number point's rule as people read it: `≥ 25, ≤ 30`."""
    parts = []
    if item.min is not None:
        parts.append(f"≥ {item.min:g}")
    if item.max is not None:
        parts.append(f"≤ {item.max:g}")
    return ", ".join(parts)


def _show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def applies(item_or_checklist: Any, school: dict) -> bool:
    """Whether a point (or a whole checklist) concerns this school's stages and attributes."""
    rule = item_or_checklist.applies_to
    if rule is None:
        return True
    stages = set(school["stages"])
    if rule.stages and not stages.intersection(rule.stages):
        return False
    return all(school.get(attr) for attr in rule.requires)


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


def auto_na(item: Any, school: dict, values: dict[str, Outcome]) -> bool:
    """True when the point is recorded as `na` without asking: it does not apply or its `when` is not met."""
    return not applies(item, school) or not when_met(item, values)


@dataclass
class Tally:
    n_pass: int = 0
    n_fail: int = 0
    n_na: int = 0
    n_info: int = 0
    w_pass: float = 0.0
    w_fail: float = 0.0
    n_critical_fail: int = 0
    n_items: int = 0
    # plan item -> [pass, fail, na, info, w_pass, w_fail, critical fails]
    by_plan: dict[int, list] = field(default_factory=dict)

    def add(self, item: Any, outcome: str) -> None:
        self.n_items += 1
        w = float(item.weight)
        idx = {"pass": 0, "fail": 1, "na": 2, "info": 3}[outcome]
        if outcome == "pass":
            self.n_pass += 1
            self.w_pass += w
        elif outcome == "fail":
            self.n_fail += 1
            self.w_fail += w
            if item.severity == "critical":
                self.n_critical_fail += 1
        elif outcome == "na":
            self.n_na += 1
        else:
            self.n_info += 1
        critical_fail = outcome == "fail" and item.severity == "critical"
        for number in item.plan:
            row = self.by_plan.setdefault(number, [0, 0, 0, 0, 0.0, 0.0, 0])
            row[idx] += 1
            if outcome == "pass":
                row[4] += w
            elif outcome == "fail":
                row[5] += w
                if critical_fail:
                    row[6] += 1

    @property
    def compliance_rate(self) -> float | None:
        return rate(self.n_pass, self.n_fail)

    @property
    def score(self) -> float | None:
        checked = self.w_pass + self.w_fail
        return None if checked == 0 else self.w_pass / checked


def rate(passed: float, failed: float) -> float | None:
    """pass / (pass + fail); None when nothing was checked."""
    total = passed + failed
    return None if total == 0 else passed / total


def tally(items_by_id: dict[str, Any], outcomes: dict[str, str]) -> Tally:
    t = Tally()
    for item_id, outcome in outcomes.items():
        item = items_by_id.get(item_id)
        if item is not None:
            t.add(item, outcome)
    return t


def due_date(visit_date: dt.date, severity: str, rectify_days: Any) -> dt.date:
    return visit_date + dt.timedelta(days=int(getattr(rectify_days, severity)))
