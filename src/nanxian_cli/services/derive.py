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


def timelines(conn: sqlite3.Connection, school_code: str,
              keys: Iterable[str] | None = None) -> dict[str, tuple[list[Check], list[Action]]]:
    """The checks and actions of each point key of a school (all keys when None). A point that never failed
    and has no action can have no finding: its checks are left out (most points of most schools)."""
    keys = None if keys is None else list(keys)
    out: dict[str, tuple[list[Check], list[Action]]] = {k: ([], []) for k in (keys or ())}
    for row in sql.point_actions(conn, school_code, keys):
        recheck = row["kind"] == "recheck"
        out.setdefault(row["point_key"], ([], []))[1].append(Action(
            uid=row["uid"], finding=row["finding"], kind=row["kind"],
            date=row["visit_date"] if recheck else row["date"], recorded_at=row["recorded_at"], author=row["author"],
            text=row["text"], due=row["due"], visit=row["visit_id"], visit_at=row["visit_at"] if recheck else None,
            passed=None if row["passed"] is None else bool(row["passed"]), on_site=bool(row["on_site"]),
        ))
    revisions = sql.point_revisions(conn, school_code, keys)
    relevant = {r[0] for r in revisions if r[6] == "fail"} | {k for k, (_, actions) in out.items() if actions}
    if not relevant:
        return out
    visits = sql.submitted_visits(conn, school_code)
    rules = sql.point_rules(conn, {v[4] for v in visits.values()})
    by_answer: dict[tuple[str, int, str], list[tuple]] = defaultdict(list)
    for r in revisions:
        if r[0] in relevant:
            by_answer[(r[0], r[1], r[2])].append(r)
    for (key, seq, item_id), rows in by_answer.items():
        visit, date, at, checklist_id, checklist_hash = visits[seq]
        if len(rows) == 1:
            row = rows[0]
            uid = row[4]  # None: a first revision, its id derived by the engine when needed
            opening_uid = None
        else:
            uids = [r[4] or revision_uid(visit, item_id, r[3]) for r in rows]
            chain = [Revision(u, r[5], r[9], r[6]) for u, r in zip(uids, rows, strict=True)]
            uid = current(chain).uid
            row = rows[uids.index(uid)]
            opening_uid = opening(chain) if row[6] == "fail" else None
        outcome = row[6]
        if outcome != "pass" and outcome != "fail":
            continue
        severity, days, position = rules[(checklist_hash, item_id)]
        out.setdefault(key, ([], []))[0].append(Check(
            visit, date, at, uid, outcome, severity, days, checklist_id, checklist_hash, item_id, opening_uid,
            row[7], row[8], bool(row[10]), (seq, position),
        ))
    return out


def rebuild(conn: sqlite3.Connection, school_code: str, keys: Iterable[str] | None, now: str) -> dict[str, list[int]]:
    """Derive and save the findings of these points of a school (every point when `keys` is None)."""
    if keys is None:
        keys = sql.school_keys(conn, school_code)
    derived = {(school_code, key): derive(checks, actions)
               for key, (checks, actions) in timelines(conn, school_code, keys).items()}
    return sql.save_points(conn, derived, now)


def rebuild_touched(conn: sqlite3.Connection, school_code: str, keys: Iterable[str], failed: Iterable[str],
                    now: str) -> dict[str, list[int]]:
    """Derive again the touched points of a school that can have a finding: those that failed in the facts just
    written (`failed`) and those with a finding (in any state) or a hand action from before, which the findings
    cache holds (it equals the engine's result after every write). A point with neither only ever passed: it
    derives no finding and has none to take back, and reading its whole history back is skipped."""
    keys = set(keys) & (set(failed) | sql.keys_with_findings(conn, school_code))
    if not keys:
        return {"opened": [], "updated": [], "gone": []}
    return rebuild(conn, school_code, keys, now)


def add_last_checks(conn: sqlite3.Connection, school_code: str, visit: str, checks: dict[str, Check],
                    passed: Iterable[str], now: str) -> None:
    """The findings of a school after one new visit (written already) whose checks are `checks` (point key ->
    its fail) and `passed` (the keys it passed), without reading back the points' whole history when it can
    be skipped.

    When the visit comes after everything the school's timelines hold (its date and time after every other
    submitted visit's and every hand action's), a check is the last entry of its point's timeline, and what it
    does depends only on whether a finding of the point is in progress: with none, a pass changes nothing and a
    fail opens a finding of its own (what the engine gives for that check alone). Those points are settled
    here; a point with a finding in progress, or one this visit also re-checked, is derived again whole, as is
    every point of a visit that comes earlier than the latest fact."""
    keys = set(checks) | set(passed)
    if not keys:
        return
    if not sql.after_everything(conn, school_code, visit):
        rebuild_touched(conn, school_code, keys, checks, now)
        return
    whole = keys & (sql.keys_in_progress(conn, school_code) | sql.keys_rechecked_in(conn, visit))
    if whole:
        rebuild(conn, school_code, whole, now)
    opened = {(school_code, key): derive([check]) for key, check in checks.items() if key not in whole}
    if opened:
        sql.save_points(conn, opened, now, add_only=True)


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
