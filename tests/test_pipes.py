"""Output that is not a terminal (issue 17, points 4 and 9): a pipe closed early ends quietly with exit 0; piped,
redirected and `--output` tables are one record a line at full width, never wrapped at 80, with no spaces at
line ends; the heat map's legend reads without colour."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

PERIOD = ("--from", "2020-01-01", "--to", "2020-12-31")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A small demo county (6 schools, 24 visits) and what `demo` printed."""
    from typer.testing import CliRunner

    from nanxian_cli.cli import app

    db = tmp_path_factory.mktemp("pipes") / "county.db"
    env = {"NO_COLOR": "1", "COLUMNS": None, "NANXIAN_LANG": "en", "NANXIAN_DB": None}
    result = CliRunner().invoke(app, ["--db", str(db), "demo", "--schools", "6", "--visits-per-year", "4"],
                                catch_exceptions=False, env=env)
    assert result.exit_code == 0, result.output
    return db, result.stdout


@pytest.fixture
def piped(cli, county, monkeypatch):
    """Run the CLI on the county with output to a pipe and no COLUMNS (what a shell gives `nanxian … | less`)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("NANXIAN_DB", str(county[0]))

    def run(*args: str, lang: str = "en") -> str:
        result = cli("--lang", lang, *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def _no_padding(text: str) -> None:
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


def test_demo_summary_line_is_not_wrapped(county):
    _, out = county
    line = next(line for line in out.splitlines() if line.startswith("6 schools"))
    assert re.fullmatch(r"6 schools, \d+ supervisor\(s\), 24 visits, \d+ answers, \d+ findings \(\d+ still open\), "
                        r"\S+ to 2020-12-31, built in [\d.]+ s", line), line
    _no_padding(out)


def test_piped_visit_list_is_one_line_per_visit(piped):
    visits = json.loads(piped("inspect", "list", "--format", "json"))
    text = piped("inspect", "list")
    _no_padding(text)
    rows = [line for line in text.splitlines() if re.match(r"^\s*[0-9a-f]{8}\s", line)]
    assert len(rows) == len(visits) == 24
    for v, line in zip(visits, rows, strict=True):
        c = v["counts"]
        assert line.split()[:3] == [v["id"][:8], v["date"], v["school_name"]], line
        assert f"{c['pass']}/{c['fail']}/{c['na']}" in line.split(), line
    assert max(cell_len(line) for line in text.splitlines()) > 80  # at full width: not cut down to 80


def test_piped_finding_list_is_one_line_per_finding(piped):
    findings = json.loads(piped("finding", "list", "--format", "json"))
    text = piped("finding", "list")
    _no_padding(text)
    rows = [line for line in text.splitlines() if re.match(r"^\s*\d+\s", line)]
    assert len(rows) == len(findings) > 20
    for f, line in zip(findings, rows, strict=True):
        assert line.split()[0] == str(f["id"])
        assert f["due"] in line


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_piped_reports_keep_every_row_on_one_line(piped, lang):
    summary = json.loads(piped("report", "summary", *PERIOD, "--format", "json"))
    text = piped("report", "summary", *PERIOD, lang=lang)
    _no_padding(text)
    for row in summary["rows"]:
        line = next(line for line in text.splitlines() if line.lstrip().startswith(row["key"]))
        rate = "—" if row["compliance_rate"] is None else f"{row['compliance_rate'] * 100:.1f}%"
        assert rate in line.split() and str(row["visits"]) in line.split(), line
    matrix = piped("report", "matrix", *PERIOD, lang=lang)
    _no_padding(matrix)
    header = next(line for line in matrix.splitlines() if line.split()[-3:] == ["19", "20", "21"])
    assert header.split()[1:] == [str(n) for n in range(1, 22)]  # the 21 plan items in one block


def test_matrix_legend_reads_without_colour(piped):
    en = piped("report", "matrix", *PERIOD)
    assert "Each cell: compliance %, rounded down: ≥90 green, 75–89 yellow, below 75 red; · no data" in en
    zh = piped("report", "matrix", *PERIOD, lang="zh")
    assert "格内为合格率（%，向下取整）：≥90 绿，75–89 黄，<75 红；· 无数据" in zh


def test_table_files_are_one_line_per_record(cli, schools, tmp_path):
    """`--output FILE.txt` (the table format) is written at full width too: a long school name stays whole."""
    long_name = "南县" + "很长的名字" * 14 + "学校"
    extra = tmp_path / "extra.yaml"
    extra.write_text(f"- {{code: NX-099, name: {long_name}, town: 南洲镇, stages: primary}}\n", encoding="utf-8")
    assert cli("school", "import", extra).exit_code == 0
    out = tmp_path / "schools.txt"
    result = cli("school", "list", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    _no_padding(text)
    assert len([line for line in text.splitlines() if "NX-0" in line]) == 6
    assert any("NX-099" in line and long_name in line for line in text.splitlines())


def test_columns_still_sets_the_width(piped, cli):
    """COLUMNS, when given, is the width (the terminal tests rely on it); lines still have no trailing spaces."""
    result = cli("inspect", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80
    _no_padding(result.stdout)


LONG_POINT = "The school has posted every fee it charges on the notice board at the gate and on its website"


def test_interactive_entry_in_a_pipe(cli, schools, supervisors, tmp_path, monkeypatch):
    """A long point text is one line; rules and panels, which take any width, are drawn 80 wide."""
    monkeypatch.delenv("COLUMNS", raising=False)
    folder = tmp_path / "cl"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(
        "id: tiny\nversion: 1\ntitle: {zh: 小清单, en: Tiny}\nkind: routine\nitems:\n"
        f"  - {{id: t-1, text: {{zh: 一, en: \"{LONG_POINT}\"}}, plan: [1], type: yesno}}\n", encoding="utf-8")
    result = cli("--checklists", folder, "inspect", "visit", "NX-001", "--checklist", "tiny", "--inspector", "李明",
                 "--date", "2020-11-02", input="n\n\ny\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert LONG_POINT in lines and f"✗ t-1  {LONG_POINT}  (major)" in lines
    # the panel at the start and the rules above each point and at the end (not the tables of the visit after it)
    screen = lines[:next(i for i, line in enumerate(lines) if line.startswith("Submit the visit?"))]
    rules = [line for line in screen if line.startswith(("╭", "│", "╰")) or re.match(r"^\S.* ─{10,}$", line)]
    assert len(rules) >= 6 and max(cell_len(line) for line in rules) <= 80
    _no_padding(result.stdout)


# -- a closed pipe ---------------------------------------------------------------------------------------

def _closed_pipe(args: list[str], db: Path) -> subprocess.CompletedProcess:
    """Run `python -m nanxian_cli ARGS` with standard output a pipe nobody reads (its reader already gone)."""
    env = {**os.environ, "NANXIAN_DB": str(db), "NANXIAN_LANG": "en"}
    env.pop("COLUMNS", None)
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "nanxian_cli", *args], stdout=write, stderr=subprocess.PIPE,
                                env=env)
    finally:
        os.close(write)
    _, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, b"", err)


@pytest.mark.parametrize("args", [
    ["--help"], ["report", "--help"], ["report", "summary", "-h"], [], ["--version"],
    ["inspect", "list"], ["finding", "list"], ["report", "summary", *PERIOD], ["report", "matrix", *PERIOD],
    ["finding", "list", "--format", "json"], ["report", "digest", "--week", "2020-W45"],
], ids=lambda a: " ".join(a) or "nanxian")
def test_a_closed_pipe_ends_quietly(county, args):
    db, _ = county
    before = db.read_bytes()
    done = _closed_pipe(args, db)
    assert (done.returncode, done.stderr.decode()) == (0, "")
    assert db.read_bytes() == before


def test_head_reading_one_line_of_a_long_listing(county):
    """`nanxian finding list | head -1`: the reader stops after the first line of a long listing."""
    db, _ = county
    env = {**os.environ, "NANXIAN_DB": str(db), "NANXIAN_LANG": "en"}
    env.pop("COLUMNS", None)
    for args in (["--help"], ["finding", "list", "--format", "csv"], ["inspect", "list"]):
        proc = subprocess.Popen(f"set -o pipefail; {sys.executable} -m nanxian_cli {' '.join(args)} | head -1",
                                shell=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                executable="/bin/bash")
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, err.decode(), len(out.splitlines())) == (0, "", 1), args
