"""The weekly digest as plain data: one ISO week (Monday-Sunday, county dates) of supervision.

Computed once from the store (`build_digest`); `digest_json` is its machine contract; render/digest.py lays it
out as text, Markdown or HTML, and services/digest.py delivers it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.core.scoring import rate
from nanxian_cli.core.weeks import IsoWeek
from nanxian_cli.reports import rounded

UNVISITED_DAYS = 30
WEAKEST = 5
SEVERITIES = ("critical", "major", "minor")


@dataclass
class Digest:
    week: IsoWeek
    as_of: dt.date
    visits: int
    schools_visited: int
    n_pass: int
    n_fail: int
    by_inspector: list[dict[str, Any]]
    by_checklist: list[dict[str, Any]]
    unvisited_since: dt.date
    unvisited: list[dict[str, Any]]
    new_findings: dict[str, int]
    critical_findings: list[dict[str, Any]]
    resolved_findings: dict[str, int]
    overdue: list[dict[str, Any]]
    weakest_schools: list[dict[str, Any]]
    weakest_plan_items: list[dict[str, Any]]
    previous: dict[str, Any] = field(default_factory=dict)
    reported: int = 0
    """Findings whose 整改报告 came in during the week."""
    escalated: int = 0
    """Findings escalated to the bureau (上报/交办) during the week."""
    fixed_on_site: int = 0
    """Findings fixed during the visit (立行立改) during the week (some of the resolved ones)."""
    due_next_week: list[dict[str, Any]] = field(default_factory=list)
    """Findings in progress at the end of the week that are due in the next week (Monday to Sunday)."""

    @property
    def next_week(self) -> IsoWeek:
        return self.week.next()

    @property
    def start(self) -> dt.date:
        return self.week.monday

    @property
    def end(self) -> dt.date:
        return self.week.sunday

    @property
    def complete(self) -> bool:
        """The week is over (its Sunday is before the run's today); only then are deliveries recorded."""
        return self.end < self.as_of

    @property
    def compliance_rate(self) -> float | None:
        return rate(self.n_pass, self.n_fail)

    @property
    def new_total(self) -> int:
        return sum(self.new_findings.values())

    @property
    def resolved_total(self) -> int:
        return sum(self.resolved_findings.values())


def build_digest(store: Any, week: IsoWeek, as_of: dt.date) -> Digest:
    from nanxian_cli.store import digest as q

    start, end = week.monday.isoformat(), week.sunday.isoformat()
    totals = q.visit_totals(store, start, end)
    since = week.sunday - dt.timedelta(days=UNVISITED_DAYS - 1)
    overdue = q.overdue_findings(store, end)
    for row in overdue:
        row["days_overdue"] = (week.sunday - dt.date.fromisoformat(row["due"])).days
    prev = week.previous()
    p_start, p_end = prev.monday.isoformat(), prev.sunday.isoformat()
    p_totals = q.visit_totals(store, p_start, p_end)
    p_new = sum(q.new_findings_by_severity(store, p_start, p_end).values())
    nxt = week.next()
    hand = q.hand_steps(store, start, end)
    return Digest(
        week=week,
        as_of=as_of,
        visits=totals["visits"],
        schools_visited=totals["schools"],
        n_pass=totals["n_pass"],
        n_fail=totals["n_fail"],
        by_inspector=q.visits_by_inspector(store, start, end),
        by_checklist=q.visits_by_checklist(store, start, end),
        unvisited_since=since,
        unvisited=q.unvisited_schools(store, since.isoformat(), end),
        new_findings=q.new_findings_by_severity(store, start, end),
        critical_findings=q.new_findings(store, start, end, "critical"),
        resolved_findings=q.resolved_findings_by_severity(store, start, end),
        overdue=overdue,
        weakest_schools=q.school_rates(store, start, end, WEAKEST),
        weakest_plan_items=q.plan_item_rates(store, start, end, WEAKEST),
        previous={
            "week": prev.label,
            "from": p_start,
            "to": p_end,
            "visits": p_totals["visits"],
            "compliance_rate": rate(p_totals["n_pass"], p_totals["n_fail"]),
            "new_findings": p_new,
        },
        reported=hand["reported"],
        escalated=hand["escalated"],
        fixed_on_site=q.fixed_on_site(store, start, end),
        due_next_week=q.due_findings(store, end, nxt.monday.isoformat(), nxt.sunday.isoformat()),
    )


def _finding_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "school": row["school_code"],
        "school_name": row["school_name"],
        "item": row["item_id"],
        "item_text": {"zh": row["text_zh"], "en": row["text_en"]},
        "severity": row["severity"],
        "opened": row["opened"],
        "due": row["due"],
        "status": row["status"],
        "uid": row["uid"],
        "escalated": bool(row["escalated"]),
        "fixed_on_site": bool(row["fixed_on_site"]),
        "reported_on": row["reported_on"],
    }
    if "days_overdue" in row:
        out["days_overdue"] = row["days_overdue"]
    return out


