"""The findings engine on its own: timelines of one point at one school, no database."""

from __future__ import annotations

import random

from nanxian_cli.core.findings import Action, Check, derive
from nanxian_cli.core.revisions import Revision, current, heads, opening


def check(visit, date, outcome, *, days=30, severity="major", at=None, rev=None, fixed=False, note=None, opening=None):
    return Check(visit=visit, date=date, at=at or f"{date}T08:00:00+00:00", revision=rev or f"r-{visit}",
                 outcome=outcome, severity=severity, rectify_days=days, checklist_id="c", checklist_hash="h",
                 item_id="p", note=note, author="李明", fixed_on_site=fixed, opening_revision=opening)


def action(uid, finding, kind, date, *, at=None, text="x", due=None, visit=None, passed=None, on_site=False):
    return Action(uid=uid, finding=finding, kind=kind, date=date, recorded_at=at or f"{date}T09:00:00+00:00",
                  author="王芳", text=text, due=due, visit=visit, visit_at=f"{date}T08:00:00+00:00" if visit else None,
                  passed=passed, on_site=on_site)


def one(findings):
    assert len(findings) == 1, findings
    return findings[0]


def test_a_fail_opens_a_finding_due_after_the_checklists_days():
    f = one(derive([check("v1", "2020-10-01", "fail", days=7, severity="critical", note="无值守")]))
    assert (f.uid, f.visit, f.opened, f.due, f.status, f.severity, f.note) == (
        "r-v1", "v1", "2020-10-01", "2020-10-08", "open", "critical", "无值守")
    assert f.visits == {"v1": "opened"}


def test_a_pass_opens_nothing():
    assert derive([check("v1", "2020-10-01", "pass")]) == []


def test_a_second_fail_is_a_recheck_and_a_later_pass_resolves():
    f = one(derive([check("v1", "2020-10-01", "fail"), check("v2", "2020-11-01", "fail"),
                    check("v3", "2020-12-01", "pass")]))
    assert f.recheck_count == 1 and f.last_recheck == "2020-11-01"
    assert (f.status, f.resolved_on, f.resolved_by_visit) == ("resolved", "2020-12-01", "v3")
    assert f.visits == {"v1": "opened", "v2": "rechecked", "v3": "resolved"}


def test_a_fail_after_resolution_opens_a_new_finding():
    found = derive([check("v1", "2020-10-01", "fail"), check("v2", "2020-11-01", "pass"),
                    check("v3", "2020-12-01", "fail")])
    assert [(f.uid, f.status) for f in found] == [("r-v1", "resolved"), ("r-v3", "open")]


def test_fixed_on_site_counts_as_a_fail_and_is_resolved_the_same_day():
    f = one(derive([check("v1", "2020-10-01", "fail", fixed=True)]))
    assert (f.status, f.resolved_on, f.resolved_by_visit, f.fixed_on_site) == ("resolved", "2020-10-01", "v1", True)
    # the next failure opens a new finding: nothing was left open
    found = derive([check("v1", "2020-10-01", "fail", fixed=True), check("v2", "2020-11-01", "fail")])
    assert [f.status for f in found] == ["resolved", "open"]


def test_report_then_recheck_pass_resolves_and_recheck_fail_returns_to_open():
    base = [check("v1", "2020-10-01", "fail")]
    reported = one(derive(base, [action("a1", "r-v1", "report", "2020-10-10", text="已更换门卫")]))
    assert (reported.status, reported.reported_on, reported.measures) == ("reported", "2020-10-10", "已更换门卫")
    passed = one(derive(base + [check("v2", "2020-10-20", "pass")],
                        [action("a1", "r-v1", "report", "2020-10-10")]))
    assert passed.status == "resolved" and passed.resolved_by_visit == "v2"
    failed = one(derive(base + [check("v2", "2020-10-20", "fail")], [action("a1", "r-v1", "report", "2020-10-10")]))
    assert failed.status == "open" and failed.recheck_count == 1
    assert [s.kind for s in failed.history] == ["opened", "reported", "recheck_failed", "returned"]


def test_extend_moves_the_deadline_and_keeps_the_history():
    f = one(derive([check("v1", "2020-10-01", "fail", days=30)],
                   [action("a1", "r-v1", "extend", "2020-10-20", due="2020-12-31", text="需财政拨款")]))
    assert f.due == "2020-12-31"
    assert f.due_history == [{"due": "2020-12-31", "previous": "2020-10-31", "reason": "需财政拨款", "by": "王芳",
                              "date": "2020-10-20"}]
    # a new deadline that is not later than the current one does nothing
    f = one(derive([check("v1", "2020-10-01", "fail", days=30)],
                   [action("a1", "r-v1", "extend", "2020-10-20", due="2020-10-31")]))
    assert f.due == "2020-10-31" and f.history[-1].applied is False


def test_escalate_flags_and_withdraw_closes():
    f = one(derive([check("v1", "2020-10-01", "fail")], [action("a1", "r-v1", "escalate", "2020-10-02")]))
    assert f.escalated and f.status == "open"
    found = derive([check("v1", "2020-10-01", "fail"), check("v2", "2020-11-01", "fail")],
                   [action("a1", "r-v1", "withdraw", "2020-10-02", text="误录")])
    assert [(f.uid, f.status) for f in found] == [("r-v1", "withdrawn"), ("r-v2", "open")]


