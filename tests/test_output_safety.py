"""Where an output file may go, and its mode (issue 11; DESIGN.md, invariant 8).

- An `--output` that is the database, a file SQLite or nanxian keeps beside it (`-wal`, `-shm`, `-journal`, the
  digest's lock), its evidence folder or anything in it, or an input of the same command (an answers file, a
  checklist, the config file) is refused: exit 2, nothing on disk changes. Real paths are compared (`./`,
  `..`, a symlink, a hard link, a digest folder whose computed file name lands on the database).
- A new output file is 0600; an output written over an existing file keeps that file's mode; a symlink is
  written through; the file is replaced by a rename, never rewritten in place.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from visit_helpers import FULL, answers_file, counts, record, vdir  # noqa: F401

REFUSED = "refusing to write there, nothing was changed"


def disk(root: Path) -> dict:
    """Everything under `root`: each file's bytes and mode, each folder's mode, each symlink's target."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = ("symlink", os.readlink(path))
        elif path.is_dir():
            found[rel] = ("folder", stat.S_IMODE(path.stat().st_mode))
        else:
            found[rel] = ("file", stat.S_IMODE(path.stat().st_mode), path.read_bytes())
    return found


@pytest.fixture
def county(cli, vdir, tmp_path: Path, db_path: Path) -> dict:
    """The five schools, the test checklists, a supervisor and one recorded visit with a finding; a second
    answers file ready to record."""
    assert cli("inspector", "add", "李明").exit_code == 0
    visit = record(cli, tmp_path, {**FULL, "t-class": 60}, name="first.yaml")
    second = answers_file(tmp_path, FULL, name="second.yaml", date="2020-11-03")
    return {"visit": visit["id"], "answers": second, "db": db_path, "checklists": vdir}


# Every command that takes --output, in the formats the issue names.
OUTPUT_COMMANDS = [
    ["checklist", "list"],
    ["checklist", "show", "t-visit"],
    ["checklist", "coverage"],
    ["school", "list"],
    ["school", "list", "--format", "json"],
    ["inspector", "list"],
    ["inspect", "list"],
    ["inspect", "show", "{visit}"],
    ["inspect", "show", "{visit}", "--format", "json"],
    ["inspect", "visit", "--answers", "{answers}"],
    ["finding", "list"],
    ["finding", "list", "--format", "csv"],
    ["report", "summary"],
    ["report", "summary", "--format", "json"],
    ["report", "summary", "--format", "xlsx"],
    ["report", "matrix"],
    ["report", "matrix", "--format", "json"],
    ["report", "matrix", "--format", "xlsx"],
    ["report", "school", "NX-001"],
    ["report", "item", "21"],
    ["report", "visit", "{visit}"],
    ["report", "visit", "{visit}", "--format", "docx"],
    ["report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09"],
]

# Where an output must never go, relative to the test folder (the database is `nanxian.db` in it).
PROTECTED = [
    "nanxian.db",
    "nanxian.db-wal",
    "nanxian.db-shm",
    "nanxian.db-journal",
    "nanxian.db.digest-lock",
    "nanxian.db.demo-lock",
    "nanxian.db.draft-0b6c2a1e-5f0e-4a54-9a0c-6f3d2b1a9e77.lock",
    "nanxian.db.evidence",
    "nanxian.db.evidence/report.txt",
    "link-to-db.txt",
]


def _fill(args: list[str], county: dict) -> list[str]:
    return [str(county[a[1:-1]]) if a.startswith("{") else a for a in args]


@pytest.mark.parametrize("target", PROTECTED)
@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=" ".join)
def test_an_output_over_the_database_or_beside_it_is_refused(cli, county, tmp_path: Path, command, target):
    (tmp_path / "nanxian.db.evidence").mkdir()  # as the evidence commands will make it
    (tmp_path / "link-to-db.txt").symlink_to(tmp_path / "nanxian.db")
    before, rows = disk(tmp_path), counts(county["db"])
    output = tmp_path / target
    result = cli(*_fill(command, county), "--output", output)
    assert result.exit_code == 2, result.output
    assert f"--output: {output}" in result.stderr and REFUSED in result.stderr
    assert "Traceback" not in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows


@pytest.mark.parametrize("spelling", ["./nanxian.db", "checklists/../nanxian.db", "nanxian.db-wal", "hard-link.db",
                                      "dangling-link.txt"])
