"""Applying a bundle's evidence records inside the import's transaction: each file checked as `evidence add` checks
it and stored the same way (file first), its links to points and finding actions added once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.store import sync as sql

if TYPE_CHECKING:
    from nanxian_cli.services.sync_apply import Importer


def apply_evidence(imp: Importer, rec: dict, where: str) -> bool:
    """A file's description and, from its member, the file: checked like a file given by a person, stored the
    same way (file first). A file here already keeps the description made first (ties by device), so two
    databases agree; its file is restored from the bundle if missing or damaged here."""
    from nanxian_cli.files.evidence import MEDIA_TYPES, SHA256, check_bytes, max_bytes
    from nanxian_cli.files.evidence_folder import file_sha256, store_file, stored_path
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
    if imp.bundle_file is None or sha not in imp.bundle_file.evidence_names():
        raise InputError(Words(f"{where}：数据包中没有这份佐证材料的文件 evidence/{sha}；未写入任何内容",
                               f"{where}: the bundle does not carry the file evidence/{sha}; nothing was written"))
    imp.evidence_seen.add(sha)
    here = ev_sql.evidence_row(imp.conn, sha)
    path = stored_path(imp.folder, sha)
    intact = False
    if here is not None:
        try:
            intact = path.is_file() and file_sha256(path) == sha
        except OSError:
            intact = False
    if here is None or not intact:
        limit = imp.evidence_limit or max_bytes(None)
        data = imp.bundle_file.evidence_bytes(sha, limit)
        checked = check_bytes(data, f"{where}: evidence/{sha[:12]}", name or sha)
        if checked.sha256 != sha or checked.media_type != rec["media_type"] or checked.size != rec["size"]:
            raise InputError(Words(f"{where}：evidence 记录与文件 evidence/{sha[:12]} 的内容不符；未写入任何内容",
                                   f"{where}: the evidence record does not match its file evidence/{sha[:12]}; "
                                   "nothing was written"))
        if store_file(imp.folder, checked):
            imp.stored.append(sha)
    row = {"sha256": sha, "size": rec["size"], "media_type": rec["media_type"], "original_name": name,
           "caption": rec["caption"], "taken_at": rec["taken_at"], "added_by": rec["added_by"],
           "device": rec["device"], "added_at": rec["added_at"]}
    if here is None:
        row.update(gps_lat=checked.gps_lat, gps_lon=checked.gps_lon)  # from the file itself, never the record
        ev_sql.insert_evidence(imp.conn, row)
        imp.r.new["evidence"] += 1
        return True
    if (rec["added_at"], rec["device"]) < (here["added_at"], here["device"]):
        ev_sql.replace_description(imp.conn, row)
    imp.r.skipped += 1
    return True


def apply_evidence_link(imp: Importer, rec: dict, where: str) -> bool:
    from nanxian_cli.store import evidence as ev_sql

    sha = rec["sha256"]
    on_point = rec["visit"] is not None and rec["item"] is not None and rec["action"] is None
    on_action = rec["visit"] is None and rec["item"] is None and rec["action"] is not None
    if not (on_point or on_action):
        raise InputError(Words(f"{where}：evidence_link 应指向一次督导的要点，或一个整改动作；未写入任何内容",
                               f"{where}: an evidence_link names a point of a visit or a finding action; "
                               "nothing was written"))
    if ev_sql.evidence_row(imp.conn, sha) is None:
        raise InputError(Words(f"{where}：evidence_link 指向未知的佐证材料 {sha[:12]}；未写入任何内容",
                               f"{where}: the evidence_link names unknown evidence {sha[:12]}; "
                               "nothing was written"))
    subject = f"evidence:{sha}:{rec['visit'] or ''}:{rec['item'] or ''}:{rec['action'] or ''}"
    if on_point:
        known = imp.visit(rec["visit"])
        if known is None:
            imp.hold(rec, subject, f"visit:{rec['visit']}", where)
            return False
        if rec["visit"] in imp.conflicted or ev_sql.point_link_exists(imp.conn, sha, rec["visit"], rec["item"]):
            # a link here already was checked when it came (a bundle of the same facts again need not read the
            # visit's checklist version, nor import pydantic to read it)
            imp.r.skipped += 1
            return True
        if rec["item"] not in imp.checklist_items(known["row"]["checklist_hash"]):
            raise InputError(Words(f"{where}：{rec['item']!r} 不是该检查表版本的要点",
                                   f"{where}: {rec['item']!r} is not a point of the visit's checklist version"))
    elif not sql.action_exists(imp.conn, rec["action"]):
        imp.hold(rec, subject, f"action:{rec['action']}", where)
        return False
    if ev_sql.insert_link(imp.conn, {"sha256": sha, "visit_id": rec["visit"], "item_id": rec["item"],
                                      "action_uid": rec["action"], "added_by": rec["added_by"],
                                      "device": rec["device"], "added_at": rec["added_at"]}):
        imp.r.new["evidence_links"] += 1
    else:
        imp.r.skipped += 1
    return True
