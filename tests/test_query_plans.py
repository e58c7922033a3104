"""The report and digest queries use their indexes: no full SCAN of answers, visits, findings,
finding_events or visit_plan_counts. Every statement the commands run is captured from the real
connection (sqlite3 trace) and explained with EXPLAIN QUERY PLAN on the same database.

No ANALYZE is run: the plans come from the schema alone, as on a user's machine.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

import nanxian_cli.store as store_pkg
from nanxian_cli.config import bundled_checklists_dir
from nanxian_cli.services import demo as core
from nanxian_cli.services import demo_county, upgrade
from nanxian_cli.store import open_store

BIG_TABLES = {"answers", "visits", "findings", "finding_steps", "finding_actions", "visit_plan_counts",
              "visit_rollups", "plan_rollups"}
PERIOD = ["--from", "2020-01-01", "--to", "2020-12-31"]
# Partial months at both ends, a whole month after the first and before the last, a whole year: the visits for the
# days at the ends, the roll-ups for the rest.
SPLIT = ["--from", "2019-11-10", "--to", "2021-02-20"]

COMMANDS = {
    "summary": ["report", "summary", *PERIOD, "--format", "json"],
    "summary-ten-years": ["report", "summary", "--from", "2011-01-01", "--to", "2020-12-31", "--format", "json"],
    "summary-by-town": ["report", "summary", *PERIOD, "--by", "town", "--format", "json"],
    "summary-by-inspector": ["report", "summary", *PERIOD, "--by", "inspector", "--format", "json"],
    "summary-by-checklist": ["report", "summary", *PERIOD, "--by", "checklist", "--format", "json"],
    "summary-by-plan-item": ["report", "summary", *PERIOD, "--by", "plan-item", "--format", "json"],
    "summary-town-filter": ["report", "summary", *PERIOD, "--town", "南洲镇", "--format", "json"],
    "matrix": ["report", "matrix", *PERIOD, "--format", "json"],
    "matrix-split": ["report", "matrix", *SPLIT, "--format", "json"],
    "summary-split": ["report", "summary", *SPLIT, "--format", "json"],
    "summary-split-by-checklist": ["report", "summary", *SPLIT, "--by", "checklist", "--checklist", "routine-monthly",
                                   "--format", "json"],
    "item-split": ["report", "item", "21", *SPLIT, "--format", "json"],
    "school-split": ["report", "school", "NX-001", *SPLIT, "--format", "json"],
    "school": ["report", "school", "NX-001", *PERIOD, "--format", "json"],
    "item": ["report", "item", "21", *PERIOD, "--format", "json"],
    "digest": ["report", "digest", "--week", "2020-W52", "--as-of", "2020-12-31", "--format", "json"],
    "overdue": ["finding", "list", "--status", "overdue", "--as-of", "2020-12-31", "--format", "json"],
}


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A small demo county (12 schools, one year), built through the bulk path."""
    path = tmp_path_factory.mktemp("plans") / "county.db"
    core.prepare_target(path, None)
    with open_store(path) as store:
        core.build_demo(store, bundled_checklists_dir(), core.DemoOptions(schools=12, visits_per_year=12))
    return path


@pytest.fixture
def traced(monkeypatch):
    """Every SQL statement run on stores opened by the commands, parameters expanded."""
    statements: list[str] = []
    real = store_pkg.open_store

    def open_traced(path, **options):
        store = real(path, **options)
        store.conn.set_trace_callback(statements.append)
        return store

    monkeypatch.setattr(store_pkg, "open_store", open_traced)
    monkeypatch.setattr(upgrade, "open_store", open_traced)  # the commands open their store through services.upgrade
    return statements


def aliases(sql: str) -> dict[str, str]:
    """alias -> table for every `FROM table [AS] alias` / `JOIN table [AS] alias` in the statement."""
    found = {}
    keywords = {"on", "where", "join", "left", "inner", "group", "order", "using", "limit", "union", "cross"}
    for table, alias in re.findall(r"(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", sql, flags=re.IGNORECASE):
        found[table] = table
        if alias and alias.lower() not in keywords:
            found[alias] = table
    return found


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]


def full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    names = aliases(sql)
    bad = []
    for detail in plan(conn, sql):
        match = re.match(r"SCAN (\w+)", detail)
        if match and names.get(match.group(1), match.group(1)) in BIG_TABLES:
            bad.append(detail)
    return bad


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))
            and "sqlite_master" not in s and "schema_migrations" not in s]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_full_scan_of_big_tables(cli, county: Path, traced: list[str], name: str):
    result = cli("--db", county, *COMMANDS[name])
    assert result.exit_code == 0, result.output
    queries = selects(traced)
    assert queries, "the command ran no query"
    conn = sqlite3.connect(county)
    try:
        problems = {sql[:200]: full_scans(conn, sql) for sql in queries}
    finally:
        conn.close()
    assert {k: v for k, v in problems.items() if v} == {}


def _plans_of(cli, county: Path, traced: list[str], args: list[str], needle: str) -> list[list[str]]:
    result = cli("--db", county, *args)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(county)
    try:
        return [plan(conn, sql) for sql in selects(traced) if needle in sql]
    finally:
        conn.close()


