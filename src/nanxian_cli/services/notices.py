"""Issuing a 整改通知书: checked first (a submitted visit that found something to fix, a date of issue that can be
true), then numbered once, in one transaction, and stored as a fact; every later print shows the same number.

Numbers: `{notice_prefix}〔{year}〕{n}号`, n counting per calendar year of the date of issue, inside the range this
database was given (`[documents] notice_first` .. `notice_last`). Laptops that are merged at the bureau are given
ranges that do not overlap, so no two notices ever get the same number, even when both were issued offline on
the same day; a database refuses to number past its range end. The next number is one above the highest in the
range this database holds (its own and those merged in), so a number already seen is never given again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from nanxian_cli.core.words import Words
from nanxian_cli.errors import InputError
from nanxian_cli.store import notices as sql
from nanxian_cli.store.db import Store


def check_visit(store: Store, visit: Any) -> list[dict]:
    """The findings a notice for `visit` lists; exit 2 (why) when there is nothing to notify: a draft, a void
    visit, a visit that opened no finding (and found none still not fixed), or one whose every problem was fixed on
    the spot (立行立改)."""
    from nanxian_cli.store.documents import visit_findings

    short = visit["id"][:8]
    if visit["status"] == "draft":
        raise InputError(Words(f"督导记录 {short} 是草稿：提交后才能发整改通知书",
                               f"visit {short} is a draft: submit it before issuing a rectification notice"))
    if visit["status"] == "void":
        raise InputError(Words(f"督导记录 {short} 已作废：不发整改通知书",
                               f"visit {short} is void: no rectification notice"))
    findings = visit_findings(store, visit["id"])
    if not findings:
        raise InputError(Words(
            f"督导记录 {short} 未发现需整改的问题：没有整改通知书可发（督导意见书：nanxian report visit {short}）",
            f"visit {short} opened no finding: there is nothing to rectify, so no notice "
            f"(the supervision opinion is `nanxian report visit {short}`)"))
    if all(f["fixed_on_site"] and f["resolved_by_visit"] == visit["id"] for f in findings):
        raise InputError(Words(
            f"督导记录 {short} 发现的问题均已现场整改（立行立改）：没有整改通知书可发",
            f"every problem found at visit {short} was fixed on the spot: there is nothing to rectify, so no notice"))
    return findings


def issue_notice(store: Store, visit: Any, *, day: dt.date | None, today: dt.date, author: str | None,
                 docs: Any, now: str) -> tuple[dict, bool]:
    """The visit's notice: the one issued before (then `day`, if given, must be its date), or a new one dated
    `day` (default today) and numbered now. Returns (the notice, whether it was issued by this call)."""
    import uuid

    from nanxian_cli.store.meta import device_id

    existing = sql.notice_of_visit(store.conn, visit["id"])
    if existing is not None:
        if day is not None and day.isoformat() != existing["issued_on"]:
            raise InputError(Words(
                f"--date：该督导的整改通知书已于 {existing['issued_on']} 发出（{existing['number']}）；"
                "编号和日期不再改变",
                f"--date: the notice for this visit was issued on {existing['issued_on']} as {existing['number']}; "
                f"its number and date do not change"))
        return dict(existing), False
    day = day or today
    if day > today:
        raise InputError(Words(f"--date：{day.isoformat()} 是将来的日期",
                               f"--date: {day.isoformat()} is in the future"))
    if day.isoformat() < visit["date"]:
        raise InputError(Words(f"--date：{day.isoformat()} 早于督导日期 {visit['date']}",
                               f"--date: {day.isoformat()} is before the visit ({visit['date']})"))
    first, last = docs.notice_first, docs.range_end
    with store.transaction() as conn:
        again = sql.notice_of_visit(conn, visit["id"])  # another process issued it meanwhile
        if again is not None:
            return dict(again), False
        top = sql.highest_in_range(conn, day.year, first, last)
        n = first if top is None else top + 1
        if last is not None and n > last:
            raise InputError(Words(
                f"{day.year} 年的整改通知书编号区间 {first}–{last} 已用完；请县督导室另给一个区间"
                "（配置文件 [documents] notice_first / notice_last）",
                f"the notice numbers {first}–{last} of {day.year} are used up; ask the bureau for another range "
                "([documents] notice_first / notice_last in the config file)"),
                [Words(f"已用到的最后一个编号：{top}", f"last number: {top}")])
        notice = {
            "uid": str(uuid.uuid4()), "visit_id": visit["id"], "year": day.year, "n": n,
            "number": f"{docs.notice_prefix or ''}〔{day.year}〕{n}号", "issued_on": day.isoformat(),
            "issued_by": author, "device": device_id(conn), "issued_at": now,
        }
        sql.insert_notice(conn, notice)
    return notice, True


def number_conflicts(conn: sqlite3.Connection) -> list[dict]:
    """Numbers that two notices hold (databases given overlapping ranges, merged): kept, never renumbered."""
    return [dict(r) for r in sql.number_conflicts(conn)]
