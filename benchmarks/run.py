"""County-decade benchmark: build 60,000 visits through the bulk path, then time whole `nanxian`
processes against their floors in the same run.

    python benchmarks/run.py            # full run (300 schools, 10 years, 20 visits/school/year), updates README.md
    python benchmarks/run.py --quick    # small database, 3 runs each, prints the table only
    python benchmarks/run.py --reuse    # keep benchmarks/out/decade.db if it was built with the same size

Standard library plus the installed nanxian only. Every figure is the median wall time of whole
processes (start-up included), each with its floor measured in the same run; peak memory is the
child's maximum resident set size (wait4). The first run of each command is a warm-up.
"""

from __future__ import annotations

import argparse
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

MINIMAL_TYPER = '''\
import typer

app = typer.Typer()
schools = typer.Typer()
visits = typer.Typer()
reports = typer.Typer()


@schools.command()
def show(name: str) -> None:
    """Show one school."""


@visits.command()
def record(school: str, checklist: str = "routine-monthly") -> None:
    """Record a visit."""


@reports.command()
def summary(date_from: str = "", date_to: str = "") -> None:
    """A summary."""


app.add_typer(schools, name="school", help="Schools")
app.add_typer(visits, name="visit", help="Visits")
app.add_typer(reports, name="report", help="Reports")
app()
'''

# -- the straightforward SQL over answers (latest revision per visit and point) -----------------------

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


