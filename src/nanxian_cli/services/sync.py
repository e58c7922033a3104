"""Sync: facts travel between databases in bundles (DESIGN "Sync", docs/sync.md).

Export writes the facts made on or imported into this database since its last export (or all, or since a
day; or, for laptops, a reference bundle of the roster and the open findings' timelines). Import checks the
whole bundle first (files/bundles.py), then applies it in one transaction: facts already here are skipped,
conflicts are kept (never dropped), facts whose base has not arrived are held until it does, and the
findings of every touched point are derived again by the engine. Importing twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.clock import utc_now
from nanxian_cli.core.ids import new_uid, revision_uid
from nanxian_cli.core.revisions import Revision, current
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError, NotFound
from nanxian_cli.store import findings as finding_sql
from nanxian_cli.store import meta
from nanxian_cli.store import sync as sql
from nanxian_cli.store import visits as visit_sql
from nanxian_cli.store.db import Store

SINCE_KEYWORDS = ("last", "all")


# -- export ----------------------------------------------------------------------------------------------------

def export_bundle(store: Store, output: Path, *, since: str = "last", reference: bool = False, device_name: str,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Write a bundle to `output` (atomically, 0600) and record it in the ledger; returns its manifest."""
    from nanxian_cli.files.bundles import BundleWriter

    conn = store.conn
    device = meta.device_id(conn)
    writer = BundleWriter(output)
    try:
        conn.execute("BEGIN")  # one snapshot for everything read: the mark and the facts agree
        try:
            mark = sql.change_mark(conn)
            previous_export = sql.last_export(conn)
            if reference:
                first_day, findings = reference_cut(sql.findings_of_schools_with_open(conn))
                visits = sql.visits_changed(conn, ids=sql.visits_from(conn, first_day, findings))
                actions = sql.actions_changed(conn, findings=findings)
                since_text = "reference"
            elif since == "all" or (since == "last" and previous_export is None):
                visits = sql.visits_changed(conn)
                actions = sql.actions_changed(conn)
                since_text = "all"
            elif since == "last":
                above = previous_export["watermark"] or 0
                visits = sql.visits_changed(conn, above=above)
                actions = sql.actions_changed(conn, above=above)
                since_text = "last"
            else:
                visits = sql.visits_changed(conn, since_day=since)
                actions = sql.actions_changed(conn, since_day=since)
                since_text = since
            visits = [v for v in visits if v["submitted_at"] is not None]  # a discarded draft is no fact
            _write_catalog(conn, writer, visits, actions, reference)
            total = len(visits)
            by_seq = {v["seq"]: v for v in visits}
            written = 0
            last_seq = None
            for row in sql.revisions_of_visits(conn, list(by_seq)):
                seq = row[0]
                v = by_seq[seq]
                if seq != last_seq:
                    if last_seq is not None:
                        _void_record(writer, by_seq[last_seq])
                        written += 1
                        if progress is not None and written % 200 == 0:
                            progress(written, total)
                    writer.write(_visit_record(v))
                    last_seq = seq
                writer.write(_revision_record(v, row))
            if last_seq is not None:
                _void_record(writer, by_seq[last_seq])
            for seq, v in by_seq.items():  # visits without a single answer (none are made, but be whole)
                if not _has_answers(conn, seq):
                    writer.write(_visit_record(v))
                    _void_record(writer, v)
            for a in actions:
                writer.write(_action_record(a))
        finally:
            conn.execute("COMMIT")
        if progress is not None:
            progress(total, total)
        uid = new_uid()
        now = utc_now()
        previous = sql.previous_bundle(conn)
        manifest = writer.close({
            "bundle": uid, "device": {"id": device, "name": device_name}, "created_at": now, "since": since_text,
            "reference": reference, "previous": previous,
        })
    except BaseException:
        writer.abort()
        raise
    with store.transaction() as tx:
        sql.record_bundle(tx, {
            "uid": uid, "direction": "export", "reference": int(reference), "device": device,
            "device_name": device_name, "created_at": now, "since": since_text, "watermark": mark,
            "previous": previous, "counts": manifest["counts"], "file_sha256": _file_sha256(output),
            "file_name": output.name, "at": now,
        })
    return manifest


