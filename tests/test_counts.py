"""The stored per-visit counts (visits.n_*, w_*) and per-visit x plan-item counts (visit_plan_counts)
always equal a recount from the answers table: latest revision per visit and point, weights and
severities from checklist_items, plan references from checklist_item_plan.

Reports aggregate the stored counts instead of scanning answers, so these tests guard every number
a report shows: after recording, bulk import, drafts answered over several sessions (resume),
submission, amendments (including skip-logic follow-ups) and voids.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nanxian_cli.core.answers import AnswerError, Outcome, judge
from nanxian_cli.core.applicability import auto_na
from nanxian_cli.core.visit import GivenAnswer, prepare_visit
from nanxian_cli.errors import InputError, NotFound
from nanxian_cli.files.checklist_file import load_checklist
from nanxian_cli.files.roster import read_roster
from nanxian_cli.services.bulk import import_visits
from nanxian_cli.services.corrections import amend_answer, void_visit
from nanxian_cli.services.people import find_school, import_schools
from nanxian_cli.services.recording import record_draft_answer, record_visit, start_draft, submit_draft, write_visits
from nanxian_cli.store import open_store

# Weights other than 1, a point on two plan items, a critical point, skip logic, a canteen-only point,
# a kindergarten-only point, n/a allowed, a text point (info).
CHECKLIST = """\
id: c-count
version: 1
title: {zh: 计数测试, en: Count test}
kind: routine
items:
  - {id: c-drill, text: {zh: 演练, en: Drill}, plan: [21, 1], type: yesno, severity: major, weight: 2}
  - {id: c-class, text: {zh: 班额, en: Class size}, plan: [4], type: number, max: 55, severity: critical, weight: 3}
  - id: c-meal
    text: {zh: 陪餐, en: Meals}
    plan: [21]
    type: yesno
    severity: minor
    weight: 0.5
    applies_to: {requires: [canteen]}
    when: {item: c-drill, equals: yes}
  - {id: c-load, text: {zh: 作业, en: Homework}, plan: [12], type: choice, choices: {light: 适量, heavy: 过重}, \
pass: [light]}
  - {id: c-morale, text: {zh: 士气, en: Morale}, plan: [16, 21], type: rating, min: 3, severity: minor, allow_na: true}
  - {id: c-note, text: {zh: 备注, en: Notes}, plan: [19], type: text}
  - {id: c-play, text: {zh: 游戏, en: Play}, plan: [5], type: yesno, applies_to: {stages: [kindergarten]}, \
severity: critical}
"""

ROSTER = """\
- {code: NX-001, name: 南洲实验小学, town: 南洲镇, stages: primary, canteen: true}
- {code: NX-002, name: 华阁镇中心学校, town: 华阁镇, stages: primary junior, boarding: true, canteen: true}
- {code: NX-004, name: 南洲镇中心幼儿园, town: 南洲镇, stages: kindergarten, canteen: true}
- {code: NX-005, name: 乌嘴乡中心学校, town: 乌嘴乡, stages: primary junior, canteen: false}
"""
CODES = ["NX-001", "NX-002", "NX-004", "NX-005"]

# Raw answers a supervisor may give per point (some invalid for the point: the store must refuse them).
RAW = {
    "c-drill": [True, False, "yes", "no", "na", 3],
    "c-class": [40, 55, 56, 70, "58", "na", "many"],
    "c-meal": [True, False, "na"],
    "c-load": ["light", "heavy", "过重", "medium"],
    "c-morale": [1, 3, 5, "na", 6],
    "c-note": ["一切正常", "[bold]x[/]", "=HYPERLINK(\"x\")"],
    "c-play": [True, False],
}

RECOUNT_VISITS = """
WITH latest AS (
    SELECT w.id AS visit_id, a.item_id, a.outcome FROM answers a JOIN visits w ON w.seq = a.visit_seq
    WHERE a.revision = (SELECT max(b.revision) FROM answers b WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id)
)
SELECT v.id,
       coalesce(sum(l.outcome = 'pass'), 0), coalesce(sum(l.outcome = 'fail'), 0),
       coalesce(sum(l.outcome = 'na'), 0), coalesce(sum(l.outcome = 'info'), 0),
       coalesce(sum(CASE WHEN l.outcome = 'pass' THEN ci.weight END), 0.0),
       coalesce(sum(CASE WHEN l.outcome = 'fail' THEN ci.weight END), 0.0),
       coalesce(sum(l.outcome = 'fail' AND ci.severity = 'critical'), 0),
       count(l.item_id)
