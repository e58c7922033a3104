"""County-decade benchmark: build 60,000 visits through the bulk path, then time whole `nanxian`
processes against their floors in the same run.

    python benchmarks/run.py            # full run (300 schools, 10 years, 20 visits/school/year), updates README.md
    python benchmarks/run.py --quick    # small database, 3 runs each, prints the table only
    python benchmarks/run.py --reuse    # keep benchmarks/out/decade.db if it was built with the same size

Standard library plus the installed nanxian only. Every figure is timed in whole processes (start-up
included), interleaved with its floor (A B A B ...) so both see the same machine load; the table gives
medians with min and max. The floors are the small Typer apps beside this file. Peak memory is the
child's maximum resident set size (wait4). The first run of each command is a warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
README = HERE / "README.md"
MARK_BEGIN = "<!-- results:begin -->"
MARK_END = "<!-- results:end -->"

FLOOR_TYPER = HERE / "floor_typer.py"  # three sub-apps: `--help`, or one command that does nothing
FLOOR_SUMMARY = HERE / "floor_summary.py"  # the same SQL as `report summary`, through sqlite3, printed as JSON
FLOOR_RECORD = HERE / "floor_record.py"  # the answers file validated with pydantic, the same rows inserted

# Runs `nanxian ARGS...` (the console script's function) and writes every SQL statement it ran, with its
# values, to OUT as a JSON list: the floors run the same SQL.
CAPTURE = """\
import atexit, json, sqlite3, sys

out = sys.argv[1]
sys.argv = ["nanxian"] + sys.argv[2:]
statements = []
connect = sqlite3.connect


def traced(*args, **kwargs):
    conn = connect(*args, **kwargs)
    conn.set_trace_callback(statements.append)
    return conn


sqlite3.connect = traced
atexit.register(lambda: open(out, "w", encoding="utf-8").write(json.dumps(statements)))
from nanxian_cli.cli import main

main()
"""

# -- the straightforward SQL over answers (latest revision per visit and point) -----------------------
# tests/test_counts.py checks that the reports' numbers equal these recounts.

LATEST = ("a.revision = (SELECT max(b.revision) FROM answers b "
          "WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id)")


def shell_summary(start: str, end: str) -> str:
    """Per school: visits, pass, fail, na and rate from answers; open and overdue findings at the end."""
    return f"""
SELECT v.school_code, count(DISTINCT v.id), sum(a.outcome = 'pass'), sum(a.outcome = 'fail'), sum(a.outcome = 'na'),
       round(1.0 * sum(a.outcome = 'pass') / nullif(sum(a.outcome IN ('pass', 'fail')), 0), 4)
FROM visits v JOIN answers a ON a.visit_seq = v.seq
WHERE v.status = 'submitted' AND v.date BETWEEN '{start}' AND '{end}' AND {LATEST}
GROUP BY v.school_code;
SELECT count(DISTINCT v.id), count(DISTINCT v.school_code), sum(a.outcome = 'pass'), sum(a.outcome = 'fail'),
       sum(a.outcome = 'na')
FROM visits v JOIN answers a ON a.visit_seq = v.seq
WHERE v.status = 'submitted' AND v.date BETWEEN '{start}' AND '{end}' AND {LATEST};
SELECT f.school_code, count(*), sum(f.due < '{end}') FROM findings f
WHERE f.opened <= '{end}' AND (f.status = 'open' OR (f.status = 'resolved' AND f.resolved_on > '{end}'))
GROUP BY f.school_code;
"""


def shell_matrix(start: str, end: str) -> str:
    """Per school and plan item: pass, fail and rate from answers joined to checklist_item_plan."""
    return f"""
SELECT v.school_code, p.plan_item, sum(a.outcome = 'pass'), sum(a.outcome = 'fail'),
       round(1.0 * sum(a.outcome = 'pass') / nullif(sum(a.outcome IN ('pass', 'fail')), 0), 4)