def reference_cut(findings: list) -> tuple[dict[str, str], list[str]]:
    """Where a reference bundle's history of each school starts, and the findings it carries.

    A laptop derives findings itself, so every point of the visits it gets needs its timeline from a day on
    which nothing was in progress at that school: start at the oldest open finding, and move back while a
    finding opened earlier was still in progress on that day (resolved later, withdrawn, or open). Every
    finding opened on or after the start travels with its actions."""
    by_school: dict[str, list] = defaultdict(list)
    for f in findings:
        by_school[f["school_code"]].append(f)
    first_day: dict[str, str] = {}
    carried: list[str] = []
    for school, rows in by_school.items():
        day = min(f["opened"] for f in rows if f["status"] in ("open", "reported"))
        while True:
            alive = [f["opened"] for f in rows if f["opened"] < day and (
                f["status"] != "resolved" or (f["resolved_on"] or "") >= day)]
            if not alive:
                break
            day = min(alive)
        first_day[school] = day
        carried += [f["uid"] for f in rows if f["opened"] >= day]
    return first_day, carried


def _has_answers(conn: sqlite3.Connection, seq: int) -> bool:
    return conn.execute("SELECT 1 FROM answers WHERE visit_seq = ? LIMIT 1", (seq,)).fetchone() is not None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_catalog(conn: sqlite3.Connection, writer: Any, visits: list, actions: list, reference: bool) -> None:
    """What the facts refer to, before them: checklist versions, schools, supervisors (and assignments)."""
    for row in sql.checklist_versions(conn, {v["checklist_hash"] for v in visits}):
        writer.write({"kind": "checklist", "hash": row["hash"], "content": row["content"]})
    codes = None if reference else {v["school_code"] for v in visits} | {a["school_code"] for a in actions}
    for s in sql.schools(conn, codes):
        writer.write({"kind": "school", "code": s["code"], "name": s["name"], "town": s["town"],
                      "stages": s["stages"].split(), "boarding": bool(s["boarding"]), "canteen": bool(s["canteen"]),
                      "school_bus": bool(s["school_bus"]), "ownership": s["ownership"], "group": s["grp"]})
    names = None if reference else ({v["inspector"] for v in visits} | {a["author"] for a in actions if a["author"]}
                                    | sql.authors_of(conn, [v["seq"] for v in visits]))
    for i in sql.inspectors(conn, names):
        writer.write({"kind": "inspector", "name": i["name"], "phone": i["phone"]})
    if reference:
        for school, name, since in sql.assignments(conn):
            writer.write({"kind": "assignment", "school": school, "inspector": name, "since": since})


def _visit_record(v: sqlite3.Row) -> dict:
    return {"kind": "visit", "id": v["id"], "school": v["school_code"], "checklist": v["checklist_id"],
            "checklist_hash": v["checklist_hash"], "date": v["date"], "inspector": v["inspector"],
            "source": v["source"], "created_at": v["created_at"], "submitted_at": v["submitted_at"],
            "device": v["device"]}


def _void_record(writer: Any, v: sqlite3.Row) -> None:
    if v["status"] == "void":
        writer.write({"kind": "void", "visit": v["id"], "reason": v["void_reason"] or "", "at": v["voided_at"] or "",
                      "by": v["voided_by"], "device": v["void_device"] or v["device"]})


def _revision_record(v: sqlite3.Row, row: tuple) -> dict:
    _, item, revision, value, outcome, note, reason, author, recorded_at, uid, base, device, fixed = row
    return {"kind": "revision", "uid": uid or revision_uid(v["id"], item, revision), "base": base,
            "visit": v["id"], "item": item, "value": None if value is None else json.loads(value),
            "outcome": outcome, "note": note, "reason": reason, "author": author, "device": device or v["device"],
            "recorded_at": recorded_at, "fixed_on_site": bool(fixed)}


def _action_record(a: sqlite3.Row) -> dict:
    return {"kind": "action", "uid": a["uid"], "finding": a["finding"], "opened_by_visit": a["opened_by_visit"],
            "opened_by_item": a["opened_by_item"], "school": a["school_code"], "point_key": a["point_key"],
            "action": a["kind"], "date": a["date"], "text": a["text"], "due": a["due"], "visit": a["visit_id"],
            "passed": None if a["passed"] is None else bool(a["passed"]), "on_site": bool(a["on_site"]),
            "author": a["author"], "device": a["device"], "recorded_at": a["recorded_at"]}


