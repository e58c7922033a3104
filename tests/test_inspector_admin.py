"""`inspector rename|remove|unassign` through the real CLI: the register changes, the facts do not; every refusal
is exit 2 with the reason and nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from visit_helpers import FULL, record, rows, vdir  # noqa: F401


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def inspectors(cli) -> dict[str, dict]:
    result = cli("inspector", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {i["name"]: i for i in json.loads(result.stdout)}


def responsible(cli) -> dict[str, str | None]:
    return {s["code"]: s["inspector"] for s in json.loads(cli("school", "list", "--format", "json").stdout)}


def test_rename_moves_the_schools_and_keeps_past_visits(cli, vdir, db_path, tmp_path):
    assert cli("inspector", "assign", "李明", "NX-001", "NX-002").exit_code == 0
    visit = record(cli, tmp_path, FULL)
    result = cli("inspector", "rename", "李明", "李明华")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Renamed inspector 李明 to 李明华; 2 school(s) follow",
        "1 past visit(s) keep the name 李明 (records are never rewritten)",
    ]
    assert "李明" not in inspectors(cli) and inspectors(cli)["李明华"]["schools"] == 2
    assert responsible(cli)["NX-001"] == "李明华"
    assert rows(db_path, "SELECT inspector FROM visits WHERE id = ?", (visit["id"],)) == [("李明",)]
    # the past visits are still found under the name they were recorded with
    listed = cli("inspect", "list", "--inspector", "李明", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [v["id"] for v in json.loads(listed.stdout)] == [visit["id"]]
    # in Chinese
    result = cli("--lang", "zh", "inspector", "rename", "李明华", "李明")
    assert result.stdout.splitlines()[0] == "督学 李明华 已改名为 李明；2 所学校的责任督学随之更新"


def test_rename_refusals_change_nothing(cli, vdir, db_path):
    before = dump(db_path)
    result = cli("inspector", "rename", "李铭", "李明华")
    assert result.exit_code == 2
    assert "Error: OLD: no supervisor named '李铭' is registered; nothing was changed" in result.stderr
    assert "  closest registered names: 李明" in result.stderr.splitlines()
    result = cli("inspector", "rename", "李明", "王芳")
    assert result.exit_code == 2
    assert "NEW: a supervisor named '王芳' is registered already; nothing was changed" in result.stderr
    result = cli("inspector", "rename", "李明", "李明")
    assert result.exit_code == 2 and "the new name is the old one" in result.stderr
    result = cli("inspector", "rename", "李明", "  ")
    assert result.exit_code == 2 and "inspector name is empty" in result.stderr
    result = cli("--lang", "zh", "inspector", "rename", "李明", "王芳")
    assert result.exit_code == 2 and "督学 '王芳' 已登记" in result.stderr
    assert dump(db_path) == before


def test_remove_with_schools_needs_force(cli, vdir, db_path, tmp_path):
    assert cli("inspector", "assign", "王芳", "NX-001", "NX-003").exit_code == 0
    visit = record(cli, tmp_path, FULL, inspector="王芳")
    before = dump(db_path)
    result = cli("inspector", "remove", "王芳")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 王芳 is still the responsible supervisor of 2 school(s); nothing was changed"
    assert lines[1:3] == ["  NX-001  南洲实验小学", "  NX-003  南县第一中学"]
    assert "--force" in lines[3] and "nanxian inspector unassign 王芳 --all" in lines[3]
    assert dump(db_path) == before
    result = cli("inspector", "remove", "王芳", "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Removed inspector 王芳",
        "2 school(s) now have no responsible supervisor: NX-001, NX-003",
        "1 past visit(s) are kept under 王芳",
    ]
    assert "王芳" not in inspectors(cli)
    assert responsible(cli)["NX-001"] is None
    # the visit and its answers are kept, under the name
    shown = json.loads(cli("inspect", "show", visit["id"][:8], "--format", "json").stdout)
    assert shown["inspector"] == "王芳" and shown["counts"] == visit["counts"]
    # a removed supervisor can no longer record
    result = cli("inspect", "visit", "NX-002", "--checklist", "t-visit", "--inspector", "王芳", input="q\n")
    assert result.exit_code == 2 and "no supervisor named '王芳' is registered" in result.stderr


def test_remove_after_unassign_and_unknown_names(cli, vdir, db_path):
    assert cli("inspector", "assign", "张三", "NX-004").exit_code == 0
    before = dump(db_path)
    result = cli("inspector", "remove", "张山")
    assert result.exit_code == 2 and "  closest registered names: 张三" in result.stderr.splitlines()
    result = cli("inspector", "unassign", "张三", "NX-001")
    assert result.exit_code == 2
    assert ("NX-001 is not one of 张三's schools (it has no responsible supervisor); nothing was changed"
            in result.stderr)
    result = cli("inspector", "unassign", "张三")
    assert result.exit_code == 2 and "name the schools, or use --all" in result.stderr
    result = cli("inspector", "unassign", "张三", "NX-004", "--all")
    assert result.exit_code == 2
    assert dump(db_path) == before
    result = cli("inspector", "unassign", "张三", "南洲镇中心幼儿园")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "南洲镇中心幼儿园 (NX-004): no longer 张三's; no responsible supervisor"
    assert responsible(cli)["NX-004"] is None
    result = cli("inspector", "remove", "张三")
    assert result.exit_code == 0 and result.stdout.strip() == "Removed inspector 张三"
    assert "张三" not in inspectors(cli)


def test_unassign_someone_elses_school(cli, vdir, db_path):
    assert cli("inspector", "assign", "李明", "NX-001").exit_code == 0
    assert cli("inspector", "assign", "王芳", "NX-002").exit_code == 0
    before = dump(db_path)
    result = cli("--lang", "zh", "inspector", "unassign", "李明", "NX-002")
    assert result.exit_code == 2
    assert "NX-002 不是 李明 负责的学校（责任督学是 王芳）；未做任何改动" in result.stderr
    assert dump(db_path) == before
    result = cli("inspector", "unassign", "李明", "--all")
    assert result.exit_code == 0
    assert result.stdout.strip() == "南洲实验小学 (NX-001): no longer 李明's; no responsible supervisor"
    assert responsible(cli) == {"NX-001": None, "NX-002": "王芳", "NX-003": None, "NX-004": None, "NX-005": None}
