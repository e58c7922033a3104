"""Reports at city scale: `report summary|matrix|item|school|digest --format json`, whole processes, for one school
year, one calendar year and all of the database's history, against their targets (≤ 0.5 s for a year, ≤ 1.5 s
for all history) and, optionally, against a baseline (another source tree on its own copy of the database) run
interleaved with them (A B A B …).

    python benchmarks/reports_city.py DB [--baseline-src SRC --baseline-db DB2] [--runs 7]

DB is a database built by benchmarks/run.py's `build()` (e.g. 3000 schools x 10 years). The baseline's database
must be a copy of DB made before the current code migrated it (a newer schema is refused by older code). Prints
the median wall time with its fastest and slowest run and the median CPU time (user + system) of each figure, and
the load average before and after: on a shared machine compare CPU times, and wall times only within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

YEAR_TARGET, HISTORY_TARGET = 0.5, 1.5


def periods(db: Path) -> dict[str, tuple[str, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        first, last = conn.execute("SELECT min(date), max(date) FROM visits WHERE status = 'submitted'").fetchone()
    finally:
        conn.close()
    end = dt.date.fromisoformat(last)
    school_year = end.year if end.month >= 9 else end.year - 1
    return {"school year": (f"{school_year - 1}-09-01", f"{school_year}-08-31"),
            "calendar year": (f"{end.year}-01-01", f"{end.year}-12-31"),
            "all history": (first, last)}


def busiest_school(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT school_code FROM visits GROUP BY school_code ORDER BY count(*) DESC, school_code "
                            "LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def figures(db: Path) -> list[tuple[str, str, list[str]]]:
    """(name, period name, arguments after `--db DB`)."""
    school = busiest_school(db)
    out = []
    for name, (start, end) in periods(db).items():
        span = ["--from", start, "--to", end, "--format", "json"]
        out += [(f"report summary, {name}", name, ["report", "summary", *span]),
                (f"report matrix, {name}", name, ["report", "matrix", *span]),
                (f"report item 21, {name}", name, ["report", "item", "21", *span]),
                (f"report school {school}, {name}", name, ["report", "school", school, *span])]
    last = dt.date.fromisoformat(periods(db)["all history"][1])
    week = last.isocalendar()
    out.append(("report digest, the last week", "school year",
                ["report", "digest", "--week", f"{week[0]}-W{week[1]:02d}", "--as-of", last.isoformat(),
                 "--format", "json"]))
    return out


def run_once(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one whole child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode('utf-8', 'replace')}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def text(samples: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in samples]
    cpu = statistics.median(c for _, c in samples)
    return (f"{statistics.median(walls) * 1000:.0f} ms ({min(walls) * 1000:.0f}–{max(walls) * 1000:.0f}), "
            f"CPU {cpu * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--baseline-src", type=Path, help="a source tree (its src/ folder) to compare with")
    parser.add_argument("--baseline-db", type=Path, help="the baseline's copy of the database")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="run only the figures whose name contains this")
    args = parser.parse_args()
    if (args.baseline_src is None) != (args.baseline_db is None):
        parser.error("--baseline-src and --baseline-db go together")

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text("", encoding="utf-8")
        env = dict(os.environ, NANXIAN_LANG="en", NO_COLOR="1", NANXIAN_CONFIG=str(config))
        env.pop("PYTHONPATH", None)
        base_env = dict(env, PYTHONPATH=str(args.baseline_src)) if args.baseline_src else None
        python = [sys.executable, "-m", "nanxian_cli"]
        subprocess.run([*python, "--db", str(args.db), "school", "list", "--format", "json"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # any pending migration now, not in a timed run
        print(f"load average {os.getloadavg()[0]:.1f} at the start; {args.runs} runs each after a warm-up, "
              "median wall (fastest–slowest), median CPU", flush=True)
        for name, period, tail in figures(args.db):
            if args.only not in name:
                continue
            mine: list[tuple[float, float]] = []
            base: list[tuple[float, float]] = []
            for i in range(args.runs + 1):
                sample = run_once([*python, "--db", str(args.db), *tail], env)
                if i:
                    mine.append(sample)
                if base_env is not None:
                    sample = run_once([*python, "--db", str(args.baseline_db), *tail], base_env)
                    if i:
                        base.append(sample)
            target = HISTORY_TARGET if period == "all history" else YEAR_TARGET
            wall = statistics.median(w for w, _ in mine)
            line = f"{name}: {text(mine)}; target ≤ {target} s: {'met' if wall <= target else 'NOT met'}"
            if base:
                line += f"; baseline {text(base)}; {statistics.median(w for w, _ in base) / wall:.1f}x faster"
            print(line, flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)


if __name__ == "__main__":
    main()
