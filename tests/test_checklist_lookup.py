"""Recording a visit finds its checklist's version by the file names first (`<id>.yaml`, then `<id>.<x>.yaml`, as
the bundled folder names its older versions), so a visit dated in an older version's time does not read and
validate every checklist file; only when no such file holds the version is the whole folder read."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from nanxian_cli.config import bundled_checklists_dir


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    shutil.copytree(bundled_checklists_dir(), folder)
    return folder


def _answers(tmp_path: Path, folder: Path, day: str) -> Path:
    """Every point of the routine-monthly version in force on `day` answered with its first offered value."""
    import datetime as dt

    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services import demo_county

    loaded = find_checklist(folder, "routine-monthly", dt.date.fromisoformat(day))
    given = {p.item_id: p.pass_raw for p in demo_county.plan_points(loaded.checklist)}
    path = tmp_path / "answers.yaml"
    path.write_text(json.dumps({"school": "NX-001", "checklist": "routine-monthly", "date": day, "inspector": "李明",
                                "answers": given}, ensure_ascii=False), encoding="utf-8")
    return path


def _version_of(folder: Path, name: str) -> str:
    return str(yaml.safe_load((folder / name).read_text(encoding="utf-8"))["version"])


def test_an_older_version_is_found_by_its_file_name_without_reading_the_others(cli, tmp_path, schools, supervisors):
    folder = _folder(tmp_path)
    answers = _answers(tmp_path, folder, "2020-12-30")
    # a checklist file being edited, broken: the whole folder no longer validates ...
    (folder / "zz-draft.yaml").write_text("id: zz-draft\ntitle: [unclosed\n", encoding="utf-8")
    assert cli("--checklists", folder, "checklist", "list").exit_code == 2
    # ... but a routine visit of 2020 still records against routine-monthly.2020.yaml
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.output
    recorded = json.loads(result.stdout)
    assert recorded["checklist"] == "routine-monthly"
    assert recorded["checklist_version"] == _version_of(folder, "routine-monthly.2020.yaml")
    assert recorded["checklist_version"] != _version_of(folder, "routine-monthly.yaml")


def test_a_version_in_a_file_of_another_name_is_found_in_the_whole_folder(cli, tmp_path, schools, supervisors):
    folder = _folder(tmp_path)
    answers = _answers(tmp_path, folder, "2020-12-30")
    version = _version_of(folder, "routine-monthly.2020.yaml")
    (folder / "routine-monthly.2020.yaml").rename(folder / "old-monthly.yaml")
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["checklist_version"] == version
    (folder / "zz-draft.yaml").write_text("id: zz-draft\ntitle: [unclosed\n", encoding="utf-8")
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 2  # the whole folder had to be read, and it does not validate
    assert "zz-draft.yaml" in result.stderr


def _break_items(path: Path) -> None:
    """Keep the file's header (everything before `items:`) and break what follows it."""
    text = path.read_text(encoding="utf-8")
    head = text[:text.index("\nitems:") + 1]
    path.write_text(head + "items: [unclosed\n", encoding="utf-8")


def test_another_version_is_passed_over_by_its_header(cli, tmp_path, schools, supervisors):
    """The current routine-monthly.yaml says `valid_from: 2021-09-01` before its items: a visit of 2020-12-30 does
    not read the rest of it (here broken), and records against the 2020 version."""
    folder = _folder(tmp_path)
    answers = _answers(tmp_path, folder, "2020-12-30")
    version = _version_of(folder, "routine-monthly.2020.yaml")
    _break_items(folder / "routine-monthly.yaml")
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["checklist_version"] == version
    # a visit the broken file's header admits reads it in full, and is refused with the file's name and line
    answers.write_text(answers.read_text(encoding="utf-8").replace("2020-12-30", "2021-10-08"), encoding="utf-8")
    before = cli("inspect", "list", "--format", "json").stdout
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 2
    assert "routine-monthly.yaml" in result.stderr and result.stdout == ""
    assert cli("inspect", "list", "--format", "json").stdout == before


@pytest.mark.parametrize("header", [
    "valid_from: &start 2021-09-01\n",  # an anchor: not read by the header peek
    "valid_from: !!timestamp 2021-09-01\n",  # a tag
    "'valid_from': 2021-09-01\n",  # a quoted key
    "valid_from: 2021-09-01\nvalid_from: 2021-09-02\n",  # twice
    "valid_from: '2021-09-01'\n",  # quoted: the model decides
])
def test_a_header_the_peek_cannot_read_is_read_in_full(cli, tmp_path, schools, supervisors, header):
    """Where the header is written in a way the peek does not read, the file is read in full, as before: its
    broken items are then reported even for a visit outside its dates."""
    folder = _folder(tmp_path)
    answers = _answers(tmp_path, folder, "2020-12-30")
    path = folder / "routine-monthly.yaml"
    text = path.read_text(encoding="utf-8").replace("valid_from: 2021-09-01\n", header)
    path.write_text(text, encoding="utf-8")
    _break_items(path)
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 2, result.output
    assert "routine-monthly.yaml" in result.stderr and result.stdout == ""


def test_the_header_peek_reads_only_plain_top_level_values(tmp_path):
    from nanxian_cli.files.yaml_header import peek_top_level

    path = tmp_path / "c.yaml"
    keys = ("id", "valid_from", "valid_to")
    cases = {
        "id: a\nvalid_from: 2021-09-01\nitems: []\nvalid_to: 2022-01-01\n": {"id": "a",
                                                                          "valid_from": dt.date(2021, 9, 1)},
        "id: a\ntitle: {zh: x, en: [1, {b: 2}]}\nvalid_to: null\nitems: []\n": {"id": "a", "valid_to": None},
        "valid_from: 2021-09-01\n": {"valid_from": dt.date(2021, 9, 1)},
        "- a\n- b\n": None,
        "id: [a]\nitems: []\n": None,
        "id: a\n  bad: indent\n": None,
        "": None,
    }
    for text, expected in cases.items():
        path.write_text(text, encoding="utf-8")
        assert peek_top_level(path, keys, until="items") == expected, text
    path.write_bytes(b"id: \xff\xfe\nitems: []\n")
    assert peek_top_level(path, keys, until="items") is None
    assert peek_top_level(tmp_path / "missing.yaml", keys, until="items") is None
