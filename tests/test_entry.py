"""The console entry (`nanxian_cli.cli.main`, the console script and `python -m nanxian_cli`) on cron's digest
command line: the one Typer command tree, in real processes.

Each case runs in a real child process from a fresh copy of the same database and folder state. What it
prints, its exit code, the files it writes, the delivery records and whether the database exists are checked.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from typer.testing import CliRunner

from conftest import ROSTER
from test_digest import HOSTILE, build_weeks, record, write_checklist
from test_digest_delivery import Collector, start_server

# Runs the console script's function the way the console script does. TEST_RAISE makes the digest's
# computation fail with that exception.
LAUNCHER = """\
import os, sqlite3, sys

sys.argv = ["nanxian"] + sys.argv[1:]
failure = {"bug": ZeroDivisionError("simulated bug"), "ctrl-c": KeyboardInterrupt(),
           "sqlite": sqlite3.OperationalError("disk I/O error"),
           "os": OSError(28, "No space left on device", "/srv/digests")}.get(os.environ.get("TEST_RAISE", ""))
if failure is not None:
    import nanxian_cli.reports.digest

    def fail(*args, **kwargs):
        raise failure

    nanxian_cli.reports.digest.build_digest = fail
from nanxian_cli.cli import main

main()
"""


class Outcome(NamedTuple):
    exit_code: int
    stdout: bytes
    stderr: bytes
    files: dict[str, bytes | None]  # what is under the work folder besides its database (None: a folder)
    deliveries: list[tuple]
    db_exists: bool


def run_entry(args: list, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True,
                          env=env, cwd=cwd, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """Weeks 2020-W43..W46 of test_digest, plus a school and a supervisor whose names are markup."""
    base = tmp_path_factory.mktemp("county")
    db = base / "nanxian.db"
    config = base / "no-config.toml"
    config.write_text("", encoding="utf-8")
    roster = base / "roster.yaml"
    roster.write_text(ROSTER + f"- {{code: NX-009, name: '{HOSTILE}', town: '<b>镇</b>', stages: primary}}\n",
                      encoding="utf-8")
    from nanxian_cli.cli import app

    runner = CliRunner()
    env = {"NANXIAN_DB": str(db), "NANXIAN_CONFIG": str(config), "NANXIAN_LANG": "en", "NANXIAN_CHECKLISTS": None,
           "NANXIAN_TIMEZONE": None, "NANXIAN_INSPECTOR": None}

    def cli(*args):
        return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)

    assert cli("school", "import", roster).exit_code == 0
    checklist = write_checklist(base / "checklists")
    build_weeks(cli, db, checklist)
    record(db, checklist, "NX-009", "2020-11-03", "<img src=x onerror=alert(1)>\x1b[31m", "no", 60, "no")
    return db


class Workspace:
    """One folder, reset to the same state before each run in it: the county database, an `out`
    folder, whatever a case sets up, and the effect of the case's earlier runs."""

    def __init__(self, county: Path, tmp_path: Path, env: dict | None = None, setup=None, before=()) -> None:
        self.work = tmp_path / "work"
        self.snapshot = tmp_path / "snapshot"
        self.work.mkdir(parents=True)
        shutil.copy(county, self.work / "nanxian.db")
        (self.work / "out").mkdir()
        if setup is not None:
            setup(self.work)
        self.env = {k: v for k, v in os.environ.items() if k != "TEST_RAISE"}
        self.env["NANXIAN_DB"] = str(self.work / "nanxian.db")
        for key, value in (env or {}).items():
            if value is None:
                self.env.pop(key, None)
            else:
                self.env[key] = self.fill(value)
        for args in before:  # earlier runs (a first delivery): once, then kept for the case's run
            done = self.run(args)
            assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        shutil.copytree(self.work, self.snapshot, symlinks=True)

    def fill(self, text):
        return text.replace("{work}", str(self.work)) if isinstance(text, str) else text

    def run(self, args: list) -> subprocess.CompletedProcess:
        return run_entry([self.fill(a) for a in args], self.env, self.work)

    def outcome(self, args: list) -> Outcome:
        shutil.rmtree(self.work)
        shutil.copytree(self.snapshot, self.work, symlinks=True)
        done = self.run(args)
        db = Path(self.env["NANXIAN_DB"])
        files = {str(p.relative_to(self.work)): p.read_bytes() if p.is_file() else None
                 for p in sorted(self.work.rglob("*")) if p.name not in DATABASE_FILES and p.name != "out"}
        deliveries = []
        if db.is_file() and db.stat().st_size:
            with sqlite3.connect(db) as conn:
                try:
                    deliveries = conn.execute("SELECT week, channel, target FROM digest_deliveries "
                                              "ORDER BY week, channel, target").fetchall()
                except sqlite3.DatabaseError:  # not a nanxian database: nothing to compare but the file
                    deliveries = ["<not a database>"]
            conn.close()
        return Outcome(done.returncode, done.stdout, done.stderr, files, deliveries, db.exists())


