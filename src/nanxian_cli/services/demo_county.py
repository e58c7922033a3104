"""The synthetic county behind `nanxian demo` and the benchmark: roster, supervisors and years of answers.

Everything here is fictitious and deterministic for a given seed. The model behind the answers: each school has
a latent quality, each checklist point a difficulty, schools improve slowly over the years, and a point that
failed last time is usually fixed by the next check (a finding was opened for it). Points that are checked
rarely (special and plan checklists) keep their findings open, so some of them become overdue. The visits it
makes are answers (what a supervisor would have typed), judged by the real `prepare_visit`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_END = dt.date(2020, 12, 31)  # the plan year: stable output for the default demo
DEFAULT_SEED = 2020
ROUTINE = "routine-monthly"
OPENING = "special-school-opening"
SAFETY = "special-campus-safety"
KINDERGARTEN = "assessment-kindergarten"
# Checklists in force from the 2021-22 school year (or 2025): only a demo with a later --end uses them.
ROUTINE_KINDERGARTEN = "routine-kindergarten"  # the monthly visit to a kindergarten, instead of ROUTINE
DROWNING = "special-drowning-prevention"  # before the summer holiday
FIVE_MANAGEMENTS = "special-five-managements"
PROTECTION = "special-student-protection"

SURNAMES = ("王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
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


# -- roster and supervisors --------------------------------------------------------------------------

def sample_roster_path() -> Path:
    from nanxian_cli.config import bundled_data_dir

    return bundled_data_dir() / "schools.sample.yaml"


def build_roster(count: int | None, sample: list[Any]) -> list[Any]:
    """The first `count` sample schools, or the whole sample plus generated schools (codes NX-1001…)."""
    from nanxian_cli.core.roster_models import SchoolRow

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
            code=f"NX-{1001 + i}",
            name=pattern.format(n=numbers[kind], town=town.removesuffix("镇").removesuffix("乡")),
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


def _versions(available: dict[str, Any]) -> dict[str, list[Any]]:
    """Checklist id -> its versions; `available` maps an id to one loaded checklist or to a list of versions."""
    return {cid: list(v) if isinstance(v, list | tuple) else [v] for cid, v in available.items()}


def _in_force(versions: list[Any], day: dt.date) -> Any:
    """The version a visit on `day` is recorded against (validity window and season), or None."""
    from nanxian_cli.core.applicability import in_season

    for loaded in versions:
        if loaded.checklist.valid_on(day) and in_season(loaded.checklist, day):
            return loaded
    return None


def _fits_on(versions: list[Any], school: dict, day: dt.date) -> bool:
    from nanxian_cli.core.applicability import applies

    loaded = _in_force(versions, day)
    return loaded is not None and applies(loaded.checklist, school)


def schedule(schools: list[dict], available: dict[str, Any], opts: DemoOptions,
             rng: random.Random) -> list[PlannedVisit]:
    """Every visit of every school, sorted by date (findings must be applied in time order); each visit uses a
    checklist with a version in force on its date."""
    from nanxian_cli.core.applicability import applies

    versions = _versions(available)
    start = opts.end - dt.timedelta(days=365 * opts.years - 1)
    span = (opts.end - start).days + 1
    total = opts.visits_per_year * opts.years
    plan_ids = sorted(cid for cid in available if cid.startswith("plan-"))
    fits: dict[tuple, list[str]] = {}
    fits_on: dict[tuple, list[str]] = {}
    planned: list[PlannedVisit] = []
    seq = 0
    for school in schools:
        profile = (tuple(school["stages"]), school["boarding"], school["canteen"], school["school_bus"],
                   bool(school.get("inclusive")), school.get("ownership"))
        if profile not in fits:
            fits[profile] = [cid for cid, vs in versions.items() if any(applies(v.checklist, school) for v in vs)]
        every_fit = fits[profile]
        if not every_fit:
            continue
        offset = rng.random()
        months_done: set[tuple[int, int, str]] = set()
        for k in range(total):
            position = (k + offset + rng.uniform(-0.3, 0.3)) / total
            day = _weekday(start + dt.timedelta(days=int(position * span)), start, opts.end)
            if (profile, day) not in fits_on:
                fits_on[profile, day] = [cid for cid in every_fit if _fits_on(versions[cid], school, day)]
            fit = fits_on[profile, day]
            if not fit:
                continue
            plans = [cid for cid in plan_ids if cid in fit]
            ym = (day.year, day.month)
            choice = None
            term = (day.year, 9 if day.month == 9 else 2, OPENING)
            if day.month in (2, 3, 9) and OPENING in fit and term not in months_done:
                choice = OPENING
                months_done.add((day.year, 9 if day.month == 9 else 2, OPENING))
            elif day.month in (4, 11) and SAFETY in fit and (*ym, SAFETY) not in months_done:
                choice = SAFETY
                months_done.add((*ym, SAFETY))
            elif day.month == 6 and KINDERGARTEN in fit and (*ym, KINDERGARTEN) not in months_done:
                choice = KINDERGARTEN
                months_done.add((*ym, KINDERGARTEN))
            elif day.month in (5, 6) and DROWNING in fit and (day.year, 5, DROWNING) not in months_done:
                choice = DROWNING  # seasonal: its summer points are asked in these months
                months_done.add((day.year, 5, DROWNING))
            elif day.month == 10 and FIVE_MANAGEMENTS in fit and (*ym, FIVE_MANAGEMENTS) not in months_done:
                choice = FIVE_MANAGEMENTS
                months_done.add((*ym, FIVE_MANAGEMENTS))
            elif day.month == 12 and PROTECTION in fit and (*ym, PROTECTION) not in months_done:
                choice = PROTECTION
                months_done.add((*ym, PROTECTION))
            elif plans and rng.random() < 0.08:
                choice = rng.choice(plans)
            elif ROUTINE in fit:
                choice = ROUTINE
            elif ROUTINE_KINDERGARTEN in fit:
                choice = ROUTINE_KINDERGARTEN
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
    versions = _versions(available)
    points = {v.hash: plan_points(v.checklist) for vs in versions.values() for v in vs}
    # Points each school failed at its last check of them: usually fixed by the next check.
    failed: dict[str, set[str]] = {s["code"]: set() for s in schools}
    start = opts.end - dt.timedelta(days=365 * opts.years - 1)
    fail_notes = ("现场检查未达标（样本数据）", "资料不全，需补充（样本数据）", None, None)
    for pv in planned:
        school = by_code[pv.school_code]
        loaded = _in_force(versions[pv.checklist_id], pv.date)
        years_in = (pv.date - start).days / 365.0
        base = -3.0 - 0.8 * quality[pv.school_code] - 0.15 * years_in
        school_failed = failed[pv.school_code]
        given: dict[str, GivenAnswer] = {}
        random_ = rng.random
        for point in points[loaded.hash]:
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

