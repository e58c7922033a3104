"""Input a supervisor (or anyone) hands nanxian that must be refused cleanly (issue 11, DESIGN Invariants 5, 9):
checklist ids that are paths, devices and pipes, numbers that are not finite, over-long CSV cells, and
answers-file header values whose errors must say where the value came from.

Every case goes through the real CLI, expects exit 2 and the message, and checks that the database is
exactly as before.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from nanxian_cli.files import inputs
from visit_helpers import CHECKLIST, FULL, answers_file, counts, record, vdir  # noqa: F401

SECRET = "secret_key: top secret\nanother_secret: 42\n"


def dump(db: Path) -> list[str]:
    """Every table's full content, for 'the database is exactly as before'."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A YAML file outside the checklist folder whose keys must never be printed."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "secret.yaml"
    path.write_text(SECRET, encoding="utf-8")
    return path


def header_file(tmp_path: Path, **values: str) -> Path:
    """An answers file written line by line: school on line 1, checklist 2, date 3, inspector 4."""
    header = {"school": "NX-001", "checklist": "t-visit", "date": "2020-11-02", "inspector": "李明"}
    header.update(values)
    text = "".join(f"{key}: {header[key]}\n" for key in ("school", "checklist", "date", "inspector"))
    text += "answers:\n" + "".join(f"  {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in FULL.items())
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# -- 2. a checklist id is an id, looked up inside the checklist folder only --------------------------

@pytest.mark.parametrize("ref", ["../elsewhere/secret", "../../elsewhere/secret", "ABSOLUTE"])
def test_checklist_show_refuses_a_path(cli, vdir, outside, db_path, ref):
    ref = str(outside.with_suffix("")) if ref == "ABSOLUTE" else ref
    before = dump(db_path)
    err = refused(cli("checklist", "show", ref), "is not a checklist id", "never a path")
    assert "secret_key" not in err and "another_secret" not in err
    assert dump(db_path) == before


@pytest.mark.parametrize("ref", ["../elsewhere/secret", "ABSOLUTE", "t-visit/../t-visit", "t-visit\n"])
def test_inspect_visit_refuses_a_path_in_the_option(cli, vdir, outside, tmp_path, db_path, ref):
    ref = str(outside.with_suffix("")) if ref == "ABSOLUTE" else ref
    path = header_file(tmp_path)
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "--answers", path, "--checklist", ref),
                  "--checklist: ", "is not a checklist id")
    assert "secret_key" not in err
    assert dump(db_path) == before


def test_inspect_visit_interactive_refuses_a_path(cli, vdir, outside, db_path):
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "NX-001", "--checklist", str(outside.with_suffix("")), "--inspector", "李明",
                      input="y\n"), "--checklist: ", "is not a checklist id")
    assert "secret_key" not in err
    assert dump(db_path) == before


def test_answers_file_checklist_path_is_refused_with_its_line(cli, vdir, outside, tmp_path, db_path):
    path = header_file(tmp_path, checklist=str(outside.with_suffix("")))
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "--answers", path), f"{path}:2: checklist: ", "is not a checklist id")
    assert "secret_key" not in err
    assert dump(db_path) == before


def test_a_link_in_the_folder_to_a_file_outside_is_not_followed(cli, vdir, outside, tmp_path, db_path):
    (vdir / "secret.yaml").symlink_to(outside)
    before = dump(db_path)
    err = refused(cli("checklist", "show", "secret"), "symbolic link to a file outside the checklist folder")
    assert "secret_key" not in err
    err = refused(cli("inspect", "visit", "--answers", header_file(tmp_path, checklist="secret")),
                  f"{tmp_path / 'answers.yaml'}:2: checklist: ", "symbolic link")
    assert "secret_key" not in err
    # the folder as a whole (list, validate, the lookup by id inside the files) refuses it too, unread
    err = refused(cli("checklist", "validate"), "secret.yaml: a symbolic link to a file outside")
    assert "secret_key" not in err
    err = refused(cli("checklist", "show", "no-such-id"), "secret.yaml: a symbolic link")
    assert "secret_key" not in err
    assert dump(db_path) == before


def test_a_link_inside_the_folder_still_works(cli, vdir, tmp_path):
    shared = vdir / "shared"
    shared.mkdir()
    (vdir / "t-visit.yaml").rename(shared / "t-visit.yaml")
    (vdir / "t-visit.yaml").symlink_to(shared / "t-visit.yaml")
    assert cli("checklist", "show", "t-visit").exit_code == 0
    assert record(cli, tmp_path, FULL)["checklist"] == "t-visit"