FROM visits v
LEFT JOIN latest l ON l.visit_id = v.id
LEFT JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = l.item_id
GROUP BY v.id ORDER BY v.id
"""
STORED_VISITS = ("SELECT id, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail, n_items "
                 "FROM visits ORDER BY id")
RECOUNT_PLAN = """
WITH latest AS (
    SELECT w.id AS visit_id, a.item_id, a.outcome FROM answers a JOIN visits w ON w.seq = a.visit_seq
    WHERE a.revision = (SELECT max(b.revision) FROM answers b WHERE b.visit_seq = a.visit_seq AND b.item_id = a.item_id)
)
SELECT v.id, p.plan_item,
       sum(l.outcome = 'pass'), sum(l.outcome = 'fail'), sum(l.outcome = 'na'), sum(l.outcome = 'info'),
       coalesce(sum(CASE WHEN l.outcome = 'pass' THEN ci.weight END), 0.0),
       coalesce(sum(CASE WHEN l.outcome = 'fail' THEN ci.weight END), 0.0),
       sum(l.outcome = 'fail' AND ci.severity = 'critical')
FROM visits v
JOIN latest l ON l.visit_id = v.id
JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = l.item_id
JOIN checklist_item_plan p ON p.hash = v.checklist_hash AND p.item_id = l.item_id
GROUP BY v.id, p.plan_item ORDER BY v.id, p.plan_item
"""
STORED_PLAN = ("SELECT v.id, c.plan_item, c.n_pass, c.n_fail, c.n_na, c.n_info, c.w_pass, c.w_fail, c.n_critical_fail "
               "FROM visit_plan_counts c JOIN visits v ON v.seq = c.visit_seq ORDER BY v.id, c.plan_item")


def _rounded(rows) -> list[tuple]:
    return [tuple(round(x, 9) if isinstance(x, float) else x for x in r) for r in rows]


def assert_rollups_match(conn: sqlite3.Connection) -> None:
    """The roll-ups by month, quarter and year == a GROUP BY recount of the submitted visits' counts (m012)."""
    from nanxian_cli.store.m012_rollups import KEYS, recount_sql

    for kind, key in KEYS.items():
        stored = conn.execute(f"SELECT * FROM {kind}_rollups ORDER BY {', '.join(key)}").fetchall()
        assert _rounded(stored) == _rounded(conn.execute(recount_sql(kind)).fetchall()), kind


def assert_counts_match(path: Path) -> int:
    """Stored counts == recount from answers, for every visit and every (visit, plan item); the roll-ups == a
    recount of those. Returns visits checked."""
    conn = sqlite3.connect(path)
    try:
        stored, recount = conn.execute(STORED_VISITS).fetchall(), conn.execute(RECOUNT_VISITS).fetchall()
        assert _rounded(stored) == _rounded(recount)
        assert _rounded(conn.execute(STORED_PLAN).fetchall()) == _rounded(conn.execute(RECOUNT_PLAN).fetchall())
        assert_rollups_match(conn)
        return len(stored)
    finally:
        conn.close()


