"""The rectification loop by hand: the school's 整改报告 received, 销号, a new deadline, 上报/交办, withdrawn as
opened by mistake, reopened. Each is a fact (an action naming its finding); the finding's state follows from
the engine (services/derive.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from nanxian_cli.clock import utc_now
from nanxian_cli.core.findings import IN_PROGRESS
from nanxian_cli.core.ids import new_uid
from nanxian_cli.core.vocab import FINDING_EVENT_LABELS, FINDING_STATUS_LABELS
from nanxian_cli.core.words import Words
from nanxian_cli.errors import Ambiguous, InputError, NotFound
from nanxian_cli.services import derive
from nanxian_cli.store import findings as sql
from nanxian_cli.store import meta
from nanxian_cli.store.db import Store

# The text each action must carry, named as the command line names it.
TEXT_OPTIONS = {"report": "--measures", "resolve": "--note", "extend": "--reason", "escalate": "--reason",
                "withdraw": "--reason", "reopen": "--reason"}
_TEXT_WORDS = {"report": Words("请写明学校采取的整改措施", "say what the school did to fix it"),
               "resolve": Words("请写明问题如何整改、如何核实", "say how the finding was fixed and checked"),
               "extend": Words("请写明延期的原因", "say why the due date moves"),
               "escalate": Words("请写明上报/交办的原因", "say why it goes to the bureau"),
               "withdraw": Words("请写明撤销的原因（例如误录）", "say why it is withdrawn (e.g. opened by mistake)"),
               "reopen": Words("请写明重新打开的原因", "say why it is reopened")}


def _state(status: str) -> Words:
    return Words(*FINDING_STATUS_LABELS.get(status, (status, status)))


def find_finding(conn: sqlite3.Connection, ref: str | int) -> sqlite3.Row:
    """A finding by number (42, #42) or id (a UUID or 8+ of its first characters)."""
    text = str(ref).strip()
    try:
        row = sql.finding_ref(conn, text)
    except LookupError as exc:
        raise Ambiguous(Words(f"{text!r} 匹配多个整改项；请多给几位",
                              f"{text!r} matches several findings; give more characters"), list(exc.args[0])) from None
    if row is None:
        bare = text.lstrip("#")
        if bare.isdigit():
            raise NotFound(Words(f"没有整改项 #{bare}", f"no finding #{bare}"))
        if len(bare) < 8:
            raise NotFound(Words(f"没有整改项 {text!r}：请给出编号（42 或 #42）或编号 ID 的前 8 位以上",
                                 f"no finding {text!r}: give its number (42 or #42) or 8 or more characters of its id"))
        raise NotFound(Words(f"没有整改项 {text!r}", f"no finding {text!r}"))
    return row


def act(store: Store, ref: str | int, kind: str, *, date: dt.date | None, today: dt.date, author: str | None,
        text: str | None = None, due: dt.date | None = None, on_site: bool = False,
        evidence: list | None = None) -> dict:
    """Record one hand action on a finding after checking it fits the finding's state; returns the finding's
    number, id and state after it (and `was`: its state before).

    `date` None: today, or for a resolution `on_site` the date of the visit that found the point failing.
    Refused (InputError, nothing written): an empty text; a date before the finding was opened, before its last
    event or after today; an action on a resolved or withdrawn finding (except `reopen`, which is refused on
    one in progress); `escalate` on an escalated one; a deadline not after the current one; an `on_site`
    resolution dated other than that visit's date. `evidence`: files checked already (services/evidence.py),
    stored and attached to the action in its transaction."""
    option = TEXT_OPTIONS[kind]
    if text is None or not text.strip():
        raise InputError(Words(f"{option}：不能为空；{_TEXT_WORDS[kind].zh}",
                               f"{option}: empty; {_TEXT_WORDS[kind].en}"))
    text = text.strip()
    if date is not None and date > today:
        raise InputError(Words(f"--date：{date.isoformat()} 是将来的日期（今天是 {today.isoformat()}）",
                               f"--date: {date.isoformat()} is in the future (today is {today.isoformat()})"))
    from nanxian_cli.services.evidence import folder_of, taking_back

    with store.transaction() as conn, taking_back(folder_of(store)) as stored:
        f = find_finding(conn, ref)
        number, status = f["id"], f["status"]
        if kind == "reopen":
            _check_reopen(conn, f)
        elif status not in IN_PROGRESS:
            raise _closed(f, kind)
        if kind == "escalate" and f["escalated"]:
            raise InputError(Words(f"整改项 #{number} 已上报/交办", f"finding #{number} is already escalated"))
        if kind == "resolve" and on_site:
            visit = sql.last_failed_visit(conn, number)
            if visit is None:  # a finding always has its opening visit; kept for a damaged history
                raise InputError(Words(f"整改项 #{number} 没有可立行立改的督导记录",
                                       f"finding #{number} has no visit to fix it at"))
            if date is not None and date.isoformat() != visit["date"]:
                raise InputError(Words(f"--on-site：立行立改的日期是督导当天（{visit['date']}），"
                                       f"不是 {date.isoformat()}；请去掉 --date",
                                       f"--on-site: a fix on site is dated the visit's date ({visit['date']}), not "
                                       f"{date.isoformat()}; leave out --date"))
            date = dt.date.fromisoformat(visit["date"])
        day = (date or today).isoformat()
        if day < f["opened"]:
            raise InputError(Words(f"--date {day} 早于整改项发现的日期（{f['opened']}）",
                                   f"--date {day} is before the finding was opened ({f['opened']})"))
        last = sql.last_hand_step(conn, number)
        if last is not None and day < last["date"]:  # visits may come later: the engine places the action
            event = Words(*FINDING_EVENT_LABELS.get(last["kind"], (last["kind"], last["kind"])))
            raise InputError(Words(
                f"{'--on-site：督导日期' if on_site else '--date'} {day} 早于整改项 #{number} 最近一次登记的处理"
                f"（{last['date']} {event.zh}）；请用当天或之后的日期",
                f"{'--on-site: the visit date' if on_site else '--date'} {day} is before the last action recorded "
                f"on finding #{number} ({event.en} on {last['date']}); an action is dated on or after it"))
        if kind == "extend" and (due is None or due.isoformat() <= f["due"]):
            shown = due.isoformat() if due else "—"
            raise InputError(Words(f"--to {shown} 不晚于当前整改期限 {f['due']}",
                                   f"--to {shown} is not after the current due date {f['due']}"))
        now = utc_now()
        uid = new_uid()
        sql.insert_action(conn, {
            "uid": uid, "finding": f["uid"], "school_code": f["school_code"], "point_key": f["point_key"],
            "kind": kind, "date": day, "text": text, "due": due.isoformat() if due else None,
            "on_site": int(on_site), "author": author, "device": meta.device_id(conn), "recorded_at": now,
        })
        if evidence:
            from nanxian_cli.services.evidence import attach

            attach(conn, folder_of(store), evidence, action_uid=uid, author=author, now=now, created=stored)
        changes = derive.rebuild(conn, f["school_code"], [f["point_key"]], now)
        step = sql.step_of_action(conn, number, uid)
        if step is None or not step["applied"]:  # it does not fit the finding's state on its date: roll back
            raise InputError(Words(f"整改项 #{number} 在 {day} 的状态不能{_kind(kind).zh}"
                                   f"（见 nanxian finding show {number}）；未做任何改动",
                                   f"finding #{number} did not take this action on {day} (see `nanxian finding show "
                                   f"{number}`); nothing was changed"))
        after = conn.execute("SELECT id, uid, status, due, resolved_on, escalated, fixed_on_site, reported_on "
                             "FROM findings WHERE id = ?", (number,)).fetchone()
    # a resolution dated before a later visit that found the point failing again: that visit opened a new finding
    return {**dict(after), "was": status, "date": day, "previous_due": f["due"], "opened": changes["opened"]}


_KIND_WORDS = {"report": Words("登记整改报告", "record a report"), "resolve": Words("销号", "resolve"),
               "extend": Words("延期", "extend"), "escalate": Words("上报/交办", "escalate"),
               "withdraw": Words("撤销", "withdraw"), "reopen": Words("重新打开", "reopen")}


def _kind(kind: str) -> Words:
    return _KIND_WORDS[kind]


def _closed(f: sqlite3.Row, kind: str) -> InputError:
    """An action other than reopen on a resolved or withdrawn finding."""
    number, status = f["id"], f["status"]
    if status == "withdrawn" and not f["derived"]:
        return InputError(Words(f"整改项 #{number} 已撤销：其督导记录已作废或回答已更正；不能再{_kind(kind).zh}",
                                f"finding #{number} is withdrawn: its visit was voided or its answer corrected; "
                                "nothing can be recorded on it"))
    return InputError(Words(f"整改项 #{number} {_state(status).zh}，不是待整改或待复查，不能再{_kind(kind).zh}；"
                            f"如需继续跟踪：nanxian finding reopen {number} --reason …",
                            f"finding #{number} is {status}, not open; to take it up again: "
                            f"nanxian finding reopen {number} --reason …"))


def _check_reopen(conn: sqlite3.Connection, f: sqlite3.Row) -> None:
    number, status = f["id"], f["status"]
    if status in IN_PROGRESS:
        raise InputError(Words(f"整改项 #{number} 尚未关闭（{_state(status).zh}），无需重新打开",
                               f"finding #{number} is {status}, not closed; there is nothing to reopen"))
    if status == "withdrawn" and not f["derived"]:
        raise InputError(Words(f"整改项 #{number} 的督导记录已作废或回答已更正，不能重新打开",
                               f"finding #{number} went with its visit (voided) or its answer (corrected); "
                               "it cannot be reopened"))
    busy = sql.other_in_progress(conn, f["school_code"], f["point_key"], number)
    if busy is not None:
        raise InputError(Words(f"同一学校同一要点已有进行中的整改项 #{busy}；不能重新打开 #{number}",
                               f"finding #{busy} is already in progress for this point at this school; "
                               f"#{number} cannot be reopened"))
    later = sql.later_finding(conn, f["school_code"], f["point_key"], number, f["opened"])
    if later is not None:
        raise InputError(Words(f"这一要点在本校后来又发现了整改项 #{later}；请重新打开 #{later}，而不是 #{number}",
                               f"finding #{later} was opened later for this point at this school; reopen #{later}, "
                               f"not #{number}"))


def resolve_finding(store: Store, finding_id: int | str, note: str, date: dt.date | None, author: str | None,
                    *, today: dt.date | None = None, on_site: bool = False) -> dict:
    """销号 by hand: the point was checked outside a visit (or fixed during it: `on_site`)."""
    result = act(store, finding_id, "resolve", date=date, today=today or date or dt.date.max, author=author,
                 text=note, on_site=on_site)
    return {"id": result["id"], "status": result["status"], "resolved_on": result["resolved_on"]}
