"""The benchmark's method (benchmarks/run.py, issue 18): figures and floors interleaved with a warm-up, the floors
running the tool's own SQL, the digest run the way cron runs it, the piped interactive entry timed answer by
answer, a loaded machine called unreliable, the province extrapolated from the sizes measured."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
NANXIAN = [sys.executable, "-m", "nanxian_cli"]


def _bench():
    name = "nanxian_bench_method"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A small county year built by the benchmark's own `build` (the bulk path)."""
    path = tmp_path_factory.mktemp("bench") / "county.db"
    built = _bench().build(path, 12, 1, 8, None)
    assert built["visits"] > 50 and built["answers"] > 1000
    return path


def _copy(db: Path, to: Path) -> Path:
    shutil.copyfile(db, to)
    return to


def _rows(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (fixed table names)
                for t in ("visits", "answers", "findings", "digest_deliveries")
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone()}
    finally:
        conn.close()


def test_figures_and_floors_run_interleaved_after_one_warm_up(tmp_path: Path):
    bench = _bench()
    log = tmp_path / "order.txt"

    def writes(letter: str):
        return bench.Cmd([sys.executable, "-c", f"open({str(log)!r}, 'a').write({letter!r})"])

    got = bench.measure_group({"figure": writes("A"), "shell": writes("B"), "typer": writes("C")}, 3)
    assert log.read_text() == "ABC" * 4  # the warm-up round, then three rounds A B C
    assert [len(s.seconds) for s in got.values()] == [3, 3, 3]
    log.unlink()
    # a command over its time budget (the naive full scan) runs once, timed, and then no more
    got = bench.measure_group({"figure": writes("A"), "naive": writes("N")}, 3, budget={"naive": 0.0})
    assert log.read_text() == "AN" + "A" * 3
    assert len(got["naive"].seconds) == 1 and len(got["figure"].seconds) == 3


