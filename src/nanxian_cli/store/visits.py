"""Visits, answers (append-only revisions), per-visit counts and findings.

Every function that writes takes an open transaction's connection, so a visit, its answers, its
counts and its findings are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from nanxian_cli.i18n import pick
from nanxian_cli.errors import Ambiguous, DuplicateVisit, InputError, NotFound
from nanxian_cli.core.findings import due_date
from nanxian_cli.core.scoring import Tally, tally
from nanxian_cli.store.checklists import ensure_plan_stored, save_checklist_version
from nanxian_cli.store.db import Store, utc_now
from nanxian_cli.core.visit import PreparedVisit, value_json

COUNT_COLUMNS = ("n_pass", "n_fail", "n_na", "n_info", "w_pass", "w_fail", "n_critical_fail", "n_items")


# -- writing a visit ----------------------------------------------------------------------------

def write_visits(conn: sqlite3.Connection, visits: list[PreparedVisit], *, author: str | None = None,
                 saved_hashes: set[str] | None = None) -> None:
    """Insert prepared visits with their answers and counts; submitted ones update findings.

    The bulk path (demo, imports) passes many visits in one call; recording one visit passes one.
    """
    now = utc_now()
    ensure_plan_stored(conn)  # plan titles for reports (once per database)
    saved = saved_hashes if saved_hashes is not None else set()
    answer_rows: list[tuple] = []
    plan_rows: list[tuple] = []
    # Open findings per school, read once per call and kept current by apply_findings: a batch of
    # visits does not re-read them for every visit. Answers are flushed in large batches; nothing
    # in apply_findings reads them.
    open_cache: dict[str, dict[str, tuple]] = {}
    # Latest check date per school, read once per call: a visit dated before it replays its points.
    latest_check: dict[str, str] = {}
    to_json = value_json
    seq = next_visit_seq(conn) - 1
    for v in visits:
        if v.loaded.hash not in saved:
            save_checklist_version(conn, v.loaded)
            saved.add(v.loaded.hash)
        t = v.tally
        vid = v.id
        seq += 1
        code = v.school["code"]
        day = v.date.isoformat()
        if v.status == "submitted" and code not in latest_check:
            latest_check[code] = latest_check_date(conn, code)
        conn.execute(
            "INSERT INTO visits (id, seq, school_code, checklist_id, checklist_hash, date, inspector, status, source, "
            "created_at, submitted_at, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail, n_items) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (vid, seq, v.school["code"], v.loaded.checklist.id, v.loaded.hash, v.date.isoformat(), v.inspector,
             v.status, v.source, now, now if v.status == "submitted" else None,
             t.n_pass, t.n_fail, t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items),
        )
        who = author or v.inspector
        answer_rows.extend(
            [(seq, item_id, 1, to_json(value), outcome, note, None, who, now) for item_id, value, outcome, note in v.answers]
        )
        plan_rows.extend([(seq, number, *counts) for number, counts in t.by_plan.items()])
        if len(answer_rows) > 20000:
            _flush(conn, answer_rows, plan_rows)
        if v.status == "submitted":
            checked = {item_id: (outcome, note) for item_id, _, outcome, note in v.answers if outcome in ("pass", "fail")}
            if day < latest_check[code]:
                # Recorded out of date order: later checks of these points must be replayed (they read answers).
                _flush(conn, answer_rows, plan_rows)
                open_cache.pop(code, None)
                for item_id in checked:
                    replay_point(conn, code, item_id, who, f"visit of {day} recorded after later checks",
                                 visit_id=vid, day=day)
            else:
                apply_findings(conn, vid, code, v.date, v.loaded.checklist, checked, who,
                               open_cache=open_cache, checklist_hash=v.loaded.hash, recorded_at=now)
            latest_check[code] = max(latest_check[code], day)
    _flush(conn, answer_rows, plan_rows)


def _flush(conn: sqlite3.Connection, answer_rows: list, plan_rows: list) -> None:
    if answer_rows:
        conn.executemany(
            "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, note, reason, author, recorded_at) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            answer_rows,
        )
        answer_rows.clear()
    if plan_rows:
        conn.executemany(
            "INSERT INTO visit_plan_counts (visit_seq, plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail, "
            "n_critical_fail) VALUES (?,?,?,?,?,?,?,?,?)",
            plan_rows,
        )
        plan_rows.clear()


def next_visit_seq(conn: sqlite3.Connection) -> int:
    """The local number the next new visit gets (read inside the writing transaction)."""
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM visits").fetchone()[0]


def visit_seq(conn: sqlite3.Connection, visit_id: str) -> int:
    """A visit's local number, which keys its answers and per-plan-item counts."""
    row = conn.execute("SELECT seq FROM visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise NotFound(f"no visit {visit_id!r}")
    return row[0]


def record_visit(store: Store, visit: PreparedVisit, author: str | None = None, *, again: bool = False) -> None:
    """Write one visit; a submitted one is refused (DuplicateVisit) when the same school, checklist, date and
    supervisor already have a submitted visit, unless `again`. Checked inside the writing transaction."""
    with store.transaction() as conn:
        if visit.status == "submitted" and not again:
            refuse_duplicate(conn, visit.school["code"], visit.loaded.checklist.id, visit.date.isoformat(), visit.inspector)
        write_visits(conn, [visit], author=author)


def submitted_twin(conn: sqlite3.Connection, school_code: str, checklist_id: str, day: str, inspector: str,
                   exclude: str | None = None) -> sqlite3.Row | None:
    """The earliest submitted visit with this school, checklist, date and supervisor (drafts and void visits
    do not count), other than `exclude`."""
    return conn.execute(
        "SELECT id, school_code, checklist_id, date, inspector FROM visits WHERE school_code = ? AND checklist_id = ? "
        "AND date = ? AND inspector = ? AND status = 'submitted' AND id != ? ORDER BY seq LIMIT 1",
        (school_code, checklist_id, day, inspector, exclude or ""),
    ).fetchone()


def refuse_duplicate(conn: sqlite3.Connection, school_code: str, checklist_id: str, day: str, inspector: str,
                     exclude: str | None = None) -> None:
    """Raise DuplicateVisit naming the visit that exists, if there is one (see `submitted_twin`)."""
    from nanxian_cli.i18n import tr

    twin = submitted_twin(conn, school_code, checklist_id, day, inspector, exclude)
    if twin is None:
        return
    short = twin["id"][:8]
    raise DuplicateVisit(
        tr(f"{school_code} 在 {day} 已有 {inspector} 用 {checklist_id} 提交的督导记录 {short}；未记录本次"
           f"（确是同一天的第二次督导，请加 --again）",
           f"{school_code} already has a submitted visit with {checklist_id} on {day} by {inspector}: {short}; "
           f"this one was not recorded (if it really is a second visit that day, add --again)"),
        [tr(f"已有的督导记录：{twin['id']}（nanxian inspect show {short}）",
            f"existing visit: {twin['id']} (nanxian inspect show {short})")],
        existing=twin["id"],
    )


# -- findings -------------------------------------------------------------------------------------

def _event(conn, finding_id: int, event: str, visit_id: str | None, date: str, note: str | None, author: str | None,
           recorded_at: str | None = None) -> None:
    conn.execute(
        "INSERT INTO finding_events (finding_id, event, visit_id, date, note, author, recorded_at) VALUES (?,?,?,?,?,?,?)",
        (finding_id, event, visit_id, date, note, author, recorded_at or utc_now()),
    )


def apply_findings(conn, visit_id: str, school_code: str, date: dt.date, checklist: Any,
                   outcomes: dict[str, tuple[str, str | None]], author: str | None, *,
                   open_cache: dict[str, dict[str, tuple]] | None = None, checklist_hash: str | None = None,
                   recorded_at: str | None = None) -> None:
    """A fail opens a finding (or notes a re-check on the open one); a pass resolves an older open finding.

    `open_cache` (school code -> item id -> (id, opened, visit_id) of its open findings) lets a caller
    writing many visits in one transaction read each school's open findings once; it is kept current here.
    `checklist_hash` is the visit's (looked up when not given); `recorded_at` stamps the events.
    """
    day = date.isoformat()
    open_rows = open_cache.get(school_code) if open_cache is not None else None
    if open_rows is None:
        open_rows = {
            r[1]: (r[0], r[2], r[3])
            for r in conn.execute(
                "SELECT id, item_id, opened, visit_id FROM findings WHERE school_code = ? AND status = 'open'", (school_code,)
            )
        }
        if open_cache is not None:
            open_cache[school_code] = open_rows
    if checklist_hash is None:
        checklist_hash = conn.execute("SELECT checklist_hash FROM visits WHERE id = ?", (visit_id,)).fetchone()[0]
    now = recorded_at or utc_now()
    items = None
    for item_id, (outcome, note) in outcomes.items():
        existing = open_rows.get(item_id)
        if outcome == "fail":
            if existing is not None:
                if existing[2] != visit_id:
                    conn.execute(
                        "UPDATE findings SET recheck_count = recheck_count + 1, last_recheck = ? WHERE id = ?",
                        (day, existing[0]),
                    )
                    _event(conn, existing[0], "recheck_failed", visit_id, day, note, author, now)
                continue
            if items is None:
                items = {item.id: item for item in checklist.items}
            item = items[item_id]
            cur = conn.execute(
                "INSERT INTO findings (school_code, item_id, checklist_id, checklist_hash, severity, opened, due, status, "
                "visit_id, note, created_at) VALUES (?,?,?,?,?,?,?,'open',?,?,?)",
                (school_code, item_id, checklist.id, checklist_hash, item.severity, day,
                 due_date(date.isoformat(), getattr(checklist.rectify_days, item.severity)), visit_id, note, now),
            )
            open_rows[item_id] = (cur.lastrowid, day, visit_id)
            _event(conn, cur.lastrowid, "opened", visit_id, day, note, author, now)
        elif outcome == "pass" and existing is not None and existing[2] != visit_id and existing[1] <= day:
            conn.execute(
                "UPDATE findings SET status = 'resolved', resolved_on = ?, resolved_by_visit = ?, resolved_by = ?, "
                "resolve_note = ? WHERE id = ?",
                (day, visit_id, author, note, existing[0]),
            )
            del open_rows[item_id]
            _event(conn, existing[0], "resolved", visit_id, day, note, author, now)


def resolve_finding(store: Store, finding_id: int, note: str, date: dt.date, author: str | None) -> dict:
    with store.transaction() as conn:
        row = conn.execute("SELECT id, status, opened, school_code, item_id FROM findings WHERE id = ?",
                           (finding_id,)).fetchone()
        if row is None:
            raise NotFound(f"no finding #{finding_id}")
        if row["status"] != "open":
            raise InputError(f"finding #{finding_id} is {row['status']}, not open")
        if date.isoformat() < row["opened"]:
            raise InputError(f"--date {date.isoformat()} is before the finding was opened ({row['opened']})")
        conn.execute(
            "UPDATE findings SET status = 'resolved', resolved_on = ?, resolved_by = ?, resolve_note = ? WHERE id = ?",
            (date.isoformat(), author, note, finding_id),
        )
        _event(conn, finding_id, "resolved", None, date.isoformat(), note, author)
        # Checks dated after the resolution now act on a resolved point (a later failure opens a new finding).
        replay_point(conn, row["school_code"], row["item_id"], author, f"resolved by hand on {date.isoformat()}",
                     day=date.isoformat())
    return {"id": finding_id, "status": "resolved", "resolved_on": date.isoformat()}


# -- replaying one point's timeline (corrections and visits recorded out of date order) -------------

_MANUAL = "manual"


def latest_check_date(conn, school_code: str, exclude_visit: str | None = None) -> str:
    """The latest date anything checked a point at this school: a submitted visit or a resolution ('' if none).

    A submitted visit dated before this cannot take the fast path (apply_findings): later checks must be replayed.
    """
    row = conn.execute(
        "SELECT max(d) FROM (SELECT max(date) AS d FROM visits WHERE school_code = ? AND status = 'submitted' "
        "AND id IS NOT ? UNION ALL SELECT max(resolved_on) FROM findings WHERE school_code = ?)",
        (school_code, exclude_visit, school_code),
    ).fetchone()
    return row[0] or ""


def point_timeline(conn, school_code: str, item_id: str) -> list[dict]:
    """Everything that acts on the findings of one (school, point), in date order.

    - the latest answer revision (pass | fail) of the point in every submitted visit of the school;
    - re-checks recorded during a visit for a finding of another checklist (recheck_passed | recheck_failed,
      the visit's latest one per finding), when that visit is submitted and did not answer the point itself;
    - resolutions by hand (`finding resolve`: event 'resolved' without a visit).
    Re-checks and hand resolutions carry `target`: the visit that opened the finding they were recorded on.
    """
    entries: list[dict] = []
    answered: set[str] = set()
    for r in conn.execute(
        "SELECT v.id, v.date, coalesce(v.submitted_at, v.created_at) AS ts, v.seq, v.checklist_hash, "
        "a.outcome, a.note, a.author FROM visits v JOIN answers a ON a.visit_seq = v.seq AND a.item_id = ? "
        "WHERE v.school_code = ? AND v.status = 'submitted' AND a.revision = "
        "(SELECT max(b.revision) FROM answers b WHERE b.visit_seq = v.seq AND b.item_id = ?)",
        (item_id, school_code, item_id),
    ):
        answered.add(r["id"])
        if r["outcome"] in ("pass", "fail"):
            entries.append({"key": (r["date"], r["ts"], 0, r["seq"]), "kind": r["outcome"], "visit": r["id"],
                            "date": r["date"], "hash": r["checklist_hash"], "note": r["note"], "author": r["author"],
                            "target": None})
    latest_recheck: dict[tuple[str, int], dict] = {}
    for r in conn.execute(
        "SELECT e.id, e.finding_id, e.event, e.visit_id, e.date, e.note, e.author, e.recorded_at, f.visit_id AS target, "
        "v.status AS v_status, v.date AS v_date, coalesce(v.submitted_at, v.created_at) AS v_ts, v.seq AS v_seq "
        "FROM findings f JOIN finding_events e ON e.finding_id = f.id LEFT JOIN visits v ON v.id = e.visit_id "
        "WHERE f.school_code = ? AND f.item_id = ? AND ((e.event = 'resolved' AND e.visit_id IS NULL) "
        "OR e.event IN ('recheck_passed', 'recheck_failed', 'recheck_withdrawn')) ORDER BY e.id",
        (school_code, item_id),
    ):
        if r["event"] == "resolved":
            entries.append({"key": (r["date"], r["recorded_at"], 1, r["id"]), "kind": _MANUAL, "visit": None,
                            "date": r["date"], "note": r["note"], "author": r["author"], "target": r["target"]})
        elif r["v_status"] == "submitted" and r["visit_id"] not in answered:
            latest_recheck[(r["visit_id"], r["finding_id"])] = r  # later events of the same pair win
    for r in latest_recheck.values():
        if r["event"] in ("recheck_passed", "recheck_failed"):
            entries.append({"key": (r["v_date"], r["v_ts"], 0, r["v_seq"]), "kind": r["event"], "visit": r["visit_id"],
                            "date": r["v_date"], "note": r["note"], "author": r["author"], "target": r["target"]})
    entries.sort(key=lambda e: e["key"])
    return entries


def simulate_point(conn, entries: list[dict], item_id: str) -> list[dict]:
    """The findings of one point as the timeline makes them (opening visit, dates, status, re-checks)."""
    findings: list[dict] = []
    current: dict | None = None
    opened_by: set[str] = set()
    for e in entries:
        kind = e["kind"]
        if kind in (_MANUAL, "recheck_passed", "recheck_failed"):
            # Acts on the finding it was recorded on while that finding is the current one; when that
            # finding no longer exists, on whatever finding of the point is current at its date.
            if current is None or (current["visit"] != e["target"] and e["target"] in opened_by):
                continue
        if kind == "fail" and current is None:
            checklist = _snapshot(conn, e["hash"]).checklist
            item = next(i for i in checklist.items if i.id == item_id)
            current = {
                "visit": e["visit"], "opened": e["date"], "checklist_id": checklist.id, "checklist_hash": e["hash"],
                "severity": item.severity,
                "due": due_date(e["date"], getattr(checklist.rectify_days, item.severity)),
                "note": e["note"], "status": "open", "resolved_on": None, "resolved_by_visit": None,
                "resolved_by": None, "resolve_note": None, "recheck_count": 0, "last_recheck": None,
            }
            findings.append(current)
            opened_by.add(e["visit"])
        elif kind in ("fail", "recheck_failed"):
            current["recheck_count"] += 1
            current["last_recheck"] = e["date"]
        elif current is not None and current["opened"] <= e["date"]:  # pass, recheck_passed, by hand
            current.update(status="resolved", resolved_on=e["date"], resolved_by_visit=e["visit"],
                           resolved_by=e["author"], resolve_note=e["note"])
            current = None
    return findings


_COMPARED = ("status", "due", "note", "recheck_count", "last_recheck", "resolved_on", "resolved_by_visit")
_RESOLUTION = ("status", "resolved_on", "resolved_by_visit")


def replay_point(conn, school_code: str, item_id: str, author: str | None, reason: str, *,
                 visit_id: str | None = None, day: str | None = None) -> dict[str, list[int]]:
    """Make the findings of one (school, point) what its whole timeline gives, inside the caller's transaction.

    Rows are matched by the visit that opened them: a matching row keeps its id and is updated where it
    differs (event 'replayed'); a finding the timeline gives without a row is inserted ('opened'); an open or
    resolved row the timeline no longer gives is withdrawn ('withdrawn'). Nothing is deleted. `visit_id` and
    `day` (the visit being corrected, if any) stamp the events.
    """
    day = day or dt.date.today().isoformat()
    simulated = simulate_point(conn, point_timeline(conn, school_code, item_id), item_id)
    rows = conn.execute(
        "SELECT * FROM findings WHERE school_code = ? AND item_id = ? AND status != 'withdrawn' ORDER BY id",
        (school_code, item_id),
    ).fetchall()
    wanted = {f["visit"]: f for f in simulated}
    by_visit: dict[str, sqlite3.Row] = {}
    changes: dict[str, list[int]] = {"withdrawn": [], "replayed": [], "opened": []}
    now = utc_now()
    # 1. rows the timeline no longer gives (closing them first keeps one open finding per point)
    for row in rows:
        if row["visit_id"] in wanted and row["visit_id"] not in by_visit:
            by_visit[row["visit_id"]] = row
        else:
            conn.execute("UPDATE findings SET status = 'withdrawn' WHERE id = ?", (row["id"],))
            _event(conn, row["id"], "withdrawn", visit_id, day, reason, author, now)
            changes["withdrawn"].append(row["id"])
    # 2. closed findings before the open one
    for f in sorted(simulated, key=lambda f: f["status"] == "open"):
        row = by_visit.get(f["visit"])
        if row is None:
            cur = conn.execute(
                "INSERT INTO findings (school_code, item_id, checklist_id, checklist_hash, severity, opened, due, status, "
                "visit_id, note, resolved_on, resolved_by_visit, resolve_note, resolved_by, recheck_count, last_recheck, "
                "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (school_code, item_id, f["checklist_id"], f["checklist_hash"], f["severity"], f["opened"], f["due"],
                 f["status"], f["visit"], f["note"], f["resolved_on"], f["resolved_by_visit"], f["resolve_note"],
                 f["resolved_by"], f["recheck_count"], f["last_recheck"], now),
            )
            _event(conn, cur.lastrowid, "opened", f["visit"], f["opened"], reason, author, now)
            changes["opened"].append(cur.lastrowid)
            continue
        if all(row[k] == f[k] for k in _COMPARED):
            continue
        fields = {k: f[k] for k in _COMPARED}
        if any(row[k] != f[k] for k in _RESOLUTION):  # a different resolution: its author and note too
            fields.update(resolved_by=f["resolved_by"], resolve_note=f["resolve_note"])
        conn.execute(
            f"UPDATE findings SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?", (*fields.values(), row["id"])
        )
        _event(conn, row["id"], "replayed", visit_id, day, reason, author, now)
        changes["replayed"].append(row["id"])
    return changes


