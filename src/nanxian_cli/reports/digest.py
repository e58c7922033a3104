"""The weekly digest as plain data: one ISO week (Monday-Sunday, county dates) of supervision.

Computed once from the store, then rendered as text, Markdown, HTML or JSON (render/digest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

UNVISITED_DAYS = 30
WEAKEST = 5
SEVERITIES = ("critical", "major", "minor")
_WEEK_RE = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    def previous(self) -> IsoWeek:
        return week_of(self.monday - dt.timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def week_of(day: dt.date) -> IsoWeek:
    iso = day.isocalendar()
    return IsoWeek(iso[0], iso[1])


def parse_week(text: str | None, today: dt.date) -> IsoWeek:
    """`YYYY-Www`, `last` (the week before `today`'s) or `this` (the week of `today`)."""
    value = "last" if text is None else text.strip().lower()
    if value == "last":
        return week_of(today - dt.timedelta(days=7))
    if value == "this":
        return week_of(today)
    match = _WEEK_RE.match(value)
    if not match:
        raise InputError(tr(f"--week：{text!r} 不是周（YYYY-Www、last 或 this）",
                            f"--week: {text!r} is not a week (YYYY-Www, last or this)"))
    year, week = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(tr(f"--week：{year} 年没有第 {week} 周",
                            f"--week: {year} has no ISO week {week}")) from None
    return IsoWeek(year, week)


@dataclass
class Digest:
    week: IsoWeek
    as_of: dt.date
    visits: int
    schools_visited: int
    n_pass: int
    n_fail: int
    by_inspector: list[dict[str, Any]]
    by_checklist: list[dict[str, Any]]
    unvisited_since: dt.date
    unvisited: list[dict[str, Any]]
    new_findings: dict[str, int]
    critical_findings: list[dict[str, Any]]
    resolved_findings: dict[str, int]
    overdue: list[dict[str, Any]]
    weakest_schools: list[dict[str, Any]]
    weakest_plan_items: list[dict[str, Any]]
    previous: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> dt.date:
        return self.week.monday

    @property
    def end(self) -> dt.date:
        return self.week.sunday

    @property
    def complete(self) -> bool:
        """The week is over (its Sunday is before the run's today); only then are deliveries recorded."""
        return self.end < self.as_of

    @property
    def compliance_rate(self) -> float | None:
        return _rate(self.n_pass, self.n_fail)

    @property
    def new_total(self) -> int:
        return sum(self.new_findings.values())

    @property
    def resolved_total(self) -> int:
        return sum(self.resolved_findings.values())


def _rate(passed: int, failed: int) -> float | None:
    total = passed + failed
    return None if total == 0 else passed / total


def build_digest(store: Any, week: IsoWeek, as_of: dt.date) -> Digest:
    from nanxian_cli.store import digest as q

    start, end = week.monday.isoformat(), week.sunday.isoformat()
    totals = q.visit_totals(store, start, end)
    since = week.sunday - dt.timedelta(days=UNVISITED_DAYS - 1)
    overdue = q.overdue_findings(store, end)
    for row in overdue:
        row["days_overdue"] = (week.sunday - dt.date.fromisoformat(row["due"])).days
    prev = week.previous()
    p_start, p_end = prev.monday.isoformat(), prev.sunday.isoformat()
    p_totals = q.visit_totals(store, p_start, p_end)
    p_new = sum(q.new_findings_by_severity(store, p_start, p_end).values())
    return Digest(
        week=week,
        as_of=as_of,
        visits=totals["visits"],
        schools_visited=totals["schools"],
        n_pass=totals["n_pass"],
        n_fail=totals["n_fail"],
        by_inspector=q.visits_by_inspector(store, start, end),
        by_checklist=q.visits_by_checklist(store, start, end),
        unvisited_since=since,
        unvisited=q.unvisited_schools(store, since.isoformat(), end),
        new_findings=q.new_findings_by_severity(store, start, end),
        critical_findings=q.new_findings(store, start, end, "critical"),
        resolved_findings=q.resolved_findings_by_severity(store, start, end),
        overdue=overdue,
        weakest_schools=q.school_rates(store, start, end, WEAKEST),
        weakest_plan_items=q.plan_item_rates(store, start, end, WEAKEST),
        previous={
            "week": prev.label,
            "from": p_start,
            "to": p_end,
            "visits": p_totals["visits"],
            "compliance_rate": _rate(p_totals["n_pass"], p_totals["n_fail"]),
            "new_findings": p_new,
        },
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _finding_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "school": row["school_code"],
        "school_name": row["school_name"],
        "item": row["item_id"],
        "item_text": {"zh": row["text_zh"], "en": row["text_en"]},
        "severity": row["severity"],
        "opened": row["opened"],
        "due": row["due"],
        "status": row["status"],
    }
    if "days_overdue" in row:
        out["days_overdue"] = row["days_overdue"]
    return out


def digest_json(d: Digest) -> dict[str, Any]:
    """The machine contract (DESIGN.md): English keys, integer counts, ISO dates, rates 0..1 or null."""
    rate = d.compliance_rate
    prev_rate = d.previous["compliance_rate"]
    return {
        "week": d.week.label,
        "from": d.start.isoformat(),
        "to": d.end.isoformat(),
        "visits": d.visits,
        "new_findings": d.new_total,
        "resolved_findings": d.resolved_total,
        "overdue_findings": len(d.overdue),
        "unvisited_schools": [row["code"] for row in d.unvisited],
        "as_of": d.as_of.isoformat(),
        "complete": d.complete,
        "schools_visited": d.schools_visited,
        "pass": d.n_pass,
        "fail": d.n_fail,
        "compliance_rate": _r(rate),
        "visits_by_inspector": [
            {"inspector": r["inspector"], "visits": r["visits"], "schools": r["schools"],
             "compliance_rate": _r(_rate(r["n_pass"], r["n_fail"]))}
            for r in d.by_inspector
        ],
        "visits_by_checklist": [
            {"checklist": r["checklist_id"], "title": {"zh": r["title_zh"], "en": r["title_en"]},
             "visits": r["visits"], "compliance_rate": _r(_rate(r["n_pass"], r["n_fail"]))}
            for r in d.by_checklist
        ],
        "unvisited_since": d.unvisited_since.isoformat(),
        "unvisited": [
            {"code": r["code"], "name": r["name"], "town": r["town"], "inspector": r["inspector"],
             "last_visit": r["last_visit"]}
            for r in d.unvisited
        ],
        "new_findings_by_severity": dict(d.new_findings),
        "critical_findings": [_finding_json(r) for r in d.critical_findings],
        "resolved_findings_by_severity": dict(d.resolved_findings),
        "overdue": [_finding_json(r) for r in d.overdue],
        "weakest_schools": [
            {"code": r["code"], "name": r["name"], "visits": r["visits"], "pass": r["n_pass"], "fail": r["n_fail"],
             "critical_fail": r["n_critical_fail"], "compliance_rate": _r(r["rate"])}
            for r in d.weakest_schools
        ],
        "weakest_plan_items": [
            {"number": r["number"], "title": {"zh": r["title_zh"], "en": r["title_en"]} if r["title_zh"] else None,
             "pass": r["n_pass"], "fail": r["n_fail"], "compliance_rate": _r(r["rate"])}
            for r in d.weakest_plan_items
        ],
        "previous_week": {
            **d.previous,
            "compliance_rate": _r(prev_rate),
            "change": {
                "visits": d.visits - d.previous["visits"],
                "compliance_rate": None if rate is None or prev_rate is None else _r(rate - prev_rate),
                "new_findings": d.new_total - d.previous["new_findings"],
            },
        },
    }


# -- delivering -----------------------------------------------------------------------------------
# Exactly once per (week, channel, target): under an exclusive lock, each target is checked against
# the delivery records, delivered, and recorded only after it succeeded. A week that is not over yet
# is delivered but never recorded, so the real digest still goes out once the week has ended.

FILE_EXTENSIONS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                   ".html": "html", ".htm": "html", ".json": "json"}


