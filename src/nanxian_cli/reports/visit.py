"""`report visit VISIT`: the 督导意见书 handed to the school after a visit — what was checked, what passed and
failed (latest answer revisions), each 整改 requirement with its deadline, and signature lines."""

from __future__ import annotations

from dataclasses import dataclass

from nanxian_cli.core.vocab import OUTCOME_LABELS, SEVERITY_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.reports import Text, answer_words, both, finding_status_words, rate4, words
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
    relation: str  # what this visit did to the finding: opened | rechecked | resolved
    note: str | None
    requirement: Words


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


def compute(store: Store, visit_id: str) -> VisitReport:
    from nanxian_cli.errors import NotFound

    head = q.visit_header(store, visit_id)
    if head is None:
        raise NotFound(f"no visit {visit_id!r}")
    points = [
        CheckedPoint(
            item=p["item_id"], text=Words(p["text_zh"], p["text_en"]),
            plan=[int(n) for n in (p["plan"] or "").split(",") if n],
            severity=p["severity"], severity_label=words(SEVERITY_LABELS.get(p["severity"])),
            outcome=p["outcome"], outcome_label=words(OUTCOME_LABELS.get(p["outcome"]), Words("未答", "not answered")),
            value=answer_words(p["value"]), note=p["note"], revision=p["revision"])
        for p in q.visit_points(store, visit_id)
    ]
    text_of = {p.item: p.text for p in points}
    rect = [
        Rectification(
            finding=f["id"], item=f["item_id"], text=text_of.get(f["item_id"], f["item_id"]), severity=f["severity"],
            severity_label=words(SEVERITY_LABELS.get(f["severity"])), opened=f["opened"], due=f["due"],
            status=f["status"], status_label=finding_status_words(f["status"]), relation=f["relation"],
            note=f["note"], requirement=_requirement(f["due"], head["date"], f["status"]))
        for f in q.visit_findings(store, visit_id)
    ]
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
    )


def _requirement(due: str, visit_date: str, status: str) -> Words:
    """The 整改 requirement as handed to the school: a finding re-checked past its deadline says so."""
    if status == "open" and due < visit_date:
        return Words(f"已逾期（原定 {due} 前整改），请立即整改，并向责任督学书面报告整改情况",
                     f"Overdue (was due {due}): "
                     "fix it at once and report the rectification to the supervisor in writing")
    return Words(f"请于 {due} 前完成整改，并向责任督学书面报告整改情况",
                 f"Fix by {due} and report the rectification to the supervisor in writing")
