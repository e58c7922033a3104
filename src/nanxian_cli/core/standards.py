"""A checklist point's standard in words, and what was found, as the documents for the school print them.

`standard(item)` is the rule a failed point is measured against, for the 整改通知书 and the 督导意见书: the item's
own `standard` (`{zh, en}`, written by the bureau) when it has one, else the structured rule put into words
(yes/no: what must hold or must not occur; number: min/max with the unit; choice: the passing options by
their labels; rating: the lowest passing mark). `found(item, value)` is the answer as a finding reads it.

`item` is anything with the checklist item's attributes: the validated model (core/checklist_models.py) or `Point`,
the light view the reports build from a stored checklist version (no pydantic on the read path).
Pure: no I/O and no language choice (texts are `Words`, both languages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.words import Words, same

UNITS_ZH = ("人", "名", "分钟", "小时", "周岁", "岁", "年", "天", "节", "次", "个", "元", "米", "公里", "%")
"""Units a number point's text names in brackets at its end, e.g. 最大班额（人）, 作业时间（分钟，…）."""
UNITS_EN = ("pupils", "children", "people", "staff", "minutes", "hours", "years", "days", "lessons", "times", "%")
_ENDINGS_ZH = (("次数", "次"), ("人数", "人"), ("课时", "节"), ("节数", "节"))
"""A text that names no unit but ends in one of these counts in it (应急疏散演练次数 -> 次)."""
_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]\s*$")


@dataclass(frozen=True)
class Point:
    """The parts of a checklist item the documents need, read from a stored checklist version."""

    id: str
    type: str
    text: Words
    expect: bool | None = None
    min: float | None = None
    max: float | None = None
    choices: dict[str, Words] | None = None
    pass_: list[str] | None = None
    severity: str = "major"
    standard: Words | None = None
    unit: Words | None = None
    source: list[dict] = field(default_factory=list)

    @property
    def expect_value(self) -> bool:
        return True if self.expect is None else self.expect


