"""Versions of one checklist id: validity windows, the version in force on a day, the newest, and the problems
of files that share an id without being distinct, non-overlapping versions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nanxian_cli.core.words import Said
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

if TYPE_CHECKING:
    from nanxian_cli.files.checklist_file import LoadedChecklist


def window_text(checklist: Any) -> str:
    """`2021-01-01 – 2020-12-31`-style validity window; `–` alone when the version has none."""
    start = checklist.valid_from.isoformat() if checklist.valid_from else ""
    end = checklist.valid_to.isoformat() if checklist.valid_to else ""
    return f"{start} – {end}".strip() if start or end else "–"


def _overlap(a: Any, b: Any) -> bool:
    low = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    high = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return low <= high


def version_on(versions: list[LoadedChecklist], day: dt.date) -> LoadedChecklist | None:
    """The version in force on `day` (validate_paths refuses overlapping windows, so there is at most one)."""
    for loaded in versions:
        if loaded.checklist.valid_on(day):
            return loaded
    return None


def newest(versions: list[LoadedChecklist]) -> LoadedChecklist:
    """The version that starts last (an open start counts as the earliest)."""
    return max(versions, key=lambda lc: lc.checklist.valid_from or dt.date.min)


def by_id(loaded: list[LoadedChecklist]) -> dict[str, list[LoadedChecklist]]:
    """Checklist id -> its versions, the oldest first."""
    out: dict[str, list[LoadedChecklist]] = {}
    for lc in loaded:
        out.setdefault(lc.checklist.id, []).append(lc)
    for versions in out.values():
        versions.sort(key=lambda lc: lc.checklist.valid_from or dt.date.min)
    return out


def _version_problems(good: list[LoadedChecklist]) -> list[str]:
    """Files sharing a checklist id must be versions of it: distinct `version`s whose windows do not overlap."""
    problems: list[str] = []
    for cid, versions in by_id(good).items():
        for i, later in enumerate(versions):
            for earlier in versions[:i]:
                line = later.header_lines.get("id", 1)
                if _overlap(earlier.checklist, later.checklist):
                    windows = f"{window_text(later.checklist)}、{window_text(earlier.checklist)}"
                    problems.append(Said(
                        f"{later.path}:{line}: id: 检查表 id {cid!r} 也用于 {earlier.path}，且有效期重叠（{windows}）："
                        "请给其中一份换一个 id；若是同一检查表的不同版本，请设置互不重叠的 `valid_from`/`valid_to`",
                        f"{later.path}:{line}: id: checklist id {cid!r} is also used by {earlier.path} and their "
                        f"validity windows overlap ({window_text(later.checklist)} and "
                        f"{window_text(earlier.checklist)}): give one of them another id, or, if they are versions "
                        f"of one checklist, `valid_from`/`valid_to` that do not overlap"))
                elif str(earlier.checklist.version) == str(later.checklist.version):
                    where = f"{later.path}:{later.header_lines.get('version', line)}: version: "
                    problems.append(Said(
                        where + f"检查表 {cid!r} 的第 {later.checklist.version} 版也在 {earlier.path} 中；每个版本要有"
                                "自己的 `version`",
                        where + f"checklist id {cid!r} version {later.checklist.version} is also in {earlier.path}; "
                                "give each version its own `version`"))
    return problems


def in_force(loaded: list[LoadedChecklist], day: dt.date) -> list[LoadedChecklist]:
    """The version of each checklist id in force on `day` (ids with none are left out)."""
    chosen = (version_on(versions, day) for versions in by_id(loaded).values())
    return [lc for lc in chosen if lc is not None]


class NoVersionOn(InputError):
    """A checklist has no version in force on the visit's date."""


def _no_version_on(checklist_id: str, versions: list[LoadedChecklist], day: dt.date) -> InputError:
    listed = "; ".join(f"{lc.checklist.version}: {window_text(lc.checklist)} ({lc.path.name})" for lc in versions)
    return NoVersionOn(tr(
        f"检查表 {checklist_id} 没有在 {day.isoformat()} 有效的版本（各版本有效期：{listed}）；"
        f"督导记录使用其日期当天有效的版本",
        f"checklist {checklist_id!r} has no version valid on {day.isoformat()} (versions: {listed}); a visit is "
        f"recorded against the version in force on its date",
    ))
