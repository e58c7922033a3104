"""The answer types of a checklist point, in one registry: how an answer is read, judged, described and asked.

Each type says which rule keys a checklist point of that type may carry (`rule_keys`), how a typed or filed
answer becomes a value (`parse`: yes/no to a bool, numbers to int/float, a choice label to its key), what the
value's outcome is (`judge`: pass | fail | info), the passing rule in words (`rule`), the answers a prompt
accepts (`hint`) and how a recorded value reads (`show`). Adding a type means one class here and its rule keys
in the checklist model; nothing else dispatches on the type.

Pure: no I/O and no language choice (texts are `Words`, both languages).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nanxian_cli.core.words import Words, same

NA_WORDS = frozenset({"na", "n/a", "不适用", "无此项"})
YES_WORDS = frozenset({"y", "yes", "true", "1", "是", "有", "t"})
NO_WORDS = frozenset({"n", "no", "false", "0", "否", "无", "f"})
NUMBER_LIMIT = 1e12
CHOICE_KEY = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
RESERVED_ANSWERS = frozenset({"na", "y", "n", "yes", "no", "q", "b", "s", "p"})
"""What a supervisor types at a prompt for something else (na, yes/no, the keys q b s p): never a choice key."""
TEXT_LIMIT = 4000


class AnswerError(ValueError):
    """An answer that does not fit its point (wrong type, out of range, unknown choice)."""

    def __init__(self, words: Words) -> None:
        super().__init__(words.en)
        self.words = words


@dataclass(frozen=True)
class Outcome:
    value: Any
    outcome: str  # pass | fail | na | info


def _show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def _num(value: float) -> str:
    return f"{value:g}"


def is_na(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in NA_WORDS


class AnswerType:
    name = ""
    rule_keys: frozenset[str] = frozenset()
    scored = True

    def parse(self, item: Any, raw: Any) -> Any:
        raise NotImplementedError

    def judge(self, item: Any, value: Any) -> str:
        raise NotImplementedError

    def rule(self, item: Any) -> Words:
        """The passing rule in words (for prompts, templates and the notices)."""
        return same("")

    def hint(self, item: Any, na: bool) -> Words:
        raise NotImplementedError

    def show(self, item: Any, value: Any) -> Words:
        """A recorded value as people read it."""
        if value is None:
            return same("")
        if isinstance(value, float) and value == int(value):
            return same(str(int(value)))
        return same(str(value))

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        """Why `value` can never be an answer of a point written as `rule` (raw checklist YAML), or None."""
        return None

    def rule_problem(self, item: Any) -> Words | None:
        """What is wrong with the rule of a checklist point of this type (the checklist model reports it)."""
        return None


class YesNo(AnswerType):
    name = "yesno"
    rule_keys = frozenset({"expect"})

    def parse(self, item: Any, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in YES_WORDS:
            return True
        if isinstance(raw, str) and raw.strip().lower() in NO_WORDS:
            return False
        raise AnswerError(Words(f"应回答 是/否（y/n），收到 {_show(raw)}", f"expected yes or no, got {_show(raw)}"))

    def judge(self, item: Any, value: bool) -> str:
        return "pass" if value == item.expect_value else "fail"

    def rule(self, item: Any) -> Words:
        return Words("是", "yes") if item.expect_value else Words("否", "no")

    def hint(self, item: Any, na: bool) -> Words:
        good = "y" if item.expect_value else "n"
        extra = " / na" if na else ""
        return Words(f"y 是 / n 否{extra}（合格：{good}）", f"y = yes / n = no{extra} (passes: {good})")

    def show(self, item: Any, value: Any) -> Words:
        if isinstance(value, bool):
            return Words("是", "yes") if value else Words("否", "no")
        return super().show(item, value)

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        ok = isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in YES_WORDS | NO_WORDS)
        return None if ok else "yes or no"


def _parse_number(raw: Any) -> float:
    bad = AnswerError(Words(f"应填数字，收到 {_show(raw)}", f"expected a number, got {_show(raw)}"))
    if isinstance(raw, bool):
        raise bad
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip().replace(",", ""))
        except ValueError:
            raise bad from None
    else:
        raise bad
    if not math.isfinite(value):
        raise AnswerError(Words(f"应填有限的数字，收到 {_show(raw)}", f"expected a finite number, got {_show(raw)}"))
    return value


class Number(AnswerType):
    name = "number"
    rule_keys = frozenset({"min", "max"})

    def parse(self, item: Any, raw: Any) -> int | float:
        value = _parse_number(raw)
        if value < -NUMBER_LIMIT or value > NUMBER_LIMIT:
            raise AnswerError(Words(f"数字超出范围：{_show(raw)}", f"number out of range: {_show(raw)}"))
        return int(value) if value == int(value) else value

    def judge(self, item: Any, value: float) -> str:
        ok = (item.min is None or value >= item.min) and (item.max is None or value <= item.max)
        return "pass" if ok else "fail"

    def rule(self, item: Any) -> Words:
        parts = []
        if item.min is not None:
            parts.append(f"≥ {_num(item.min)}")
        if item.max is not None:
            parts.append(f"≤ {_num(item.max)}")
        return same(", ".join(parts))

    def hint(self, item: Any, na: bool) -> Words:
        extra = " / na" if na else ""
        rule = self.rule(item).en
        return Words(f"数字{extra}（合格：{rule}）", f"a number{extra} (passes: {rule})")

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if is_number else "a number"

    def rule_problem(self, item: Any) -> Words | None:
        if item.min is None and item.max is None:
            return Words("数值要点需要 `min` 和/或 `max`", "a number point needs `min` and/or `max`")
        if item.min is not None and item.max is not None and item.min > item.max:
            return Words(f"min {item.min:g} 大于 max {item.max:g}",
                         f"min {item.min:g} is greater than max {item.max:g}")
        return None


class Rating(AnswerType):
    name = "rating"
    rule_keys = frozenset({"min"})

    def parse(self, item: Any, raw: Any) -> int:
        value = _parse_number(raw)
        if value != int(value) or not 1 <= value <= 5:
            raise AnswerError(Words(f"应填 1–5 的评分，收到 {_show(raw)}", f"expected a rating 1..5, got {_show(raw)}"))
        return int(value)

    def judge(self, item: Any, value: int) -> str:
        return "pass" if value >= item.min else "fail"

    def rule(self, item: Any) -> Words:
        return same(f"≥ {_num(item.min)}")

    def hint(self, item: Any, na: bool) -> Words:
        extra = " / na" if na else ""
        return Words(f"评分 1–5{extra}（合格：≥ {_num(item.min)}）",
                     f"a rating 1–5{extra} (passes: ≥ {_num(item.min)})")

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if is_number and value in (1, 2, 3, 4, 5) else "a rating 1..5"

    def rule_problem(self, item: Any) -> Words | None:
        if item.min is None:
            return Words("评分要点需要 `min`（1–5）", "a rating point needs `min` (1..5)")
        if not 1 <= item.min <= 5:
            return Words("评分的 `min` 应在 1 到 5 之间", "rating `min` must be between 1 and 5")
        return None


class Choice(AnswerType):
    name = "choice"
    rule_keys = frozenset({"choices", "pass"})

    def parse(self, item: Any, raw: Any) -> str:
        key = raw.strip() if isinstance(raw, str) else None
        choices = item.choices or {}
        if key is not None and key in choices:
            return key
        for k, label in choices.items():  # the choice's label is accepted as well as its key
            if key in (label.zh, label.en):
                return k
        raise AnswerError(Words(f"应为以下选项之一：{', '.join(choices)}，收到 {_show(raw)}",
                                f"expected one of {', '.join(choices)}, got {_show(raw)}"))

    def judge(self, item: Any, value: str) -> str:
        if not item.pass_:
            return "info"  # a fact question (e.g. a gate for `when`), not scored
        return "pass" if value in item.pass_ else "fail"

    def rule(self, item: Any) -> Words:
        passing = [item.choices[k] for k in (item.pass_ or []) if k in (item.choices or {})]
        return Words("、".join(p.zh for p in passing), " / ".join(p.en for p in passing))

    def hint(self, item: Any, na: bool) -> Words:
        extra = " / na" if na else ""

        def options(lang: str) -> str:
            return " / ".join(f"{key} = {label.get(lang)}{' ✓' if key in (item.pass_ or []) else ''}"
                              for key, label in (item.choices or {}).items())

        if not item.pass_:
            return Words(options("zh") + extra + "（记录，不评分）", options("en") + extra + " (recorded, not scored)")
        return Words(options("zh") + extra + "（✓ 为合格）", options("en") + extra + " (✓ passes)")

    def show(self, item: Any, value: Any) -> Words:
        label = (item.choices or {}).get(value) if isinstance(value, str) else None
        if label is not None:
            return Words(label.zh, label.en)
        return super().show(item, value)

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        choices = rule.get("choices")
        if isinstance(choices, dict):
            ok = isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) in choices
            return None if ok else f"one of {', '.join(map(str, choices))}"
        return None

    def rule_problem(self, item: Any) -> Words | None:
        import re

        if not item.choices:
            return Words("选项要点需要 `choices`", "a choice point needs `choices`")
        if item.pass_ is not None and not item.pass_:
            return Words("`pass` 为空；请列出合格的选项，或去掉 `pass`（只记录，不评分）",
                         "`pass` is empty; list the passing options, or leave `pass` out for an unscored fact")
        # A choice without `pass` records a fact (outcome `info`, not scored), e.g. a gate for `when`.
        bad = [p for p in (item.pass_ or []) if p not in item.choices]
        if bad:
            listed = ", ".join(map(repr, bad))
            return Words(f"`pass` 中的 {listed} 不在选项 {', '.join(item.choices)} 中",
                         f"`pass` option(s) {listed} not among choices {', '.join(item.choices)}")
        for key in item.choices:
            if not re.fullmatch(CHOICE_KEY, key) or key.lower() in RESERVED_ANSWERS:
                return Words(f"不能用 {key!r} 作选项（只用字母、数字、- 和 _，且不能是保留的回答）",
                             f"choice key {key!r} is not allowed (letters, digits, '-', '_'; not a reserved answer)")
        return None


class Text(AnswerType):
    name = "text"
    scored = False

    def parse(self, item: Any, raw: Any) -> str:
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise AnswerError(Words(f"应填文字，收到 {_show(raw)}", f"expected text, got {_show(raw)}"))
        text = str(raw).strip()
        if len(text) > TEXT_LIMIT:
            raise AnswerError(Words(f"文字超过 {TEXT_LIMIT} 字", f"text longer than {TEXT_LIMIT} characters"))
        return text

    def judge(self, item: Any, value: str) -> str:
        return "info"

    def hint(self, item: Any, na: bool) -> Words:
        extra = " / na" if na else ""
        return Words(f"文字记录{extra}（不评分）", f"text{extra} (recorded, not scored)")

    def when_value_problem(self, rule: dict, value: Any) -> str | None:
        return None if isinstance(value, str) else "text"


TYPES: dict[str, AnswerType] = {t.name: t for t in (YesNo(), Number(), Rating(), Choice(), Text())}
"""The registry: type name -> its behaviour. The checklist model's `type` field takes exactly these names."""

