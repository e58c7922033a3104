"""Filters as people type them: a town, supervisor or checklist that a listing or report is narrowed to must be one
the database knows. A typo is refused (exit 2) with the closest names (homophones and pinyin initials first, see
core.names), never answered with an empty table."""

from __future__ import annotations

from typing import Any

from nanxian_cli.core.names import closest_names
from nanxian_cli.core.words import Words
from nanxian_cli.errors import NotFound
from nanxian_cli.store import schools as sql
from nanxian_cli.store.db import Store

LISTED = 30
"""Known values listed in full when nothing is close (a county has a dozen towns, not hundreds)."""


def _known(values: list[str], zh: str, en: str, sep_zh: str = "、", sep_en: str = ", ") -> Words:
    shown = values[:LISTED]
    more_zh = f" 等 {len(values)} 个" if len(values) > LISTED else ""
    more_en = f" … ({len(values)} in all)" if len(values) > LISTED else ""
    return Words(f"{zh}：{sep_zh.join(shown) or '—'}{more_zh}", f"{en}: {sep_en.join(shown) or '-'}{more_en}")


def suggestions(text: str, known: list[str], zh: str, en: str, *, list_zh: str, list_en: str) -> list[Any]:
    """The detail lines under a "not found": the closest names (if any), then the known values (a short list)."""
    close = closest_names(text, known) if known else []
    lines: list[Any] = []
    if close:
        lines.append(Words(f"{zh}：{'、'.join(close)}", f"{en}: {', '.join(close)}"))
    if not close or len(known) <= LISTED:
        lines.append(_known(known, list_zh, list_en))
    return lines


def check_town(store: Store, town: str, option: str = "--town") -> str:
    """`town` (stripped) if a school of the roster is in it; else NotFound with the closest towns."""
    text = town.strip()
    known = sql.towns(store)
    if text in known:
        return text
    raise NotFound(Words(f"{option}：没有学校在 {text!r}", f"{option}: no school is in {text!r}"),
                   suggestions(text, known, "最接近的乡镇", "closest towns", list_zh="乡镇", list_en="towns"))


def check_supervisor(store: Store, name: str, option: str = "--inspector", *, with_visits: bool = False) -> str:
    """`name` if a supervisor of that name is registered (or, `with_visits`, has visits recorded under that
    name: a renamed or removed supervisor's past visits); else NotFound with the closest registered names."""
    text = name.strip()
    registered = sql.inspector_names(store)
    known = sorted(set(registered) | set(sql.visit_inspector_names(store))) if with_visits else registered
    if text in known:
        return text
    close = closest_names(text, known) if known else []
    details: list[Any] = []
    if close:
        details.append(Words(f"最接近的已登记督学：{'、'.join(close)}",
                             f"closest registered names: {', '.join(close)}"))
    elif known:
        details.append(_known(known, "已登记督学", "registered supervisors"))
    else:
        details.append(Words("尚未登记任何督学", "no supervisor is registered yet"))
    raise NotFound(Words(f"{option}：没有登记名为 {text!r} 的督学",
                         f"{option}: no supervisor named {text!r} is registered"), details)


def check_recorded_checklist(store: Store, checklist_id: str, option: str = "--checklist",
                             offered: list[str] | None = None) -> str:
    """`checklist_id` if a visit was ever recorded with it (or it is one of `offered`: the checklist folder's ids,
    for a listing that may well be empty); else NotFound with the closest of the ids known."""
    from nanxian_cli.store.visits import recorded_checklist_ids

    text = checklist_id.strip()
    used = recorded_checklist_ids(store)
    if text in used or text in (offered or []):
        return text
    known = sorted(set(used) | set(offered or []))
    close = closest_names(text, known) if known else []
    details: list[Any] = []
    if close:
        details.append(Words(f"最接近的检查表：{', '.join(close)}", f"closest checklists: {', '.join(close)}"))
    details.append(Words(f"用过的检查表：{', '.join(used) or '—'}", f"checklists used: {', '.join(used) or '-'}"))
    raise NotFound(Words(f"{option}：从未用检查表 {text!r} 记录过督导",
                         f"{option}: no visit was ever recorded with checklist {text!r}"), details)


def check_scope(store: Store, scope: Any) -> None:
    """A report's filters (town, responsible supervisor, checklist): each must name something the database knows."""
    if scope.town is not None:
        check_town(store, scope.town)
    if scope.inspector is not None:
        check_supervisor(store, scope.inspector)
    if scope.checklist is not None:
        check_recorded_checklist(store, scope.checklist)


def school_suggestions(store: Store, text: str) -> list[Any]:
    """The closest school names to a name that matched no school (`南州实验小学`, `nzsyx`), with their codes."""
    names = sql.school_names(store)
    by_name: dict[str, list[str]] = {}
    for code, name in names:
        by_name.setdefault(name, []).append(code)
    close = closest_names(text, list(by_name)) if by_name else []
    if not close:
        return []
    shown = [f"{code} {name}" for name in close for code in by_name[name]]
    return [Words(f"最接近的学校：{'、'.join(shown)}", f"closest schools: {', '.join(shown)}")]
