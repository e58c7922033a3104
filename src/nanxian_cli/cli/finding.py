"""`nanxian finding list|show|report|resolve|extend|escalate|withdraw|reopen`: findings (整改项) and the
rectification loop (问题清单 → 整改通知书 → 整改报告 → 复查/销号)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from nanxian_cli.cli.common import console, plain_text
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import AllOption, ByOption, DateOption, FormatOption, OutputOption, VisitFormatOption
from nanxian_cli.cli.runtime import open_db, parse_date, today
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

app = NanxianTyper(name="finding", lazy=True, no_args_is_help=True,
                   help=group_help("finding"))

FindingArg = Annotated[str, typer.Argument(help="Finding number (42 or #42), or 8 or more characters of its id")]
MAX_DUE_WITHIN = 3660
EvidenceOption = Annotated[list[Path] | None, typer.Option("--evidence", help="A photo or document to keep with "
                                                                             "it (JPEG, PNG, WEBP, HEIC, PDF, DOCX); "
                                                                             "repeat for several")]


@app.command("list")
def list_(
    school: Annotated[str | None, typer.Option("--school", help="Only this school (code, name, initials)")] = None,
    status: Annotated[Literal["open", "reported", "overdue", "resolved", "withdrawn"] | None,
                      typer.Option("--status", help="open (open or reported) | reported | overdue | resolved | "
                                                    "withdrawn")] = None,
    severity: Annotated[Literal["critical", "major", "minor"] | None,
                        typer.Option("--severity", help="critical | major | minor")] = None,
    as_of: Annotated[str | None,
                     typer.Option("--as-of", help="Overdue as of this day, YYYY-MM-DD (default: today)")] = None,
    overdue: Annotated[bool,
                       typer.Option("--overdue", help="Only overdue findings (same as --status overdue)")] = False,
    inspector: Annotated[str | None, typer.Option("--inspector", help="Only the schools this supervisor is "
                                                                      "responsible for (责任督学)")] = None,
    town: Annotated[str | None, typer.Option("--town", help="Only schools in this town")] = None,
    due_within: Annotated[int | None, typer.Option("--due-within", min=0, max=MAX_DUE_WITHIN,
                                                   help="Only findings in progress due in the next DAYS days "
                                                        "(from --as-of; overdue ones are not)")] = None,
    escalated: Annotated[bool, typer.Option("--escalated",
                                            help="Only findings escalated to the bureau (上报/交办)")] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    every_row: AllOption = False,
) -> None:
    """List findings, critical first; overdue = still open (or reported) after the due date."""
    import datetime as dt

    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.emit import emit, terminal_rows
    from nanxian_cli.render.findings import findings_listing
    from nanxian_cli.reports.findings import findings_count, findings_list
    from nanxian_cli.services.lookups import check_supervisor, check_town
    from nanxian_cli.services.people import find_school

    if overdue:
        if status not in (None, "overdue"):
            raise InputError(tr("--overdue 与 --status 冲突", f"--overdue contradicts --status {status}"))
        status = "overdue"
    inspector = plain_text(inspector, "--inspector", 100)
    town = plain_text(town, "--town", 200)
    day = parse_date(as_of, "--as-of") or today()
    filters: dict[str, Any] = {"status": status, "severity": severity, "escalated": escalated}
    if due_within is not None:
        filters["due_from"], filters["due_by"] = day.isoformat(), (day + dt.timedelta(days=due_within)).isoformat()
    with open_db(create=False) as store:
        filters["school"] = find_school(store, school)["code"] if school else None
        if inspector is not None:
            filters["inspector"] = check_supervisor(store, inspector)
        if town is not None:
            filters["town"] = check_town(store, town)
        # a terminal shows the worst rows only: read those and count the rest (a county's history is 10^5 findings)
        shown = terminal_rows("listing", fmt, output, every_row)
        total = findings_count(store, as_of=day, **filters) if shown is not None else None
        findings = findings_list(store, as_of=day, lang=get_lang(), limit=shown, **filters)
    emit(findings_listing(findings, day.isoformat(), total), fmt, output, every_row)


@app.command("show")
def show(finding: FindingArg, fmt: VisitFormatOption = None, output: OutputOption = None) -> None:
    """One finding: its point, deadline, state and flags, deadline changes and its whole history."""
    from nanxian_cli.i18n import get_lang
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.findings import finding_record
    from nanxian_cli.reports.findings import finding_detail
    from nanxian_cli.services.findings import find_finding

    with open_db(create=False) as store:
        row = find_finding(store.conn, finding)
        detail = finding_detail(store, row["id"], as_of=today(), lang=get_lang())
    emit(finding_record(detail), fmt, output)


def _act(finding: str, kind: str, text: str, option: str, by: str | None, date: str | None = None,
         evidence: list[Path] | None = None, **extra: Any) -> dict:
    """Check the typed text (and the evidence files), find who acts (a registered supervisor), record the
    action; its result."""
    from nanxian_cli.services.findings import act

    text = plain_text(text, option) or ""
    by = plain_text(by, "--by", 100)
    day = parse_date(date)
    if evidence:
        from nanxian_cli.cli.evidence import checked_files

        extra["evidence"] = checked_files(evidence)  # every file checked before anything is written
    with open_db(create=False) as store:
        from nanxian_cli.cli.inspect import _author

        author = _author(store, by)  # a registered supervisor, or none given at all
        return {**act(store, finding, kind, date=day, today=today(), author=author, text=text, **extra), "kind": kind,
                "evidence_files": [f.name for f in extra.get("evidence") or []]}


def _say(zh: str, en: str, r: dict | None = None) -> None:
    """The outcome in one line; then what later visits made of it when the action was dated before them."""
    from rich.text import Text

    from nanxian_cli.render.labels import word

    out = console()
    out.print(Text(tr(zh, en)))
    if r is None:
        return
    if r["evidence_files"]:
        out.print(Text(tr(f"佐证材料：{'、'.join(r['evidence_files'])}",
                          f"evidence kept: {', '.join(r['evidence_files'])}")))
    for number in r["opened"]:
        out.print(Text(tr(f"此后的督导仍发现该要点不合格：已新开整改项 #{number}",
                          f"a later visit found the point failing again: finding #{number} opened")))
    if r["kind"] == "report" and r["status"] != "reported":
        out.print(Text(tr(f"此后的复查未通过：整改项 #{r['id']} 现为{word(r['status'])}",
                          f"a later re-check did not pass: finding #{r['id']} is {word(r['status'])} now")))


@app.command("report")
def report(
    finding: FindingArg,
    measures: Annotated[str, typer.Option("--measures",
                                          help="What the school did (its 整改报告), kept with the finding")],
    date: Annotated[str | None, typer.Option("--date",
                                             help="When the 整改报告 came in, YYYY-MM-DD (default: today)")] = None,
    by: ByOption = None,
    evidence: EvidenceOption = None,
) -> None:
    """The school's 整改报告 received: the finding waits for its re-check (待复查)."""
    r = _act(finding, "report", measures, "--measures", by, date, evidence)
    if r["status"] == "reported":
        _say(f"整改项 #{r['id']}：已登记 {r['date']} 收到的整改报告，状态：待复查（复查通过即销号）",
             f"Finding #{r['id']}: rectification report of {r['date']} recorded; now reported (a passing re-check "
             "resolves it)", r)
    else:
        _say(f"整改项 #{r['id']}：已登记 {r['date']} 收到的整改报告", f"Finding #{r['id']}: rectification report of "
             f"{r['date']} recorded", r)


