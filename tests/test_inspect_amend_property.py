"""Property: whatever sequence of amendments, a visit's counts and findings equal those of the answers it now has."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visit_helpers import vdir  # noqa: F401

VALUES = {
    "t-drill": ["y", "n"],
    "t-class": ["40", "55", "56", "80"],
    "t-meal": ["y", "n"],
    "t-homework": ["light", "heavy"],
    "t-morale": ["1", "3", "5", "na"],
    "t-remarks": ["ok", "<b>x</b>"],
}

amendments = st.lists(st.sampled_from([(item, v) for item, vs in VALUES.items() for v in vs]), min_size=1, max_size=12)


@pytest.fixture
def visit_id(vdir, db_path):
    from nanxian_cli.core.visit import GivenAnswer, prepare_visit
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_visit
    from nanxian_cli.store import open_store

    with open_store(db_path) as store:
        school = find_school(store, "NX-001")
        loaded = find_checklist(vdir, "t-visit")
        given = {k: GivenAnswer(v[0]) for k, v in VALUES.items()}
        visit = prepare_visit(loaded, school, dt.date(2020, 11, 2), "李明", given)
        record_visit(store, visit)
        return visit.id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=amendments)
def test_counts_and_findings_follow_any_amendments(db_path, visit_id, steps):
    from nanxian_cli.core.scoring import rate
    from nanxian_cli.errors import InputError
    from nanxian_cli.reports.visits import visit_detail
    from nanxian_cli.services.corrections import amend_answer
    from nanxian_cli.store import open_store

    with open_store(db_path) as store:
        for item, value in steps:
            try:
                amend_answer(store, visit_id, item, value, "property test", "tester")
            except InputError:
                pass  # e.g. t-meal while the drill answer is `n`: refused, nothing written
        detail = visit_detail(store, visit_id, as_of=dt.date(2020, 12, 31), lang="en")
        outcomes = {a["item"]: a["outcome"] for a in detail["answers"]}
        weights = {a["item"]: a["weight"] for a in detail["answers"]}
        n = {k: sum(1 for o in outcomes.values() if o == k) for k in ("pass", "fail", "na", "info")}
        assert detail["counts"] == n
        assert detail["compliance_rate"] == rate(n["pass"], n["fail"])
        w_pass = sum(weights[i] for i, o in outcomes.items() if o == "pass")
        w_fail = sum(weights[i] for i, o in outcomes.items() if o == "fail")
        assert detail["score"] == rate(w_pass, w_fail)
        if outcomes["t-drill"] == "fail":
            assert outcomes["t-meal"] == "na"  # skip logic
        open_items = {r[0] for r in store.query(
            "SELECT item_id FROM findings WHERE visit_id = ? AND status = 'open'", (visit_id,))}
        assert open_items == {i for i, o in outcomes.items() if o == "fail"}
        plan = {r[0]: (r[1], r[2]) for r in store.query(
            "SELECT plan_item, n_pass, n_fail FROM visit_plan_counts "
            "WHERE visit_seq = (SELECT seq FROM visits WHERE id = ?)", (visit_id,))}
        assert plan[21] == (sum(1 for i in ("t-drill", "t-meal") if outcomes[i] == "pass"),
                            sum(1 for i in ("t-drill", "t-meal") if outcomes[i] == "fail"))


# -- findings after any mix of out-of-order visits, amendments and voids equal a replay from scratch ----

TIMELINE = """\
id: t-replay
version: 1
title: Replay test
kind: special
rectify_days: {critical: 3, major: 10, minor: 20}
items:
  - {id: r-gate, text: Gate guarded, plan: [21], type: yesno, severity: critical}
  - {id: r-fence, text: Fence intact, plan: [21], type: yesno, severity: major}
"""
DUE_DAYS = {"r-gate": 3, "r-fence": 10}

yes_no = st.sampled_from(["y", "n"])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(1, 28), yes_no, yes_no),
        st.tuples(st.just("amend"), st.integers(0, 7), st.sampled_from(sorted(DUE_DAYS)), yes_no),
        st.tuples(st.just("void"), st.integers(0, 7)),
    ),
    min_size=1, max_size=14,
)


def expected_findings(conn) -> set[tuple]:
    """An independent replay: each point's pass/fail answers of submitted visits, in date order (then the
    order they were submitted), open / re-check / resolve a finding."""
    visits = conn.execute(
        "SELECT id FROM visits WHERE school_code = 'NX-001' AND status = 'submitted' ORDER BY date, submitted_at, rowid"
    ).fetchall()
    result = set()
    for item, days in DUE_DAYS.items():
        current = None
        for (vid,) in visits:
            date, outcome = conn.execute(
                "SELECT v.date, a.outcome FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                "WHERE v.id = ? AND a.item_id = ? ORDER BY a.revision DESC LIMIT 1", (vid, item)).fetchone()
            if outcome == "fail" and current is None:
                due = (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()
                current = {"item": item, "visit": vid, "opened": date, "due": due, "status": "open",
                           "by": None, "on": None, "rechecks": 0, "last": None}
            elif outcome == "fail":
                current["rechecks"] += 1
                current["last"] = date
            elif outcome == "pass" and current is not None:
                current.update(status="resolved", by=vid, on=date)
                result.add(tuple(current.values()))
                current = None
        if current is not None:
            result.add(tuple(current.values()))
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_findings_equal_a_replay_of_the_timeline(vdir, db_path, tmp_path_factory, ops):
    import sqlite3

    from nanxian_cli.core.visit import GivenAnswer, prepare_visit
    from nanxian_cli.errors import InputError
    from nanxian_cli.files.checklist_folder import find_checklist
    from nanxian_cli.services.corrections import amend_answer, void_visit
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_visit
    from nanxian_cli.store import open_store

    (vdir / "t-replay.yaml").write_text(TIMELINE, encoding="utf-8")
    db = tmp_path_factory.mktemp("replay") / "nanxian.db"  # a fresh copy of the roster-only database
    src, dst = sqlite3.connect(db_path), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    ids: list[str] = []
    with open_store(db) as store:
        school = find_school(store, "NX-001")
        loaded = find_checklist(vdir, "t-replay")
        for op in ops:
            if op[0] == "record":
                _, day, gate, fence = op
                given = {"r-gate": GivenAnswer(gate), "r-fence": GivenAnswer(fence)}
                prepared = prepare_visit(loaded, school, dt.date(2020, 11, day), "李明", given)
                record_visit(store, prepared, again=True)  # two visits on one day are part of the timeline
                ids.append(prepared.id)
            elif ids:
                vid = ids[op[1] % len(ids)]
                try:
                    if op[0] == "amend":
                        amend_answer(store, vid, op[2], op[3], "property test", "tester")
                    else:
                        void_visit(store, vid, "property test", "tester")
                except InputError:
                    pass  # amending or voiding a void visit: refused, nothing written
        actual = {tuple(r) for r in store.query(
            "SELECT item_id, visit_id, opened, due, status, resolved_by_visit, resolved_on, recheck_count, "
            "last_recheck FROM findings WHERE status != 'withdrawn'")}
        assert actual == expected_findings(store.conn)
        assert all(n == 1 for (n,) in store.query(
            "SELECT count(*) FROM findings WHERE status = 'open' GROUP BY item_id"))
