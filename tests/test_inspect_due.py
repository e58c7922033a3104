"""`inspect due` (issue 17 point 17): the supervisor's month of 挂牌督导 through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from visit_helpers import FULL, record, vdir  # noqa: F401


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def county(cli, tmp_path):
    """李明 answers for NX-001 and NX-002, 王芳 for NX-003; NX-004 and NX-005 have nobody. NX-001 is visited in
    November; NX-002 on 31 October with two fails (critical due 11-07, major due 11-30); NX-003 never."""
    assert cli("inspector", "assign", "李明", "NX-001", "NX-002").exit_code == 0
    assert cli("inspector", "assign", "王芳", "NX-003").exit_code == 0
    record(cli, tmp_path, FULL, date="2020-11-02", name="a.yaml")
    record(cli, tmp_path, dict(FULL, **{"t-class": 60, "t-drill": "no"}), school="NX-002", date="2020-10-31",
           name="b.yaml")


def due_json(cli, *args) -> list[dict]:
    result = cli("inspect", "due", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_schools_still_to_visit_this_month(cli, vdir, tmp_path):
    county(cli, tmp_path)
    rows = due_json(cli, "--month", "2020-11")
    assert [{k: r[k] for k in ("inspector", "school", "last_visit", "days_since", "open_findings", "due_soon")}
            for r in rows] == [
        {"inspector": "李明", "school": "NX-002", "last_visit": "2020-10-31", "days_since": 30, "open_findings": 2,
         "due_soon": 1},
        {"inspector": "王芳", "school": "NX-003", "last_visit": None, "days_since": None, "open_findings": 0,
         "due_soon": 0},
    ]
    assert rows[0]["name"] == "华阁镇中心学校"
    # October: NX-002 was visited, NX-001 not yet (its only visit is in November)
    october = due_json(cli, "--month", "2020-10")
    assert [(r["school"], r["last_visit"]) for r in october] == [("NX-001", None), ("NX-003", None)]
    # one supervisor
    assert [r["school"] for r in due_json(cli, "--month", "2020-11", "--inspector", "王芳")] == ["NX-003"]


def test_table_in_both_languages(cli, vdir, tmp_path):
    county(cli, tmp_path)
    out = cli("inspect", "due", "--month", "2020-11").stdout
    assert "Schools not visited in 2020-11 (as of 2020-11-30" in out
    assert "华阁镇中心学校" in out and "never" in out
    out = cli("--lang", "zh", "inspect", "due", "--month", "2020-11").stdout
    assert "2020-11 尚未督导的学校（截至 2020-11-30" in out and "从未" in out and "待复查整改项" in out
    result = cli("inspect", "due", "--month", "2020-12", "--inspector", "张三")
    assert result.exit_code == 0
    assert "every school of 张三 has been visited (or none is assigned)" in result.stdout


def test_refusals_change_nothing(cli, vdir, db_path, tmp_path):
    county(cli, tmp_path)
    before = dump(db_path)
    result = cli("inspect", "due", "--month", "2020-13")
    assert result.exit_code == 2
    assert "--month: '2020-13' is not a month (YYYY-MM, e.g. 2020-11)" in result.stderr
    result = cli("inspect", "due", "--inspector", "王方")
    assert result.exit_code == 2
    assert "--inspector: no supervisor named '王方' is registered" in result.stderr
    assert "  closest registered names: 王芳" in result.stderr.splitlines()
    assert dump(db_path) == before


def test_no_database_is_not_created(cli, tmp_path):
    missing = tmp_path / "none.db"
    result = cli("--db", missing, "inspect", "due")
    assert result.exit_code == 1 and not missing.exists()


def test_the_digest_lists_the_same_unvisited_schools(cli, vdir, tmp_path):
    """The digest's "not visited for 30 days" and `inspect due` ask the same question (store/due.py): the school
    never visited is in both, the one visited that month in neither, the unassigned ones in the digest only."""
    county(cli, tmp_path)
    digest = json.loads(cli("report", "digest", "--week", "2020-W48", "--format", "json").stdout)
    due = {r["school"] for r in due_json(cli, "--month", "2020-11")}
    assert "NX-003" in due and "NX-003" in digest["unvisited_schools"]
    assert "NX-001" not in due and "NX-001" not in digest["unvisited_schools"]
    assert {"NX-004", "NX-005"} <= set(digest["unvisited_schools"]) and not {"NX-004", "NX-005"} & due
