"""Long tables (issue 18, point 3): a terminal shows 50 rows of each long table — the worst first in reports —
and says how many more there are and that `--all` shows them; totals are always over every row. Output that is
not a terminal gets every row, written by a plain writer (not Rich's table layout), one record a line.

A terminal is a real one here: `python -m nanxian_cli` runs with its standard output on a pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios

import pytest

PERIOD = ("--from", "2020-01-01", "--to", "2020-12-31")
HOSTILE = "[red]x[/red]\x1b[31m=SUM(A1)"
SHOWN_HOSTILE = "[red]x[/red]\\x1b[31m=SUM(A1)"
HIDDEN_EN = "{n} more rows not shown; --all shows every row"
HIDDEN_ZH = "另有 {n} 行未显示；--all 显示全部"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A demo county of 60 schools, one of them stored under a hostile name (as an old database may hold it)."""
    from typer.testing import CliRunner

    from nanxian_cli.cli import app

    db = tmp_path_factory.mktemp("long") / "county.db"
    env = {"NO_COLOR": "1", "COLUMNS": None, "NANXIAN_LANG": "en", "NANXIAN_DB": None}
    result = CliRunner().invoke(app, ["--db", str(db), "demo", "--schools", "60", "--visits-per-year", "3"],
                                catch_exceptions=False, env=env)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    with conn:
        assert conn.execute("UPDATE schools SET name = ? WHERE code = 'NX-002'", (HOSTILE,)).rowcount == 1
    conn.close()
    return db