FROM visits v JOIN answers a ON a.visit_seq = v.seq
JOIN checklist_item_plan p ON p.hash = v.checklist_hash AND p.item_id = a.item_id
WHERE v.status = 'submitted' AND v.date BETWEEN '{start}' AND '{end}' AND {LATEST}
GROUP BY v.school_code, p.plan_item;
"""


# -- measuring ------------------------------------------------------------------------------------

@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    max_rss_kib: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def mb(self) -> float:
        return self.max_rss_kib / 1024

    def text(self) -> str:
        """`125 ms (118–140)`: the median, then the fastest and the slowest run."""
        return f"{self.median * 1000:.0f} ms ({min(self.seconds) * 1000:.0f}–{max(self.seconds) * 1000:.0f})"


# Each command runs under this small wrapper, which forks, execs and reports the child's wall time and
# peak RSS from wait4. (Linux carries a process's RSS high-water mark across exec, so measuring straight
# from this big benchmark process would report its own size for every child.)
WRAPPER = """\
import json, os, sys, time
stdin, argv = sys.argv[1], sys.argv[2:]
began = time.perf_counter()
pid = os.fork()
if pid == 0:
    if stdin != "-":
        os.dup2(os.open(stdin, os.O_RDONLY), 0)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - began
print(json.dumps({"seconds": elapsed, "rss": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}))
"""
_wrapper_path: Path | None = None


def run_once(argv: list[str], *, stdin_path: Path | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one whole child process; fails loudly on a non-zero exit."""
    global _wrapper_path
    if _wrapper_path is None:
        fd, name = tempfile.mkstemp(prefix="nanxian-bench-", suffix=".py")
        os.write(fd, WRAPPER.encode())
        os.close(fd)
        _wrapper_path = Path(name)
    proc = subprocess.run([sys.executable, "-I", "-S", str(_wrapper_path), str(stdin_path or "-"), *map(str, argv)],
                          capture_output=True, env=env)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = {"rc": proc.returncode}
    if proc.returncode != 0 or result.get("rc") != 0:
        raise SystemExit(f"command failed ({result.get('rc')}): {' '.join(map(str, argv))}\n"
                         f"{proc.stderr.decode('utf-8', 'replace')}")
    return result["seconds"], result["rss"]


def measure_pair(figure: list[str], floor: list[str], runs: int, *, before=None, env: dict | None = None
                 ) -> tuple[Sample, Sample]:
    """The figure and its floor, interleaved (A B A B ...) so both see the same load; one warm-up run each.
    `before` (not timed) runs before every run of either."""
    samples = (Sample(), Sample())
    for i in range(runs + 1):
        for argv, sample in zip((figure, floor), samples, strict=True):
            if before is not None:
                before()
            seconds, rss = run_once(argv, env=env)
            if i == 0:
                continue  # warm-up
            sample.seconds.append(seconds)
            sample.max_rss_kib = max(sample.max_rss_kib, rss)
    return samples


def capture_sql(argv: list[str], out: Path, env: dict) -> list[str]:
    """The SQL statements `nanxian ARGV` runs (untimed): what the floors run."""
    done = subprocess.run([sys.executable, "-c", CAPTURE, str(out), *map(str, argv)], capture_output=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"command failed ({done.returncode}): nanxian {' '.join(map(str, argv))}\n"
                         f"{done.stderr.decode('utf-8', 'replace')}")
    return json.loads(out.read_text(encoding="utf-8"))


def _first_word(sql: str) -> str:
    return sql.split(None, 1)[0].upper() if sql.strip() else ""


def report_queries(statements: list[str]) -> list[str]:
    """The report's own queries: the SELECTs after the store's opening checks (schema version, migrations)."""
    return [sql for sql in statements if _first_word(sql) == "SELECT"
            and "sqlite_master" not in sql and "schema_migrations" not in sql]


def written_rows(statements: list[str]) -> list[str]:
    """The statements that write rows (the visit, its answers, counts and findings). A statement that fires a
    trigger is traced again for the trigger (with the statement's own text): it is kept once, and the trigger
    runs in the floor too."""
    writes: list[str] = []
    for sql in statements:
        if _first_word(sql) in ("INSERT", "UPDATE", "DELETE", "REPLACE") and (not writes or writes[-1] != sql):
            writes.append(sql)
    return writes


@dataclass
class Row:
    figure: str
    value: Sample
    floor_name: str
    floor: Sample
    target: float | None  # None: shown for information, no target
    memory_target_mb: float | None = 150.0

    @property
    def ratio(self) -> float:
        return self.value.median / self.floor.median

    @property
    def met(self) -> bool:
        ok = self.target is None or self.ratio <= self.target
        if self.memory_target_mb is not None:
            ok = ok and self.value.mb <= self.memory_target_mb
        return ok


