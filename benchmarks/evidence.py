"""Evidence benchmark: adding a photo and verifying the evidence folder, whole processes.

    python benchmarks/evidence.py            # 5 runs of each figure, 1 GB of photos to verify
    python benchmarks/evidence.py --quick    # 1 run, 100 MB; README.md is not touched

Figures (targets from the evidence issue): `evidence add` of one 5 MB photo (decoded whole, hashed, written and
synced, its row committed) <= 0.5 s whole process; `evidence verify` (every file hashed again) >= 200 MB/s, the
whole process's time counted; `report notice` of a visit with 10 such photos on its failed point (each checked
against its hash, downscaled to an EXIF-free copy and embedded) <= 2 s whole process, as docx and as html.
Each `add` gets a photo the database does not have yet. The photos are noise (so they are 5 MB as JPEG, like a
phone's), made with Pillow before the timing (never committed). The files to verify were just written, so they
are in the page cache: the figure is hashing and the tool, not the disk. Commands run with a bureau's config
file, as in run.py. Results go into README.md between the evidence markers.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import (  # noqa: E402
    ANSWERS_INSPECTOR,
    HERE,
    UNRELIABLE_LOAD,
    Sample,
    _compile_package,
    bureau_env,
    load,
    run_measured,
    run_once,
    update_readme,
)

MARK_BEGIN, MARK_END = "<!-- evidence:begin -->", "<!-- evidence:end -->"
CHECKLIST = """\
id: bench
version: 1
title: {zh: 基准, en: Benchmark}
kind: routine
items:
  - {id: b-photo, text: {zh: 有照片, en: Has a photo}, plan: [21], type: yesno, severity: major}
