"""SQL of the documents for the school (督导意见书, 整改通知书): a visit's findings with their state now, the earlier
findings it re-checked, its points counted by plan section. Read-only."""

from __future__ import annotations

import json

from nanxian_cli.store.db import Store

_CHECK_STEPS = "('recheck_failed', 'recheck_passed', 'resolved', 'fixed_on_site')"
"""The steps a visit adds to an earlier finding when it checks the point again."""


def _dicts(rows: list) -> list[dict]:
    return [dict(r) for r in rows]


def visit_findings(store: Store, visit_id: str) -> list[dict]:
    """The findings a visit opened, or found still failing at a re-check, as they stand now (withdrawn ones
    left out): severity first, then by deadline."""
    return _dicts(store.query(
        "SELECT f.id, f.uid, f.item_id, f.point_key, f.checklist_hash, f.severity, f.opened, f.due, f.status, "
        "f.escalated, f.fixed_on_site, f.note, f.reported_on, f.resolved_on, f.resolved_by_visit, f.recheck_count, "
        "ci.text_zh, ci.text_en, CASE WHEN f.visit_id = ? THEN 'opened' ELSE 'recheck' END AS relation, "
        "(SELECT s.text FROM finding_steps s WHERE s.finding_id = f.id AND s.visit_id = ? AND s.applied "
        " AND s.kind IN ('opened', 'recheck_failed') ORDER BY s.n DESC LIMIT 1) AS step_note "
        "FROM findings f LEFT JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id "
        "WHERE f.status != 'withdrawn' AND (f.visit_id = ? OR f.id IN (SELECT s.finding_id FROM finding_steps s "
        "WHERE s.visit_id = ? AND s.kind = 'recheck_failed' AND s.applied)) "
        "ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, f.due, f.id",
        (visit_id, visit_id, visit_id, visit_id),
    ))


def visit_rechecks(store: Store, visit_id: str) -> list[dict]:
    """The earlier findings a visit checked again (复查), with what the check found: the last step this visit
    added to each (recheck_failed: still not fixed; resolved / recheck_passed: fixed; fixed_on_site)."""
    return _dicts(store.query(
        "SELECT f.id, f.uid, f.item_id, f.point_key, f.severity, f.opened, f.due, f.status, f.escalated, "
        "f.resolved_on, "
        "ci.text_zh, ci.text_en, s.kind AS step, s.text AS step_note "
        "FROM finding_steps s JOIN findings f ON f.id = s.finding_id "
        "LEFT JOIN checklist_items ci ON ci.hash = f.checklist_hash AND ci.item_id = f.item_id "
        f"WHERE s.visit_id = ? AND s.applied AND s.kind IN {_CHECK_STEPS} "
        "AND s.n = (SELECT max(s2.n) FROM finding_steps s2 WHERE s2.finding_id = s.finding_id AND s2.visit_id = ? "
        f"  AND s2.applied AND s2.kind IN {_CHECK_STEPS}) "
        "AND f.visit_id != ? AND f.status != 'withdrawn' ORDER BY f.opened, f.id",
        (visit_id, visit_id, visit_id),
    ))


def visit_sections(store: Store, visit_id: str) -> list[dict]:
    """Per plan section and plan item, how many points of the visit passed and failed (current answers); a point
    that checks two plan items counts under each. Sections and items the plan table does not know are section 0."""
    return _dicts(store.query(
        "SELECT coalesce(pi.section, 0) AS section, cip.plan_item, pi.title_zh, pi.title_en, "
        "count(DISTINCT CASE WHEN a.outcome = 'pass' THEN a.item_id END) AS passed, "
        "count(DISTINCT CASE WHEN a.outcome = 'fail' THEN a.item_id END) AS failed "
        "FROM visits v JOIN answers a ON a.visit_seq = v.seq AND a.is_current = 1 AND a.outcome IN ('pass', 'fail') "
        "JOIN checklist_item_plan cip ON cip.hash = v.checklist_hash AND cip.item_id = a.item_id "
        "LEFT JOIN plan_items pi ON pi.number = cip.plan_item "
        "WHERE v.id = ? GROUP BY coalesce(pi.section, 0), cip.plan_item ORDER BY 1, 2",
        (visit_id,),
    ))


def visit_section_totals(store: Store, visit_id: str) -> dict[int, tuple[int, int]]:
    """Per plan section, (points passed, points failed) of the visit, each point counted once per section."""
    rows = store.query(
        "SELECT coalesce(pi.section, 0) AS section, "
        "count(DISTINCT CASE WHEN a.outcome = 'pass' THEN a.item_id END) AS passed, "
        "count(DISTINCT CASE WHEN a.outcome = 'fail' THEN a.item_id END) AS failed "
        "FROM visits v JOIN answers a ON a.visit_seq = v.seq AND a.is_current = 1 AND a.outcome IN ('pass', 'fail') "
        "JOIN checklist_item_plan cip ON cip.hash = v.checklist_hash AND cip.item_id = a.item_id "
        "LEFT JOIN plan_items pi ON pi.number = cip.plan_item "
        "WHERE v.id = ? GROUP BY coalesce(pi.section, 0)",
        (visit_id,),
    )
    return {r["section"]: (r["passed"], r["failed"]) for r in rows}


_EVIDENCE = ("e.sha256, e.caption, e.media_type, e.original_name")
"""What a printed document shows of a file (never where it was taken)."""


def visit_evidence(store: Store, visit_id: str) -> list[dict]:
    """The files attached to a visit's points, with each point's id and key (the library id or
    `checklist/item`), first attached first."""
    return _dicts(store.query(
        f"SELECT {_EVIDENCE}, l.item_id, ci.point_key FROM evidence_links l JOIN evidence e ON e.sha256 = l.sha256 "
        "JOIN visits v ON v.id = l.visit_id "
        "LEFT JOIN checklist_items ci ON ci.hash = v.checklist_hash AND ci.item_id = l.item_id "
        "WHERE l.visit_id = ? ORDER BY l.added_at, l.rowid",
        (visit_id,),
    ))


def action_evidence(store: Store, finding_uids: list[str]) -> list[dict]:
    """The files attached to these findings' actions (整改报告 received, 销号), with the action's kind and date,
    in the order of the actions, first attached first."""
    if not finding_uids:
        return []
    return _dicts(store.query(
        # from the few links to actions to their actions (CROSS JOIN keeps that order: no scan of the actions)
        f"SELECT {_EVIDENCE}, a.finding, a.kind, a.date FROM evidence_links l "
        "CROSS JOIN finding_actions a ON a.uid = l.action_uid JOIN evidence e ON e.sha256 = l.sha256 "
        "WHERE l.action_uid IS NOT NULL AND a.finding IN (SELECT value FROM json_each(?)) "
        "ORDER BY a.date, a.recorded_at, l.added_at, l.rowid",
        (json.dumps(sorted(set(finding_uids))),),
    ))
