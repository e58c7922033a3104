"""Sync benchmark: export and import of a county year, whole processes.

    python benchmarks/sync.py            # a county year (300 schools x 33 visits), 3 runs of each figure
    python benchmarks/sync.py --quick    # 40 schools, 1 run; README.md is not touched

Figures (targets from the sync issue): `sync export` of the year <= 10 s; `sync import` of it into an empty
database <= 15 s; `sync import` of a second bundle holding the same facts into a database that has them
(everything skipped) <= 3 s; peak memory <= 200 MB for each. Each run uses a fresh copy of its database
(the copy is not timed). Results go into README.md between the sync markers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import HERE, Sample, build, run_once, update_readme  # noqa: E402

MARK_BEGIN, MARK_END = "<!-- sync:begin -->", "<!-- sync:end -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    schools, per_year = (40, 33) if args.quick else (300, 33)
    nanxian = str(Path(sys.executable).with_name("nanxian"))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nanxian-sync-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "NANXIAN_CONFIG": str(tmp / "none.toml"), "NANXIAN_LANG": "en"}
        (tmp / "none.toml").write_text("", encoding="utf-8")
        year = out / f"county-year-{schools}.db"
        if not year.exists():
            print(f"building {schools} schools x {per_year} visits (one year) …", flush=True)
            built = build(year, schools, 1, per_year, None)
            print(f"  {built['visits']} visits, {built['answers']} answers", flush=True)
        import sqlite3

        conn = sqlite3.connect(year)
        visits, answers = (conn.execute("SELECT count(*) FROM visits").fetchone()[0],
                           conn.execute("SELECT count(*) FROM answers").fetchone()[0])
        conn.close()
        source = tmp / "source.db"
        bundle, again = tmp / "year.nxb", tmp / "again.nxb"
        full = tmp / "full.db"
        samples = {"export": Sample(), "import into an empty database": Sample(),
                   "import of the same facts again (all skipped)": Sample()}
        for _ in range(runs):
            shutil.copy(year, source)
            for p in (bundle, again):
                p.unlink(missing_ok=True)
            seconds, rss = run_once([nanxian, "--db", str(source), "sync", "export", "--output", str(bundle),
                                     "--since", "all"], env=env)
            samples["export"].seconds.append(seconds)
            samples["export"].max_rss_kib = max(samples["export"].max_rss_kib, rss)
            run_once([nanxian, "--db", str(source), "sync", "export", "--output", str(again), "--since", "all"],
                     env=env)
            full.unlink(missing_ok=True)
            seconds, rss = run_once([nanxian, "--db", str(full), "sync", "import", str(bundle)], env=env)
            s = samples["import into an empty database"]
            s.seconds.append(seconds)
            s.max_rss_kib = max(s.max_rss_kib, rss)
            seconds, rss = run_once([nanxian, "--db", str(full), "sync", "import", str(again)], env=env)
            s = samples["import of the same facts again (all skipped)"]
            s.seconds.append(seconds)
            s.max_rss_kib = max(s.max_rss_kib, rss)
        size = bundle.stat().st_size
    targets = {"export": 10.0, "import into an empty database": 15.0,
               "import of the same facts again (all skipped)": 3.0}
    load = os.getloadavg()[0]
    lines = [f"A county year: {visits:,} visits, {answers:,} answers; bundle {size / 1e6:.1f} MB; {runs} run(s) "
             f"each, median (min–max); load average {load:.1f} at the end"
             + (" — **over 1.5: these figures are unreliable**" if load > 1.5 else "") + ".", "",
             "| figure | measured | target | peak memory (≤ 200 MB) | met? |", "|---|---:|---:|---:|:---:|"]
    for name, sample in samples.items():
        med = sample.median
        ok = med <= targets[name] and sample.mb <= 200
        lines.append(f"| `sync {name.split()[0]}`: {name} | {med:.1f} s ({min(sample.seconds):.1f}–"
                     f"{max(sample.seconds):.1f}) | ≤ {targets[name]:.0f} s | {sample.mb:.0f} MB | "
                     f"{'yes' if ok else '**no**'} |")
    table = "\n".join(lines)
    print(table)
    if not args.quick:
        update_readme(table, MARK_BEGIN, MARK_END, "Sync")
        print("(written to benchmarks/README.md)")


if __name__ == "__main__":
    main()
