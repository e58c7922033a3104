"""Checklist files: every loader error names the file and the exact line; the checklist commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nanxian_cli.errors import ValidationFailed
from nanxian_cli.files.checklist_file import load_checklist

HEADER = """\
id: mini
version: 1
title: {zh: 小清单, en: Mini checklist}
kind: routine
items:
"""
# Three valid points; HEADER is lines 1-5, so the first item starts on line 6.
GOOD_ITEMS = """\
  - id: m-drill
    text: {zh: 本学期已开展应急疏散演练, en: An evacuation drill was held}
    guidance: {zh: 查看演练记录, en: Ask for the drill record}
    plan: [21]
    type: yesno
    severity: major
  - id: m-class
    text: {zh: 最大班额（人）, en: Largest class (pupils)}
    plan: [4, 14]
    type: number
    max: 55
    severity: critical
  - id: m-homework
    text: 作业量
    plan: [12]
    type: choice
    choices: {light: {zh: 适量, en: Within limits}, heavy: {zh: 过重, en: Too much}}
    pass: [light]
    severity: minor
    when: {item: m-drill, equals: yes}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_checklist(path)
    return info.value.details


@pytest.fixture
def cl_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    folder.mkdir()
    write(folder, "mini.yaml", HEADER + GOOD_ITEMS)
    return folder


# -- the loader -----------------------------------------------------------------------------------

def test_valid_file_loads_with_defaults(cl_dir: Path):
    loaded = load_checklist(cl_dir / "mini.yaml")
    cl = loaded.checklist
    assert [it.id for it in cl.items] == ["m-drill", "m-class", "m-homework"]
    assert cl.rectify_days.critical == 7 and cl.rectify_days.major == 30 and cl.rectify_days.minor == 60
    assert cl.items[0].expect_value is True
    assert cl.items[1].max == 55 and cl.items[1].plan == [4, 14]
    # a plain string stands for both languages
    assert cl.items[2].text.zh == "作业量" and cl.items[2].text.en == "作业量"
    assert cl.items[2].when.item == "m-drill" and cl.items[2].when.equals is True
    assert len(loaded.hash) == 64


