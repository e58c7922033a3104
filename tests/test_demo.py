"""`nanxian demo` and the bulk import path: a separate, deterministic, believable demo database."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest

from nanxian_cli.errors import StoreError
from nanxian_cli.files.checklist_folder import load_all
from nanxian_cli.files.roster import read_roster
from nanxian_cli.services import demo as core
from nanxian_cli.services import demo_county as county
from nanxian_cli.services.bulk import import_visits
from nanxian_cli.services.people import import_schools
from nanxian_cli.services.recording import record_visit
from nanxian_cli.store import open_store

SMALL = ["--schools", "6", "--visits-per-year", "4"]


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def scalar(db: Path, sql: str, params: tuple = ()):
    return rows(db, sql, params)[0][0]


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    return tmp_path / "demo" / "demo.db"


# -- the default demo ---------------------------------------------------------------------------

def test_default_demo_builds_the_sample_county_and_shows_reports(cli, demo_db: Path, db_path: Path):
    result = cli("demo", "--db", demo_db)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "40 schools, 8 supervisor(s), 480 visits" in out
    assert "Compliance summary" in out
    assert "Period: 2020-01-02 – 2020-12-31" in out
    assert "digest 2020-W52 (2020-12-21 to 2020-12-27)" in out
    assert "demo data" in out
    assert "Recording visits" in result.stderr
    # the real database was never created
    assert not db_path.exists()
    assert scalar(demo_db, "SELECT count(*) FROM schools") == 40
    assert scalar(demo_db, "SELECT count(*) FROM inspectors") == 8
    assert scalar(demo_db, "SELECT count(*) FROM assignments") == 40
    assert rows(demo_db,
                "SELECT min(c), max(c) FROM (SELECT count(*) c FROM assignments GROUP BY inspector_id)") == [(5, 5)]
    assert rows(demo_db, "SELECT status, source, count(*) FROM visits GROUP BY 1, 2") == [("submitted", "demo", 480)]
    assert rows(demo_db, "SELECT min(date), max(date) FROM visits") == [("2020-01-02", "2020-12-31")]
    assert scalar(demo_db, "SELECT count(*) FROM plan_items") == 21
    # every visit answers every point of its checklist (na where it does not apply), unscored facts included
    assert scalar(demo_db, "SELECT count(*) FROM visits v WHERE n_items != "
                           "(SELECT count(*) FROM checklist_items ci WHERE ci.hash = v.checklist_hash)") == 0
    assert scalar(demo_db, "SELECT count(DISTINCT value) FROM answers WHERE item_id = 'cs-guard-headcount'") == 3
    # every visit's inspector is the school's responsible supervisor
    assert scalar(demo_db, "SELECT count(*) FROM visits v JOIN assignments a ON a.school_code = v.school_code "
                           "JOIN inspectors i ON i.id = a.inspector_id WHERE i.name != v.inspector") == 0
    # 12 visits per school, every school
    assert rows(demo_db,
                "SELECT min(c), max(c) FROM (SELECT count(*) c FROM visits GROUP BY school_code)") == [(12, 12)]
    # kindergartens get their assessment; primary and secondary schools do not
    kg = rows(demo_db, "SELECT DISTINCT s.stages FROM visits v JOIN schools s ON s.code = v.school_code "
                       "WHERE v.checklist_id = 'assessment-kindergarten'")
    assert kg == [("kindergarten",)]
    opening_months = {r[0] for r in rows(demo_db, "SELECT DISTINCT substr(date, 6, 2) FROM visits "
                                                  "WHERE checklist_id = 'special-school-opening'")}
    assert opening_months <= {"02", "03", "09"} and opening_months


def test_demo_has_real_differences_findings_resolutions_and_overdue(cli, demo_db: Path):
    assert cli("demo", "--db", demo_db).exit_code == 0
    rates = [r[1] for r in rows(demo_db, "SELECT school_code, 1.0 * sum(n_pass) / (sum(n_pass) + sum(n_fail)) "
                                         "FROM visits GROUP BY school_code")]
    assert max(rates) - min(rates) > 0.15  # schools differ
    assert 0.8 < sum(rates) / len(rates) < 0.97
    statuses = dict(rows(demo_db, "SELECT status, count(*) FROM findings GROUP BY status"))
    assert statuses["open"] > 0 and statuses["resolved"] > statuses["open"]
    # resolved both by a later passing visit and by `finding resolve`
    assert scalar(demo_db,
                  "SELECT count(*) FROM findings WHERE status = 'resolved' AND resolved_by_visit IS NOT NULL") > 0
    assert scalar(demo_db, "SELECT count(*) FROM findings WHERE status = 'resolved' AND resolved_by_visit IS NULL") > 0
    assert scalar(demo_db, "SELECT count(*) FROM findings WHERE status = 'open' AND due < '2020-12-31'") > 0
    # re-checks of still-open findings happened
    assert scalar(demo_db, "SELECT count(*) FROM finding_steps WHERE kind = 'recheck_failed'") > 0
    # a finding is never resolved before it was opened or after the end of the demo
    assert scalar(demo_db,
                  "SELECT count(*) FROM findings WHERE resolved_on < opened OR resolved_on > '2020-12-31'") == 0
    # one open finding per school and point at most (the store's invariant survives the bulk path)
    assert scalar(demo_db, "SELECT count(*) FROM (SELECT 1 FROM findings WHERE status = 'open' "
                           "GROUP BY school_code, point_key HAVING count(*) > 1)") == 0
    # each failed answer of a submitted visit opened a finding or re-checked an open one
    fails = scalar(demo_db, "SELECT sum(n_fail) FROM visits")
    events = scalar(demo_db, "SELECT count(*) FROM finding_steps WHERE kind IN ('opened', 'recheck_failed')")
    assert fails == events


def test_same_seed_same_county_other_seed_other_county(cli, tmp_path: Path):
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    for path, seed in ((a, "7"), (b, "7"), (c, "8")):
        assert cli("demo", "--db", path, *SMALL, "--seed", seed).exit_code == 0
    visits = "SELECT id, school_code, checklist_id, date, inspector, n_pass, n_fail, n_na FROM visits ORDER BY id"
    answers = ("SELECT v.id, a.item_id, a.value, a.outcome, a.note FROM answers a JOIN visits v ON v.seq = a.visit_seq "
               "ORDER BY v.id, a.item_id")
    findings = "SELECT school_code, item_id, opened, due, status, resolved_on FROM findings ORDER BY id"
    for sql in (visits, answers, findings):
        assert rows(a, sql) == rows(b, sql)
    assert rows(a, visits) != rows(c, visits)
    assert rows(a, "SELECT name FROM inspectors ORDER BY id") == rows(b, "SELECT name FROM inspectors ORDER BY id")


def test_visit_ids_are_uuid4_from_the_seed(cli, demo_db: Path):
    assert cli("demo", "--db", demo_db, *SMALL).exit_code == 0
    import uuid

    ids = [r[0] for r in rows(demo_db, "SELECT id FROM visits")]
    for text in ids:
        assert uuid.UUID(text).version == 4
    assert len(set(ids)) == len(ids) == 24


def test_rebuilds_an_existing_demo_database_from_scratch(cli, demo_db: Path):
    assert cli("demo", "--db", demo_db, *SMALL).exit_code == 0
    first = rows(demo_db, "SELECT id FROM visits ORDER BY id")
    result = cli("demo", "--db", demo_db, *SMALL)
    assert result.exit_code == 0, result.output
    assert "Rebuilding the demo database from scratch" in result.stderr
    assert rows(demo_db, "SELECT id FROM visits ORDER BY id") == first  # not doubled
    assert scalar(demo_db, "SELECT count(*) FROM schools") == 6


def test_sizes_and_generated_roster(cli, demo_db: Path):
    result = cli("demo", "--db", demo_db, "--schools", "47", "--years", "2", "--visits-per-year", "3", "--end",
                 "2021-06-30")
    assert result.exit_code == 0, result.output
    assert scalar(demo_db, "SELECT count(*) FROM schools") == 47
    generated = rows(demo_db, "SELECT code, name FROM schools WHERE code >= 'NX-1000' ORDER BY code")
    assert [c for c, _ in generated] == [f"NX-{n}" for n in range(1001, 1008)]
    assert all(name.endswith("（样本）") for _, name in generated)
    assert len({name for _, name in generated}) == 7
    assert scalar(demo_db, "SELECT count(*) FROM visits") == 47 * 2 * 3
    assert rows(demo_db, "SELECT min(date) >= '2019-07-02', max(date) <= '2021-06-30' FROM visits") == [(1, 1)]
    assert scalar(demo_db, "SELECT count(*) FROM inspectors") == 9  # about one per five schools


def test_fewer_schools_than_the_sample(cli, demo_db: Path):
    assert cli("demo", "--db", demo_db, "--schools", "3", "--visits-per-year", "2").exit_code == 0
    assert rows(demo_db, "SELECT code FROM schools ORDER BY code") == [("NX-001",), ("NX-002",), ("NX-003",)]
    assert scalar(demo_db, "SELECT count(*) FROM inspectors") == 1


def test_default_location_is_a_separate_demo_file(cli, tmp_path: Path, db_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = cli("demo", "--schools", "2", "--visits-per-year", "1")
    assert result.exit_code == 0, result.output
    target = tmp_path / "xdg" / "nanxian" / "demo.db"
    assert target.is_file()
    assert str(target) in result.stdout.replace("\n", "")
    assert not db_path.exists()
    assert core.is_demo_database(target)
    assert target.stat().st_mode & 0o777 == 0o600


# -- never the real database ------------------------------------------------------------------------

def test_refuses_the_real_database(cli, schools, db_path: Path):
    before = db_path.read_bytes()
    result = cli("demo", "--db", db_path, *SMALL)
    assert result.exit_code == 2
    assert "real database" in result.stderr
    assert db_path.read_bytes() == before
    assert scalar(db_path, "SELECT count(*) FROM schools") == 5
    assert scalar(db_path, "SELECT count(*) FROM visits") == 0


def test_refuses_a_real_database_that_is_not_the_configured_one(cli, schools, db_path: Path, tmp_path: Path):
    other = tmp_path / "copy.db"
    other.write_bytes(db_path.read_bytes())
    result = cli("demo", "--db", other, *SMALL)
    assert result.exit_code == 2
    assert "is not a demo database" in result.stderr
    assert other.read_bytes() == db_path.read_bytes()


def test_global_db_option_naming_the_real_database_is_refused(cli, schools, db_path: Path, tmp_path: Path, monkeypatch):
    # Contract v2: the global --db names the demo's target; the real database (NANXIAN_DB here) is refused.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    before = db_path.read_bytes()
    result = cli("--db", db_path, "demo", "--schools", "2", "--visits-per-year", "1")
    assert result.exit_code == 2
    assert "real database" in result.stderr
    assert db_path.read_bytes() == before
    assert scalar(db_path, "SELECT count(*) FROM visits") == 0
    assert not (tmp_path / "xdg" / "nanxian" / "demo.db").exists()


def test_refuses_other_files(cli, tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_bytes(b"\xff\xfe not a database [bold]x[/]")
    result = cli("demo", "--db", text, *SMALL)
    assert result.exit_code == 2
    assert text.read_bytes() == b"\xff\xfe not a database [bold]x[/]"
    folder = tmp_path / "folder"
    folder.mkdir()
    result = cli("demo", "--db", folder, *SMALL)
    assert result.exit_code == 2
    assert "directory" in result.stderr


def test_hostile_path_is_printed_as_text(cli, tmp_path: Path):
    target = tmp_path / "[bold]x[/]<script>.db"
    result = cli("demo", "--db", target, "--schools", "2", "--visits-per-year", "1")
    assert result.exit_code == 0, result.output
    assert "[bold]x[/]<script>.db" in result.stdout.replace("\n", "")
    assert target.is_file()


@pytest.mark.parametrize("args, message", [
    (["--schools", "0"], "--schools"),
    (["--schools", "abc"], "--schools"),
    (["--years", "0"], "--years"),
    (["--visits-per-year", "61"], "--visits-per-year"),
    (["--end", "2999-01-01"], "after today"),
    (["--end", "31/12/2020"], "not a date"),
    (["--seed", "x"], "--seed"),
])
def test_bad_options_exit_2_and_write_nothing(cli, demo_db: Path, args, message):
    result = cli("demo", "--db", demo_db, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not demo_db.exists()


def test_demo_with_own_checklists_folder(cli, tmp_path: Path, demo_db: Path):
    folder = tmp_path / "cl"
    folder.mkdir()
    (folder / "routine-monthly.yaml").write_text(
        "id: routine-monthly\nversion: 1\ntitle: {zh: 月查, en: Monthly}\nkind: routine\nitems:\n"
        "  - {id: d-drill, text: {zh: 演练, en: Drill}, plan: [21], type: yesno, severity: major}\n"
        "  - {id: d-class, text: {zh: 班额, en: Class size}, plan: [4], type: number, max: 55, severity: critical}\n"
        "  - {id: d-load, text: {zh: 作业, en: Homework}, plan: [12], type: choice, "
        "choices: {light: 适量, heavy: 过重}, pass: [light]}\n"
        "  - {id: d-note, text: {zh: 备注, en: Notes}, plan: [19], type: text}\n",
        encoding="utf-8",
    )
    result = cli("--checklists", folder, "demo", "--db", demo_db, "--schools", "5", "--visits-per-year", "12")
    assert result.exit_code == 0, result.output
    assert rows(demo_db, "SELECT DISTINCT checklist_id FROM visits") == [("routine-monthly",)]
    assert rows(demo_db, "SELECT count(*), sum(n_items), sum(n_info) FROM visits") == [(60, 240, 60)]
    # each outcome of each point as the real judge decides: a class of 58 fails, 'heavy' fails
    assert scalar(demo_db, "SELECT count(*) FROM answers WHERE item_id = 'd-class' AND outcome = 'fail' "
                           "AND CAST(value AS REAL) <= 55") == 0
    assert scalar(demo_db, "SELECT count(*) FROM answers WHERE item_id = 'd-load' AND outcome = 'pass' "
                           "AND value != '\"light\"'") == 0


# -- the bulk path --------------------------------------------------------------------------------

def _county(tmp_path: Path, name: str, schools: int = 8):
    """A store with the first `schools` sample schools and the demo's prepared visits (a list)."""
    from nanxian_cli.config import bundled_checklists_dir

    path = tmp_path / name
    store = open_store(path)
    roster = county.build_roster(schools, read_roster(county.sample_roster_path()))
    import_schools(store, roster)
    school_dicts = [{"code": r.code, "name": r.name, "town": r.town, "stages": list(r.stages), "boarding": r.boarding,
                     "canteen": r.canteen, "school_bus": r.school_bus, "inspector": "测试督学"} for r in roster]
    from nanxian_cli.files.checklist_versions import by_id

    available = by_id(load_all(bundled_checklists_dir()))  # id -> its versions (2020 and current)
    opts = core.DemoOptions(schools=schools, years=1, visits_per_year=12, seed=11)
    visits = list(county.synth_visits(school_dicts, available, opts, random.Random(11)))
    return store, path, visits


