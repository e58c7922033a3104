"""Evidence as the JSON contract shows it (`evidence list`, `inspect show`, `finding show`): each file with what it
shows; never where a photo was taken (GPS stays in the database)."""

from __future__ import annotations

import sqlite3
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