def test_hash_ignores_formatting_but_not_content(tmp_path: Path, cl_dir: Path):
    reformatted = write(tmp_path, "same.yaml",
                        "# a comment\n" + HEADER + GOOD_ITEMS.replace("plan: [21]", "plan:\n      - 21"))
    changed = write(tmp_path, "changed.yaml", HEADER + GOOD_ITEMS.replace("max: 55", "max: 56"))
    original = load_checklist(cl_dir / "mini.yaml").hash
    assert load_checklist(reformatted).hash == original
    assert load_checklist(changed).hash != original


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path):
    path = write(tmp_path, "syntax.yaml", HEADER + "  - id: a\n    text: [unclosed\n    plan: [1]\n")
    lines = problems_of(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:8:9: ")
    assert "flow sequence" in lines[0]


def test_schema_error_points_at_the_line_of_the_key(tmp_path: Path):
    items = GOOD_ITEMS + """\
  - id: m-yesno-max
    text: {zh: 四, en: four}
    plan: [3]
    type: yesno
    max: 5
"""
    path = write(tmp_path, "max.yaml", HEADER + items)
    max_line = (HEADER + items).splitlines().index("    max: 5") + 1
    assert max_line == 30
    assert problems_of(path) == [f"{path}:30: items[3].max: `max` does not fit type yesno"]


def test_type_errors_each_on_their_own_line(tmp_path: Path):
    path = write(tmp_path, "types.yaml", HEADER + """\
  - id: a
    text: {zh: 一, en: one}
    plan: one
    type: yesno
    weight: heavy
    severity: huge
""")
    assert problems_of(path) == [
        f"{path}:8: items[0].plan: Input should be a valid list",
        f"{path}:10: items[0].weight: Input should be a valid number, unable to parse string as a number",
        f"{path}:11: items[0].severity: Input should be 'critical', 'major' or 'minor'",
    ]


def test_missing_fields_are_named(tmp_path: Path):
    path = write(tmp_path, "missing.yaml", """\
id: x
version: 1
title: {zh: 坏}
items:
  - id: a
    plan: [1]
    type: yesno
""")
    lines = problems_of(path)
    assert f"{path}:3: title.en: field required" in lines
    assert f"{path}:1: kind: field required" in lines
    assert f"{path}:5: items[0].text: field required" in lines


def test_duplicate_item_id(tmp_path: Path):
    path = write(tmp_path, "dup.yaml", HEADER + GOOD_ITEMS + """\
  - id: m-class
    text: again
    plan: [4]
    type: number
    min: 1
""")
    assert problems_of(path) == [f"{path}:26: items[3].id: duplicate item id 'm-class' (first at items[1])"]


def test_plan_numbers_outside_1_to_21(tmp_path: Path):
    path = write(tmp_path, "plan.yaml", HEADER + """\
  - id: a
    text: t
    plan:
      - 0
      - 21
      - 22
    type: yesno
""")
    assert problems_of(path) == [
        f"{path}:9: items[0].plan[0]: Input should be greater than or equal to 1",
        f"{path}:11: items[0].plan[2]: Input should be less than or equal to 21",
    ]


def test_rule_that_does_not_fit_the_type(tmp_path: Path):
    path = write(tmp_path, "rules.yaml", HEADER + """\
  - id: a
    text: t
    plan: [1]
    type: yesno
    max: 3
  - id: b
    text: t
    plan: [1]
    type: number
    max: 3
    expect: yes
""")
    assert problems_of(path) == [
        f"{path}:10: items[0].max: `max` does not fit type yesno",
        f"{path}:16: items[1].expect: `expect` does not fit type number",
    ]


def test_number_and_rating_rules_are_checked(tmp_path: Path):
    number = write(tmp_path, "num.yaml", HEADER + "  - {id: a, text: t, plan: [1], type: number, min: 9, max: 3}\n")
    assert problems_of(number) == [f"{number}:6: items[0]: min 9 is greater than max 3"]
    bare = write(tmp_path, "bare.yaml", HEADER + "  - {id: a, text: t, plan: [1], type: number}\n")
    assert problems_of(bare) == [f"{bare}:6: items[0]: a number point needs `min` and/or `max`"]
    rating = write(tmp_path, "rating.yaml", HEADER + "  - {id: a, text: t, plan: [1], type: rating, min: 6}\n")
    assert problems_of(rating) == [f"{rating}:6: items[0]: rating `min` must be between 1 and 5"]


def test_pass_option_not_among_choices(tmp_path: Path):
    path = write(tmp_path, "choice.yaml", HEADER + """\
  - id: a
    text: t
    plan: [1]
    type: choice
    choices: {light: Light, heavy: Heavy}
    pass:
      - light
      - medium
""")
    assert problems_of(path) == [f"{path}:13: items[0].pass[1]: 'medium' is not among choices (light, heavy)"]


def test_when_naming_an_unknown_or_a_later_item(tmp_path: Path):
    path = write(tmp_path, "when.yaml", HEADER + """\
  - id: a
    text: t
    plan: [1]
    type: yesno
    when: {item: b, equals: yes}
  - id: b
    text: t
    plan: [1]
    type: yesno
    when:
      item: nosuch
      equals: no
""")
    assert problems_of(path) == [
        f"{path}:10: items[0].when.item: 'b' is a later or the same item; `when` must name an earlier item",
        f"{path}:16: items[1].when.item: 'nosuch' is an unknown item; `when` must name an earlier item",
    ]


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, content: str):
    path = tmp_path / "empty.yaml"
    path.write_text(content, encoding="utf-8")
    assert problems_of(path) == [f"{path}:1: the file is empty"]


def test_bytes_that_are_not_utf8(tmp_path: Path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(HEADER.encode() + "  - id: a\n    text: 南县\n".encode("gbk"))
    assert problems_of(path) == [f"{path}:7:11: byte 0xc4 is not valid UTF-8 (save the file as UTF-8)"]


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + GOOD_ITEMS).encode("utf-8"))
    assert load_checklist(path).checklist.id == "mini"


