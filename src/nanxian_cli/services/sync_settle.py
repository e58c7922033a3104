"""After a bundle's records: held facts whose base arrived are applied, the current revision of every point with
several is chosen, counts of touched visits are written and the findings of touched points derived again."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING

from nanxian_cli.core.ids import revision_uid
from nanxian_cli.core.revisions import Revision, current
from nanxian_cli.store import sync as sql
from nanxian_cli.store import visits as visit_sql

if TYPE_CHECKING:
    from nanxian_cli.services.sync_apply import Importer


def release_held(imp: Importer) -> None:
    """Apply every held fact whose base is now here (which may release others in turn)."""
    imp.flush()
    while True:
        progressed = False
        for row in sql.held(imp.conn):
            record = json.loads(row["record"])
            kind, _, ref = row["waits_for"].partition(":")
            if kind == "action":  # evidence of a finding action that has not arrived
                if not sql.action_exists(imp.conn, ref):
                    continue
            else:
                known = imp.visit(ref if kind == "visit" else record.get("visit", ""))
                if known is None or (kind == "revision" and ref not in known["uids"]):
                    continue
            sql.release(imp.conn, row["uid"])
            held_before = imp.r.held
            if imp.apply(record, f"held {record['kind']} {row['uid'][:8]}"):
                sql.settle_by_subject(imp.conn, "held", row["uid"], "applied", imp.now)
                imp.r.released += 1
                progressed = True
            imp.r.held = held_before  # held again for something else is not a new held fact
        if not progressed:
            return


def finish(imp: Importer) -> None:
    from nanxian_cli.services import derive
    from nanxian_cli.services.catalog import snapshot
    from nanxian_cli.services.recording import refresh_counts

    imp.put_aside()
    imp.flush()
    by_seq: dict[int, set[str]] = defaultdict(set)
    for seq, item_id in imp.touched_current:
        by_seq[seq].add(item_id)
    for seq, item_ids in sorted(by_seq.items()):
        vid = imp.conn.execute("SELECT id FROM visits WHERE seq = ?", (seq,)).fetchone()[0]
        per_item: dict[str, list[tuple]] = defaultdict(list)
        for r in sql.revisions_here(imp.conn, seq):
            if r[0] in item_ids:
                per_item[r[0]].append(r)
        for item_id, rows in per_item.items():
            if len(rows) < 2:
                continue  # a point's only revision is its current one (the default)
            uids = [uid or revision_uid(vid, item_id, number) for _, number, uid, _, _ in rows]
            head = current(Revision(u, r[3], r[4]) for u, r in zip(uids, rows, strict=True))
            sql.set_current(imp.conn, seq, item_id, rows[uids.index(head.uid)][1])
    from nanxian_cli.core.scoring import tally

    for vid in sorted(imp.touched_visits):
        known = imp.visits.get(vid)
        if known is not None and known.get("outcomes") is not None:
            row = known["row"]
            items = imp.checklist_items(row["checklist_hash"])
            visit_sql.write_counts(imp.conn, vid, row["seq"], tally(items, known["outcomes"]))
        else:
            row = sql.visit_by_id(imp.conn, vid)
            checklist = snapshot(imp.conn, row["checklist_hash"]).checklist
            refresh_counts(imp.conn, row, checklist)
            imp.checklist_items(row["checklist_hash"])
        imp.touched_points[row["school_code"]].update(imp.keys[row["checklist_hash"]].values())
    for school, keys in sorted(imp.touched_points.items()):
        imp.r.findings_touched += len(keys)
        derive.rebuild_touched(imp.conn, school, keys, imp.eventful.get(school, ()), imp.now)
