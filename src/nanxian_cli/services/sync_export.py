"""Sync export: a bundle of the facts made on or imported into this database since its last export (or all, or
since a day), or a reference bundle of the roster and the open findings' timelines for laptops.
See DESIGN "Sync" and docs/sync.md."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nanxian_cli.clock import utc_now
from nanxian_cli.core.ids import new_uid, revision_uid
from nanxian_cli.files.bundle_records import encode_text as _text
from nanxian_cli.store import meta
from nanxian_cli.store import sync as sql
from nanxian_cli.store.db import Store

# -- export ----------------------------------------------------------------------------------------------------

def export_bundle(store: Store, output: Path, *, since: str = "last", reference: bool = False, device_name: str,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Write a bundle to `output` (atomically, 0600) and record it in the ledger; returns its manifest."""
    from nanxian_cli.files.bundle_writer import BundleWriter

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
            # the visits by their numbers only; their rows are read back a chunk at a time, so the memory of an
            # export does not grow with the visits it sends (the rows of a city year took 200 MB)
            _write_catalog(conn, writer, visits, actions, reference)
            total = len(visits)
            written = 0
            sent: list[str] = []  # the ids of the visits sent: their notices and evidence follow them
            for chunk in sql.visits_by_seq(conn, visits):
                by_seq = {v["seq"]: v for v in chunk}
                last_seq = None
                for row in sql.revisions_of_visits(conn, list(by_seq)):
                    seq = row[0]
                    v = by_seq[seq]
                    if seq != last_seq:
                        if last_seq is not None:
                            _void_record(writer, by_seq.pop(last_seq))
                        writer.write(_visit_record(v))
                        sent.append(v["id"])
                        last_seq = seq
                    writer.write_line(_revision_line(v, row), "revision")
                if last_seq is not None:
                    _void_record(writer, by_seq.pop(last_seq))
                for v in by_seq.values():  # visits without a single answer (none are made, but be whole)
                    writer.write(_visit_record(v))
                    sent.append(v["id"])
                    _void_record(writer, v)
                written += len(chunk)
                if progress is not None:
                    progress(written, total)
            for a in actions:
                writer.write(_action_record(a))
            # notices: those of the visits sent, and every one issued since a day before the last export (a day's
            # overlap: a notice being issued while that export read is not missed; one sent twice is skipped)
            if since == "last" and previous_export is not None and not reference:
                issued_since = _day_before(previous_export["created_at"])
            elif since not in ("last", "all") and not reference:
                issued_since = since
            else:
                issued_since = None if reference else ""
            for n in sql.notices_to_send(conn, sent, issued_since):
                writer.write({"kind": "notice", "uid": n["uid"], "visit": n["visit_id"], "year": n["year"],
                              "n": n["n"], "number": n["number"], "issued_on": n["issued_on"],
                              "issued_by": n["issued_by"], "device": n["device"], "issued_at": n["issued_at"]})
            _write_evidence(conn, store, writer, sent, actions, reference)
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


def _day_before(stamp: str) -> str:
    import datetime as dt

    return (dt.datetime.fromisoformat(stamp) - dt.timedelta(days=1)).isoformat()


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


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_catalog(conn: sqlite3.Connection, writer: Any, seqs: list[int], actions: list, reference: bool) -> None:
    """What the facts refer to, before them: checklist versions, schools, supervisors (and assignments)."""
    hashes, codes_named, inspectors_named = sql.visit_references(conn, seqs)
    for row in sql.checklist_versions(conn, hashes):
        writer.write({"kind": "checklist", "hash": row["hash"], "content": row["content"]})
    codes = None if reference else codes_named | {a["school_code"] for a in actions}
    for s in sql.schools(conn, codes):
        writer.write({"kind": "school", "code": s["code"], "name": s["name"], "town": s["town"],
                      "stages": s["stages"].split(), "boarding": bool(s["boarding"]), "canteen": bool(s["canteen"]),
                      "school_bus": bool(s["school_bus"]), "ownership": s["ownership"], "group": s["grp"],
                      "inclusive": bool(s["inclusive"])})
    names = None if reference else (inspectors_named | {a["author"] for a in actions if a["author"]}
                                    | sql.authors_of(conn, seqs))
    for i in sql.inspectors(conn, names):
        writer.write({"kind": "inspector", "name": i["name"], "phone": i["phone"]})
    if reference:
        for school, name, since in sql.assignments(conn):
            writer.write({"kind": "assignment", "school": school, "inspector": name, "since": since})


