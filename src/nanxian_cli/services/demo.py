"""Building the demo county (services/demo_county.py) in its own database: the target checked before anything
is deleted, one build at a time per file, roster and supervisors registered, the visits bulk-imported through
the same path as `inspect visit --answers` (so outcomes, counts, findings and resolutions are the real ones),
most findings then resolved by hand as schools report back."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.services.demo_county import (
    DemoOptions,
    assignments,
    build_roster,
    inspector_names,
    sample_roster_path,
    schedule,
    synth_visits,
)

DEMO_APPLICATION_ID = 0x4E584430  # "NXD0" in PRAGMA application_id: marks a file as a demo database


@dataclass
class DemoResult:
    schools: int = 0
    inspectors: int = 0
    visits: int = 0
    answers: int = 0
    findings_opened: int = 0
    findings_open: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    seconds: float = 0.0
    import_seconds: float = 0.0
    """Generating, judging and writing the visits (the bulk import), without roster and set-up."""
    by_checklist: dict[str, int] = field(default_factory=dict)


def is_demo_database(path: Path) -> bool:
    """True for an SQLite file made by `nanxian demo` (marked with PRAGMA application_id)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False
    return int.from_bytes(header[68:72], "big") == DEMO_APPLICATION_ID


def remove_database(path: Path) -> None:
    """Delete an old demo database, the files beside it and its evidence folder (its generated photos)."""
    import shutil

    from nanxian_cli.files.outputs import evidence_dir

    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(str(path) + suffix).unlink()
        except FileNotFoundError:
            pass
    shutil.rmtree(evidence_dir(Path(path)), ignore_errors=True)


DEMO_PHOTOS = 8


def demo_photo(title: str, day: str, rng: random.Random) -> bytes:
    """A generated JPEG standing for a supervisor's photo of a failed point (made here, never shipped): a
    coloured scene with the point and the day written on it, and an EXIF time taken of that day."""
    import io

    from PIL import Image, ImageDraw

    width, height = 1280, 960
    top = tuple(rng.randint(90, 200) for _ in range(3))
    bottom = tuple(max(0, c - rng.randint(40, 80)) for c in top)
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(6):
        x, y = rng.randint(0, width - 200), rng.randint(height // 3, height - 150)
        w, h = rng.randint(120, 400), rng.randint(80, 300)
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rng.randint(30, 230) for _ in range(3)), outline=(20, 20, 20))
    draw.rectangle([0, height - 90, width, height], fill=(0, 0, 0))
    draw.text((24, height - 70), f"nanxian demo photo   {title}   {day}", fill=(255, 255, 255), font_size=32)
    exif = Image.Exif()
    exif[0x0132] = f"{day.replace('-', ':')} {rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}:00"
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=80, exif=exif)
    return out.getvalue()


def attach_demo_photos(store: Any, rng: random.Random, count: int = DEMO_PHOTOS) -> int:
    """A few generated photos on failed points whose findings are still open, so the notices show evidence."""
    from nanxian_cli.files.evidence import check_bytes
    from nanxian_cli.services.evidence import attach, folder_of, taking_back
    from nanxian_cli.store import evidence as ev_sql

    points = ev_sql.failed_points(store.conn, count)
    folder = folder_of(store)
    for p in points:
        data = demo_photo(p["item_id"], p["opened"], rng)
        photo = check_bytes(data, "demo", f"{p['school_code']}-{p['item_id']}.jpg")
        with store.transaction() as conn, taking_back(folder) as created:
            inspector = conn.execute("SELECT inspector FROM visits WHERE id = ?", (p["visit_id"],)).fetchone()[0]
            attach(conn, folder, [photo], visit_id=p["visit_id"], item_id=p["item_id"], author=inspector,
                   caption=f"{p['text_zh']}（演示照片）", created=created)
    return len(points)