# -- import ------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    bundle: str
    file: str
    device: dict
    created_at: str
    reference: bool
    already: bool = False
    new: dict[str, int] = field(default_factory=lambda: {"visits": 0, "revisions": 0, "events": 0, "voids": 0,
                                                         "evidence": 0, "checklists": 0, "schools": 0,
                                                         "inspectors": 0, "assignments": 0})
    skipped: int = 0
    held: int = 0
    released: int = 0
    conflicts: list[dict] = field(default_factory=list)
    new_schools: list[str] = field(default_factory=list)
    school_differences: list[dict] = field(default_factory=list)
    findings_touched: int = 0

    def as_json(self) -> dict:
        return {"bundle": self.bundle, "file": self.file, "device": self.device, "created_at": self.created_at,
                "reference": self.reference, "already_imported": self.already, "new": self.new,
                "skipped": self.skipped, "held": self.held, "released": self.released, "conflicts": self.conflicts,
                "new_schools": self.new_schools, "school_differences": self.school_differences}


_VOID_STANDS = "void stands"


class _Importer:
    """One bundle applied inside one transaction."""

    def __init__(self, conn: sqlite3.Connection, result: ImportResult, now: str) -> None:
        self.conn = conn
        self.r = result
        self.now = now
        self.bundle = result.bundle
        self.visits: dict[str, dict] = {}     # visit id -> {seq, row, uids: {uid: (item, rev, base, at)}, ...}
        self.conflicted: set[str] = set()     # visits whose header conflicts: their facts from this bundle skipped
        self.touched_current: set[tuple[int, str]] = set()
        self.touched_visits: set[str] = set()
        self.touched_points: dict[str, set[str]] = defaultdict(set)
        self.items: dict[str, dict[str, Any]] = {}  # checklist hash -> {item id: item}
        self.keys: dict[str, dict[str, str]] = {}   # checklist hash -> {item id: point key}

    # -- what is known here --
    def visit(self, visit_id: str) -> dict | None:
        known = self.visits.get(visit_id)
        if known is None:
            row = sql.visit_by_id(self.conn, visit_id)
            if row is None:
                return None
            known = {"row": row, "seq": row["seq"], "uids": {}, "revs": defaultdict(int)}
            for r in sql.revisions_here(self.conn, row["seq"]):
                uid = r["uid"] or revision_uid(visit_id, r["item_id"], r["revision"])
                known["uids"][uid] = (r["item_id"], r["revision"], r["base"], r["recorded_at"])
                known["revs"][r["item_id"]] = max(known["revs"][r["item_id"]], r["revision"])
            self.visits[visit_id] = known
        return known

    def checklist_items(self, checklist_hash: str) -> dict[str, Any]:
        items = self.items.get(checklist_hash)
        if items is None:
            from nanxian_cli.core.findings import point_key
            from nanxian_cli.services.catalog import snapshot

            checklist = snapshot(self.conn, checklist_hash).checklist
            items = self.items[checklist_hash] = {item.id: item for item in checklist.items}
            self.keys[checklist_hash] = {item.id: point_key(checklist.id, item) for item in checklist.items}
        return items

    def conflict(self, kind: str, subject: str, visit_id: str | None, item_id: str | None, detail: dict,
                 device: str | None, settled: str | None = None) -> None:
        if sql.add_conflict(self.conn, kind=kind, subject=subject, visit_id=visit_id, item_id=item_id, detail=detail,
                            bundle=self.bundle, device=device, now=self.now, settled=settled):
            self.r.conflicts.append({"kind": kind, "visit": visit_id, "item": item_id, **detail})

    def hold(self, record: dict, uid: str, waits_for: str, where: str) -> None:
        if sql.hold(self.conn, uid, record["kind"], waits_for, record, self.bundle, self.now):
            self.r.held += 1
            self.conflict("held", uid, record.get("visit"), record.get("item"),
                          {"fact": record["kind"], "uid": uid, "waits_for": waits_for, "where": where},
                          record.get("device"))
        else:
            self.r.skipped += 1

    # -- records --
    def apply(self, record: dict, where: str) -> bool:
        """Apply one record; False when it had to wait (held)."""
        kind = record["kind"]
        return getattr(self, f"_{kind}")(record, where)

    def _checklist(self, rec: dict, where: str) -> bool:
        from nanxian_cli.files.checklists import LoadedChecklist, checklist_from_snapshot
        from nanxian_cli.files.yaml import content_hash
        from nanxian_cli.services.catalog import save_checklist

        if content_hash(rec["content"]) != rec["hash"]:
            raise InputError(Words(f"{where}：检查表内容与其校验值不符", f"{where}: the checklist content does not match its hash"))
        from nanxian_cli.store.checklists import has_checklist_version

        if has_checklist_version(self.conn, rec["hash"]):
            self.r.skipped += 1
            return True
        try:
            checklist = checklist_from_snapshot(rec["content"])
        except Exception as exc:  # noqa: BLE001 - a stored version this nanxian cannot read is bad input here
            raise InputError(Words(f"{where}：无法读取检查表版本（{exc}）", f"{where}: cannot read the checklist version ({exc})")) from None
        save_checklist(self.conn, LoadedChecklist(checklist=checklist, path=None, canonical=rec["content"],
                                                  hash=rec["hash"]), self.now)
        self.r.new["checklists"] += 1
        return True

    def _school(self, rec: dict, where: str) -> bool:
        stages = rec["stages"]
        if not isinstance(stages, list) or not all(isinstance(s, str) and s.isidentifier() for s in stages):
            raise InputError(Words(f"{where}：school.stages 应为学段列表", f"{where}: school.stages must be a list of stages"))
        initials = _initials(rec["name"])
        values = (rec["code"], rec["name"], rec["town"], " ".join(stages), int(rec["boarding"]), int(rec["canteen"]),
                  int(rec["school_bus"]), rec["ownership"], rec["group"], initials)
        old = sql.school_row(self.conn, rec["code"])
        if old is None:
            sql.insert_school(self.conn, values, self.now)
            self.r.new["schools"] += 1
            self.r.new_schools.append(rec["code"])
            return True
        names = ("code", "name", "town", "stages", "boarding", "canteen", "school_bus", "ownership", "grp")
        differs = {n: {"here": old[n], "bundle": v} for n, v in zip(names, values[:9], strict=True) if old[n] != v}
        if differs:
            self.r.school_differences.append({"school": rec["code"], "fields": differs})
        self.r.skipped += 1
        return True

    def _inspector(self, rec: dict, where: str) -> bool:
        if sql.inspector_exists(self.conn, rec["name"]):
            self.r.skipped += 1
        else:
            sql.insert_inspector(self.conn, rec["name"], rec["phone"], self.now)
            self.r.new["inspectors"] += 1
        return True

    def _assignment(self, rec: dict, where: str) -> bool:
        if not self.r.reference:
            raise InputError(Words(f"{where}：只有参考数据包才带责任督学分配", f"{where}: only a reference bundle carries assignments"))
        if sql.school_row(self.conn, rec["school"]) is None or not sql.inspector_exists(self.conn, rec["inspector"]):
            raise InputError(Words(f"{where}：分配指向未知的学校或督学", f"{where}: the assignment names an unknown school or supervisor"))
        if sql.set_assignment(self.conn, rec["school"], rec["inspector"], rec["since"]):
            self.r.new["assignments"] += 1
        else:
            self.r.skipped += 1
        return True

    def _visit(self, rec: dict, where: str) -> bool:
        known = self.visit(rec["id"])
        header = (rec["school"], rec["checklist"], rec["checklist_hash"], rec["date"], rec["inspector"])
        if known is not None:
            row = known["row"]
            here = (row["school_code"], row["checklist_id"], row["checklist_hash"], row["date"], row["inspector"])
            if here != header:
                self.conflicted.add(rec["id"])
                names = ("school", "checklist", "checklist_hash", "date", "inspector")
                self.conflict("visit-header", rec["id"], rec["id"], None, {
                    "fields": {n: {"here": a, "bundle": b} for n, a, b in zip(names, here, header, strict=True)
                               if a != b}, "kept": "here"}, rec["device"])
            else:
                self.r.skipped += 1
            return True
        if sql.school_row(self.conn, rec["school"]) is None:
            raise InputError(Words(f"{where}：督导记录指向未知的学校 {rec['school']!r}",
                                   f"{where}: the visit names an unknown school {rec['school']!r}"))
        from nanxian_cli.store.checklists import has_checklist_version

        if not has_checklist_version(self.conn, rec["checklist_hash"]):
            raise InputError(Words(f"{where}：督导记录指向数据包中没有的检查表版本",
                                   f"{where}: the visit names a checklist version the bundle does not carry"))
        _check_day(rec["date"], f"{where}: visit.date")
        if not sql.inspector_exists(self.conn, rec["inspector"]):
            raise InputError(Words(f"{where}：督导记录的督学 {rec['inspector']!r} 未登记，数据包中也没有",
                                   f"{where}: the visit's supervisor {rec['inspector']!r} is registered neither "
                                   "here nor in the bundle"))
        visit_sql.insert_visit(self.conn, {
            "id": rec["id"], "seq": visit_sql.next_visit_seq(self.conn), "school_code": rec["school"],
            "checklist_id": rec["checklist"], "checklist_hash": rec["checklist_hash"], "date": rec["date"],
            "inspector": rec["inspector"], "status": "submitted", "source": rec["source"],
            "created_at": rec["created_at"], "submitted_at": rec["submitted_at"], "device": rec["device"],
        })
        self.visits.pop(rec["id"], None)
        self.visit(rec["id"])
        self.touched_visits.add(rec["id"])
        self.r.new["visits"] += 1
        return True

    def _revision(self, rec: dict, where: str) -> bool:
        vid = rec["visit"]
        known = self.visit(vid)
        if known is None:
            self.hold(rec, rec["uid"], f"visit:{vid}", where)
            return False
        if vid in self.conflicted:
            self.r.skipped += 1
            return True
        if rec["uid"] in known["uids"]:
            self.r.skipped += 1
            return True
        item_id, base = rec["item"], rec["base"]
        row = known["row"]
        items = self.checklist_items(row["checklist_hash"])
        item = items.get(item_id)
        if item is None:
            raise InputError(Words(f"{where}：{item_id!r} 不是该检查表版本的要点",
                                   f"{where}: {item_id!r} is not a point of the visit's checklist version"))
        _check_outcome(item, rec, where)
        if base is not None and base not in known["uids"]:
            self.hold(rec, rec["uid"], f"revision:{base}", where)
            return False
        siblings = [u for u, (it, _, b, _) in known["uids"].items() if it == item_id and b == base]
        revision = known["revs"][item_id] + 1
        derived = revision_uid(vid, item_id, revision)
        own_device = rec["device"] == row["device"]
        visit_sql.insert_answers(self.conn, [(
            row["seq"], item_id, revision, visit_sql.value_json(rec["value"]), rec["outcome"], rec["note"],
            rec["reason"], rec["author"], rec["recorded_at"], None if rec["uid"] == derived else rec["uid"], base,
            None if own_device else rec["device"], int(rec["fixed_on_site"]))])
        known["uids"][rec["uid"]] = (item_id, revision, base, rec["recorded_at"])
        known["revs"][item_id] = revision
        self.touched_current.add((row["seq"], item_id))
        self.touched_visits.add(vid)
        self.r.new["revisions"] += 1
        if siblings:
            self.conflict("parallel-edit", f"{vid}/{item_id}/{base or 'first'}", vid, item_id,
                          {"base": base, "revisions": sorted([*siblings, rec["uid"]])}, rec["device"])
        if row["status"] == "void" and base is not None:
            self.conflict("void-amend", f"{vid}/{rec['uid']}", vid, item_id,
                          {"revision": rec["uid"], "voided_at": row["voided_at"]}, rec["device"], settled=_VOID_STANDS)
        return True

    def _void(self, rec: dict, where: str) -> bool:
        vid = rec["visit"]
        known = self.visit(vid)
        if known is None:
            self.hold(rec, f"void:{vid}", f"visit:{vid}", where)
            return False
        if vid in self.conflicted:
            self.r.skipped += 1
            return True
        row = known["row"]
        if row["status"] == "void":
            # Voided on two databases: the earlier void is the one every database keeps (ties by device).
            here = (row["voided_at"] or "", row["void_device"] or row["device"] or "")
            if (rec["at"], rec["device"]) < here:
                visit_sql.mark_void(self.conn, vid, rec["reason"], rec["at"], rec["by"], rec["device"])
                known["row"] = sql.visit_by_id(self.conn, vid)
            else:
                self.r.skipped += 1
            return True
        visit_sql.mark_void(self.conn, vid, rec["reason"], rec["at"], rec["by"], rec["device"])
        amended = [u for u, (it, rev, base, at) in known["uids"].items() if base is not None and at > rec["at"]]
        for uid in amended:
            item = known["uids"][uid][0]
            self.conflict("void-amend", f"{vid}/{uid}", vid, item, {"revision": uid, "voided_at": rec["at"]},
                          rec["device"], settled=_VOID_STANDS)
        known["row"] = sql.visit_by_id(self.conn, vid)
        self.touched_visits.add(vid)
        self.r.new["voids"] += 1
        return True

    def _action(self, rec: dict, where: str) -> bool:
        if sql.action_exists(self.conn, rec["uid"]):
            self.r.skipped += 1
            return True
        for needed in (rec["opened_by_visit"], rec["visit"]):
            if needed is not None and self.visit(needed) is None:
                self.hold(rec, rec["uid"], f"visit:{needed}", where)
                return False
        if rec["action"] not in ("report", "resolve", "extend", "escalate", "withdraw", "reopen", "recheck"):
            raise InputError(Words(f"{where}：未知的整改动作 {rec['action']!r}", f"{where}: unknown finding action {rec['action']!r}"))
        if sql.school_row(self.conn, rec["school"]) is None:
            raise InputError(Words(f"{where}：整改动作指向未知的学校", f"{where}: the action names an unknown school"))
        _check_day(rec["date"], f"{where}: action.date")
        finding_sql.insert_action(self.conn, {
            "uid": rec["uid"], "finding": rec["finding"], "school_code": rec["school"], "point_key": rec["point_key"],
            "kind": rec["action"], "date": rec["date"], "text": rec["text"], "due": rec["due"],
            "visit_id": rec["visit"], "passed": None if rec["passed"] is None else int(rec["passed"]),
            "on_site": int(rec["on_site"]), "author": rec["author"], "device": rec["device"],
            "recorded_at": rec["recorded_at"],
        })
        self.touched_points[rec["school"]].add(rec["point_key"])
        self.r.new["events"] += 1
        return True

    # -- held facts --
    def release_held(self) -> None:
        """Apply every held fact whose base is now here (which may release others in turn)."""
        while True:
            progressed = False
            for row in sql.held(self.conn):
                record = json.loads(row["record"])
                kind, _, ref = row["waits_for"].partition(":")
                known = self.visit(ref if kind == "visit" else record.get("visit", ""))
                if known is None or (kind == "revision" and ref not in known["uids"]):
                    continue
                sql.release(self.conn, row["uid"])
                held_before = self.r.held
                if self.apply(record, f"held {record['kind']} {row['uid'][:8]}"):
                    sql.settle_by_subject(self.conn, "held", row["uid"], "applied", self.now)
                    self.r.released += 1
                    progressed = True
                self.r.held = held_before  # held again for something else is not a new held fact
            if not progressed:
                return

    # -- after the records --
    def finish(self) -> None:
        from nanxian_cli.services import derive
        from nanxian_cli.services.catalog import snapshot
        from nanxian_cli.services.recording import refresh_counts

        by_seq: dict[int, set[str]] = defaultdict(set)
        for seq, item_id in self.touched_current:
            by_seq[seq].add(item_id)
        for seq, item_ids in sorted(by_seq.items()):
            vid = self.conn.execute("SELECT id FROM visits WHERE seq = ?", (seq,)).fetchone()[0]
            per_item: dict[str, list[sqlite3.Row]] = defaultdict(list)
            for r in sql.revisions_here(self.conn, seq):
                if r["item_id"] in item_ids:
                    per_item[r["item_id"]].append(r)
            for item_id, rows in per_item.items():
                if len(rows) < 2:
                    continue  # a point's only revision is its current one (the default)
                uids = [r["uid"] or revision_uid(vid, item_id, r["revision"]) for r in rows]
                head = current(Revision(u, r["base"], r["recorded_at"]) for u, r in zip(uids, rows, strict=True))
                sql.set_current(self.conn, seq, item_id, rows[uids.index(head.uid)]["revision"])
        for vid in sorted(self.touched_visits):
            row = sql.visit_by_id(self.conn, vid)
            checklist = snapshot(self.conn, row["checklist_hash"]).checklist
            refresh_counts(self.conn, row, checklist)
            self.checklist_items(row["checklist_hash"])
            self.touched_points[row["school_code"]].update(self.keys[row["checklist_hash"]].values())
        for school, keys in sorted(self.touched_points.items()):
            derive.rebuild(self.conn, school, keys, self.now)
            self.r.findings_touched += len(keys)