def test_python_tag_is_refused_and_never_run(tmp_path: Path):
    marker = tmp_path / "pwned"
    path = write(tmp_path, "tag.yaml", HEADER + f"  - !!python/object/apply:os.system ['touch {marker}']\n")
    lines = problems_of(path)
    assert lines == [
        f"{path}:6:5: items[0]: the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
        "(plain values, lists and mappings only)"
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "tag"),
    [("!!python/name:os.system x", "python/name:os.system"), ("!!binary aGk=", "binary"), ("!!set {a, b}", "set")],
)
def test_other_unsafe_or_exotic_tags_are_refused(tmp_path: Path, value: str, tag: str):
    path = write(tmp_path, "tag.yaml", f"id: x\nversion: {value}\n")
    lines = problems_of(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:2:10: ")
    assert f"'tag:yaml.org,2002:{tag}' is not allowed" in lines[0]


def test_merge_keys_are_refused(tmp_path: Path):
    path = write(tmp_path, "merge.yaml", "base: &b {type: yesno}\nitems:\n  - <<: *b\n    id: a\n")
    assert problems_of(path) == [f"{path}:3: merge keys (<<) are not supported"]


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_refused_fast(tmp_path: Path):
    path = write(tmp_path, "bomb.yaml", _bomb())
    # CPU time of this process, not wall time: expanding the aliases would take hours of CPU; other processes
    # on a busy machine must not make a refusal that took 0.1 s of CPU look slow
    start = time.process_time()
    lines = problems_of(path)
    elapsed = time.process_time() - start
    assert elapsed < 2.0
    assert len(lines) == 1 and lines[0].startswith(f"{path}:")
    assert "more than 200000 values" in lines[0] and "refused" in lines[0]


def test_alias_bomb_refused_within_a_small_memory_limit(tmp_path: Path):
    """In a child process capped at 512 MB of address space: expanding 9**10 values would not fit."""
    path = write(tmp_path, "bomb.yaml", _bomb())
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))
        from pathlib import Path
        from nanxian_cli.files.checklist_file import load_checklist
        from nanxian_cli.errors import ValidationFailed
        try:
            load_checklist(Path({str(path)!r}))
        except ValidationFailed as exc:
            print(exc.details[0])
            sys.exit(0)
        sys.exit(3)
    """)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "refused" in done.stdout
    assert time.perf_counter() - start < 10


def test_deep_nesting_refused(tmp_path: Path):
    path = write(tmp_path, "deep.yaml", "id: " + "[" * 100 + "]" * 100 + "\n")
    lines = problems_of(path)
    assert len(lines) == 1 and "nests deeper than 64" in lines[0]


def test_duplicate_mapping_keys(tmp_path: Path):
    path = write(tmp_path, "dupkey.yaml", HEADER + """\
  - id: a
    text: t
    plan: [1]
    type: yesno
    type: number
""")
    assert problems_of(path) == [f"{path}:10: items[0].type: duplicate key 'type'"]


def test_unknown_fields(tmp_path: Path):
    path = write(tmp_path, "unknown.yaml", HEADER + """\
  - id: a
    text: {zh: 一, en: one, fr: un}
    plan: [1]
    type: yesno
    sevrity: major
