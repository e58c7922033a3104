"""A synthetic county for `nanxian demo` and the benchmark: roster, supervisors and years of visits.

Everything here is fictitious and deterministic for a given seed. Visits are produced as answers
(what a supervisor would have typed) and then go through the same `prepare_visit` + `write_visits`
path as `inspect visit --answers`, so outcomes, counts, findings and resolutions are the real ones.

The model behind the answers: each school has a latent quality, each checklist point a difficulty,
schools improve slowly over the years, and a point that failed last time is usually fixed by the
next check (a finding was opened for it). Points that are checked rarely (special and plan
checklists) keep their findings open, so some of them become overdue.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_END = dt.date(2020, 12, 31)  # the plan year: stable output for the default demo
DEFAULT_SEED = 2020
DEMO_APPLICATION_ID = 0x4E584430  # "NXD0" in PRAGMA application_id: marks a file as a demo database
ROUTINE = "routine-monthly"
OPENING = "special-school-opening"
SAFETY = "special-campus-safety"
KINDERGARTEN = "assessment-kindergarten"

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国志明秀英丽华伟强敏静军平芳娟红霞桂兰玉梅海燕春生文杰晓东立新国庆建华振宇雪梅丽娜俊峰永刚学军德明美玲"

# Generated schools beyond the sample roster: (name pattern, stages, boarding, canteen, school_bus).
# `（样本）` marks every generated name as fictitious.
GENERATED_KINDS: list[tuple[str, list[str], bool, bool, bool]] = [
    ("南县第{n}完全小学（样本）", ["primary"], False, True, False),
    ("{town}第{n}小学（样本）", ["primary"], False, False, False),
    ("{town}第{n}学校（样本）", ["primary", "junior"], True, True, True),
    ("{town}第{n}幼儿园（样本）", ["kindergarten"], False, True, False),
    ("南县第{n}初级中学（样本）", ["junior"], True, True, False),
]


@dataclass
class DemoOptions:
    schools: int | None = None
    """How many schools; None = the whole sample roster. More than the sample: generated ones are added."""
    years: int = 1
    visits_per_year: int = 12
    seed: int = DEFAULT_SEED
    end: dt.date = DEFAULT_END


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


# -- roster and supervisors --------------------------------------------------------------------------

def sample_roster_path() -> Path:
    from nanxian_cli.config import bundled_data_dir

    return bundled_data_dir() / "schools.sample.yaml"


def build_roster(count: int | None, sample: list[Any]) -> list[Any]:
    """The first `count` sample schools, or the whole sample plus generated schools (codes NX-1001…)."""
    from nanxian_cli.core.models import SchoolRow

    if count is None:
        return list(sample)
    if count <= len(sample):
        return list(sample[:count])
    towns = sorted({row.town for row in sample if row.town}) or ["南洲镇"]
    rows = list(sample)
    numbers = [0] * len(GENERATED_KINDS)
    for i in range(count - len(sample)):
        kind = i % len(GENERATED_KINDS)
        numbers[kind] += 1
        pattern, stages, boarding, canteen, bus = GENERATED_KINDS[kind]
        town = towns[i % len(towns)]
        rows.append(SchoolRow(
            code=f"NX-{1001 + i}", name=pattern.format(n=numbers[kind], town=town.removesuffix("镇").removesuffix("乡")),
            town=town, stages=stages, boarding=boarding, canteen=canteen, school_bus=bus,
            group="",
        ))
    return rows


def inspector_names(count: int, rng: random.Random) -> list[str]:
    """Distinct, generated two- or three-character Chinese names."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        given_len = 1 if rng.random() < 0.3 else 2
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given_len))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def assignments(codes: list[str], inspectors: list[str]) -> dict[str, list[str]]:
    """Round-robin by roster order: about five schools each, neighbours usually under different supervisors."""
    plan: dict[str, list[str]] = {name: [] for name in inspectors}
    for i, code in enumerate(codes):
        plan[inspectors[i % len(inspectors)]].append(code)
    return plan


# -- answers -------------------------------------------------------------------------------------------

@dataclass
class PointPlan:
    """What a supervisor answers for one point: a passing and (when possible) a failing raw answer."""

    item_id: str
    pass_raw: Any
    fail_raw: Any | None
    difficulty: float
    allow_na: bool
    facts: tuple[str, ...] = ()
    """An unscored choice (a fact such as the school's size, often a gate for `when`): its options."""