def test_the_database_is_recognised_however_it_is_written(cli, county, tmp_path: Path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NANXIAN_DB", "nanxian.db")  # relative, as a user types it
    os.link(tmp_path / "nanxian.db", tmp_path / "hard-link.db")
    (tmp_path / "dangling-link.txt").symlink_to("nanxian.db-shm")  # the -shm file does not exist now
    before = disk(tmp_path)
    result = cli("report", "summary", "--format", "json", "--output", spelling)
    assert result.exit_code == 2, result.output
    assert REFUSED in result.stderr
    assert disk(tmp_path) == before


def test_the_evidence_folder_is_refused_before_it_exists(cli, county, tmp_path: Path):
    before = disk(tmp_path)
    for target in ("nanxian.db.evidence", "nanxian.evidence"):
        result = cli("school", "list", "--output", tmp_path / target)
        assert result.exit_code == 2 and "evidence folder" in result.stderr, result.output
    assert disk(tmp_path) == before


def test_an_output_over_the_answers_file_is_refused_before_the_visit_is_recorded(cli, county, tmp_path: Path):
    before, rows = disk(tmp_path), counts(county["db"])
    answers = county["answers"]
    for output in (answers, county["checklists"] / "t-visit.yaml"):
        result = cli("inspect", "visit", "--answers", answers, "--format", "json", "--output", output)
        assert result.exit_code == 2, result.output
        assert f"--output: {output} is a file this command reads; {REFUSED}" in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows


def test_an_interactive_visit_refuses_its_output_before_the_first_answer(cli, county, tmp_path: Path):
    before, rows = disk(tmp_path), counts(county["db"])
    for output in (county["checklists"] / "t-visit.yaml", county["db"]):
        result = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明",
                     "--date", "2020-11-04", "--output", output, input="y\n50\ny\nlight\n4\nok\n")
        assert result.exit_code == 2, result.output
        assert REFUSED in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows  # not even a draft


@pytest.mark.parametrize(("command", "target"), [
    (["checklist", "show", "t-visit", "--format", "json"], "checklists/t-visit.yaml"),
    (["checklist", "list"], "checklists/t-other.yaml"),
    (["checklist", "coverage", "--format", "json"], "checklists/t-visit.yaml"),
    (["school", "list"], "no-config.toml"),  # the config file (NANXIAN_CONFIG) is read by every command
    (["report", "summary", "--format", "json"], "no-config.toml"),
])
def test_an_output_over_an_input_of_the_command_is_refused(cli, county, tmp_path: Path, command, target):
    before = disk(tmp_path)
    result = cli(*command, "--output", tmp_path / target)
    assert result.exit_code == 2, result.output
    assert "is a file this command reads" in result.stderr and REFUSED in result.stderr
    assert disk(tmp_path) == before


def test_a_digest_folder_whose_file_name_is_the_database(cli, county, tmp_path: Path, monkeypatch):
    """`--output DIR` names the file `digest-YYYY-Www.txt`: when that is the database, it is refused too."""
    out = tmp_path / "out"
    out.mkdir()
    db = out / "digest-2020-W45.txt"
    (county["db"]).rename(db)
    monkeypatch.setenv("NANXIAN_DB", str(db))
    before = disk(tmp_path)
    result = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--output", out)
    assert result.exit_code == 2, result.output
    assert f"--output: {db} is the database; {REFUSED}" in result.stderr
    assert disk(tmp_path) == before
    # and the digest still goes where it may
    fine = tmp_path / "fine"
    fine.mkdir()
    result = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--output", fine)
    assert result.exit_code == 0, result.output
    assert [p.name for p in fine.iterdir()] == ["digest-2020-W45.txt"]


def test_a_file_next_to_the_database_may_still_be_written(cli, county, tmp_path: Path):
    """Only the protected names are refused: `nanxian.db.json`, `nanxian.dbx` and a file in another folder are fine."""
    for name in ("nanxian.db.json", "nanxian.dbx", "nanxian-wal", "other/nanxian.db"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        result = cli("school", "list", "--format", "json", "--output", tmp_path / name)
        assert result.exit_code == 0, (name, result.output)
        assert len(json.loads((tmp_path / name).read_text(encoding="utf-8"))) == 5


# -- the mode of an output file -------------------------------------------------------------------------

@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("command", [
    ["school", "list", "--format", "csv"],
    ["finding", "list", "--format", "json"],
    ["inspect", "show", "{visit}", "--format", "table"],  # `.out` names no format (exit 2): the format is given
    ["report", "summary", "--format", "xlsx"],
    ["report", "visit", "{visit}", "--format", "html"],
    ["checklist", "coverage", "--format", "json"],
], ids=" ".join)
def test_a_new_output_file_is_private(cli, county, tmp_path: Path, umask_022, command):
    out = tmp_path / "export.out"
    result = cli(*_fill(command, county), "--output", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_new_digest_file_is_private(cli, county, tmp_path: Path, umask_022):
    out = tmp_path / "digests"
    out.mkdir()
    result = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--output", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((out / "digest-2020-W45.txt").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o664, 0o604])
def test_writing_over_a_file_keeps_its_mode(cli, county, tmp_path: Path, umask_022, mode):
    out = tmp_path / "schools.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(mode)
    other_name = tmp_path / "kept.csv"
    os.link(out, other_name)  # another name of the old file keeps the old bytes: the new file was renamed in
    result = cli("school", "list", "--output", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert out.read_text(encoding="utf-8-sig").startswith("code,name,")
    assert other_name.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file


def test_an_output_through_a_symlink_writes_the_file_it_points_at(cli, county, tmp_path: Path, umask_022):
    reports = tmp_path / "reports"
    reports.mkdir()
    real = reports / "2020.json"
    real.write_text("[]", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    result = cli("school", "list", "--format", "json", "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(json.loads(real.read_text(encoding="utf-8"))) == 5 and stat.S_IMODE(real.stat().st_mode) == 0o640