# -- 3. size limits hold for devices and pipes too ---------------------------------------------------

def test_answers_from_dev_zero_is_refused_by_the_limit(cli, vdir, db_path):
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", "/dev/zero"),
            "/dev/zero: file too large (at most 5 MB)", f"the limit is {inputs.MAX_FILE_BYTES} bytes")
    assert dump(db_path) == before


def test_checklist_validate_dev_zero(cli):
    refused(cli("checklist", "validate", "/dev/zero"), "/dev/zero: more than 5242880 bytes",
            "the limit is 5242880 bytes (5 MB)")


def test_roster_from_dev_zero(cli, schools, tmp_path, db_path):
    before = dump(db_path)
    # no roster extension: refused before anything is read
    refused(cli("school", "import", "/dev/zero"), "/dev/zero: expected a .yaml, .yml or .csv roster file")
    link = tmp_path / "roster.csv"
    link.symlink_to("/dev/zero")
    refused(cli("school", "import", link), f"{link}: file too large (at most 5 MB)")
    assert dump(db_path) == before


def test_config_file_from_dev_zero_and_a_folder(cli, schools, tmp_path, db_path):
    before = dump(db_path)
    refused(cli("school", "list", env={"NANXIAN_CONFIG": "/dev/zero"}), "/dev/zero", "1048576 bytes (1 MB)")
    refused(cli("school", "list", env={"NANXIAN_CONFIG": str(tmp_path)}), f"{tmp_path}", "is a directory")
    assert dump(db_path) == before


def test_a_regular_file_over_the_limit_is_refused_by_its_size(cli, vdir, tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(inputs.read_bytes, "__defaults__", (1000,))
    path = answers_file(tmp_path, dict(FULL, **{"t-remarks": "x" * 2000}))
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", path), "file too large", f"the file is {path.stat().st_size} bytes",
            "the limit is 1000 bytes")
    assert dump(db_path) == before


def test_empty_devices_and_folders_get_a_clear_message(cli, vdir, tmp_path, db_path):
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", "/dev/null"), "/dev/null:1: the file is empty")
    refused(cli("checklist", "validate", "/dev/null"), "/dev/null:1: the file is empty")
    empty = tmp_path / "empty.csv"
    empty.symlink_to("/dev/null")
    refused(cli("school", "import", empty), "no header row")
    refused(cli("inspect", "visit", "--answers", tmp_path), f"{tmp_path}: is a directory, expected a file")
    folder = tmp_path / "roster.csv.d.csv"
    folder.mkdir()
    refused(cli("school", "import", folder), "is a directory, expected a file")
    assert dump(db_path) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_with_no_writer_is_refused_not_waited_on(cli, vdir, tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(inputs, "PIPE_WAIT_SECONDS", 0.3)
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", fifo), f"{fifo}: a pipe that sent nothing for 0.3 s; refused")
    refused(cli("checklist", "validate", fifo), "a pipe that sent nothing")
    assert dump(db_path) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_that_sends_a_file_is_read(cli, vdir, tmp_path, db_path):
    source = answers_file(tmp_path, FULL, name="source.yaml").read_bytes()
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(source[:50])
            fh.flush()
            fh.write(source[50:])

    writer = threading.Thread(target=write)
    writer.start()
    result = cli("inspect", "visit", "--answers", fifo, "--format", "json")
    writer.join(5)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"pass": 5, "fail": 0, "na": 1, "info": 1}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_over_the_limit_is_cut_at_the_limit(cli, vdir, tmp_path, db_path, monkeypatch):
    monkeypatch.setattr(inputs.read_bytes, "__defaults__", (4096,))
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    sent = []

    def write() -> None:
        try:
            with open(fifo, "wb") as fh:
                for _ in range(1000):  # 1 MB offered; the reader stops after 4097 bytes
                    fh.write(b"#" * 1024)
                    sent.append(1024)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write)
    writer.start()
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", fifo), "more than 4096 bytes came from it", "the limit is 4096 bytes")
    writer.join(5)
    assert not writer.is_alive() and sum(sent) < 1000 * 1024
    assert dump(db_path) == before


# -- 4. numbers in checklists and answers are finite ---------------------------------------------------

