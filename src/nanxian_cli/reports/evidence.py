"""Evidence as the JSON contract shows it (`evidence list`, `inspect show`, `finding show`): each file with what it
shows; never where a photo was taken (GPS stays in the database)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from nanxian_cli.store import evidence as sql


def _link_dict(r: sqlite3.Row) -> dict:
    if r["visit_id"] is not None:
        return {"visit": r["visit_id"], "item": r["item_id"], "added_by": r["linked_by"], "added_at": r["linked_at"]}
    return {"finding": r["finding_id"], "finding_uid": r["finding_uid"], "action": r["action_uid"],
            "action_kind": r["action_kind"], "added_by": r["linked_by"], "added_at": r["linked_at"]}


def file_dict(r: Any) -> dict:
    """A file as people and JSON see it: never where it was taken."""
    return {"sha256": r["sha256"], "name": r["original_name"], "media_type": r["media_type"], "size": r["size"],
            "caption": r["caption"], "taken_at": r["taken_at"], "added_by": r["added_by"], "device": r["device"],
            "added_at": r["added_at"]}


def evidence_files(store: Any, *, visit_id: str | None = None, finding_id: int | None = None) -> list[dict]:
    """`evidence list`: every file (of a visit, of a finding), with what it shows."""
    conn = store.conn
    if finding_id is not None:
        shas = sql.finding_evidence(conn, [finding_id]).get(finding_id, [])
        rows = sql.links(conn, shas=shas)
        finding = conn.execute("SELECT uid, visit_id, point_key FROM findings WHERE id = ?", (finding_id,)).fetchone()
        actions = {r[0] for r in conn.execute("SELECT uid FROM finding_actions WHERE finding = ?", (finding["uid"],))}
        visits = {r[0] for r in conn.execute("SELECT visit_id FROM finding_steps WHERE finding_id = ? "
                                             "AND visit_id IS NOT NULL", (finding_id,))} | {finding["visit_id"]}
        rows = [r for r in rows if r["action_uid"] in actions or r["visit_id"] in visits]
    else:
        rows = sql.links(conn, visit_id=visit_id)
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(r["sha256"], {**file_dict(r), "links": []})
        entry["links"].append(_link_dict(r))
    if visit_id is None and finding_id is None:
        for r in sql.unlinked(conn):
            out.setdefault(r["sha256"], {**file_dict(r), "links": []})
    return list(out.values())


def of_visit(conn: sqlite3.Connection, visit_id: str) -> list[dict]:
    """The files attached to a visit's points (`inspect show`): one entry per point and file."""
    return [{**file_dict(r), "item": r["item_id"]} for r in sql.links(conn, visit_id=visit_id)]


def of_findings(conn: sqlite3.Connection, finding_ids: list[int]) -> dict[int, list[str]]:
    """finding number -> the sha256 of its files (finding JSON `evidence`)."""
    return sql.finding_evidence(conn, finding_ids)


# -- in the documents for the school (督导意见书, 整改通知书) ----------------------------------------------------

@dataclass
class Attachment:
    """A file shown under a point of a printed document: a photo as a thumbnail, a document by its name."""

    sha256: str
    caption: str | None
    media_type: str
    original_name: str | None
    attached: str  # point (at the visit) | report (the school's 整改报告) | resolve (销号)


def _attachment(r: dict, attached: str) -> Attachment:
    return Attachment(r["sha256"], r["caption"], r["media_type"], r["original_name"], attached)


@dataclass
class DocumentEvidence:
    """A visit's files by point, and its findings' files by action, as the documents print them."""

    by_item: dict[str, list[Attachment]]
    by_point_key: dict[str, list[Attachment]]
    actions: dict[str, list[tuple[str, Attachment]]]  # finding uid -> (action date, file), in action order

    def of_item(self, item_id: str) -> list[Attachment]:
        """The files attached to a point of this visit."""
        return list(self.by_item.get(item_id, []))

    def at_point(self, point_key: str | None) -> list[Attachment]:
        """The files attached at this visit to the point a finding is about (whichever checklist asked it)."""
        return list(self.by_point_key.get(point_key or "", []))

    def of_finding(self, uid: str, until: str | None = None) -> list[Attachment]:
        """The files of a finding's actions (整改报告, 销号), those dated on or before `until` when given."""
        return [a for day, a in self.actions.get(uid, []) if until is None or day <= until]


def document_evidence(store: Any, visit_id: str, finding_uids: list[str]) -> DocumentEvidence:
    from nanxian_cli.store import documents as d

    by_item: dict[str, list[Attachment]] = {}
    by_key: dict[str, list[Attachment]] = {}
    for r in d.visit_evidence(store, visit_id):
        by_item.setdefault(r["item_id"], []).append(_attachment(r, "point"))
        if r["point_key"]:
            by_key.setdefault(r["point_key"], []).append(_attachment(r, "point"))
    actions: dict[str, list[tuple[str, Attachment]]] = {}
    for r in d.action_evidence(store, finding_uids):
        actions.setdefault(r["finding"], []).append((r["date"], _attachment(r, r["kind"])))
    return DocumentEvidence(by_item, by_key, actions)


def distinct(files: list[Attachment]) -> list[Attachment]:
    """Each file once (the same photo attached to the point and to the 整改报告 is shown once, as first seen)."""
    seen: set[str] = set()
    out = []
    for f in files:
        if f.sha256 not in seen:
            seen.add(f.sha256)
            out.append(f)
    return out
