"""Findings as the JSON contract shows them (`finding list`, `inspect show`, `finding show`): one dict per finding,
with its state on a given day, its deadline history and its events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.store import finding_lists as lists
from nanxian_cli.store import findings as sql
from nanxian_cli.store.visits import decode_value

# History steps that are events of the finding for people (the rest: applied=False or internal).
_EVENT_KINDS = {"opened", "recheck_failed", "recheck_passed", "resolved", "fixed_on_site", "reported", "returned",
                "extended", "escalated", "withdrawn", "reopened"}


# What each step of a finding's history makes of its state (the steps not named leave it as it was).
_STATE_AFTER = {"opened": "open", "reported": "reported", "returned": "open", "reopened": "open",
                "resolved": "resolved", "recheck_passed": "resolved", "fixed_on_site": "resolved",
                "withdrawn": "withdrawn"}


def status_on(row: Any, day: str, steps: list[Any] | None = None) -> str:
    """A finding's state at the end of `day`, from its history when given (the last step up to then that
    changed it); without it: resolved later = in progress then (open, or reported if the 整改报告 was in by
    then), as the reports count it. A finding its timeline no longer gives (voided visit) stays withdrawn."""
    status = row["status"]
    if steps and not (status == "withdrawn" and not row["derived"]):
        then = None
        for s in steps:
            if s["date"] > day:
                break
            if s["applied"] and s["kind"] in _STATE_AFTER:
                then = _STATE_AFTER[s["kind"]]
        if then is not None:
            return then
    if status == "resolved" and (row["resolved_on"] or "") > day:
        return "reported" if row["reported_on"] and row["reported_on"] <= day else "open"
    if status == "reported" and (row["reported_on"] or "") > day:
        return "open"
    return status


def finding_dict(row: Any, as_of: dt.date, lang: str, steps: list[Any] | None = None) -> dict:
    day = as_of.isoformat()
    then = status_on(row, day, steps)
    overdue = then in ("open", "reported") and row["due"] < day
    days = (as_of - dt.date.fromisoformat(row["due"])).days if overdue else 0
    text = row["item_text_zh"] if lang == "zh" else row["item_text_en"]
    steps = steps or []
    return {
        "id": row["id"], "school": row["school_code"], "item": row["item_id"], "severity": row["severity"],
        "opened": row["opened"], "due": row["due"], "status": row["status"], "status_as_of": then,
        "as_of": day, "visit": row["visit_id"], "resolved_by": row["resolved_by_visit"],
        "school_name": row["school_name"], "item_text": text, "checklist": row["checklist_id"],
        "overdue": overdue, "days_overdue": days, "resolved_on": row["resolved_on"],
        "resolved_by_name": row["resolved_by"], "resolve_note": row["resolve_note"],
        "recheck_count": row["recheck_count"], "last_recheck": row["last_recheck"], "note": row["note"],
        "answer": decode_value(row["answer_value"]),
        "uid": row["uid"], "escalated": bool(row["escalated"]), "fixed_on_site": bool(row["fixed_on_site"]),
        "reported_on": row["reported_on"], "measures": row["measures"],
        "due_history": [{"due": s["due"], "reason": s["text"], "by": s["author"], "date": s["date"]}
                        for s in steps if s["kind"] == "extended" and s["applied"]],
        "events": [{"uid": s["uid"], "kind": s["kind"], "date": s["date"], "by": s["author"], "text": s["text"],
                    "visit": s["visit_id"]} for s in steps if s["applied"] and s["kind"] in _EVENT_KINDS],
        "evidence": [],
    }


def _with_evidence(store: Any, findings: list[dict]) -> list[dict]:
    """Fill each finding's `evidence` (the sha256 of the files of its history)."""
    from nanxian_cli.reports.evidence import of_findings

    files = of_findings(store.conn, [f["id"] for f in findings])
    for f in findings:
        f["evidence"] = files.get(f["id"], [])
    return findings


def findings_list(store: Any, *, as_of: dt.date, lang: str, limit: int | None = None, offset: int = 0,
                  **filters: Any) -> list[dict]:
    """Findings as they stood on `as_of` (see store.findings.list_findings for the filters and the page)."""
    rows = lists.list_findings(store, day=as_of.isoformat(), limit=limit, offset=offset, **filters)
    steps = sql.steps(store.conn, [r["id"] for r in rows])
    return _with_evidence(store, [finding_dict(r, as_of, lang, steps.get(r["id"])) for r in rows])


def findings_count(store: Any, *, as_of: dt.date, **filters: Any) -> int:
    """How many findings `findings_list` gives with these filters (without a page)."""
    return lists.count_findings(store, day=as_of.isoformat(), **filters)


def visit_findings(store: Any, visit_id: str, *, as_of: dt.date, lang: str) -> list[dict]:
    """The findings a visit opened, re-checked or resolved, each with how the visit touched it."""
    rows = lists.findings_of_visit(store, visit_id)
    steps = sql.steps(store.conn, [r["id"] for r in rows])
    out = []
    for r in rows:
        d = finding_dict(r, as_of, lang, steps.get(r["id"]))
        d["relation"] = ("opened" if r["visit_id"] == visit_id else
                         "resolved" if r["resolved_by_visit"] == visit_id else "rechecked")
        # a re-check at this visit that did not pass sent a reported finding back to open
        d["returned"] = any(s["kind"] == "returned" and s["applied"] and s["visit_id"] == visit_id
                            for s in steps.get(r["id"], []))
        out.append(d)
    return _with_evidence(store, out)


def finding_detail(store: Any, finding_id: int, *, as_of: dt.date, lang: str) -> dict:
    """One finding (`finding show`): the finding's dict with its whole history."""
    row = lists.finding_row(store, finding_id)
    steps = sql.steps(store.conn, [finding_id]).get(finding_id, [])
    detail = _with_evidence(store, [finding_dict(row, as_of, lang, steps)])[0]
    from nanxian_cli.reports.evidence import evidence_files

    detail["evidence_files"] = evidence_files(store, finding_id=finding_id)
    return detail
