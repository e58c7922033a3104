"""`nanxian inspect visit --answers FILE`: outcomes, arithmetic, and bad input that writes nothing."""

from __future__ import annotations

import json

import pytest

from visit_helpers import FULL, answers_file, counts, record, rows, vdir  # noqa: F401

MIXED = {"t-drill": "yes", "t-class": {"value": 58, "note": "初二(3)班58人"}, "t-meal": "no",
         "t-homework": "heavy", "t-morale": 4, "t-remarks": "all fine otherwise"}


def test_full_pass_visit_numbers(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, FULL)
    assert data["status"] == "submitted"
    assert data["school"] == "NX-001"
    assert data["checklist"] == "t-visit"
    assert data["date"] == "2020-11-02"
    assert data["inspector"] == "李明"
    assert data["counts"] == {"pass": 5, "fail": 0, "na": 1, "info": 1}
    assert data["compliance_rate"] == 1.0
    assert data["score"] == 1.0
    assert data["findings"] == []
    assert len(data["checklist_hash"]) == 64
    assert counts(db_path)["answers"] == 7


def test_mixed_visit_rate_score_and_findings(cli, vdir, tmp_path, db_path):
    data = record(cli, tmp_path, MIXED)
    # pass: drill (weight 2), morale; fail: class (critical), meal (minor), homework (major); na: kindergarten point
    assert data["counts"] == {"pass": 2, "fail": 3, "na": 1, "info": 1}
    assert data["compliance_rate"] == pytest.approx(2 / 5)
    assert data["score"] == pytest.approx(3 / 6)
    due = {f["item"]: (f["severity"], f["opened"], f["due"], f["status"]) for f in data["findings"]}
    assert due == {
        "t-class": ("critical", "2020-11-02", "2020-11-09", "open"),
        "t-homework": ("major", "2020-11-02", "2020-12-02", "open"),
        "t-meal": ("minor", "2020-11-02", "2021-01-01", "open"),
    }
    # critical first
    assert data["findings"][0]["item"] == "t-class"
    for f in data["findings"]:
        assert set(f) >= {"id", "school", "item", "severity", "opened", "due", "status", "visit", "resolved_by"}
        assert f["visit"] == data["id"]
    # counts per plan item are written with the visit (plan 21: drill pass + meal fail)
    plan21 = rows(db_path, "SELECT n_pass, n_fail, w_pass, w_fail FROM visit_plan_counts WHERE "
                  "visit_seq = (SELECT seq FROM visits WHERE id = ?) AND plan_item = 21",
                  (data["id"],))
    assert plan21 == [(1, 1, 2.0, 1.0)]


def test_when_not_met_records_na_with_warning(cli, vdir, tmp_path):
    answers = dict(FULL, **{"t-drill": "no"})  # t-meal depends on drill = yes
    path = answers_file(tmp_path, answers)
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"] == {"pass": 3, "fail": 1, "na": 2, "info": 1}
    assert data["score"] == pytest.approx(3 / 5)
    assert "t-meal" in result.stderr and "recorded as na" in result.stderr


def test_school_without_canteen_gets_na(cli, vdir, tmp_path):
    data = record(cli, tmp_path, {k: v for k, v in FULL.items() if k != "t-meal"}, school="NX-005")
    assert data["status"] == "submitted"
    assert data["counts"] == {"pass": 4, "fail": 0, "na": 2, "info": 1}


def test_table_output_lists_failed_points_and_findings(cli, vdir, tmp_path):
    path = answers_file(tmp_path, MIXED)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("南洲实验小学 (NX-001)", "李明", "2020-11-02", "pass 2 · fail 3 · n/a 1 · info 1", "40.0%", "50.0%",
                 "Failed points", "t-class", "初二(3)班58人", "2020-11-09", "2020-12-02", "2021-01-01"):
        assert text in out, text


