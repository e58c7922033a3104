"""Schools and supervisors as users name them: finding a school from what was typed, making sure a supervisor's
name is one that was registered (with the closest names when it is not), registering and assigning them."""

from __future__ import annotations

from typing import Any

from nanxian_cli.clock import utc_now
from nanxian_cli.core.names import closest_names, pinyin_initials
from nanxian_cli.core.words import Words
from nanxian_cli.errors import Ambiguous, InputError, NotFound
from nanxian_cli.store import schools as sql
from nanxian_cli.store.db import Store

MAX_NAME = 100


def find_school(store: Store, query: str) -> dict:
    """A school by code, exact name, unique part of the name, or pinyin initials (`nzsyxx`)."""
    text = (query or "").strip()
    if not text:
        raise InputError(Words("学校：名称为空", "school: empty name"))
    rows = sql.schools_matching(store, text)
    if len(rows) == 1:
        return rows[0]
    if not rows:
        from nanxian_cli.services.lookups import school_suggestions

        raise NotFound(Words(f"没有与 {text!r} 匹配的学校（可用 `nanxian school list` 查看）",
                             f"no school matches {text!r} (try `nanxian school list`)"),
                       school_suggestions(store, text))
    shown: list[Any] = [f"{r['code']}  {r['name']}  ({r['town']})" for r in rows[:20]]
    if len(rows) > 20:
        shown.append(Words(f"……另有 {len(rows) - 20} 所", f"… and {len(rows) - 20} more"))
    raise Ambiguous(Words(f"{text!r} 匹配到 {len(rows)} 所学校；请给出代码或全称",
                          f"{text!r} matches {len(rows)} schools; give the code or the full name"), shown)


def import_schools(store: Store, rows: list[Any]) -> sql.ImportCounts:
    """Upsert validated roster rows by code in one transaction: all rows or none."""
    initials = {row.code: pinyin_initials(row.name) for row in rows}
    return sql.import_schools(store, rows, initials, utc_now())


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InputError(Words("督学姓名为空", "inspector name is empty"))
    if len(name) > MAX_NAME:
        raise InputError(Words("督学姓名超过100个字符", "inspector name is longer than 100 characters"))
    return name


def add_inspector(store: Store, name: str, phone: str | None = None) -> str:
    """Add a supervisor, or update the details of the one of that name: "added" | "updated" | "unchanged"."""
    name = check_name(name)
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name + (phone or "")):
        raise InputError(Words("督学姓名或电话含有控制字符", "inspector name or phone contains a control character"))
    return sql.save_inspector(store, name, phone, utc_now())


def unknown_inspector(store: Store, name: str, source: Any = None) -> NotFound:
    text = name.strip()
    registered = sql.inspector_names(store)
    where_zh, where_en = (f"{_pick_zh(source)}: ", f"{_pick_en(source)}: ") if source else ("", "")
    details: list[Any] = []
    close = closest_names(text, registered) if registered else []
    if close:
        details.append(Words(f"最接近的已登记督学：{'、'.join(close)}",
                             f"closest registered names: {', '.join(close)}"))
    elif registered:
        details.append(Words(f"没有相近的已登记督学（共 {len(registered)} 名，见 `nanxian inspector list`）",
                             f"no registered name is close ({len(registered)} registered; "
                             "see `nanxian inspector list`)"))
    else:
        details.append(Words("尚未登记任何督学", "no supervisor is registered yet"))
    details.append(Words(f"新督学请先登记：nanxian inspector add {text}",
                         f"to register a new one first: nanxian inspector add {text}"))
    return NotFound(Words(f"{where_zh}没有登记名为 {text!r} 的督学；未做任何改动",
                          f"{where_en}no supervisor named {text!r} is registered; nothing was changed"), details)


def registered_inspector(store: Store, name: str, source: Any) -> str:
    """`name` (stripped) if a supervisor of that name is registered; else NotFound naming `source` (the option,
    file or setting the name came from), the closest registered names and how to register it."""
    text = name.strip()
    if sql.inspector_id(store, text) is None:
        raise unknown_inspector(store, text, source)
    return text


def assign(store: Store, name: str, school_codes: list[str], today: str) -> list[tuple[str, str | None]]:
    """Make `name` the responsible supervisor (责任督学) of the schools from `today`; (code, previous) pairs."""
    iid = sql.inspector_id(store, name)
    if iid is None:
        raise NotFound(Words(f"没有名为 {name!r} 的督学（用 `nanxian inspector add 姓名` 添加）",
                             f"no inspector named {name!r} (add one with `nanxian inspector add NAME`)"))
    return sql.assign(store, iid, school_codes, today)


def _registered_id(store: Store, name: str, source: Any) -> tuple[str, int]:
    text = registered_inspector(store, name, source)
    iid = sql.inspector_id(store, text)
    assert iid is not None
    return text, iid


def rename_inspector(store: Store, old: str, new: str) -> dict:
    """Register supervisor `old` under the name `new`: their assignments follow. The visits, revisions and
    finding events recorded under `old` are facts and keep that name (they may already be on other laptops)."""
    old, iid = _registered_id(store, old, "OLD")
    new = check_name(new)
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in new):
        raise InputError(Words("督学姓名含有控制字符", "inspector name contains a control character"))
    if new == old:
        raise InputError(Words(f"新旧姓名相同（{old}）；未做任何改动", f"the new name is the old one ({old}); nothing "
                                                                  "was changed"))
    if sql.inspector_id(store, new) is not None:
        raise InputError(Words(f"NEW：督学 {new!r} 已登记；未做任何改动"
                               f"（两人合并请先把学校改派给 {new}，再删除 {old}）",
                               f"NEW: a supervisor named {new!r} is registered already; nothing was changed (to merge "
                               f"the two, assign {old}'s schools to {new}, then remove {old})"))
    schools = len(sql.assigned_schools(store, iid))
    sql.rename_inspector(store, iid, new)
    return {"old": old, "new": new, "schools": schools, "visits": sql.visit_count_by(store, old)}