def digest_json(d: Digest) -> dict[str, Any]:
    """The machine contract (DESIGN.md): English keys, integer counts, ISO dates, rates 0..1 or null."""
    this_rate = d.compliance_rate
    prev_rate = d.previous["compliance_rate"]
    return {
        "week": d.week.label,
        "from": d.start.isoformat(),
        "to": d.end.isoformat(),
        "visits": d.visits,
        "new_findings": d.new_total,
        "resolved_findings": d.resolved_total,
        "overdue_findings": len(d.overdue),
        "unvisited_schools": [row["code"] for row in d.unvisited],
        "as_of": d.as_of.isoformat(),
        "complete": d.complete,
        "schools_visited": d.schools_visited,
        "pass": d.n_pass,
        "fail": d.n_fail,
        "compliance_rate": rounded(this_rate),
        "visits_by_inspector": [
            {"inspector": r["inspector"], "visits": r["visits"], "schools": r["schools"],
             "compliance_rate": rounded(rate(r["n_pass"], r["n_fail"]))}
            for r in d.by_inspector
        ],
        "visits_by_checklist": [
            {"checklist": r["checklist_id"], "title": {"zh": r["title_zh"], "en": r["title_en"]},
             "visits": r["visits"], "compliance_rate": rounded(rate(r["n_pass"], r["n_fail"]))}
            for r in d.by_checklist
        ],
        "unvisited_since": d.unvisited_since.isoformat(),
        "unvisited": [
            {"code": r["code"], "name": r["name"], "town": r["town"], "inspector": r["inspector"],
             "last_visit": r["last_visit"]}
            for r in d.unvisited
        ],
        "new_findings_by_severity": dict(d.new_findings),
        "critical_findings": [_finding_json(r) for r in d.critical_findings],
        "resolved_findings_by_severity": dict(d.resolved_findings),
        "overdue": [_finding_json(r) for r in d.overdue],
        "reported_findings": d.reported,
        "escalated_findings": d.escalated,
        "fixed_on_site_findings": d.fixed_on_site,
        "next_week": {"week": d.next_week.label, "from": d.next_week.monday.isoformat(),
                      "to": d.next_week.sunday.isoformat()},
        "due_next_week": [_finding_json(r) for r in d.due_next_week],
        "weakest_schools": [
            {"code": r["code"], "name": r["name"], "visits": r["visits"], "pass": r["n_pass"], "fail": r["n_fail"],
             "critical_fail": r["n_critical_fail"], "compliance_rate": rounded(r["rate"])}
            for r in d.weakest_schools
        ],
        "weakest_plan_items": [
            {"number": r["number"], "title": {"zh": r["title_zh"], "en": r["title_en"]} if r["title_zh"] else None,
             "pass": r["n_pass"], "fail": r["n_fail"], "compliance_rate": rounded(r["rate"])}
            for r in d.weakest_plan_items
        ],
        "previous_week": {
            **d.previous,
            "compliance_rate": rounded(prev_rate),
            "change": {
                "visits": d.visits - d.previous["visits"],
                "compliance_rate": None if this_rate is None or prev_rate is None else rounded(this_rate - prev_rate),
                "new_findings": d.new_total - d.previous["new_findings"],
            },
        },
    }
