"""The bulk write against its floor: a plain replay of the rows it writes, side by side in one run.

    python benchmarks/bulk_floor.py [--visits 10000] [--pairs 3]

A: `import_visits` (the bulk path of the demo, the benchmark and `inspect visit --answers`) writes prepared visits
(made beforehand, not timed) into a fresh database: answers, counts, roll-ups, findings and their steps.
B: every statement that run wrote (captured once, untimed, with sqlite3's trace callback, as run.py's CAPTURE does)
replayed with `executemany`, consecutive statements of the same shape together, in the same transactions, into a
fresh copy of the same database through the same connection settings. Triggers fire in both (the roll-ups are
rows the bulk path writes). The pairs run interleaved (A B A B ...); the medians of each and their ratio are
printed with the load average.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

_TOKEN = re.compile(r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<blob>[xX]'[0-9a-fA-F]*')
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<other>\s+|.)
""", re.VERBOSE | re.DOTALL)


def parameterized(sql: str) -> tuple[str, tuple]:
    """An expanded statement (literals in its text) as SQL with ? and its values."""
    out: list[str] = []
    values: list = []
    for m in _TOKEN.finditer(sql):
        kind, text = m.lastgroup, m.group()
        if kind == "string":
            out.append("?")
            values.append(text[1:-1].replace("''", "'"))
        elif kind == "blob":
            out.append("?")
            values.append(bytes.fromhex(text[2:-1]))
        elif kind == "number":
            out.append("?")
            values.append(float(text) if any(c in text for c in ".eE") else int(text))
        elif kind == "word" and text.upper() == "NULL":
            out.append("?")
            values.append(None)
        else:
            out.append(text)
    return "".join(out), tuple(values)


def _first_word(sql: str) -> str:
    return sql.split(None, 1)[0].upper() if sql.strip() else ""


def writes(statements: list[str]) -> list[str]:
    """The statements that write (and the transactions around them). A statement that fires a trigger is traced
    again for each of the trigger's statements, with its own text: kept once (the triggers fire in the replay)."""
    kept: list[str] = []
    for sql in statements:
        if _first_word(sql) in ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN", "COMMIT", "ROLLBACK") and (
                not kept or kept[-1] != sql):
            kept.append(sql)
    return kept


def replay_plan(statements: list[str]) -> list[tuple[str, list[tuple]]]:
    """Runs of consecutive statements of one shape: (SQL with ?, the rows of values)."""
    plan: list[tuple[str, list[tuple]]] = []
    for sql in statements:
        shape, values = parameterized(sql)
        if plan and plan[-1][0] == shape:
            plan[-1][1].append(values)
        else:
            plan.append((shape, [values]))
    return plan


