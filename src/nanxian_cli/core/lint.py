"""Warnings about checklist points a supervisor cannot verify (`checklist validate`; `--strict` makes them errors).

Two rules, kept short and in this one place:
- a point text built on a vague verb (加强, 强化, 重视, 注重, 发挥…作用, 常态化) that names no number, no document
  and no record is not checkable: nobody can say whether "加强师德建设" passed;
- a point that can fail needs a `standard` (the rule in words), which the notices print beside the finding.

Pure: texts in, warning texts (both languages, with the field) out; files/checklist_file.py and
files/checklist_library.py add file:line.
"""

from __future__ import annotations

import re
from typing import Any

from nanxian_cli.core.words import Words

VAGUE = re.compile(r"加强|强化|重视|注重|发挥.{0,12}作用|常态化")
"""Verbs that state an intention, not something a supervisor can see."""

VERIFIABLE = re.compile(
    r"[0-9０-９%％]"
    r"|[一二两三四五六七八九十百千]+\s*(?:次|节|小时|分钟|天|日|周|个|人|名|项|所|场|份|课时|学时|学期|年)"
    r"|《|记录|台账|档案|名册|清单|方案|制度|计划|报告|纪要|协议|合同|证书|课表|作息|照片|监控|公示|文件"
)
"""What makes a vague sentence checkable anyway: a number, a named document (《…》) or a record to ask for."""


def can_fail(item: Any) -> bool:
    """Whether an answer to the point can be `fail` (text points and choice points without `pass` cannot)."""
    if item.type == "text":
        return False
    if item.type == "choice":
        return bool(item.pass_)
    return True


def vague_text(text: str) -> str | None:
    """The vague verb of a point text that names no number, document or record, or None."""
    found = VAGUE.search(text)
    if found is None or VERIFIABLE.search(text):
        return None
    return found.group()


def point_warnings(item: Any) -> list[tuple[str, Words]]:
    """(field, message in both languages) for each warning about one point."""
    out: list[tuple[str, Words]] = []
    verb = vague_text(item.text.zh)
    if verb is not None:
        out.append(("text", Words(f"{verb!r} 没有写明数字、文件或记录：督学无法检查这一点"
                                  "（请写明要数什么、看什么、查什么）",
                                  f"{verb!r} with no number, document or record named: a supervisor cannot check this "
                                  f"point (say what to count, read or see)")))
    if can_fail(item) and item.standard is None:
        out.append(("standard", Words("这一要点可能不合格，但没有 `standard`"
                                      "（用文字写明的标准，整改通知书中印在问题旁）",
                                      "this point can fail but has no `standard` (the rule in words, printed beside "
                                      "the finding in the notices)")))
    return out
