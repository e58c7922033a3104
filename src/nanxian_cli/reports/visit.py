"""`report visit VISIT`: the 督导意见书 handed to the school after a visit, in the county's order — the visit
(基本情况), what went well by plan section (主要成绩), the failed points in words (存在问题), each 整改
requirement with its deadline as the finding stands now (整改意见), the earlier findings this visit checked
again (复查情况).

The points are read from the checklist version the visit was recorded against (the stored JSON, not the YAML
folder), so a choice reads by its label and every failed point carries its standard in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from nanxian_cli.core.standards import Point, point_from_content
from nanxian_cli.core.vocab import OUTCOME_LABELS, SEVERITY_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.reports import Text, answer_words, both, finding_status_words, rate4, words
from nanxian_cli.reports.evidence import Attachment, DocumentEvidence, distinct, document_evidence
from nanxian_cli.store import documents as d
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store


@dataclass
class VisitSchool:
    code: str
    name: str
    town: str | None


@dataclass
class ChecklistRef:
    id: str
    version: str
    title: Words
    hash: str


@dataclass
class Counts:
    pass_: int
    fail: int
    na: int
    info: int


@dataclass
class CheckedPoint:
    item: str
    text: Words
    plan: list[int]
    severity: str
    severity_label: Text
    outcome: str | None  # None: not answered
    outcome_label: Text
    value: Text
    note: str | None
    revision: int | None
    answer: Text  # the answer as the documents print it: a choice by its label, a number with its unit
    standard: Text  # the rule the point is measured against, in words
    evidence: list[Attachment]  # the files attached to this point at this visit (printed under a failed one)


@dataclass
class AreaSummary:
    """What went well in one section of the plan: its points checked, passed and failed at this visit."""

    section: int
    title: Text
    passed: int
    failed: int
    plan_items: list[int]  # the plan items of the section this visit checked
    passed_items: list[Text]  # the titles of those whose points all passed


@dataclass
class Rectification:
    finding: int
    item: str
    text: Text
    severity: str
    severity_label: Text
    opened: str
    due: str
    status: str
    status_label: Text
    relation: str  # what this visit did to the finding: opened | recheck
    note: str | None
    requirement: Words  # what the school is asked to do, as the finding stands now
    uid: str
    escalated: bool
    fixed_on_site: bool
    reported_on: str | None
    resolved_on: str | None
    evidence: list[Attachment]  # a finding this visit opened: the files of its 整改报告 and 销号 since


@dataclass
class Recheck:
    """An earlier finding this visit checked again (复查) and what the check found."""

    finding: int
    uid: str
    item: str
    text: Text
    severity: str
    severity_label: Text
    opened: str
    due: str
    outcome: str  # resolved | fixed_on_site | open (not fixed at this visit)
    outcome_label: Words
    note: str | None
    status: str  # the finding's state now
    status_label: Text
    evidence: list[Attachment]  # the files of its 整改报告 and 销号 up to this visit; when it was found fixed, the
    # files attached to its point at this visit (整改后)


@dataclass
class NoticeRef:
    number: str
    issued_on: str


@dataclass
class VisitReport:
    id: str
    school: VisitSchool
    date: str
    inspector: str
    responsible_inspector: str | None
    checklist: ChecklistRef
    status: str
    void_reason: str | None
    counts: Counts
    compliance_rate: float | None
    score: float | None
    points: list[CheckedPoint]
    rectifications: list[Rectification]
    areas: list[AreaSummary]
    rechecks: list[Recheck]
    issuer: str | None  # [documents] issuer; None: the printed form leaves it to be filled in
    reply_to: str | None  # [documents] reply_to: where the school sends its 整改报告 (None: its supervisor)
    notice: NoticeRef | None  # the 整改通知书 issued for this visit, if any


def zh_date(iso: str) -> str:
    """2020-11-07 as a Chinese document writes it: 2020年11月7日."""
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def stored_points(store: Store, checklist_hash: str) -> dict[str, Point]:
    """The points of a stored checklist version, by item id (empty when the version is missing)."""
    from nanxian_cli.store.checklists import checklist_content

    content = checklist_content(store, checklist_hash)
    if not content:
        return {}
    items = json.loads(content).get("items") or []
    return {p.id: p for p in (point_from_content(i) for i in items if isinstance(i, dict))}


def point_words(point: Point | None, raw: str | None) -> tuple[Text, Text]:
    """(the answer as printed, the standard in words) of a recorded answer (JSON text) of `point`."""
    from nanxian_cli.core.standards import found, standard

    if point is None:
        return answer_words(raw), ""
    value: Any = None
    if raw is not None:
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
    return (found(point, value) if value is not None else ""), standard(point)


def requirement(f: dict, visit_id: str, visit_date: str) -> Words:
    """The 整改 requirement as the finding stands now: a deadline while it is open (overdue said so), nothing
    more asked once it is resolved (on the spot, at a re-check or by hand), waiting for the re-check once the
    school's 整改报告 is in. (Where the 整改报告 goes is said once, under the list: `reply_to`.)"""
    due = f["due"]
    if f["status"] == "resolved":
        if f["fixed_on_site"] and f["resolved_by_visit"] == visit_id:
            text = Words("已现场整改（立行立改），请巩固整改成效", "Fixed on the spot during the visit; keep it so")
        else:
            on = f["resolved_on"] or ""
            text = Words(f"已于{zh_date(on)}整改完成，不再要求" if on else "已整改完成，不再要求",
                         f"Resolved on {on}; nothing more is required" if on else "Resolved; nothing more is required")
    elif f["status"] == "reported":
        on = f["reported_on"] or ""
        text = Words(f"整改报告已于{zh_date(on)}收到，待复查" if on else "整改报告已收到，待复查",
                     f"Rectification report received on {on}; to be re-checked" if on else
                     "Rectification report received; to be re-checked")
    elif due < visit_date:
        text = Words(f"已逾期（原定{zh_date(due)}前整改），请立即整改", f"Overdue (was due {due}): fix it at once")
    else:
        text = Words(f"请于{zh_date(due)}前完成整改", f"Fix by {due}")
    if f["escalated"] and f["status"] in ("open", "reported"):
        text = Words(text.zh + "（已上报县教育局协调解决）", text.en + " (escalated to the county bureau)")
    return text


