"""Sync benchmark: export and import of a county year and of a city year (10x), whole processes.

    python benchmarks/sync.py            # two county years (3 runs each) and a city year (1 run); updates README.md
    python benchmarks/sync.py --county   # the county years only
    python benchmarks/sync.py --quick    # 40 schools, 1 run; README.md is not touched

The county years: the one the sync issue states its targets for (300 schools x 33 visits: ~10,000 visits, ~350,000
answers) and one at the answer rate of DESIGN.md "Scale" (47 visits per school, ~500k answers); the city year is
3000 schools at that rate. Each is built once through the bulk path into benchmarks/out/ and kept (`--rebuild`
builds it again).
Figures: `sync export --since all` of the year; `sync import` of that bundle into an empty database; the same
bundle imported again (recognised by its id); a second bundle of the same facts under another id imported again
(every fact skipped). Targets (from the sync issue, for either county year): export <= 10 s, import <= 15 s, the import
of the same facts again <= 3 s, peak memory <= 200 MB; for the city year the same memory bound (imports stream:
their peak memory must not grow with the bundle) and no time target. Each run starts from a fresh copy of its
database (the copy is not timed). Commands run with a bureau's config file, as in run.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import (  # noqa: E402
    UNRELIABLE_LOAD,
    Sample,
    Size,
    _compile_package,
    bureau_env,
    load,
    prepare_database,
    run_measured,
    run_once,
    update_readme,
)

MARK_BEGIN, MARK_END = "<!-- sync:begin -->", "<!-- sync:end -->"
# The sync issue states its targets for a county year of "about 10,000 visits, about 350,000 answers": 33 visits a
# school give that (9,900 visits). DESIGN.md "Scale" has ~500k answers a year, which at the bundled checklists'
# ~35.6 answers a visit is 47 visits a school (14,100): both years are measured, against the same targets.
YEARS = {"quick": Size("sync-quick", 40, 1, 33, 1), "issue": Size("county-year-10k", 300, 1, 33, 3),
         "county": Size("county-year", 300, 1, 47, 3), "city": Size("city-year", 3000, 1, 47, 1)}
LABELS = {"county-year-10k": "the sync issue's county year", "county-year": "a county year at DESIGN.md's rate",
          "city-year": "a city year (10x)"}
FIGURES = {  # name -> (what it is, target seconds for a county year)
    "export": ("`sync export --since all`", 10.0),
    "import": ("`sync import` into an empty database", 15.0),
    "same bundle": ("`sync import` of the same bundle again (known by its id)", 3.0),
    "same facts": ("`sync import` of the same facts under another bundle id (all skipped)", 3.0),
}
MEMORY_MB = 200


def measure_year(size: Size, runs: int, nanxian: str, env: dict, tmp: Path) -> dict:
    year, built = prepare_database(size, reuse=True)
    conn = sqlite3.connect(year)
    visits, answers = (conn.execute("SELECT count(*) FROM visits").fetchone()[0],
                       conn.execute("SELECT count(*) FROM answers").fetchone()[0])
    conn.close()
    source, full = tmp / "source.db", tmp / "full.db"
    bundle, again = tmp / "year.nxb", tmp / "again.nxb"
    samples = {name: Sample() for name in FIGURES}
    loads = [load()]

    def timed(name: str, argv: list[str]) -> None:
        seconds, rss, cpu = run_measured([nanxian, *argv], env=env)
        samples[name].add(seconds, rss, cpu)
        print(f"  {size.name} {name}: {seconds:.1f} s, CPU {cpu:.1f} s, {rss / 1024:.0f} MB (load {load():.2f})",
              flush=True)

    for _ in range(runs):
        for path in (source, full, bundle, again):
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            shutil.rmtree(f"{path}.evidence", ignore_errors=True)
        shutil.copyfile(year, source)
        if Path(f"{year}.evidence").is_dir():  # the demo's photos travel in the bundle
            shutil.copytree(f"{year}.evidence", f"{source}.evidence")
        os.sync()
        timed("export", ["--db", str(source), "sync", "export", "--output", str(bundle), "--since", "all"])
        run_once([nanxian, "--db", str(source), "sync", "export", "--output", str(again), "--since", "all"], env=env)
        os.sync()
        timed("import", ["--db", str(full), "sync", "import", str(bundle)])
        timed("same bundle", ["--db", str(full), "sync", "import", str(bundle)])
        timed("same facts", ["--db", str(full), "sync", "import", str(again)])
    loads.append(load())
    return {"size": size, "visits": visits, "answers": answers, "bundle": bundle.stat().st_size,
            "samples": samples, "runs": runs, "loads": loads, "built": built}


def render(results: list[dict]) -> str:
    loads = [x for r in results for x in r["loads"]]
    unreliable = max(loads) > UNRELIABLE_LOAD
    lines = [f"Load average {min(loads):.2f}–{max(loads):.2f} during the runs"
             + (f" — **over {UNRELIABLE_LOAD}: these figures are unreliable**" if unreliable else "")
             + "; median (min–max) of the runs given.", "",
             "| year | figure | runs | measured | CPU | target | peak memory (≤ 200 MB) | met? |",
             "|---|---|---:|---:|---:|---:|---:|:---:|"]
    for r in results:
        county = r["size"].schools <= 300
        label = LABELS.get(r["size"].name, f"{r['size'].schools} schools")
        year = (f"{label}: {r['size'].schools} schools, {r['visits']:,} visits, {r['answers']:,} answers, bundle "
                f"{r['bundle'] / 1e6:.0f} MB")
        for name, (what, target) in FIGURES.items():
            s = r["samples"][name]
            ok = s.mb <= MEMORY_MB and (not county or s.median <= target)
            goal = f"≤ {target:g} s" if county else "—"
            lines.append(f"| {year} | {what} | {len(s.seconds)} | {s.median:.1f} s ({min(s.seconds):.1f}–"
                         f"{max(s.seconds):.1f}) | {statistics.median(s.cpu):.1f} s | {goal} | {s.mb:.0f} MB | "
                         f"{'yes' if ok else '**no**'} |")
            year = ""
    by_name = {r["size"].name: r for r in results}
    if "county-year" in by_name and "city-year" in by_name:
        county, city = by_name["county-year"], by_name["city-year"]
        small, big = county["samples"]["import"], city["samples"]["import"]
        growth = big.mb / small.mb
        lines += ["", f"Peak memory of the import: {small.mb:.0f} MB for the {county['size'].schools}-school year, "
                      f"{big.mb:.0f} MB for the {city['size'].schools}-school year "
                      f"({city['answers'] / county['answers']:.1f}x the answers): {growth:.2f}x"
                      + (" — it does not grow with the bundle." if growth <= 1.25 else
                         " — **it grows with the bundle**.")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quick", action="store_true")
    which.add_argument("--county", action="store_true", help="the two county years only")
    parser.add_argument("--runs", type=int, default=None, help="runs of each figure (default: county 3, city 1)")
    parser.add_argument("--rebuild", action="store_true", help="build the years' databases again")
    args = parser.parse_args()
    nanxian = str(Path(sys.executable).with_name("nanxian"))
    chosen = ["quick"] if args.quick else ["issue", "county"] if args.county else ["issue", "county", "city"]
    if args.rebuild:
        for name in chosen:
            (Path(__file__).parent / "out" / f"{YEARS[name].name}.json").unlink(missing_ok=True)
    _compile_package()
    results = []
    with tempfile.TemporaryDirectory(prefix="nanxian-sync-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = bureau_env(tmp)
        for name in chosen:
            size = YEARS[name]
            results.append(measure_year(size, args.runs or size.runs, nanxian, env, tmp))
    table = render(results)
    print(table)
    if not args.quick:
        update_readme(table, MARK_BEGIN, MARK_END, "Sync")
        print("(written to benchmarks/README.md)")


if __name__ == "__main__":
    main()
