"""Applying a bundle's roster records (checklist versions, schools, supervisors, assignments) inside the import's
transaction: what is here already stays as it is, a school that differs is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.store import sync as sql

if TYPE_CHECKING:
    from nanxian_cli.services.sync_apply import Importer


def apply_checklist(imp: Importer, rec: dict, where: str) -> bool:
    from nanxian_cli.files.checklist_file import LoadedChecklist, checklist_from_snapshot
    from nanxian_cli.files.yaml import content_hash
    from nanxian_cli.services.catalog import save_checklist

    if content_hash(rec["content"]) != rec["hash"]:
        raise InputError(Words(f"{where}：检查表内容与其校验值不符",
                               f"{where}: the checklist content does not match its hash"))
    from nanxian_cli.store.checklists import has_checklist_version

    if has_checklist_version(imp.conn, rec["hash"]):
        imp.r.skipped += 1
        return True
    try:
        checklist = checklist_from_snapshot(rec["content"])
    except Exception as exc:  # noqa: BLE001 - a stored version this nanxian cannot read is bad input here
        raise InputError(Words(f"{where}：无法读取检查表版本（{exc}）",
                               f"{where}: cannot read the checklist version ({exc})")) from None
    save_checklist(imp.conn, LoadedChecklist(checklist=checklist, path=None, canonical=rec["content"],
                                              hash=rec["hash"]), imp.now)
    imp.r.new["checklists"] += 1
    return True


def apply_school(imp: Importer, rec: dict, where: str) -> bool:
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
    old = sql.school_row(imp.conn, rec["code"])
    if old is None:
        sql.insert_school(imp.conn, {**values, "initials": _initials(rec["name"])}, imp.now)
        imp.known_schools.add(rec["code"])
        imp.r.new["schools"] += 1
        imp.r.new_schools.append(rec["code"])
        return True
    differs = {n: {"here": old[n], "bundle": v} for n, v in values.items() if old[n] != v}
    if differs:
        imp.r.school_differences.append({"school": rec["code"], "fields": differs})
    imp.r.skipped += 1
    return True


def apply_inspector(imp: Importer, rec: dict, where: str) -> bool:
    if sql.inspector_exists(imp.conn, rec["name"]):
        imp.r.skipped += 1
    else:
        sql.insert_inspector(imp.conn, rec["name"], rec["phone"], imp.now)
        imp.r.new["inspectors"] += 1
    return True


def apply_assignment(imp: Importer, rec: dict, where: str) -> bool:
    if not imp.r.reference:
        raise InputError(Words(f"{where}：只有参考数据包才带责任督学分配",
                               f"{where}: only a reference bundle carries assignments"))
    if not imp.school_known(rec["school"]) or not imp.inspector_known(rec["inspector"]):
        raise InputError(Words(f"{where}：分配指向未知的学校或督学",
                               f"{where}: the assignment names an unknown school or supervisor"))
    if sql.set_assignment(imp.conn, rec["school"], rec["inspector"], rec["since"]):
        imp.r.new["assignments"] += 1
    else:
        imp.r.skipped += 1
    return True


def _initials(name: str) -> str:
    from nanxian_cli.core.names import pinyin_initials

    return pinyin_initials(name)
