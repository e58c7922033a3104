"""The rectification loop by hand: the school's 整改报告 received, 销号, a new deadline, 上报/交办, withdrawn as
opened by mistake, reopened. Each is a fact (an action naming its finding); the finding's state follows from
the engine (services/derive.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from nanxian_cli.clock import utc_now
from nanxian_cli.core.findings import IN_PROGRESS
from nanxian_cli.core.ids import new_uid
from nanxian_cli.core.words import Words
from nanxian_cli.errors import Ambiguous, InputError, NotFound
from nanxian_cli.services import derive
from nanxian_cli.store import findings as sql
from nanxian_cli.store import meta
from nanxian_cli.store.db import Store

_STATE_WORDS = {"open": Words("待整改", "open"), "reported": Words("待复查", "reported"),
                "resolved": Words("已整改", "resolved"), "withdrawn": Words("已撤销", "withdrawn")}


def find_finding(conn: sqlite3.Connection, ref: str | int) -> sqlite3.Row:
    """A finding by number (42, #42) or id (a UUID or 8+ of its first characters)."""
    text = str(ref).strip()
    try:
        row = sql.finding_ref(conn, text)
    except LookupError as exc:
        raise Ambiguous(Words(f"{text!r} 匹配多个整改项；请多给几位",
                              f"{text!r} matches several findings; give more characters"),
                        list(exc.args[0])) from None
    if row is None:
        shown = text if text.startswith("#") or not text.isdigit() else f"#{text}"
        raise NotFound(Words(f"没有整改项 {shown}", f"no finding {shown}"))
    return row


def act(store: Store, ref: str | int, kind: str, *, date: dt.date, today: dt.date, author: str | None,
        text: str | None = None, due: dt.date | None = None, on_site: bool = False) -> dict:
    """Record one hand action on a finding after checking it fits the finding's state; returns the finding's
    number, id and state after it. Bad input (a date before the finding opened or after today, an action on a
    closed finding, a deadline not after the current one, an empty reason) is refused, nothing written."""
    if date > today:
        raise InputError(Words(f"--date：{date.isoformat()} 是将来的日期",
                               f"--date: {date.isoformat()} is in the future"))
    with store.transaction() as conn:
        f = find_finding(conn, ref)
        number, status = f["id"], f["status"]
        if kind == "reopen":
            if status in IN_PROGRESS:
                raise InputError(Words(f"整改项 #{number} 尚未关闭（{_STATE_WORDS[status].zh}），无需重新打开",
                                       f"finding #{number} is {status}, not closed; there is nothing to reopen"))
            busy = conn.execute("SELECT id FROM findings WHERE school_code = ? AND point_key = ? AND status IN "
                                "('open', 'reported') AND id != ?",
                                (f["school_code"], f["point_key"], number)).fetchone()
            if busy is not None:
                raise InputError(Words(f"同一学校同一要点已有进行中的整改项 #{busy[0]}；不能重新打开 #{number}",
                                       f"finding #{busy[0]} is already in progress for this point at this school; "
                                       f"#{number} cannot be reopened"))
        elif status not in IN_PROGRESS:
            raise InputError(Words(f"整改项 #{number} 已{_STATE_WORDS[status].zh}，不是待整改状态",
                                   f"finding #{number} is {status}, not open"))
        if date.isoformat() < f["opened"]:
            raise InputError(Words(f"--date {date.isoformat()} 早于整改项发现的日期（{f['opened']}）",
                                   f"--date {date.isoformat()} is before the finding was opened ({f['opened']})"))
        if kind == "extend" and (due is None or due.isoformat() <= f["due"]):
            shown = due.isoformat() if due else "—"
            raise InputError(Words(f"--to {shown} 不晚于当前整改期限 {f['due']}",
                                   f"--to {shown} is not after the current due date {f['due']}"))
        now = utc_now()
        sql.insert_action(conn, {
            "uid": new_uid(), "finding": f["uid"], "school_code": f["school_code"], "point_key": f["point_key"],
            "kind": kind, "date": date.isoformat(), "text": text, "due": due.isoformat() if due else None,
            "on_site": int(on_site), "author": author, "device": meta.device_id(conn), "recorded_at": now,
        })
        derive.rebuild(conn, f["school_code"], [f["point_key"]], now)
        after = conn.execute("SELECT id, uid, status, due, resolved_on, escalated FROM findings WHERE id = ?",
                             (number,)).fetchone()
    return dict(after)


def resolve_finding(store: Store, finding_id: int | str, note: str, date: dt.date, author: str | None,
                    *, today: dt.date | None = None, on_site: bool = False) -> dict:
    """销号 by hand: the point was checked outside a visit (or fixed during it: `on_site`)."""
    result = act(store, finding_id, "resolve", date=date, today=today or date, author=author, text=note,
                 on_site=on_site)
    return {"id": result["id"], "status": result["status"], "resolved_on": result["resolved_on"]}