def resolve_by_evidence(store: Any, end: dt.date, inspector_of: dict[str, str], rng: random.Random) -> int:
    """Most schools send rectification evidence before the next check: resolve most open findings
    (`finding resolve`), each on a day after anything else happened to it, so the timeline stays consistent."""
    from nanxian_cli.services.findings import resolve_finding
    from nanxian_cli.store.bulk import open_findings_rows

    resolved = 0
    for row in open_findings_rows(store):
        last_seen = dt.date.fromisoformat(row["last_seen"])
        if rng.random() < 0.25:
            continue  # left open: some of these are overdue at the end
        day = last_seen + dt.timedelta(days=rng.randint(5, 45))
        if day > end:
            continue
        resolve_finding(store, row["id"], "学校提交整改材料，已核实（样本数据）", day,
                        inspector_of.get(row["school_code"]), today=end)
        resolved += 1
    return resolved


@dataclass
class DemoInputs:
    """Everything the demo reads from files, loaded and validated before the target is touched."""

    available: list[Any]  # LoadedChecklist
    roster: list[Any]  # SchoolRow
    plan: Any


def load_inputs(checklists_dir: Path, opts: DemoOptions) -> DemoInputs:
    """The checklists, the roster and the plan, validated (InputError / ValidationFailed, exit 2)."""
    from nanxian_cli.errors import InputError
    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.i18n import tr

    available = load_all(checklists_dir)
    if not available:
        raise InputError(tr(f"{checklists_dir}：文件夹里没有检查表，演示需要至少一个"
                            "（--checklists / NANXIAN_CHECKLISTS）",
                            f"{checklists_dir}: no checklist in this folder; the demo needs at least one "
                            f"(--checklists / NANXIAN_CHECKLISTS)"))
    roster = build_roster(opts.schools, read_roster(sample_roster_path()))
    return DemoInputs(available=available, roster=roster, plan=load_plan())