""")
    assert problems_of(path) == [
        f"{path}:7: items[0].text.fr: unknown field (check the spelling)",
        f"{path}:10: items[0].sevrity: unknown field (check the spelling)",
    ]


def test_top_level_must_be_a_mapping(tmp_path: Path):
    path = write(tmp_path, "list.yaml", "- a\n- b\n")
    assert problems_of(path) == [f"{path}:1: expected a mapping (a checklist), got list"]


def test_very_long_text_is_refused(tmp_path: Path):
    path = write(tmp_path, "long.yaml", HEADER + f"  - {{id: a, text: {'长' * 2001}, plan: [1], type: yesno}}\n")
    lines = problems_of(path)
    assert lines == [
        f"{path}:6: items[0].text.zh: String should have at most 2000 characters",
        f"{path}:6: items[0].text.en: String should have at most 2000 characters",
    ]


# -- checklist validate ---------------------------------------------------------------------------

def test_validate_good_file(cli, cl_dir: Path):
    result = cli("checklist", "validate", cl_dir / "mini.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 1 checklist(s), 3 point(s)"


def test_validate_broken_file_names_file_and_line(cli, tmp_path: Path):
    broken = write(tmp_path, "broken.yaml",
                   HEADER + "  - id: a\n    text: t\n    plan: [1]\n    type: yesno\n    max: 3\n")
    result = cli("checklist", "validate", broken)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: 1 problem(s) found",
        f"  {broken}:10: items[0].max: `max` does not fit type yesno",
    ]


def test_validate_reports_every_error_of_every_file_and_folder(cli, tmp_path: Path, cl_dir: Path):
    folder = tmp_path / "more"
    folder.mkdir()
    a = write(folder, "a.yaml", HEADER + "  - {id: a1, text: t, plan: [0], type: yesno}\n")
    b = write(folder, "b.yml", "")
    write(folder, "notes.txt", "not a checklist")
    c = write(tmp_path, "c.yaml", HEADER + "  - {id: c1, text: t, plan: [1], type: yesno, expect: maybe}\n")
    result = cli("checklist", "validate", folder, c, cl_dir)
    assert result.exit_code == 2
    err = result.stderr
    assert "Error: 3 problem(s) found" in err
    assert f"{a}:6: items[0].plan[0]: Input should be greater than or equal to 1" in err
    assert f"{b}:1: the file is empty" in err
    assert f"{c}:6: items[0].expect: Input should be a valid boolean, unable to interpret input" in err
    assert "notes.txt" not in err


def test_validate_missing_path_exits_2(cli, tmp_path: Path):
    result = cli("checklist", "validate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}: no such file or folder" in result.stderr


def test_validate_defaults_to_the_configured_folder(cli, cl_dir: Path, monkeypatch):
    result = cli("--checklists", cl_dir, "checklist", "validate")
    assert result.exit_code == 0, result.output
    assert "OK: 1 checklist(s), 3 point(s)" in result.stdout
    write(cl_dir, "zz-broken.yaml", "id: [\n")
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(cl_dir))
    result = cli("checklist", "validate")
    assert result.exit_code == 2
    assert f"{cl_dir / 'zz-broken.yaml'}:2:1: " in result.stderr


def test_validate_bundled_checklists_by_default(cli):
    result = cli("checklist", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")


def test_same_checklist_id_in_two_files(cli, cl_dir: Path):
    write(cl_dir, "other.yaml", HEADER + "  - {id: other-1, text: t, plan: [1], type: yesno}\n")
    result = cli("checklist", "validate", cl_dir)
    assert result.exit_code == 2
    assert f"{cl_dir / 'other.yaml'}:1: id: checklist id 'mini' is also used by {cl_dir / 'mini.yaml'}" in result.stderr


def test_point_id_used_by_two_checklists(cli, cl_dir: Path):
    """Findings are kept per school and point id, so two checklists may not share a point id."""
    write(cl_dir, "second.yaml",
          HEADER.replace("id: mini", "id: second") + "  - {id: zz-own, text: t, plan: [1], type: yesno}\n"
          "  - {id: m-class, text: t, plan: [4], type: number, max: 50}\n")
    result = cli("checklist", "validate", cl_dir)
    assert result.exit_code == 2
    assert (f"{cl_dir / 'second.yaml'}:7: items[1].id: item id 'm-class' is also used by checklist 'mini' "
            f"({cl_dir / 'mini.yaml'}); item ids must be unique across checklists") in result.stderr


# -- checklist list / show / coverage -------------------------------------------------------------

def test_list_uses_the_checklists_option(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) == 1
    row = data[0]
    assert row["id"] == "mini" and row["points"] == 3 and row["kind"] == "routine"
    assert row["plan_items"] == [4, 12, 14, 21]
    assert row["title"] == "Mini checklist"
    assert row["file"] == str(cl_dir / "mini.yaml")


def test_list_uses_the_environment(cli, cl_dir: Path, monkeypatch):
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(cl_dir))
    result = cli("checklist", "list")
    assert result.exit_code == 0, result.output
    assert "mini" in result.stdout and "Mini checklist" in result.stdout
    assert "routine-monthly" not in result.stdout


def test_list_bundled(cli):
    result = cli("checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) > 0


def test_list_refuses_a_broken_folder(cli, cl_dir: Path):
    write(cl_dir, "broken.yaml", HEADER + "  - {id: a, text: t, plan: [22], type: yesno}\n")
    result = cli("--checklists", cl_dir, "checklist", "list")
    assert result.exit_code == 2
    assert f"{cl_dir / 'broken.yaml'}:6: items[0].plan[0]" in result.stderr


def test_list_missing_folder(cli, tmp_path: Path):
    result = cli("--checklists", tmp_path / "nowhere", "checklist", "list")
    assert result.exit_code == 2
    assert "checklist folder not found" in result.stderr


def test_show_every_point(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "show", "mini")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Mini checklist  (mini v1, routine)" in out
    assert "Rectify within: critical 7 d, major 30 d, minor 60 d" in out
    for text in ("An evacuation drill was held", "m-drill", "How to check: Ask for the drill record", "expect: yes",
                 "Largest class (pupils)", "≤ 55", "critical", "4,14", "作业量", "light=Within limits✓",
                 "heavy=Too much", "when: m-drill = yes", "yesno", "number", "choice", "major", "minor"):
        assert text in out, text


def test_show_in_chinese(cli, cl_dir: Path):
    result = cli("--lang", "zh", "--checklists", cl_dir, "checklist", "show", "mini")
    assert result.exit_code == 0, result.output
    assert "本学期已开展应急疏散演练" in result.stdout
    assert "整改期限：严重 7 天，一般 30 天，轻微 60 天" in result.stdout
    assert "light=适量✓" in result.stdout
    assert "条件: m-drill = 是" in result.stdout


def test_show_json(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "show", "mini", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [it["id"] for it in data["items"]] == ["m-drill", "m-class", "m-homework"]
    assert data["items"][2]["pass"] == ["light"]
    assert data["hash"] == load_checklist(cl_dir / "mini.yaml").hash


def test_show_unknown_id(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "show", "nosuch")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: unknown checklist 'nosuch' (known: mini)"


def test_show_hostile_text_is_printed_literally(cli, cl_dir: Path):
    write(cl_dir, "hostile.yaml", HEADER.replace("id: mini", "id: hostile") + """\
  - id: h1
    text: "[bold]x[/] <script>alert(1)</script>"
    guidance: "=HYPERLINK(\\"x\\")"
    plan: [1]
    type: yesno