def _candidates(item: Any) -> tuple[list[Any], list[Any]]:
    t = item.type
    if t == "yesno":
        yes = item.expect_value
        return [yes], [not yes]
    if t == "rating":
        low = int(math.ceil(item.min))
        return [min(5, low + 1), low], [low - 1] if low > 1 else []
    if t == "number":
        lo, hi = item.min, item.max
        if lo is not None and hi is not None:
            good = [round((lo + hi) / 2), (lo + hi) / 2]
            bad = [math.floor(lo) - 1, math.ceil(hi) + 1]
        elif lo is not None:
            good = [math.ceil(lo * 1.1) if lo > 0 else math.ceil(lo) + 1, math.ceil(lo)]
            bad = [math.floor(lo * 0.8) if lo > 0 else math.floor(lo) - 1, math.floor(lo) - 1]
        else:
            good = [math.floor(hi * 0.9) if hi > 0 else math.floor(hi) - 1, math.floor(hi)]
            bad = [math.ceil(hi * 1.1) + 1 if hi > 0 else math.ceil(hi) + 1]
        return good, bad
    if t == "choice":
        passing = list(item.pass_ or [])
        failing = [k for k in (item.choices or {}) if k not in passing]
        return passing[:1], failing[:1]
    return ["（样本记录）现场情况正常"], []


def plan_points(checklist: Any) -> list[PointPlan]:
    """A passing and a failing answer per point, each checked with the real `judge`."""
    from nanxian_cli.core.answers import AnswerError, judge

    points = []
    for item in checklist.items:
        if item.type == "choice" and not item.pass_ and item.choices:
            options = tuple(item.choices)
            points.append(PointPlan(item.id, options[0], None, 0.0, bool(item.allow_na), options))
            continue
        good, bad = _candidates(item)
        pass_raw = fail_raw = None
        want_pass = "info" if item.type == "text" else "pass"
        for raw in good:
            try:
                if judge(item, raw).outcome == want_pass:
                    pass_raw = raw
                    break
            except AnswerError:
                continue
        for raw in bad:
            try:
                if judge(item, raw).outcome == "fail":
                    fail_raw = raw
                    break
            except AnswerError:
                continue
        if pass_raw is None:
            continue  # cannot be answered sensibly by the generator; prepare_visit leaves it missing
        difficulty = random.Random(f"difficulty:{item.id}").gauss(0.0, 1.0)
        if item.severity == "critical":
            difficulty -= 0.8  # serious problems are rarer
        elif item.severity == "minor":
            difficulty += 0.4
        points.append(PointPlan(item.id, pass_raw, fail_raw, difficulty, bool(item.allow_na)))
    return points


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- visit schedule ----------------------------------------------------------------------------------

@dataclass(order=True)
class PlannedVisit:
    date: dt.date
    seq: int
    school_code: str = field(compare=False)
    checklist_id: str = field(compare=False)
    visit_id: str = field(compare=False)


def _weekday(day: dt.date, lo: dt.date, hi: dt.date) -> dt.date:
    if day.weekday() == 5:
        day -= dt.timedelta(days=1)
    elif day.weekday() == 6:
        day += dt.timedelta(days=1)
    return min(max(day, lo), hi)


def schedule(schools: list[dict], available: dict[str, Any], opts: DemoOptions, rng: random.Random) -> list[PlannedVisit]:
    """Every visit of every school, sorted by date (findings must be applied in time order)."""
    from nanxian_cli.core.applicability import applies

    start = opts.end - dt.timedelta(days=365 * opts.years - 1)
    span = (opts.end - start).days + 1
    total = opts.visits_per_year * opts.years
    plan_ids = sorted(cid for cid in available if cid.startswith("plan-"))
    fits: dict[tuple, list[str]] = {}
    planned: list[PlannedVisit] = []
    seq = 0
    for school in schools:
        profile = (tuple(school["stages"]), school["boarding"], school["canteen"], school["school_bus"])
        if profile not in fits:
            fits[profile] = [cid for cid, loaded in available.items() if applies(loaded.checklist, school)]
        fit = fits[profile]
        if not fit:
            continue
        plans = [cid for cid in plan_ids if cid in fit]
        offset = rng.random()
        months_done: set[tuple[int, int, str]] = set()
        for k in range(total):
            position = (k + offset + rng.uniform(-0.3, 0.3)) / total
            day = _weekday(start + dt.timedelta(days=int(position * span)), start, opts.end)
            ym = (day.year, day.month)
            choice = None
            if day.month in (2, 3, 9) and OPENING in fit and (day.year, 9 if day.month == 9 else 2, OPENING) not in months_done:
                choice = OPENING
                months_done.add((day.year, 9 if day.month == 9 else 2, OPENING))
            elif day.month in (4, 11) and SAFETY in fit and (*ym, SAFETY) not in months_done:
                choice = SAFETY
                months_done.add((*ym, SAFETY))
            elif day.month == 6 and KINDERGARTEN in fit and (*ym, KINDERGARTEN) not in months_done:
                choice = KINDERGARTEN
                months_done.add((*ym, KINDERGARTEN))
            elif plans and rng.random() < 0.08:
                choice = rng.choice(plans)
            elif ROUTINE in fit:
                choice = ROUTINE
            else:
                choice = fit[k % len(fit)]
            visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            planned.append(PlannedVisit(day, seq, school["code"], choice, visit_id))
            seq += 1
    planned.sort()
    return planned