"""


def photos(folder: Path, count: int) -> list[Path]:
    """`count` different 5 MB JPEGs (2600 x 2000 of noise with an EXIF time), each with its own corner colour."""
    from PIL import Image

    base = Image.frombytes("RGB", (2600, 2000), os.urandom(2600 * 2000 * 3))
    exif = Image.Exif()
    exif[0x0132] = "2020:11:02 10:11:12"
    out = []
    for n in range(count):
        base.paste((n * 37 % 256, n * 91 % 256, n // 256 * 53 % 256), (0, 0, 64, 64))
        buf = io.BytesIO()
        base.save(buf, format="JPEG", quality=90, exif=exif)
        path = folder / f"photo-{n}.jpg"
        path.write_bytes(buf.getvalue())
        out.append(path)
    return out


def cpu_of(run) -> float:
    """The CPU time (user + system) of the processes `run()` starts and waits for: with other work on the
    machine, wall time waits for a CPU too; this does not."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    verify_mb = 100 if args.quick else 1024
    nanxian = str(Path(sys.executable).with_name("nanxian"))
    _compile_package()
    with tempfile.TemporaryDirectory(prefix="nanxian-evidence-bench-") as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "bench.db"
        (tmp / "checklists").mkdir()
        (tmp / "checklists" / "bench.yaml").write_text(CHECKLIST, encoding="utf-8")
        env = {**bureau_env(tmp), "NANXIAN_DB": str(db), "NANXIAN_CHECKLISTS": str(tmp / "checklists")}

        def run(*argv: str) -> str:
            done = subprocess.run([nanxian, *argv], capture_output=True, text=True, env=env, check=True)
            return done.stdout

        (tmp / "roster.yaml").write_text("- {code: B-1, name: 基准学校, town: 南洲镇, stages: primary}\n",
                                         encoding="utf-8")
        run("school", "import", str(tmp / "roster.yaml"))
        run("inspector", "add", "李明")
        run("inspector", "add", ANSWERS_INSPECTOR)  # the config file's supervisor (names must be registered)
        (tmp / "answers.yaml").write_text("school: B-1\nchecklist: bench\ndate: 2020-11-02\ninspector: 李明\n"
                                          "answers: {b-photo: no}\n", encoding="utf-8")
        visit = json.loads(run("inspect", "visit", "--answers", str(tmp / "answers.yaml"), "--format", "json"))["id"]
        pictures = tmp / "photos"
        pictures.mkdir()
        print("making photos …", flush=True)
        made = photos(pictures, runs + max(1, verify_mb * 1024 * 1024 // (5 * 1024 * 1024)))
        size = sum(p.stat().st_size for p in made[:runs]) / runs
        load_before = load()
        add = Sample()
        cpu: list[float] = []
        for path in made[:runs]:
            got: list = []
            cpu.append(cpu_of(lambda p=path, out=got: out.extend(run_once(
                [nanxian, "evidence", "add", visit, "b-photo", str(p)], env=env))))
            seconds, rss = got
            add.seconds.append(seconds)
            add.max_rss_kib = max(add.max_rss_kib, rss)
        run("evidence", "add", visit, "b-photo", *map(str, made[runs:]))  # the rest, for verify
        total = json.loads(run("evidence", "verify", "--format", "json"))["bytes"]
        floor = Sample()  # a minimal Typer app starting up: what the load does to any process here
        verify = Sample()
        for _ in range(runs):  # interleaved: verify, floor, verify, floor, ...
            verify.add(*run_measured([nanxian, "evidence", "verify"], env=env))
            floor.add(*run_once([sys.executable, str(HERE / "floor_typer.py"), "--help"], env=env))
        # a notice with 10 of the photos on its failed point (another visit of the same school)
        (tmp / "answers2.yaml").write_text("school: B-1\nchecklist: bench\ndate: 2020-11-03\ninspector: 李明\n"
                                           "answers: {b-photo: no}\n", encoding="utf-8")
        second = json.loads(run("inspect", "visit", "--answers", str(tmp / "answers2.yaml"), "--format",
                                "json"))["id"]
        run("evidence", "add", second, "b-photo", *map(str, made[runs:runs + 10]))
        notices = {"docx": Sample(), "html": Sample()}
        notice_cpu: dict[str, list[float]] = {"docx": [], "html": []}
        run("report", "notice", second, "--output", str(tmp / "warm-up.docx"))  # numbered once, not timed
        for _ in range(runs):
            for ext, sample in notices.items():
                got = []
                notice_cpu[ext].append(cpu_of(lambda e=ext, out=got: out.extend(run_once(
                    [nanxian, "report", "notice", second, "--output", str(tmp / f"notice.{e}")], env=env))))
                sample.seconds.append(got[0])
                sample.max_rss_kib = max(sample.max_rss_kib, got[1])
        photos_mb = sum(p.stat().st_size for p in made[runs:runs + 10]) / 1e6
        load_after = load()
    rate = total / 1e6 / verify.median
    rates = sorted(total / 1e6 / s for s in verify.seconds)
    unreliable = max(load_before, load_after) > UNRELIABLE_LOAD
    lines = [f"One photo of {size / 1e6:.1f} MB added; {total / 1e6:.0f} MB in {len(made)} files verified "
             f"({verify.text()} a run); {runs} run(s) each, median (min–max); load average {load_before:.2f} before, "
             f"{load_after:.2f} after" + (f" — **over {UNRELIABLE_LOAD}: these figures are unreliable**"
                                          if unreliable else "")
             + f"; a minimal Typer app starts in {floor.text()} here.", "",
             "| figure | measured | target | peak memory | met? |", "|---|---:|---:|---:|:---:|",
             f"| `evidence add` of a 5 MB photo, whole process | {add.text()}; CPU {statistics.median(cpu) * 1000:.0f} "
             f"ms | ≤ 500 ms | {add.mb:.0f} MB | {'yes' if add.median <= 0.5 else '**no**'} |",
             f"| `evidence verify`, whole process | {rate:.0f} MB/s ({rates[0]:.0f}–{rates[-1]:.0f}); "
             f"{total / 1e6 / statistics.median(verify.cpu):.0f} MB per CPU-second | ≥ 200 MB/s | "
             f"{verify.mb:.0f} MB | {'yes' if rate >= 200 else '**no**'} |"]
    for ext, sample in notices.items():
        lines.append(f"| `report notice` with 10 photos ({photos_mb:.0f} MB) as {ext}, whole process | "
                     f"{sample.text()}; CPU {statistics.median(notice_cpu[ext]) * 1000:.0f} ms | ≤ 2000 ms | "
                     f"{sample.mb:.0f} MB | {'yes' if sample.median <= 2 else '**no**'} |")
    table = "\n".join(lines)
    print(table)
    if not args.quick:
        update_readme(table, MARK_BEGIN, MARK_END, "Evidence")
        print("(written to benchmarks/README.md)")


if __name__ == "__main__":
    main()
