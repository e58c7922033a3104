"""Supervisor names must be registered: an unknown --inspector, answers-file `inspector`, config/env
`inspector` or --by is exit 2 with the closest registered names, and nothing is written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from visit_helpers import FULL, answers_file, counts, record, rows, vdir  # noqa: F401

FAIL_CLASS = dict(FULL, **{"t-class": 60})  # opens one finding


def table_bytes(db: Path) -> dict[str, list[tuple]]:
    """Every row of the tables a visit, an amendment, a void or a finding action writes."""
    conn = sqlite3.connect(db)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("visits", "answers", "findings", "finding_actions", "finding_steps", "visit_plan_counts",
                          "inspectors")}
    finally:
        conn.close()


def test_unknown_inspector_option_is_refused_with_a_hint(cli, vdir, db_path, tmp_path):
    path = answers_file(tmp_path, FULL)
    before = table_bytes(db_path)
    result = cli("inspect", "visit", "--answers", path, "--inspector", "赵六")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "Error: --inspector: no supervisor named '赵六' is registered; nothing was changed",
        "  no registered name is close (6 registered; see `nanxian inspector list`)",
        "  to register a new one first: nanxian inspector add 赵六",
    ]
    assert table_bytes(db_path) == before
    assert counts(db_path)["visits"] == 0


def test_misspelt_name_in_the_answers_file_names_the_closest(cli, vdir, db_path, tmp_path):
    path = answers_file(tmp_path, FULL, inspector="李铭")  # a homophone typo of 李明
    before = table_bytes(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2, result.output
    assert f"Error: {path}:5: inspector: no supervisor named '李铭' is registered; nothing was changed" in result.stderr
    assert "  closest registered names: 李明" in result.stderr.splitlines()
    assert "nanxian inspector add 李铭" in result.stderr
    assert table_bytes(db_path) == before
    # in Chinese too
    result = cli("--lang", "zh", "inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert "没有登记名为 '李铭' 的督学" in result.stderr and "最接近的已登记督学：李明" in result.stderr
    assert table_bytes(db_path) == before
    # the visit is counted once, under its registered supervisor
    assert cli("inspector", "assign", "李明", "NX-001").exit_code == 0
    assert cli("inspect", "visit", "--answers", path, "--inspector", "李明").exit_code == 0
    summary = json.loads(cli("report", "summary", "--by", "inspector", "--from", "2020-09-01", "--to", "2020-12-31",
                             "--format", "json").stdout)
    assert summary["totals"]["visits"] == 1
    assert [(r["key"], r["visits"]) for r in summary["rows"] if r["visits"]] == [("李明", 1)]


def test_pinyin_initials_suggest_the_name(cli, vdir, db_path, tmp_path):
    result = cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL), "--inspector", "lm")
    assert result.exit_code == 2
    assert "  closest registered names: 李明" in result.stderr.splitlines()
    assert counts(db_path)["visits"] == 0


def test_no_supervisor_registered_at_all(cli, schools, db_path, tmp_path, monkeypatch):
    from visit_helpers import CHECKLIST

    folder = tmp_path / "cl"
    folder.mkdir()
    (folder / "t-visit.yaml").write_text(CHECKLIST, encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    result = cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL))
    assert result.exit_code == 2
    assert "  no supervisor is registered yet" in result.stderr.splitlines()
    assert counts(db_path)["visits"] == 0


def test_config_and_environment_inspector_must_be_registered(cli, vdir, db_path, tmp_path, monkeypatch):
    path = answers_file(tmp_path, FULL, inspector=None)  # no header: the setting is used
    config = tmp_path / "config.toml"
    config.write_text('inspector = "王方"\n', encoding="utf-8")  # 王芳 mistyped
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    before = table_bytes(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert f"Error: {config}: inspector: no supervisor named '王方' is registered" in result.stderr
    assert "  closest registered names: 王芳" in result.stderr.splitlines()
    monkeypatch.setenv("NANXIAN_INSPECTOR", "钱都学")
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert "Error: NANXIAN_INSPECTOR: no supervisor named '钱都学' is registered" in result.stderr
    assert "  closest registered names: 钱督学" in result.stderr.splitlines()
    assert table_bytes(db_path) == before
    # a setting that is not used (the answers file names the supervisor) is not checked
    result = cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL, name="b.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inspector"] == "李明"


def test_responsible_supervisor_fallback_is_used_when_registered(cli, vdir, db_path, tmp_path):
    assert cli("inspector", "assign", "王芳", "NX-001").exit_code == 0
    result = cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL, inspector=None), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inspector"] == "王芳"
    # an option naming someone else who is not registered is refused, not replaced by the fallback
    before = table_bytes(db_path)
    path = answers_file(tmp_path, FULL, name="b.yaml", inspector=None, date="2020-11-03")
    result = cli("inspect", "visit", "--answers", path, "--inspector", "王方")
    assert result.exit_code == 2
    assert "  closest registered names: 王芳" in result.stderr.splitlines()
    assert table_bytes(db_path) == before


def test_interactive_unknown_inspector_asks_nothing_and_makes_no_draft(cli, vdir, db_path):
    result = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李铭", "--date", "2020-11-02",
                 input="y\n50\ny\nlight\n4\nok\ny\n")
    assert result.exit_code == 2
    assert "--inspector: no supervisor named '李铭' is registered" in result.stderr
    assert "An evacuation drill" not in result.stdout  # not one question asked
    assert counts(db_path)["visits"] == 0


def test_by_on_amend_void_and_finding_resolve_must_be_registered(cli, vdir, db_path, tmp_path):
    visit = record(cli, tmp_path, FAIL_CLASS)
    finding = visit["findings"][0]["id"]
    before = table_bytes(db_path)
    for args in (
        ("inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "recount", "--by", "李铭"),
        ("inspect", "void", visit["id"][:8], "--reason", "entered twice", "--by", "李铭"),
        ("finding", "resolve", str(finding), "--note", "fixed", "--date", "2020-11-05", "--by", "李铭"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Error: --by: no supervisor named '李铭' is registered; nothing was changed" in result.stderr, args
        assert "  closest registered names: 李明" in result.stderr.splitlines()
        assert table_bytes(db_path) == before, args
    # a registered name goes through and is the revision's author
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "recount", "--by", "王主任")
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT author FROM answers WHERE item_id = 't-class' AND revision = 2") == [("王主任",)]


def test_config_inspector_as_the_author_must_be_registered(cli, vdir, db_path, tmp_path, monkeypatch):
    visit = record(cli, tmp_path, FAIL_CLASS)
    monkeypatch.setenv("NANXIAN_INSPECTOR", "赵六")
    before = table_bytes(db_path)
    result = cli("inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "recount")
    assert result.exit_code == 2
    assert "Error: NANXIAN_INSPECTOR: no supervisor named '赵六' is registered" in result.stderr
    result = cli("finding", "resolve", str(visit["findings"][0]["id"]), "--note", "fixed", "--date", "2020-11-05")
    assert result.exit_code == 2
    assert "Error: NANXIAN_INSPECTOR: no supervisor named '赵六' is registered" in result.stderr
    assert table_bytes(db_path) == before


def test_inspector_add_updates_the_details_of_an_existing_name(cli, schools, db_path):
    assert cli("inspector", "add", "李明", "--phone", "0737-5221234").stdout.strip() == "Added inspector 李明"
    result = cli("inspector", "add", "李明", "--phone", "13800000000")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Updated inspector 李明: phone 13800000000"
    # no detail given: nothing changes, the phone is kept
    assert cli("inspector", "add", "李明").stdout.strip() == "Inspector 李明 already exists"
    assert cli("inspector", "add", "李明", "--phone", "13800000000").stdout.strip() == "Inspector 李明 already exists"
    listed = json.loads(cli("inspector", "list", "--format", "json").stdout)
    assert [(i["name"], i["phone"]) for i in listed] == [("李明", "13800000000")]
    assert rows(db_path, "SELECT count(*) FROM inspectors") == [(1,)]


@pytest.mark.parametrize("name", ["李铭", "赵六"])
def test_summary_by_inspector_has_no_unregistered_row(cli, vdir, db_path, tmp_path, name):
    assert cli("inspector", "assign", "李明", "NX-001").exit_code == 0
    assert cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL, inspector=name)).exit_code == 2
    record(cli, tmp_path, FULL, name="ok.yaml")
    summary = json.loads(cli("report", "summary", "--by", "inspector", "--from", "2020-09-01", "--to", "2020-12-31",
                             "--format", "json").stdout)
    assert summary["totals"]["visits"] == 1
    assert [r["key"] for r in summary["rows"] if r["visits"]] == ["李明"]