RULE_KEYS = ("expect", "min", "max", "choices", "pass")
"""Every rule key any type takes, in the order problems are reported."""


def answer_type(item: Any) -> AnswerType:
    return TYPES[item.type]


def judge(item: Any, raw: Any) -> Outcome:
    """Normalise `raw` for `item` and decide pass / fail / na / info; raise AnswerError if it does not fit."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise AnswerError(Words("没有回答", "no answer given"))
    if is_na(raw):
        if not item.allow_na:
            raise AnswerError(Words("此要点适用于本校，不能填 na",
                                    "this point does not accept 'na' (it applies to this school)"))
        return Outcome(None, "na")
    kind = TYPES[item.type]
    value = kind.parse(item, raw)
    return Outcome(value, kind.judge(item, value))


def hint(item: Any) -> Words:
    """The answers a prompt for `item` accepts."""
    return TYPES[item.type].hint(item, bool(item.allow_na))


def rule(item: Any) -> Words:
    return TYPES[item.type].rule(item)


def show(item: Any | None, value: Any) -> Words:
    """A recorded value as people read it; without the item (a deleted point), yes/no and numbers only."""
    if item is not None:
        return TYPES[item.type].show(item, value)
    if isinstance(value, bool):
        return Words("是", "yes") if value else Words("否", "no")
    return AnswerType().show(None, value)