TABLES = {
    "visits": "SELECT id, school_code, checklist_id, checklist_hash, date, inspector, status, source, n_pass, n_fail, "
              "n_na, n_info, w_pass, w_fail, n_critical_fail, n_items FROM visits ORDER BY id",
    "answers": "SELECT v.id, a.item_id, a.revision, a.value, a.outcome, a.note, a.author FROM answers a "
               "JOIN visits v ON v.seq = a.visit_seq ORDER BY v.id, a.item_id",
    "plan": "SELECT v.id, c.* FROM visit_plan_counts c JOIN visits v ON v.seq = c.visit_seq ORDER BY v.id, c.plan_item",
    "findings": "SELECT id, school_code, item_id, checklist_hash, severity, opened, due, status, visit_id, note, "
                "resolved_on, resolved_by_visit, recheck_count, last_recheck FROM findings ORDER BY id",
    "events": "SELECT finding_id, kind, visit_id, date, text, author FROM finding_steps ORDER BY finding_id, n",
    "versions": "SELECT hash, checklist_id FROM checklist_versions ORDER BY hash",
}


def test_bulk_import_equals_recording_one_visit_at_a_time(tmp_path: Path):
    bulk_store, bulk_path, visits = _county(tmp_path, "bulk.db")
    single_store, single_path, same = _county(tmp_path, "single.db")
    assert [v.id for v in visits] == [v.id for v in same]
    stats = import_visits(bulk_store, visits, batch_size=7)
    for visit in same:
        record_visit(single_store, visit)
    assert stats.visits == len(visits) == 96
    assert stats.answers == sum(len(v.answers) for v in visits)
    assert stats.batches == 14
    for name, sql in TABLES.items():
        assert rows(bulk_path, sql) == rows(single_path, sql), name
    assert scalar(bulk_path, "SELECT count(*) FROM findings") > 10


