"""County and city benchmark: build years of visits through the bulk path, then time whole `nanxian` processes
against floors measured in the same run, interleaved.

    python benchmarks/run.py             # a county decade: 300 schools x 10 years x 47 visits (~5M answers)
    python benchmarks/run.py --city      # a city decade: 3000 schools x 10 years x 47 visits (~50M answers)
    python benchmarks/run.py --quick     # 60 schools x 2 years x 20 visits, 3 runs each; README.md is not touched
    python benchmarks/run.py --reuse     # keep benchmarks/out/<size>.db if it was built with the same size
    python benchmarks/run.py --province  # only the province extrapolation, from the last runs' results

Standard library plus the installed nanxian only (and the `sqlite3` command-line shell when there is one). Every
figure is a whole process (start-up included), timed interleaved with its floors (A B C A B C ...) so all see the
same machine load; the table gives medians with min and max. The floors of a report are its own SQL, recorded from
nanxian just before timing: run by the `sqlite3` shell (data access only) and by a minimal Typer app (start-up and
data access). Peak memory is the child's maximum resident set size (wait4). The first run of each is a warm-up.
Where valgrind is installed, each figure with a ratio target and its Typer floor are also counted in instructions
(callgrind, one run each): the ratio that repeats on a machine whose speed moves.
Commands run with a bureau's config file (XDG_CONFIG_HOME), not with NANXIAN_CONFIG pointing at an empty file.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
README = HERE / "README.md"
MARK_BEGIN = "<!-- results:begin -->"
MARK_END = "<!-- results:end -->"
MARKS = {"county": (MARK_BEGIN, MARK_END, "Results: a county decade"),
         "city": ("<!-- city:begin -->", "<!-- city:end -->", "Results: a city decade"),
         "province": ("<!-- province:begin -->", "<!-- province:end -->", "Past one machine: a province")}
UNRELIABLE_LOAD = 1.5


@dataclass(frozen=True)
class Size:
    name: str
    schools: int
    years: int
    per_year: int
    runs: int


# The county rate of DESIGN.md "Scale" is ~500k answers a year. The bundled checklists give ~35.6 answers a visit
# (a point that does not apply is recorded as `na`), so a county year at that rate is ~47 visits per school.
SIZES = {"quick": Size("quick", 60, 2, 20, 3), "county": Size("county", 300, 10, 47, 7),
         "city": Size("city", 3000, 10, 47, 5)}

FLOOR_TYPER = HERE / "floor_typer.py"  # three sub-apps: `--help`, or one command that does nothing
FLOOR_REPORT = HERE / "floor_report.py"  # a report's own SQL through sqlite3, printed (or written) as JSON
FLOOR_RECORD = HERE / "floor_record.py"  # the answers file validated with pydantic, the same rows inserted

# A bureau's settings, as README.md "Configuration" shows them: what every timed command reads at start-up.
BUREAU_CONFIG = """\
inspector = "基准测试"
timezone = "Asia/Shanghai"
lang = "zh"

[documents]
issuer = "南县人民政府教育督导室"
county = "南县"
notice_prefix = "南督整"
reply_to = "县教育督导室（南洲镇人民路1号）"
notice_first = 1
notice_last = 100
"""
ANSWERS_INSPECTOR = "基准测试"  # registered in the benchmark database before timing

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

# Runs `nanxian ARGS...` recording time.perf_counter() when each line read from stdin arrives and when each
# COMMIT has returned (the answer is on disk, in the WAL); both lists go to OUT as JSON. Nothing else changes:
# the connection is the stdlib's with one Python-level method in front of `execute`.
ENTRY_CAPTURE = """\
import atexit, json, sqlite3, sys, time

out = sys.argv[1]
sys.argv = ["nanxian"] + sys.argv[2:]
events = []
clock = time.perf_counter


class Timed(sqlite3.Connection):
    def execute(self, sql, *args):
        cursor = super().execute(sql, *args)
        if sql[:6].upper() == "COMMIT":
            events.append(("commit", clock()))
        return cursor


connect = sqlite3.connect


def timed(*args, **kwargs):
    kwargs.setdefault("factory", Timed)
    return connect(*args, **kwargs)


class Lines:
    def __init__(self, stream):
        self._stream = stream

    def readline(self, *args):
        line = self._stream.readline(*args)
        events.append(("line", clock()))
        return line

    def __getattr__(self, name):
        return getattr(self._stream, name)


sqlite3.connect = timed
sys.stdin = Lines(sys.stdin)
atexit.register(lambda: open(out, "w", encoding="utf-8").write(json.dumps(events)))
from nanxian_cli.cli import main

main()
"""

# Runs `nanxian ARGS...` under cProfile (imports included) and writes the statistics to OUT.
PROFILE = """\
import cProfile, sys

out = sys.argv[1]
sys.argv = ["nanxian"] + sys.argv[2:]
profiler = cProfile.Profile()
profiler.enable()
try:
    from nanxian_cli.cli import main

    main()
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(out)
"""

# Without the `sqlite3` shell: the same SQL through Python's sqlite3 module (start-up of a bare interpreter).
PY_SHELL = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
for sql in open(sys.argv[2], encoding="utf-8").read().split("\\n;\\n"):
    if sql.strip():
        for row in conn.execute(sql):
            pass
conn.close()
"""