@pytest.mark.parametrize(
    "answers, header, expected",
    [
        (dict(FULL, **{"t-class": "many"}), {}, "answers.t-class: expected a number, got 'many'"),
        (dict(FULL, **{"t-morale": 7}), {}, "answers.t-morale: expected a rating 1..5, got"),
        (dict(FULL, **{"t-drill": "maybe"}), {}, "answers.t-drill: expected yes or no"),
        (dict(FULL, **{"t-homework": "medium"}), {}, "answers.t-homework: expected one of light, heavy"),
        (dict(FULL, **{"t-class": "na"}), {}, "does not accept 'na'"),
        (dict(FULL, **{"t-nope": "yes"}), {}, "answers.t-nope: unknown point id"),
        (dict(FULL, **{"t-remarks": "x" * 4001}), {}, "text longer than 4000 characters"),
        (dict(FULL, **{"t-class": {"value": 50, "note": "n" * 4001}}), {}, "at most 4000 characters"),
        (FULL, {"school": "NX-999"}, "no school matches 'NX-999'"),
        (FULL, {"checklist": "no-such-list"}, "unknown checklist 'no-such-list'"),
        (FULL, {"date": "2999-01-01"}, "2999-01-01 is in the future"),
        (FULL, {"date": "2020-13-45"}, "date"),
        (FULL, {"date": "yesterday"}, "date"),
    ],
)
def test_bad_answers_file_writes_nothing(cli, vdir, tmp_path, db_path, answers, header, expected):
    before = counts(db_path)
    path = answers_file(tmp_path, answers, **header)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert counts(db_path) == before == {"visits": 0, "answers": 0, "findings": 0, "finding_actions": 0,
                                         "finding_steps": 0, "visit_plan_counts": 0}


def test_every_problem_listed_with_its_line(cli, vdir, tmp_path, db_path):
    path = answers_file(tmp_path, dict(FULL, **{"t-class": "many", "t-morale": 0, "t-x": 1}))
    lines = path.read_text(encoding="utf-8").splitlines()
    line_of = {key: i + 1 for i, line in enumerate(lines) for key in ("t-class", "t-morale", "t-x")
               if f'"{key}"' in line}
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert "3 problem(s)" in result.stderr
    for key, line in line_of.items():
        assert f"{path}:{line}: answers.{key}" in result.stderr
    assert counts(db_path)["visits"] == 0


