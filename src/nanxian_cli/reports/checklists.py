"""The checklists in use and the plan's coverage (`checklist list`, `checklist coverage`) as data. Inputs are
the loaded checklist files and the plan (files/checklist_folder.py, files/checklist_file.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nanxian_cli.core.words import Words


@dataclass
class ChecklistEntry:
    id: str
    version: str
    kind: str
    title: Words
    points: int
    plan_items: list[int]
    hash: str
    file: str
    valid_from: str | None = None
    """First day a visit may use this version (ISO), None: no start."""
    valid_to: str | None = None
    """Last day a visit may use this version (ISO), None: no end."""


@dataclass
class CoveredItem:
    number: int
    section: int
    title: Words
    points: int  # checklist points that check this plan item
    checklists: list[str]
    point_ids: list[str]


@dataclass
class Coverage:
    covered: int
    total: int
    points: int
    checklists: int
    items: list[CoveredItem]


def checklist_entries(loaded: list[Any]) -> list[ChecklistEntry]:
    """Every checklist file, the versions of one id together, oldest first."""
    def day(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    ordered = sorted(loaded, key=lambda lc: (lc.checklist.id, day(lc.checklist.valid_from) or ""))
    return [
        ChecklistEntry(id=lc.checklist.id, version=str(lc.checklist.version), kind=lc.checklist.kind,
                       title=Words(lc.checklist.title.zh, lc.checklist.title.en), points=len(lc.checklist.items),
                       plan_items=sorted({n for it in lc.checklist.items for n in it.plan}), hash=lc.hash,
                       file=str(lc.path), valid_from=day(lc.checklist.valid_from), valid_to=day(lc.checklist.valid_to))
        for lc in ordered
    ]


def coverage(plan: Any, loaded: list[Any]) -> Coverage:
    """Each of the plan's 21 items against the checklist points that check it."""
    items = []
    for section in plan.sections:
        for pi in section.items:
            points = [(lc.checklist.id, it.id) for lc in loaded for it in lc.checklist.items if pi.number in it.plan]
            items.append(CoveredItem(number=pi.number, section=section.number, title=Words(pi.title.zh, pi.title.en),
                                     points=len(points), checklists=sorted({c for c, _ in points}),
                                     point_ids=[p for _, p in points]))
    return Coverage(covered=sum(1 for i in items if i.points > 0), total=len(items),
                    points=sum(len(lc.checklist.items) for lc in loaded), checklists=len(loaded), items=items)
