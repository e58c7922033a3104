"""`nanxian demo`: build a synthetic county in a separate demo database and show its reports."""

from __future__ import annotations

from typing import Annotated

import typer

from nanxian_cli.cli.typer_classes import NanxianTyper

app = NanxianTyper(name="demo")  # one command: `nanxian demo`


@app.command("demo")
def demo(
    db: Annotated[str | None,
                  typer.Option("--db",
                               help="Demo database file (same as the global --db; default: "
                                    "demo.db in the user data dir, never the real database)")] = None,
    schools: Annotated[int | None,
                       typer.Option("--schools",
                                    help="Number of schools (default: the sample roster; more are generated)",
                                    min=1, max=5000)] = None,
    years: Annotated[int, typer.Option("--years", help="Years of visits ending at --end", min=1, max=30)] = 1,
    visits_per_year: Annotated[int, typer.Option("--visits-per-year", help="Visits per school per year",
                                                 min=1, max=60)] = 12,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same county")] = 2020,
    end: Annotated[str | None,
                   typer.Option("--end",
                                help="Last day of the visits, YYYY-MM-DD (default 2020-12-31, the plan year)")] = None,
) -> None:
    """Build a demo county (sample schools, supervisors, synthetic visits and findings) and show its reports.

    Written to a separate demo database (`nanxian --db FILE demo`, or the default demo file; NANXIAN_DB and the
    config's `db` name the real database, which the demo never touches); an earlier demo database there is
    rebuilt from scratch. Deterministic for a given --seed."""
    from nanxian_cli.cli.common import console
    from nanxian_cli.cli.runtime import parse_date, settings, today
    from nanxian_cli.errors import InputError
    from nanxian_cli.i18n import tr
    from nanxian_cli.services import demo as core
    from nanxian_cli.services import demo_county as county
    from nanxian_cli.store import open_store

    last = parse_date(end, "--end") or county.DEFAULT_END
    if last > today():
        raise InputError(tr(f"--end：{last.isoformat()} 晚于今天", f"--end: {last.isoformat()} is after today"))
    target, real_db = _target(db)
    opts = core.DemoOptions(schools=schools, years=years, visits_per_year=visits_per_year, seed=seed, end=last)
    # Everything is validated before anything is deleted: the checklists, the roster and plan, the target.
    inputs = core.load_inputs(settings().checklists_dir, opts)
    core.check_target(target, real_db)
    out, err = console(), console(stderr=True)

    def waiting() -> None:
        err.print(tr(f"另一个 demo 进程正在生成 {target}，等待它结束……",
                     f"Another demo run is building {target}; waiting for it …"),
                  markup=False, highlight=False, soft_wrap=True)

    with core.build_lock(target, waiting):
        rebuilt = core.prepare_target(target, real_db)  # checked again: the other run may have changed it
        if rebuilt:
            err.print(tr(f"已删除旧的演示数据库并重新生成：{target}",
                         f"Rebuilding the demo database from scratch: {target}"),
                      markup=False, highlight=False)
        with open_store(target) as store:
            result = _build(store, settings().checklists_dir, opts, err, inputs)
            out.print(tr(
                f"演示数据库：{target}\n{result.schools} 所学校，{result.inspectors} 名责任督学，"
                f"{result.visits} 次督导，"
                f"{result.answers} 条记录，{result.findings_opened} 个整改项（{result.findings_open} 个待整改），"
                f"{result.first} 至 {result.last}，用时 {result.seconds:.1f} 秒",
                f"Demo database: {target}\n{result.schools} schools, {result.inspectors} supervisor(s), "
                f"{result.visits} visits, "
                f"{result.answers} answers, {result.findings_opened} findings ({result.findings_open} still open), "
                f"{result.first} to {result.last}, built in {result.seconds:.1f} s"), markup=False, highlight=False)
            _show_reports(store, result, last, out)
    out.print(tr(f"继续查看：nanxian --db {target} report summary --from {result.first} --to {result.last}",
                 f"Explore it: nanxian --db {target} report summary --from {result.first} --to {result.last}"),
              markup=False, highlight=False, soft_wrap=True)  # a command to copy: never broken across lines


def _target(own: str | None):
    """(demo target, real database). The global `--db` (or the demo's own `--db`; given both, they must agree)
    names the target, else the default demo file. NANXIAN_DB and the config's `db` are not targets: they name the
    real database (set once for cron and every command), which is what the target must never be."""
    from pathlib import Path

    from nanxian_cli.cli.runtime import settings, state
    from nanxian_cli.config import default_demo_db, load_settings
    from nanxian_cli.errors import InputError
    from nanxian_cli.i18n import tr

    mine = Path(own).expanduser() if own else None
    chosen = Path(state.db).expanduser() if state.db else None
    if mine is not None and chosen is not None and mine.absolute() != chosen.absolute():
        raise InputError(tr(f"--db 给了两个不同的文件：{chosen} 和 {mine}；只给一个",
                            f"--db names two different files: {chosen} and {mine}; give one"))
    target = mine or chosen or default_demo_db()
    # the database every other command would use without the global --db
    real = load_settings(None, state.checklists, state.lang).db_path if state.db else settings().db_path
    return target, real


def _build(store, checklists_dir, opts, err, inputs=None):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nanxian_cli.i18n import tr
    from nanxian_cli.services import demo as core

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as bar:
        task = bar.add_task(tr("生成督导记录", "Recording visits"), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return core.build_demo(store, checklists_dir, opts, progress=progress, inputs=inputs)


def _show_reports(store, result, end, out) -> None:
    """The summary of the demo period and the digest of its last complete week."""
    import datetime as dt

    from nanxian_cli.core.weeks import IsoWeek
    from nanxian_cli.i18n import tr
    from nanxian_cli.render.digest import render
    from nanxian_cli.render.views import ReportView
    from nanxian_cli.reports import digest, summary
    from nanxian_cli.services import demo as core
    from nanxian_cli.store.report_scope import Scope

    out.print(tr("以下均为演示数据：名册为样本，督导记录随机生成，不反映任何学校的真实情况。",
                 "Everything below is demo data: a sample roster and randomly generated visits, "
                 "not any school's real record."),
              markup=False, highlight=False)
    first = result.first or end
    start = max(first, end - dt.timedelta(days=364))
    out.print()
    ReportView(summary.compute(store, Scope(start.isoformat(), end.isoformat()), "school"), "summary").show(out)
    year, week = core.last_complete_week(end)
    out.print()
    out.print(render(digest.build_digest(store, IsoWeek(year, week), end), "text"), markup=False, highlight=False,
              soft_wrap=True)
