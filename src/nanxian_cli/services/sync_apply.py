"""Applying a bundle's records inside the import's transaction: facts already here are skipped, conflicts are
kept (never dropped), facts whose base has not arrived are held until it does, and the findings of every
touched point are derived again by the engine."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.ids import revision_uid
from nanxian_cli.core.revisions import Revision, current
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.files.bundles import check_record
from nanxian_cli.store import findings as finding_sql
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
        self.items: dict[str, dict[str, Any]] = {}  # checklist hash -> {item id: item}
        self.keys: dict[str, dict[str, str]] = {}   # checklist hash -> {item id: point key}
        self.pending: list[tuple] = []  # answer rows not yet inserted (known in `visits` already)
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
        """Insert the answer rows read so far (before anything reads answers from the database)."""
        if self.pending:
            visit_sql.insert_answers(self.conn, self.pending)
            self.pending = []

    # -- what is known here --
    def visit(self, visit_id: str) -> dict | None:
        known = self.visits.get(visit_id)
        if known is None:
            self.flush()  # what was read of this visit before it was put aside is in the database
            row = sql.visit_by_id(self.conn, visit_id)
            if row is None:
                return None
            uids: dict[str, tuple] = {}
            revs: defaultdict[str, int] = defaultdict(int)
            children: defaultdict[tuple, list[str]] = defaultdict(list)
            # rows in (item, revision) order: the last one of an item is its highest revision
            for item_id, number, uid, base, at in sql.revisions_here(self.conn, row["seq"]):
                uid = uid or revision_uid(visit_id, item_id, number)
                uids[uid] = (item_id, number, base, at)
                revs[item_id] = number
                children[(item_id, base)].append(uid)
            known = {"row": row, "seq": row["seq"], "uids": uids, "revs": revs, "children": children}
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
        return getattr(self, f"_{kind}")(record, where)

    def _checklist(self, rec: dict, where: str) -> bool:
        from nanxian_cli.files.checklists import LoadedChecklist, checklist_from_snapshot
        from nanxian_cli.files.yaml import content_hash
        from nanxian_cli.services.catalog import save_checklist

        if content_hash(rec["content"]) != rec["hash"]:
            raise InputError(Words(f"{where}：检查表内容与其校验值不符",
                                   f"{where}: the checklist content does not match its hash"))
        from nanxian_cli.store.checklists import has_checklist_version

        if has_checklist_version(self.conn, rec["hash"]):
            self.r.skipped += 1
            return True
        try:
            checklist = checklist_from_snapshot(rec["content"])
        except Exception as exc:  # noqa: BLE001 - a stored version this nanxian cannot read is bad input here
            raise InputError(Words(f"{where}：无法读取检查表版本（{exc}）",
                                   f"{where}: cannot read the checklist version ({exc})")) from None
        save_checklist(self.conn, LoadedChecklist(checklist=checklist, path=None, canonical=rec["content"],
                                                  hash=rec["hash"]), self.now)
        self.r.new["checklists"] += 1
        return True

    def _school(self, rec: dict, where: str) -> bool:
        stages = rec["stages"]
        if not isinstance(stages, list) or not all(isinstance(s, str) and s.isidentifier() for s in stages):
            raise InputError(Words(f"{where}：school.stages 应为学段列表",
                                   f"{where}: school.stages must be a list of stages"))
        if rec["ownership"] not in ("public", "private"):
            raise InputError(Words(f"{where}：school.ownership 应为 public 或 private",
                                   f"{where}: school.ownership must be public or private"))
        values = {"code": rec["code"], "name": rec["name"], "town": rec["town"], "stages": " ".join(stages),
                  "boarding": int(rec["boarding"]), "canteen": int(rec["canteen"]),
                  "school_bus": int(rec["school_bus"]), "ownership": rec["ownership"], "grp": rec["group"],
                  "inclusive": int(rec["inclusive"])}
        old = sql.school_row(self.conn, rec["code"])
        if old is None:
            sql.insert_school(self.conn, {**values, "initials": _initials(rec["name"])}, self.now)
            self.known_schools.add(rec["code"])
            self.r.new["schools"] += 1
            self.r.new_schools.append(rec["code"])
            return True
        differs = {n: {"here": old[n], "bundle": v} for n, v in values.items() if old[n] != v}
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
            raise InputError(Words(f"{where}：只有参考数据包才带责任督学分配",
                                   f"{where}: only a reference bundle carries assignments"))
        if not self.school_known(rec["school"]) or not self.inspector_known(rec["inspector"]):
            raise InputError(Words(f"{where}：分配指向未知的学校或督学",
                                   f"{where}: the assignment names an unknown school or supervisor"))
        if sql.set_assignment(self.conn, rec["school"], rec["inspector"], rec["since"]):
            self.r.new["assignments"] += 1
        else:
            self.r.skipped += 1
        return True

    def put_aside(self) -> None:
        """Records come visit by visit: when the next visit starts, the ones read so far are finished (a new
        visit's counts tallied from its records) and dropped from memory; a later record about one of them
        reads it back from the database."""
        from nanxian_cli.core.scoring import tally

        for vid, known in self.visits.items():
            outcomes = known.get("outcomes")
            if outcomes is not None and vid in self.touched_visits:
                row = known["row"]
                items = self.checklist_items(row["checklist_hash"])
                visit_sql.write_counts(self.conn, vid, row["seq"], tally(items, outcomes))
                self.touched_points[row["school_code"]].update(self.keys[row["checklist_hash"]].values())
                self.touched_visits.discard(vid)
        self.visits.clear()

    def _visit(self, rec: dict, where: str) -> bool:
        if len(self.visits) >= 50:
            self.put_aside()
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
        if not self.school_known(rec["school"]):
            raise InputError(Words(f"{where}：督导记录指向未知的学校 {rec['school']!r}",
                                   f"{where}: the visit names an unknown school {rec['school']!r}"))
        if not self.hash_known(rec["checklist_hash"]):
            raise InputError(Words(f"{where}：督导记录指向数据包中没有的检查表版本",
                                   f"{where}: the visit names a checklist version the bundle does not carry"))
        _check_day(rec["date"], f"{where}: visit.date")
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
        visit_sql.insert_visit(self.conn, {k: v for k, v in row.items() if k not in ("voided_at", "void_device")})
        # a visit new here: its answers are all in this bundle, its counts can be tallied from them
        self.visits[rec["id"]] = {"row": row, "seq": row["seq"], "uids": {}, "revs": defaultdict(int),
                                  "children": defaultdict(list),
                                  "outcomes": {}}
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
                _check_outcome(item, rec, where)
                if key is not None:
                    self.judged[key] = outcome
        else:
            _check_outcome(item, rec, where)
        if base is not None and base not in known["uids"]:
            self.hold(rec, rec["uid"], f"revision:{base}", where)
            return False
        siblings = list(known["children"][(item_id, base)])
        revision = known["revs"][item_id] + 1
        # a first revision whose id is the one derived from its visit and point needs no stored id
        derived = revision == 1 and base is None and rec["uid"] == revision_uid(vid, item_id, 1)
        own_device = rec["device"] == row["device"]
        self.pending.append((
            row["seq"], item_id, revision, visit_sql.value_json(rec["value"]), rec["outcome"], rec["note"],
            rec["reason"], rec["author"], rec["recorded_at"], None if derived else rec["uid"], base,
            None if own_device else rec["device"], int(rec["fixed_on_site"])))
        if len(self.pending) >= 5000:
            self.flush()
        known["uids"][rec["uid"]] = (item_id, revision, base, rec["recorded_at"])
        known["children"][(item_id, base)].append(rec["uid"])
        known["revs"][item_id] = revision
        outcomes = known.get("outcomes")
        if outcomes is not None:
            if item_id in outcomes:
                known["outcomes"] = None  # two revisions of a point: the current one is decided in finish()
            else:
                outcomes[item_id] = rec["outcome"]
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

    def _notice(self, rec: dict, where: str) -> bool:
        if sql.notice_exists(self.conn, rec["uid"]):
            self.r.skipped += 1
            return True
        if self.visit(rec["visit"]) is None:
            self.hold(rec, rec["uid"], f"visit:{rec['visit']}", where)
            return False
        if rec["year"] < 1900 or rec["n"] < 1:
            raise InputError(Words(f"{where}：整改通知书编号无效", f"{where}: the notice's number is not valid"))
        _check_day(rec["issued_on"], f"{where}: notice.issued_on")
        from nanxian_cli.store.notices import insert_notice

        insert_notice(self.conn, {"uid": rec["uid"], "visit_id": rec["visit"], "year": rec["year"], "n": rec["n"],
                                  "number": rec["number"], "issued_on": rec["issued_on"],
                                  "issued_by": rec["issued_by"], "device": rec["device"],
                                  "issued_at": rec["issued_at"]})
        self.r.new["notices"] = self.r.new.get("notices", 0) + 1
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
            raise InputError(Words(f"{where}：未知的整改动作 {rec['action']!r}",
                                   f"{where}: unknown finding action {rec['action']!r}"))
        if not self.school_known(rec["school"]):
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

    def _evidence(self, rec: dict, where: str) -> bool:
        """A file's description and, from its member, the file: checked like a file given by a person, stored the
        same way (file first). A file here already keeps the description made first (ties by device), so two
        databases agree; its file is restored from the bundle if missing or damaged here."""
        from nanxian_cli.files.evidence import (
            MEDIA_TYPES,
            SHA256,
            check_bytes,
            file_sha256,
            max_bytes,
            store_file,
            stored_path,
        )
        from nanxian_cli.store import evidence as ev_sql

        sha = rec["sha256"]
        if not SHA256.match(sha) or rec["media_type"] not in MEDIA_TYPES or rec["size"] < 0:
            raise InputError(Words(f"{where}：evidence 记录的 sha256、media_type 或 size 无效；未写入任何内容",
                                   f"{where}: the evidence record's sha256, media_type or size is not valid; "
                                   "nothing was written"))
        name = rec["name"]
        if name is not None and ("/" in name or "\\" in name or name in (".", "..")):
            raise InputError(Words(f"{where}：evidence.name 应为文件名，不能含路径；未写入任何内容",
                                   f"{where}: evidence.name must be a file name, without a path; nothing was written"))
        if self.bundle_file is None or sha not in self.bundle_file.evidence_names():
            raise InputError(Words(f"{where}：数据包中没有这份佐证材料的文件 evidence/{sha}；未写入任何内容",
                                   f"{where}: the bundle does not carry the file evidence/{sha}; nothing was written"))
        self.evidence_seen.add(sha)
        here = ev_sql.evidence_row(self.conn, sha)
        path = stored_path(self.folder, sha)
        intact = False
        if here is not None:
            try:
                intact = path.is_file() and file_sha256(path) == sha
            except OSError:
                intact = False
        if here is None or not intact:
            limit = self.evidence_limit or max_bytes(None)
            data = self.bundle_file.evidence_bytes(sha, limit)
            checked = check_bytes(data, f"{where}: evidence/{sha[:12]}", name or sha)
            if checked.sha256 != sha or checked.media_type != rec["media_type"] or checked.size != rec["size"]:
                raise InputError(Words(f"{where}：evidence 记录与文件 evidence/{sha[:12]} 的内容不符；未写入任何内容",
                                       f"{where}: the evidence record does not match its file evidence/{sha[:12]}; "
                                       "nothing was written"))
            if store_file(self.folder, checked):
                self.stored.append(sha)
        row = {"sha256": sha, "size": rec["size"], "media_type": rec["media_type"], "original_name": name,
               "caption": rec["caption"], "taken_at": rec["taken_at"], "added_by": rec["added_by"],
               "device": rec["device"], "added_at": rec["added_at"]}
        if here is None:
            row.update(gps_lat=checked.gps_lat, gps_lon=checked.gps_lon)  # from the file itself, never the record
            ev_sql.insert_evidence(self.conn, row)
            self.r.new["evidence"] += 1
            return True
        if (rec["added_at"], rec["device"]) < (here["added_at"], here["device"]):
            ev_sql.replace_description(self.conn, row)
        self.r.skipped += 1
        return True

    def _evidence_link(self, rec: dict, where: str) -> bool:
        from nanxian_cli.store import evidence as ev_sql

        sha = rec["sha256"]
        on_point = rec["visit"] is not None and rec["item"] is not None and rec["action"] is None
        on_action = rec["visit"] is None and rec["item"] is None and rec["action"] is not None
        if not (on_point or on_action):
            raise InputError(Words(f"{where}：evidence_link 应指向一次督导的要点，或一个整改动作；未写入任何内容",
                                   f"{where}: an evidence_link names a point of a visit or a finding action; "
                                   "nothing was written"))
        if ev_sql.evidence_row(self.conn, sha) is None:
            raise InputError(Words(f"{where}：evidence_link 指向未知的佐证材料 {sha[:12]}；未写入任何内容",
                                   f"{where}: the evidence_link names unknown evidence {sha[:12]}; "
                                   "nothing was written"))
        subject = f"evidence:{sha}:{rec['visit'] or ''}:{rec['item'] or ''}:{rec['action'] or ''}"
        if on_point:
            known = self.visit(rec["visit"])
            if known is None:
                self.hold(rec, subject, f"visit:{rec['visit']}", where)
                return False
            if rec["visit"] in self.conflicted:
                self.r.skipped += 1
                return True
            if rec["item"] not in self.checklist_items(known["row"]["checklist_hash"]):
                raise InputError(Words(f"{where}：{rec['item']!r} 不是该检查表版本的要点",
                                       f"{where}: {rec['item']!r} is not a point of the visit's checklist version"))
        elif not sql.action_exists(self.conn, rec["action"]):
            self.hold(rec, subject, f"action:{rec['action']}", where)
            return False
        if ev_sql.insert_link(self.conn, {"sha256": sha, "visit_id": rec["visit"], "item_id": rec["item"],
                                          "action_uid": rec["action"], "added_by": rec["added_by"],
                                          "device": rec["device"], "added_at": rec["added_at"]}):
            self.r.new["evidence_links"] += 1
        else:
            self.r.skipped += 1
        return True

    # -- held facts --
    def release_held(self) -> None:
        """Apply every held fact whose base is now here (which may release others in turn)."""
        self.flush()
        while True:
            progressed = False
            for row in sql.held(self.conn):
                record = json.loads(row["record"])
                kind, _, ref = row["waits_for"].partition(":")
                if kind == "action":  # evidence of a finding action that has not arrived
                    if not sql.action_exists(self.conn, ref):
                        continue
                else:
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

        self.put_aside()
        self.flush()
        by_seq: dict[int, set[str]] = defaultdict(set)
        for seq, item_id in self.touched_current:
            by_seq[seq].add(item_id)
        for seq, item_ids in sorted(by_seq.items()):
            vid = self.conn.execute("SELECT id FROM visits WHERE seq = ?", (seq,)).fetchone()[0]
            per_item: dict[str, list[tuple]] = defaultdict(list)
            for r in sql.revisions_here(self.conn, seq):
                if r[0] in item_ids:
                    per_item[r[0]].append(r)
            for item_id, rows in per_item.items():
                if len(rows) < 2:
                    continue  # a point's only revision is its current one (the default)
                uids = [uid or revision_uid(vid, item_id, number) for _, number, uid, _, _ in rows]
                head = current(Revision(u, r[3], r[4]) for u, r in zip(uids, rows, strict=True))
                sql.set_current(self.conn, seq, item_id, rows[uids.index(head.uid)][1])
        from nanxian_cli.core.scoring import tally

        for vid in sorted(self.touched_visits):
            known = self.visits.get(vid)
            if known is not None and known.get("outcomes") is not None:
                row = known["row"]
                items = self.checklist_items(row["checklist_hash"])
                visit_sql.write_counts(self.conn, vid, row["seq"], tally(items, known["outcomes"]))
            else:
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
        raise InputError(Words(f"{where}：{text!r} 不是日期",
                               f"{where}: {text!r} is not a date (YYYY-MM-DD)")) from None


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