def run(county: Path, tmp_path: Path, args: list, **workspace: Any) -> Outcome:
    """Run `args` through the console entry in a fresh workspace."""
    return Workspace(county, tmp_path, **workspace).outcome(args)


W45 = ["report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09"]
DATABASE_FILES = ("nanxian.db", "nanxian.db-wal", "nanxian.db-shm")
DELIVER = [*W45, "--output", "{work}/out/"]


def written(outcome: Outcome) -> list[str]:
    return [name for name in outcome.files if name.startswith("out/")]


def text(outcome: Outcome) -> str:
    return outcome.stdout.decode("utf-8")


def errors(outcome: Outcome) -> str:
    return outcome.stderr.decode("utf-8")


# -- what cron's command line does -------------------------------------------------------------------

@pytest.mark.parametrize(("args", "fmt"), [
    (W45, "text"),
    (["report", "digest", "--as-of", "2020-11-09"], "text"),  # the default week: last
    (["report", "digest", "--week", "this", "--as-of", "2020-11-08"], "text"),
    (["report", "digest", "--week", "last", "--as-of", "2020-11-09", "--format", "json"], "json"),
    ([*W45, "-f", "markdown"], "markdown"),
    ([*W45, "--format=html"], "html"),
    ([*W45, "--format", "text"], "text"),
    (["--db={work}/nanxian.db", "--checklists", "{work}", "--lang=en", "report", "digest", "--week=2020-w45",
      "--as-of=2020-11-09"], "text"),
    (["--lang", "zh", *W45], "text"),
    (["--lang", "zh", *W45, "-f", "html"], "html"),
])
def test_digest_to_stdout(county, tmp_path, args, fmt):
    result = run(county, tmp_path, args)
    assert result.exit_code == 0, errors(result)
    assert result.stderr == b"" and result.files == {} and result.deliveries == []
    out = text(result)
    if fmt == "json":
        assert json.loads(out)["week"] == "2020-W45"
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "&lt;script&gt;" in out and "<script>" not in out
    elif fmt == "markdown":
        assert "\\[bold\\]x\\[/\\] \\<script>" in out
    else:
        assert "2020-W4" in out.splitlines()[0] and HOSTILE in out and "\x1b" not in out


def test_language_from_the_environment_and_the_config_file(county, tmp_path):
    def config(work: Path) -> None:
        (work / "config.toml").write_text('lang = "zh"\ntimezone = "America/Los_Angeles"\n', encoding="utf-8")

    result = run(county, tmp_path / "config", W45, setup=config,
                  env={"NANXIAN_CONFIG": "{work}/config.toml", "NANXIAN_LANG": None})
    assert result.exit_code == 0 and text(result).startswith("南县责任督学督导周报 2020-W45")
    result = run(county, tmp_path / "env", W45, env={"NANXIAN_LANG": "zh"})
    assert result.exit_code == 0 and text(result).startswith("南县责任督学督导周报 2020-W45")


@pytest.mark.parametrize(("args", "path"), [
    (DELIVER, "out/digest-2020-W45.txt"),
    ([*W45, "-o", "{work}/out", "-f", "json"], "out/digest-2020-W45.json"),
    ([*W45, "--output", "{work}/out/week.md"], "out/week.md"),
    (["--lang", "zh", *W45, "--output={work}/out/week.html"], "out/week.html"),
])
def test_digest_to_a_file(county, tmp_path, args, path):
    # a --lang that is the usual language (here Chinese: NANXIAN_LANG) is the usual delivery
    result = run(county, tmp_path, args, env={"NANXIAN_LANG": "zh"} if "zh" in args else None)
    assert result.exit_code == 0, errors(result)
    target = str((tmp_path / "work" / path).resolve())
    assert written(result) == [path]
    assert result.deliveries == [("2020-W45", "file", target)]
    assert text(result).strip().endswith(target)


def test_second_run_already_delivered_then_force(county, tmp_path):
    again = run(county, tmp_path / "again", DELIVER, before=[DELIVER])
    assert again.exit_code == 0 and "already delivered" in text(again)
    # the same week in another language is another delivery: its own file, then once (issue 17, point 19)
    zh = run(county, tmp_path / "zh", ["--lang", "zh", *DELIVER], before=[DELIVER])
    assert zh.exit_code == 0 and "已写入" in text(zh) and "out/digest-2020-W45.zh.txt" in written(zh)
    zh = run(county, tmp_path / "zh-again", ["--lang", "zh", *DELIVER], before=[DELIVER, ["--lang", "zh", *DELIVER]])
    assert zh.exit_code == 0 and "本次不再重复" in text(zh)
    forced = run(county, tmp_path / "force", [*DELIVER, "--force"], before=[DELIVER])
    assert forced.exit_code == 0 and "written to" in text(forced)
    assert len(forced.deliveries) == 1