def build_demo(
    store: Any,
    checklists_dir: Path,
    opts: DemoOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
    roster: list[Any] | None = None,
    inputs: DemoInputs | None = None,
) -> DemoResult:
    """Fill an empty store: roster, supervisors and assignments, the plan, then every visit (bulk path).

    `batch_size` (visits per transaction) defaults to the bulk path's, made smaller for a small county
    so the progress bar moves in about twenty steps. `inputs` (from `load_inputs`) saves reading the files
    again; without it they are read from `checklists_dir` and the bundled data.
    """
    import time

    from nanxian_cli.files.checklist_file import load_plan
    from nanxian_cli.files.checklist_folder import load_all
    from nanxian_cli.files.checklist_versions import by_id
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.services import people
    from nanxian_cli.services.bulk import DEFAULT_BATCH, import_visits
    from nanxian_cli.services.catalog import ensure_plan
    from nanxian_cli.store.bulk import demo_totals

    began = time.perf_counter()
    rng = random.Random(opts.seed)
    if roster is None:
        roster = inputs.roster if inputs is not None else build_roster(opts.schools, read_roster(sample_roster_path()))
    people.import_schools(store, roster)
    names = inspector_names(max(1, round(len(roster) / 5)), rng)
    for name in names:
        people.add_inspector(store, name)
    by_inspector = assignments([row.code for row in roster], names)
    for name, codes in by_inspector.items():
        people.assign(store, name, codes, opts.end.isoformat())
    with store.transaction() as conn:
        ensure_plan(conn, inputs.plan if inputs is not None else load_plan())
    inspector_of = {code: name for name, codes in by_inspector.items() for code in codes}
    schools = []
    for row in roster:
        schools.append({
            "code": row.code, "name": row.name, "town": row.town, "stages": list(row.stages),
            "boarding": row.boarding, "canteen": row.canteen, "school_bus": row.school_bus,
            "ownership": row.ownership, "group": row.group, "inspector": inspector_of.get(row.code),
            "inclusive": row.inclusive,
        })
    available = by_id(inputs.available if inputs is not None else load_all(checklists_dir))  # id -> versions
    planned = schedule(schools, available, opts, rng)
    result = DemoResult(schools=len(schools), inspectors=len(names))
    for pv in planned:
        result.by_checklist[pv.checklist_id] = result.by_checklist.get(pv.checklist_id, 0) + 1
    total = len(planned)
    if batch_size is None:
        batch_size = min(DEFAULT_BATCH, max(200, total // 20))
    if progress:
        progress(0, total)
    stats = import_visits(
        store, synth_visits(schools, available, opts, rng, planned), batch_size=batch_size,
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    result.visits = stats.visits
    result.answers = stats.answers
    result.import_seconds = stats.seconds
    resolve_by_evidence(store, opts.end, inspector_of, rng)
    attach_demo_photos(store, random.Random(opts.seed + 1))
    totals = demo_totals(store)
    result.findings_opened = totals["findings"]
    result.findings_open = totals["open"]
    result.first = planned[0].date if planned else None
    result.last = planned[-1].date if planned else None
    result.seconds = time.perf_counter() - began
    return result


def check_target(path: Path, real_db: Path | None) -> bool:
    """Refuse (InputError, exit 2) a target that is the real database, a folder, or a file that `nanxian demo`
    did not create: the demo never overwrites real records. Touches nothing; True if a demo database is there."""
    from nanxian_cli.errors import InputError
    from nanxian_cli.i18n import tr

    path = Path(path)
    if real_db is not None and _same_file(path, real_db):
        raise InputError(tr(f"{path}：这是正式数据库，演示数据不能写入；请用 --db 指定另一个文件",
                            f"{path}: this is the real database; the demo never writes there "
                            "(give another file with --db)"))
    if path.is_dir():
        raise InputError(tr(f"{path}：是文件夹，需要一个文件名",
                            f"{path}: is a directory, expected a database file name"))
    if path.exists():
        if path.stat().st_size > 0 and not is_demo_database(path):
            raise InputError(tr(
                f"{path}：已存在且不是演示数据库，未作任何改动；请换一个文件名",
                f"{path}: exists and is not a demo database; nothing was changed (choose another file)"))
        return True
    return False


def prepare_target(path: Path, real_db: Path | None) -> bool:
    """Make `path` ready for a fresh demo database; True if an older demo database was removed.

    Refuses (InputError, nothing touched) what `check_target` refuses. Run it under `build_lock(path)` when
    another process may build the same demo at once.
    """
    from nanxian_cli.store.bulk import mark_new_database

    path = Path(path)
    rebuilt = check_target(path, real_db)
    if rebuilt:
        remove_database(path)
    mark_new_database(path, DEMO_APPLICATION_ID)
    return rebuilt


LOCK_WAIT_SECONDS = 1800  # a city-sized demo takes minutes to build


@contextmanager
def build_lock(path: Path, waiting: Callable[[], None] | None = None,
               wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Serialise `demo` runs on one target: an OS lock on `<target>.demo-lock` (the digest's mechanism).

    A second run waits (`waiting()` is called once) and then rebuilds the target itself."""
    from nanxian_cli.errors import RuntimeFailure
    from nanxian_cli.files.locks import LockBusy, exclusive_lock
    from nanxian_cli.i18n import tr

    lock = Path(str(path) + ".demo-lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise RuntimeFailure(tr(f"{lock.parent}：无法创建文件夹：{exc.strerror or exc}",
                                f"{lock.parent}: cannot create the folder: {exc.strerror or exc}")) from None
    with ExitStack() as held:
        try:
            held.enter_context(exclusive_lock(lock, wait_seconds, remove=True, waiting=waiting))
        except LockBusy:
            raise RuntimeFailure(tr(
                f"另一个 demo 进程生成 {path} 已超过 {int(wait_seconds)} 秒（锁 {lock}）；本次未做任何改动",
                f"another demo run has been building {path} for over {int(wait_seconds)} s (lock {lock}); "
                f"nothing was changed by this run")) from None
        except OSError as exc:
            raise RuntimeFailure(tr(f"{lock}：无法创建演示锁文件：{exc.strerror or exc}",
                                    f"{lock}: cannot create the demo lock file: {exc.strerror or exc}")) from None
        yield


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.expanduser().resolve() == b.expanduser().resolve()


def last_complete_week(end: dt.date) -> tuple[int, int]:
    """The ISO week (year, week) of the latest Sunday on or before `end`."""
    sunday = end - dt.timedelta(days=(end.weekday() + 1) % 7)
    iso = sunday.isocalendar()
    return iso[0], iso[1]
