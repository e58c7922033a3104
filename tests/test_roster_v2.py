"""Roster format 2 through the real CLI: the 普惠 (`inclusive`) field, Chinese headers and values, .xlsx workbooks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest


def dump(db: Path) -> list[str]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def listed(cli) -> dict[str, dict]:
    result = cli("school", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {s["code"]: s for s in json.loads(result.stdout)}


CHINESE_CSV = (
    "代码,名称,乡镇,学段,寄宿,食堂,校车,性质,集团,普惠\r\n"
    "K-1,南洲镇中心幼儿园,南洲镇,幼儿园,否,是,否,公办,,是\r\n"
    "K-2,阳光幼儿园（样本）,南洲镇,幼儿园,否,是,否,民办,,否\r\n"
    "S-1,华阁镇中心学校,华阁镇,九年一贯制,是,是,是,公办,华阁教育集团,\r\n"
    "S-2,南县职业中专（样本）,南洲镇,中职 特教,是,是,否,公办,,\r\n"
)


def test_chinese_csv_headers_and_values(cli, tmp_path: Path):
    path = tmp_path / "名册.csv"
    path.write_text("\ufeff" + CHINESE_CSV, encoding="utf-8")
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 4 added, 0 updated, 0 unchanged"
    schools = listed(cli)
    assert schools["K-1"]["inclusive"] is True and schools["K-1"]["stages"] == ["kindergarten"]
    assert schools["K-2"]["inclusive"] is False and schools["K-2"]["ownership"] == "private"
    assert schools["S-1"]["stages"] == ["primary", "junior"]
    assert (schools["S-1"]["boarding"], schools["S-1"]["school_bus"]) == (True, True)
    assert schools["S-1"]["group"] == "华阁教育集团"
    assert schools["S-2"]["stages"] == ["vocational", "special"]
    # 普惠 is shown: in the list table's attributes, as a field of `school show`, as a CSV column
    table = cli("--lang", "zh", "school", "list").stdout
    assert "普惠" in next(line for line in table.splitlines() if "K-1" in line)
    assert "普惠" not in next(line for line in table.splitlines() if "K-2" in line)
    show = cli("--lang", "zh", "school", "show", "K-1")
    assert show.exit_code == 0, show.output
    assert any(line.split()[:2] == ["普惠", "是"] for line in show.stdout.splitlines()), show.stdout
    assert json.loads(cli("school", "show", "K-2", "--format", "json").stdout)["inclusive"] is False
    csv_out = cli("school", "list", "--format", "csv").stdout_bytes.decode("utf-8")
    assert csv_out.splitlines()[0].endswith(",inspector,inclusive")


def test_chinese_yaml_keys(cli, tmp_path: Path):
    path = tmp_path / "roster.yaml"
    path.write_text("- {代码: K-9, 名称: 普惠园, 学段: 幼儿园, 普惠: 是, 食堂: 有}\n", encoding="utf-8")
    assert cli("school", "import", path).exit_code == 0
    school = listed(cli)["K-9"]
    assert (school["inclusive"], school["canteen"], school["name"]) == (True, True, "普惠园")


@pytest.mark.parametrize(("text", "expected"), [
    ("- {code: P-1, name: 小学, stages: primary, inclusive: true}\n",
     "row 1: inclusive: 普惠 (inclusive) is a kindergarten's status, and this school has no kindergarten stage"),
    ("- {代码: P-1, code: P-2, name: 小学, stages: primary}\n", "row 1: code: given twice ('代码' and 'code' name the "
                                                           "same field)"),
    ("- {code: P-1, name: 幼儿园, stages: 幼儿园, 普惠: 也许}\n",
     "row 1: inclusive: expected true or false, got '也许'"),
    ("- {code: P-1, name: 学校, stages: 幼儿园 大学}\n", "row 1: stages[1]: unknown stage '大学'"),  # 幼儿园 is known
])
def test_bad_v2_roster_rows_import_nothing(cli, schools, tmp_path: Path, db_path: Path, text: str, expected: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    before = dump(db_path)
    result = cli("school", "import", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"Error: {path}: 1 problem(s); nothing was imported"
    assert f"{path}:1: {expected}" in result.stderr, result.stderr
    assert dump(db_path) == before


def workbook(path: Path, rows: list[list], extra_sheet: bool = True) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "学校名册"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        other = book.create_sheet("说明")
        other.append(["这一页不是名册"])
    book.save(path)
    return path


def test_xlsx_roster_first_sheet(cli, tmp_path: Path):
    path = workbook(tmp_path / "schools.xlsx", [
        ["代码", "名称", "乡镇", "学段", "寄宿", "食堂", "校车", "性质", "集团", "普惠"],
        ["K-1", "南洲镇中心幼儿园", "南洲镇", "幼儿园", "否", "是", "否", "公办", None, "是"],
        [None, None, None, None, None, None, None, None, None, None],  # an empty row is skipped
        [101, "一〇一学校（样本）", "华阁镇", "小学 初中", True, 1, 0, "民办", None, None],
    ])
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 2 added, 0 updated, 0 unchanged"
    schools = listed(cli)
    assert schools["K-1"]["inclusive"] is True and schools["K-1"]["canteen"] is True
    assert schools["101"]["stages"] == ["primary", "junior"] and schools["101"]["boarding"] is True
    assert schools["101"]["ownership"] == "private" and schools["101"]["school_bus"] is False


def test_bad_xlsx_imports_nothing(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK not really a workbook")
    result = cli("school", "import", fake)
    assert result.exit_code == 2
    assert f"{fake}:1: not an .xlsx workbook (an .xlsx file is a zip archive" in result.stderr
    bad_rows = workbook(tmp_path / "bad.xlsx", [
        ["code", "name", "stages", "普惠"],
        ["P-1", "小学", "primary", "是"],
        ["P-2", "学校", "college", "否"],
    ])
    result = cli("school", "import", bad_rows)
    assert result.exit_code == 2
    assert f"{bad_rows}:2: row 1: inclusive: 普惠 (inclusive) is a kindergarten's status" in result.stderr
    assert f"{bad_rows}:3: row 2: stages[0]: unknown stage 'college'" in result.stderr
    unknown = workbook(tmp_path / "unknown.xlsx", [["代码", "名称", "学段", "颜色"], ["P-1", "小学", "小学", "红"]])
    result = cli("school", "import", unknown)
    assert result.exit_code == 2 and f"{unknown}:1: unknown column(s) '颜色'" in result.stderr
    assert dump(db_path) == before


def test_migration_adds_inclusive_to_an_existing_database(cli, schools, db_path: Path, tmp_path: Path):
    """A database made before m010: its schools get `inclusive` false, and a roster with 普惠 then sets it."""
    from nanxian_cli.store import schema
    from test_rollups import undo_m012

    conn = sqlite3.connect(db_path)
    try:
        undo_m012(conn)  # m012, made after m010: undone too
        conn.execute("DROP TABLE evidence_links")  # m011, made after m010: undone too
        conn.execute("DROP TABLE evidence")
        conn.execute("DELETE FROM schema_migrations WHERE name = 'm011_evidence'")
        conn.execute("ALTER TABLE schools DROP COLUMN inclusive")
        conn.execute("DELETE FROM schema_migrations WHERE name = 'm010_school_inclusive'")
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 3}")
        conn.commit()
    finally:
        conn.close()
    path = tmp_path / "kg.yaml"
    path.write_text("- {code: NX-004, name: 南洲镇中心幼儿园, town: 南洲镇, stages: kindergarten, canteen: true, "
                    "普惠: 是}\n", encoding="utf-8")
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert "Upgrading the database" in result.stderr
    schools = listed(cli)
    assert schools["NX-004"]["inclusive"] is True
    assert [code for code, s in schools.items() if s["inclusive"]] == ["NX-004"]