@app.command("resolve")
def resolve(
    finding: FindingArg,
    note: Annotated[str, typer.Option("--note", help="How it was fixed and checked (kept with the finding)")],
    date: DateOption = None,
    by: ByOption = None,
    on_site: Annotated[bool, typer.Option("--on-site",
                                          help="Fixed during the visit (立行立改): dated the visit's date")] = False,
    evidence: EvidenceOption = None,
) -> None:
    """Resolve (销号) a finding checked outside a visit, or one fixed on site (--on-site)."""
    r = _act(finding, "resolve", note, "--note", by, date, evidence, on_site=on_site)
    if on_site:
        _say(f"整改项 #{r['id']} 已立行立改（{r['resolved_on']}，督导当天）",
             f"Finding #{r['id']} fixed on site on {r['resolved_on']} (the visit's date)", r)
    else:
        _say(f"整改项 #{r['id']} 已于 {r['resolved_on']} 整改完成（销号）",
             f"Finding #{r['id']} resolved on {r['resolved_on']}", r)


@app.command("extend")
def extend(
    finding: FindingArg,
    to: Annotated[str, typer.Option("--to", help="The new due date, YYYY-MM-DD (after the current one)")],
    reason: Annotated[str, typer.Option("--reason", help="Why the due date moves (kept in the due-date history)")],
    by: ByOption = None,
) -> None:
    """Move a finding's due date later (the history of due dates is kept)."""
    due = parse_date(to, "--to")
    r = _act(finding, "extend", reason, "--reason", by, due=due)
    _say(f"整改项 #{r['id']}：整改期限由 {r['previous_due']} 延至 {r['due']}",
         f"Finding #{r['id']}: due date moved from {r['previous_due']} to {r['due']}")


@app.command("escalate")
def escalate(
    finding: FindingArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes to the bureau (上报/交办)")],
    by: ByOption = None,
) -> None:
    """Escalate a finding the school cannot fix by itself to the bureau (上报/交办); it stays open."""
    r = _act(finding, "escalate", reason, "--reason", by)
    _say(f"整改项 #{r['id']} 已上报/交办（仍在整改中）",
         f"Finding #{r['id']} escalated to the bureau (still in progress)")


@app.command("withdraw")
def withdraw(
    finding: FindingArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (e.g. opened by mistake)")],
    by: ByOption = None,
) -> None:
    """Withdraw a finding opened by mistake (kept, counted nowhere; `reopen` undoes it)."""
    r = _act(finding, "withdraw", reason, "--reason", by)
    _say(f"整改项 #{r['id']} 已撤销", f"Finding #{r['id']} withdrawn")


@app.command("reopen")
def reopen(
    finding: FindingArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened")],
    by: ByOption = None,
) -> None:
    """Reopen a resolved or withdrawn finding: open again, with its old due date (extend it if needed)."""
    r = _act(finding, "reopen", reason, "--reason", by)
    _say(f"整改项 #{r['id']} 已重新打开，状态：待整改（整改期限 {r['due']}）",
         f"Finding #{r['id']} reopened; now open (due {r['due']})")