RECHECK_OUTCOMES = {
    "resolved": Words("已整改", "fixed"),
    "fixed_on_site": Words("现场整改（立行立改）", "fixed on the spot"),
    "open": Words("仍未整改", "not fixed yet"),
}


def _recheck(r: dict, files: DocumentEvidence, visit_date: str) -> Recheck:
    outcome = {"recheck_failed": "open", "fixed_on_site": "fixed_on_site"}.get(r["step"], "resolved")
    # a point failed again (or fixed on the spot) is a problem of this visit: its files are printed there
    shown = files.of_finding(r["uid"], until=visit_date) + (files.at_point(r["point_key"]) if outcome == "resolved"
                                                            else [])
    return Recheck(
        finding=r["id"], uid=r["uid"], item=r["item_id"], text=both(r["text_zh"], r["text_en"], r["item_id"]),
        severity=r["severity"], severity_label=words(SEVERITY_LABELS.get(r["severity"])), opened=r["opened"],
        due=r["due"], outcome=outcome, outcome_label=RECHECK_OUTCOMES[outcome], note=r["step_note"],
        status=r["status"], status_label=finding_status_words(r["status"]), evidence=distinct(shown))


def areas(store: Store, visit_id: str, section_titles: dict[int, Words]) -> list[AreaSummary]:
    """The visit's points by plan section: counts, and the plan items whose checked points all passed."""
    totals = d.visit_section_totals(store, visit_id)
    out: dict[int, AreaSummary] = {}
    for r in d.visit_sections(store, visit_id):
        section = r["section"]
        area = out.get(section)
        if area is None:
            passed, failed = totals.get(section, (0, 0))
            title = section_titles.get(section) or (
                Words(f"第{section}部分", f"Section {section}") if section else Words("其他", "Other"))
            area = out[section] = AreaSummary(section, title, passed, failed, [], [])
        area.plan_items.append(r["plan_item"])
        if r["failed"] == 0 and r["passed"] > 0:
            area.passed_items.append(both(r["title_zh"], r["title_en"], f"{r['plan_item']}"))
    return list(out.values())


