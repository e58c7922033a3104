"""Which answer revision of a point is the current one, and which one a finding is named after.

Revisions are append-only facts; each names the revision it replaces (`base`, None for the first). On one
database they form a chain. When laptops exchange bundles two people may replace the same revision
(parallel edits): both are kept, and the current one is the head (a revision no other one replaces) recorded
last, ties broken by id, so every database that holds the same revisions agrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Revision:
    uid: str
    base: str | None
    recorded_at: str
    outcome: str = ""


def heads(revisions: Iterable[Revision]) -> list[Revision]:
    """The revisions that no other revision replaces."""
    revisions = list(revisions)
    replaced = {r.base for r in revisions if r.base is not None}
    return [r for r in revisions if r.uid not in replaced]


def current(revisions: Iterable[Revision]) -> Revision | None:
    """The revision reports use: the head recorded last (ties by id); None for no revisions."""
    found = heads(revisions)
    if not found:
        return None
    return max(found, key=lambda r: (r.recorded_at, r.uid))


def chain(revisions: Iterable[Revision]) -> list[Revision]:
    """The revisions in the order they were made: each after the one it replaces, parallel edits of the same
    base by time and id. Revisions whose base is not among them come first (a held revision's base missing)."""
    revisions = list(revisions)
    known = {r.uid for r in revisions}
    children: dict[str | None, list[Revision]] = {}
    for r in revisions:
        children.setdefault(r.base if r.base in known else None, []).append(r)
    ordered: list[Revision] = []
    stack = sorted(children.get(None, []), key=lambda r: (r.recorded_at, r.uid), reverse=True)
    while stack:
        r = stack.pop()
        ordered.append(r)
        stack.extend(sorted(children.get(r.uid, []), key=lambda c: (c.recorded_at, c.uid), reverse=True))
    return ordered


def opening(revisions: Iterable[Revision]) -> str | None:
    """The id a finding opened by this visit's answer takes: the first failing revision in the order they were
    made, so amending a failed answer to another failing value keeps the finding and its history."""
    for r in chain(revisions):
        if r.outcome == "fail":
            return r.uid
    return None