def _write_evidence(conn: sqlite3.Connection, store: Store, writer: Any, visit_ids: list[str], actions: list,
                    reference: bool) -> None:
    """The evidence the bundle's facts refer to, after them: each file's description, what it shows, and the file
    itself as a member named by its hash (a reference bundle: only what shows a point with a finding open)."""
    from nanxian_cli.files.evidence_folder import stored_path
    from nanxian_cli.files.outputs import evidence_dir
    from nanxian_cli.store import evidence as ev_sql

    if not ev_sql.any_links(conn):
        return
    finding_of = {a["uid"]: a["finding"] for a in actions}
    links = ev_sql.links_for_export(conn, visit_ids, list(finding_of), open_points_only=reference)
    if not links:
        return
    shas = sorted({link["sha256"] for link in links})
    for r in ev_sql.public_rows(conn, shas):  # never GPS
        writer.write({"kind": "evidence", "sha256": r["sha256"], "size": r["size"], "media_type": r["media_type"],
                      "name": r["original_name"], "caption": r["caption"], "taken_at": r["taken_at"],
                      "added_by": r["added_by"], "device": r["device"], "added_at": r["added_at"]})
    for link in links:
        writer.write({"kind": "evidence_link", "sha256": link["sha256"], "visit": link["visit_id"],
                      "item": link["item_id"], "action": link["action_uid"],
                      "finding": finding_of.get(link["action_uid"]) if link["action_uid"] else None,
                      "added_by": link["added_by"], "device": link["device"], "added_at": link["added_at"]})
    folder = evidence_dir(store.path)
    for sha in shas:
        writer.add_file(f"evidence/{sha}", stored_path(folder, sha), sha)


def _visit_record(v: sqlite3.Row) -> dict:
    return {"kind": "visit", "id": v["id"], "school": v["school_code"], "checklist": v["checklist_id"],
            "checklist_hash": v["checklist_hash"], "date": v["date"], "inspector": v["inspector"],
            "source": v["source"], "created_at": v["created_at"], "submitted_at": v["submitted_at"],
            "device": v["device"]}


def _void_record(writer: Any, v: sqlite3.Row) -> None:
    if v["status"] == "void":
        writer.write({"kind": "void", "visit": v["id"], "reason": v["void_reason"] or "", "at": v["voided_at"] or "",
                      "by": v["voided_by"], "device": v["void_device"] or v["device"]})


def _revision_line(v: sqlite3.Row, row: tuple) -> str:
    """A revision record as one JSON line, built from the stored text: the value is stored as JSON already, so
    it is put in as it is (the export writes millions of these)."""
    _, item, revision, value, outcome, note, reason, author, recorded_at, uid, base, device, fixed = row
    vid = v["id"]
    return (f'{{"kind":"revision","uid":{_text(uid or revision_uid(vid, item, revision))},'
            f'"base":{_text(base)},"visit":{_text(vid)},"item":{_text(item)},'
            f'"value":{"null" if value is None else value},"outcome":{_text(outcome)},"note":{_text(note)},'
            f'"reason":{_text(reason)},"author":{_text(author)},"device":{_text(device or v["device"])},'
            f'"recorded_at":{_text(recorded_at)},"fixed_on_site":{"true" if fixed else "false"}}}')


def _action_record(a: sqlite3.Row) -> dict:
    return {"kind": "action", "uid": a["uid"], "finding": a["finding"], "opened_by_visit": a["opened_by_visit"],
            "opened_by_item": a["opened_by_item"], "school": a["school_code"], "point_key": a["point_key"],
            "action": a["kind"], "date": a["date"], "text": a["text"], "due": a["due"], "visit": a["visit_id"],
            "passed": None if a["passed"] is None else bool(a["passed"]), "on_site": bool(a["on_site"]),
            "author": a["author"], "device": a["device"], "recorded_at": a["recorded_at"]}
