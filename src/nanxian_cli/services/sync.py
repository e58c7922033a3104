"""Sync bookkeeping: this database's status, the conflicts imports found, and settling a parallel edit.
Export and import are in services/sync_export.py and services/sync_import.py."""

from __future__ import annotations

import json
import sqlite3

from nanxian_cli.clock import utc_now
from nanxian_cli.core.ids import revision_uid
from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError, NotFound
from nanxian_cli.store import meta
from nanxian_cli.store import sync as sql
from nanxian_cli.store import visits as visit_sql
from nanxian_cli.store.db import Store

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
            shown = ", ".join(u[:8] for u in detail["revisions"])
            raise InputError(Words(f"--keep：{keep!r} 不是冲突 {conflict_id} 的修订之一（{shown}）",
                                   f"--keep: {keep!r} is not one of the revisions of conflict {conflict_id} ({shown})"))
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