def test_week_not_over_is_delivered_not_recorded(county, tmp_path):
    result = run(county, tmp_path, ["report", "digest", "--week", "this", "--as-of", "2020-11-05",
                                     "--output", "{work}/out/"])
    assert result.exit_code == 0 and "not over yet" in text(result)
    assert written(result) == ["out/digest-2020-W45.txt"] and result.deliveries == []


def test_colour_codes_in_a_printed_path(county, tmp_path):
    """The delivery message names the file; colour codes in it are dropped when stdout is not a terminal."""
    def folder(work: Path) -> None:
        (work / "out" / "\x1b[31mred").mkdir()

    result = run(county, tmp_path, [*W45, "--output", "{work}/out/\x1b[31mred/"], setup=folder)
    assert result.exit_code == 0, errors(result)
    assert b"\x1b" not in result.stdout and b"/out/red/digest-2020-W45.txt" in result.stdout


@pytest.mark.parametrize(("args", "exit_code", "says"), [
    (["report", "digest", "--week", "2020-W54", "--as-of", "2021-02-01"], 2, "--week: 2020 has no ISO week 54"),
    (["report", "digest", "--week", "garbage"], 2, "is not a week"),
    (["report", "digest", "--week="], 2, "is not a week"),
    (["--lang", "zh", "report", "digest", "--week", "2020-W00"], 2, "没有第 0 周"),
    (["report", "digest", "--as-of", "2020-13-01"], 2, "--as-of: '2020-13-01' is not a date"),
    (["report", "digest", "--as-of", "2999-01-01"], 2, "is after today"),
    (["report", "digest", "--week", "2020-W47", "--as-of", "2020-11-09"], 2, "has not started yet"),
    (["--lang", "xx", "report", "digest"], 2, "expected zh or en"),
    ([*W45, "--output", "{work}/nowhere/"], 2, "does not exist"),
    ([*W45, "--output", "{work}/[bold]x[/bold]/d.txt"], 2, "[bold]x[/bold] does not exist"),
    ([*W45, "--email"], 2, "NANXIAN_SMTP_HOST"),
])
def test_bad_values(county, tmp_path, args, exit_code, says):
    result = run(county, tmp_path, args)
    assert result.exit_code == exit_code, errors(result)
    assert says in errors(result) and "Traceback" not in errors(result)
    assert result.stdout == b"" and result.files == {} and result.deliveries == []


@pytest.mark.parametrize(("env", "exit_code", "says"), [
    ({"NANXIAN_TIMEZONE": "Mars/Olympus"}, 2, "unknown time zone"),
    ({"NANXIAN_CONFIG": "{work}/absent.toml"}, 2, "absent.toml：配置文件不存在"),  # before the language is known
    ({"NANXIAN_SMTP_HOST": "127.0.0.1", "NANXIAN_SMTP_PORT": "smtp", "NANXIAN_SMTP_FROM": "a@b.example",
      "NANXIAN_SMTP_TO": "c@d.example"}, 2, "not a port number"),
])
def test_bad_settings(county, tmp_path, env, exit_code, says):
    result = run(county, tmp_path, [*DELIVER, "--email"], env=env)
    assert result.exit_code == exit_code and says in errors(result)
    assert result.files == {} and result.deliveries == []


def test_missing_database_is_not_created(county, tmp_path):
    result = run(county, tmp_path / "option", ["--db", "{work}/typo/nanxian.db", *DELIVER])
    assert result.exit_code == 1 and "no database yet" in errors(result)
    assert result.files == {}  # no `typo` folder, no file in `out`
    result = run(county, tmp_path / "env", DELIVER, env={"NANXIAN_DB": "{work}/typo/nanxian.db"})
    assert result.exit_code == 1 and "no database yet" in errors(result)
    assert not result.db_exists and result.files == {}


def test_a_file_that_is_not_a_database(county, tmp_path):
    def junk(work: Path) -> None:
        (work / "junk.db").write_bytes(b"\x00junk" * 100)

    result = run(county, tmp_path, ["--db", "{work}/junk.db", *DELIVER], setup=junk)
    assert result.exit_code == 1 and "junk.db" in errors(result) and "Traceback" not in errors(result)
    assert result.files == {"junk.db": b"\x00junk" * 100}