def test_bulk_batch_failure_keeps_earlier_batches_and_nothing_of_the_failing_one(tmp_path: Path):
    store, path, visits = _county(tmp_path, "fail.db")
    visits = visits[:5]
    visits[3].school = dict(visits[3].school, code="NX-NOPE")  # not in the roster: a foreign key failure
    with pytest.raises(StoreError) as info:
        import_visits(store, visits, batch_size=2)
    assert "batch 2" in info.value.message and "FOREIGN KEY" in info.value.message
    assert "2 visit(s) before it were saved" in info.value.message
    assert rows(path, "SELECT id FROM visits ORDER BY id") == sorted((v.id,) for v in visits[:2])
    assert scalar(path, "SELECT count(*) FROM answers") == sum(len(v.answers) for v in visits[:2])
    assert scalar(path, "SELECT count(*) FROM visit_plan_counts") == sum(len(v.tally.by_plan) for v in visits[:2])


def test_bulk_consumes_visits_lazily(tmp_path: Path):
    store, path, visits = _county(tmp_path, "lazy.db", schools=3)
    produced = []
    seen_at_progress = []

    def generate():
        for v in visits:
            produced.append(v.id)
            yield v

    import_visits(store, generate(), batch_size=5, progress=lambda done: seen_at_progress.append((done, len(produced))))
    # at each commit, at most one batch had been generated (plus the one item islice looked at, none here)
    assert seen_at_progress[0] == (5, 5)
    assert all(made - done <= 5 for done, made in seen_at_progress)
    assert seen_at_progress[-1][0] == len(visits)