def test_yaml_syntax_error_and_non_utf8(cli, vdir, tmp_path, db_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("school: NX-001\nchecklist: t-visit\nanswers:\n  t-drill: [yes\n  t-class: 50\n", encoding="utf-8")
    result = cli("inspect", "visit", "--answers", bad)
    assert result.exit_code == 2
    assert f"{bad}:5:10:" in result.stderr and "YAML syntax error" in result.stderr
    dup = tmp_path / "dup.yaml"
    dup.write_text("school: NX-001\nchecklist: t-visit\nanswers:\n  t-drill: yes\n  t-drill: no\n", encoding="utf-8")
    result = cli("inspect", "visit", "--answers", dup)
    assert result.exit_code == 2 and f"{dup}:5: answers.t-drill: duplicate key" in result.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text("school: NX-001\nchecklist: t-visit\nanswers:\n  t-drill: {value: yes, nots: x}\n",
                    encoding="utf-8")
    result = cli("inspect", "visit", "--answers", typo)
    assert result.exit_code == 2 and f"{typo}:4: answers.t-drill.nots: unknown field" in result.stderr
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"school: NX-001\nchecklist: t-visit\nanswers:\n  t-remarks: caf\xe9\n")
    result = cli("inspect", "visit", "--answers", latin)
    assert result.exit_code == 2
    assert f"{latin}:4:" in result.stderr and "not valid UTF-8" in result.stderr
    missing = cli("inspect", "visit", "--answers", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    assert counts(db_path)["visits"] == 0


def test_date_option_checks(cli, vdir, tmp_path, db_path):
    path = answers_file(tmp_path, FULL)
    result = cli("inspect", "visit", "--answers", path, "--date", "2999-12-31")
    assert result.exit_code == 2 and "in the future" in result.stderr
    result = cli("inspect", "visit", "--answers", path, "--date", "31/12/2020")
    assert result.exit_code == 2 and "not a date" in result.stderr
    assert counts(db_path)["visits"] == 0
    data = record(cli, tmp_path, FULL, "--date", "2020-10-01")  # the option beats the header
    assert data["date"] == "2020-10-01"


def test_command_line_beats_header(cli, vdir, tmp_path):
    path = answers_file(tmp_path, {k: v for k, v in FULL.items() if k != "t-meal"}, school="NX-001")
    result = cli("inspect", "visit", "乌嘴乡", "--answers", path, "--inspector", "张三", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["school"], data["inspector"]) == ("NX-005", "张三")


def test_inspector_defaults(cli, vdir, tmp_path, db_path, monkeypatch):
    path = answers_file(tmp_path, FULL, inspector=None)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert "--inspector" in result.stderr
    assert counts(db_path)["visits"] == 0
    # the school's responsible supervisor
    assert cli("inspector", "add", "赵督学").exit_code == 0
    assert cli("inspector", "assign", "赵督学", "NX-001").exit_code == 0
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inspector"] == "赵督学"
    # the config setting beats the assignment
    monkeypatch.setenv("NANXIAN_INSPECTOR", "钱督学")
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert json.loads(result.stdout)["inspector"] == "钱督学"


def test_missing_answers_keep_a_draft(cli, vdir, tmp_path, db_path):
    partial = {k: v for k, v in MIXED.items() if k not in ("t-homework", "t-morale")}
    path = answers_file(tmp_path, partial)
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "draft"
    assert data["missing"] == ["t-homework", "t-morale"]
    assert "t-homework, t-morale" in result.stderr
    assert "nanxian inspect visit NX-001 --checklist t-visit --resume" in result.stderr
    assert data["findings"] == []  # a draft opens no findings
    assert counts(db_path)["findings"] == 0
    # --partial submits it as it is
    result = cli("inspect", "visit", "--answers", path, "--partial", "--format", "json")
    data = json.loads(result.stdout)
    assert data["status"] == "submitted"
    assert data["counts"] == {"pass": 1, "fail": 2, "na": 1, "info": 1}
    assert sorted(f["item"] for f in data["findings"]) == ["t-class", "t-meal"]


def test_hostile_text_is_plain(cli, vdir, tmp_path):
    assert cli("inspector", "add", "[red]张[/red]").exit_code == 0
    answers = dict(FULL, **{"t-class": {"value": 60, "note": "[bold red]x[/] <script>alert(1)</script>"},
                            "t-remarks": '=HYPERLINK("http://x")'})
    data = record(cli, tmp_path, answers, inspector="[red]张[/red]")
    shown = cli("inspect", "show", data["id"][:8])
    assert shown.exit_code == 0, shown.output
    assert "[bold red]x[/] <script>alert(1)</script>" in shown.stdout
    assert '=HYPERLINK("http://x")' in shown.stdout
    assert "[red]张[/red]" in shown.stdout
    csv_out = cli("inspect", "list", "--format", "csv")
    assert "'[red]张[/red]" not in csv_out.stdout and "[red]张[/red]" in csv_out.stdout
    listed = cli("inspect", "list", "--format", "csv", "--inspector", "[red]张[/red]")
    assert listed.stdout.count("\n") == 2


def test_formula_inspector_neutralised_in_csv(cli, vdir, tmp_path):
    assert cli("inspector", "add", '=HYPERLINK("x")').exit_code == 0
    record(cli, tmp_path, FULL, inspector='=HYPERLINK("x")')
    out = cli("inspect", "list", "--format", "csv").stdout
    assert "'=HYPERLINK" in out


def test_yaml_edit_after_visit_keeps_recorded_outcomes(cli, vdir, tmp_path):
    data = record(cli, tmp_path, MIXED)
    before = json.loads(cli("inspect", "show", data["id"], "--format", "json").stdout)
    text = (vdir / "t-visit.yaml").read_text(encoding="utf-8")
    (vdir / "t-visit.yaml").write_text(
        text.replace("max: 55", "max: 60").replace("version: 1", "version: 2")
        .replace("en: Largest class}", "en: Biggest class}"), encoding="utf-8")
    after = json.loads(cli("inspect", "show", data["id"], "--format", "json").stdout)
    assert after == before
    assert {a["item"]: a["outcome"] for a in after["answers"]}["t-class"] == "fail"
    assert after["checklist_hash"] == data["checklist_hash"]
    # an amendment is judged against the stored version too: 57 is still above the recorded max of 55
    result = cli("inspect", "amend", data["id"][:8], "t-class", "57", "--reason", "recount", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["outcome"] == "fail"
    # a new visit uses the new version: 58 now passes (max 60) and resolves the old finding
    new = record(cli, tmp_path, MIXED, name="second.yaml", date="2020-11-20")
    assert new["checklist_hash"] != data["checklist_hash"]
    assert new["counts"] == {"pass": 3, "fail": 2, "na": 1, "info": 1}
    by_item = {f["item"]: (f["relation"], f["status"]) for f in new["findings"]}
    assert by_item["t-class"] == ("resolved", "resolved")