# -- the straightforward SQL over answers (latest revision per visit and point) -----------------------
# tests/test_counts.py checks that the reports' numbers equal these recounts. The tool never runs them: in the
# table they are context ("what a full scan of the answers costs"), not a floor.

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
    cpu: list[float] = field(default_factory=list)
    """CPU seconds (user + system) of each run: under load, wall time also waits for a CPU; this does not."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def mb(self) -> float:
        return self.max_rss_kib / 1024

    def add(self, seconds: float, rss_kib: int = 0, cpu: float | None = None) -> None:
        self.seconds.append(seconds)
        self.max_rss_kib = max(self.max_rss_kib, rss_kib)
        if cpu is not None:
            self.cpu.append(cpu)

    def cpu_text(self) -> str:
        return f"CPU {statistics.median(self.cpu) * 1000:.0f} ms" if self.cpu else ""

    def text(self) -> str:
        """`125 ms (118–140)`: the median, then the fastest and the slowest run."""
        lo, hi = min(self.seconds), max(self.seconds)
        if self.median >= 10:
            return f"{self.median:.1f} s ({lo:.1f}–{hi:.1f})"
        return f"{self.median * 1000:.0f} ms ({lo * 1000:.0f}–{hi * 1000:.0f})"


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
print(json.dumps({"seconds": elapsed, "rss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
                  "rc": os.waitstatus_to_exitcode(status)}))
"""
_wrapper_path: Path | None = None