# -- reading visits -----------------------------------------------------------------------------

def find_visit(store: Store, ref: str) -> sqlite3.Row:
    """A visit by its full id or a unique prefix of at least 8 characters."""
    ref = (ref or "").strip().lower()
    row = store.one("SELECT * FROM visits WHERE id = ?", (ref,))
    if row is not None:
        return row
    if len(ref) < 8 or not all(c in "0123456789abcdef-" for c in ref):
        raise NotFound(f"no visit {ref!r} (give the id or its first 8 characters)")
    rows = store.query("SELECT * FROM visits WHERE id >= ? AND id < ? LIMIT 6", (ref, ref + "\uffff"))
    if not rows:
        raise NotFound(f"no visit {ref!r}")
    if len(rows) > 1:
        raise Ambiguous(f"{ref!r} matches several visits; give more characters", [r["id"] for r in rows])
    return rows[0]


def latest_answers(conn, visit_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT a.* FROM answers a WHERE a.visit_seq = (SELECT seq FROM visits WHERE id = ?) AND a.revision = "
        "(SELECT max(b.revision) FROM answers b WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id) "
        "ORDER BY a.recorded_at, a.item_id",
        (visit_id,),
    ).fetchall()


def answer_history(conn, visit_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM answers WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?) ORDER BY item_id, revision",
        (visit_id,)
    ).fetchall()


