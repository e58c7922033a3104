"""Applying a bundle's notices and finding actions (the facts made by hand about a visit's findings), and the
checks of the dates and outcomes a bundle's records carry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.store import findings as finding_sql
from nanxian_cli.store import sync as sql

if TYPE_CHECKING:
    from nanxian_cli.services.sync_apply import Importer


def apply_notice(imp: Importer, rec: dict, where: str) -> bool:
    if sql.notice_exists(imp.conn, rec["uid"]):
        imp.r.skipped += 1
        return True
    if imp.visit(rec["visit"]) is None:
        imp.hold(rec, rec["uid"], f"visit:{rec['visit']}", where)
        return False
    if rec["year"] < 1900 or rec["n"] < 1:
        raise InputError(Words(f"{where}：整改通知书编号无效", f"{where}: the notice's number is not valid"))
    check_day(rec["issued_on"], f"{where}: notice.issued_on")
    from nanxian_cli.store.notices import insert_notice

    insert_notice(imp.conn, {"uid": rec["uid"], "visit_id": rec["visit"], "year": rec["year"], "n": rec["n"],
                             "number": rec["number"], "issued_on": rec["issued_on"],
                             "issued_by": rec["issued_by"], "device": rec["device"],
                             "issued_at": rec["issued_at"]})
    imp.r.new["notices"] = imp.r.new.get("notices", 0) + 1
    return True


def apply_action(imp: Importer, rec: dict, where: str) -> bool:
    if sql.action_exists(imp.conn, rec["uid"]):
        imp.r.skipped += 1
        return True
    for needed in (rec["opened_by_visit"], rec["visit"]):
        if needed is not None and imp.visit(needed) is None:
            imp.hold(rec, rec["uid"], f"visit:{needed}", where)
            return False
    if rec["action"] not in ("report", "resolve", "extend", "escalate", "withdraw", "reopen", "recheck"):
        raise InputError(Words(f"{where}：未知的整改动作 {rec['action']!r}",
                               f"{where}: unknown finding action {rec['action']!r}"))
    if not imp.school_known(rec["school"]):
        raise InputError(Words(f"{where}：整改动作指向未知的学校", f"{where}: the action names an unknown school"))
    check_day(rec["date"], f"{where}: action.date")
    finding_sql.insert_action(imp.conn, {
        "uid": rec["uid"], "finding": rec["finding"], "school_code": rec["school"], "point_key": rec["point_key"],
        "kind": rec["action"], "date": rec["date"], "text": rec["text"], "due": rec["due"],
        "visit_id": rec["visit"], "passed": None if rec["passed"] is None else int(rec["passed"]),
        "on_site": int(rec["on_site"]), "author": rec["author"], "device": rec["device"],
        "recorded_at": rec["recorded_at"],
    })
    imp.touched_points[rec["school"]].add(rec["point_key"])
    imp.eventful[rec["school"]].add(rec["point_key"])
    imp.r.new["events"] += 1
    return True


def check_day(text: str, where: str) -> None:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(Words(f"{where}：{text!r} 不是日期",
                               f"{where}: {text!r} is not a date (YYYY-MM-DD)")) from None


def check_outcome(item: Any, rec: dict, where: str) -> None:
    """The outcome must be one an answer can have, and a pass or fail must follow from the value by the rule of
    the visit's own checklist version: a bundle cannot bring numbers the rules would not give."""
    from nanxian_cli.core.answers import AnswerError, judge

    outcome = rec["outcome"]
    if outcome not in ("pass", "fail", "na", "info"):
        raise InputError(Words(f"{where}：未知的结果 {outcome!r}", f"{where}: unknown outcome {outcome!r}"))
    if outcome in ("pass", "fail"):
        try:
            judged = judge(item, rec["value"]).outcome
        except AnswerError:
            judged = None
        if judged != outcome:
            raise InputError(Words(f"{where}：{rec['item']} 的结果 {outcome} 与回答 {rec['value']!r} 不符",
                                   f"{where}: {rec['item']}: outcome {outcome} does not follow from the answer "
                                   f"{rec['value']!r} under its checklist's rule"))
