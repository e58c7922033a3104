"""`report notice VISIT`: the 整改通知书 sent to the school for the findings a visit opened (or found still not
fixed): its number, each problem with what was found, the standard in words (and the documents it rests on),
the requirement and the deadline, and where the school sends its 整改报告."""

from __future__ import annotations

import json
from dataclasses import dataclass

from nanxian_cli.core.standards import cite
from nanxian_cli.core.standards import sources as point_sources
from nanxian_cli.core.vocab import SEVERITY_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.reports import Text, both, words
from nanxian_cli.reports.evidence import Attachment, distinct, document_evidence
from nanxian_cli.reports.visit import ChecklistRef, VisitSchool, point_words, stored_points
from nanxian_cli.store import documents as d
from nanxian_cli.store import reports as q
from nanxian_cli.store.db import Store


@dataclass
class NoticeProblem:
    finding: int
    uid: str
    item: str
    text: Text
    severity: str
    severity_label: Text
    found: Text  # the answer at the visit as printed (未达到, 58人, a choice's label)
    note: str | None
    standard: Text
    sources: list[Text]  # the documents the standard rests on (the point's or the checklist's `source`)
    due: str
    requirement: Words
    relation: str  # opened | recheck (found still not fixed)
    fixed_on_site: bool
    evidence: list[Attachment]  # the files attached to its point at this visit, then those of the finding's
    # 整改报告 and 销号 dated on or before the notice (a reprint shows what the notice showed when issued)


@dataclass
class SharedNumber:
    """Another notice holding the same number (issued on another database before the two were merged)."""

    uid: str
    visit: str
    device: str
    issued_on: str


@dataclass
class NoticeReport:
    uid: str
    number: str
    year: int
    n: int
    issued_on: str
    issued_by: str | None
    device: str
    issuer: str | None
    county: str | None
    reply_to: str | None
    visit: str
    date: str
    school: VisitSchool
    inspector: str
    checklist: ChecklistRef
    problems: list[NoticeProblem]
    shared_number: list[SharedNumber]


def _requirement(f: dict, visit_id: str, visit_date: str) -> Words:
    """What the notice asks, fixed when it is issued: a deadline, at once when the deadline has passed, or to keep
    a fix made on the spot."""
    if f["fixed_on_site"] and f["resolved_by_visit"] == visit_id:
        return Words("已现场整改（立行立改），请巩固整改成效", "Fixed on the spot during the visit; keep it so")
    if f["due"] < visit_date:
        return Words("已逾期，请立即整改", "Overdue: fix it at once")
    return Words("按期整改到位", "Fix it by the deadline")


def checklist_sources(store: Store, checklist_hash: str) -> list[Words]:
    from nanxian_cli.store.checklists import checklist_content

    content = checklist_content(store, checklist_hash)
    data = json.loads(content) if content else {}
    return cite(data.get("source"))


def compute(store: Store, visit_id: str, notice: dict, *, issuer: str | None = None, county: str | None = None,
            reply_to: str | None = None) -> NoticeReport:
    from nanxian_cli.store.notices import sharing_number

    head = q.visit_header(store, visit_id)
    answers = {p["item_id"]: p for p in q.visit_points(store, visit_id)}
    rules: dict[str, dict] = {}
    problems = []
    findings = d.visit_findings(store, visit_id)
    files = document_evidence(store, head["id"], [f["uid"] for f in findings])
    for f in findings:
        points = rules.setdefault(f["checklist_hash"], stored_points(store, f["checklist_hash"]))
        point = points.get(f["item_id"])
        answer = answers.get(f["item_id"]) if f["checklist_hash"] == head["checklist_hash"] else None
        found, standard = point_words(point, answer["value"] if answer else None)
        if answer is None and point is not None:  # re-checked during a visit of another checklist
            from nanxian_cli.core.standards import standard as rule

            found, standard = "", rule(point)
        note = answer["note"] if answer else f["step_note"]
        cited: list[Text] = list(point_sources(point)) if point is not None else []
        problems.append(NoticeProblem(
            finding=f["id"], uid=f["uid"], item=f["item_id"], text=both(f["text_zh"], f["text_en"], f["item_id"]),
            severity=f["severity"], severity_label=words(SEVERITY_LABELS.get(f["severity"])), found=found,
            note=note, standard=standard, sources=cited or checklist_sources(store, f["checklist_hash"]),
            due=f["due"], requirement=_requirement(f, head["id"], head["date"]), relation=f["relation"],
            fixed_on_site=bool(f["fixed_on_site"] and f["resolved_by_visit"] == head["id"]),
            evidence=distinct(files.at_point(f["point_key"]) + files.of_finding(f["uid"], until=notice["issued_on"]))))
    shared = [SharedNumber(r["uid"], r["visit_id"], r["device"], r["issued_on"])
              for r in sharing_number(store.conn, notice["year"], notice["n"], notice["uid"])]
    return NoticeReport(
        uid=notice["uid"], number=notice["number"], year=notice["year"], n=notice["n"],
        issued_on=notice["issued_on"], issued_by=notice["issued_by"], device=notice["device"],
        issuer=issuer, county=county, reply_to=reply_to, visit=head["id"], date=head["date"],
        school=VisitSchool(head["school_code"], head["school_name"], head["town"]), inspector=head["inspector"],
        checklist=ChecklistRef(head["checklist_id"], head["checklist_version"],
                               both(head["title_zh"], head["title_en"], head["checklist_id"]), head["checklist_hash"]),
        problems=problems, shared_number=shared,
    )


def printed_files(report: NoticeReport) -> list[str]:
    """The sha256 of the files the 整改通知书 prints under its problems."""
    return list(dict.fromkeys(a.sha256 for p in report.problems for a in p.evidence))