def load_snapshot(conn, checklist_hash: str) -> Any:
    """The checklist version a visit was recorded against, from the database (never the YAML)."""
    from nanxian_cli.files.checklists import LoadedChecklist, checklist_from_snapshot

    content = conn.execute("SELECT content FROM checklist_versions WHERE hash = ?", (checklist_hash,)).fetchone()[0]
    return LoadedChecklist(checklist=checklist_from_snapshot(content), path=None, canonical=content, hash=checklist_hash)


def refresh_counts(conn, visit_id: str, checklist: Any) -> Tally:
    """Rewrite a visit's counts (and per-plan-item counts) from its latest answer revisions."""
    items = {item.id: item for item in checklist.items}
    t = tally(items, {r["item_id"]: r["outcome"] for r in latest_answers(conn, visit_id)})
    conn.execute(
        "UPDATE visits SET n_pass=?, n_fail=?, n_na=?, n_info=?, w_pass=?, w_fail=?, n_critical_fail=?, n_items=? WHERE id=?",
        (t.n_pass, t.n_fail, t.n_na, t.n_info, t.w_pass, t.w_fail, t.n_critical_fail, t.n_items, visit_id),
    )
    seq = visit_seq(conn, visit_id)
    conn.execute("DELETE FROM visit_plan_counts WHERE visit_seq = ?", (seq,))
    conn.executemany(
        "INSERT INTO visit_plan_counts (visit_seq, plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        [(seq, number, *counts) for number, counts in t.by_plan.items()],
    )
    return t


