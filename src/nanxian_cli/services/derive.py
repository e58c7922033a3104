"""Keeping the findings cache equal to what the engine derives from the facts.

After any write that touches a point at a school (a visit submitted, an answer amended, a visit voided, a hand
action, an imported bundle), the touched (school, point) pairs are derived again from their whole timeline
and saved, inside the same transaction as the write.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from nanxian_cli.core.findings import Action, Check, derive
from nanxian_cli.core.ids import revision_uid
from nanxian_cli.core.revisions import Revision, current, opening
from nanxian_cli.store import findings as sql


def effective_uid(row) -> str:
    """A revision's id: stored, or (first revisions) derived from its visit and point."""
    return row["uid"] or revision_uid(row["visit"], row["item_id"], row["revision"])


def timelines(conn: sqlite3.Connection, school_code: str,
              keys: Iterable[str] | None = None) -> dict[str, tuple[list[Check], list[Action]]]:
    """The checks and actions of each point key of a school (all keys when None)."""
    keys = None if keys is None else list(keys)
    by_answer: dict[tuple[str, str, str], list] = defaultdict(list)
    for row in sql.point_revisions(conn, school_code, keys):
        by_answer[(row["point_key"], row["visit"], row["item_id"])].append(row)
    out: dict[str, tuple[list[Check], list[Action]]] = {k: ([], []) for k in (keys or ())}
    for (key, visit, item_id), rows in by_answer.items():
        revisions = [Revision(effective_uid(r), r["base"], r["recorded_at"], r["outcome"]) for r in rows]
        now = current(revisions)
        if now is None or now.outcome not in ("pass", "fail"):
            continue
        row = next(r for r in rows if effective_uid(r) == now.uid)
        out.setdefault(key, ([], []))[0].append(Check(
            visit=visit, date=row["date"], at=row["at"], revision=now.uid, outcome=now.outcome,
            severity=row["severity"], rectify_days=row["days"], checklist_id=row["checklist_id"],
            checklist_hash=row["checklist_hash"], item_id=item_id,
            opening_revision=opening(revisions) if now.outcome == "fail" else None,
            note=row["note"], author=row["author"], fixed_on_site=bool(row["fixed_on_site"]),
            rank=(row["seq"], row["position"]),
        ))
    for row in sql.point_actions(conn, school_code, keys):
        recheck = row["kind"] == "recheck"
        out.setdefault(row["point_key"], ([], []))[1].append(Action(
            uid=row["uid"], finding=row["finding"], kind=row["kind"],
            date=row["visit_date"] if recheck else row["date"], recorded_at=row["recorded_at"], author=row["author"],
            text=row["text"], due=row["due"], visit=row["visit_id"], visit_at=row["visit_at"] if recheck else None,
            passed=None if row["passed"] is None else bool(row["passed"]), on_site=bool(row["on_site"]),
        ))
    return out


def rebuild(conn: sqlite3.Connection, school_code: str, keys: Iterable[str] | None, now: str) -> dict[str, list[int]]:
    """Derive and save the findings of these points of a school (every point when `keys` is None)."""
    if keys is None:
        keys = sql.school_keys(conn, school_code)
    derived = {(school_code, key): derive(checks, actions)
               for key, (checks, actions) in timelines(conn, school_code, keys).items()}
    return sql.save_points(conn, derived, now)


def rebuild_all(store, now: str, progress=None) -> int:
    """Derive every point of every school again, one school per transaction (after an upgrade)."""
    with store.transaction() as conn:
        schools = sql.schools_with_points(conn)
    for i, school in enumerate(schools, start=1):
        with store.transaction() as conn:
            rebuild(conn, school, None, now)
        if progress is not None:
            progress(i, len(schools))
    with store.transaction() as conn:
        sql.clear_rebuild_flag(conn)
    return len(schools)