def run_once(argv: list[str], *, stdin_path: Path | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one whole child process; fails loudly on a non-zero exit."""
    seconds, rss, _ = run_measured(argv, stdin_path=stdin_path, env=env)
    return seconds, rss


def run_measured(argv: list[str], *, stdin_path: Path | None = None, env: dict | None = None
                 ) -> tuple[float, int, float]:
    """Wall time, peak RSS (KiB) and CPU seconds of one whole child process; fails loudly on a non-zero exit."""
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
    return result["seconds"], result["rss"], result["cpu"]


@dataclass
class Cmd:
    """One command of a figure. `{dir}` in argv is replaced by a new empty folder for every run (untimed);
    `before` (untimed) runs before every run."""

    argv: list[str]
    env: dict | None = None
    before: Callable[[], None] | None = None
    fresh_dirs: Path | None = None

    def prepare(self, n: int) -> list[str]:
        if self.before is not None:
            self.before()
        if self.fresh_dirs is None:
            return self.argv
        folder = self.fresh_dirs / f"run-{n}"
        folder.mkdir(parents=True)
        return [str(folder) if a == "{dir}" else a for a in self.argv]


def measure_group(cmds: dict[str, Cmd], runs: int, *, budget: dict[str, float] | None = None) -> dict[str, Sample]:
    """The commands interleaved (A B C A B C ...) so all see the same load; one warm-up round first.
    A command named in `budget` stops being run once its runs (warm-up included) took that many seconds; it
    gets one timed run in any case."""
    samples = {name: Sample() for name in cmds}
    spent = dict.fromkeys(cmds, 0.0)
    budget = budget or {}
    n = 0
    for i in range(runs + 1):
        for name, cmd in cmds.items():
            if name in budget and spent[name] >= budget[name] and samples[name].seconds:
                continue
            n += 1
            seconds, rss, cpu = run_measured(cmd.prepare(n), env=cmd.env)
            spent[name] += seconds
            if i == 0 and not (name in budget and spent[name] >= budget[name]):
                continue  # warm-up (kept for a budgeted command that has no time for more)
            samples[name].add(seconds, rss, cpu)
    return samples


def count_instructions(cmd: Cmd, n: int) -> int | None:
    """The instructions of one whole run of `cmd` under valgrind's callgrind (None without valgrind, or when the
    run fails): unlike seconds, the same for the same code and inputs whatever else the machine is doing."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd.prepare(n)],
                          env=cmd.env, capture_output=True)
    found = re.search(rb"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if done.returncode == 0 and found else None


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
    return [sql for sql in statements if _first_word(sql) in ("SELECT", "WITH")
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


def shell_script(statements: list[str], *, write: bool = False) -> str:
    """Statements as one script for the `sqlite3` shell (each ends on a line of its own, so a trailing comment
    cannot swallow the `;`); a write runs in one transaction with nanxian's connection settings."""
    body = "".join(f"{sql.rstrip()}\n;\n" for sql in statements)
    if write:
        body = shell_script(["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "BEGIN IMMEDIATE"]) + body \
            + shell_script(["COMMIT"])
    return body


def load() -> float:
    return os.getloadavg()[0]


@dataclass
class Row:
    key: str  # stable name, for the extrapolation across sizes
    figure: str
    value: Sample
    floors: dict[str, Sample | None]  # "shell" (own SQL, data access), "typer" (start-up + data access)
    target_ratio: float | None = None  # against the Typer floor
    target_seconds: float | None = None  # whole process, median
    naive: Sample | None = None
    memory_target_mb: float | None = 150.0
    load: tuple[float, float] = (0.0, 0.0)
    unit: str = "s"  # "s": whole-process seconds; "ms-latency": per-answer latency (value in seconds)
    instructions: tuple[int, int] | None = None  # one callgrind run each: the figure, the minimal Typer app

    @property
    def ratio(self) -> float | None:
        typer = self.floors.get("typer")
        return self.value.median / typer.median if typer is not None else None

    @property
    def checks(self) -> list[bool]:
        got = []
        if self.target_ratio is not None and self.ratio is not None:
            got.append(self.ratio <= self.target_ratio)
        if self.target_seconds is not None:
            got.append(self.value.median <= self.target_seconds)
        if self.memory_target_mb is not None and self.value.max_rss_kib:
            got.append(self.value.mb <= self.memory_target_mb)
        return got

    @property
    def has_target(self) -> bool:
        return self.target_ratio is not None or self.target_seconds is not None


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
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.files.checklist_versions import by_id
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
        available = by_id(load_all(bundled_checklists_dir()))  # id -> versions, as the demo reads them
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
    if not answers:
        raise SystemExit("bulk write: the generator made no visits (no checklist version in force?)")
    return {"visits": stats.visits, "answers": answers, "write_seconds": stats.seconds,
            "write_rate": answers / stats.seconds, "write_cpu_rate": answers / write_cpu,
            "prepare_seconds": prepare_seconds, "prepare_rate": answers / prepare_seconds,
            "prepare_cpu_rate": answers / prepare_cpu,
            "end_to_end_rate": answers / (stats.seconds + prepare_seconds)}


VISIT_SCHOOL, VISIT_CHECKLIST, VISIT_DATE = "NX-001", "routine-monthly", dt.date(2020, 12, 30)


def _answer_lines(checklist) -> dict[str, list[str]]:
    """Point -> the lines a supervisor types for it: a passing answer, or for every ninth point a failing one
    and its note. A point the generator cannot answer is skipped (`s`)."""
    from nanxian_cli.services import demo_county as demo

    lines: dict[str, list[str]] = {}
    for n, point in enumerate(demo.plan_points(checklist)):
        if n % 9 == 4 and point.fail_raw is not None:
            lines[point.item_id] = [_typed(point.fail_raw), "现场未达标（基准测试）"]
        else:
            lines[point.item_id] = [_typed(point.pass_raw)]
    for item in checklist.items:
        lines.setdefault(item.id, ["s"])
    return lines


def _typed(raw) -> str:
    if isinstance(raw, bool):
        return "y" if raw else "n"
    return str(raw)


def answers_file(path: Path, checklists: Path) -> None:
    """A complete routine-monthly visit to NX-001 (every point answered, a few failing)."""
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services import demo_county as demo

    loaded = find_checklist(checklists, VISIT_CHECKLIST, VISIT_DATE)  # the version of the visit date
    lines = [f"school: {VISIT_SCHOOL}", f"checklist: {VISIT_CHECKLIST}", f"date: {VISIT_DATE.isoformat()}",
             f"inspector: {ANSWERS_INSPECTOR}", "answers:"]
    for n, point in enumerate(demo.plan_points(loaded.checklist)):
        raw = point.fail_raw if (n % 9 == 4 and point.fail_raw is not None) else point.pass_raw
        lines.append(f"  {point.item_id}: {json.dumps(raw, ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- interactive entry: answer line read -> its commit ------------------------------------------------

RULE = re.compile(r"(\d+)/(\d+) · (\S+) · ")
NOTE_PROMPTS = ("备注（直接回车表示无）：", "Note (empty line = no note):", "备注（直接回车保留原备注，- 删除）：",
                "Note (empty line = keep the earlier note, - = no note):")
RECHECK_PROMPTS = ("已整改？[y/n，s 跳过]", "Fixed? [y/n, s to skip]")
INVALID = ("无效回答", "Invalid answer")


def entry_session(argv: list[str], env: dict, lines_for: dict[str, list[str]], tmp: Path) -> tuple[list[float], int]:
    """One piped interactive visit, answered prompt by prompt through a pipe like a script would (the child's
    stdin is not a terminal). Returns the latency of every answer (from the line that completes it being read
    to the COMMIT that saved it having returned, both inside the child) and the number of answers."""
    events_file = tmp / "entry-events.json"
    events_file.unlink(missing_ok=True)
    err = (tmp / "entry-stderr.txt").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", ENTRY_CAPTURE, str(events_file), *argv], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=err, env=dict(env, COLUMNS="200"))
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buf, item, kinds = "", None, []
    pending: list[str] = []
    try:
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 120)
            if not ready:
                raise SystemExit("interactive entry: no prompt for 120 s\n" + buf[-2000:])
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += decoder.decode(chunk)
            if any(word in buf for word in INVALID):
                raise SystemExit("interactive entry: an answer was refused\n" + buf[-2000:])
            for match in RULE.finditer(buf):
                item = match.group(3)
            reply = None
            # output that is not a terminal keeps no spaces at line ends: a prompt's last space may not have come
            tail = buf.rstrip(" ")
            if tail.endswith(NOTE_PROMPTS):
                reply, kind = (pending.pop(0), "note") if pending else ("", "note")
            elif tail.endswith(RECHECK_PROMPTS):
                reply, kind = "y", "recheck"
            elif tail.endswith(("[y/N]", "返回修改]", "go back to it)")):  # the review before submitting
                reply, kind = "y", "submit"
            elif tail.endswith(">") and item is not None:
                typed = lines_for[item]
                reply, pending = typed[0], list(typed[1:])
                kind = "skip" if reply == "s" else ("answer" if not pending else "answer+note")
            if reply is not None:
                kinds.append(kind)
                proc.stdin.write((reply + "\n").encode())
                proc.stdin.flush()
                buf = ""
    finally:
        proc.stdin.close()
        rc = proc.wait()
        err.close()
    if rc != 0:
        raise SystemExit(f"interactive entry failed ({rc}):\n{(tmp / 'entry-stderr.txt').read_text('utf-8')}")
    events = json.loads(events_file.read_text(encoding="utf-8"))
    lines = [t for what, t in events if what == "line"]
    commits = [t for what, t in events if what == "commit"]
    latencies = []
    for n, kind in enumerate(kinds):
        if kind not in ("answer", "note"):
            continue
        read_at = lines[n]
        following = lines[n + 1] if n + 1 < len(lines) else float("inf")
        saved = next((t for t in commits if read_at <= t < following), None)
        if saved is None:
            raise SystemExit(f"interactive entry: line {n + 1} ({kind}) was not followed by a COMMIT")
        latencies.append(saved - read_at)
    return latencies, sum(1 for k in kinds if k in ("answer", "answer+note"))


# -- profiles ----------------------------------------------------------------------------------------

def _short(path: str) -> str:
    """A code location without the machine's folders: `nanxian_cli/store/db.py`, `typer/main.py`, `json/encoder.py`."""
    if path.startswith(("<", "~")):
        return path
    parts = Path(path).parts
    for anchor in ("nanxian_cli", "site-packages"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i if anchor == "nanxian_cli" else i + 1:])
    return "/".join(parts[-2:]) if len(parts) >= 2 and parts[-2].startswith(("json", "sqlite3", "email")) \
        else parts[-1]


def profile_text(argv: list[str], env: dict, out: Path, top: int = 12) -> str:
    """A cProfile summary of one run of `nanxian ARGV`: total, then the functions with the most own time."""
    import pstats

    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROFILE, str(out), *map(str, argv)], capture_output=True, env=env)
    wall = time.perf_counter() - began
    if not out.exists():
        return f"(profile failed: {done.stderr.decode('utf-8', 'replace')[-500:]})"
    stats = pstats.Stats(str(out))
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    lines = [f"cProfile, one run ({wall:.2f} s wall with the profiler, {total:.2f} s profiled); the functions with "
             "the most own time:", "", "| function | calls | own time | with callees |", "|---|---:|---:|---:|"]
    for (file, line, name), (_, ncalls, tottime, cumtime, _) in rows:
        where = f"{_short(file)}:{line}" if not file.startswith("~") else "built-in"
        name = re.sub(r" at 0x[0-9a-f]+", "", name)
        lines.append(f"| `{name}` ({where}) | {ncalls:,} | {tottime * 1000:.0f} ms ({tottime / total:.0%}) | "
                     f"{cumtime * 1000:.0f} ms |")
    ours = sorted(((key, value) for key, value in stats.stats.items()
                   if "nanxian_cli" in Path(key[0]).parts and key[2] != "<module>"),
                  key=lambda kv: kv[1][3], reverse=True)
    shown = [f"`{name}` ({_short(file)}) {cumtime * 1000:.0f} ms" for (file, _, name), (_, _, _, cumtime, _)
             in ours[1:top // 2 + 1]]  # the first is the command line's entry point: the whole run
    lines += ["", "nanxian's own functions with the most time including their callees: " + "; ".join(shown) + "."]
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------------------

def _compile_package() -> None:
    """Write the package's bytecode now, as installing the wheel does. Without it, a source tree edited
    since its last run (or any run under PYTHONDONTWRITEBYTECODE) compiles every module again in every
    timed process, which is not what an installed `nanxian` does."""
    import compileall

    import nanxian_cli

    compileall.compile_dir(str(Path(nanxian_cli.__file__).parent), quiet=1)


def bureau_env(tmp: Path) -> dict:
    """The environment of a bureau's machine: its config.toml in the user config folder (XDG_CONFIG_HOME), no
    NANXIAN_* variables, a home of its own."""
    config = tmp / "config" / "nanxian"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(BUREAU_CONFIG, encoding="utf-8")
    (tmp / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NANXIAN_", "XDG_")) and k not in ("COLUMNS",)}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"))
    return env


def prepare_database(size: Size, reuse: bool) -> tuple[Path, dict]:
    OUT.mkdir(exist_ok=True)
    db = OUT / f"{size.name}.db"
    meta_file = db.with_suffix(".json")
    built = None
    wanted = (size.schools, size.years, size.per_year)
    if reuse and db.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if tuple(meta["size"]) == wanted:
            built = meta
            built["reused"] = True
    if built is None:
        print(f"building {size.schools} schools x {size.years} years x {size.per_year} visits through the bulk "
              "path …", flush=True)
        built = build(db, *wanted, None)
        meta_file.write_text(json.dumps(built))
    print(f"  {built['visits']:,} visits, {built['answers']:,} answers, {built['findings']:,} findings "
          f"in {built['seconds']:.1f} s{' (reused)' if built.get('reused') else ''}", flush=True)
    return db, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quick", action="store_true", help="small database and 3 runs; README.md is not touched")
    which.add_argument("--city", action="store_true", help="3000 schools x 10 years (build: an hour or more)")
    which.add_argument("--province", action="store_true", help="only the extrapolation from the saved results")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (default 7, city 5, quick 3)")
    parser.add_argument("--reuse", action="store_true", help="reuse benchmarks/out/<size>.db if it has the same size")
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    parser.add_argument("--no-naive", action="store_true",
                        help="leave out the full-scan column (context only): at city size each of its runs reads the "
                             "whole file and pushes the database out of the page cache before the next figure")
    parser.add_argument("--no-instructions", action="store_true",
                        help="leave out the instruction counts (valgrind's callgrind, one run of each figure with a "
                             "ratio target and of its Typer floor; not counted with --quick)")
    args = parser.parse_args()
    if args.province:
        table = province_table()
        print(table)
        if not args.no_readme:
            update_readme(table, *MARKS["province"])
        return

    size = SIZES["quick" if args.quick else "city" if args.city else "county"]
    runs = args.runs or size.runs
    counting = not args.no_instructions and not args.quick and shutil.which("valgrind") is not None
    db, built = prepare_database(size, args.reuse)
    python = sys.executable
    nanxian = shutil.which("nanxian", path=str(Path(python).parent)) or "nanxian"
    shell = shutil.which("sqlite3")
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.store import open_store

    open_store(db).close()  # apply any pending migration now, not inside the timed runs
    _compile_package()

    with tempfile.TemporaryDirectory(prefix="nanxian-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = bureau_env(tmp)
        # the answers file's supervisor (names must be registered); adding an existing name changes nothing
        subprocess.run([nanxian, "--db", str(db), "inspector", "add", ANSWERS_INSPECTOR], check=True, env=env,
                       capture_output=True)
        print("measuring the bulk write rate …", flush=True)
        rate = bulk_write_rate(2000 if args.quick else 10000)
        print(f"  write {rate['write_rate']:,.0f} answers/s; prepare {rate['prepare_rate']:,.0f}/s; "
              f"end to end {rate['end_to_end_rate']:,.0f}/s", flush=True)
        print("measuring the bulk write against a plain replay of the rows it writes …", flush=True)
        import bulk_floor  # beside this file

        rate["replay"] = bulk_floor.compare(2000 if args.quick else 10000, 1 if args.quick else 3,
                                            lambda text: print("  " + text, flush=True))
        print(f"  bulk/replay {rate['replay']['ratio']:.0%} wall, {rate['replay']['cpu_ratio']:.0%} CPU", flush=True)

        ans = tmp / "answers.yaml"
        answers_file(ans, bundled_checklists_dir())
        scratch = tmp / "scratch.db"

        def fresh_copy() -> None:
            bulk_floor.fresh(db, scratch)  # synced: the copy's write-back must not land inside the timed run

        def sql_file(name: str, text: str) -> Path:
            path = tmp / f"{name}.sql"
            path.write_text(text, encoding="utf-8")
            return path

        def data_access(path: Path, script: Path) -> list[str]:
            if shell:
                return [shell, "-batch", "-bail", str(path), f".read {script}"]
            return [python, "-I", "-S", "-c", PY_SHELL, str(path), str(script)]

        school_year = ("2019-09-01", "2020-08-31")
        history = (f"{2021 - size.years}-01-01", "2020-12-31")
        periods = {"school year 2019-20": school_year, f"all {size.years} years": history}
        reports = {"summary": [], "matrix": [], "item": ["21"], "school": [VISIT_SCHOOL]}

        rows: list[Row] = []
        load_start = load()
        print(f"timing ({runs} interleaved runs each after a warm-up; load average {load_start:.2f}) …", flush=True)

        def timed(key: str, figure: str, cmds: dict[str, Cmd], **targets) -> Row:
            before = load()
            budget = {"naive": 30.0} if "naive" in cmds else None
            got = measure_group(cmds, runs, budget=budget)
            row = Row(key, figure, got["figure"], {"shell": got.get("shell"), "typer": got.get("typer")},
                      naive=got.get("naive"), load=(before, load()), **targets)
            if counting and targets.get("target_ratio") is not None and "typer" in cmds:
                counts = (count_instructions(cmds["figure"], 90_001), count_instructions(cmds["typer"], 90_002))
                row.instructions = None if None in counts else counts
            rows.append(row)
            floors = ", ".join(f"{name} {s.text()}" for name, s in row.floors.items() if s is not None)
            print(f"  {figure}: {row.value.text()} against {floors}"
                  + (f"; naive {row.naive.text()}" if row.naive else "") + f" (load {row.load[1]:.2f})", flush=True)
            if row.instructions is not None:
                mine, floor = row.instructions
                print(f"    instructions: {mine / 1e6:,.1f} M against {floor / 1e6:,.1f} M ({mine / floor:.2f}x)",
                      flush=True)
            return row

        help_floor = Cmd([python, str(FLOOR_TYPER), "--help"], env)
        timed("help", "`nanxian --help`", {"figure": Cmd([nanxian, "--help"], env), "typer": help_floor},
              target_ratio=1.2)
        timed("checklist-list", "`nanxian checklist list` (validates every checklist file)",
              {"figure": Cmd([nanxian, "checklist", "list"], env), "typer": help_floor})

        writes = size.name != "city"  # each run needs a fresh copy of the database: not of a city's file
        if writes:
            record_args = ["--db", str(scratch), "inspect", "visit", VISIT_SCHOOL, "--answers", str(ans),
                           "--format", "json"]
            fresh_copy()
            record_sql = written_rows(capture_sql(record_args, tmp / "trace.json", env))
            record_json = tmp / "record.json"
            record_json.write_text(json.dumps(record_sql), encoding="utf-8")
            record_script = sql_file("record", shell_script(record_sql, write=True))
            timed("record", "`inspect visit --answers FILE`", {
                "figure": Cmd([nanxian, *record_args], env, fresh_copy),
                "shell": Cmd(data_access(scratch, record_script), env, fresh_copy),
                "typer": Cmd([python, str(FLOOR_RECORD), str(scratch), str(ans), str(record_json)], env, fresh_copy),
            }, target_ratio=1.5)

        for report, extra in reports.items():
            for period_name, (start, end) in periods.items():
                argv = ["--db", str(db), "report", report, *extra, "--from", start, "--to", end, "--format", "json"]
                own = report_queries(capture_sql(argv, tmp / "trace.json", env))
                name = f"{report}-{'year' if (start, end) == school_year else 'all'}"
                script = sql_file(name, shell_script(own))
                cmds = {"figure": Cmd([nanxian, *argv], env), "shell": Cmd(data_access(db, script), env),
                        "typer": Cmd([python, str(FLOOR_REPORT), str(db), str(tmp / f"{name}.json")], env)}
                (tmp / f"{name}.json").write_text(json.dumps(own), encoding="utf-8")
                naive = {"summary": shell_summary, "matrix": shell_matrix}.get(report)
                if naive is not None and not args.no_naive:
                    cmds["naive"] = Cmd(data_access(db, sql_file(f"{name}-naive", naive(start, end)
                                                                  .replace(";\n", "\n;\n"))), env)
                one_year = (start, end) == school_year
                timed(name, f"`report {' '.join([report, *extra])}`, {period_name}", cmds,
                      target_ratio=1.3 if one_year else None, target_seconds=0.5 if one_year else 1.5)

        # The weekly digest as cron runs it: NANXIAN_DB, the bureau's config, a new folder each run.
        cron = dict(env, NANXIAN_DB=str(db))
        digest_args = ["report", "digest", "--week", "2020-W52", "--as-of", "2020-12-31", "--output"]
        own = report_queries(capture_sql([*digest_args, str(tmp)], tmp / "trace.json", cron))
        (tmp / "digest.json").write_text(json.dumps(own), encoding="utf-8")
        timed("digest", "`report digest --week 2020-W52 --output DIR` (cron's way)", {
            "figure": Cmd([nanxian, *digest_args, "{dir}"], cron, fresh_dirs=tmp / "digests"),
            "shell": Cmd(data_access(db, sql_file("digest", shell_script(own))), cron),
            "typer": Cmd([python, str(FLOOR_REPORT), str(db), str(tmp / "digest.json"), "--output", "{dir}"], cron,
                         fresh_dirs=tmp / "digest-floors"),
        }, target_ratio=1.3, target_seconds=0.5)

        entry = None
        if writes:
            print("interactive entry (piped), answer by answer …", flush=True)
            loaded = find_checklist(bundled_checklists_dir(), VISIT_CHECKLIST, VISIT_DATE)
            lines_for = _answer_lines(loaded.checklist)
            latencies: list[float] = []
            answered = 0
            before = load()
            for _ in range(3):
                fresh_copy()
                got, n = entry_session(["--db", str(scratch), "inspect", "visit", VISIT_SCHOOL, "--checklist",
                                        VISIT_CHECKLIST, "--date", VISIT_DATE.isoformat()], env, lines_for, tmp)
                latencies += got
                answered += n
            entry = Row("entry", f"interactive `inspect visit {VISIT_SCHOOL} --checklist {VISIT_CHECKLIST}`, piped: "
                        f"answer line read → its COMMIT returned ({len(latencies)} answers, 3 visits)",
                        Sample(latencies), {}, target_seconds=0.010, memory_target_mb=None, load=(before, load()),
                        unit="ms-latency")
            rows.append(entry)
            print(f"  {entry.value.text()} per answer", flush=True)

        load_end = load()
        slowest = max((r for r in rows if r.unit == "s"), key=lambda r: r.value.median)
        print(f"profiling the slowest command ({slowest.figure}) …", flush=True)
        profile = profile_text(_argv_of(slowest, nanxian, db, tmp, periods, reports), env, tmp / "slowest.prof")

    table = render(size, rows, built, rate, runs, (load_start, load_end), shell is not None)
    table += f"\n\n**Where the time goes in the slowest command**, {slowest.figure}: {profile}"
    print()
    print(table)
    save_results(size, built, rows)
    if not args.quick and not args.no_readme:
        update_readme(table, *MARKS[size.name])
        print(f"\n(written to {README.relative_to(HERE.parent)})")


def _argv_of(row: Row, nanxian: str, db: Path, tmp: Path, periods: dict, reports: dict) -> list[str]:
    """The nanxian arguments of a figure, for profiling it (writes go to a scratch copy)."""
    if row.key == "help":
        return ["--help"]
    if row.key == "checklist-list":
        return ["checklist", "list"]
    if row.key == "record":
        scratch = tmp / "profile.db"
        shutil.copyfile(db, scratch)
        return ["--db", str(scratch), "inspect", "visit", VISIT_SCHOOL, "--answers", str(tmp / "answers.yaml")]
    if row.key == "digest":
        (tmp / "profile-digest").mkdir(exist_ok=True)
        return ["--db", str(db), "report", "digest", "--week", "2020-W52", "--as-of", "2020-12-31", "--output",
                str(tmp / "profile-digest")]
    report, span = row.key.split("-")
    start, end = list(periods.values())[0 if span == "year" else 1]
    return ["--db", str(db), "report", report, *reports[report], "--from", start, "--to", end, "--format", "json"]


def _cell(sample: Sample | None) -> str:
    return "—" if sample is None else sample.text()


def render(size: Size, rows: list[Row], built: dict, rate: dict, runs: int, loads: tuple[float, float],
           has_shell: bool) -> str:
    import platform

    unreliable = max(loads) > UNRELIABLE_LOAD
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, typer {_version('typer')}; {size.schools} schools x "
        f"{size.years} years x {size.per_year} visits; {runs} whole-process runs of each figure interleaved with its "
        f"floors after a warm-up, median (min–max); load average {loads[0]:.2f} before the timing, {loads[1]:.2f} "
        "after" + (f" — **over {UNRELIABLE_LOAD}: these figures are unreliable**." if unreliable else ".")
        + ("" if has_shell else " **No `sqlite3` shell on this machine: the data-access floor is Python's sqlite3 "
                                "module.**"),
        "",
        "| figure | measured | floor: own SQL, `sqlite3` shell | floor: minimal Typer app + own SQL | ratio "
        "| full scan of answers (context) | target | peak memory | load | met? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    if size.name == "county":
        build_target, build_met = "≤ 60 s", "yes" if built["seconds"] <= 60 else "**no**"
    else:
        build_target, build_met = "—", ""
    cpu = f", {built['cpu_seconds']:.0f} s CPU" if built.get("cpu_seconds") else ""
    lines.append(
        f"| build: {built['visits']:,} visits, {built['answers']:,} answers, {built['findings']:,} findings "
        f"(bulk path{cpu}) | {built['seconds']:.1f} s | | | | | {build_target} | | "
        f"{built['load'][0]:.1f}–{built['load'][1]:.1f} | {build_met} |")
    write_ok = rate["write_rate"] >= 100_000
    lines.append(
        f"| bulk write of prepared visits | {rate['write_rate']:,.0f} answers/s "
        f"({rate['write_cpu_rate']:,.0f} per CPU-second) | | | | | ≥ 100,000 answers/s | | | "
        f"{'yes' if write_ok else '**no**'} |")
    if "replay" in rate:
        rp = rate["replay"]
        lines.append(
            f"| bulk write against a plain `executemany` replay of every row it writes (answers, counts, roll-ups, "
            f"findings, steps; same transactions and triggers), {rp['pairs']} pair(s) interleaved, "
            f"{rp['answers']:,} answers | {rp['ratio']:.0%} of the replay's rate (bulk {rp['bulk']:.2f} s, replay "
            f"{rp['replay']:.2f} s; by CPU {rp['cpu_ratio']:.0%}) | | | | | ≥ 80% | | | "
            f"{'yes' if rp['ratio'] >= 0.8 else '**no**'} |")
    for r in rows:
        targets = []
        if r.target_ratio is not None:
            targets.append(f"≤ {r.target_ratio:g}x")
        if r.target_seconds is not None:
            targets.append(f"≤ {r.target_seconds * 1000:g} ms" if r.target_seconds < 1 else f"≤ {r.target_seconds:g} s")
        if r.unit == "ms-latency":
            s = r.value.seconds
            measured = (f"{statistics.median(s) * 1000:.1f} ms ({min(s) * 1000:.1f}–{max(s) * 1000:.1f}; "
                        f"90% ≤ {sorted(s)[int(len(s) * 0.9) - 1] * 1000:.1f})")
        else:
            measured = r.value.text() + (f"; {r.value.cpu_text()}" if r.value.cpu else "")
        memory = "" if not r.value.max_rss_kib else (
            f"{r.value.mb:.0f} MB" + (f" (≤ {r.memory_target_mb:g})" if r.memory_target_mb else ""))
        met = ("yes" if all(r.checks) else "**no**") if r.has_target else \
            ("memory ok" if all(r.checks) else "**memory**")
        naive = "—" if r.naive is None else f"{r.naive.text()}, {len(r.naive.seconds)} run(s)"
        lines.append(
            f"| {r.figure} | {measured} | {_cell(r.floors.get('shell'))} | {_cell(r.floors.get('typer'))} | "
            f"{'—' if r.ratio is None else f'{r.ratio:.2f}x'} | {naive} | {', '.join(targets) or '—'} | {memory} | "
            f"{r.load[0]:.1f}–{r.load[1]:.1f} | {met} |")
    lines.append("")
    lines.append(
        f"Ratio: the figure's median over the minimal Typer app's. CPU: the median CPU time (user + system) of the "
        f"figure's own process, which waits for no other process. Bulk path detail: preparing (generating and "
        f"judging) {rate['prepare_rate']:,.0f} answers/s ({rate['prepare_cpu_rate']:,.0f} per CPU-second), writing "
        f"{rate['write_rate']:,.0f} answers/s, together {rate['end_to_end_rate']:,.0f} answers/s "
        f"({rate['answers']:,} answers, {rate['visits']:,} visits into a fresh database).")
    counted = [r for r in rows if r.instructions is not None]
    if counted:
        lines += ["", "Instruction counts (valgrind's callgrind, one whole run each of the figure and of its minimal "
                  "Typer app, after the timing): the same for the same code and inputs whatever else the machine "
                  "is doing, where the timed ratios above move with the machine's load and speed.", "",
                  "| figure | instructions | minimal Typer app | ratio | target | met? |",
                  "|---|---:|---:|---:|---:|:---:|"]
        for r in counted:
            figure, floor = r.instructions
            ratio = figure / floor
            lines.append(f"| {r.figure} | {figure / 1e6:,.1f} M | {floor / 1e6:,.1f} M | {ratio:.2f}x | "
                         f"≤ {r.target_ratio:g}x | {'yes' if ratio <= r.target_ratio else '**no**'} |")
    if size.name == "city":
        lines.append("")
        lines.append("Not measured at this size: `inspect visit --answers` and the interactive entry (every run "
                     "needs a fresh copy of the database; writing one visit does not depend on the file's size, "
                     "see the county table).")
    return "\n".join(lines)


def save_results(size: Size, built: dict, rows: list[Row]) -> None:
    """The medians of this run, for the extrapolation to a province (`--province`)."""
    OUT.mkdir(exist_ok=True)
    data = {"size": size.name, "answers": built["answers"], "visits": built["visits"], "date": time.strftime("%F"),
            "load_max": max(max(r.load) for r in rows),
            "rows": {r.key: {"figure": r.figure, "median": r.value.median,
                             "cpu": statistics.median(r.value.cpu) if r.value.cpu else None,
                             "shell": r.floors["shell"].median if r.floors.get("shell") else None,
                             "typer": r.floors["typer"].median if r.floors.get("typer") else None,
                             "instructions": list(r.instructions) if r.instructions else None}
                     for r in rows}}
    (OUT / f"results-{size.name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The least-squares line y = a + b x through the points."""
    xs, ys = zip(*points, strict=True)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def province_table() -> str:
    """Each report at the measured sizes, a straight line `a + b x answers` fitted (least squares) through the sizes
    shaped like the county (its years and visit rate: county and city; the quick size, 2 years of 20 visits, is
    shown, not fitted), and where it puts a province: 100 counties, 100x the county decade's answers. The same fit
    of the CPU times is given beside: a loaded machine inflates wall times, CPU times much less. Figures that do not
    read the database's history (start-up, checklist files, one visit's write) are left out."""
    results = {}
    for name in SIZES:
        path = OUT / f"results-{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    if "county" not in results or len(results) < 2:
        return "(run the county and the city benchmarks first: no results to extrapolate from)"
    sizes = [n for n in SIZES if n in results]
    shape = (SIZES["county"].years, SIZES["county"].per_year)
    fit_sizes = [n for n in sizes if (SIZES[n].years, SIZES[n].per_year) == shape]
    if len(fit_sizes) < 2:
        return "(run the county and the city benchmarks first: one size of the county's shape is not a line)"
    province = results["county"]["answers"] * 100 / 1e6
    fitted = ", ".join(f"{n} ({results[n]['answers'] / 1e6:.2f}M answers, {results[n]['date']}, load up to "
                       f"{results[n].get('load_max', 0):.1f})" for n in fit_sizes)
    lines = [f"Fitted through {fitted}; a province: {province:.0f}M answers. Whole-process medians (CPU medians in "
             "brackets); `a` is the fixed cost, `b` the cost per million answers; over 1.5 s in bold.", "",
             "| figure | " + " | ".join(sizes) + " | a | b per 1M answers | province (extrapolated) | "
             "province from CPU time |", "|---|" + "---:|" * (len(sizes) + 4)]
    for key in [k for k in results["county"]["rows"] if k not in ("help", "checklist-list", "record", "entry")]:
        rows = [(results[n]["answers"] / 1e6, results[n]["rows"][key]) for n in fit_sizes
                if key in results[n]["rows"]]
        if len(rows) < 2:
            continue
        a, b = _fit([(x, row["median"]) for x, row in rows])
        est = a + b * province
        cpus = [(x, row["cpu"]) for x, row in rows if row.get("cpu") is not None]
        by_cpu = "—"
        if len(cpus) == len(rows):
            ca, cb = _fit(cpus)
            by_cpu = f"{ca + cb * province:.1f} s"
        cells = " | ".join(
            f"{results[n]['rows'][key]['median']:.2f} s" + (f" ({results[n]['rows'][key]['cpu']:.2f})"
                                                            if results[n]["rows"][key].get("cpu") else "")
            if key in results[n]["rows"] else "—" for n in sizes)
        bold = "**" if est > 1.5 else ""
        lines.append(f"| {results['county']['rows'][key]['figure']} | {cells} | {a:.2f} s | {b * 1000:.1f} ms | "
                     f"{bold}{est:.1f} s{bold} | {by_cpu} |")
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