def test_reopen_a_resolved_finding_until_a_later_pass():
    checks = [check("v1", "2020-10-01", "fail"), check("v2", "2020-10-05", "pass"), check("v3", "2020-11-01", "pass")]
    f = one(derive(checks, [action("a1", "r-v1", "reopen", "2020-10-10", text="复查发现反弹")]))
    assert (f.status, f.resolved_by_visit, f.resolved_on) == ("resolved", "v3", "2020-11-01")
    f = one(derive(checks[:2], [action("a1", "r-v1", "reopen", "2020-10-10")]))
    assert f.status == "open" and f.resolved_on is None


def test_hand_resolution_and_the_state_it_leaves():
    f = one(derive([check("v1", "2020-10-01", "fail")], [action("a1", "r-v1", "resolve", "2020-10-15", text="已整改")]))
    assert (f.status, f.resolved_on, f.resolved_by_visit, f.resolve_note, f.resolved_by) == (
        "resolved", "2020-10-15", None, "已整改", "王芳")
    # an action on a finding that is no longer in progress has no effect
    f = one(derive([check("v1", "2020-10-01", "fail")], [action("a1", "r-v1", "resolve", "2020-10-15"),
                                                       action("a2", "r-v1", "escalate", "2020-10-16")]))
    assert not f.escalated and f.history[-1].applied is False


def test_an_action_dated_before_its_finding_opened_has_no_effect():
    f = one(derive([check("v1", "2020-10-01", "fail")], [action("a1", "r-v1", "resolve", "2020-09-15")]))
    assert f.status == "open"


def test_an_action_whose_finding_is_gone_acts_on_the_same_problem():
    # v0, recorded later but dated earlier, now opens the finding; the resolution named v1's
    checks = [check("v0", "2020-09-01", "fail"), check("v1", "2020-10-01", "fail")]
    f = one(derive(checks, [action("a1", "r-v1", "resolve", "2020-10-15")]))
    assert (f.uid, f.status, f.recheck_count) == ("r-v0", "resolved", 1)
    assert "a1" in f.actions


def test_rechecks_of_another_checklist_the_latest_per_visit_counts():
    checks = [check("v1", "2020-10-01", "fail")]
    rechecks = [action("a1", "r-v1", "recheck", "2020-10-20", at="2020-10-20T08:01:00+00:00", visit="v9", passed=True),
                action("a2", "r-v1", "recheck", "2020-10-20", at="2020-10-20T08:02:00+00:00", visit="v9", passed=False)]
    f = one(derive(checks, rechecks))
    assert (f.status, f.recheck_count) == ("open", 1)
    # a visit that answered the point itself: its answer counts, not its re-check
    f = one(derive(checks + [check("v9", "2020-10-20", "pass")], rechecks))
    assert f.status == "resolved" and f.resolved_by_visit == "v9"


def test_the_opening_revision_names_the_finding():
    f = one(derive([check("v1", "2020-10-01", "fail", rev="r3", opening="r1")]))
    assert f.uid == "r1"


def test_same_facts_in_any_order_give_the_same_findings():
    checks = [check("v1", "2020-10-01", "fail"), check("v2", "2020-10-01", "pass", at="2020-10-01T09:00:00+00:00"),
              check("v3", "2020-11-01", "fail"), check("v4", "2020-11-02", "fail", fixed=True),
              check("v5", "2020-12-01", "fail")]
    actions = [action("a1", "r-v3", "report", "2020-11-01"),
               action("a2", "r-v5", "extend", "2020-12-02", due="2021-06-01"),
               action("a3", "r-v5", "escalate", "2020-12-02")]
    expected = derive(checks, actions)
    rng = random.Random(7)
    for _ in range(20):
        c, a = checks[:], actions[:]
        rng.shuffle(c)
        rng.shuffle(a)
        assert derive(c, a) == expected


def test_current_revision_is_the_latest_head():
    r1 = Revision("r1", None, "2020-10-01T08:00:00+00:00", "fail")
    r2 = Revision("r2", "r1", "2020-10-02T08:00:00+00:00", "pass")
    r3 = Revision("r3", "r1", "2020-10-03T08:00:00+00:00", "fail")  # a parallel edit of r1 on another laptop
    assert [r.uid for r in heads([r1, r2, r3])] == ["r2", "r3"]
    assert current([r1, r2, r3]).uid == "r3"
    assert current([r3, r2, r1]).uid == "r3"
    assert current([r1, r2]).uid == "r2"
    assert current([]) is None
    assert opening([r1, r2, r3]) == "r1"
    assert opening([r2]) is None


def test_a_timeline_fed_one_entry_at_a_time_equals_the_whole_derivation():
    from nanxian_cli.core.findings import Timeline

    checks = [check(f"v{i}", f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}", "fail" if i % 3 else "pass")
              for i in range(60)]
    actions = [action("a1", "r-v1", "report", "2020-01-03"),
               action("a2", "r-v4", "extend", "2020-01-06", due="2020-12-31")]
    entries = checks + actions
    for seed in range(5):
        rng = random.Random(seed)
        order = entries[:]
        if seed:
            rng.shuffle(order)
        t = Timeline()
        for e in order:
            t.add(e)
        assert t.findings == derive(checks, actions)


def test_derived_revision_ids_are_the_uuid5_every_database_computes():
    """The id of a first revision is never stored: every database must compute the same uuid5 for it."""
    import uuid

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from nanxian_cli.core.ids import REVISION_NAMESPACE, revision_uid

    @settings(max_examples=300, deadline=None)
    @given(st.uuids(), st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=10_000))
    def same(visit, item, number):
        expected = str(uuid.uuid5(REVISION_NAMESPACE, f"{visit}/{item}/{number}"))
        assert revision_uid(str(visit), item, number) == expected

    same()
