"""The school roster (`school import|list|show`) and the supervisors (`inspector add|list|assign`)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from nanxian_cli.config import bundled_data_dir
from nanxian_cli.core.vocab import ATTRIBUTES, STAGES


def dump(db: Path) -> list[str]:
    """Every table's full content, for 'the database is exactly as before'."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def school_json(cli, *args: str) -> list[dict]:
    result = cli("school", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_csv(path: Path, text: str, bom: bool = True) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# -- import ---------------------------------------------------------------------------------------

def test_yaml_import_and_reimport_counts(cli, roster_file: Path):
    result = cli("school", "import", roster_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 5 added, 0 updated, 0 unchanged"
    result = cli("school", "import", roster_file)
    assert result.stdout.strip() == "Schools: 0 added, 0 updated, 5 unchanged"
    changed = roster_file.read_text(encoding="utf-8").replace("乌嘴乡, stages: primary junior, canteen: false",
                                                              "乌嘴乡, stages: primary junior, canteen: true")
    changed += "- {code: NX-006, name: 明山头镇中心小学, town: 明山头镇, stages: primary}\n"
    roster_file.write_text(changed, encoding="utf-8")
    result = cli("school", "import", roster_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 1 added, 1 updated, 4 unchanged"
    schools = {s["code"]: s for s in school_json(cli)}
    assert schools["NX-005"]["canteen"] is True
    assert schools["NX-006"]["name"] == "明山头镇中心小学"


def test_imported_values(cli, schools):
    by_code = {s["code"]: s for s in school_json(cli)}
    assert sorted(by_code) == ["NX-001", "NX-002", "NX-003", "NX-004", "NX-005"]
    assert by_code["NX-002"] == {
        "code": "NX-002", "name": "华阁镇中心学校", "town": "华阁镇", "stages": ["primary", "junior"],
        "boarding": True, "canteen": True, "school_bus": True, "ownership": "public", "group": "", "inspector": None,
        "inclusive": False,
    }
    assert by_code["NX-001"]["group"] == "南洲实验小学教育集团"
    assert by_code["NX-003"]["stages"] == ["senior"]


def test_import_in_chinese(cli, roster_file: Path):
    result = cli("--lang", "zh", "school", "import", roster_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "学校名册：新增 5，更新 0，未变 0"


def test_csv_with_bom_stage_lists_and_booleans(cli, tmp_path: Path):
    path = write_csv(tmp_path / "roster.csv", (
        "code,name,town,stages,boarding,canteen,school_bus,ownership,group\r\n"
        "C-1,甲校,甲镇,primary junior,true,false,yes,public,\r\n"
        'C-2,乙校,乙镇,"primary,junior",no,1,0,private,乙集团\r\n'
        "C-3,丙校,甲镇,kindergarten,是,否,TRUE,公办,\r\n"
        "C-4,丁校,丙镇,vocational，special,,,,\r\n"
    ))
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 4 added, 0 updated, 0 unchanged"
    got = {s["code"]: (s["stages"], s["boarding"], s["canteen"], s["school_bus"], s["ownership"], s["group"])
           for s in school_json(cli)}
    assert got == {
        "C-1": (["primary", "junior"], True, False, True, "public", ""),
        "C-2": (["primary", "junior"], False, True, False, "private", "乙集团"),
        "C-3": (["kindergarten"], True, False, True, "public", ""),
        "C-4": (["vocational", "special"], False, False, False, "public", ""),
    }


def test_yaml_roster_under_a_schools_key(cli, tmp_path: Path):
    path = tmp_path / "r.yml"
    path.write_text("schools:\n  - {code: Y-1, name: 甲校, stages: [primary]}\n", encoding="utf-8")
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert [s["code"] for s in school_json(cli)] == ["Y-1"]


def test_sample_roster_covers_every_stage_and_attribute(cli):
    result = cli("school", "import", bundled_data_dir() / "schools.sample.yaml")
    assert result.exit_code == 0, result.output
    schools = school_json(cli)
    # every stage of a school; `training` (a tutoring institution, not a school) is not in the sample roster
    assert {stage for s in schools for stage in s["stages"]} == set(STAGES) - {"training"}
    for attribute in ATTRIBUTES:
        assert any(s[attribute] for s in schools), attribute
        assert any(not s[attribute] for s in schools), attribute


BAD_CSV_CASES = [
    ("missing code", "code,name,stages\r\n,甲校,primary\r\n", ["bad.csv:2: row 1: code: field required"]),
    ("missing name", "code,name,stages\r\nB-1,,primary\r\n", ["bad.csv:2: row 1: name: field required"]),
    ("unknown stage", "code,name,stages\r\nB-1,甲校,primary college\r\n",
     ["bad.csv:2: row 1: stages[1]: unknown stage 'college'; expected one of kindergarten, primary, junior, senior, "
      "vocational, special, training"]),
    ("bad boolean", "code,name,stages,canteen\r\nB-1,甲校,primary,maybe\r\n",
     ["bad.csv:2: row 1: canteen: expected true or false, got 'maybe'"]),
    ("duplicate code", "code,name,stages\r\nB-1,甲校,primary\r\nB-1,乙校,primary\r\n",
     ["bad.csv:3: row 2: code: 'B-1' repeats row 1"]),
    ("too many cells", "code,name,stages\r\nB-1,甲校,primary,extra\r\n",
     ["bad.csv:2: row 1: more cells than header columns"]),
    ("unknown column", "code,name,stages,colour\r\nB-1,甲校,primary,red\r\n",
     ["bad.csv:1: unknown column(s) 'colour'; expected code, name, town, stages, boarding, canteen, school_bus, "
      "ownership, group, inclusive"]),
    ("missing column", "code,name\r\nB-1,甲校\r\n", ["bad.csv:1: missing column 'stages'"]),
    ("bad ownership", "code,name,stages,ownership\r\nB-1,甲校,primary,state\r\n",
     ["bad.csv:2: row 1: ownership: Input should be 'public' or 'private'"]),
    ("long name", "code,name,stages\r\nB-1," + "长" * 500 + ",primary\r\n",
     ["bad.csv:2: row 1: name: String should have at most 200 characters"]),
    ("header only", "code,name,stages\r\n", ["bad.csv:1: the roster has no rows"]),
    ("repeated column", "code,name,stages,name\r\nB-1,甲校,primary,乙校\r\n",
     ["bad.csv:1: column(s) 'name' appear more than once"]),
    ("value without header", "code,name,stages,\r\nB-1,甲校,primary,\r\nB-2,乙校,primary,x\r\n",
     ["bad.csv:3: row 2: column 4 has a value but no header"]),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_CSV_CASES, ids=[c[0] for c in BAD_CSV_CASES])
def test_bad_csv_row_changes_nothing(cli, schools, tmp_path: Path, db_path: Path, case, text, expected):
    # one good row that would be an update and one that would be new: neither may be written
    before = dump(db_path)
    path = write_csv(tmp_path / "bad.csv", text)
    result = cli("school", "import", path)
    assert result.exit_code == 2
    details = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert details == [line.replace("bad.csv", str(path)) for line in expected]
    assert dump(db_path) == before


def test_every_bad_row_is_listed_and_good_rows_are_not_written(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    path = write_csv(tmp_path / "mixed.csv", (
        "code,name,town,stages,boarding\r\n"
        "NX-001,南洲实验小学（改名）,南洲镇,primary,no\r\n"   # would be an update
        "NEW-1,新学校,新镇,primary,no\r\n"                   # would be new
        ",无代码,,primary,no\r\n"
        "NEW-2,,,primary,no\r\n"
        "NEW-3,三校,,college,no\r\n"
        "NEW-4,四校,,primary,maybe\r\n"
        "NEW-1,重复,,primary,no\r\n"
        "NEW-5,五校,,primary,no,extra\r\n"
    ))
    result = cli("school", "import", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {path}: 6 problem(s); nothing was imported",
        f"  {path}:4: row 3: code: field required",
        f"  {path}:5: row 4: name: field required",
        f"  {path}:6: row 5: stages[0]: unknown stage 'college'; expected one of kindergarten, primary, junior, "
        "senior, vocational, special, training",
        f"  {path}:7: row 6: boarding: expected true or false, got 'maybe'",
        f"  {path}:8: row 7: code: 'NEW-1' repeats row 2",
        f"  {path}:9: row 8: more cells than header columns",
    ]
    assert dump(db_path) == before


def test_bad_yaml_rows_listed_with_lines(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- code: NX-001\n"
        "  name: 南洲实验小学\n"
        "  stages: primary\n"
        "- code: NX-009\n"
        "  stages: [primary, college]\n"
        "  canteen: perhaps\n"
        "- just a string\n"
        "- {code: NX-010, name: x, stages: primary, colour: red}\n",
        encoding="utf-8",
    )
    result = cli("school", "import", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == [
        f"  {path}:4: row 2: name: field required",
        f"  {path}:4: row 2: stages[1]: unknown stage 'college'; expected one of kindergarten, primary, junior, "
        "senior, vocational, special, training",
        f"  {path}:4: row 2: canteen: expected true or false, got 'perhaps'",
        f"  {path}:7: row 3: expected a mapping with code, name, stages, …",
        f"  {path}:8: row 4: colour: unknown field",
    ]
    assert dump(db_path) == before


def test_non_utf8_roster_changes_nothing(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,stages\r\nG-1,南县学校,primary\r\n".encode("gbk"))
    result = cli("school", "import", path)
    assert result.exit_code == 2
    assert f"{path}:2:5: byte 0xc4 is not valid UTF-8 (save the file as UTF-8)" in result.stderr
    assert dump(db_path) == before


def test_yaml_syntax_error_and_unsafe_tag_in_roster(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {code: X, name: [\n", encoding="utf-8")
    result = cli("school", "import", broken)
    assert result.exit_code == 2 and f"{broken}:2:1: " in result.stderr
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("- !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    result = cli("school", "import", tagged)
    assert result.exit_code == 2 and "is not allowed" in result.stderr
    assert dump(db_path) == before


def test_unsupported_extension_and_missing_file(cli, tmp_path: Path):
    other = tmp_path / "roster.ods"  # (.xlsx is read since format 2: see test_roster_v2.py)
    other.write_bytes(b"PK")
    result = cli("school", "import", other)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {other}: expected a .yaml, .yml or .csv roster file, or an .xlsx workbook"
    result = cli("school", "import", tmp_path / "absent.csv")
    assert result.exit_code == 2
    assert "file not found" in result.stderr
    assert not Path(os.environ["NANXIAN_DB"]).exists()


def test_empty_csv(cli, tmp_path: Path):
    path = write_csv(tmp_path / "empty.csv", "", bom=False)
    result = cli("school", "import", path)
    assert result.exit_code == 2
    assert f"{path}:1: no header row" in result.stderr


# -- list -----------------------------------------------------------------------------------------

def test_list_filters(cli, schools):
    assert [s["code"] for s in school_json(cli, "--town", "南洲镇")] == ["NX-001", "NX-003", "NX-004"]
    assert sorted(s["code"] for s in school_json(cli, "--stage", "primary")) == ["NX-001", "NX-002", "NX-005"]
    assert sorted(s["code"] for s in school_json(cli, "--stage", "junior")) == ["NX-002", "NX-005"]
    assert [s["code"] for s in school_json(cli, "--town", "南洲镇", "--stage", "kindergarten")] == ["NX-004"]
    # a town no school is in is a typo, not an empty list (issue 17: exit 2 with the towns)
    result = cli("school", "list", "--town", "无此镇", "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no school is in '无此镇'" in result.stderr and "南洲镇" in result.stderr


def test_list_unknown_stage(cli, schools):
    result = cli("school", "list", "--stage", "college")
    assert result.exit_code == 2
    assert "unknown stage 'college'" in result.stderr


def test_list_csv_has_bom_and_neutralises_formulas(cli, tmp_path: Path):
    roster = tmp_path / "r.yaml"
    roster.write_text(
        "- {code: F-1, name: '=cmd|\" /C calc\"!A0', town: '+town', stages: primary, group: '@grp'}\n"
        "- {code: F-2, name: '-2+3', stages: primary}\n",
        encoding="utf-8",
    )
    assert cli("school", "import", roster).exit_code == 0
    result = cli("school", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    out = result.stdout_bytes.decode("utf-8")  # .stdout would turn \r\n into \n
    assert out.startswith("\ufeffcode,name,town,stages,boarding,canteen,school bus,ownership,group,inspector,"
                          "inclusive\r\n")
    assert "F-1,\"'=cmd|\"\" /C calc\"\"!A0\",'+town,primary,false,false,false,public,'@grp,,false\r\n" in out
    assert "F-2,'-2+3,,primary,false,false,false,public,,,false\r\n" in out


def test_list_output_file_by_extension(cli, schools, tmp_path: Path):
    out = tmp_path / "schools.json"
    result = cli("school", "list", "--output", out)
    assert result.exit_code == 0, result.output
    assert [s["code"] for s in json.loads(out.read_text(encoding="utf-8"))][0] == "NX-005"


def test_list_table_keeps_codes_and_names_whole_at_80_columns(cli, schools):
    result = cli("school", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for code, name in (("NX-001", "南洲实验小学"), ("NX-002", "华阁镇中心学校"), ("NX-004", "南洲镇中心幼儿园")):
        assert any(code in line and name in line for line in lines), (code, name)


def test_hostile_names_are_printed_literally(cli, tmp_path: Path):
    long_name = "长" * 200
    roster = tmp_path / "hostile.yaml"
    roster.write_text(
        "- {code: H-1, name: '[bold]x[/]', stages: primary}\n"
        "- {code: H-2, name: '<script>alert(1)</script>', stages: primary}\n"
        "- {code: H-3, name: '=HYPERLINK(\"http://x\",\"y\")', stages: primary}\n"
        "- {code: H-4, name: '[red]red[/red] :smile:', town: '[link=http://x]t[/link]', stages: primary}\n"
        f"- {{code: H-5, name: {long_name}, stages: primary}}\n",
        encoding="utf-8",
    )
    result = cli("school", "import", roster)
    assert result.exit_code == 0, result.output
    result = cli("school", "list")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("[bold]x[/]", "<script>alert(1)</script>", '=HYPERLINK("http://x","y")', "[red]red[/red] :smile:",
                 "[link=http://x]t[/link]"):
        assert text in out, text
    assert out.count("长") == 200  # folded over several lines, nothing cut
    result = cli("school", "show", "H-1")
    assert result.exit_code == 0 and "[bold]x[/]" in result.stdout


def test_long_names_cannot_be_imported(cli, tmp_path: Path):
    roster = tmp_path / "long.yaml"
    roster.write_text(f"- {{code: L-1, name: {'长' * 500}, stages: primary}}\n", encoding="utf-8")
    result = cli("school", "import", roster)
    assert result.exit_code == 2
    assert f"{roster}:1: row 1: name: String should have at most 200 characters" in result.stderr


# -- show -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query",
    ["NX-001", "nx-001", "南洲实验小学", "实验", "实验小学", "nzsyxx", "NZSYXX", "nzs", " NX-001 "],
)
def test_show_finds_the_school(cli, schools, query: str):
    result = cli("school", "show", query, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "NX-001"


def test_show_table(cli, schools):
    result = cli("school", "show", "hgzzxxx")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert ["code", "NX-002"] in lines
    assert ["name", "华阁镇中心学校"] in lines
    assert ["stages", "primary", "junior"] in lines
    assert ["boarding", "yes"] in lines
    assert ["inspector", "—"] in lines


def test_show_ambiguous_lists_candidates(cli, schools):
    result = cli("school", "show", "中心学校")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: '中心学校' matches 2 schools; give the code or the full name",
        "  NX-002  华阁镇中心学校  (华阁镇)",
        "  NX-005  乌嘴乡中心学校  (乌嘴乡)",
    ]


def test_show_ambiguous_in_chinese(cli, schools):
    result = cli("--lang", "zh", "school", "show", "南洲")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "错误: '南洲' 匹配到 2 所学校；请给出代码或全称"


def test_show_unknown(cli, schools):
    result = cli("school", "show", "北京四中")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no school matches '北京四中' (try `nanxian school list`)"


def test_exact_name_beats_part_of_a_name(cli, schools, tmp_path: Path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("- {code: NX-100, name: 南洲, stages: primary}\n", encoding="utf-8")
    assert cli("school", "import", extra).exit_code == 0
    result = cli("school", "show", "南洲", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "NX-100"


def test_like_wildcards_are_literal(cli, schools, tmp_path: Path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("- {code: W-1, name: 百分百_学校%, stages: primary}\n", encoding="utf-8")
    assert cli("school", "import", extra).exit_code == 0
    for query in ("%", "_", "_学校%"):
        result = cli("school", "show", query, "--format", "json")
        assert result.exit_code == 0, (query, result.output)
        assert json.loads(result.stdout)["code"] == "W-1"


# -- inspectors -----------------------------------------------------------------------------------

def test_inspector_add_list_assign_reassign(cli, schools):
    assert cli("inspector", "add", "李明").stdout.strip() == "Added inspector 李明"
    assert cli("inspector", "add", "李明").stdout.strip() == "Inspector 李明 already exists"
    assert cli("inspector", "add", "王芳", "--phone", "0737-5221234").exit_code == 0

    result = cli("inspector", "assign", "李明", "NX-001", "华阁")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "南洲实验小学 (NX-001): inspector 李明",
        "华阁镇中心学校 (NX-002): inspector 李明",
    ]
    result = cli("inspector", "assign", "王芳", "nzsyxx")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "南洲实验小学 (NX-001): inspector 李明 → 王芳"
    result = cli("--lang", "zh", "inspector", "assign", "李明", "NX-001")
    assert result.stdout.strip() == "南洲实验小学（NX-001）：责任督学 王芳 → 李明"

    result = cli("inspector", "list", "--format", "json")
    first, second = json.loads(result.stdout)
    assert second == {"name": "王芳", "phone": "0737-5221234", "schools": 0, "school_names": []}
    assert (first["name"], first["phone"], first["schools"]) == ("李明", None, 2)
    assert sorted(first["school_names"]) == sorted(["南洲实验小学", "华阁镇中心学校"])
    assert {s["code"]: s["inspector"] for s in school_json(cli)} == {
        "NX-001": "李明", "NX-002": "李明", "NX-003": None, "NX-004": None, "NX-005": None,
    }


def test_assign_unknown_inspector_or_school_changes_nothing(cli, schools, db_path: Path):
    assert cli("inspector", "add", "李明").exit_code == 0
    before = dump(db_path)
    result = cli("inspector", "assign", "张三", "NX-001")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no inspector named '张三' (add one with `nanxian inspector add NAME`)"
    result = cli("inspector", "assign", "李明", "NX-001", "nosuch")
    assert result.exit_code == 2
    assert "no school matches 'nosuch'" in result.stderr
    result = cli("inspector", "assign", "李明", "NX-001", "中心学校")
    assert result.exit_code == 2
    assert "matches 2 schools" in result.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(("name", "message"), [("   ", "inspector name is empty"),
                                                ("李" * 101, "inspector name is longer than 100 characters")])
def test_inspector_add_bad_names(cli, name: str, message: str):
    result = cli("inspector", "add", name)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {message}"


def test_inspector_list_hostile_name(cli):
    assert cli("inspector", "add", "[bold]x[/] <b>").exit_code == 0
    result = cli("inspector", "list")
    assert result.exit_code == 0
    assert "[bold]x[/] <b>" in result.stdout


def test_show_unknown_format(cli, schools):
    result = cli("school", "show", "NX-001", "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --format: choose table or json, not 'csv'"


def test_csv_with_empty_trailing_columns_from_a_spreadsheet(cli, tmp_path: Path):
    path = write_csv(tmp_path / "excel.csv",
                     "code,name,stages,,\r\nE-1,甲校,primary,,\r\n,,,,\r\nE-2,乙校,junior,,\r\n")
    result = cli("school", "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Schools: 2 added, 0 updated, 0 unchanged"
    assert [s["code"] for s in school_json(cli)] == ["E-1", "E-2"]


def test_terminal_control_characters_are_refused_on_import(cli, schools, tmp_path: Path, db_path: Path):
    before = dump(db_path)
    roster = tmp_path / "esc.yaml"
    roster.write_text('- {code: E-1, name: "\\e[2J\\e]0;owned\\a", stages: primary}\n', encoding="utf-8")
    result = cli("school", "import", roster)
    assert result.exit_code == 2
    assert f"{roster}:1: row 1: name: contains the control character U+001B; remove it" in result.stderr
    csv_path = write_csv(tmp_path / "esc.csv", "code,name,town,stages\r\nE-2,甲校,\x1b[31m镇,primary\r\n")
    result = cli("school", "import", csv_path)
    assert result.exit_code == 2
    assert f"{csv_path}:2: row 1: town: contains the control character U+001B; remove it" in result.stderr
    result = cli("inspector", "add", "李\x1b[8m明")
    assert result.exit_code == 2
    assert "control character" in result.stderr
    assert dump(db_path) == before


def test_stored_control_characters_are_shown_not_sent_to_the_terminal(cli, schools, db_path: Path):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE schools SET name = ? WHERE code = 'NX-003'", ("南县\x1b[2J一中\x07",))
    conn.commit()
    conn.close()
    for args in (("school", "list"), ("school", "show", "NX-003")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "南县\\x1b[2J一中\\x07" in result.stdout


# -- property: whatever text a bureau types survives CSV and YAML unchanged ---------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)
_school = st.fixed_dictionaries({
    "name": _text, "town": _text, "group": _text,
    "stages": st.lists(st.sampled_from(STAGES), min_size=1, max_size=3, unique=True),
    "boarding": st.booleans(), "canteen": st.booleans(), "school_bus": st.booleans(),
    "ownership": st.sampled_from(["public", "private"]),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_school, min_size=1, max_size=4), as_csv=st.booleans())
def test_roster_round_trip(cli, tmp_path: Path, rows: list[dict], as_csv: bool):
    import csv
    import io
    import uuid

    import yaml

    rows = [dict(row, code=f"P-{i}") for i, row in enumerate(rows)]
    if as_csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["code", "name", "town", "stages", "boarding", "canteen", "school_bus", "ownership", "group"])
        for r in rows:
            writer.writerow([r["code"], r["name"], r["town"], ",".join(r["stages"]), "是" if r["boarding"] else "否",
                             str(r["canteen"]).lower(), int(r["school_bus"]), r["ownership"], r["group"]])
        path = write_csv(tmp_path / f"{uuid.uuid4().hex}.csv", buf.getvalue())
    else:
        path = tmp_path / f"{uuid.uuid4().hex}.yaml"
        path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    db = tmp_path / f"{uuid.uuid4().hex}.db"
    result = cli("--db", db, "school", "import", path)
    assert result.exit_code == 0, result.output
    listed = cli("--db", db, "school", "list", "--format", "json")
    got = {s["code"]: s for s in json.loads(listed.stdout)}
    for r in rows:
        expected = {k: r[k] for k in ("name", "town", "group", "stages", "boarding", "canteen", "school_bus",
                                      "ownership")}
        assert {k: got[r["code"]][k] for k in expected} == expected


def test_inspector_list_keeps_school_names_with_separators_whole(cli, tmp_path: Path):
    roster = tmp_path / "r.yaml"
    roster.write_text("- {code: S-1, name: 城关、华阁联合学校, stages: primary}\n"
                      "- {code: S-2, name: '甲校, 分校', stages: primary}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    assert cli("inspector", "add", "李明").exit_code == 0
    assert cli("inspector", "assign", "李明", "S-1", "S-2").exit_code == 0
    result = cli("inspector", "list", "--format", "json")
    assert json.loads(result.stdout) == [
        {"name": "李明", "phone": None, "schools": 2, "school_names": ["城关、华阁联合学校", "甲校, 分校"]}
    ]


def test_yaml_numbers_keep_the_text_as_written(cli, tmp_path: Path):
    """YAML would read `0101` as octal 65 and `3.10` as 3.1; codes and names must stay as typed."""
    roster = tmp_path / "numbers.yaml"
    roster.write_text(
        "- {code: 0101, name: 甲校, stages: primary}\n"
        "- {code: 1_000, name: 3.10, town: 0x1F, stages: primary}\n"
        "- {code: '0102', name: 乙校, stages: primary, group: 007}\n",
        encoding="utf-8",
    )
    result = cli("school", "import", roster)
    assert result.exit_code == 0, result.output
    got = {s["code"]: (s["name"], s["town"], s["group"]) for s in school_json(cli)}
    assert got == {"0101": ("甲校", "", ""), "1_000": ("3.10", "0x1F", ""), "0102": ("乙校", "", "007")}
    result = cli("school", "show", "0101", "--format", "json")
    assert json.loads(result.stdout)["name"] == "甲校"
