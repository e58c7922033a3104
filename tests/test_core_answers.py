"""The answer-type registry on its own: parse, judge, describe and prompt for each type, no database."""

from __future__ import annotations

import typing

import pytest

from nanxian_cli.core import answers
from nanxian_cli.core.answers import TYPES, AnswerError, hint, judge, rule, show
from nanxian_cli.core.checklist_models import Item
from nanxian_cli.core.model_base import ItemType


def item(**kw):
    base = {"id": "p", "text": "t", "plan": [1], "type": "yesno"}
    return Item.model_validate({**base, **kw})


def test_the_checklist_model_takes_exactly_the_registered_types():
    assert set(typing.get_args(ItemType)) == set(TYPES)


@pytest.mark.parametrize(("kw", "raw", "value", "outcome"), [
    ({"type": "yesno"}, "y", True, "pass"),
    ({"type": "yesno"}, "否", False, "fail"),
    ({"type": "yesno", "expect": False}, "no", False, "pass"),
    ({"type": "number", "max": 55}, "58", 58, "fail"),
    ({"type": "number", "min": 1.5}, "1,234.5", 1234.5, "pass"),
    ({"type": "rating", "min": 3}, 2, 2, "fail"),
    ({"type": "choice", "choices": {"light": "适量", "heavy": "过重"}, "pass": ["light"]}, "过重", "heavy", "fail"),
    ({"type": "choice", "choices": {"big": "大", "small": "小"}}, "big", "big", "info"),
    ({"type": "text"}, "  ok  ", "ok", "info"),
    ({"type": "yesno", "allow_na": True}, "不适用", None, "na"),
])
def test_judge(kw, raw, value, outcome):
    got = judge(item(**kw), raw)
    assert (got.value, got.outcome) == (value, outcome)


@pytest.mark.parametrize(("kw", "raw", "en"), [
    ({"type": "yesno"}, "maybe", "expected yes or no, got 'maybe'"),
    ({"type": "number", "max": 5}, "nan", "expected a finite number, got 'nan'"),
    ({"type": "number", "max": 5}, "1e13", "number out of range: '1e13'"),
    ({"type": "rating", "min": 3}, "4.5", "expected a rating 1..5, got '4.5'"),
    ({"type": "choice", "choices": {"a": "A"}, "pass": ["a"]}, "b", "expected one of a, got 'b'"),
    ({"type": "yesno"}, "na", "this point does not accept 'na' (it applies to this school)"),
    ({"type": "yesno"}, "  ", "no answer given"),
])
def test_bad_answers_say_why_in_both_languages(kw, raw, en):
    with pytest.raises(AnswerError) as exc:
        judge(item(**kw), raw)
    assert exc.value.words.en == en
    assert exc.value.words.zh and exc.value.words.zh != en


def test_rules_and_hints_in_words():
    number = item(type="number", min=25, max=30)
    assert rule(number).en == "≥ 25, ≤ 30"
    assert hint(number).en == "a number (passes: ≥ 25, ≤ 30)"
    choice = item(type="choice", choices={"light": {"zh": "适量", "en": "Within limits"}, "heavy": "过重"},
                  pass_=["light"])
    assert rule(choice) == ("适量", "Within limits")
    assert hint(choice).en == "light = Within limits ✓ / heavy = 过重 (✓ passes)"
    assert show(choice, "light") == ("适量", "Within limits")
    assert show(item(type="yesno"), True) == ("是", "yes")
    assert show(None, 60.0).en == "60"


@pytest.mark.parametrize(("kw", "message"), [
    ({"type": "number"}, "a number point needs `min` and/or `max`"),
    ({"type": "number", "min": 5, "max": 1}, "min 5 is greater than max 1"),
    ({"type": "rating"}, "a rating point needs `min` (1..5)"),
    ({"type": "yesno", "max": 3}, "`max` does not fit type yesno"),
    ({"type": "choice", "choices": {"q": "Q"}}, "choice key 'q' is not allowed"),
])
def test_each_type_checks_its_own_rule(kw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        item(**kw)


def test_a_new_type_is_one_class_in_the_registry():
    # every type answers every question the rest of the code asks of it
    for name, kind in TYPES.items():
        assert kind.name == name
        assert set(kind.rule_keys) <= set(answers.RULE_KEYS)
        for method in ("parse", "judge", "rule", "hint", "show", "when_value_problem", "rule_problem"):
            assert callable(getattr(kind, method))