def terminal(db, *args: str, lang: str = "en", cols: int = 250) -> str:
    """What `nanxian ARGS` shows in a terminal `cols` wide (colour off; line ends as the program wrote them)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, cols, 0, 0))
    env = {**os.environ, "NANXIAN_DB": str(db), "NANXIAN_LANG": lang, "NO_COLOR": "1", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    proc = subprocess.Popen([sys.executable, "-m", "nanxian_cli", *args], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # any styling a terminal may still get
    return "\n".join(line.rstrip() for line in text.split("\n"))  # a terminal's lines are padded to its width


@pytest.fixture
def piped(cli, county, monkeypatch):
    """The CLI with output to a pipe and no COLUMNS (what a shell gives `nanxian … | awk`)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("NANXIAN_DB", str(county))

    def run(*args: str, lang: str = "en") -> str:
        result = cli("--lang", lang, *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def _block(text: str, first: str, end: str) -> list[str]:
    """The lines from the one equal to `first` up to (not including) the next one equal to `end`."""
    lines = text.splitlines()
    start = lines.index(first)
    return lines[start:lines.index(end, start)]


def _code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^NX-\d+\s", line)]


def _heads(lines: list[str]) -> list[str]:
    """The first word of each line of a table, inside its borders."""
    return [line.strip(" │┃").split()[0] for line in lines if line.strip(" │┃")]


def _worst(rows: list[dict], key: str = "compliance_rate") -> list[dict]:
    order = sorted(range(len(rows)), key=lambda i: (rows[i][key] is None, rows[i][key] or 0.0, i))
    return [rows[i] for i in order]


def test_terminal_summary_shows_the_worst_50_and_says_how_many_are_hidden(county, piped):
    data = json.loads(piped("report", "summary", *PERIOD, "--format", "json"))
    assert len(data["rows"]) == 60
    short = terminal(county, "report", "summary", *PERIOD)
    shown = [line.split()[0] for line in _code_lines(short)]
    assert shown == [r["key"] for r in _worst(data["rows"])[:50]]
    assert HIDDEN_EN.format(n=10) in short.splitlines()
    every = terminal(county, "report", "summary", *PERIOD, "--all")
    assert [line.split()[0] for line in _code_lines(every)] == [r["key"] for r in _worst(data["rows"])]
    assert "more rows not shown" not in every
    # the totals are the report's, over all 60 schools, whether the rows are cut or not
    totals = _block(short, "Totals", "Rows (worst first)")
    assert totals == _block(every, "Totals", "Rows (worst first)")
    assert [line.split() for line in totals] == [line.split() for line in _block(
        piped("report", "summary", *PERIOD), "Totals", "Rows (worst first)")]
    assert f"Visits {data['totals']['visits']}" in [" ".join(line.split()) for line in totals]
    zh = terminal(county, "report", "summary", *PERIOD, lang="zh")
    assert HIDDEN_ZH.format(n=10) in zh.splitlines()


def test_terminal_matrix_shows_the_worst_50_schools_by_town(county, piped):
    data = json.loads(piped("report", "matrix", *PERIOD, "--format", "json"))
    short = terminal(county, "report", "matrix", *PERIOD)
    assert HIDDEN_EN.format(n=10) in short.splitlines()
    assert "Each cell: compliance %, rounded down:" in short  # the legend stays
    rows = [line for line in short.splitlines() if re.match(r"^\S.*(\s+(\d+|·)){21}$", line)
            and not line.startswith("school ")]
    assert len(rows) == 50
    every = terminal(county, "report", "matrix", *PERIOD, "--all")
    assert len([line for line in every.splitlines() if re.match(r"^\S.*(\s+(\d+|·)){21}$", line)
            and not line.startswith("school ")]) == 60
    assert "more rows not shown" not in every
    # the county's rate per plan item is over every school either way
    assert short.split("County compliance by plan item")[1] == every.split("County compliance by plan item")[1]
    assert len(data["rows"]) == 60


def test_terminal_item_report_cuts_long_tables_only(county, piped):
    data = json.loads(piped("report", "item", "21", *PERIOD, "--format", "json"))
    short = terminal(county, "report", "item", "21", *PERIOD)
    every = terminal(county, "report", "item", "21", *PERIOD, "--all")
    hidden = [line for line in short.splitlines() if "more rows not shown" in line]
    expected = [HIDDEN_EN.format(n=len(data[key]) - 50) for key in ("points", "by_town", "by_school", "failures")
                if len(data[key]) > 50]
    assert hidden == expected and expected
    assert _block(short, "Totals", "Points that check this item") == _block(every, "Totals",
                                                                            "Points that check this item")
    assert "more rows not shown" not in every


@pytest.mark.parametrize("args,key", [
    (("finding", "list"), "id"),
    (("inspect", "list"), "id"),
    (("school", "list"), "code"),
], ids=["finding list", "inspect list", "school list"])
def test_terminal_listings_show_their_first_50(county, piped, args, key):
    records = json.loads(piped(*args, "--format", "json"))
    assert len(records) > 50
    short = terminal(county, *args)
    lines = short.splitlines()
    assert lines[-1] == HIDDEN_EN.format(n=len(records) - 50)
    first = str(records[0][key])[:8]
    last = str(records[49][key])[:8]
    after = str(records[50][key])[:8]
    heads = _heads(lines)
    assert first in heads and last in heads and after not in heads
    every = terminal(county, *args, "--all", lang="zh")
    assert "未显示" not in every and str(records[-1][key])[:8] in _heads(every.splitlines())


@pytest.mark.parametrize("filters", [(), ("--status", "resolved"), ("--severity", "major"),
                                     ("--as-of", "2020-06-30", "--status", "open")],
                         ids=["all", "resolved", "major", "open mid-year"])
def test_terminal_finding_list_reads_its_first_50_and_counts_every_one(county, piped, filters):
    """A terminal's `finding list` reads only the rows it shows: its title still counts every finding the filters
    select, the hidden line says how many are left out, and the rows shown are the first of the JSON's, in order."""
    records = json.loads(piped("finding", "list", *filters, "--format", "json"))
    assert len(records) > 50
    lines = terminal(county, "finding", "list", *filters).splitlines()
    assert lines[-1] == HIDDEN_EN.format(n=len(records) - 50)
    assert re.match(rf"^Findings \({len(records)}, as of \d{{4}}-\d\d-\d\d\)$", lines[0].strip()), lines[0]
    shown = [int(line.split()[0]) for line in lines[:-1] if re.match(r"^\s*\d+\s", line)]
    assert shown == [f["id"] for f in records[:50]]
    zh = terminal(county, "finding", "list", *filters, lang="zh").splitlines()
    assert zh[-1] == HIDDEN_ZH.format(n=len(records) - 50)
    assert zh[0].strip().startswith(f"整改项（{len(records)}，截至 ")


@pytest.mark.parametrize("filters", [(), ("--status", "submitted"), ("--from", "2020-01-01", "--to", "2020-06-30")],
                         ids=["all", "submitted", "half a year"])
def test_terminal_inspect_list_reads_its_newest_50_and_counts_every_one(county, piped, filters):
    records = json.loads(piped("inspect", "list", *filters, "--format", "json"))
    assert len(records) > 50
    lines = terminal(county, "inspect", "list", *filters).splitlines()
    assert lines[0].strip() == f"Visits ({len(records)})" and lines[-1] == HIDDEN_EN.format(n=len(records) - 50)
    shown = [line.split()[0] for line in lines[:-1] if re.match(r"^\s*[0-9a-f]{8}\s+\d{4}-", line)]
    assert shown == [r["id"][:8] for r in records[:50]]


def test_terminal_inspect_list_counts_drafts_it_does_not_show(county, tmp_path):
    """Drafts older than the 50 newest visits are not shown, but the line under the table still counts them."""
    import shutil

    db = tmp_path / "drafts.db"
    shutil.copy(county, db)
    conn = sqlite3.connect(db)
    with conn:
        oldest = [r[0] for r in conn.execute("SELECT id FROM visits ORDER BY date, created_at LIMIT 3")]
        conn.executemany("UPDATE visits SET status = 'draft', submitted_at = NULL WHERE id = ?",
                         [(v,) for v in oldest])
    conn.close()
    text = terminal(db, "inspect", "list")
    assert all(v[:8] not in _heads(text.splitlines()) for v in oldest)
    assert "3 draft(s) not submitted, not counted in reports" in text
    assert "3 份草稿未提交" in terminal(db, "inspect", "list", lang="zh")


def test_json_is_the_same_with_all(county, piped):
    for args in (("report", "summary", *PERIOD), ("report", "matrix", *PERIOD), ("finding", "list"),
                 ("school", "list"), ("inspect", "list")):
        assert piped(*args, "--format", "json") == piped(*args, "--format", "json", "--all")
    assert terminal(county, "finding", "list", "--format", "json") == terminal(
        county, "finding", "list", "--format", "json", "--all")


def test_pipes_get_every_row_from_the_plain_writer(piped, monkeypatch, tmp_path):
    """Not a terminal: every row, one line each, columns aligned, no spaces at line ends, and Rich's table layout
    is never asked to lay a table out."""
    from rich.table import Table

    summary = json.loads(piped("report", "summary", *PERIOD, "--format", "json"))
    findings = json.loads(piped("finding", "list", "--format", "json"))

    def no_layout(self, console, options):
        raise AssertionError("Rich's table layout was used")

    monkeypatch.setattr(Table, "__rich_console__", no_layout)
    text = piped("report", "summary", *PERIOD)
    assert "more rows not shown" not in text
    rows = _code_lines(text)
    assert [line.split()[0] for line in rows] == [r["key"] for r in summary["rows"]]
    lines = text.splitlines()
    header = lines[lines.index("Rows (worst first)") + 1]
    assert header.split()[:4] == ["code", "school", "town", "supervisor"]
    assert lines[lines.index("Rows (worst first)") + 2] == rows[0]  # no rule under the header
    # the rate column lines up: each rate ends where the header's "compliance" ends
    end = header.index("compliance") + len("compliance")
    from rich.cells import cell_len

    for row, line in zip(summary["rows"], rows, strict=True):
        rate = "—" if row["compliance_rate"] is None else f"{row['compliance_rate'] * 100:.1f}%"
        cut = len(header[:end]) + len(line) - cell_len(line) - (len(header) - cell_len(header))
        assert line[:cut].endswith(" " + rate), line
    for out in (text, piped("finding", "list"), piped("report", "matrix", *PERIOD), piped("school", "list"),
                piped("inspect", "list"), piped("report", "item", "21", *PERIOD, lang="zh")):
        assert [line for line in out.splitlines() if line != line.rstrip()] == []
        assert "more rows not shown" not in out and "未显示" not in out
    listed = [line for line in piped("finding", "list").splitlines() if re.match(r"^\d+\s", line)]
    assert [int(line.split()[0]) for line in listed] == [f["id"] for f in findings]
    # `--output FILE.txt` holds what the pipe got
    out = tmp_path / "summary.txt"
    assert piped("report", "summary", *PERIOD, "-o", str(out)) == ""
    assert out.read_text(encoding="utf-8") == text


def test_hostile_names_in_a_pipe_are_text(piped):
    for args in (("school", "list"), ("report", "summary", *PERIOD), ("report", "matrix", *PERIOD),
                 ("inspect", "list"), ("finding", "list")):
        out = piped(*args)
        assert "\x1b" not in out, args
        assert SHOWN_HOSTILE in out, args
        line = next(line for line in out.splitlines() if SHOWN_HOSTILE in line)
        assert line == line.rstrip()