def remove_inspector(store: Store, name: str, force: bool = False) -> dict:
    """Take a supervisor off the register. One who still answers for schools is removed only with `force`
    (the schools are left without a responsible supervisor). Past visits keep their name."""
    name, iid = _registered_id(store, name, "NAME")
    assigned = sql.assigned_schools(store, iid)
    if assigned and not force:
        shown = [Words(f"{s['code']}  {s['name']}", f"{s['code']}  {s['name']}") for s in assigned[:20]]
        if len(assigned) > 20:
            shown.append(Words(f"……另有 {len(assigned) - 20} 所", f"… and {len(assigned) - 20} more"))
        shown.append(Words(f"先改派（nanxian inspector assign 姓名 学校…）或取消（nanxian inspector unassign {name} "
                           "--all），或用 --force 删除并让这些学校暂无责任督学",
                           f"assign them to someone else first (nanxian inspector assign NAME SCHOOL…), unassign "
                           f"them (nanxian inspector unassign {name} --all), or use --force to remove {name} and "
                           "leave these schools without a supervisor"))
        raise InputError(Words(f"督学 {name} 仍是 {len(assigned)} 所学校的责任督学；未做任何改动",
                               f"{name} is still the responsible supervisor of {len(assigned)} school(s); nothing "
                               "was changed"), shown)
    sql.remove_inspector(store, iid)
    return {"name": name, "unassigned": [s["code"] for s in assigned], "visits": sql.visit_count_by(store, name)}


def unassign(store: Store, name: str, school_codes: list[str], every: bool = False) -> list[str]:
    """End `name`'s responsibility for the schools (all of theirs with `every`); each must be one of theirs."""
    name, iid = _registered_id(store, name, "NAME")
    theirs = [s["code"] for s in sql.assigned_schools(store, iid)]
    if every:
        school_codes = theirs
    elif not school_codes:
        raise InputError(Words("请给出学校，或用 --all 取消其全部学校",
                               "name the schools, or use --all for all of them"))
    for code in school_codes:
        if code not in theirs:
            other = sql.responsible_inspector(store, code)
            whose = Words(f"责任督学是 {other}", f"its responsible supervisor is {other}") if other else \
                Words("目前没有责任督学", "it has no responsible supervisor")
            raise InputError(Words(f"{code} 不是 {name} 负责的学校（{whose.zh}）；未做任何改动",
                                   f"{code} is not one of {name}'s schools ({whose.en}); nothing was changed"))
    sql.unassign(store, iid, school_codes)
    return school_codes


def supervisor_for_visit(store: Store, school: dict, candidates: list[tuple[str | None, str]]) -> str:
    """Who records a visit: the first name given among `candidates` ((name, where it came from) in order of
    precedence: --inspector, the answers file, NANXIAN_INSPECTOR / config `inspector`), else the school's
    responsible supervisor. Whoever it is must be registered."""
    for candidate, source in candidates:  # noqa: B007 - `source` is read after the loop (kept by `break`)
        if candidate and candidate.strip():
            name = candidate.strip()
            break
    else:
        name = sql.responsible_inspector(store, school["code"])
        source = Words(f"{school['name']} 的责任督学", f"responsible supervisor of {school['name']}")
        if not name:
            raise InputError(Words(
                "不知道督学是谁：请用 --inspector 姓名，或在配置文件中设置 inspector，"
                f"或为 {school['name']} 指定责任督学",
                f"who is inspecting? give --inspector NAME, set `inspector` in the config file, or assign a supervisor "
                f"to {school['name']} (`nanxian inspector assign`)",
            ))
    where = source
    if len(name) > MAX_NAME:
        raise InputError(Words(f"{_pick_zh(where)}：最多 {MAX_NAME} 个字符",
                               f"{_pick_en(where)}: at most {MAX_NAME} characters"))
    for ch in name:
        if (ord(ch) < 32 and ch not in "\n\t") or 127 <= ord(ch) < 160:
            raise InputError(Words(f"{_pick_zh(where)}：含有控制字符 U+{ord(ch):04X}；请删除",
                                   f"{_pick_en(where)}: contains the control character U+{ord(ch):04X}; remove it"))
    return registered_inspector(store, name, where)


def author_for(store: Store, candidates: list[tuple[str | None, str]]) -> str | None:
    """Who makes a change (amend, void, a finding action): the first name given among `candidates` (--by,
    NANXIAN_INSPECTOR / config `inspector`, the visit's supervisor); None when none is given. It must be
    registered."""
    for candidate, source in candidates:  # noqa: B007 - `source` is read after the loop (kept by `break`)
        name = (candidate or "").strip()
        if name:
            break
    else:
        return None
    if len(name) > MAX_NAME:
        raise InputError(Words(f"--by：姓名最多 {MAX_NAME} 个字符", f"--by: a name is at most {MAX_NAME} characters"))
    return registered_inspector(store, name, source)


def _pick_zh(where: Any) -> str:
    return where.zh if isinstance(where, Words) else str(where)


def _pick_en(where: Any) -> str:
    return where.en if isinstance(where, Words) else str(where)


def check_town(store: Store, town: str, option: str = "--town") -> str:
    """`town` (stripped) if a school of the roster is in it; else NotFound with the closest town names."""
    from nanxian_cli.services.lookups import check_town as checked

    return checked(store, town, option)