# -- building the database ------------------------------------------------------------------------

def build(path: Path, schools: int, years: int, per_year: int, checklists: Path | None) -> dict:
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.services import demo
    from nanxian_cli.services import demo_county as county
    from nanxian_cli.store import open_store

    demo.prepare_target(path, None)
    opts = county.DemoOptions(schools=schools, years=years, visits_per_year=per_year, seed=2020, end=county.DEFAULT_END)
    import resource

    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    with open_store(path) as store:
        result = demo.build_demo(store, checklists or bundled_checklists_dir(), opts)
    seconds = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"schools": result.schools, "visits": result.visits, "answers": result.answers,
            "findings": result.findings_opened, "seconds": seconds, "import_seconds": result.import_seconds,
            "cpu_seconds": cpu, "load": [load_before, os.getloadavg()[0]], "size": (schools, years, per_year)}


def bulk_write_rate(visits_wanted: int) -> dict:
    """Answers per second of the bulk write alone: prepared visits (made beforehand) into a fresh database."""
    import random

    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.checklists import load_all
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.services import demo_county as demo
    from nanxian_cli.services.bulk import import_visits
    from nanxian_cli.services.people import import_schools
    from nanxian_cli.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bulk.db")
        per_year = 20
        schools = max(1, visits_wanted // per_year)
        roster = demo.build_roster(schools, read_roster(demo.sample_roster_path()))
        import_schools(store, roster)
        dicts = [{"code": r.code, "name": r.name, "town": r.town, "stages": list(r.stages), "boarding": r.boarding,
                  "canteen": r.canteen, "school_bus": r.school_bus, "inspector": "督学"} for r in roster]
        available = {loaded.checklist.id: loaded for loaded in load_all(bundled_checklists_dir())}
        opts = demo.DemoOptions(schools=schools, years=1, visits_per_year=per_year, seed=1)
        began = time.perf_counter()
        cpu0 = time.process_time()
        visits = list(demo.synth_visits(dicts, available, opts, random.Random(1)))
        prepare_seconds, prepare_cpu = time.perf_counter() - began, time.process_time() - cpu0
        cpu0 = time.process_time()
        stats = import_visits(store, visits)
        write_cpu = time.process_time() - cpu0
        store.close()
    answers = stats.answers
    return {"visits": stats.visits, "answers": answers, "write_seconds": stats.seconds,
            "write_rate": answers / stats.seconds, "write_cpu_rate": answers / write_cpu,
            "prepare_seconds": prepare_seconds, "prepare_rate": answers / prepare_seconds,
            "prepare_cpu_rate": answers / prepare_cpu,
            "end_to_end_rate": answers / (stats.seconds + prepare_seconds)}


ANSWERS_INSPECTOR = "基准测试"  # registered in the benchmark database before timing


def answers_file(path: Path, checklists: Path) -> None:
    """A complete routine-monthly visit to NX-001 (every point answered, a few failing)."""
    from nanxian_cli.files.checklists import find_checklist
    from nanxian_cli.services import demo_county as demo

    loaded = find_checklist(checklists, "routine-monthly", dt.date(2020, 12, 30))  # the version of the visit date
    lines = ["school: NX-001", "checklist: routine-monthly", "date: 2020-12-30", f"inspector: {ANSWERS_INSPECTOR}",
             "answers:"]
    for n, point in enumerate(demo.plan_points(loaded.checklist)):
        raw = point.fail_raw if (n % 9 == 4 and point.fail_raw is not None) else point.pass_raw
        lines.append(f"  {point.item_id}: {json.dumps(raw, ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the run --------------------------------------------------------------------------------------

def _compile_package() -> None:
    """Write the package's bytecode now, as installing the wheel does. Without it, a source tree edited
    since its last run (or any run under PYTHONDONTWRITEBYTECODE) compiles every module again in every
    timed process, which is not what an installed `nanxian` does."""
    import compileall

    import nanxian_cli

    compileall.compile_dir(str(Path(nanxian_cli.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small database and 3 runs; README.md is not touched")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (default 7, quick 3)")
    parser.add_argument("--reuse", action="store_true", help="reuse benchmarks/out/decade.db if it has the same size")
    args = parser.parse_args()

    schools, years, per_year = (60, 2, 20) if args.quick else (300, 10, 20)
    runs = args.runs or (3 if args.quick else 7)
    OUT.mkdir(exist_ok=True)
    db = OUT / ("quick.db" if args.quick else "decade.db")
    meta_file = db.with_suffix(".json")
    python = sys.executable
    nanxian = shutil.which("nanxian", path=str(Path(python).parent)) or "nanxian"
    checklists = None

    env = dict(os.environ, NANXIAN_LANG="en", NO_COLOR="1", NANXIAN_CONFIG=str(OUT / "no-config.toml"))
    (OUT / "no-config.toml").write_text("", encoding="utf-8")
    env.pop("NANXIAN_CHECKLISTS", None)

    built = None
    if args.reuse and db.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if tuple(meta["size"]) == (schools, years, per_year):
            built = meta
            built["reused"] = True
    if built is None:
        print(f"building {schools} schools x {years} years x {per_year} visits through the bulk path …", flush=True)
        built = build(db, schools, years, per_year, checklists)
        meta_file.write_text(json.dumps(built))
    print(f"  {built['visits']} visits, {built['answers']} answers, {built['findings']} findings "
          f"in {built['seconds']:.1f} s{' (reused)' if built.get('reused') else ''}", flush=True)
    from nanxian_cli.store import open_store

    open_store(db).close()  # apply any pending migration now, not inside the timed runs
    # the answers file's supervisor (names must be registered); adding an existing name changes nothing
    subprocess.run([nanxian, "--db", str(db), "inspector", "add", ANSWERS_INSPECTOR], check=True, env=env,
                   capture_output=True)
    _compile_package()
    print("measuring the bulk write rate …", flush=True)
    rate = bulk_write_rate(2000 if args.quick else 10000)
    print(f"  write {rate['write_rate']:,.0f} answers/s; prepare {rate['prepare_rate']:,.0f}/s; "
          f"end to end {rate['end_to_end_rate']:,.0f}/s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ans = tmp / "answers.yaml"
        from nanxian_cli.config import bundled_checklists_dir

        answers_file(ans, bundled_checklists_dir())
        scratch = tmp / "scratch.db"

        def fresh_copy() -> None:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(scratch) + suffix)
                except FileNotFoundError:
                    pass
            shutil.copyfile(db, scratch)
            os.sync()  # the copy's write-back must not land inside the timed run

        def sql_file(name: str, statements: list[str]) -> Path:
            path = tmp / f"{name}.json"
            path.write_text(json.dumps(statements), encoding="utf-8")
            return path

        last_year = ("2020-01-01", "2020-12-31")
        all_years = (f"{2021 - years}-01-01", "2020-12-31")
        summary_args = {span: ["--db", str(db), "report", "summary", "--from", span[0], "--to", span[1],
                               "--format", "json"] for span in (last_year, all_years)}
        record_args = ["--db", str(scratch), "inspect", "visit", "NX-001", "--answers", str(ans), "--format", "json"]
        digest_args = ["--db", str(db), "report", "digest", "--week", "2020-W52", "--as-of", "2020-12-31",
                       "--format", "json"]

        # The floors' SQL: what nanxian runs for the same command, recorded once before timing.
        summary_sql = {span: sql_file(f"summary-{span[0]}", report_queries(capture_sql(argv, tmp / "trace.json", env)))
                       for span, argv in summary_args.items()}
        fresh_copy()
        record_sql = sql_file("record", written_rows(capture_sql(record_args, tmp / "trace.json", env)))

        rows: list[Row] = []
        print(f"timing ({runs} interleaved runs each after a warm-up) …", flush=True)
        floor_help = [python, str(FLOOR_TYPER), "--help"]
        # the same app running one command: Typer's start-up without Rich's help screen
        floor_command = [python, str(FLOOR_TYPER), "school", "show", "NX-001"]

        def pair(figure: str, argv: list[str], floor_name: str, floor: list[str], target: float | None,
                 before=None) -> None:
            value, floor_sample = measure_pair(argv, floor, runs, before=before, env=env)
            rows.append(Row(figure, value, floor_name, floor_sample, target))
            print(f"  {figure}: {value.text()} against {floor_sample.text()}", flush=True)

        pair("`nanxian --help`", [nanxian, "--help"], "minimal Typer app, three sub-apps, `--help`", floor_help, 1.2)
        pair("`nanxian checklist list` (validates every checklist file)", [nanxian, "checklist", "list"],
             "minimal Typer app, three sub-apps, `--help`", floor_help, None)
        pair("`inspect visit --answers FILE` (decade db)", [nanxian, *record_args],
             "minimal Typer app: the file validated with pydantic, the same rows inserted",
             [python, str(FLOOR_RECORD), str(scratch), str(ans), str(record_sql)], 1.5, before=fresh_copy)
        pair("`report summary`, one year", [nanxian, *summary_args[last_year]],
             "minimal Typer app: the same SQL through sqlite3, printed as JSON",
             [python, str(FLOOR_SUMMARY), str(db), str(summary_sql[last_year])], 1.3)
        pair(f"`report summary`, {years} years", [nanxian, *summary_args[all_years]],
             "minimal Typer app: the same SQL through sqlite3, printed as JSON",
             [python, str(FLOOR_SUMMARY), str(db), str(summary_sql[all_years])], None)
        pair("`report digest`, one week", [nanxian, *digest_args], "minimal Typer app running one command",
             floor_command, 1.3)

    table = render(rows, built, rate, runs)
    print()
    print(table)
    if not args.quick:
        update_readme(table)
        print(f"\n(written to {README.relative_to(HERE.parent)})")


def render(rows: list[Row], built: dict, rate: dict, runs: int) -> str:
    import platform

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, typer {_version('typer')}; {runs} whole-process runs of "
        f"each figure interleaved with its floor after a warm-up, median (min–max); load average "
        f"{os.getloadavg()[0]:.1f} at the end"
        + (f" ({built['load'][0]:.1f} when the build began)." if built.get("load") else "."),
        "",
        "| figure | measured | floor | floor is | ratio | target | peak memory | met? |",
        "|---|---:|---:|---|---:|---:|---:|:---:|",
    ]
    build_ok = built["seconds"] <= 60
    cpu = f", {built['cpu_seconds']:.0f} s CPU" if built.get("cpu_seconds") else ""
    lines.append(
        f"| build: {built['visits']:,} visits, {built['answers']:,} answers, {built['findings']:,} findings "
        f"(bulk path{cpu}) | {built['seconds']:.1f} s | 60 s | target | {built['seconds'] / 60:.2f}x | ≤ 1.0x | | "
        f"{'yes' if build_ok else '**no**'} |")
    write_ok = rate["write_rate"] >= 100_000
    lines.append(
        f"| bulk write of prepared visits | {rate['write_rate']:,.0f} answers/s "
        f"({rate['write_cpu_rate']:,.0f} per CPU-second) | 100,000 answers/s | target | "
        f"{rate['write_rate'] / 100_000:.2f}x | ≥ 1.0x | | {'yes' if write_ok else '**no**'} |")
    for r in rows:
        lines.append(
            f"| {r.figure} | {r.value.text()} | {r.floor.text()} | {r.floor_name} | "
            f"{r.ratio:.2f}x | {'—' if r.target is None else f'≤ {r.target:g}x'} | "
            f"{r.value.mb:.0f} MB (floor {r.floor.mb:.0f} MB) | "
            f"{('yes' if r.met else '**no**') if r.target is not None else ('memory ok' if r.met else '**memory**')} |")
    lines.append("")
    lines.append(
        f"Bulk path detail: preparing (generating and judging) {rate['prepare_rate']:,.0f} answers/s "
        f"({rate['prepare_cpu_rate']:,.0f} per CPU-second), writing "
        f"{rate['write_rate']:,.0f} answers/s, together {rate['end_to_end_rate']:,.0f} answers/s "
        f"({rate['answers']:,} answers, {rate['visits']:,} visits into a fresh database).")
    return "\n".join(lines)


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def update_readme(table: str, begin: str = MARK_BEGIN, end: str = MARK_END, heading: str = "") -> None:
    """Put `table` between the markers `begin` and `end` of README.md (a new section `heading` if they are not
    there yet); every benchmark script writes its results this way."""
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if begin not in text:
        text += f"\n{'## ' + heading + chr(10) + chr(10) if heading else ''}{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