def append_answer(conn, visit_id: str, item_id: str, value: Any, outcome: str, note: str | None,
                  reason: str | None, author: str | None) -> int:
    seq = visit_seq(conn, visit_id)
    row = conn.execute(
        "SELECT coalesce(max(revision), 0) FROM answers WHERE visit_seq = ? AND item_id = ?", (seq, item_id)
    ).fetchone()
    revision = row[0] + 1
    conn.execute(
        "INSERT INTO answers (visit_seq, item_id, revision, value, outcome, note, reason, author, recorded_at) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (seq, item_id, revision, value_json(value), outcome, note, reason, author, utc_now()),
    )
    return revision


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# -- drafts, re-checks, amendments and voids (interactive entry and corrections) ------------------

_SNAPSHOT_CACHE: dict[str, Any] = {}


def _snapshot(conn, checklist_hash: str) -> Any:
    """load_snapshot, cached per process: a stored checklist version never changes."""
    loaded = _SNAPSHOT_CACHE.get(checklist_hash)
    if loaded is None:
        loaded = _SNAPSHOT_CACHE[checklist_hash] = load_snapshot(conn, checklist_hash)
    return loaded


def _visit_row(conn, visit_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
    if row is None:
        raise NotFound(f"no visit {visit_id!r}")
    return row


def _school_of(conn, school_code: str) -> dict:
    from nanxian_cli.store.schools import school_dict

    row = conn.execute(
        "SELECT code, name, town, stages, boarding, canteen, school_bus, ownership, grp FROM schools WHERE code = ?",
        (school_code,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no school {school_code!r}")
    return school_dict(row)


def start_draft(store: Store, school: dict, loaded: Any, date: dt.date, inspector: str,
                visit_id: str | None = None) -> str:
    """Create an empty visit with status `draft` (its checklist version saved) and return its id."""
    import uuid

    vid = visit_id or str(uuid.uuid4())
    with store.transaction() as conn:
        save_checklist_version(conn, loaded)
        conn.execute(
            "INSERT INTO visits (id, seq, school_code, checklist_id, checklist_hash, date, inspector, status, source, "
            "created_at) VALUES (?,?,?,?,?,?,?,'draft','interactive',?)",
            (vid, next_visit_seq(conn), school["code"], loaded.checklist.id, loaded.hash, date.isoformat(), inspector, utc_now()),
        )
    return vid


def record_draft_answer(store: Store, visit_id: str, item_id: str, value: Any, outcome: str, note: str | None,
                        author: str | None, reason: str | None = None) -> int:
    """Write one interactive answer (a new revision) and the visit's counts, in one transaction."""
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(f"visit {visit_id[:8]} is {visit['status']}, not a draft; use `nanxian inspect amend`")
        checklist = _snapshot(conn, visit["checklist_hash"]).checklist
        if item_id not in {item.id for item in checklist.items}:
            raise NotFound(f"{item_id!r} is not a point of checklist {checklist.id!r}")
        revision = append_answer(conn, visit_id, item_id, value, outcome, note, reason, author)
        refresh_counts(conn, visit_id, checklist)
    return revision


# A draft holds a fact once it has an answer or a re-check ("fixed? y/n"); until then it may be removed.
_DRAFT_HOLDS_FACTS = (
    "(EXISTS (SELECT 1 FROM answers a WHERE a.visit_seq = v.seq) "
    "OR EXISTS (SELECT 1 FROM finding_events e WHERE e.visit_id = v.id))"
)


def resumable_drafts(store: Store, school_code: str, checklist_id: str) -> list[sqlite3.Row]:
    """The drafts of this school with this checklist that hold answers (or re-checks), newest first."""
    return store.query(
        "SELECT v.* FROM visits v WHERE v.school_code = ? AND v.checklist_id = ? AND v.status = 'draft' "
        f"AND {_DRAFT_HOLDS_FACTS} ORDER BY v.created_at DESC, v.seq DESC",
        (school_code, checklist_id),
    )


def find_resumable_draft(store: Store, school_code: str, checklist_id: str) -> sqlite3.Row | None:
    """The latest draft of this school with this checklist that holds answers, or None (empty ones are skipped)."""
    drafts = resumable_drafts(store, school_code, checklist_id)
    return drafts[0] if drafts else None


def _draft_is_empty(conn, visit_id: str) -> bool:
    return conn.execute(
        f"SELECT NOT {_DRAFT_HOLDS_FACTS} AND NOT EXISTS (SELECT 1 FROM findings f "
        "WHERE f.visit_id = v.id OR f.resolved_by_visit = v.id) FROM visits v WHERE v.id = ?", (visit_id,)
    ).fetchone()[0] == 1


def remove_empty_draft(store: Store, visit_id: str) -> bool:
    """Delete a draft that holds no fact (no answer, no re-check); True if it was removed.

    Drafts are the only visits ever deleted, and only empty ones: nothing else refers to them and the
    append-only answers are not touched. Anything holding a fact is kept.
    """
    with store.transaction() as conn:
        row = conn.execute("SELECT seq, status FROM visits WHERE id = ?", (visit_id,)).fetchone()
        if row is None or row["status"] != "draft" or not _draft_is_empty(conn, visit_id):
            return False
        _delete_draft(conn, visit_id, row["seq"])
    return True


def _delete_draft(conn, visit_id: str, seq: int) -> None:
    conn.execute("DELETE FROM visit_plan_counts WHERE visit_seq = ?", (seq,))  # derived counts, none in practice
    conn.execute("DELETE FROM visits WHERE id = ? AND status = 'draft'", (visit_id,))


def discard_draft(store: Store, visit_id: str, reason: str, author: str | None) -> dict:
    """Give up a draft: an empty one is deleted; one with answers is kept as void with the reason (never counted)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("--reason: say why the draft is given up")
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(f"visit {visit_id[:8]} is {visit['status']}, not a draft")
        answered = conn.execute("SELECT count(DISTINCT item_id) FROM answers WHERE visit_seq = ?",
                                (visit["seq"],)).fetchone()[0]
        if _draft_is_empty(conn, visit_id):
            _delete_draft(conn, visit_id, visit["seq"])
            return {"id": visit_id, "status": "removed", "reason": reason, "answers": 0}
        conn.execute(
            "UPDATE visits SET status = 'void', void_reason = ?, voided_at = ?, voided_by = ? WHERE id = ?",
            (reason, utc_now(), author, visit_id),
        )
    return {"id": visit_id, "status": "void", "reason": reason, "answers": answered}


RECHECK_EVENTS = ("recheck_passed", "recheck_failed")


def record_recheck(store: Store, visit_id: str, finding_id: int, passed: bool, note: str | None,
                   author: str | None) -> None:
    """A draft's answer to "fixed?" for an open finding from another checklist; takes effect at submit.

    The latest answer per finding counts (going back writes a new event).
    """
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(f"visit {visit_id[:8]} is {visit['status']}, not a draft")
        row = conn.execute("SELECT status, school_code FROM findings WHERE id = ?", (finding_id,)).fetchone()
        if row is None or row["school_code"] != visit["school_code"]:
            raise NotFound(f"no finding #{finding_id} at this school")
        _event(conn, finding_id, "recheck_passed" if passed else "recheck_failed", visit_id, visit["date"], note, author)


def draft_rechecks(store: Store, visit_id: str) -> dict[int, str]:
    """finding id -> latest re-check event this visit recorded (recheck_passed | recheck_failed)."""
    return dict(_latest_rechecks(store.conn, visit_id))


def _latest_rechecks(conn, visit_id: str) -> list[tuple[int, str]]:
    """Per finding, this visit's latest re-check event: recheck_passed | recheck_failed | recheck_withdrawn
    (an amendment or void that undid the re-check)."""
    events = (*RECHECK_EVENTS, "recheck_withdrawn")
    rows = conn.execute(
        "SELECT e.finding_id, e.event FROM finding_events e WHERE e.visit_id = ? AND e.event IN (?, ?, ?) AND e.id = "
        "(SELECT max(f.id) FROM finding_events f WHERE f.visit_id = e.visit_id AND f.finding_id = e.finding_id "
        " AND f.event IN (?, ?, ?)) ORDER BY e.finding_id",
        (visit_id, *events, *events),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def submit_draft(store: Store, visit_id: str, author: str | None, *, again: bool = False) -> None:
    """Submit a draft: status, time, findings from its latest answers and its re-checks, in one transaction.

    Refused (DuplicateVisit, the draft kept) when a submitted twin exists (see `record_visit`), unless `again`."""
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] != "draft":
            raise InputError(f"visit {visit_id[:8]} is {visit['status']}, not a draft")
        if not again:
            refuse_duplicate(conn, visit["school_code"], visit["checklist_id"], visit["date"], visit["inspector"],
                             exclude=visit_id)
        checklist = _snapshot(conn, visit["checklist_hash"]).checklist
        latest = latest_answers(conn, visit_id)
        day = visit["date"]
        out_of_order = day < latest_check_date(conn, visit["school_code"], exclude_visit=visit_id)
        conn.execute("UPDATE visits SET status = 'submitted', submitted_at = ? WHERE id = ?", (utc_now(), visit_id))
        answered = {r["item_id"] for r in latest}
        if out_of_order:
            # Dated before later checks of this school: replay every point it checked or re-checked.
            points = {r["item_id"] for r in latest if r["outcome"] in ("pass", "fail")}
            for finding_id, _ in _latest_rechecks(conn, visit_id):
                points.add(conn.execute("SELECT item_id FROM findings WHERE id = ?", (finding_id,)).fetchone()[0])
            for item_id in sorted(points):
                replay_point(conn, visit["school_code"], item_id, author, f"visit of {day} submitted after later checks",
                             visit_id=visit_id, day=day)
            refresh_counts(conn, visit_id, checklist)
            return
        # Re-checks of findings from other checklists (answered "fixed? y/n" during the visit).
        for finding_id, event in _latest_rechecks(conn, visit_id):
            f = conn.execute("SELECT item_id, status, opened FROM findings WHERE id = ?", (finding_id,)).fetchone()
            if f is None or f["status"] != "open" or f["item_id"] in answered:
                continue
            if event == "recheck_passed" and f["opened"] <= day:
                conn.execute(
                    "UPDATE findings SET status = 'resolved', resolved_on = ?, resolved_by_visit = ?, resolved_by = ? "
                    "WHERE id = ?",
                    (day, visit_id, author, finding_id),
                )
                _event(conn, finding_id, "resolved", visit_id, day, None, author)
            elif event == "recheck_failed":
                conn.execute(
                    "UPDATE findings SET recheck_count = recheck_count + 1, last_recheck = ? WHERE id = ?",
                    (day, finding_id),
                )
        apply_findings(conn, visit_id, visit["school_code"], dt.date.fromisoformat(day), checklist,
                       {r["item_id"]: (r["outcome"], r["note"]) for r in latest}, author)
        refresh_counts(conn, visit_id, checklist)


def _reopen(conn, finding_id: int, visit_id: str, day: str, note: str | None, author: str | None) -> bool:
    """Reopen a resolved finding unless another finding for that school and point is open."""
    f = conn.execute("SELECT school_code, item_id FROM findings WHERE id = ?", (finding_id,)).fetchone()
    if conn.execute(
        "SELECT 1 FROM findings WHERE school_code = ? AND item_id = ? AND status = 'open'", (f[0], f[1])
    ).fetchone():
        return False
    conn.execute(
        "UPDATE findings SET status = 'open', resolved_on = NULL, resolved_by_visit = NULL, resolved_by = NULL, "
        "resolve_note = NULL WHERE id = ?",
        (finding_id,),
    )
    _event(conn, finding_id, "reopened", visit_id, day, note, author)
    return True


def _withdraw(conn, finding_id: int, visit_id: str, day: str, note: str | None, author: str | None) -> None:
    conn.execute("UPDATE findings SET status = 'withdrawn' WHERE id = ?", (finding_id,))
    _event(conn, finding_id, "withdrawn", visit_id, day, note, author)


def _undo_recheck(conn, finding_id: int, visit_id: str, day: str, note: str | None, author: str | None) -> None:
    conn.execute(
        "UPDATE findings SET recheck_count = max(recheck_count - 1, 0), "
        "last_recheck = CASE WHEN recheck_count > 1 THEN last_recheck END WHERE id = ?",
        (finding_id,),
    )
    _event(conn, finding_id, "recheck_withdrawn", visit_id, day, note, author)


def _follow_findings(conn, visit: sqlite3.Row, checklist: Any, item_id: str, old: str | None, new: str,
                     note: str | None, reason: str, author: str | None) -> None:
    """Make a submitted visit's findings what they would be had `new` been the answer all along."""
    if old == new:
        return
    vid, code, day = visit["id"], visit["school_code"], visit["date"]
    why = f"amended: {reason}"
    # 1. undo what the old answer did
    if old == "fail":
        own = conn.execute(
            "SELECT id FROM findings WHERE visit_id = ? AND item_id = ? AND status != 'withdrawn'", (vid, item_id)
        ).fetchone()
        if own is not None:
            _withdraw(conn, own[0], vid, day, why, author)
        else:
            other = conn.execute(
                "SELECT id FROM findings WHERE school_code = ? AND item_id = ? AND status = 'open' AND visit_id != ?",
                (code, item_id, vid),
            ).fetchone()
            if other is not None and dict(_latest_rechecks(conn, vid)).get(other[0]) == "recheck_failed":
                _undo_recheck(conn, other[0], vid, day, why, author)
    elif old == "pass":
        resolved = conn.execute(
            "SELECT id FROM findings WHERE resolved_by_visit = ? AND item_id = ? AND status = 'resolved'", (vid, item_id)
        ).fetchone()
        if resolved is not None:
            _reopen(conn, resolved[0], vid, day, why, author)
    # 2. apply the new one, exactly as a submitted visit does
    if new in ("pass", "fail"):
        apply_findings(conn, vid, code, dt.date.fromisoformat(day), checklist, {item_id: (new, note)}, author)


def amend_answer(store: Store, visit_id: str, item_id: str, raw: Any, reason: str, author: str | None,
                 note: str | None = None) -> dict:
    """Correct one answer: a new revision judged against the visit's stored checklist version.

    Counts and (for a submitted visit) findings follow; points whose `when` no longer holds get an `na` revision.
    """
    from nanxian_cli.core.answers import AnswerError, Outcome, judge
    from nanxian_cli.core.applicability import applies, when_met

    reason = (reason or "").strip()
    if not reason:
        raise InputError("--reason: say why the answer is corrected")
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] == "void":
            raise InputError(f"visit {visit_id[:8]} is void; a void visit cannot be amended")
        checklist = _snapshot(conn, visit["checklist_hash"]).checklist
        items = {item.id: item for item in checklist.items}
        item = items.get(item_id)
        if item is None:
            raise NotFound(f"{item_id!r} is not a point of checklist {checklist.id!r} (version {checklist.version})")
        school = _school_of(conn, visit["school_code"])
        latest = {r["item_id"]: r for r in latest_answers(conn, visit_id)}
        values = {k: Outcome(decode_value(r["value"]), r["outcome"]) for k, r in latest.items()}
        if not applies(item, school):
            raise InputError(f"{item_id}: this point does not apply to {school['name']}; it stays na")
        if not when_met(item, values):
            raise InputError(f"{item_id}: its condition ({item.when.item} = {item.when.equals}) is not met; amend {item.when.item} first")
        try:
            result = judge(item, raw)
        except AnswerError as exc:
            raise InputError(f"{item_id}: {pick(exc.words)}") from None
        submitted = visit["status"] == "submitted"
        old = latest.get(item_id)
        new_note = note if note is not None else (old["note"] if old is not None else None)
        if (old is not None and old["outcome"] == result.outcome and _same_value(decode_value(old["value"]), result.value)
                and (old["note"] or None) == (new_note or None)):
            from nanxian_cli.i18n import tr

            raise InputError(tr(f"{item_id}：回答和备注与当前一致（{old['outcome']}），无需修改；未写入任何内容",
                                f"{item_id}: nothing to change: the answer and note are what it already has "
                                f"({old['outcome']}); nothing was written"))
        changed = []

        def write(target: str, value: Any, outcome: str, why: str, note_: str | None) -> None:
            before = latest[target]["outcome"] if target in latest else None
            revision = append_answer(conn, visit_id, target, value, outcome, note_, why, author)
            changed.append({"item": target, "from": before, "to": outcome, "revision": revision, "reason": why})
            values[target] = Outcome(value, outcome)
            if submitted:
                _follow_findings(conn, visit, checklist, target, before, outcome, note_, why, author)

        write(item_id, result.value, result.outcome, reason, new_note)
        # Skip logic: points that depend (directly or not) on the amended one.
        depends = {item_id}
        needs_answer = []
        for other in checklist.items:
            if other.when is None or other.when.item not in depends:
                continue
            depends.add(other.id)
            current = latest.get(other.id)
            if not applies(other, school):
                continue
            if not when_met(other, values):
                if current is None or current["outcome"] != "na":
                    write(other.id, None, "na", f"skip logic: {item_id} amended ({reason})",
                          current["note"] if current is not None else None)
            elif current is None or (current["outcome"] == "na" and not other.allow_na):
                needs_answer.append(other.id)
        if submitted:
            for target in dict.fromkeys(c["item"] for c in changed):
                replay_point(conn, visit["school_code"], target, author, f"amended: {reason}",
                             visit_id=visit_id, day=visit["date"])
        t = refresh_counts(conn, visit_id, checklist)
    return {
        "visit": visit_id, "item": item_id, "value": result.value, "outcome": result.outcome,
        "revisions": changed, "needs_answer": needs_answer, "status": visit["status"],
        "counts": {"pass": t.n_pass, "fail": t.n_fail, "na": t.n_na, "info": t.n_info},
        "compliance_rate": t.compliance_rate, "score": t.score,
    }


def _same_value(a: Any, b: Any) -> bool:
    """The same answer value (50 and 50.0 are the same number; True is not the number 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def void_visit(store: Store, visit_id: str, reason: str, author: str | None) -> dict:
    """Mark a visit void (never deleted): findings it opened are withdrawn, those it resolved reopened."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("--reason: say why the visit is void")
    withdrawn, reopened, rechecks, replayed = [], [], [], []
    with store.transaction() as conn:
        visit = _visit_row(conn, visit_id)
        if visit["status"] == "void":
            raise InputError(f"visit {visit_id[:8]} is already void")
        day = visit["date"]
        why = f"visit void: {reason}"
        conn.execute(
            "UPDATE visits SET status = 'void', void_reason = ?, voided_at = ?, voided_by = ? WHERE id = ?",
            (reason, utc_now(), author, visit_id),
        )
        if visit["status"] == "submitted":
            for (fid,) in conn.execute(
                "SELECT id FROM findings WHERE visit_id = ? AND status != 'withdrawn' ORDER BY id", (visit_id,)
            ).fetchall():
                _withdraw(conn, fid, visit_id, day, why, author)
                withdrawn.append(fid)
            for (fid,) in conn.execute(
                "SELECT id FROM findings WHERE resolved_by_visit = ? AND status = 'resolved' ORDER BY id", (visit_id,)
            ).fetchall():
                if _reopen(conn, fid, visit_id, day, why, author):
                    reopened.append(fid)
            for fid, event in _latest_rechecks(conn, visit_id):
                f = conn.execute("SELECT visit_id FROM findings WHERE id = ?", (fid,)).fetchone()
                if event == "recheck_failed" and f["visit_id"] != visit_id:
                    _undo_recheck(conn, fid, visit_id, day, why, author)
                    rechecks.append(fid)
            # Later checks of every point this visit checked or re-checked now follow without it.
            points = {r["item_id"] for r in latest_answers(conn, visit_id) if r["outcome"] in ("pass", "fail")}
            points.update(r[0] for r in conn.execute(
                "SELECT DISTINCT f.item_id FROM finding_events e JOIN findings f ON f.id = e.finding_id "
                "WHERE e.visit_id = ?", (visit_id,)))
            for item_id in sorted(points):
                changes = replay_point(conn, visit["school_code"], item_id, author, why, visit_id=visit_id, day=day)
                withdrawn.extend(changes["withdrawn"])
                replayed.extend(changes["replayed"] + changes["opened"])
    return {"id": visit_id, "status": "void", "reason": reason, "withdrawn": withdrawn, "reopened": reopened,
            "rechecks_undone": rechecks, "replayed": sorted(set(replayed))}


# -- reading: visit lists, one visit in full, findings ----------------------------------------------

def _lang_col(base: str) -> str:
    from nanxian_cli.i18n import get_lang

    return f"{base}_{'zh' if get_lang() == 'zh' else 'en'}"


def _counts(row: Any) -> dict:
    return {"pass": row["n_pass"], "fail": row["n_fail"], "na": row["n_na"], "info": row["n_info"]}


def _visit_summary(row: Any) -> dict:
    from nanxian_cli.core.scoring import rate

    checked = row["w_pass"] + row["w_fail"]
    return {
        "id": row["id"], "school": row["school_code"], "school_name": row["school_name"],
        "checklist": row["checklist_id"], "checklist_hash": row["checklist_hash"],
        "checklist_title": row["checklist_title"], "checklist_version": row["checklist_version"],
        "date": row["date"], "inspector": row["inspector"], "status": row["status"],
        "counts": _counts(row), "compliance_rate": rate(row["n_pass"], row["n_fail"]),
        "score": None if checked == 0 else row["w_pass"] / checked,
        "critical_fails": row["n_critical_fail"], "points": row["n_items"], "source": row["source"],
        "created_at": row["created_at"], "submitted_at": row["submitted_at"],
        "void_reason": row["void_reason"], "voided_at": row["voided_at"], "voided_by": row["voided_by"],
    }


def _visit_select() -> str:
    title = _lang_col("title")
    return (
        f"SELECT v.*, s.name AS school_name, cv.{title} AS checklist_title, cv.version AS checklist_version "
        "FROM visits v JOIN schools s ON s.code = v.school_code JOIN checklist_versions cv ON cv.hash = v.checklist_hash"
    )


def list_visits(store: Store, school: str | None = None, inspector: str | None = None, checklist: str | None = None,
                date_from: dt.date | None = None, date_to: dt.date | None = None, status: str | None = None) -> list[dict]:
    """Visits, newest first; `school` is a school code."""
    where, params = [], []
    for sql, value in (("v.school_code = ?", school), ("v.inspector = ?", inspector), ("v.checklist_id = ?", checklist),
                       ("v.status = ?", status)):
        if value:
            where.append(sql)
            params.append(value)
    if date_from:
        where.append("v.date >= ?")
        params.append(date_from.isoformat())
    if date_to:
        where.append("v.date <= ?")
        params.append(date_to.isoformat())
    sql = _visit_select() + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY v.date DESC, v.created_at DESC"
    return [_visit_summary(r) for r in store.query(sql, params)]


SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END"


def _finding_select() -> str:
    text = _lang_col("text")
    return (
        f"SELECT f.*, s.name AS school_name, ci.{text} AS item_text, "
        "(SELECT a.value FROM answers a WHERE a.visit_seq = (SELECT fv.seq FROM visits fv WHERE fv.id = f.visit_id) "
        " AND a.item_id = f.item_id "
        " ORDER BY a.revision DESC LIMIT 1) AS answer_value "
        "FROM findings f JOIN schools s ON s.code = f.school_code "
        "LEFT JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id"
    )


def _status_as_of(row: Any, day: str) -> str:
    """A finding's status on `day`: open then even if resolved later (reports count it the same way)."""
    if row["status"] == "resolved" and (row["resolved_on"] or "") > day:
        return "open"
    return row["status"]


def _finding_dict(row: Any, as_of: dt.date) -> dict:
    status_then = _status_as_of(row, as_of.isoformat())
    overdue = status_then == "open" and row["due"] < as_of.isoformat()
    days = (as_of - dt.date.fromisoformat(row["due"])).days if overdue else 0
    return {
        "id": row["id"], "school": row["school_code"], "item": row["item_id"], "severity": row["severity"],
        "opened": row["opened"], "due": row["due"], "status": row["status"], "status_as_of": status_then,
        "as_of": as_of.isoformat(), "visit": row["visit_id"],
        "resolved_by": row["resolved_by_visit"],
        "school_name": row["school_name"], "item_text": row["item_text"], "checklist": row["checklist_id"],
        "overdue": overdue, "days_overdue": days, "resolved_on": row["resolved_on"],
        "resolved_by_name": row["resolved_by"], "resolve_note": row["resolve_note"],
        "recheck_count": row["recheck_count"], "last_recheck": row["last_recheck"], "note": row["note"],
        "answer": decode_value(row["answer_value"]),
    }


def list_findings(store: Store, school: str | None = None, status: str | None = None, severity: str | None = None,
                  as_of: dt.date | None = None) -> list[dict]:
    """Findings as they stood on `as_of`, critical first then by due date. `status` may be open | overdue |
    resolved | withdrawn; without it every finding except withdrawn ones. A finding opened after `as_of`
    is not listed, and one resolved after it counts as open then, as in the reports."""
    as_of = as_of or dt.date.today()
    day = as_of.isoformat()
    where, params = ["f.opened <= ?"], [day]
    if school:
        where.append("f.school_code = ?")
        params.append(school)
    open_then = "(f.status = 'open' OR (f.status = 'resolved' AND f.resolved_on > ?))"
    if status == "overdue":
        where.append(f"{open_then} AND f.due < ?")
        params.extend([day, day])
    elif status == "open":
        where.append(open_then)
        params.append(day)
    elif status == "resolved":
        where.append("f.status = 'resolved' AND f.resolved_on <= ?")
        params.append(day)
    elif status:
        where.append("f.status = ?")
        params.append(status)
    else:  # withdrawn findings (amended or voided visits) are shown only when asked for
        where.append("f.status != 'withdrawn'")
    if severity:
        where.append("f.severity = ?")
        params.append(severity)
    sql = (_finding_select() + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {SEVERITY_ORDER}, f.due, f.id")
    return [_finding_dict(r, as_of) for r in store.query(sql, params)]


def visit_detail(store: Store, visit_id: str, as_of: dt.date | None = None) -> dict:
    """One visit in full: the visit shape, every point's latest answer with its revisions, its findings."""
    as_of = as_of or dt.date.today()
    row = store.one(_visit_select() + " WHERE v.id = ?", (visit_id,))
    if row is None:
        raise NotFound(f"no visit {visit_id!r}")
    detail = _visit_summary(row)
    text = _lang_col("text")
    items = store.query(
        f"SELECT item_id, position, type, severity, weight, {text} AS text FROM checklist_items WHERE hash = ? ORDER BY position",
        (row["checklist_hash"],),
    )
    history: dict[str, list[dict]] = {}
    for a in answer_history(store.conn, visit_id):
        history.setdefault(a["item_id"], []).append({
            "revision": a["revision"], "value": decode_value(a["value"]), "outcome": a["outcome"], "note": a["note"],
            "reason": a["reason"], "author": a["author"], "recorded_at": a["recorded_at"],
        })
    answers, missing = [], []
    for it in items:
        revisions = history.get(it["item_id"])
        if not revisions:
            missing.append(it["item_id"])
            continue
        last = revisions[-1]
        answers.append({
            "item": it["item_id"], "text": it["text"], "type": it["type"], "severity": it["severity"],
            "weight": it["weight"], "value": last["value"], "outcome": last["outcome"], "note": last["note"],
            "revisions": revisions,
        })
    detail["answers"] = answers
    detail["missing"] = missing
    findings = []
    for f in store.query(
        _finding_select() + " WHERE f.visit_id = ? OR f.resolved_by_visit = ? OR f.id IN "
        "(SELECT finding_id FROM finding_events WHERE visit_id = ?) ORDER BY " + SEVERITY_ORDER + ", f.due, f.id",
        (visit_id, visit_id, visit_id),
    ):
        d = _finding_dict(f, as_of)
        d["relation"] = ("opened" if f["visit_id"] == visit_id else
                         "resolved" if f["resolved_by_visit"] == visit_id else "rechecked")
        findings.append(d)
    detail["findings"] = findings
    return detail