def synth_visits(schools: list[dict], available: dict[str, Any], opts: DemoOptions, rng: random.Random,
                 planned: list[PlannedVisit] | None = None) -> Iterator[Any]:
    """Prepared visits, lazily, in date order: answers generated, then judged by `prepare_visit`."""
    from nanxian_cli.core.visit import GivenAnswer, prepare_visit

    if planned is None:
        planned = schedule(schools, available, opts, rng)
    by_code = {s["code"]: s for s in schools}
    quality = {s["code"]: rng.gauss(0.0, 0.9) for s in schools}
    points = {cid: plan_points(loaded.checklist) for cid, loaded in available.items()}
    # Points each school failed at its last check of them: usually fixed by the next check.
    failed: dict[str, set[str]] = {s["code"]: set() for s in schools}
    start = opts.end - dt.timedelta(days=365 * opts.years - 1)
    fail_notes = ("现场检查未达标（样本数据）", "资料不全，需补充（样本数据）", None, None)
    for pv in planned:
        school = by_code[pv.school_code]
        loaded = available[pv.checklist_id]
        years_in = (pv.date - start).days / 365.0
        base = -3.0 - 0.8 * quality[pv.school_code] - 0.15 * years_in
        school_failed = failed[pv.school_code]
        given: dict[str, GivenAnswer] = {}
        random_ = rng.random
        for point in points[pv.checklist_id]:
            if point.allow_na and random_() < 0.03:
                given[point.item_id] = GivenAnswer("na")
                continue
            if point.facts:  # the same fact for a school at every visit
                given[point.item_id] = GivenAnswer(point.facts[zlib.crc32(pv.school_code.encode()) % len(point.facts)])
                continue
            if point.fail_raw is None:
                given[point.item_id] = GivenAnswer(point.pass_raw)
                continue
            if point.item_id in school_failed:
                p_fail = 0.3
            else:
                p_fail = _sigmoid(base + 0.9 * point.difficulty)
            if random_() < p_fail:
                given[point.item_id] = GivenAnswer(point.fail_raw, fail_notes[int(random_() * 4)])
                school_failed.add(point.item_id)
            else:
                given[point.item_id] = GivenAnswer(point.pass_raw)
                school_failed.discard(point.item_id)
        visit = prepare_visit(
            loaded, school, pv.date, school.get("inspector") or "督学（样本）", given,
            partial=True, visit_id=pv.visit_id, where=f"demo:{pv.visit_id[:8]}",
        )
        visit.source = "demo"
        yield visit


# -- the whole demo database -------------------------------------------------------------------------

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
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(str(path) + suffix).unlink()
        except FileNotFoundError:
            pass


def resolve_by_evidence(store: Any, end: dt.date, inspector_of: dict[str, str], rng: random.Random) -> int:
    """Most schools send rectification evidence before the next check: resolve most open findings
    (`finding resolve`), each on a day after anything else happened to it, so the timeline stays consistent."""
    from nanxian_cli.store.bulk import open_findings_rows
    from nanxian_cli.services.findings import resolve_finding

    resolved = 0
    for row in open_findings_rows(store):
        last_seen = dt.date.fromisoformat(row["last_seen"])
        if rng.random() < 0.25:
            continue  # left open: some of these are overdue at the end
        day = last_seen + dt.timedelta(days=rng.randint(5, 45))
        if day > end:
            continue
        resolve_finding(store, row["id"], "学校提交整改材料，已核实（样本数据）", day, inspector_of.get(row["school_code"]),
                        today=end)
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
    from nanxian_cli.files.checklists import load_all, load_plan
    from nanxian_cli.errors import InputError
    from nanxian_cli.i18n import tr
    from nanxian_cli.files.roster import read_roster

    available = load_all(checklists_dir)
    if not available:
        raise InputError(tr(f"{checklists_dir}：文件夹里没有检查表，演示需要至少一个（--checklists / NANXIAN_CHECKLISTS）",
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

    from nanxian_cli.services.bulk import DEFAULT_BATCH, import_visits
    from nanxian_cli.files.checklists import load_all, load_plan
    from nanxian_cli.files.roster import read_roster
    from nanxian_cli.services import people
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
        })
    available = {loaded.checklist.id: loaded
                 for loaded in (inputs.available if inputs is not None else load_all(checklists_dir))}
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
                            f"{path}: this is the real database; the demo never writes there (give another file with --db)"))
    if path.is_dir():
        raise InputError(tr(f"{path}：是文件夹，需要一个文件名", f"{path}: is a directory, expected a database file name"))
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
    from nanxian_cli.i18n import tr
    from nanxian_cli.files.locks import LockBusy, exclusive_lock

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
