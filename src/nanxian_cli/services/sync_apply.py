"""Applying a bundle's records inside the import's transaction: facts already here are skipped, conflicts are
kept (never dropped), facts whose base has not arrived are held until it does, and the findings of every
touched point are derived again by the engine."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.ids import revision_uid
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.files.bundle_records import check_record
from nanxian_cli.services import sync_events, sync_evidence, sync_roster
from nanxian_cli.services.sync_events import check_day, check_outcome
from nanxian_cli.store import sync as sql
from nanxian_cli.store import visits as visit_sql

# -- import ------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    bundle: str
    file: str
    device: dict
    created_at: str
    reference: bool
    already: bool = False
    own: bool = False
    new: dict[str, int] = field(default_factory=lambda: {"visits": 0, "revisions": 0, "events": 0, "voids": 0,
                                                         "evidence": 0, "evidence_links": 0, "notices": 0,
                                                         "checklists": 0, "schools": 0,
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
                "reference": self.reference, "already_imported": self.already, "made_here": self.own,
                "new": self.new,
                "skipped": self.skipped, "held": self.held, "released": self.released, "conflicts": self.conflicts,
                "new_schools": self.new_schools, "school_differences": self.school_differences}


_VOID_STANDS = "void stands"
ANSWER_BATCH = 5000  # answer rows held before they are inserted (a visit put aside is inserted whole at once)
VISITS_HELD = 50  # visits kept in memory at once (see put_aside)
_SCALARS = (str, int, float, bool, type(None))


class Importer:
    """One bundle applied inside one transaction."""

    def __init__(self, conn: sqlite3.Connection, result: ImportResult, now: str, *, bundle: Any = None,
                 folder: Any = None, stored: list[str] | None = None, evidence_limit: int | None = None) -> None:
        self.conn = conn
        self.bundle_file = bundle  # files.bundles.Bundle: its evidence members
        self.folder = folder  # this database's evidence folder
        self.stored: list[str] = stored if stored is not None else []  # files this import wrote
        self.evidence_limit = evidence_limit
        self.evidence_seen: set[str] = set()
        self.r = result
        self.now = now
        self.bundle = result.bundle
        self.visits: dict[str, dict] = {}     # visit id -> {seq, row, uids: {uid: (item, rev, base, at)}, ...}
        self.conflicted: set[str] = set()     # visits whose header conflicts: their facts from this bundle skipped
        self.touched_current: set[tuple[int, str]] = set()
        self.touched_visits: set[str] = set()
        self.touched_points: dict[str, set[str]] = defaultdict(set)
        self.eventful: dict[str, set[str]] = defaultdict(set)  # points a fail or an action of this bundle is about
        self.items: dict[str, dict[str, Any]] = {}  # checklist hash -> {item id: item}
        self.keys: dict[str, dict[str, str]] = {}   # checklist hash -> {item id: point key}
        self.pending: list[tuple] = []  # answer rows not yet inserted (known in `visits` already)
        self.unwritten: dict[str, None] = {}  # new visits read from this bundle, not yet inserted (see write_new)
        self.next_seq: int | None = None
        self.known_schools: set[str] = set()
        self.known_inspectors: set[str] = set()
        self.known_hashes: set[str] = set()
        self.judged: dict[tuple, str] = {}  # (item, value) -> the outcome its rule gives (items stay in `items`)

    def school_known(self, code: str) -> bool:
        if code not in self.known_schools and sql.school_row(self.conn, code) is not None:
            self.known_schools.add(code)
        return code in self.known_schools

    def inspector_known(self, name: str) -> bool:
        if name not in self.known_inspectors and sql.inspector_exists(self.conn, name):
            self.known_inspectors.add(name)
        return name in self.known_inspectors

    def hash_known(self, checklist_hash: str) -> bool:
        from nanxian_cli.store.checklists import has_checklist_version

        if checklist_hash not in self.known_hashes and has_checklist_version(self.conn, checklist_hash):
            self.known_hashes.add(checklist_hash)
        return checklist_hash in self.known_hashes

    def flush(self) -> None:
        """Insert what was read so far: the new visits first (answers refer to them), then the answer rows."""
        if self.unwritten:
            self.write_new()
        elif self.pending:
            visit_sql.insert_answers(self.conn, self.pending)
            self.pending = []

    def write_new(self) -> None:
        """Insert the new visits read so far, each with the counts of the answers read for it, then the answers
        and the per-plan-item counts: a statement for each kind of row, as the bulk path writes (an insert and
        then an update of its counts per visit cost an import of a county year a fifth of its time). A visit
        whose answers go on after this (the answer rows of one visit filled a batch) is counted again when it
        is put aside; one with two revisions of a point is counted in `finish()`."""
        from nanxian_cli.core.scoring import tally

        headers, plans = [], []
        for vid in self.unwritten:
            known = self.visits[vid]
            row, outcomes = known["row"], known["outcomes"]
            counts: dict[str, Any] = {}
            if outcomes is not None:
                items = self.checklist_items(row["checklist_hash"])
                t = tally(items, outcomes)
                counts = {"n_pass": t.n_pass, "n_fail": t.n_fail, "n_na": t.n_na, "n_info": t.n_info,
                          "w_pass": t.w_pass, "w_fail": t.w_fail, "n_critical_fail": t.n_critical_fail,
                          "n_items": t.n_items}
                plans.extend((row["seq"], number, *c) for number, c in t.by_plan.items())
                self.touched_visits.discard(vid)
                self.touched_points[row["school_code"]].update(self.keys[row["checklist_hash"]].values())
            headers.append(visit_sql.visit_tuple({**row, **counts}))
        self.unwritten = {}
        visit_sql.insert_visits(self.conn, headers)
        visit_sql.insert_answers(self.conn, self.pending)
        self.pending = []
        visit_sql.insert_plan_counts(self.conn, plans)

    def written(self, visit_id: str | None) -> None:
        """Make sure a visit read from this bundle is in the database (before a conflict that refers to it)."""
        if visit_id in self.unwritten:
            self.flush()

    # -- what is known here --
    def visit(self, visit_id: str) -> dict | None:
        known = self.visits.get(visit_id)
        if known is None:
            if len(self.visits) >= VISITS_HELD:
                # the actions and links after a bundle's visits name visit after visit: without this they were
                # all kept (a city year's 16,680 actions: 125 MB more at the end of its import)
                self.put_aside()
            # a visit put aside was written whole then (`put_aside`): its rows can be read back
            row = sql.visit_by_id(self.conn, visit_id)
            if row is None:
                return None
            # rows in (item, revision) order; the revision numbers and children are made from them only when a
            # new revision of this visit arrives (a bundle sent again only asks whether it holds each id)
            known = {"row": row, "seq": row["seq"], "uids": {
                uid or revision_uid(visit_id, item_id, number): (item_id, number, base, at)
                for item_id, number, uid, base, at in sql.revisions_here(self.conn, row["seq"])}}
            self.visits[visit_id] = known
        return known

    @staticmethod
    def family(known: dict) -> tuple[defaultdict[str, int], defaultdict[tuple, list[str]]]:
        """A visit's highest revision number of each point and the revisions replacing each (point, base)."""
        revs = known.get("revs")
        if revs is None:
            revs, children = known["revs"], known["children"] = defaultdict(int), defaultdict(list)
            for uid, (item_id, number, base, _) in known["uids"].items():  # in (item, revision) order
                revs[item_id] = number
                children[(item_id, base)].append(uid)
        return revs, known["children"]

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
        self.written(visit_id)
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
    def holds_revision(self, visit_id: str, uid: str) -> bool:
        """A revision already here, of a visit read from this bundle, is skipped by its ids alone (as `apply`
        would skip it)."""
        known = self.visits.get(visit_id)
        if known is not None and uid in known["uids"] and visit_id not in self.conflicted:
            self.r.skipped += 1
            return True
        return False

    def apply(self, record: dict, where: str) -> bool:
        """Check and apply one record; False when it had to wait (held). A revision already here is skipped
        after checking only what identifies it (a bundle sent again is mostly that)."""
        kind = record["kind"]
        if kind == "revision":
            vid, uid = record.get("visit"), record.get("uid")
            if type(vid) is str and type(uid) is str:
                known = self.visits.get(vid)
                if known is not None and uid in known["uids"] and vid not in self.conflicted:
                    self.r.skipped += 1
                    return True
            return self._revision(check_record(record, where), where)
        check_record(record, where)
        if self.unwritten and kind != "visit":
            # the visits read so far go in before any other fact (a void, a notice, an action, a link refers to
            # them), in the order the bundle holds them
            self.flush()
        own = _OWN.get(kind)
        return own(self, record, where) if own is not None else _ELSEWHERE[kind](self, record, where)

    def put_aside(self) -> None:
        """Records come visit by visit: when the next visit starts, the ones read so far are finished (a new
        visit's counts tallied from its records) and dropped from memory; a later record about one of them
        reads it back from the database."""
        from nanxian_cli.core.scoring import tally

        self.write_new()
        for vid, known in self.visits.items():
            outcomes = known.get("outcomes")
            if outcomes is not None and vid in self.touched_visits:
                row = known["row"]
                items = self.checklist_items(row["checklist_hash"])
                visit_sql.write_counts(self.conn, vid, row["seq"], tally(items, outcomes))
                self.touched_points[row["school_code"]].update(self.keys[row["checklist_hash"]].values())
                self.touched_visits.discard(vid)
        self.flush()
        self.visits.clear()

    def _visit(self, rec: dict, where: str) -> bool:
        known = self.visit(rec["id"])  # a visit not in memory: those that are go aside first when there are 50
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
        if not self.school_known(rec["school"]):
            raise InputError(Words(f"{where}：督导记录指向未知的学校 {rec['school']!r}",
                                   f"{where}: the visit names an unknown school {rec['school']!r}"))
        if not self.hash_known(rec["checklist_hash"]):
            raise InputError(Words(f"{where}：督导记录指向数据包中没有的检查表版本",
                                   f"{where}: the visit names a checklist version the bundle does not carry"))
        check_day(rec["date"], f"{where}: visit.date")
        if not self.inspector_known(rec["inspector"]):
            raise InputError(Words(f"{where}：督导记录的督学 {rec['inspector']!r} 未登记，数据包中也没有",
                                   f"{where}: the visit's supervisor {rec['inspector']!r} is registered neither "
                                   "here nor in the bundle"))
        if self.next_seq is None:
            self.next_seq = visit_sql.next_visit_seq(self.conn)
        row = {"id": rec["id"], "seq": self.next_seq, "school_code": rec["school"], "checklist_id": rec["checklist"],
               "checklist_hash": rec["checklist_hash"], "date": rec["date"], "inspector": rec["inspector"],
               "status": "submitted", "source": rec["source"], "created_at": rec["created_at"],
               "submitted_at": rec["submitted_at"], "device": rec["device"], "voided_at": None, "void_device": None}
        self.next_seq += 1
        # a visit new here: its answers are all in this bundle, its counts can be tallied from them; it is
        # inserted with them (`write_new`)
        self.visits[rec["id"]] = {"row": row, "seq": row["seq"], "uids": {}, "revs": defaultdict(int),
                                  "children": defaultdict(list),
                                  "outcomes": {}}
        self.unwritten[rec["id"]] = None
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
        outcome, value = rec["outcome"], rec["value"]
        if outcome == "pass" or outcome == "fail":
            # the same answer to the same point of the same version is judged once (most answers repeat)
            key = (id(item), type(value), value) if type(value) in _SCALARS else None
            if key is None or self.judged.get(key) != outcome:
                check_outcome(item, rec, where)
                if key is not None:
                    self.judged[key] = outcome
        else:
            check_outcome(item, rec, where)
        if base is not None and base not in known["uids"]:
            self.hold(rec, rec["uid"], f"revision:{base}", where)
            return False
        revs, children = self.family(known)
        siblings = list(children[(item_id, base)])
        revision = revs[item_id] + 1
        # a first revision whose id is the one derived from its visit and point needs no stored id
        derived = revision == 1 and base is None and rec["uid"] == revision_uid(vid, item_id, 1)
        own_device = rec["device"] == row["device"]
        self.pending.append((
            row["seq"], item_id, revision, visit_sql.value_json(rec["value"]), rec["outcome"], rec["note"],
            rec["reason"], rec["author"], rec["recorded_at"], None if derived else rec["uid"], base,
            None if own_device else rec["device"], int(rec["fixed_on_site"])))
        if len(self.pending) >= ANSWER_BATCH:
            self.flush()
        known["uids"][rec["uid"]] = (item_id, revision, base, rec["recorded_at"])
        children[(item_id, base)].append(rec["uid"])
        revs[item_id] = revision
        outcomes = known.get("outcomes")
        if outcomes is not None:
            if item_id in outcomes:
                known["outcomes"] = None  # two revisions of a point: the current one is decided in finish()
            else:
                outcomes[item_id] = rec["outcome"]
        if outcome == "fail":
            self.eventful[row["school_code"]].add(self.keys[row["checklist_hash"]][item_id])
        if revision > 1:  # a point's only revision is current already (the column's default)
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


_OWN = {"visit": Importer._visit, "void": Importer._void}
_ELSEWHERE = {"notice": sync_events.apply_notice, "action": sync_events.apply_action,
              "checklist": sync_roster.apply_checklist, "school": sync_roster.apply_school,
              "inspector": sync_roster.apply_inspector, "assignment": sync_roster.apply_assignment,
              "evidence": sync_evidence.apply_evidence, "evidence_link": sync_evidence.apply_evidence_link}
