"""Closed vocabularies shared by models, store and reports (no heavy imports)."""

from __future__ import annotations

STAGES = ("kindergarten", "primary", "junior", "senior", "vocational", "special")
ATTRIBUTES = ("boarding", "canteen", "school_bus")
SEVERITIES = ("critical", "major", "minor")
KINDS = ("routine", "special", "assessment")
OUTCOMES = ("pass", "fail", "na", "info")
VISIT_STATUSES = ("draft", "submitted", "void")
FINDING_STATUSES = ("open", "resolved", "withdrawn")
DEFAULT_RECTIFY_DAYS = {"critical": 7, "major": 30, "minor": 60}
PLAN_ITEM_RANGE = range(1, 22)

STAGE_LABELS = {
    "kindergarten": ("幼儿园", "kindergarten"),
    "primary": ("小学", "primary"),
    "junior": ("初中", "junior secondary"),
    "senior": ("高中", "senior secondary"),
    "vocational": ("中职", "vocational"),
    "special": ("特教", "special education"),
}
SEVERITY_LABELS = {"critical": ("严重", "critical"), "major": ("一般", "major"), "minor": ("轻微", "minor")}
OUTCOME_LABELS = {"pass": ("合格", "pass"), "fail": ("不合格", "fail"), "na": ("不适用", "n/a"), "info": ("记录", "info")}