def _initials(name: str) -> str:
    from nanxian_cli.core.names import pinyin_initials

    return pinyin_initials(name)


def _check_day(text: str, where: str) -> None:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(Words(f"{where}：{text!r} 不是日期", f"{where}: {text!r} is not a date (YYYY-MM-DD)")) from None


def _check_outcome(item: Any, rec: dict, where: str) -> None:
    """The outcome must be one an answer can have, and a pass or fail must follow from the value by the rule of
    the visit's own checklist version: a bundle cannot bring numbers the rules would not give."""
    from nanxian_cli.core.answers import AnswerError, judge

    outcome = rec["outcome"]
    if outcome not in ("pass", "fail", "na", "info"):
        raise InputError(Words(f"{where}：未知的结果 {outcome!r}", f"{where}: unknown outcome {outcome!r}"))
    if outcome in ("pass", "fail"):
        try:
            judged = judge(item, rec["value"]).outcome
        except AnswerError:
            judged = None
        if judged != outcome:
            raise InputError(Words(f"{where}：{rec['item']} 的结果 {outcome} 与回答 {rec['value']!r} 不符",
                                   f"{where}: {rec['item']}: outcome {outcome} does not follow from the answer "
                                   f"{rec['value']!r} under its checklist's rule"))


def import_bundle(store: Store, path: Path, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check a bundle whole, then apply it in one transaction (nothing written when anything is wrong)."""
    from nanxian_cli.files.bundles import open_bundle

    bundle = open_bundle(path, progress)
    try:
        m = bundle.manifest
        result = ImportResult(bundle=m["bundle"], file=path.name, device=m["device"], created_at=m["created_at"],
                              reference=m["reference"])
        counted: dict[str, int] = defaultdict(int)
        for _, record in bundle.records():  # a first pass: every record well formed, counts as declared
            counted[record["kind"]] += 1
        if dict(counted) != {k: v for k, v in m["counts"].items() if v}:
            raise InputError(Words(f"{path}：数据包的记录数与清单不符；未写入任何内容",
                                   f"{path}: the records do not match the manifest's counts; nothing was written"))
        now = utc_now()
        with store.transaction() as conn:
            if sql.imported(conn, m["bundle"]) is not None:
                result.already = True
                return result
            importer = _Importer(conn, result, now)
            for number, record in bundle.records():
                importer.apply(record, f"{path.name}: records.ndjson:{number}")
            importer.release_held()
            importer.finish()
            sql.record_bundle(conn, {
                "uid": m["bundle"], "direction": "import", "reference": int(m["reference"]),
                "device": m["device"]["id"], "device_name": m["device"]["name"], "created_at": m["created_at"],
                "since": m["since"], "watermark": None, "previous": m.get("previous"),
                "counts": {**result.new, "skipped": result.skipped, "held": result.held,
                           "conflicts": len(result.conflicts)},
                "file_sha256": bundle.sha256, "file_name": path.name, "at": now,
            })
        return result
    finally:
        bundle.close()


# -- status, conflicts, resolving ------------------------------------------------------------------------------

def status(store: Store, device_name: str) -> dict:
    conn = store.conn
    exports = sql.bundles(conn, "export")
    last = exports[-1] if exports else None
    return {
        "device": {"id": meta.device_id(conn), "name": device_name},
        "last_export": None if last is None else {"bundle": last["uid"], "at": last["at"], "file": last["file_name"],
                                                  "reference": bool(last["reference"]),
                                                  "counts": json.loads(last["counts"])},
        "imported": [{"bundle": b["uid"], "device": {"id": b["device"], "name": b["device_name"]},
                      "created_at": b["created_at"], "imported_at": b["at"], "file": b["file_name"],
                      "reference": bool(b["reference"]), "counts": json.loads(b["counts"])}
                     for b in sql.bundles(conn, "import")],
        "held": [{"uid": h["uid"], "fact": h["kind"], "waits_for": h["waits_for"], "held_at": h["held_at"]}
                 for h in sql.held(conn)],
        "open_conflicts": len(sql.conflicts(conn, open_only=True)),
    }


def conflict_list(store: Store, *, include_settled: bool = False) -> list[dict]:
    return [_conflict_dict(c) for c in sql.conflicts(store.conn, open_only=not include_settled)]


def _conflict_dict(c: sqlite3.Row) -> dict:
    return {"id": c["id"], "kind": c["kind"], "visit": c["visit_id"], "item": c["item_id"],
            "detail": json.loads(c["detail"]), "device": c["device"], "bundle": c["bundle"], "found_at": c["found_at"],
            "settled_at": c["settled_at"], "settlement": c["settlement"]}


def resolve_conflict(store: Store, conflict_id: int, keep: str, reason: str, author: str | None) -> dict:
    """Settle a parallel edit by recording the kept revision's answer again as a new revision replacing the
    current one (a fact that travels like any other)."""
    from nanxian_cli.services.recording import new_revision

    reason = (reason or "").strip()
    if not reason:
        raise InputError(Words("--reason：请说明选择的理由", "--reason: say why this revision is kept"))
    now = utc_now()
    with store.transaction() as conn:
        c = sql.conflict(conn, conflict_id)
        if c is None:
            raise NotFound(Words(f"没有编号为 {conflict_id} 的冲突", f"no conflict numbered {conflict_id}"))
        if c["settled_at"] is not None:
            raise InputError(Words(f"冲突 {conflict_id} 已于 {c['settled_at'][:10]} 处理",
                                   f"conflict {conflict_id} was settled on {c['settled_at'][:10]}"))
        if c["kind"] != "parallel-edit":
            raise InputError(Words(f"冲突 {conflict_id}（{c['kind']}）不能用 --keep 处理",
                                   f"conflict {conflict_id} ({c['kind']}) is not settled with --keep"))
        detail = json.loads(c["detail"])
        matches = [u for u in detail["revisions"] if u.startswith(keep)] if len(keep) >= 8 else []
        if len(matches) != 1:
            raise InputError(Words(f"--keep：{keep!r} 不是冲突 {conflict_id} 的修订之一（{', '.join(u[:8] for u in detail['revisions'])}）",
                                   f"--keep: {keep!r} is not one of the revisions of conflict {conflict_id} "
                                   f"({', '.join(u[:8] for u in detail['revisions'])})"))
        kept_uid = matches[0]
        visit = visit_sql.visit_row(conn, c["visit_id"])
        rows = [r for r in visit_sql.point_revisions(conn, visit["seq"], c["item_id"])]
        kept = next(r for r in rows if (r["uid"] or revision_uid(visit["id"], c["item_id"], r["revision"])) == kept_uid)
        new_revision(conn, visit, c["item_id"], visit_sql.decode_value(kept["value"]), kept["outcome"], kept["note"],
                     f"sync conflict {conflict_id}: kept {kept_uid[:8]} ({reason})", author,
                     fixed_on_site=bool(kept["fixed_on_site"]), now=now)
        sql.settle_conflict(conn, conflict_id, by=author, how=f"kept {kept_uid} ({reason})", now=now)
        from nanxian_cli.services import derive
        from nanxian_cli.services.catalog import snapshot
        from nanxian_cli.services.recording import refresh_counts

        checklist = snapshot(conn, visit["checklist_hash"]).checklist
        refresh_counts(conn, visit, checklist)
        if visit["status"] == "submitted":
            from nanxian_cli.core.findings import point_key

            item = next(i for i in checklist.items if i.id == c["item_id"])
            derive.rebuild(conn, visit["school_code"], [point_key(checklist.id, item)], now)
    return {"conflict": conflict_id, "kept": kept_uid, "visit": c["visit_id"], "item": c["item_id"]}
