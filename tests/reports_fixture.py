"""A small, hand-computable database for the report tests, built through the real recording path.

Checklist `mini` (5 points):
  m-a  yesno   plan [1]     critical  weight 2
  m-b  yesno   plan [1, 2]  major     weight 1
  m-c  number  plan [2]     max 50    minor  weight 1
  m-d  yesno   plan [3]     minor     allow_na
  m-e  text    plan [3]     (info)

Visits (period 2020-09-01 .. 2020-12-31):
  V1 NX-001 2020-10-10 submitted  a yes, b no (note), c 40, d yes, e text   -> pass 3 fail 1 na 0 info 1
  V2 NX-001 2020-11-20 submitted  a no (critical), b yes, c 60, d na, e text; then c amended to 45
                                  -> pass 2 fail 1 na 1 info 1 (w_pass 2, w_fail 2)
  V3 NX-002 2020-12-01 submitted  all pass                                     -> pass 4 fail 0 na 0 info 1
  V4 NX-002 2020-12-05 draft      (ignored)
  V5 NX-005 2020-11-01 submitted, then voided (ignored; its finding withdrawn)
  V6 NX-003 2020-08-15 submitted  b no (before the period: its finding is open and overdue at 2020-12-31)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

MINI = """\
id: mini
version: 1
title: {zh: 迷你检查表, en: Mini checklist}
kind: routine
items:
  - id: m-a
    text: {zh: 应急演练已开展, en: A drill was held}
    plan: [1]
    type: yesno
    severity: critical
    weight: 2
  - id: m-b
    text: {zh: 收费公示, en: Fees are posted}
    plan: [1, 2]
    type: yesno
    severity: major
  - id: m-c
    text: {zh: 最大班额, en: Largest class}
    plan: [2]
    type: number
    max: 50
    severity: minor
  - id: m-d
    text: {zh: 图书角, en: Reading corner}
    plan: [3]
    type: yesno
    severity: minor
    allow_na: true
  - id: m-e
    text: {zh: 其他情况, en: Other remarks}
    plan: [3]
    type: text
    severity: minor
"""

FROM, TO = "2020-09-01", "2020-12-31"


def write_checklists(tmp_path: Path) -> Path:
    folder = tmp_path / "cl"
    folder.mkdir(exist_ok=True)
    (folder / "mini.yaml").write_text(MINI, encoding="utf-8")
    return folder


def record(store, loaded, code: str, day: str, answers: dict, notes: dict | None = None, *, partial=False):
    from nanxian_cli.core.visit import GivenAnswer, prepare_visit
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_visit

    notes = notes or {}
    school = find_school(store, code)
    given = {k: GivenAnswer(v, notes.get(k), f"test:{k}") for k, v in answers.items()}
    visit = prepare_visit(loaded, school, dt.date.fromisoformat(day), "李明", given, partial=partial)
    record_visit(store, visit)
    return visit.id


def build(db_path: Path, checklist_dir: Path) -> dict:
    """Record the visits above; return their ids."""
    from nanxian_cli.files.checklist_file import load_checklist
    from nanxian_cli.services.corrections import amend_answer, void_visit
    from nanxian_cli.store import open_store

    loaded = load_checklist(checklist_dir / "mini.yaml")
    ids = {}
    with open_store(db_path) as store:
        ids["v6"] = record(store, loaded, "NX-003", "2020-08-15",
                           {"m-a": "yes", "m-b": "no", "m-c": 30, "m-d": "yes", "m-e": "x"})
        ids["v1"] = record(store, loaded, "NX-001", "2020-10-10",
                           {"m-a": "yes", "m-b": "no", "m-c": 40, "m-d": "yes", "m-e": "整洁"},
                           {"m-b": "收费公示栏缺失"})
        ids["v2"] = record(store, loaded, "NX-001", "2020-11-20",
                           {"m-a": "no", "m-b": "yes", "m-c": 60, "m-d": "na", "m-e": "一般"},
                           {"m-a": "本学期未演练", "m-c": "初二(3)班60人"})
        amend_answer(store, ids["v2"], "m-c", 45, "recount: 45 pupils", "王芳")
        ids["v3"] = record(store, loaded, "NX-002", "2020-12-01",
                           {"m-a": "yes", "m-b": "yes", "m-c": 30, "m-d": "yes", "m-e": "好"})
        ids["v4"] = record(store, loaded, "NX-002", "2020-12-05", {"m-a": "no", "m-b": "no"})
        ids["v5"] = record(store, loaded, "NX-005", "2020-11-01",
                           {"m-a": "no", "m-b": "no", "m-c": 99, "m-d": "no", "m-e": "差"})
        void_visit(store, ids["v5"], "wrong school", "王芳")
    return ids