def _words(value: Any) -> Words | None:
    if isinstance(value, str) and value.strip():
        return same(value)
    if isinstance(value, dict):
        zh, en = value.get("zh"), value.get("en")
        if isinstance(zh, str) and isinstance(en, str):
            return Words(zh, en)
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def point_from_content(item: dict) -> Point:
    """A stored checklist item (the canonical JSON of its version) as a `Point`; keys it does not know are
    ignored, so versions written by later releases (with `standard`, `source`, `unit`) read as well."""
    choices = item.get("choices")
    passing = item.get("pass")
    sources = item.get("source")
    return Point(
        id=str(item.get("id", "")),
        type=str(item.get("type", "")),
        text=_words(item.get("text")) or same(str(item.get("id", ""))),
        expect=item.get("expect") if isinstance(item.get("expect"), bool) else None,
        min=_number(item.get("min")),
        max=_number(item.get("max")),
        choices={str(k): w for k, v in choices.items() if (w := _words(v)) is not None}
        if isinstance(choices, dict) else None,
        pass_=[str(p) for p in passing] if isinstance(passing, list) else None,
        severity=str(item.get("severity", "major")),
        standard=_words(item.get("standard")),
        unit=_words(item.get("unit")),
        source=[s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else [],
    )


def _num(value: float) -> str:
    return f"{value:g}"


def unit(item: Any) -> Words | None:
    """The unit of a number point: its own `unit` if it has one, else the one its text names (最大班额（人）,
    睡眠时间（小时，取抽样平均）, 演练次数); None when the text names none."""
    own = getattr(item, "unit", None)
    if own is not None:
        return Words(own.zh, own.en)
    text = getattr(item, "text", None)
    if text is None:
        return None
    zh = _unit_in(text.zh, UNITS_ZH)
    if zh is None:
        zh = next((u for ending, u in _ENDINGS_ZH if _bare(text.zh).endswith(ending)), None)
    en = _unit_in(text.en, UNITS_EN)
    if en is None:  # "Largest mixed-age class, children"
        tail = _bare(text.en).rsplit(",", 1)
        en = tail[1].strip() if len(tail) == 2 and tail[1].strip().lower() in UNITS_EN else None
    if zh is None and en is None:
        return None
    return Words(zh or "", en or "")


def _bare(text: str) -> str:
    """The text without a bracketed remark at its end."""
    return _BRACKETS.sub("", text).strip()


def _unit_in(text: str, units: tuple[str, ...]) -> str | None:
    found = _BRACKETS.search(text)
    if found is None:
        return None
    first = re.split(r"[，,、;；]", found.group(1), maxsplit=1)[0].strip()
    return first if first.lower() in units else None


def _with_unit(value: str, u: Words | None, lang: str) -> str:
    if u is None:
        return value
    if lang == "zh":
        return value + u.zh
    return value if not u.en else (value + u.en if u.en == "%" else f"{value} {u.en}")


def _quoted_options(item: Any) -> tuple[list[str], list[str]]:
    choices = getattr(item, "choices", None) or {}
    passing = [choices[k] for k in (getattr(item, "pass_", None) or []) if k in choices]
    return [f"“{p.zh}”" for p in passing], [p.en for p in passing]


def _either(parts: list[str], joiner: str, last: str) -> str:
    return parts[0] if len(parts) == 1 else joiner.join(parts[:-1]) + last + parts[-1]


def standard(item: Any) -> Words:
    """The standard a point is measured against, in words: the item's `standard` when it has one (the
    bureau's wording, e.g. 每周不少于4节), else its structured rule put into words. Empty for a point
    that is not scored (text, or a choice without passing options)."""
    own = getattr(item, "standard", None)
    if own is not None and (own.zh or own.en):
        return Words(own.zh, own.en)
    kind = getattr(item, "type", "")
    if kind == "yesno":
        expect = getattr(item, "expect", None)
        if expect is None or expect:
            return Words("应达到本条要求", "this must be in place")
        return Words("不得存在此情形", "this must not occur")
    if kind == "number":
        low, high, u = getattr(item, "min", None), getattr(item, "max", None), unit(item)
        if low is not None and high is not None:
            return Words(f"应在{_num(low)}至{_with_unit(_num(high), u, 'zh')}之间",
                         f"between {_num(low)} and {_with_unit(_num(high), u, 'en')}")
        if low is not None:
            return Words(f"不少于{_with_unit(_num(low), u, 'zh')}", f"at least {_with_unit(_num(low), u, 'en')}")
        if high is not None:
            return Words(f"不超过{_with_unit(_num(high), u, 'zh')}", f"at most {_with_unit(_num(high), u, 'en')}")
        return same("")
    if kind == "rating":
        low = getattr(item, "min", None)
        if low is None:
            return same("")
        return Words(f"评分不低于{_num(low)}分（满分5分）", f"a rating of at least {_num(low)} out of 5")
    if kind == "choice":
        zh, en = _quoted_options(item)
        if not zh:
            return same("")
        return Words("应为" + _either(zh, "、", "或"), "should be " + _either(en, ", ", " or "))
    return same("")


def found(item: Any, value: Any) -> Words:
    """A recorded answer as the documents print it: a failed yes/no point as "not in place" or "found"
    rather than a bare yes or no, a number with its unit, a rating in marks, a choice by its label."""
    if value is None:
        return same("")
    kind = getattr(item, "type", "")
    if kind == "yesno" and isinstance(value, bool):
        expect = getattr(item, "expect", None)
        expected = True if expect is None else expect
        if value == expected:
            return Words("符合", "in place") if expected else Words("未发现", "none found")
        return Words("未达到", "not in place") if expected else Words("存在", "found")
    if kind in ("number", "rating") and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _num(float(value))
        if kind == "rating":
            return Words(f"{text}分", f"{text} of 5")
        u = unit(item)
        return Words(_with_unit(text, u, "zh"), _with_unit(text, u, "en"))
    if kind == "choice" and isinstance(value, str):
        label = (getattr(item, "choices", None) or {}).get(value)
        if label is not None:
            return Words(label.zh, label.en)
    if isinstance(value, float) and value == int(value):
        return same(str(int(value)))
    return same(str(value))


def sources(item: Any) -> list[Words]:
    """The documents a point (or a checklist) rests on, as printed beside its standard."""
    return cite(getattr(item, "source", None) or [])


def _field(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)


def cite(entries: Any) -> list[Words]:
    """`source` entries ({title, number, year}, mappings or objects) as printed: 《title》（number）, or the year
    when there is no number."""
    out: list[Words] = []
    for entry in entries if isinstance(entries, (list, tuple)) else []:
        title, number, year = _field(entry, "title"), _field(entry, "number"), _field(entry, "year")
        if isinstance(title, dict):
            title = Words(str(title.get("zh") or title.get("en") or ""), str(title.get("en") or title.get("zh") or ""))
        elif isinstance(title, str):
            title = same(title)
        elif title is not None and hasattr(title, "zh"):
            title = Words(title.zh, title.en)
        if not isinstance(title, Words) or not (title.zh or title.en):
            continue
        extra = str(number) if number else str(year) if year else ""
        zh = title.zh if title.zh.startswith("《") else f"《{title.zh}》"
        en = title.en.strip("《》")
        out.append(Words(zh + (f"（{extra}）" if extra else ""), en + (f" ({extra})" if extra else "")))
    return out
