"""Visits as the JSON contract shows them (`inspect visit`, `inspect show`, `inspect list`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nanxian_cli.core.scoring import rate
from nanxian_cli.core.words import Words
from nanxian_cli.errors import NotFound
from nanxian_cli.reports.findings import visit_findings
from nanxian_cli.store import visits as sql


def visit_summary(row: Any, lang: str) -> dict:
    return {
        "id": row["id"], "school": row["school_code"], "school_name": row["school_name"],
        "checklist": row["checklist_id"], "checklist_hash": row["checklist_hash"],
        "checklist_title": row["checklist_title_zh"] if lang == "zh" else row["checklist_title_en"],
        "checklist_version": row["checklist_version"],
        "date": row["date"], "inspector": row["inspector"], "status": row["status"],
        "counts": {"pass": row["n_pass"], "fail": row["n_fail"], "na": row["n_na"], "info": row["n_info"]},
        "compliance_rate": rate(row["n_pass"], row["n_fail"]), "score": rate(row["w_pass"], row["w_fail"]),
        "critical_fails": row["n_critical_fail"], "points": row["n_items"], "source": row["source"],
        "created_at": row["created_at"], "submitted_at": row["submitted_at"],
        "void_reason": row["void_reason"], "voided_at": row["voided_at"], "voided_by": row["voided_by"],
    }


def visits_list(store: Any, *, lang: str, date_from: dt.date | None = None, date_to: dt.date | None = None,
                limit: int | None = None, **filters: Any) -> list[dict]:
    """Visits, newest first (`school` is a school code); with `limit`, the newest `limit` only."""
    rows = sql.list_visits(store, date_from=date_from.isoformat() if date_from else None,
                           date_to=date_to.isoformat() if date_to else None, limit=limit, **filters)
    return [visit_summary(r, lang) for r in rows]


def visits_count(store: Any, *, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 **filters: Any) -> tuple[int, int]:
    """How many visits `visits_list` gives with these filters (without a limit), and how many are drafts."""
    return sql.count_visits(store, date_from=date_from.isoformat() if date_from else None,
                            date_to=date_to.isoformat() if date_to else None, **filters)


def visit_detail(store: Any, visit_id: str, *, as_of: dt.date, lang: str) -> dict:
    """One visit in full: the visit shape, every point's current answer with its revisions, its findings."""
    row = sql.visit_summary_row(store, visit_id)
    if row is None:
        raise NotFound(Words(f"没有督导记录 {visit_id!r}", f"no visit {visit_id!r}"))
    detail = visit_summary(row, lang)
    history: dict[str, list[dict]] = {}
    current: dict[str, dict] = {}
    for a in sql.answer_history(store.conn, row["seq"]):
        entry = {"revision": a["revision"], "value": sql.decode_value(a["value"]), "outcome": a["outcome"],
                 "note": a["note"], "reason": a["reason"], "author": a["author"], "recorded_at": a["recorded_at"]}
        history.setdefault(a["item_id"], []).append(entry)
        if a["is_current"]:
            current[a["item_id"]] = dict(entry, fixed_on_site=bool(a["fixed_on_site"]))
    answers, missing = [], []
    for it in sql.visit_items(store, row["checklist_hash"]):
        revisions = history.get(it["item_id"])
        if not revisions:
            missing.append(it["item_id"])
            continue
        now = current.get(it["item_id"], revisions[-1])
        answers.append({
            "item": it["item_id"], "text": it["text_zh"] if lang == "zh" else it["text_en"], "type": it["type"],
            "severity": it["severity"], "weight": it["weight"], "value": now["value"], "outcome": now["outcome"],
            "note": now["note"], "revisions": revisions, "fixed_on_site": now.get("fixed_on_site", False),
        })
    from nanxian_cli.reports.evidence import of_visit

    files = of_visit(store.conn, visit_id)
    for a in answers:
        a["evidence"] = [f["sha256"] for f in files if f["item"] == a["item"]]
    detail["answers"] = answers
    detail["missing"] = missing
    detail["findings"] = visit_findings(store, visit_id, as_of=as_of, lang=lang)
    detail["evidence"] = files
    return detail
