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
    from nanxian_cli.checklists import find_checklist
    from nanxian_cli.store import open_store
    from nanxian_cli.store.schools import find_school
    from nanxian_cli.store.visits import record_visit
    from nanxian_cli.visits import GivenAnswer, prepare_visit

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
    from nanxian_cli.errors import InputError
    from nanxian_cli.evaluate import rate
    from nanxian_cli.store import open_store
    from nanxian_cli.store.visits import amend_answer, visit_detail

    with open_store(db_path) as store:
        for item, value in steps:
            try:
                amend_answer(store, visit_id, item, value, "property test", "tester")
            except InputError:
                pass  # e.g. t-meal while the drill answer is `n`: refused, nothing written
        detail = visit_detail(store, visit_id)
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
            "SELECT plan_item, n_pass, n_fail FROM visit_plan_counts WHERE visit_id = ?", (visit_id,))}
        assert plan[21] == (sum(1 for i in ("t-drill", "t-meal") if outcomes[i] == "pass"),
                            sum(1 for i in ("t-drill", "t-meal") if outcomes[i] == "fail"))
