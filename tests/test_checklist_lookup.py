"""Recording a visit finds its checklist's version by the file names first (`<id>.yaml`, then `<id>.<x>.yaml`, as
the bundled folder names its older versions), so a visit dated in an older version's time does not read and
validate every checklist file; only when no such file holds the version is the whole folder read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
