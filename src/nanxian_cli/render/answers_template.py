"""`inspect template`: a blank answers file for one checklist (and school), every point with its text, severity and
the answers it accepts as comments, in the user's language. Filled in, it is read by `inspect visit --answers`.

Values a person wrote (names, codes) are quoted as JSON strings (valid YAML, never read as a number or a date);
point texts only ever appear in comments, on one line each.
"""

from __future__ import annotations

import json
from typing import Any

from nanxian_cli.i18n import get_lang, pick, tr


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _condition(item: Any) -> str | None:
    """A point asked only when an earlier answer is given (`when`), in words."""
    if item.when is None:
        return None
    equals = item.when.equals
    if isinstance(equals, bool):
        equals = tr("是", "yes") if equals else tr("否", "no")
    ref = item.when.item
    return tr(f"仅当 {ref} 的回答为 {equals} 时填写，否则记为不适用",
              f"answer only when {ref} is {equals}; otherwise recorded as n/a")


def _applies(item: Any) -> str | None:
    """Whom a point concerns (`applies_to`), in words: shown when no school was given."""
    from nanxian_cli.core.vocab import ATTRIBUTE_LABELS, STAGE_LABELS

    rule = item.applies_to
    if rule is None:
        return None
    parts = [pick(STAGE_LABELS[s]) for s in rule.stages]
    parts += [pick(ATTRIBUTE_LABELS[a]) for a in rule.requires]
    if rule.inclusive is not None:
        parts.append(tr("普惠", "inclusive") if rule.inclusive else tr("非普惠", "not inclusive"))
    if rule.ownership is not None:
        parts.append(tr("公办", "public") if rule.ownership == "public" else tr("民办", "private"))
    if rule.months:
        parts.append(tr(f"{','.join(map(str, rule.months))} 月", f"months {','.join(map(str, rule.months))}"))
    return tr(f"仅适用于：{' '.join(parts)}", f"applies to: {' '.join(parts)}")


def answers_template(loaded: Any, school: dict | None, points: list[Any], inspector: str | None,
                     day: Any = None) -> str:
    """The template's text: the header keys (the visit's `day` filled in when one was given: the checklist version
    and the seasonal points are those of that day), then every point of `points` (in checklist order) as a key with
    no answer yet, preceded by its comments."""
    from nanxian_cli.core.answers import hint
    from nanxian_cli.core.vocab import SEVERITY_LABELS

    cl = loaded.checklist
    lang = get_lang()
    lines = [
        tr(f"# 答案文件：{_one_line(cl.title.get(lang))}（{cl.id} 第 {cl.version} 版）",
           f"# Answers file: {_one_line(cl.title.get(lang))} ({cl.id} version {cl.version})"),
        tr("# 在每个要点后写上回答，然后：nanxian inspect visit --answers 本文件",
           "# Write each point's answer after its id, then: nanxian inspect visit --answers THIS-FILE"),
        tr("# 回答后可加备注：{value: n, note: 备注}；当场整改的不合格项再加 fixed_on_site: true（立行立改）",
           "# A note goes with the answer: {value: n, note: what was seen}; a fail fixed during the visit also "
           "takes fixed_on_site: true"),
        tr("# 留空的要点不计入；有要点留空时督导记录保存为草稿（--partial 则照常提交）",
           "# A point left empty has no answer: the visit is kept as a draft (unless --partial)"),
    ]
    school_value = _quoted(school["code"]) if school else ""
    school_note = f"{school['name']}" if school else tr("学校代码或名称", "school code or name")
    lines.append(f"school: {school_value}".rstrip() + f"   # {_one_line(school_note)}")
    lines.append(f"checklist: {cl.id}")
    if day is None:
        lines.append("date:   # " + tr("YYYY-MM-DD；留空为当天", "YYYY-MM-DD; empty: today"))
    else:
        lines.append(f"date: {day.isoformat()}   # " + tr("本模板按这一天的检查表版本和季节性要点生成",
                                                       "the checklist version and seasonal points of this day"))
    who = _quoted(inspector) if inspector else ""
    lines.append(f"inspector: {who}".rstrip() + "   # " + tr(
        "督学姓名（已登记）；留空：配置中的 inspector 或学校的责任督学",
        "a registered supervisor; empty: config `inspector`, or the school's supervisor"))
    lines.append("answers:")
    position = {item.id: n for n, item in enumerate(cl.items, start=1)}
    for item in points:
        severity = pick(SEVERITY_LABELS.get(item.severity, (item.severity, item.severity)))
        scored = item.type != "text" and not (item.type == "choice" and not item.pass_)
        head = f"  # {position[item.id]}. {_one_line(item.text.get(lang))}"
        lines.append(head + (f" [{severity}]" if scored else ""))
        if item.standard is not None:
            lines.append("  #    " + tr("标准：", "standard: ") + _one_line(item.standard.get(lang)))
        lines.append("  #    " + tr("回答：", "answer: ") + _one_line(pick(hint(item))))
        for extra in (_condition(item), None if school else _applies(item)):
            if extra:
                lines.append(f"  #    {extra}")
        lines.append(f"  {item.id}:")
    return "\n".join(lines) + "\n"
