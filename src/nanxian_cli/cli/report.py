"""`nanxian report ...`: compliance reports for the bureau (summary, school, item, matrix, visit, digest).

Each command: parse the options -> one compute call (reports/*) -> render the document in the chosen format.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import (
    ByOption,
    FromOption,
    GroupByOption,
    NoticeFormatOption,
    OutputOption,
    ReportAllOption,
    ReportFormatOption,
    StageOption,
    ToOption,
    TownOption,
    VisitArg,
)
from nanxian_cli.cli.runtime import open_db, parse_date, settings, today
from nanxian_cli.cli.typer_classes import NanxianTyper

app = NanxianTyper(name="report", lazy=True, no_args_is_help=True,
                   help=group_help("report"))


def check_scope(store, scope) -> None:
    """services.lookups.check_scope (imported when a report runs: the group's help needs none of it)."""
    from nanxian_cli.services.lookups import check_scope as check

    check(store, scope)


def empty_period(store, scope):
    """reports.empty_period, imported when a report runs."""
    from nanxian_cli.reports import empty_period as find

    return find(store, scope)


def _scope(date_from: str | None, date_to: str | None, **filters):
    from nanxian_cli.reports import period
    from nanxian_cli.store.report_scope import Scope

    end = parse_date(date_to, "--to")
    start, end = period(parse_date(date_from, "--from"), end, end or today())  # the clock only for a default --to
    return Scope(start.isoformat(), end.isoformat(), **filters)


def _format(fmt: str | None, output: Path | None, kind: str = "report") -> str:
    """The format, checked before anything is computed: one the reports offer, a binary one only to a file."""
    from nanxian_cli.render.formats import choose, refuse_binary_on_terminal

    chosen = choose(kind, fmt, output)
    refuse_binary_on_terminal(chosen, output)
    return chosen


def _emit(report, layout: str, fmt: str, output: Path | None, empty=None, kind: str = "report",
          files: dict | None = None, every_row: bool | None = None) -> None:
    """Print the report to the terminal or write it atomically to --output (`kind`: the formats it offers); then,
    when its period holds no visit (`empty`, reports.empty_period), say so on stderr with the period to try (the
    JSON stays as it is). `files`: the evidence a document for the school shows (`_document_files`); `every_row`:
    `--all` (a terminal shows the worst 50 rows of a long table otherwise)."""
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.views import ReportView

    emit(ReportView(report, layout, kind, files), fmt, output, every_row)
    if empty is not None and fmt != "json":
        _say_empty(empty)


def _say_empty(empty) -> None:
    from rich.text import Text

    from nanxian_cli.cli.common import console
    from nanxian_cli.i18n import tr

    period_zh, period_en = f"{empty.date_from} 至 {empty.date_to}", f"between {empty.date_from} and {empty.date_to}"
    if empty.latest is None:
        text = tr(f"注意：{period_zh} 没有督导记录，也从未记录过符合这些条件的督导。",
                  f"Note: no visits {period_en}; none has been recorded for these filters yet.")
    else:
        hint = f"--from {empty.try_from} --to {empty.try_to}"
        text = tr(f"注意：{period_zh} 没有督导记录；最近一次督导在 {empty.latest}。可用 --from/--to 指定期间，"
                  f"例如 {hint}",
                  f"Note: no visits {period_en}; the latest visit is on {empty.latest}. Choose the period with "
                  f"--from/--to, e.g. {hint}")
    console(stderr=True).print(Text(text, style="yellow"), soft_wrap=True)


def _document_files(store, shas: list[str], fmt: str) -> dict | None:
    """The files a document for the school shows, checked (and, for html and docx, their copies to embed); one
    warning on stderr for each that cannot be shown. JSON lists the files as recorded and reads none."""
    import sys

    from nanxian_cli.i18n import tr
    from nanxian_cli.services.evidence import document_files

    if fmt == "json" or not shas:
        return None
    files = document_files(store, shas, embed=fmt in ("html", "docx"))
    why = {"missing": tr("文件缺失", "its file is missing"), "changed": tr("文件已被改动", "its file was changed"),
           "unreadable": tr("本机无法解码（HEIC 照片需要 HEIC 解码器）",
                            "this machine cannot decode it (a HEIC photo needs the HEIC decoder)")}
    for sha, found in files.items():
        if found.state != "ok":
            sys.stderr.write(tr(f"注意：佐证材料 {sha[:8]} {why[found.state]}，文书中只列出其说明和编号"
                                "（nanxian evidence verify 可查全部）\n",
                                f"Warning: evidence {sha[:8]}: {why[found.state]}; the document lists its caption and "
                                "hash only (see nanxian evidence verify)\n"))
    return files


def _check_stage(stage: str | None) -> None:
    from nanxian_cli.core.vocab import STAGES
    from nanxian_cli.errors import InputError

    if stage is not None and stage not in STAGES:
        from nanxian_cli.i18n import tr

        raise InputError(tr(f"--stage：未知学段 {stage!r}；可选 {', '.join(STAGES)}",
                            f"--stage: unknown stage {stage!r}; expected one of {', '.join(STAGES)}"))


@app.command("summary")
def summary(
    date_from: FromOption = None,
    date_to: ToOption = None,
    town: TownOption = None,
    checklist: Annotated[str | None, typer.Option("--checklist", help="Only visits with this checklist id")] = None,
    inspector: Annotated[
        str | None, typer.Option("--inspector", help="Only the schools of this supervisor (责任督学)")
    ] = None,
    stage: StageOption = None,
    by: GroupByOption = "school",
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
    every_row: ReportAllOption = False,
) -> None:
    """Totals and one row per group, worst first; schools not visited in the period are listed.

    The period defaults to 1 September of the school year up to today (county time)."""
    from nanxian_cli.reports import summary as report

    fmt = _format(fmt, output)
    _check_stage(stage)
    scope = _scope(date_from, date_to, town=town, stage=stage, inspector=inspector, checklist=checklist)
    with open_db(create=False) as store:
        check_scope(store, scope)
        data = report.compute(store, scope, by)
        empty = empty_period(store, scope)
    _emit(data, "summary", fmt, output, empty, every_row=every_row)


@app.command("matrix")
def matrix(
    date_from: FromOption = None,
    date_to: ToOption = None,
    town: TownOption = None,
    stage: StageOption = None,
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
    every_row: ReportAllOption = False,
) -> None:
    """Heat map: schools (rows, by town) x the 21 plan items, each cell the compliance rate."""
    from nanxian_cli.reports import matrix as report

    fmt = _format(fmt, output)
    _check_stage(stage)
    scope = _scope(date_from, date_to, town=town, stage=stage)
    with open_db(create=False) as store:
        check_scope(store, scope)
        data = report.compute(store, scope)
        empty = empty_period(store, scope)
    _emit(data, "matrix", fmt, output, empty, every_row=every_row)


@app.command("school")
def school(
    name: Annotated[str, typer.Argument(help="Code, exact name, a unique part of the name, or pinyin initials")],
    date_from: FromOption = None,
    date_to: ToOption = None,
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
) -> None:
    """One school: compliance by month (bar chart), visits, open findings with days overdue, weakest plan items."""
    from nanxian_cli.reports import school as report
    from nanxian_cli.services.people import find_school

    fmt = _format(fmt, output)
    scope = _scope(date_from, date_to)
    with open_db(create=False) as store:
        found = find_school(store, name)
        data = report.compute(store, found, scope)
        empty = empty_period(store, replace(scope, school=found["code"]))
    _emit(data, "school", fmt, output, empty)


@app.command("item")
def item(
    number: Annotated[int, typer.Argument(help="Work-plan item number, 1..21")],
    date_from: FromOption = None,
    date_to: ToOption = None,
    town: TownOption = None,
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
    every_row: ReportAllOption = False,
) -> None:
    """One plan item across the county: the points that check it, pass rate by town and school, failing schools."""
    from nanxian_cli.reports import item as report

    fmt = _format(fmt, output)
    report.check_number(number)
    scope = _scope(date_from, date_to, town=town)
    with open_db(create=False) as store:
        check_scope(store, scope)
        data = report.compute(store, number, scope)
        empty = empty_period(store, scope)
    _emit(data, "item", fmt, output, empty, every_row=every_row)


@app.command("visit")
def visit(
    visit_id: VisitArg,
    fmt: ReportFormatOption = None,
    output: OutputOption = None,
) -> None:
    """The 督导意见书 for one visit: the visit, what went well, problems, 整改 requirements, re-checks, signatures."""
    from nanxian_cli.config_sections import document_settings
    from nanxian_cli.reports import visit as report
    from nanxian_cli.services.documents import plan_sections
    from nanxian_cli.services.recording import find_visit

    fmt = _format(fmt, output)
    docs = document_settings(settings())
    with open_db(create=False) as store:
        data = report.compute(store, find_visit(store, visit_id)["id"], section_titles=plan_sections(),
                              issuer=docs.issuer or _county_issuer(docs), reply_to=docs.reply_to)
        files = _document_files(store, report.printed_files(data), fmt)
    _emit(data, "visit", fmt, output, files=files)


def _county_issuer(docs) -> str | None:
    from nanxian_cli.i18n import tr

    return tr(f"{docs.county}教育督导室", f"{docs.county} Education Supervision Office") if docs.county else None


@app.command("notice")
def notice(
    visit_id: VisitArg,
    date: Annotated[str | None, typer.Option(
        "--date", help="Date of issue, YYYY-MM-DD (first print only; default: today, county time)")] = None,
    by: ByOption = None,
    fmt: NoticeFormatOption = None,
    output: OutputOption = None,
) -> None:
    """The 整改通知书 for a visit's findings, numbered once when first issued (the same number on every reprint)."""
    import sys

    from nanxian_cli.cli.inspect import _author
    from nanxian_cli.clock import utc_now
    from nanxian_cli.config_sections import document_settings
    from nanxian_cli.i18n import tr
    from nanxian_cli.reports import notice as report
    from nanxian_cli.services.notices import check_visit, issue_notice
    from nanxian_cli.services.recording import find_visit

    fmt = _format(fmt, output, "notice")
    docs = document_settings(settings())
    day = parse_date(date)
    with open_db(create=False) as store:
        visit = find_visit(store, visit_id)
        check_visit(store, visit)
        author = _author(store, by, visit["inspector"])
        issued, new = issue_notice(store, visit, day=day, today=today(), author=author, docs=docs, now=utc_now())
        data = report.compute(store, visit["id"], issued, issuer=docs.issuer, county=docs.county,
                              reply_to=docs.reply_to)
        files = _document_files(store, report.printed_files(data), fmt)
    if new:
        sys.stderr.write(tr(f"整改通知书编号 {issued['number']}（{issued['issued_on']}）\n",
                            f"Notice number {issued['number']} ({issued['issued_on']})\n"))
    for other in data.shared_number:
        sys.stderr.write(tr(
            f"注意：编号 {issued['number']} 另有一份通知书也在用（督导记录 {other.visit[:8]}，设备 {other.device[:8]}，"
            f"{other.issued_on}）；两份都保留，请核对各数据库的编号区间（[documents] notice_first / notice_last）\n",
            f"Warning: another notice holds the number {issued['number']} too (visit {other.visit[:8]}, device "
            f"{other.device[:8]}, {other.issued_on}); both are kept: check the number ranges of the databases "
            f"([documents] notice_first / notice_last)\n"))
    _emit(data, "notice", fmt, output, kind="notice", files=files)


# The digest command lives in its own module and attaches itself to this sub-app.
from nanxian_cli.cli import digest  # noqa: E402, F401
