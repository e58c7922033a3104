"""Lookups and typos (issue 17 point 6): every filter naming an unknown town, school, supervisor or checklist is
exit 2 with the closest names (homophones, pinyin initials), never an empty table; nothing is written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from visit_helpers import FULL, record, vdir  # noqa: F401


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def visited(cli, vdir, tmp_path):
    """The five schools, the test checklists, one visit by 李明 to NX-001 with t-visit."""
    record(cli, tmp_path, FULL)
    return vdir


@pytest.mark.parametrize(("args", "message", "closest"), [
    (("school", "list", "--town", "南州镇"), "--town: no school is in '南州镇'", "closest towns: 南洲镇"),
    (("inspect", "list", "--inspector", "李铭"), "--inspector: no supervisor named '李铭' is registered",
     "closest registered names: 李明"),
    (("inspect", "list", "--inspector", "lm"), "--inspector: no supervisor named 'lm' is registered",
     "closest registered names: 李明"),
    (("inspect", "list", "--checklist", "t-vist"), "--checklist: no visit was ever recorded with checklist 't-vist'",
     "closest checklists: t-visit"),
    (("inspect", "list", "--school", "南州实验小学"), "no school matches '南州实验小学'",
     "closest schools: NX-001 南洲实验小学"),
    (("school", "show", "nzxyxx"), "no school matches 'nzxyxx'", "closest schools: NX-001 南洲实验小学"),
    (("report", "summary", "--town", "南州镇"), "--town: no school is in '南州镇'", "closest towns: 南洲镇"),
    (("report", "summary", "--inspector", "王方"), "--inspector: no supervisor named '王方' is registered",
     "closest registered names: 王芳"),
    (("report", "summary", "--checklist", "t-vist"), "no visit was ever recorded with checklist 't-vist'",
     "closest checklists: t-visit"),
    (("report", "matrix", "--town", "华阁"), "--town: no school is in '华阁'", "closest towns: 华阁镇"),
    (("report", "item", "4", "--town", "乌嘴"), "--town: no school is in '乌嘴'", "closest towns: 乌嘴乡"),
    (("report", "school", "南州实验小学"), "no school matches '南州实验小学'", "closest schools: NX-001 南洲实验小学"),
    (("checklist", "show", "t-vist"), "unknown checklist 't-vist'", "closest checklists: t-visit"),
    (("inspect", "visit", "NX-001", "--checklist", "t-vist", "--date", "2020-11-02", "--inspector", "李明"),
     "unknown checklist 't-vist'",
     "closest checklists: t-visit"),
])
def test_unknown_filter_values_name_the_closest(cli, visited, db_path, args, message, closest):
    before = dump(db_path)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # no empty table
    assert message in result.stderr, result.stderr
    assert f"  {closest}" in result.stderr.splitlines(), result.stderr
    assert dump(db_path) == before


def test_in_chinese_too(cli, visited, db_path):
    result = cli("--lang", "zh", "school", "list", "--town", "南州镇")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == ["错误: --town：没有学校在 '南州镇'", "  最接近的乡镇：南洲镇"]
    result = cli("--lang", "zh", "inspect", "list", "--inspector", "李铭")
    assert result.exit_code == 2
    assert "  最接近的已登记督学：李明" in result.stderr.splitlines()
    result = cli("--lang", "zh", "school", "show", "南州实验小学")
    assert result.exit_code == 2
    assert "  最接近的学校：NX-001 南洲实验小学" in result.stderr.splitlines()


def test_nothing_close_lists_what_there_is(cli, visited):
    result = cli("school", "list", "--town", "纽约")
    assert result.exit_code == 2
    assert "  towns: 乌嘴乡, 华阁镇, 南洲镇" in result.stderr.splitlines()
    result = cli("inspect", "list", "--inspector", "赵六")
    assert result.exit_code == 2
    assert "registered supervisors: 张三, 李四, 李明, 王主任, 王芳, 钱督学" in result.stderr
    # known values that match nothing are an empty list, exit 0: a registered supervisor without visits, a
    # checklist of the folder never used, a school never visited; the start of the initials finds a school
    assert cli("school", "show", "nzsyx").exit_code == 0
    for args in (("--inspector", "王芳"), ("--checklist", "t-other"), ("--school", "NX-002")):
        result = cli("inspect", "list", *args, "--format", "json")
        assert result.exit_code == 0, (args, result.output)
        assert json.loads(result.stdout) == []
    result = cli("school", "list", "--town", "乌嘴乡", "--format", "json")
    assert [s["code"] for s in json.loads(result.stdout)] == ["NX-005"]