@pytest.mark.parametrize(("failure", "exit_code", "says"), [
    ("bug", 1, "Error: internal error (ZeroDivisionError: simulated bug); nothing more was written. "
               "Run again with NANXIAN_DEBUG=1 to see the details and report them."),
    ("ctrl-c", 130, ""),
    ("sqlite", 1, "Error: database error: disk I/O error"),
    ("os", 1, "Error: /srv/digests: No space left on device"),
])
def test_unforeseen_failures_map_to_one_message(county, tmp_path, failure, exit_code, says):
    result = run(county, tmp_path, DELIVER, env={"TEST_RAISE": failure})
    assert result.exit_code == exit_code
    assert errors(result).strip() == says
    assert result.files == {} and result.deliveries == []


@pytest.mark.parametrize("output", [
    "{work}/nanxian.db", "{work}/out/../nanxian.db", "{work}/nanxian.db-wal", "{work}/nanxian.db-shm",
    "{work}/nanxian.db.digest-lock", "{work}/nanxian.db.evidence/", "{work}/nanxian.db.evidence/week.txt",
    "{work}/link.txt",
])
def test_an_output_over_the_database_is_refused(county, tmp_path, output):
    """Invariant 8: exit 2 before anything is read, written or recorded."""
    def setup(work: Path) -> None:
        (work / "link.txt").symlink_to(work / "nanxian.db")
        (work / "nanxian.db.evidence").mkdir()

    result = run(county, tmp_path, [*W45, "--output", output], setup=setup)
    assert result.exit_code == 2, errors(result)
    assert "refusing to write there, nothing was changed" in errors(result)
    assert result.stdout == b"" and result.deliveries == []
    assert result.files == {"link.txt": county.read_bytes(), "nanxian.db.evidence": None}


def test_a_digest_file_name_that_is_the_database_is_refused(county, tmp_path):
    def setup(work: Path) -> None:
        (work / "nanxian.db").rename(work / "out" / "digest-2020-W45.txt")

    result = run(county, tmp_path, DELIVER, setup=setup, env={"NANXIAN_DB": "{work}/out/digest-2020-W45.txt"})
    assert result.exit_code == 2, errors(result)
    assert "digest-2020-W45.txt is the database; refusing to write there" in errors(result)
    assert result.files == {"out/digest-2020-W45.txt": county.read_bytes()} and result.deliveries == []


def test_a_bug_with_nanxian_debug_shows_the_traceback(county, tmp_path):
    result = run(county, tmp_path, W45, env={"TEST_RAISE": "bug", "NANXIAN_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Traceback" in errors(result) and "ZeroDivisionError: simulated bug" in errors(result)


def test_email_delivery(county, tmp_path):
    handler = Collector()
    controller = start_server(handler)
    try:
        env = {"NANXIAN_SMTP_HOST": "127.0.0.1", "NANXIAN_SMTP_PORT": str(controller.port), "NANXIAN_SMTP_TLS": "none",
               "NANXIAN_SMTP_FROM": "dudao@nanxian.example",
               "NANXIAN_SMTP_TO": "bureau@nanxian.example, Head@Nanxian.example"}
        sent = run(county, tmp_path / "sent", [*DELIVER, "--email"], env=env)
        assert sent.exit_code == 0, errors(sent)
        assert text(sent).count("sent to") == 2 and text(sent).count("written to") == 1
        assert [d[1] for d in sent.deliveries] == ["email", "email", "file"]
        assert len(handler.messages) == 1  # one message to both recipients
        again = run(county, tmp_path / "again", [*DELIVER, "--email"], env=env, before=[[*DELIVER, "--email"]])
        assert again.exit_code == 0 and text(again).count("already delivered") == 3
        assert len(handler.messages) == 2  # only the earlier run sent
    finally:
        controller.stop()


@pytest.mark.parametrize(("argv", "exit_code", "says"), [
    (["report", "digest", "--help"], 0, b"--as-of"),
    (["--version"], 0, b"nanxian 0.1.0"),
    (["report", "digest", "-f"], 2, b"requires an argument"),
    (["report", "digest", "--format", "xlsx"], 2, b"xlsx"),
    (["report", "digest", "--week", "2020-W45", "--week", "2020-W46", "--as-of", "2020-11-20"], 0, b"2020-W46"),
    (["report", "digest", "--bogus"], 2, b"No such option"),
    (["report", "digest", "--week", "-1", "--as-of", "2020-11-09"], 2, b"is not a week"),
    (["report", "digest", "--", "--week", "last"], 2, b"unexpected extra"),
    (["report", "summary", "--from", "2020-11-01", "--to", "2020-11-30", "--format", "json"], 0, b'"rows"'),
    ([b"report", b"digest", b"--week", b"2020-W45\xff"], 2, b"UTF-8"),  # not UTF-8: a usage error
], ids=lambda argv: " ".join(a if isinstance(a, str) else repr(a) for a in argv) if isinstance(argv, list) else None)
def test_help_usage_errors_and_other_commands(county, tmp_path, argv, exit_code, says):
    result = run(county, tmp_path, argv)
    assert result.exit_code == exit_code
    assert says in result.stdout + result.stderr
