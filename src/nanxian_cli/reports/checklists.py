"""The checklists in use and the plan's coverage (`checklist list`, `checklist coverage`) as data. Inputs are
the loaded checklist files and the plan (files/checklists.py)."""

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
    return [
        ChecklistEntry(id=l.checklist.id, version=str(l.checklist.version), kind=l.checklist.kind,
                       title=Words(l.checklist.title.zh, l.checklist.title.en), points=len(l.checklist.items),
                       plan_items=sorted({n for it in l.checklist.items for n in it.plan}), hash=l.hash, file=str(l.path))
        for l in loaded
    ]


def coverage(plan: Any, loaded: list[Any]) -> Coverage:
    """Each of the plan's 21 items against the checklist points that check it."""
    items = []
    for section in plan.sections:
        for pi in section.items:
            points = [(l.checklist.id, it.id) for l in loaded for it in l.checklist.items if pi.number in it.plan]
            items.append(CoveredItem(number=pi.number, section=section.number, title=Words(pi.title.zh, pi.title.en),
                                     points=len(points), checklists=sorted({c for c, _ in points}),
                                     point_ids=[p for _, p in points]))
    return Coverage(covered=sum(1 for i in items if i.points > 0), total=len(items),
                    points=sum(len(l.checklist.items) for l in loaded), checklists=len(loaded), items=items)
