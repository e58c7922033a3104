"""Helpers for the visit tests: a small checklist with every point type, answers files, row counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

# Seven points: yesno (weight 2), number (critical), yesno needing a canteen with a `when`, choice,
# rating allowing na, text, and a kindergarten-only point. Rectify days 7 / 30 / 60.
CHECKLIST = """\
id: t-visit
version: 1
title: {zh: 测试检查, en: Test visit}
kind: routine
rectify_days: {critical: 7, major: 30, minor: 60}
items:
  - id: t-drill
    text: {zh: 本学期开展疏散演练, en: An evacuation drill was held}
    guidance: {zh: 查看演练记录, en: Ask for the drill record}
    plan: [21]
    type: yesno
    severity: major
    weight: 2
  - id: t-class
    text: {zh: 最大班额, en: Largest class}
    plan: [4]
    type: number
    max: 55
    severity: critical
  - id: t-meal
    text: {zh: 校领导陪餐, en: Leaders eat with pupils}
    plan: [21]
    type: yesno
    severity: minor
    applies_to: {requires: [canteen]}
    when: {item: t-drill, equals: yes}
  - id: t-homework
    text: {zh: 作业量, en: Homework load}
    plan: [12]
    type: choice
    choices: {light: {zh: 适量, en: Within limits}, heavy: {zh: 过重, en: Too much}}
    pass: [light]
    severity: major
  - id: t-morale
    text: {zh: 教师士气, en: Staff morale}
    plan: [16]
    type: rating
    min: 3
    severity: minor
    allow_na: true
  - id: t-remarks
    text: {zh: 其他情况, en: Other remarks}
    plan: [19]
    type: text
  - id: t-kg-play
    text: {zh: 幼儿游戏时间, en: Play time}
    plan: [5]
    type: yesno
    severity: major
    applies_to: {stages: [kindergarten]}
"""

# A second checklist, so re-checks of findings from another checklist can be tested.
OTHER = """\
id: t-other
version: 1
title: {zh: 另一检查, en: Other visit}
kind: special
items:
  - id: o-gate
    text: {zh: 校门值守, en: Gate is guarded}
    plan: [21]
    type: yesno
    severity: major
  - id: o-fence
    text: {zh: 围墙完好, en: Fence intact}
    plan: [21]
    type: yesno
    severity: minor
"""

FULL = {"t-drill": "yes", "t-class": 50, "t-meal": "yes", "t-homework": "light", "t-morale": 4, "t-remarks": "ok"}


@pytest.fixture
def vdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schools, supervisors) -> Path:
    """The test checklists in their own folder (NANXIAN_CHECKLISTS), with the five-school roster imported and
    the usual supervisors registered."""
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "t-visit.yaml").write_text(CHECKLIST, encoding="utf-8")
    (folder / "t-other.yaml").write_text(OTHER, encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    return folder


def answers_file(tmp_path: Path, answers: dict, name: str = "answers.yaml", **header) -> Path:
    """Write an answers file (JSON is valid YAML; keeps types exact)."""
    doc = {"school": "NX-001", "checklist": "t-visit", "date": "2020-11-02", "inspector": "李明"}
    doc.update(header)
    doc = {k: v for k, v in doc.items() if v is not None}
    doc["answers"] = answers
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def counts(db: Path) -> dict[str, int]:
    """Row counts of every table a visit writes to (0 when the database does not exist yet)."""
    if not db.exists():
        return {"visits": 0, "answers": 0, "findings": 0, "finding_actions": 0, "finding_steps": 0,
                "visit_plan_counts": 0}
    return {t: rows(db, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("visits", "answers", "findings", "finding_actions", "finding_steps", "visit_plan_counts")}


def record(cli, tmp_path: Path, answers: dict, *extra: str, name: str = "answers.yaml", **header) -> dict:
    """Record a visit from an answers file and return its JSON."""
    path = answers_file(tmp_path, answers, name=name, **header)
    result = cli("inspect", "visit", "--answers", path, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