VISITS_BY_DATE = r"SEARCH v USING (COVERING )?INDEX \w*visits\w* \(status=\? AND date>\? AND date<\?\)"
ROLLUP_BY_PERIOD = r"SEARCH r USING PRIMARY KEY \(period=\?\)"  # each period's rows, one range
ROLLUP_BY_SCHOOL = r"SEARCH r USING PRIMARY KEY \(period=\? AND school_code=\?"  # each school's rows of a period


def _count(pattern: str, plan: list[str]) -> int:
    return sum(1 for d in plan if re.match(pattern, d))


def _sql_with(traced: list[str], needle: str) -> str:
    return next(sql for sql in selects(traced) if needle in sql)


def test_summary_totals_of_a_year_come_from_the_rollups(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["summary"], "count(DISTINCT u.code)")
    assert len(plans) == 1
    assert _count(ROLLUP_BY_PERIOD, plans[0]) == 1, plans[0]  # the year's rows
    assert _count(VISITS_BY_DATE, plans[0]) == 0, plans[0]  # no visit is read: 2020 is a whole year
    assert "FROM visit_rollups r WHERE r.period IN ('2020')" in _sql_with(traced, "count(DISTINCT u.code)")
    assert not any("answers" in sql for sql in selects(traced))  # totals never scan answers


def test_summary_totals_of_partial_months_come_from_visits_by_status_and_date(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["summary-split"], "count(DISTINCT u.code)")
    assert len(plans) == 1
    assert _count(ROLLUP_BY_PERIOD, plans[0]) == 1, plans[0]  # the whole months and the year
    assert _count(VISITS_BY_DATE, plans[0]) == 2, plans[0]  # the days at each end
    assert "r.period IN ('2019-12', '2020', '2021-01')" in _sql_with(traced, "count(DISTINCT u.code)")
    assert not any("answers" in sql for sql in selects(traced))


def test_summary_of_one_town_seeks_its_schools_in_the_rollups(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["summary-town-filter"], "count(DISTINCT u.code)")
    assert len(plans) == 1
    assert _count(ROLLUP_BY_SCHOOL, plans[0]) == 1, plans[0]


def test_open_findings_at_the_end_use_status_and_resolved_on(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["summary"], "f.resolved_on > ")
    assert plans
    for p in plans:
        assert any("(status=? AND resolved_on>?)" in d for d in p), p


def test_matrix_reads_plan_rollups_by_period_and_edge_plan_counts_by_visit(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["matrix-split"], "plan_rollups")
    assert len(plans) == 1
    p = plans[0]
    assert _count(ROLLUP_BY_PERIOD, p) == 1, p  # the rows of the whole months and of the year
    assert _count(VISITS_BY_DATE, p) == 2, p  # the days at each end ...
    assert _count(r"SEARCH p USING PRIMARY KEY \(visit_seq=\?", p) == 2, p  # ... and their plan counts, by visit
    assert not any("answers" in sql for sql in selects(traced))


def test_matrix_of_a_year_reads_only_the_plan_rollups(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["matrix"], "plan_rollups")
    assert len(plans) == 1
    assert _count(ROLLUP_BY_PERIOD, plans[0]) == 1, plans[0]
    assert not any("visit_plan_counts" in sql for sql in selects(traced))
    assert not any("answers" in sql for sql in selects(traced))


def test_item_reads_each_schools_rows_of_its_plan_item(cli, county: Path, traced: list[str]):
    plans = _plans_of(cli, county, traced, COMMANDS["item-split"], "FROM plan_rollups r")
    assert plans
    for p in plans:
        assert _count(ROLLUP_BY_SCHOOL + r" AND plan_item=\?\)", p) == 1, p


def test_item_failures_find_the_latest_finding_of_the_point_by_index(cli, county: Path, traced: list[str]):
    """The status of a failing point's finding is sought by (school, point key, opened), not among every finding
    of the school."""
    plans = _plans_of(cli, county, traced, COMMANDS["item-split"], "AS finding_status")
    assert len(plans) == 1
    assert any(d.startswith("SEARCH f USING INDEX findings_point (school_code=? AND point_key=? AND opened<?)")
               for d in plans[0]), plans[0]