def compute(store: Store, visit_id: str, *, section_titles: dict[int, Words] | None = None,
            issuer: str | None = None, reply_to: str | None = None) -> VisitReport:
    from nanxian_cli.errors import NotFound
    from nanxian_cli.store.notices import notice_of_visit

    head = q.visit_header(store, visit_id)
    if head is None:
        raise NotFound(f"no visit {visit_id!r}")
    rules = stored_points(store, head["checklist_hash"])
    findings = d.visit_findings(store, visit_id)
    rechecked = d.visit_rechecks(store, visit_id)
    files = document_evidence(store, head["id"], [f["uid"] for f in findings + rechecked])
    points = []
    for p in q.visit_points(store, visit_id):
        answer, rule = point_words(rules.get(p["item_id"]), p["value"])
        points.append(CheckedPoint(
            item=p["item_id"], text=Words(p["text_zh"], p["text_en"]),
            plan=[int(n) for n in (p["plan"] or "").split(",") if n],
            severity=p["severity"], severity_label=words(SEVERITY_LABELS.get(p["severity"])),
            outcome=p["outcome"], outcome_label=words(OUTCOME_LABELS.get(p["outcome"]), Words("未答", "not answered")),
            value=answer_words(p["value"]), note=p["note"], revision=p["revision"], answer=answer, standard=rule,
            evidence=files.of_item(p["item_id"])))
    rect = [
        Rectification(
            finding=f["id"], item=f["item_id"], text=both(f["text_zh"], f["text_en"], f["item_id"]),
            severity=f["severity"], severity_label=words(SEVERITY_LABELS.get(f["severity"])), opened=f["opened"],
            due=f["due"], status=f["status"], status_label=finding_status_words(f["status"]),
            relation=f["relation"], note=f["step_note"] if f["step_note"] is not None else f["note"],
            requirement=requirement(f, head["id"], head["date"]), uid=f["uid"],
            escalated=bool(f["escalated"]), fixed_on_site=bool(f["fixed_on_site"]), reported_on=f["reported_on"],
            resolved_on=f["resolved_on"],
            evidence=distinct(files.of_finding(f["uid"])) if f["relation"] == "opened" else [])
        for f in findings
    ]
    notice = notice_of_visit(store.conn, head["id"])
    return VisitReport(
        id=head["id"],
        school=VisitSchool(head["school_code"], head["school_name"], head["town"]),
        date=head["date"],
        inspector=head["inspector"],
        responsible_inspector=head["responsible"],
        checklist=ChecklistRef(head["checklist_id"], head["checklist_version"],
                               both(head["title_zh"], head["title_en"], head["checklist_id"]), head["checklist_hash"]),
        status=head["status"],
        void_reason=head["void_reason"],
        counts=Counts(head["n_pass"], head["n_fail"], head["n_na"], head["n_info"]),
        compliance_rate=rate4(head["n_pass"] or 0, head["n_fail"] or 0),
        score=rate4(head["w_pass"] or 0, head["w_fail"] or 0),
        points=points,
        rectifications=rect,
        areas=areas(store, visit_id, section_titles or {}),
        rechecks=[_recheck(r, files, head["date"]) for r in rechecked],
        issuer=issuer,
        reply_to=reply_to,
        notice=NoticeRef(notice["number"], notice["issued_on"]) if notice is not None else None,
    )


def printed_files(report: VisitReport) -> list[str]:
    """The sha256 of the files the 督导意见书 prints: under its failed points, requirements and re-checks."""
    rows = [*[p for p in report.points if p.outcome == "fail"], *report.rectifications, *report.rechecks]
    return list(dict.fromkeys(a.sha256 for r in rows for a in r.evidence))
