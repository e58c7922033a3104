"""Checks on a checklist file as written: the cross-field problems with their exact lines (raw_checklist_problems),
and pydantic validation of a file into a model with every problem as `file:line: field: message`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.core.answers import RULE_KEYS, TYPES
from nanxian_cli.core.words import Said
from nanxian_cli.errors import ValidationFailed
from nanxian_cli.files.yaml import Document, format_loc, validation_lines


def raw_checklist_problems(doc: Document, key: str = "items") -> list[str]:
    """Cross-field checks on the raw file, so every problem gets its own exact line
    (pydantic stops at the first failing validator of an item). `key`: `items` (a checklist) or `points`
    (a library file)."""
    data = doc.data
    items = data.get(key) if isinstance(data, dict) else None
    problems: list[str] = []

    def say(loc: tuple, msg: str, zh: str) -> None:
        where = f"{doc.path}:{doc.line_of(loc)}: {format_loc(loc)}: "
        problems.append(Said(where + zh, where + msg))

    if key == "items" and isinstance(data, dict):
        start, end = _day(data.get("valid_from")), _day(data.get("valid_to"))
        if start is not None and end is not None and end < start:
            say(("valid_to",), f"{end.isoformat()} is before valid_from {start.isoformat()}",
                f"{end.isoformat()} 早于 valid_from {start.isoformat()}")
    if not isinstance(items, list):
        return problems

    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen:
                say((key, i, "id"), f"duplicate item id {item_id!r} (first at {key}[{seen[item_id]}])",
                    f"要点 id {item_id!r} 重复（第一次在 {key}[{seen[item_id]}]）")
            else:
                seen[item_id] = i
        kind = item.get("type")
        if kind in TYPES:
            for rule_key in RULE_KEYS:
                if rule_key in item and rule_key not in TYPES[kind].rule_keys:
                    say((key, i, rule_key), f"`{rule_key}` does not fit type {kind}",
                        f"`{rule_key}` 不适用于类型 {kind}")
            if kind == "choice" and isinstance(item.get("choices"), dict) and isinstance(item.get("pass"), list):
                for j, option in enumerate(item["pass"]):
                    if option not in item["choices"]:
                        say((key, i, "pass", j),
                            f"{option!r} is not among choices ({', '.join(map(str, item['choices']))})",
                            f"{option!r} 不在选项中（{', '.join(map(str, item['choices']))}）")
        when = item.get("when")
        if isinstance(when, dict) and isinstance(when.get("item"), str):
            ref = when["item"]
            if ref not in seen or seen[ref] == i:
                later = any(isinstance(o, dict) and o.get("id") == ref for o in items[i:])
                say((key, i, "when", "item"),
                    f"{ref!r} is {'a later or the same' if later else 'an unknown'} item; "
                    "`when` must name an earlier item",
                    f"{ref!r} {'是本要点或其后的要点' if later else '不是本检查表的要点'}；`when` 只能引用前面的要点")
            elif "equals" in when and isinstance(items[seen[ref]], dict):
                expected = _when_value_problem(items[seen[ref]], when["equals"])
                if expected:
                    say((key, i, "when", "equals"),
                        f"{when['equals']!r} can never be the answer to {ref!r}; expected {expected}",
                        f"{when['equals']!r} 不可能是 {ref!r} 的回答；应为 {_expected_zh(expected)}")
    return problems


_WHAT_ZH = {"checklist": "检查表", "plan": "工作要点文件"}
_EXPECTED_ZH = {"yes or no": "是或否", "a number": "数字", "a rating 1..5": "1–5 的评分", "text": "文字"}


def _expected_zh(expected: str) -> str:
    if expected.startswith("one of "):
        return f"以下之一：{expected[len('one of '):]}"
    return _EXPECTED_ZH.get(expected, expected)


def _invalid(path: Any, what: str) -> Said:
    return Said(f"{path}：{_WHAT_ZH.get(what, what)}有误", f"{path}: invalid {what}")


def _located(where: str, message: Any) -> Said:
    """`where` (file:line: field: ) before a message in both languages (core.words.Words) or in English."""
    if isinstance(message, tuple):
        return Said(where + message[0], where + message[1])
    return Said(where + str(message), where + str(message))


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _when_value_problem(ref: dict, value: object) -> str | None:
    """What `when.equals` should be for the referenced point's type, or None if `value` can match.

    A value that can never match would silently turn the point into `na` on every visit.
    """
    kind = TYPES.get(ref.get("type"))  # type: ignore[arg-type]
    return kind.when_value_problem(ref, value) if kind is not None else None


def _by_line(doc: Document, lines: list[str]) -> list[str]:
    prefix = len(str(doc.path)) + 1

    def key(line: str) -> int:
        head = line[prefix:].split(":", 1)[0]
        return int(head) if head.isdigit() else 0

    return sorted(lines, key=key)


def _validate(doc: Document, model: type, what: str):
    from pydantic import ValidationError

    if not isinstance(doc.data, dict):
        what_zh = _WHAT_ZH.get(what, what)
        raise ValidationFailed(Said(f"{doc.path}：不是{what_zh}", f"{doc.path}: not a {what}"),
                               [Said(f"{doc.path}:1: 应为映射（{what_zh}），收到 {type(doc.data).__name__}",
                                     f"{doc.path}:1: expected a mapping (a {what}), got {type(doc.data).__name__}")])
    raw = raw_checklist_problems(doc) if what == "checklist" else []
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        lines = validation_lines(doc, exc, skip_model_errors=bool(raw))
        raise ValidationFailed(_invalid(doc.path, what),
                               _by_line(doc, raw + [line for line in lines if line not in raw])) from None
    if raw:
        raise ValidationFailed(_invalid(doc.path, what), raw)
    return result