NON_FINITE = [
    ("max: 55", "max: .nan", "items[1].max: must be a finite number, not nan"),
    ("max: 55", "max: .inf", "items[1].max: must be a finite number, not inf"),
    ("max: 55", "min: -.inf", "items[1].min: must be a finite number, not -inf"),
    ("max: 55", "max: '1e999'", "items[1].max: must be a finite number, not inf"),
    ("max: 55", "max: 1.0e+999", "items[1].max: must be a finite number, not inf"),
    ("min: 3", "min: .nan", "items[4].min: must be a finite number, not nan"),
    ("weight: 2", "weight: .nan", "items[0].weight:"),
    ("when: {item: t-drill, equals: yes}", "when: {item: t-class, equals: .nan}",
     "items[2].when.equals: must be a finite number, not nan"),
]


@pytest.mark.parametrize("old, new, message", NON_FINITE)
def test_checklist_numbers_must_be_finite(cli, tmp_path, old, new, message):
    folder = tmp_path / "bad"
    folder.mkdir()
    assert old in CHECKLIST
    path = folder / "t-visit.yaml"
    path.write_text(CHECKLIST.replace(old, new), encoding="utf-8")
    line = CHECKLIST.splitlines().index(next(text for text in CHECKLIST.splitlines() if old in text)) + 1
    refused(cli("checklist", "validate", folder), f"{path}:{line}: {message}")


def test_a_visit_against_a_checklist_with_nan_bounds_writes_nothing(cli, vdir, tmp_path, db_path):
    (vdir / "t-visit.yaml").write_text(CHECKLIST.replace("max: 55", "max: .nan"), encoding="utf-8")
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", answers_file(tmp_path, FULL)),
            "items[1].max: must be a finite number, not nan")
    assert dump(db_path) == before


@pytest.mark.parametrize("written", [".nan", ".inf", "-.inf", "1.0e+999", "'nan'", "'1e999'"])
def test_answers_file_numbers_must_be_finite(cli, vdir, tmp_path, db_path, written):
    path = header_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("t-class: 50", f"t-class: {written}"), encoding="utf-8")
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "--answers", path), f"{path}:7: answers.t-class: expected a")
    assert "number" in err
    assert dump(db_path) == before


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "Infinity", "1e999"])
def test_amend_numbers_must_be_finite(cli, vdir, tmp_path, db_path, value):
    vid = record(cli, tmp_path, FULL)["id"]
    before = dump(db_path)
    refused(cli("inspect", "amend", vid[:8], "t-class", value, "--reason", "recount"), "finite number")
    refused(cli("inspect", "amend", vid[:8], "t-morale", value, "--reason", "recount"), "finite number")
    assert dump(db_path) == before


def test_a_stored_checklist_version_keeps_its_meaning(cli, vdir, tmp_path, db_path):
    """A version stored before numbers had to be finite still reads back (Invariant 1)."""
    data = record(cli, tmp_path, FULL)
    conn = sqlite3.connect(db_path)
    try:
        (content,) = conn.execute("SELECT content FROM checklist_versions WHERE hash = ?",
                                  (data["checklist_hash"],)).fetchone()
        stored = json.loads(content)
        stored["items"][1]["max"] = float("nan")
        with conn:
            conn.execute("UPDATE checklist_versions SET content = ? WHERE hash = ?",
                         (json.dumps(stored), data["checklist_hash"]))
    finally:
        conn.close()
    result = cli("inspect", "amend", data["id"][:8], "t-remarks", "recounted", "--reason", "typo")
    assert result.exit_code == 0, result.output


# -- 5. over-long CSV cells are bad input, with row and line -------------------------------------------

def test_a_csv_cell_over_the_field_limit(cli, schools, tmp_path, db_path):
    path = tmp_path / "roster.csv"
    path.write_text("code,name,stages\nNX-101,一小,primary\nNX-102,\"" + "长" * 140_000
                    + "\",primary\nNX-103,三小,primary\n", encoding="utf-8")
    before = dump(db_path)
    refused(cli("school", "import", path), f"{path}:3: row 2: a cell is longer than 131072 characters; refused")
    assert dump(db_path) == before


def test_an_unclosed_quote_is_reported_where_its_row_starts(cli, schools, tmp_path, db_path):
    path = tmp_path / "roster.csv"
    rest = "".join(f"NX-{n},学校{n},primary\n" for n in range(10_000, 20_000))
    path.write_text("code,name,stages\nNX-101,一小,primary\nNX-102,\"二小,primary\n" + rest, encoding="utf-8")
    before = dump(db_path)
    refused(cli("school", "import", path), f"{path}:3: row 2: a cell is longer than 131072 characters",
            "quote left open")
    assert dump(db_path) == before