def test_the_floors_run_the_reports_own_sql(tmp_path: Path, county: Path):
    """The SQL a report runs is recorded from nanxian and runs unchanged in the `sqlite3` shell and through Python's
    sqlite3 module (the fallback without a shell), giving the rows nanxian read."""
    bench = _bench()
    env = bench.bureau_env(tmp_path)
    argv = ["--db", str(county), "report", "matrix", "--from", "2020-01-01", "--to", "2020-12-31", "--format", "json"]
    statements = bench.capture_sql(argv, tmp_path / "trace.json", env)
    own = bench.report_queries(statements)
    assert own and all(sql.split()[0].upper() in ("SELECT", "WITH") for sql in own)
    assert not any("sqlite_master" in sql or "schema_migrations" in sql for sql in own)
    # a whole year's matrix reads the monthly and yearly roll-ups of the plan counts (m012), not the answers
    assert any("plan_rollups" in sql for sql in own)
    assert not any(re.search(r"\b(FROM|JOIN) answers\b", sql) for sql in own)
    conn = sqlite3.connect(county)
    expected = sum(len(conn.execute(sql).fetchall()) for sql in own)
    conn.close()
    script = tmp_path / "own.sql"
    script.write_text(bench.shell_script(own), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", bench.PY_SHELL, str(county), str(script)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shell = shutil.which("sqlite3")
    if shell:
        done = subprocess.run([shell, "-batch", "-bail", str(county), f".read {script}"], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == expected
    # the typer floor prints the same rows as JSON
    (tmp_path / "own.json").write_text(json.dumps(own), encoding="utf-8")
    done = subprocess.run([sys.executable, str(BENCH / "floor_report.py"), str(county), str(tmp_path / "own.json")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert sum(len(rows) for rows in json.loads(done.stdout)) == expected


def test_the_write_floor_replays_the_same_rows_in_one_transaction(tmp_path: Path, county: Path):
    bench = _bench()
    env = bench.bureau_env(tmp_path)
    answers = tmp_path / "answers.yaml"
    from nanxian_cli.config import bundled_checklists_dir

    bench.answers_file(answers, bundled_checklists_dir())
    subprocess.run([*NANXIAN, "--db", str(county), "inspector", "add", bench.ANSWERS_INSPECTOR], env=env, check=True,
                   capture_output=True)
    recorded = _copy(county, tmp_path / "recorded.db")
    writes = bench.written_rows(bench.capture_sql(
        ["--db", str(recorded), "inspect", "visit", "NX-001", "--answers", str(answers), "--format", "json"],
        tmp_path / "trace.json", env))
    assert any(sql.startswith("INSERT INTO answers") or "answers" in sql.split("(")[0] for sql in writes)
    replayed = _copy(county, tmp_path / "replayed.db")
    script = tmp_path / "writes.sql"
    script.write_text(bench.shell_script(writes, write=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", bench.PY_SHELL, str(replayed), str(script)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _rows(replayed) == _rows(recorded) != _rows(county)


def test_the_digest_runs_as_cron_runs_it(tmp_path: Path, county: Path):
    """No NANXIAN_CONFIG: the bureau's config.toml in the user config folder; NANXIAN_DB; a new output folder for
    every run, so the digest is really written (and its delivery recorded) each time."""
    bench = _bench()
    env = bench.bureau_env(tmp_path)
    assert not any(k.startswith("NANXIAN_") for k in env)
    config = Path(env["XDG_CONFIG_HOME"]) / "nanxian" / "config.toml"
    import tomllib

    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    assert {"inspector", "timezone", "lang", "documents"} <= set(settings)
    db = _copy(county, tmp_path / "cron.db")
    cron = dict(env, NANXIAN_DB=str(db))
    cmd = bench.Cmd([*NANXIAN, "report", "digest", "--week", "2020-W52", "--as-of", "2020-12-31", "--output",
                     "{dir}"], cron, fresh_dirs=tmp_path / "digests")
    got = bench.measure_group({"figure": cmd}, 2)
    assert len(got["figure"].seconds) == 2
    folders = sorted((tmp_path / "digests").iterdir())
    assert len(folders) == 3  # warm-up and two timed runs, each its own folder
    for folder in folders:
        assert [p.name for p in folder.iterdir()] == ["digest-2020-W52.txt"]
    assert _rows(db)["digest_deliveries"] == 3


def test_the_piped_entry_is_timed_from_each_answer_line_to_its_commit(tmp_path: Path, county: Path):
    bench = _bench()
    env = bench.bureau_env(tmp_path)
    subprocess.run([*NANXIAN, "--db", str(county), "inspector", "add", bench.ANSWERS_INSPECTOR], env=env, check=True,
                   capture_output=True)
    db = _copy(county, tmp_path / "entry.db")
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.checklist_folder import find_checklist

    loaded = find_checklist(bundled_checklists_dir(), bench.VISIT_CHECKLIST, bench.VISIT_DATE)
    latencies, answered = bench.entry_session(
        ["--db", str(db), "inspect", "visit", "NX-002", "--checklist", bench.VISIT_CHECKLIST, "--date",
         bench.VISIT_DATE.isoformat()], env, bench._answer_lines(loaded.checklist), tmp_path)
    assert answered >= 20 and len(latencies) == answered
    assert all(0 < t < 5 for t in latencies)
    conn = sqlite3.connect(db)
    status, given = conn.execute(
        "SELECT status, n_pass + n_fail + n_info FROM visits WHERE school_code = 'NX-002' AND date = ?",
        (bench.VISIT_DATE.isoformat(),)).fetchone()
    conn.close()
    assert (status, given) == ("submitted", answered)


def _table_inputs() -> tuple[dict, dict]:
    """A build and a bulk-write rate for render(): the rows under test are the timed figures."""
    built = {"visits": 1, "answers": 1, "findings": 0, "seconds": 1.0, "cpu_seconds": 1.0, "load": [0.1, 0.1]}
    rate = dict.fromkeys(("write_rate", "write_cpu_rate", "prepare_rate", "prepare_cpu_rate", "end_to_end_rate"),
                         1.0) | {"answers": 1, "visits": 1}
    return built, rate


def test_a_loaded_machine_makes_the_table_say_unreliable():
    bench = _bench()
    size = bench.SIZES["quick"]
    built, rate = _table_inputs()
    row = bench.Row("help", "`nanxian --help`", bench.Sample([0.2]), {"typer": bench.Sample([0.1])},
                    target_ratio=1.2, load=(0.2, 1.8))
    loaded = bench.render(size, [row], built, rate, 1, (0.2, 1.8), True)
    assert "**over 1.5: these figures are unreliable**" in loaded
    assert "2.00x" in loaded and "**no**" in loaded
    quiet = bench.render(size, [row], built, rate, 1, (0.2, 0.9), False)
    assert "unreliable" not in quiet
    assert "No `sqlite3` shell on this machine" in quiet


def test_the_province_is_extrapolated_from_the_sizes_measured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bench = _bench()
    monkeypatch.setattr(bench, "OUT", tmp_path)
    assert "no results" in bench.province_table()
    for name, answers, seconds in (("quick", 100_000, 0.2), ("county", 5_000_000, 0.4), ("city", 50_000_000, 2.2)):
        (tmp_path / f"results-{name}.json").write_text(json.dumps({
            "size": name, "answers": answers, "visits": answers // 36, "date": "2026-12-01",
            "rows": {"matrix-all": {"figure": "`report matrix`, all years", "median": seconds},
                     "help": {"figure": "`nanxian --help`", "median": 0.3}}}), encoding="utf-8")
    table = bench.province_table()
    # the line through county (5M answers, 0.4 s) and city (50M, 2.2 s) at 500M answers; quick is shown, not fitted
    assert f"**{0.4 + (2.2 - 0.4) / 45 * (500 - 5):.1f} s**" in table
    assert "500M answers" in table and "0.20 s" in table
    assert "`nanxian --help`" not in table  # start-up does not grow with the history


def test_start_up_ratios_are_also_given_as_instruction_counts():
    bench = _bench()
    size = bench.SIZES["county"]
    built, rate = _table_inputs()
    counted = bench.Row("help", "`nanxian --help`", bench.Sample([0.2]), {"typer": bench.Sample([0.1])},
                        target_ratio=1.2, instructions=(726_000_000, 620_000_000))
    over = bench.Row("digest", "`report digest`", bench.Sample([0.2]), {"typer": bench.Sample([0.1])},
                     target_ratio=1.3, instructions=(500_000_000, 380_000_000))
    table = bench.render(size, [counted, over], built, rate, 1, (0.2, 0.2), True)
    assert "| `nanxian --help` | 726.0 M | 620.0 M | 1.17x | ≤ 1.2x | yes |" in table
    assert "| `report digest` | 500.0 M | 380.0 M | 1.32x | ≤ 1.3x | **no** |" in table
    plain = bench.render(size, [bench.Row("help", "`nanxian --help`", bench.Sample([0.2]),
                                          {"typer": bench.Sample([0.1])}, target_ratio=1.2)], built, rate, 1,
                         (0.2, 0.2), True)
    assert "Instruction counts" not in plain


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instructions_are_counted_by_callgrind_the_same_twice():
    bench = _bench()
    cmd = bench.Cmd([sys.executable, "-I", "-S", "-c", "pass"])
    first, second = bench.count_instructions(cmd, 1), bench.count_instructions(cmd, 2)
    assert first is not None and first > 1_000_000
    assert abs(first - second) < first * 0.01
    assert bench.count_instructions(bench.Cmd([sys.executable, "-c", "raise SystemExit(3)"]), 3) is None
