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
        ChecklistEntry(id=source.checklist.id, version=str(source.checklist.version), kind=source.checklist.kind,
                       title=Words(source.checklist.title.zh, source.checklist.title.en),
                       points=len(source.checklist.items),
                       plan_items=sorted({n for it in source.checklist.items for n in it.plan}), hash=source.hash,
                       file=str(source.path))
        for source in loaded
    ]


def coverage(plan: Any, loaded: list[Any]) -> Coverage:
    """Each of the plan's 21 items against the checklist points that check it."""
    items = []
    for section in plan.sections:
        for pi in section.items:
            points = [(source.checklist.id, it.id) for source in loaded for it in source.checklist.items
                      if pi.number in it.plan]
            items.append(CoveredItem(number=pi.number, section=section.number, title=Words(pi.title.zh, pi.title.en),
                                     points=len(points), checklists=sorted({c for c, _ in points}),
                                     point_ids=[p for _, p in points]))
    return Coverage(covered=sum(1 for i in items if i.points > 0), total=len(items),
                    points=sum(len(source.checklist.items) for source in loaded), checklists=len(loaded), items=items)