class County:
    """A real database with the four-school roster and the count-test checklist."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "counts.db"
        (folder / "c-count.yaml").write_text(CHECKLIST, encoding="utf-8")
        (folder / "roster.yaml").write_text(ROSTER, encoding="utf-8")
        self.loaded = load_checklist(folder / "c-count.yaml")
        self.store = open_store(self.path)
        import_schools(self.store, read_roster(folder / "roster.yaml"))
        self.schools = {code: find_school(self.store, code) for code in CODES}
        self.items = {item.id: item for item in self.loaded.checklist.items}
        self.visits: list[str] = []
        self.drafts: list[str] = []

    def prepared(self, code: str, answers: dict, day: dt.date, partial: bool = False):
        given = {k: GivenAnswer(v, None, f"test:{k}") for k, v in answers.items()}
        return prepare_visit(self.loaded, self.schools[code], day, "李明", given, partial=partial)

    def record(self, code: str, answers: dict, day: dt.date) -> str | None:
        try:
            visit = self.prepared(code, answers, day, partial=True)
        except InputError:
            return None
        record_visit(self.store, visit)
        self.visits.append(visit.id)
        return visit.id

    def draft_answers(self, visit_id: str, code: str, answers: dict) -> None:
        """What the interactive screen does: judge each answer, `na` where the point does not apply."""
        from nanxian_cli.store.visits import current_answers, decode_value, visit_row

        seq = visit_row(self.store.conn, visit_id)["seq"]
        values = {r["item_id"]: Outcome(decode_value(r["value"]), r["outcome"])
                  for r in current_answers(self.store.conn, seq)}
        for item in self.loaded.checklist.items:
            if auto_na(item, self.schools[code], values):
                values[item.id] = Outcome(None, "na")
                record_draft_answer(self.store, visit_id, item.id, None, "na", None, "李明")
                continue
            if item.id not in answers:
                continue
            try:
                result = judge(item, answers[item.id])
            except AnswerError:
                continue
            values[item.id] = result
            record_draft_answer(self.store, visit_id, item.id, result.value, result.outcome, None, "李明")


# -- explicit cases ---------------------------------------------------------------------------------

@pytest.fixture
def county(tmp_path: Path) -> County:
    return County(tmp_path)


ALL_PASS = {"c-drill": True, "c-class": 40, "c-meal": True, "c-load": "light", "c-morale": 4, "c-note": "好"}


def stored(county: County, visit_id: str) -> tuple:
    row = county.store.one("SELECT n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail, n_items "
                           "FROM visits WHERE id = ?", (visit_id,))
    return tuple(row)


def plan_counts(county: County, visit_id: str) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in county.store.query(
        "SELECT plan_item, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail FROM visit_plan_counts WHERE "
        "visit_seq = (SELECT seq FROM visits WHERE id = ?)",
        (visit_id,))}


def test_recorded_visit_exact_counts(county: County):
    vid = county.record("NX-001", dict(ALL_PASS, **{"c-class": 58, "c-load": "heavy"}), dt.date(2020, 11, 2))
    # pass: drill (w2), meal (w0.5), morale (w1); fail: class (w3, critical), load (w1); info: note; na: play
    assert stored(county, vid) == (3, 2, 1, 1, 3.5, 4.0, 1, 7)
    assert plan_counts(county, vid) == {  # the last figure: critical fails (the class size point, plan item 4)
        1: (1, 0, 0, 0, 2.0, 0.0, 0), 4: (0, 1, 0, 0, 0.0, 3.0, 1), 5: (0, 0, 1, 0, 0.0, 0.0, 0),
        12: (0, 1, 0, 0, 0.0, 1.0, 0), 16: (1, 0, 0, 0, 1.0, 0.0, 0), 19: (0, 0, 0, 1, 0.0, 0.0, 0),
        21: (3, 0, 0, 0, 3.5, 0.0, 0),
    }
    assert assert_counts_match(county.path) == 1


def test_skip_logic_and_school_attributes_count_as_na(county: County):
    # no canteen at NX-005: the meal point is na; drill failed so the meal point would be skipped anyway
    vid = county.record("NX-005", dict(ALL_PASS, **{"c-drill": False}), dt.date(2020, 11, 2))
    # pass: class (w3), load (w1), morale (w1); fail: drill (w2); na: meal, play; info: note
    assert stored(county, vid) == (3, 1, 2, 1, 5.0, 2.0, 0, 7)
    assert assert_counts_match(county.path) == 1


def test_amend_changes_counts_and_skip_logic_follow_up(county: County):
    vid = county.record("NX-001", ALL_PASS, dt.date(2020, 11, 2))
    assert stored(county, vid)[:4] == (5, 0, 1, 1)
    amend_answer(county.store, vid, "c-drill", "no", "wrong box ticked", "王督学")
    # drill now fails (w2) and the meal point falls to na by skip logic
    assert stored(county, vid)[:4] == (3, 1, 2, 1)
    assert stored(county, vid)[4:6] == (5.0, 2.0)
    amend_answer(county.store, vid, "c-drill", "yes", "checked again", "王督学")
    assert stored(county, vid)[:4] == (4, 0, 2, 1)  # meal stays na until answered again
    amend_answer(county.store, vid, "c-meal", "no", "asked", "王督学")
    assert stored(county, vid)[:4] == (4, 1, 1, 1)
    assert county.store.one("SELECT count(*) FROM answers WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?)",
                            (vid,))[0] == 7 + 4
    assert assert_counts_match(county.path) == 1


def test_refused_amend_changes_nothing(county: County):
    vid = county.record("NX-001", ALL_PASS, dt.date(2020, 11, 2))
    before = stored(county, vid), plan_counts(county, vid)
    for item, raw in (("c-class", "many"), ("c-play", "yes"), ("c-load", "medium"), ("c-nope", "yes")):
        with pytest.raises((InputError, NotFound)):
            amend_answer(county.store, vid, item, raw, "reason", "王督学")
    assert (stored(county, vid), plan_counts(county, vid)) == before
    assert county.store.one("SELECT count(*) FROM answers")[0] == 7
    assert assert_counts_match(county.path) == 1


def test_void_keeps_counts_equal_to_answers(county: County):
    vid = county.record("NX-002", dict(ALL_PASS, **{"c-class": 60}), dt.date(2020, 11, 2))
    before = stored(county, vid)
    void_visit(county.store, vid, "wrong school", "王督学")
    assert county.store.one("SELECT status FROM visits WHERE id = ?", (vid,))[0] == "void"
    assert stored(county, vid) == before  # a void visit keeps its record; reports leave it out by status
    with pytest.raises(InputError):
        amend_answer(county.store, vid, "c-class", 40, "after void", "王督学")
    assert stored(county, vid) == before
    assert assert_counts_match(county.path) == 1


def test_draft_resumed_over_sessions_then_submitted(county: County):
    vid = start_draft(county.store, county.schools["NX-004"], county.loaded, dt.date(2020, 11, 3), "李明")
    assert stored(county, vid) == (0, 0, 0, 0, 0.0, 0.0, 0, 0)
    assert assert_counts_match(county.path) == 1
    county.draft_answers(vid, "NX-004", {"c-drill": True, "c-class": 20})
    first = stored(county, vid)
    assert first[:2] == (2, 0)
    assert assert_counts_match(county.path) == 1
    # resume: the rest, one answer corrected (a new revision) along the way
    county.draft_answers(vid, "NX-004", {"c-class": 80, "c-meal": False, "c-load": "light", "c-morale": "na",
                                          "c-note": "x", "c-play": False})
    assert county.store.one("SELECT max(revision) FROM answers WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?) "
                            "AND item_id = 'c-class'", (vid,))[0] == 2
    assert stored(county, vid)[:4] == (2, 3, 1, 1)
    submit_draft(county.store, vid, "李明")
    assert stored(county, vid)[:4] == (2, 3, 1, 1)
    assert stored(county, vid)[6] == 2  # class size and play time are critical
    assert assert_counts_match(county.path) == 1


def test_bulk_import_counts(county: County):
    rng = random.Random(5)
    visits = []
    for n in range(60):
        code = CODES[n % 4]
        answers = {k: rng.choice([v for v in values if v not in ("many", "medium", 6, 3)])
                   for k, values in RAW.items()}
        answers = {k: v for k, v in answers.items() if v != "na" or k in ("c-morale",)}
        try:
            visits.append(county.prepared(code, answers, dt.date(2020, 1, 1) + dt.timedelta(days=n), partial=True))
        except InputError:
            continue
    import_visits(county.store, visits, batch_size=9)
    assert assert_counts_match(county.path) == len(visits) > 40


def test_write_visits_then_append_and_refresh(county: County):
    from nanxian_cli.services.recording import new_revision, refresh_counts
    from nanxian_cli.store.visits import visit_row

    visit = county.prepared("NX-001", ALL_PASS, dt.date(2020, 5, 1))
    with county.store.transaction() as conn:
        write_visits(conn, [visit])
    with county.store.transaction() as conn:
        row = visit_row(conn, visit.id)
        new_revision(conn, row, "c-load", "heavy", "fail", None, "typo", "王")
        refresh_counts(conn, row, county.loaded.checklist)
    assert stored(county, visit.id)[:2] == (4, 1)
    assert assert_counts_match(county.path) == 1


# -- property: any sequence of operations ----------------------------------------------------------

answer_sets = st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in RAW.items()})
operation = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(CODES), answer_sets),
    st.tuples(st.just("draft"), st.sampled_from(CODES), answer_sets),
    st.tuples(st.just("resume"), st.integers(0, 5), answer_sets),
    st.tuples(st.just("submit"), st.integers(0, 5)),
    st.tuples(st.just("amend"), st.integers(0, 9), st.sampled_from(sorted(RAW)), st.integers(0, 6)),
    st.tuples(st.just("void"), st.integers(0, 9)),
    st.tuples(st.just("bulk"), st.lists(st.tuples(st.sampled_from(CODES), answer_sets), min_size=1, max_size=6)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=12))
def test_counts_equal_recount_after_any_operations(ops):
    with tempfile.TemporaryDirectory() as tmp:
        county = County(Path(tmp))
        day = dt.date(2020, 9, 1)
        codes_of: dict[str, str] = {}
        try:
            for op in ops:
                day += dt.timedelta(days=1)
                kind = op[0]
                if kind == "record":
                    vid = county.record(op[1], op[2], day)
                    if vid:
                        codes_of[vid] = op[1]
                elif kind == "draft":
                    vid = start_draft(county.store, county.schools[op[1]], county.loaded, day, "李明")
                    county.drafts.append(vid)
                    county.visits.append(vid)
                    codes_of[vid] = op[1]
                    county.draft_answers(vid, op[1], op[2])
                elif kind == "resume" and county.drafts:
                    vid = county.drafts[op[1] % len(county.drafts)]
                    try:
                        county.draft_answers(vid, codes_of[vid], op[2])
                    except InputError:
                        pass  # the draft was submitted or voided meanwhile: refused, nothing written
                elif kind == "submit" and county.drafts:
                    vid = county.drafts[op[1] % len(county.drafts)]
                    try:
                        submit_draft(county.store, vid, "李明")
                    except InputError:
                        pass
                elif kind == "amend" and county.visits:
                    vid = county.visits[op[1] % len(county.visits)]
                    values = RAW[op[2]]
                    try:
                        amend_answer(county.store, vid, op[2], values[op[3] % len(values)], "correction", "王")
                    except (InputError, NotFound):
                        pass
                elif kind == "void" and county.visits:
                    vid = county.visits[op[1] % len(county.visits)]
                    try:
                        void_visit(county.store, vid, "entered twice", "王")
                    except InputError:
                        pass
                elif kind == "bulk":
                    batch = []
                    for code, answers in op[1]:
                        try:
                            batch.append(county.prepared(code, answers, day, partial=True))
                        except InputError:
                            continue
                    import_visits(county.store, batch, batch_size=2)
                    county.visits.extend(v.id for v in batch)
                assert_counts_match(county.path)
        finally:
            county.store.close()


# -- the reports' numbers equal the straightforward SQL over answers (the benchmark's floor queries) ---

def _bench_module():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("nanxian_bench_run", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("nanxian_bench_run", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_county(tmp_path_factory) -> Path:
    from nanxian_cli.config import bundled_checklists_dir
    from nanxian_cli.services import demo as core

    path = tmp_path_factory.mktemp("county") / "county.db"
    core.prepare_target(path, None)
    with open_store(path) as store:
        core.build_demo(store, bundled_checklists_dir(), core.DemoOptions(schools=15, years=2, visits_per_year=10))
        # an amendment and a void, so "latest revision" and "submitted only" matter
        vid = store.one("SELECT id FROM visits WHERE date >= '2020-03-01' ORDER BY date LIMIT 1")[0]
        item = store.one("SELECT item_id FROM answers WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?) "
                         "AND outcome = 'pass' ORDER BY item_id LIMIT 1",
                         (vid,))[0]
        raw = {"true": "no", "false": "yes"}.get(store.one("SELECT value FROM answers WHERE visit_seq = "
                                                           "(SELECT seq FROM visits WHERE id = ?) AND item_id = ?",
                                                           (vid, item))[0])
        if raw is not None:
            amend_answer(store, vid, item, raw, "benchmark parity", "测试")
        other = store.one("SELECT id FROM visits WHERE date >= '2020-06-01' ORDER BY date LIMIT 1")[0]
        void_visit(store, other, "entered twice", "测试")
    return path


@pytest.mark.parametrize("start, end",
                         [("2020-01-01", "2020-12-31"), ("2019-01-01", "2020-12-31"), ("2020-05-04", "2020-05-10")])
def test_summary_equals_the_benchmark_recount(cli, demo_county: Path, start: str, end: str):
    import json

    bench = _bench_module()
    result = cli("--db", demo_county, "report", "summary", "--from", start, "--to", end, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    conn = sqlite3.connect(demo_county)
    try:
        statements = [s for s in bench.shell_summary(start, end).split(";") if s.strip()]
        per_school = {r[0]: r[1:] for r in conn.execute(statements[0])}
        totals = conn.execute(statements[1]).fetchone()
        findings = {r[0]: r[1:] for r in conn.execute(statements[2])}
    finally:
        conn.close()
    visited = {r["key"]: r for r in data["rows"] if r["visits"]}
    assert set(visited) == set(per_school)
    for code, (visits, passed, failed, na, rate) in per_school.items():
        row = visited[code]
        assert (row["visits"], row["pass"], row["fail"], row["na"]) == (visits, passed, failed, na), code
        assert row["compliance_rate"] == (round(passed / (passed + failed), 4) if passed + failed else None)
        assert rate == pytest.approx(row["compliance_rate"], abs=1.01e-4)
    t = data["totals"]
    assert (t["visits"], t["schools"], t["pass"], t["fail"], t["na"]) == tuple(totals)
    for r in data["rows"]:
        assert (r["open_findings"], r["overdue_findings"]) == tuple(findings.get(r["key"], (0, 0))), r["key"]


def test_matrix_equals_the_benchmark_recount(cli, demo_county: Path):
    import json

    bench = _bench_module()
    result = cli("--db", demo_county, "report", "matrix", "--from", "2020-01-01", "--to", "2020-12-31", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    conn = sqlite3.connect(demo_county)
    try:
        # the rate from the shell's pass and fail, rounded as the reports round (Python's round, 4 places)
        expected = {(r[0], r[1]): round(r[2] / (r[2] + r[3]), 4) if r[2] + r[3] else None
                    for r in conn.execute(bench.shell_matrix("2020-01-01", "2020-12-31"))}
    finally:
        conn.close()
    got = {(row["code"], int(number)): rate for row in data["rows"] for number, rate in row["cells"].items()
           if rate is not None}
    assert len(got) > 100
    assert got == {key: rate for key, rate in expected.items() if rate is not None}