def test_digest_reads_one_week_of_visits(cli, county: Path, traced: list[str]):
    result = cli("--db", county, *COMMANDS["digest"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(county)
    try:
        week = [plan(conn, sql) for sql in selects(traced) if "2020-12-21" in sql and "visits" in sql]
    finally:
        conn.close()
    assert week
    for p in week:
        assert any(re.search(r"SEARCH v\w* USING (COVERING )?INDEX \w*visits\w* "
                             r"\((status=\? AND )?(school_code=\? AND )?date", d)
                   for d in p), p
    assert not any(" answers " in f" {sql} " for sql in selects(traced))


def test_the_detector_sees_a_full_scan(county: Path):
    """The check above can fail: an unindexed filter on answers is reported."""
    conn = sqlite3.connect(county)
    try:
        assert full_scans(conn, "SELECT count(*) FROM answers a WHERE a.outcome = 'fail'") == ["SCAN a"]
        assert full_scans(conn, "SELECT count(*) FROM visits WHERE inspector LIKE '%x%'") != []
        assert full_scans(conn,
                          "SELECT count(*) FROM visits v WHERE v.status = 'submitted' AND v.date >= '2020-01-01'") == []
    finally:
        conn.close()


# -- one visit: recording, showing, amending, voiding -------------------------------------------------

@pytest.fixture
def county_copy(county: Path, tmp_path: Path) -> Path:
    import shutil

    path = tmp_path / "copy.db"
    shutil.copyfile(county, path)
    return path


def _visit_with_findings(path: Path) -> tuple[str, str]:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT v.id, a.item_id FROM visits v JOIN answers a ON a.visit_seq = v.seq "
            "WHERE a.outcome = 'fail' AND a.value IN ('true', 'false') AND v.status = 'submitted' "
            "AND EXISTS (SELECT 1 FROM findings f WHERE f.resolved_by_visit = v.id) ORDER BY v.date DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return row[0], row[1]


def _assert_no_big_scans(path: Path, statements: list[str]) -> None:
    queries = selects(statements)
    assert queries
    conn = sqlite3.connect(path)
    try:
        problems = {sql[:200]: full_scans(conn, sql) for sql in queries}
    finally:
        conn.close()
    assert {k: v for k, v in problems.items() if v} == {}


def test_visit_commands_use_indexes(cli, county_copy: Path, traced: list[str], tmp_path: Path):
    from conftest import register_supervisors
    from nanxian_cli.files.checklist_folder import find_checklist

    register_supervisors(county_copy, "测试")
    visit_id, failed_item = _visit_with_findings(county_copy)
    loaded = find_checklist(bundled_checklists_dir(), "routine-monthly", dt.date(2020, 12, 30))  # the 2020 version
    answers = tmp_path / "answers.yaml"
    lines = ["school: NX-001", "checklist: routine-monthly", "date: 2020-12-30", "inspector: 测试", "answers:"]
    lines += [f"  {p.item_id}: {p.fail_raw if p.fail_raw is not None and n % 7 == 3 else p.pass_raw!r}"
              .replace("True", "yes").replace("False", "no")
              for n, p in enumerate(demo_county.plan_points(loaded.checklist))]
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args in (
        ["inspect", "visit", "NX-001", "--answers", answers, "--format", "json"],
        ["inspect", "show", visit_id, "--format", "json"],
        ["report", "visit", visit_id, "--format", "json"],
        ["inspect", "amend", visit_id, failed_item, "yes", "--reason", "checked again", "--format", "json"],
        ["inspect", "void", visit_id, "--reason", "entered twice", "--format", "json"],
    ):
        traced.clear()
        result = cli("--db", county_copy, *args)
        assert result.exit_code == 0, (args, result.output)
        _assert_no_big_scans(county_copy, traced)


def test_a_terminals_listings_read_their_first_rows_by_index(county: Path):
    """What a terminal's `inspect list` and `finding list` read (the newest 50 visits, the worst 50 findings): the
    visits in their index's order, no sort of every visit; the findings' answers and texts for the page's rows only."""
    from nanxian_cli.store.finding_lists import list_findings
    from nanxian_cli.store.visits import list_visits

    statements: list[str] = []
    with open_store(county) as store:
        store.conn.set_trace_callback(statements.append)
        assert len(list_visits(store, limit=50)) == 50
        visits_sql = statements[-1]
        statements.clear()
        assert len(list_findings(store, day="2020-12-31", limit=50)) == 50
        findings_sql = statements[-1]
    conn = sqlite3.connect(county)
    try:
        visits_plan = plan(conn, visits_sql)
        assert any("idx_visits_date_created" in d for d in visits_plan), visits_plan
        # read in the index's order, stopped after 50 (a SCAN of the index, not a sort of every visit)
        assert not any("TEMP B-TREE" in d for d in visits_plan), visits_plan
        assert "LIMIT 50" in findings_sql and findings_sql.count("FROM answers") == 1
        page_plan = plan(conn, findings_sql)
        assert any("idx_findings_listed" in d for d in page_plan), page_plan
        page = findings_sql[findings_sql.index("f.id IN (") :]
        assert "answers" not in page.split(")", 1)[0]  # the page is chosen without looking at answers
    finally:
        conn.close()


@pytest.mark.parametrize("args", [COMMANDS["summary-ten-years"], COMMANDS["summary-by-town"], COMMANDS["digest"]],
                         ids=["summary", "summary-by-town", "digest"])
def test_findings_fixed_on_site_are_counted_from_their_own_index(cli, county: Path, traced: list[str], args):
    """Counting the findings fixed on site in a period reads only those (m014), not every finding resolved in it
    (a city decade: 1.67 million rows for the summary over all history)."""
    plans = _plans_of(cli, county, traced, args, "fixed_on_site = 1")
    assert plans
    for found in plans:
        assert any("USING COVERING INDEX idx_findings_fixed_on_site" in d or "USING INDEX idx_findings_fixed_on_site"
                   in d for d in found), found