def test_a_csv_header_cell_over_the_field_limit(cli, schools, tmp_path, db_path):
    path = tmp_path / "roster.csv"
    path.write_text("code,\"" + "n" * 140_000 + "\",stages\nNX-101,一小,primary\n", encoding="utf-8")
    before = dump(db_path)
    refused(cli("school", "import", path), f"{path}:1: header row: a cell is longer than 131072 characters")
    assert dump(db_path) == before


def test_other_overlong_roster_values_give_row_and_line(cli, schools, tmp_path, db_path):
    path = tmp_path / "roster.csv"
    header = "n" * 100_000
    path.write_text(f"code,name,stages,{header}\n", encoding="utf-8")
    err = refused(cli("school", "import", path), f"{path}:1: unknown column(s) 'nnnnn", "(100000 characters)")
    assert len(err) < 2000
    path.write_text("code,name,stages\nNX-101,一小,primary\nNX-102," + "名" * 300 + ",primary\n"
                    "NX-103,三小," + "x " * 5000 + "\n", encoding="utf-8")
    before = dump(db_path)
    err = refused(cli("school", "import", path), f"{path}:3: row 2: name: String should have at most 200 characters",
                  f"{path}:4: row 3: stages[0]: unknown stage 'x'",
                  f"{path}:4: row 3: … and 4990 more problem(s) in this row")
    assert len(err.splitlines()) < 20
    assert dump(db_path) == before


# -- 15. answers-file header values: errors say where the value came from ------------------------------

def test_unknown_school_in_the_file_or_the_argument(cli, vdir, tmp_path, db_path):
    path = header_file(tmp_path, school="NX-404")
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", path), f"{path}:1: school: no school matches 'NX-404'")
    refused(cli("inspect", "visit", "NX-405", "--answers", path), "SCHOOL: no school matches 'NX-405'")
    assert dump(db_path) == before


def test_unknown_checklist_in_the_file_or_the_option(cli, vdir, tmp_path, db_path):
    path = header_file(tmp_path, checklist="no-such-list")
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", path), f"{path}:2: checklist: unknown checklist 'no-such-list'")
    refused(cli("inspect", "visit", "--answers", path, "--checklist", "other-list"),
            "--checklist: unknown checklist 'other-list'")
    assert dump(db_path) == before


def test_future_date_in_the_file_or_the_option(cli, vdir, tmp_path, db_path):
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    path = header_file(tmp_path, date=future)
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "--answers", path), f"{path}:3: date: {future} is in the future")
    assert "--date" not in err
    refused(cli("inspect", "visit", "--answers", header_file(tmp_path), "--date", future),
            f"--date: {future} is in the future")
    assert dump(db_path) == before


def test_impossible_date_names_the_field(cli, vdir, tmp_path, db_path):
    path = header_file(tmp_path, date="2020-13-01")
    before = dump(db_path)
    refused(cli("inspect", "visit", "--answers", path), f"{path}:3: date: 2020-13-01 is not a valid date")
    assert dump(db_path) == before


def test_overlong_inspector_in_the_file_or_the_option(cli, vdir, tmp_path, db_path):
    path = header_file(tmp_path, inspector="督" * 101)
    before = dump(db_path)
    err = refused(cli("inspect", "visit", "--answers", path), f"{path}:4: inspector: at most 100 characters")
    assert "--inspector" not in err
    refused(cli("inspect", "visit", "--answers", header_file(tmp_path), "--inspector", "督" * 101),
            "--inspector: at most 100 characters")
    assert dump(db_path) == before
    assert counts(db_path)["visits"] == 0


def test_an_empty_answers_file_is_named_once_with_its_reason(cli, vdir, tmp_path, db_path):
    """`/dev/null` or an empty file: the header names the file, the line under it says why, not the same words twice."""
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    before = dump(db_path)
    for path in ("/dev/null", empty):
        result = cli("--lang", "en", "inspect", "visit", "--answers", path)
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [f"Error: {path}: cannot be read", f"  {path}:1: the file is empty"]
        zh = cli("--lang", "zh", "inspect", "visit", "--answers", path)
        assert zh.exit_code == 2 and zh.stderr.count("文件是空的") == 1 and f"{path}：无法读取" in zh.stderr
    assert dump(db_path) == before
