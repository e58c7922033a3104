"""SQL of the 整改通知书 issued (table `notices`, migration m009): find a visit's notice, the numbers in use in
a range, and numbers that two notices share. Every function that writes takes the connection of an open
transaction."""

from __future__ import annotations

import sqlite3
from typing import Any


def notice_of_visit(conn: Any, visit_id: str) -> sqlite3.Row | None:
    """The notice issued for a visit (the first one, should two databases each have issued one)."""
    return conn.execute("SELECT * FROM notices WHERE visit_id = ? ORDER BY issued_at, uid LIMIT 1",
                        (visit_id,)).fetchone()


def highest_in_range(conn: Any, year: int, first: int, last: int | None) -> int | None:
    """The highest number of `year` in use between `first` and `last` (no upper end when None)."""
    row = conn.execute("SELECT max(n) FROM notices WHERE year = ? AND n >= ? AND n <= ?",
                       (year, first, last if last is not None else 2**62)).fetchone()
    return row[0]


def insert_notice(conn: Any, notice: dict) -> None:
    conn.execute(
        "INSERT INTO notices (uid, visit_id, year, n, number, issued_on, issued_by, device, issued_at) "
        "VALUES (:uid, :visit_id, :year, :n, :number, :issued_on, :issued_by, :device, :issued_at)",
        notice,
    )


def sharing_number(conn: Any, year: int, n: int, uid: str) -> list[sqlite3.Row]:
    """Other notices with the same year and number as notice `uid` (issued on other databases)."""
    return conn.execute("SELECT * FROM notices WHERE year = ? AND n = ? AND uid != ? ORDER BY issued_at, uid",
                        (year, n, uid)).fetchall()


def number_conflicts(conn: Any) -> list[sqlite3.Row]:
    """Every (year, n) that more than one notice holds, with how many and on which devices."""
    return conn.execute(
        "SELECT year, n, count(*) AS notices, group_concat(DISTINCT device) AS devices FROM notices "
        "GROUP BY year, n HAVING count(*) > 1 ORDER BY year, n"
    ).fetchall()
