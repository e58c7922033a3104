"""Closed vocabularies shared by models, store and reports (no heavy imports)."""

from __future__ import annotations

STAGES = ("kindergarten", "primary", "junior", "senior", "vocational", "special", "training")
"""`training`: an off-campus tutoring institution (校外培训机构), in the roster so that it can be inspected."""
ATTRIBUTES = ("boarding", "canteen", "school_bus")
SEVERITIES = ("critical", "major", "minor")
KINDS = ("routine", "special", "assessment")
OUTCOMES = ("pass", "fail", "na", "info")
VISIT_STATUSES = ("draft", "submitted", "void")
FINDING_STATUSES = ("open", "reported", "resolved", "withdrawn")
DEFAULT_RECTIFY_DAYS = {"critical": 7, "major": 30, "minor": 60}
PLAN_ITEM_RANGE = range(1, 22)

STAGE_LABELS = {
    "kindergarten": ("幼儿园", "kindergarten"),
    "primary": ("小学", "primary"),
    "junior": ("初中", "junior secondary"),
    "senior": ("高中", "senior secondary"),
    "vocational": ("中职", "vocational"),
    "special": ("特教", "special education"),
    "training": ("校外培训机构", "tutoring institution"),
}
STAGE_WORDS = {zh: key for key, (zh, _) in STAGE_LABELS.items()} | {"特殊教育": "special", "中等职业": "vocational",
                                                                    "培训机构": "training"}
"""Stage names a Chinese roster may use."""
ROSTER_HEADERS = {"代码": "code", "名称": "name", "乡镇": "town", "学段": "stages", "寄宿": "boarding",
                  "食堂": "canteen", "校车": "school_bus", "性质": "ownership", "集团": "group", "普惠": "inclusive"}
"""A roster's column headers (or YAML keys) in Chinese -> the field."""
SEVERITY_LABELS = {"critical": ("严重", "critical"), "major": ("一般", "major"), "minor": ("轻微", "minor")}
OUTCOME_LABELS = {"pass": ("合格", "pass"), "fail": ("不合格", "fail"), "na": ("不适用", "n/a"),
                  "info": ("记录", "info")}

# The words people read for each closed-vocabulary value, (zh, en); JSON keeps the English key. One word per
# state everywhere: reports, the digest and the screens.
FINDING_STATUS_LABELS = {"open": ("待整改", "open"), "reported": ("待复查", "reported"),
                         "resolved": ("已整改", "resolved"), "withdrawn": ("已撤销", "withdrawn")}
OVERDUE_LABEL = ("逾期", "overdue")  # a flag on an open or reported finding, not a state
ESCALATED_LABEL = ("已上报", "escalated")  # a flag: 上报/交办 to the bureau
FIXED_ON_SITE_LABEL = ("立行立改", "fixed on site")  # a flag on a resolved finding: fixed during the visit
# One line of a finding's history (core.findings.Step.kind), as people read it.
FINDING_EVENT_LABELS = {
    "opened": ("发现问题", "opened"), "recheck_failed": ("复查未通过", "re-check failed"),
    "recheck_passed": ("复查通过", "re-check passed"), "resolved": ("销号", "resolved"),
    "fixed_on_site": ("立行立改", "fixed on site"), "reported": ("收到整改报告", "rectification report received"),
    "returned": ("退回待整改", "back to open"), "extended": ("延期", "due date extended"),
    "escalated": ("上报/交办", "escalated"), "withdrawn": ("撤销", "withdrawn"), "reopened": ("重新打开", "reopened"),
}
VISIT_STATUS_LABELS = {"submitted": ("已提交", "submitted"), "draft": ("草稿", "draft"), "void": ("已作废", "void")}
FINDING_RELATION_LABELS = {"opened": ("发现", "opened"), "resolved": ("已整改", "resolved"),
                           "rechecked": ("复查", "re-checked"),
                           "returned": ("复查未通过，退回待整改", "re-check failed: back to open")}  # what a visit did
YES_NO_LABELS = {True: ("是", "yes"), False: ("否", "no")}
OWNERSHIP_LABELS = {"public": ("公办", "public"), "private": ("民办", "private")}
KIND_LABELS = {"routine": ("常规督导", "routine"), "special": ("专项督导", "special"),
               "assessment": ("督导评估", "assessment")}
TYPE_LABELS = {"yesno": ("是否", "yesno"), "number": ("数值", "number"), "choice": ("选项", "choice"),
               "rating": ("评分", "rating"), "text": ("文字", "text")}
ATTRIBUTE_LABELS = {"boarding": ("寄宿", "boarding"), "canteen": ("食堂", "canteen"),
                    "school_bus": ("校车", "school bus")}