""")
    result = cli("--checklists", cl_dir, "checklist", "show", "hostile")
    assert result.exit_code == 0, result.output
    assert "[bold]x[/] <script>alert(1)</script>" in result.stdout
    assert 'How to check: =HYPERLINK("x")' in result.stdout


def test_coverage_json(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["covered"] == 4 and data["total"] == 21
    assert data["points"] == 3 and data["checklists"] == 1
    by_number = {item["number"]: item for item in data["items"]}
    assert sorted(by_number) == list(range(1, 22))
    assert by_number[4]["point_ids"] == ["m-class"] and by_number[14]["point_ids"] == ["m-class"]
    assert by_number[21]["point_ids"] == ["m-drill"] and by_number[21]["checklists"] == ["mini"]
    assert by_number[1]["points"] == 0 and by_number[1]["checklists"] == []
    assert by_number[21]["section"] == 5


def test_coverage_table(cli, cl_dir: Path):
    result = cli("--checklists", cl_dir, "checklist", "coverage")
    assert result.exit_code == 0, result.output
    assert "Plan coverage: 4/21 items checked" in result.stdout


def test_coverage_bundled_has_21_plan_items(cli):
    result = cli("checklist", "coverage", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 21 and len(data["items"]) == 21
    assert data["checklists"] > 0


def test_coverage_csv_output_file(cli, cl_dir: Path, tmp_path: Path):
    out = tmp_path / "coverage.csv"
    result = cli("--checklists", cl_dir, "checklist", "coverage", "--output", out)
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff#,plan item,points,checklists,checklist ids\r\n")
    lines = text.splitlines()
    assert len(lines) == 22
    assert lines[21] == "21,Safety and stability,1,1,mini"


def test_checklists_env_with_tilde_and_relative_paths(cli, cl_dir: Path, monkeypatch):
    monkeypatch.chdir(cl_dir.parent)
    result = cli("--checklists", "checklists", "checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == ["mini"]
    monkeypatch.setenv("HOME", str(cl_dir.parent))
    monkeypatch.setenv("NANXIAN_CHECKLISTS", "~/checklists")
    monkeypatch.chdir(os.sep)
    result = cli("checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == ["mini"]


def test_yes_as_a_key_is_explained(tmp_path: Path):
    path = write(tmp_path, "yeskey.yaml", HEADER + """\
  - id: a
    text: t
    plan: [1]
    type: choice
    choices: {yes: Y, ok: O}
    pass: [ok]