@dataclass
class Delivery:
    channel: str  # file | email
    target: str
    status: str  # sent | already | failed
    when: str | None = None  # the earlier delivery, for `already`
    error: Any = None  # the NanxianError, for `failed`


def file_target(output: Any, week: IsoWeek, fmt: str | None) -> tuple[Any, str]:
    """The file to write and its format: `digest-YYYY-Www.<ext>` inside a folder, else the file named."""
    import os
    from pathlib import Path

    from nanxian_cli.render.digest import EXTENSIONS

    text = str(output)
    path = Path(output).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        if not path.is_dir():
            raise InputError(tr(f"--output：文件夹 {path} 不存在", f"--output: folder {path} does not exist"))
        chosen = fmt or "text"
        path = path / f"digest-{week.label}.{EXTENSIONS[chosen]}"
    else:
        chosen = fmt or FILE_EXTENSIONS.get(path.suffix.lower(), "text")
        if not path.parent.is_dir():
            raise InputError(tr(f"--output：文件夹 {path.parent} 不存在", f"--output: folder {path.parent} does not exist"))
    from nanxian_cli.files.outputs import check_output

    # the computed file too: refused (exit 2) before anything is read, written or recorded
    return check_output(path), chosen


def deliver(store: Any, d: Digest, *, file: tuple[Any, str] | None, smtp: Any, force: bool) -> list[Delivery]:
    from nanxian_cli.clock import utc_now
    from nanxian_cli.services import mail
    from nanxian_cli.errors import NanxianError
    from nanxian_cli.files.outputs import write_output
    from nanxian_cli.render import digest as render
    from nanxian_cli.store import digest as q

    week = d.week.label
    results: list[Delivery] = []
    with q.delivery_lock(store):
        if file is not None:
            path, fmt = file
            target = str(path)
            when = q.delivery(store, week, "file", target)
            if when and not force:
                results.append(Delivery("file", target, "already", when))
            else:
                try:
                    write_output(render.render(d, fmt), path)
                    if d.complete:
                        q.record_delivery(store, week, "file", [target], utc_now())
                    results.append(Delivery("file", target, "sent"))
                except NanxianError as exc:
                    results.append(Delivery("file", target, "failed", error=exc))
        if smtp is not None:
            pending = []
            for address in smtp.to:
                target = mail.envelope(address).lower()
                when = q.delivery(store, week, "email", target)
                if when and not force:
                    results.append(Delivery("email", target, "already", when))
                else:
                    pending.append(address)
            if pending:
                from nanxian_cli.store.meta import device_id

                # A finished week's mail has a stable Message-ID, so a resend (after a crash between sending and
                # recording, or --force) is the same message; a week not over yet is a preview: a fresh id each time.
                message_id = mail.digest_message_id(device_id(store), week, smtp.sender, pending) if d.complete else None
                try:
                    sent = mail.send(smtp, pending, render.subject(d), render.render_text(d), render.render_html(d),
                                     message_id)
                except NanxianError as exc:
                    results.extend(Delivery("email", mail.envelope(a).lower(), "failed", error=exc) for a in pending)
                else:
                    accepted = [mail.envelope(a).lower() for a in sent.accepted]
                    if d.complete and accepted:
                        try:
                            q.record_delivery(store, week, "email", accepted, utc_now())
                        except NanxianError as exc:
                            from nanxian_cli.errors import DeliveryError

                            raise DeliveryError(tr(
                                f"周报已发送至 {', '.join(accepted)}，但无法记录：{exc.message}；下次运行可能重复发送",
                                f"the digest was sent to {', '.join(accepted)} but could not be recorded: {exc.message}; "
                                f"the next run may send it again",
                            )) from None
                    results.extend(Delivery("email", a, "sent") for a in accepted)
                    for address, why in sent.refused.items():
                        from nanxian_cli.errors import DeliveryError

                        results.append(Delivery("email", address.lower(), "failed", error=DeliveryError(
                            tr(f"收件人 {address} 被拒绝：{why}；下次运行会重新发送给该收件人",
                               f"recipient {address} was refused: {why}; the next run sends to it again"))))
    return results