def setup(folder: Path, visits_wanted: int) -> tuple[Path, list]:
    """A database with the roster, supervisors, assignments and the plan (what `demo` writes before the visits),
    and the prepared visits: one year of `visits_wanted`, 20 a school."""
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.files.checklist_versions import by_id
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.services import demo_county as demo
    from nanxian_cli.services import people
    from nanxian_cli.services.catalog import ensure_plan
    from nanxian_cli.store import open_store

    template = folder / "template.db"
    per_year = 20
    opts = demo.DemoOptions(schools=max(1, visits_wanted // per_year), years=1, visits_per_year=per_year, seed=1)
    rng = random.Random(opts.seed)
    roster = demo.build_roster(opts.schools, read_roster(demo.sample_roster_path()))
    with open_store(template) as store:
        people.import_schools(store, roster)
        names = demo.inspector_names(max(1, round(len(roster) / 5)), rng)
        for name in names:
            people.add_inspector(store, name)
        by_inspector = demo.assignments([row.code for row in roster], names)
        for name, codes in by_inspector.items():
            people.assign(store, name, codes, opts.end.isoformat())
        with store.transaction() as conn:
            ensure_plan(conn, load_plan())
    inspector_of = {code: name for name, codes in by_inspector.items() for code in codes}
    schools = [{"code": r.code, "name": r.name, "town": r.town, "stages": list(r.stages), "boarding": r.boarding,
                "canteen": r.canteen, "school_bus": r.school_bus, "ownership": r.ownership, "group": r.group,
                "inspector": inspector_of.get(r.code), "inclusive": r.inclusive} for r in roster]
    available = by_id(load_all(bundled_checklists_dir()))
    return template, list(demo.synth_visits(schools, available, opts, rng))


def fresh(template: Path, path: Path) -> None:
    """`path` made a fresh copy of `template` (its WAL and shared-memory files gone), written back to disk."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass
    shutil.copyfile(template, path)
    os.sync()


def run_bulk(path: Path, visits: list, trace: list[str] | None = None) -> tuple[float, float]:
    from nanxian_cli.services.bulk import import_visits
    from nanxian_cli.store import open_store

    with open_store(path) as store:
        if trace is not None:
            store.conn.set_trace_callback(trace.append)
        began, cpu = time.perf_counter(), time.process_time()
        import_visits(store, visits)
        return time.perf_counter() - began, time.process_time() - cpu


def run_replay(path: Path, plan: list[tuple[str, list[tuple]]]) -> tuple[float, float]:
    from nanxian_cli.store import open_store
    from nanxian_cli.store.bulk import bulk_session

    with open_store(path) as store:
        conn = store.conn
        began, cpu = time.perf_counter(), time.process_time()
        with bulk_session(store):
            for sql, rows in plan:
                if len(rows) == 1:
                    conn.execute(sql, rows[0])
                else:
                    conn.executemany(sql, rows)
        return time.perf_counter() - began, time.process_time() - cpu


def compare(visits_wanted: int, pairs: int, say=print) -> dict:
    """The bulk write and its plain replay, `pairs` times interleaved (A B A B ...): the medians of each (wall and
    CPU seconds), the answers written and the ratio of the rates (replay's time over the bulk path's)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template, visits = setup(folder, visits_wanted)
        answers = sum(len(v.answers) for v in visits)
        target = folder / "run.db"
        trace: list[str] = []
        fresh(template, target)
        run_bulk(target, visits, trace)  # untimed: what it writes
        kept = writes(trace)
        plan = replay_plan(kept)
        del trace
        # The prepared visits and the replay's rows stay in memory through every run: out of the garbage collector's
        # sight, so its passes over them are not timed in either (a real import holds neither).
        gc.collect()
        gc.freeze()
        say(f"{len(visits)} visits, {answers} answers; {len(kept)} statements written, replayed as {len(plan)} "
            f"executemany calls; load average {os.getloadavg()[0]:.1f}")
        bulk: list[tuple[float, float]] = []
        replay: list[tuple[float, float]] = []
        try:
            for _ in range(pairs):
                fresh(template, target)
                bulk.append(run_bulk(target, visits))
                fresh(template, target)
                replay.append(run_replay(target, plan))
                say(f"  bulk {bulk[-1][0]:.2f} s (CPU {bulk[-1][1]:.2f}), replay {replay[-1][0]:.2f} s "
                    f"(CPU {replay[-1][1]:.2f})")
        finally:
            gc.unfreeze()
    a, b = statistics.median(w for w, _ in bulk), statistics.median(w for w, _ in replay)
    ac, bc = statistics.median(c for _, c in bulk), statistics.median(c for _, c in replay)
    return {"visits": len(visits), "answers": answers, "statements": len(kept), "calls": len(plan), "pairs": pairs,
            "bulk": a, "bulk_cpu": ac, "replay": b, "replay_cpu": bc, "ratio": b / a, "cpu_ratio": bc / ac}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    got = compare(args.visits, args.pairs, lambda text: print(text, flush=True))
    answers = got["answers"]
    print(f"bulk write {answers / got['bulk']:,.0f} answers/s ({answers / got['bulk_cpu']:,.0f} per CPU-second); "
          f"plain replay {answers / got['replay']:,.0f} answers/s ({answers / got['replay_cpu']:,.0f} per CPU-second); "
          f"bulk/replay {got['ratio']:.0%} wall, {got['cpu_ratio']:.0%} CPU; load average {os.getloadavg()[0]:.1f} "
          "at the end", flush=True)


if __name__ == "__main__":
    main()