""")
    assert problems_of(path) == [f"{path}:10: items[0].choices: YAML reads the key 'yes' as True; put it in quotes"]


def test_empty_folder_is_an_error(cli, tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("checklist", "validate", empty)
    assert result.exit_code == 2
    assert f"{empty}: no checklist files (*.yaml, *.yml) in this folder" in result.stderr
    result = cli("--checklists", empty, "checklist", "list")
    assert result.exit_code == 2


def test_dot_files_are_not_checklists(cli, cl_dir: Path):
    (cl_dir / "._mini.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    (cl_dir / ".#mini.yaml").write_text("lock", encoding="utf-8")
    result = cli("checklist", "validate", cl_dir)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 1 checklist(s), 3 point(s)"


def test_when_value_that_can_never_match(tmp_path: Path):
    """A `when` that can never be met would silently record the point as n/a on every visit."""
    path = write(tmp_path, "never.yaml", HEADER + """\
  - {id: a, text: t, plan: [1], type: yesno}
  - {id: b, text: t, plan: [1], type: number, min: 1}
  - {id: c, text: t, plan: [1], type: choice, choices: {low: L, high: H}, pass: [low]}
  - {id: d, text: t, plan: [1], type: yesno, when: {item: a, equals: 5}}
  - {id: e, text: t, plan: [1], type: yesno, when: {item: b, equals: many}}
  - {id: f, text: t, plan: [1], type: yesno, when: {item: c, equals: medium}}
  - {id: g, text: t, plan: [1], type: yesno, when: {item: c, equals: high}}
  - {id: h, text: t, plan: [1], type: yesno, when: {item: a, equals: no}}
  - {id: i, text: t, plan: [1], type: yesno, when: {item: b, equals: 3}}
""")
    assert problems_of(path) == [
        f"{path}:9: items[3].when.equals: 5 can never be the answer to 'a'; expected yes or no",
        f"{path}:10: items[4].when.equals: 'many' can never be the answer to 'b'; expected a number",
        f"{path}:11: items[5].when.equals: 'medium' can never be the answer to 'c'; expected one of low, high",
    ]


def test_plan_must_list_items_1_to_21(tmp_path: Path):
    from nanxian_cli.config import bundled_data_dir
    from nanxian_cli.files.checklist_file import load_plan

    plan = load_plan()
    assert sorted(item.number for section in plan.sections for item in section.items) == list(range(1, 22))
    text = (bundled_data_dir() / "plan-2020.yaml").read_text(encoding="utf-8")
    cut = tmp_path / "plan.yaml"
    cut.write_text(text[: text.index("      - number: 21")], encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_plan(cut)
    assert len(info.value.details) == 1
    assert info.value.details[0].endswith("the plan must list items 1..21 exactly once (missing [21], repeated [])")


def test_control_characters_in_text_are_refused(tmp_path: Path):
    path = write(tmp_path, "esc.yaml", HEADER + '  - {id: a, text: "ok\\e[2J", plan: [1], type: yesno}\n'
                 + '  - id: b\n    text: |\n      two lines\n      are fine\n    plan: [1]\n    type: yesno\n')
    assert problems_of(path) == [
        f"{path}:6: items[0].text.zh: contains the control character U+001B; remove it",
        f"{path}:6: items[0].text.en: contains the control character U+001B; remove it",
    ]


def test_union_and_text_errors_read_as_one_plain_line(tmp_path: Path):
    path = write(tmp_path, "plain.yaml", """\
id: x
version: [1]
title: 5
kind: routine
items:
  - {id: a, text: t, plan: [1], type: choice, choices: {light: 5, heavy: H}, pass: [light]}
""")
    assert problems_of(path) == [
        f"{path}:2: version: Input should be a valid integer or string",
        f"{path}:3: title: expected text, or {{zh: ..., en: ...}}",
        f"{path}:6: items[0].choices.light: expected text, or {{zh: ..., en: ...}}",
    ]