def test_bulk_session_raises_cache_and_checkpoint_interval_then_restores_them(tmp_path: Path):
    from nanxian_cli.store.bulk import BULK_WAL_PAGES

    store, path, visits = _county(tmp_path, "session.db", schools=3)
    before = [store.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "wal_autocheckpoint")]
    seen = []

    def generate():
        for v in visits:
            seen.append(store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            yield v

    import_visits(store, generate())
    assert set(seen) == {BULK_WAL_PAGES}
    after = [store.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "wal_autocheckpoint")]
    assert after == before == [before[0], 1000]
    # the import's log was checkpointed when it ended: the database file alone, without its -wal,
    # already holds every visit (copied while the store is still open, so closing cannot checkpoint it)
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    store.close()
    assert scalar(copy, "SELECT count(*) FROM visits") == len(visits)


def test_last_complete_week():
    assert core.last_complete_week(dt.date(2020, 12, 31)) == (2020, 52)
    assert core.last_complete_week(dt.date(2020, 12, 27)) == (2020, 52)
    assert core.last_complete_week(dt.date(2021, 1, 4)) == (2020, 53)  # Sunday 2021-01-03


def test_build_batches_small_counties_for_the_progress_bar(tmp_path: Path):
    from nanxian_cli.config import bundled_checklists_dir

    calls = []
    path = tmp_path / "progress.db"
    core.prepare_target(path, None)
    with open_store(path) as store:
        result = core.build_demo(store, bundled_checklists_dir(), core.DemoOptions(schools=20, visits_per_year=20),
                                 progress=lambda done, total: calls.append((done, total)))
    total = result.visits
    assert total == 400
    # 400 visits: batches of the 200-visit floor, so the bar moves before the end
    assert calls == [(0, 400), (200, 400), (400, 400)]
