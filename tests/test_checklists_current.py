"""The bundled checklists as a supervisor uses them in 2026 (issue 16, content): the 2020 versions for 2020 visits,
the current versions and the new checklists (kindergarten monthly, 五项管理/双减, student protection, drowning
prevention, tutoring institutions) for later ones, shared library points, seasonal points, 普惠 and the demo."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from nanxian_cli.config import bundled_data_dir

README = Path(__file__).resolve().parents[1] / "README.md"
EVIDENCE = re.compile("台账|记录|现场查看|访谈|抽查")
NEW_CHECKLISTS = {"routine-kindergarten", "special-five-managements", "special-student-protection",
                  "special-drowning-prevention", "special-tutoring-institutions"}


@pytest.fixture
def county(cli, db_path: Path):
    """The sample roster (40 schools, 普惠 marked) and one registered supervisor."""
    result = cli("school", "import", bundled_data_dir() / "schools.sample.yaml")
    assert result.exit_code == 0, result.output
    assert cli("inspector", "add", "李明").exit_code == 0
    return db_path


def answers_file(tmp_path: Path, name: str, school: str, checklist: str, date: str, answers: dict) -> Path:
    lines = [f"school: {school}", f"checklist: {checklist}", f"date: {date}", "inspector: 李明", "answers:"]
    lines += [f"  {key}: {value}" for key, value in answers.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(cli, path: Path, *extra: str) -> dict:
    result = cli("inspect", "visit", "--answers", path, "--partial", "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outcomes(cli, visit_id: str) -> dict[str, str]:
    result = cli("inspect", "show", visit_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return {a["item"]: a["outcome"] for a in json.loads(result.stdout)["answers"]}


def listing(cli) -> list[dict]:
    result = cli("checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


# -- the bundled files --------------------------------------------------------------------------------

def test_bundled_checklists_pass_validate_strict(cli):
    result = cli("checklist", "validate", "--strict")
    assert result.exit_code == 0, result.output
    assert "OK: 23 checklist(s)" in result.stdout
    assert "warning" not in result.output.lower()


def test_every_current_checklist_names_its_sources_and_start_and_every_point_its_evidence_and_standard(cli):
    current = [c for c in listing(cli) if c.get("valid_to") is None]
    assert {c["id"] for c in current} >= NEW_CHECKLISTS | {"routine-monthly", "special-campus-safety"}
    assert len(current) == 14
    for entry in current:
        result = cli("checklist", "show", entry["id"], "--format", "json")
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["valid_from"], entry["id"]
        assert shown["source"] and all(s["title"] and s["year"] for s in shown["source"]), entry["id"]
        for item in shown["items"]:
            where = f"{entry['id']}:{item['id']}"
            assert EVIDENCE.search(item["guidance"]["zh"]), f"{where}: guidance names no evidence"
            can_fail = item["type"] not in ("text", "choice") or (item["type"] == "choice" and item.get("pass"))
            if can_fail:
                assert item["standard"] and item["standard"]["zh"] and item["standard"]["en"], where


def test_the_2020_versions_end_where_the_current_versions_begin(cli):
    by_id: dict[str, list[dict]] = {}
    for entry in listing(cli):
        by_id.setdefault(entry["id"], []).append(entry)
    changed = {"routine-monthly", "special-campus-safety", "special-school-opening", "assessment-kindergarten",
               "plan-1-party-leadership", "plan-2-equity", "plan-3-whole-person", "plan-4-coordinated",
               "plan-5-institutions"}
    for cid in changed:
        windows = sorted((str(v["version"]), v.get("valid_from"), v.get("valid_to")) for v in by_id[cid])
        assert windows == [("1", None, "2021-08-31"), ("2", "2021-09-01", None)], cid
    assert by_id["special-drowning-prevention"][0]["valid_from"] == "2025-01-01"
    for cid in NEW_CHECKLISTS - {"special-drowning-prevention"}:
        assert [(v.get("valid_from"), v.get("valid_to")) for v in by_id[cid]] == [("2021-09-01", None)], cid


def test_coverage_shows_all_21_plan_items_today_and_in_2020(cli):
    for extra in ((), ("--date", "2020-11-02")):
        result = cli("checklist", "coverage", "--format", "json", *extra)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["covered"] == 21 and data["total"] == 21, extra
        assert all(item["points"] >= 3 for item in data["items"]), extra


def test_the_readme_answers_file_example_records(cli, county, tmp_path: Path):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"Answers file \(command-line options override the header\):\n\n```yaml\n(.*?)```", text, re.S)
    assert block, "README answers-file example not found"
    path = tmp_path / "readme-answers.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    visit = record(cli, path)
    assert visit["checklist"] == "routine-monthly" and visit["counts"]["pass"] + visit["counts"]["fail"] == 2


# -- versions by date -----------------------------------------------------------------------------------

def test_a_2020_visit_gets_the_2020_version_and_a_2026_visit_the_current_one(cli, county, tmp_path: Path):
    hashes = {str(v["version"]): v["hash"] for v in listing(cli) if v["id"] == "routine-monthly"}
    same = {"rm-admin-signboard": "yes", "rm-study-long-break": 30}
    old = record(cli, answers_file(tmp_path, "a.yaml", "NX-001", "routine-monthly", "2020-11-02", same))
    new = record(cli, answers_file(tmp_path, "b.yaml", "NX-001", "routine-monthly", "2026-03-02", same))
    assert old["checklist_hash"] == hashes["1"] and new["checklist_hash"] == hashes["2"]
    # the 2020 phone point is still answerable for a 2020 visit ...
    record(cli, answers_file(tmp_path, "c.yaml", "NX-002", "routine-monthly", "2020-11-03", {"rm-ethos-phones": "yes"}))


def test_a_2020_point_id_is_refused_in_a_2026_visit_and_nothing_is_written(cli, county, tmp_path: Path):
    before = rows(county, "SELECT count(*) FROM visits")
    path = answers_file(tmp_path, "d.yaml", "NX-001", "routine-monthly", "2026-03-03", {"rm-ethos-phones": "yes"})
    result = cli("inspect", "visit", "--answers", path, "--partial")
    assert result.exit_code == 2
    assert "rm-ethos-phones" in result.output and "unknown point id" in result.output
    assert rows(county, "SELECT count(*) FROM visits") == before


# -- kindergartens ------------------------------------------------------------------------------------------

def test_kindergartens_use_the_kindergarten_monthly_checklist_from_2021_09(cli, county, tmp_path: Path):
    # NX-021 南洲镇中心幼儿园: routine-monthly still applies in the 2020 version, not in the current one
    sign = {"rm-admin-signboard": "yes"}
    record(cli, answers_file(tmp_path, "a.yaml", "NX-021", "routine-monthly", "2020-11-02", sign))
    later = answers_file(tmp_path, "b.yaml", "NX-021", "routine-monthly", "2026-03-02", sign)
    refused = cli("inspect", "visit", "--answers", later, "--partial")
    assert refused.exit_code == 2 and "does not apply" in refused.output
    visit = record(cli, answers_file(tmp_path, "c.yaml", "NX-021", "routine-kindergarten", "2026-03-02",
                                     {"kg-outdoor-hours": 1.5, "kg-sport-hour": 1, "kg-no-primary-content": "yes"}))
    assert [f["item"] for f in visit["findings"]] == ["kg-outdoor-hours"]
    got = outcomes(cli, visit["id"])
    assert got["kg-outdoor-hours"] == "fail" and got["kg-sport-hour"] == "pass"
    assert got["kg-outdoor-hours-boarding"] == "na"  # NX-021 is not a boarding kindergarten


def test_the_kindergarten_assessment_point_applies_to_inclusive_kindergartens_only(cli, county, tmp_path: Path):
    answer = {"p5-kg-assessment-passed": "no", "p5-charter": "yes"}
    inclusive = record(cli, answers_file(tmp_path, "a.yaml", "NX-029", "plan-5-institutions", "2026-03-04", answer))
    other = record(cli, answers_file(tmp_path, "b.yaml", "NX-030", "plan-5-institutions", "2026-03-04", answer))
    assert outcomes(cli, inclusive["id"])["p5-kg-assessment-passed"] == "fail"
    assert outcomes(cli, other["id"])["p5-kg-assessment-passed"] == "na"  # 民办, not 普惠


# -- the shared library: one breach, one finding -------------------------------------------------------------

def test_a_food_sample_breach_seen_with_two_checklists_is_one_finding(cli, county, tmp_path: Path):
    record(cli, answers_file(tmp_path, "a.yaml", "NX-001", "routine-monthly", "2026-03-02", {"food-sample": "no"}))
    record(cli, answers_file(tmp_path, "b.yaml", "NX-001", "special-campus-safety", "2026-03-09",
                             {"food-sample": "no"}))
    result = cli("finding", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    found = [f for f in json.loads(result.stdout) if f["item"] == "food-sample"]
    assert len(found) == 1 and found[0]["status"] == "open" and found[0]["opened"] == "2026-03-02"
    assert rows(county, "SELECT recheck_count FROM findings WHERE point_key = 'food-sample'") == [(1,)]
    # a pass with a third checklist that shares the point resolves it
    record(cli, answers_file(tmp_path, "c.yaml", "NX-001", "special-school-opening", "2026-03-16",
                             {"food-purchase": "yes", "drinking-water": "yes"}))
    record(cli, answers_file(tmp_path, "d.yaml", "NX-001", "routine-monthly", "2026-04-06", {"food-sample": "yes"}))
    after = [f for f in json.loads(cli("finding", "list", "--format", "json", "--status", "resolved").stdout)
             if f["item"] == "food-sample"]
    assert len(after) == 1


def test_a_vocational_boarding_school_gets_the_drill_points(cli, county, tmp_path: Path):
    # NX-007 南县职业中等专业学校: boarding 中职, which no drill point reached in the 2020 versions
    visit = record(cli, answers_file(tmp_path, "a.yaml", "NX-007", "routine-monthly", "2026-03-02",
                                     {"drill-month": 0, "drill-boarding": "no"}))
    assert sorted(f["item"] for f in visit["findings"]) == ["drill-boarding", "drill-month"]


# -- seasonal drowning prevention ---------------------------------------------------------------------------

def test_drowning_points_are_seasonal_and_the_checklist_starts_in_2025(cli, county, tmp_path: Path):
    may = record(cli, answers_file(tmp_path, "a.yaml", "NX-001", "special-drowning-prevention", "2026-05-11",
                                   {"dr-parent-letter": "no", "dr-absence-same-day": "yes"}))
    assert [f["item"] for f in may["findings"]] == ["dr-parent-letter"]
    november = record(cli, answers_file(tmp_path, "b.yaml", "NX-001", "special-drowning-prevention", "2026-11-16",
                                        {"dr-absence-same-day": "yes", "dr-education": "yes"}))
    got = outcomes(cli, november["id"])
    assert got["dr-parent-letter"] == "na" and got["dr-holiday-reminders"] == "na" and got["dr-education"] == "pass"
    before = rows(county, "SELECT count(*) FROM visits")
    too_early = answers_file(tmp_path, "c.yaml", "NX-001", "special-drowning-prevention", "2024-06-03",
                             {"dr-education": "yes"})
    early = cli("inspect", "visit", "--answers", too_early, "--partial")
    assert early.exit_code == 2 and "no version valid on 2024-06-03" in early.output
    assert rows(county, "SELECT count(*) FROM visits") == before


# -- tutoring institutions -------------------------------------------------------------------------------------

def test_a_tutoring_institution_is_a_roster_entry_checked_with_its_own_checklist(cli, county, tmp_path: Path):
    roster = tmp_path / "institutions.csv"
    roster.write_text("代码,名称,乡镇,学段\nTI-001,南洲镇启明培训中心（样本）,南洲镇,校外培训机构\n", encoding="utf-8")
    result = cli("school", "import", roster)
    assert result.exit_code == 0, result.output
    shown = cli("school", "show", "TI-001", "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["stages"] == ["training"]
    visit = record(cli, answers_file(tmp_path, "a.yaml", "TI-001", "special-tutoring-institutions", "2026-03-07",
                                     {"ti-no-holiday": "no", "ti-no-school-teachers": "yes"}))
    assert [f["item"] for f in visit["findings"]] == ["ti-no-holiday"]
    before = rows(county, "SELECT count(*) FROM visits")
    for date in ("2026-03-09", "2020-11-02"):  # the 2020 version names no stages: it is for schools only
        monthly = answers_file(tmp_path, "b.yaml", "TI-001", "routine-monthly", date, {"rm-admin-signboard": "yes"})
        refused = cli("inspect", "visit", "--answers", monthly, "--partial")
        assert refused.exit_code == 2 and "does not apply" in refused.output, date
    assert rows(county, "SELECT count(*) FROM visits") == before


# -- the demo county in later years ------------------------------------------------------------------------------

def test_a_2026_demo_county_uses_the_current_checklists_realistically(cli, tmp_path: Path):
    demo = tmp_path / "demo.db"
    result = cli("demo", "--db", demo, "--end", "2026-11-30")
    assert result.exit_code == 0, result.output
    by = dict(((stage, cid), n) for stage, cid, n in rows(
        demo, "SELECT s.stages, v.checklist_id, count(*) FROM visits v JOIN schools s ON s.code = v.school_code "
              "GROUP BY 1, 2"))
    assert by[("kindergarten", "routine-kindergarten")] > 40
    assert not [key for key in by if key[0] == "kindergarten" and key[1] == "routine-monthly"]
    months = dict(rows(demo, "SELECT checklist_id, group_concat(DISTINCT substr(date, 6, 2)) FROM visits GROUP BY 1"))
    assert set(months["special-drowning-prevention"].split(",")) <= {"05", "06"}
    assert months["special-five-managements"] == "10" and months["special-student-protection"] == "12"
    # the summer points were asked on the drowning visits, not left n/a
    asked = rows(demo, "SELECT count(*), sum(a.outcome = 'na') FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                       "WHERE a.item_id = 'dr-parent-letter'")
    assert asked[0][0] > 10 and asked[0][1] == 0
    # every visit used the current version of its checklist (no 2020 version after 2021-08-31)
    assert rows(demo, "SELECT count(*) FROM visits v JOIN checklist_versions c ON c.hash = v.checklist_hash "
                      "WHERE json_extract(c.content, '$.valid_to') = '2021-08-31'") == [(0,)]


def test_a_demo_across_the_2021_boundary_switches_versions_on_2021_09_01(cli, tmp_path: Path):
    demo = tmp_path / "demo.db"
    result = cli("demo", "--db", demo, "--end", "2022-06-30", "--years", "2", "--visits-per-year", "6")
    assert result.exit_code == 0, result.output
    versions = rows(demo, "SELECT v.date >= '2021-09-01', json_extract(c.content, '$.valid_to') IS NOT NULL, count(*) "
                          "FROM visits v JOIN checklist_versions c ON c.hash = v.checklist_hash GROUP BY 1, 2")
    assert {(later, old) for later, old, _ in versions} == {(0, 1), (1, 0)}
    kindergarten_routine = rows(demo, "SELECT v.date >= '2021-09-01', v.checklist_id FROM visits v JOIN schools s "
                                      "ON s.code = v.school_code WHERE s.stages = 'kindergarten' AND v.checklist_id "
                                      "LIKE 'routine-%' GROUP BY 1, 2")
    assert sorted(kindergarten_routine) == [(0, "routine-monthly"), (1, "routine-kindergarten")]