def shell_digest(monday: str, sunday: str, since: str) -> str:
    """The digest's numbers for one week, from answers: visits, rates, findings, weakest, unvisited."""
    week = f"v.status = 'submitted' AND v.date BETWEEN '{monday}' AND '{sunday}'"
    return f"""
SELECT count(DISTINCT v.id), count(DISTINCT v.school_code), sum(a.outcome = 'pass'), sum(a.outcome = 'fail')
FROM visits v JOIN answers a ON a.visit_seq = v.seq WHERE {week} AND {LATEST};
SELECT v.inspector, count(DISTINCT v.id), sum(a.outcome = 'pass'), sum(a.outcome = 'fail')
FROM visits v JOIN answers a ON a.visit_seq = v.seq WHERE {week} AND {LATEST} GROUP BY v.inspector;
SELECT v.checklist_id, count(DISTINCT v.id), sum(a.outcome = 'pass'), sum(a.outcome = 'fail')
FROM visits v JOIN answers a ON a.visit_seq = v.seq WHERE {week} AND {LATEST} GROUP BY v.checklist_id;
SELECT severity, count(*) FROM findings WHERE opened BETWEEN '{monday}' AND '{sunday}' GROUP BY severity;
SELECT severity, count(*) FROM findings WHERE status = 'resolved' AND resolved_on BETWEEN '{monday}' AND '{sunday}'
GROUP BY severity;
SELECT f.id, f.school_code, f.item_id, f.due FROM findings f WHERE f.status = 'open' AND f.due < '{sunday}' ORDER BY f.due;
SELECT v.school_code, sum(a.outcome = 'pass'), sum(a.outcome = 'fail'),
       1.0 * sum(a.outcome = 'pass') / nullif(sum(a.outcome IN ('pass', 'fail')), 0) AS r
FROM visits v JOIN answers a ON a.visit_seq = v.seq WHERE {week} AND {LATEST}
GROUP BY v.school_code HAVING r IS NOT NULL ORDER BY r LIMIT 5;
SELECT p.plan_item, sum(a.outcome = 'pass'), sum(a.outcome = 'fail'),
       1.0 * sum(a.outcome = 'pass') / nullif(sum(a.outcome IN ('pass', 'fail')), 0) AS r
FROM visits v JOIN answers a ON a.visit_seq = v.seq
JOIN checklist_item_plan p ON p.hash = v.checklist_hash AND p.item_id = a.item_id
WHERE {week} AND {LATEST} GROUP BY p.plan_item HAVING r IS NOT NULL ORDER BY r LIMIT 5;
SELECT s.code FROM schools s WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.school_code = s.code
  AND v.status = 'submitted' AND v.date BETWEEN '{since}' AND '{sunday}');
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


def measure(argv: list[str], runs: int, *, before=None, stdin_path: Path | None = None, env: dict | None = None) -> Sample:
    sample = Sample()
    for i in range(runs + 1):
        if before is not None:
            before()
        seconds, rss = run_once(argv, stdin_path=stdin_path, env=env)
        if i == 0:
            continue  # warm-up
        sample.seconds.append(seconds)
        sample.max_rss_kib = max(sample.max_rss_kib, rss)
    return sample


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
    from nanxian_cli.services import demo
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.store import open_store

    demo.prepare_target(path, None)
    opts = demo.DemoOptions(schools=schools, years=years, visits_per_year=per_year, seed=2020, end=demo.DEFAULT_END)
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

    from nanxian_cli.services import demo
    from nanxian_cli.services.bulk import import_visits
    from nanxian_cli.files.checklists import load_all
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.store import open_store
    from nanxian_cli.store.schools import import_schools

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bulk.db")
        per_year = 20
        schools = max(1, visits_wanted // per_year)
        roster = demo.build_roster(schools, read_roster(demo.sample_roster_path()))
        import_schools(store, roster, {})
        dicts = [{"code": r.code, "name": r.name, "town": r.town, "stages": list(r.stages), "boarding": r.boarding,
                  "canteen": r.canteen, "school_bus": r.school_bus, "inspector": "督学"} for r in roster]
        available = {l.checklist.id: l for l in load_all(bundled_checklists_dir())}
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


def answers_file(path: Path, checklists: Path) -> None:
    """A complete routine-monthly visit to NX-001 (every point answered, a few failing)."""
    from nanxian_cli.services import demo
    from nanxian_cli.files.checklists import find_checklist

    loaded = find_checklist(checklists, "routine-monthly")
    lines = ["school: NX-001", "checklist: routine-monthly", "date: 2020-12-30", "inspector: 基准测试", "answers:"]
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
    sqlite3_shell = shutil.which("sqlite3")
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
    _compile_package()
    print("measuring the bulk write rate …", flush=True)
    rate = bulk_write_rate(2000 if args.quick else 10000)
    print(f"  write {rate['write_rate']:,.0f} answers/s; prepare {rate['prepare_rate']:,.0f}/s; "
          f"end to end {rate['end_to_end_rate']:,.0f}/s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mini = tmp / "minimal_typer.py"
        mini.write_text(MINIMAL_TYPER, encoding="utf-8")
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

        rows: list[Row] = []
        print(f"timing ({runs} runs each after a warm-up) …", flush=True)
        floor_help = measure([python, str(mini), "--help"], runs, env=env)
        # the same app running one command: Typer's start-up without Rich's help screen
        floor_command = measure([python, str(mini), "school", "show", "NX-001"], runs, env=env)
        rows.append(Row("`nanxian --help`", measure([nanxian, "--help"], runs, env=env),
                        "minimal Typer app `--help`", floor_help, 1.2))
        rows.append(Row("`nanxian checklist list` (validates every checklist file)",
                        measure([nanxian, "checklist", "list"], runs, env=env),
                        "minimal Typer app `--help`", floor_help, None))
        record = measure([nanxian, "--db", str(scratch), "inspect", "visit", "NX-001", "--answers", str(ans),
                          "--format", "json"], runs, before=fresh_copy, env=env)
        rows.append(Row("`inspect visit --answers FILE` (decade db)", record, "minimal Typer app `--help`",
                        floor_help, 2.0))
        last_year = ("2020-01-01", "2020-12-31")
        all_years = (f"{2021 - years}-01-01", "2020-12-31")
        report = [nanxian, "--db", str(db), "report"]
        shell_rows = []
        if sqlite3_shell is None:
            print("  sqlite3 shell not found (apt-get install -y sqlite3): report floors are missing", flush=True)
        for label, argv, sql, target in (
            ("`report summary`, one year", report + ["summary", "--from", last_year[0], "--to", last_year[1], "--format", "json"],
             shell_summary(*last_year), 1.5),
            (f"`report summary`, {years} years", report + ["summary", "--from", all_years[0], "--to", all_years[1], "--format", "json"],
             shell_summary(*all_years), 0.5),
            ("`report matrix`, one year", report + ["matrix", "--from", last_year[0], "--to", last_year[1], "--format", "json"],
             shell_matrix(*last_year), 1.5),
            ("`report digest`, one week", report + ["digest", "--week", "2020-W52", "--as-of", "2020-12-31", "--format", "json"],
             shell_digest("2020-12-21", "2020-12-27", "2020-11-28"), 2.0),
        ):
            value = measure(argv, runs, env=env)
            if sqlite3_shell is None:
                shell_rows.append((label, value))
                continue
            sql_file = tmp / f"q{len(rows)}.sql"
            sql_file.write_text(sql, encoding="utf-8")
            floor = measure([sqlite3_shell, "-readonly", str(db)], runs, stdin_path=sql_file, env=env)
            rows.append(Row(label, value, "`sqlite3` shell, straightforward SQL over answers", floor, target))
            if "digest" in label:
                rows.append(Row(label + " (against start-up alone)", value,
                                "minimal Typer app running one command", floor_command, None))

    table = render(rows, built, rate, runs, sqlite3_shell is not None)
    print()
    print(table)
    if not args.quick:
        update_readme(table)
        print(f"\n(written to {README.relative_to(HERE.parent)})")


def render(rows: list[Row], built: dict, rate: dict, runs: int, have_shell: bool) -> str:
    import platform

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}; medians of {runs} whole-process runs after a warm-up; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
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
            f"| {r.figure} | {r.value.median * 1000:.0f} ms | {r.floor.median * 1000:.0f} ms | {r.floor_name} | "
            f"{r.ratio:.2f}x | {'—' if r.target is None else f'≤ {r.target:g}x'} | "
            f"{r.value.mb:.0f} MB (floor {r.floor.mb:.0f} MB) | "
            f"{('yes' if r.met else '**no**') if r.target is not None else ('memory ok' if r.met else '**memory**')} |")
    if not have_shell:
        lines.append("")
        lines.append("The `sqlite3` shell was not found, so the report figures have no floor (install it: "
                     "`apt-get install -y sqlite3`).")
    lines.append("")
    lines.append(
        f"Bulk path detail: preparing (generating and judging) {rate['prepare_rate']:,.0f} answers/s "
        f"({rate['prepare_cpu_rate']:,.0f} per CPU-second), writing "
        f"{rate['write_rate']:,.0f} answers/s, together {rate['end_to_end_rate']:,.0f} answers/s "
        f"({rate['answers']:,} answers, {rate['visits']:,} visits into a fresh database).")
    return "\n".join(lines)


def update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in text:
        text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    head, rest = text.split(MARK_BEGIN, 1)
    _, tail = rest.split(MARK_END, 1)
    README.write_text(f"{head}{MARK_BEGIN}\n{table}\n{MARK_END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
