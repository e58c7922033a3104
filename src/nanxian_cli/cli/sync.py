"""`nanxian sync export|import|status|conflicts|resolve`: visits travel between laptops and the bureau."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import plain_text
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import VisitFormatOption
from nanxian_cli.cli.runtime import open_db, parse_date, settings, today
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

app = NanxianTyper(name="sync", lazy=True, no_args_is_help=True,
                   help=group_help("sync"))


def device_name() -> str:
    """Config `device`, else the host name."""
    name = settings().raw_config.get("device")
    if name is not None and not isinstance(name, str):
        raise InputError(tr("配置文件：`device` 应为带引号的字符串", "config.toml: `device` must be a quoted string"))
    if not name:
        import socket

        name = socket.gethostname()
    return plain_text(str(name), "device", 100) or ""


def _print_json(data: object) -> None:
    from nanxian_cli.render.emit import write_stdout

    write_stdout(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _progress(label: str):
    """A progress bar on stderr when it is a terminal (large exports and imports); otherwise nothing."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from nanxian_cli.cli.common import console

    bar = Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn(),
                   console=console(stderr=True), transient=True)
    return bar, bar.add_task(label, total=None)


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write (FILE.nxb)")],
    since: Annotated[str, typer.Option("--since", help="last (default: everything since the last export) | all | "
                                                       "a day YYYY-MM-DD")] = "last",
    reference: Annotated[bool, typer.Option("--reference", help="For laptops: the roster, supervisors, assignments "
                                                                "and the open findings with their timelines")] = False,
    fmt: VisitFormatOption = None,
) -> None:
    """Write the facts of this database to a bundle for another one (example: nanxian sync export -o week48.nxb)."""
    from nanxian_cli.services.sync_export import export_bundle

    if since not in ("last", "all"):
        day = parse_date(since, "--since")
        since = day.isoformat() if day else "last"
    if reference and since != "last":
        raise InputError(tr("--reference 与 --since 不能同时使用（参考数据包总是完整的）",
                            "--reference takes no --since (a reference bundle is always whole)"))
    from nanxian_cli.files.outputs import check_output

    check_output(output)  # never the database or a file beside it (exit 2), before anything else
    if output.suffix.lower() != ".nxb":
        raise InputError(tr(f"--output：{output} 应以 .nxb 结尾",
                            f"--output: {output} must end in .nxb (a nanxian bundle)"))
    name = device_name()
    bar, task = _progress(tr("导出", "exporting"))
    with open_db(create=False) as store:
        if bar is not None:
            with bar:
                manifest = export_bundle(store, output, since=since, reference=reference, device_name=name,
                                         progress=lambda done, total: bar.update(task, completed=done, total=total))
        else:
            manifest = export_bundle(store, output, since=since, reference=reference, device_name=name)
    if fmt == "json":
        _print_json({"file": str(output), **manifest})
        return
    counts = manifest["counts"]
    parts = [f"{counts.get('visit', 0)} " + tr("次督导", "visit(s)"),
             f"{counts.get('revision', 0)} " + tr("条回答", "answer revision(s)"),
             f"{counts.get('action', 0)} " + tr("个整改动作", "finding event(s)")]
    if counts.get("evidence"):
        parts.append(f"{counts['evidence']} " + tr("个佐证材料文件", "evidence file(s)"))
    what = tr("参考数据包", "reference bundle") if reference else tr("数据包", "bundle")
    span = {"all": tr("全部记录", "every fact"), "last": tr("上次导出以来的记录", "facts since the last export"),
            "reference": tr("名册、分配和未完成整改项", "roster, assignments and open findings")}
    typer.echo(tr(f"已写入{what} {output}：", f"Wrote {what} {output}: ") + ", ".join(parts)
               + tr(f"（{span.get(manifest['since'], manifest['since'] + ' 以来')}）",
                    f" ({span.get(manifest['since'], 'since ' + manifest['since'])})"))


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Bundle files (.nxb), applied in the order given")],
    fmt: VisitFormatOption = None,
) -> None:
    """Apply bundles from other databases: each checked whole, then applied in one transaction
    (example: nanxian sync import week48-li.nxb week48-wang.nxb)."""
    from nanxian_cli.cli.evidence import evidence_limit
    from nanxian_cli.services.sync_import import import_bundle

    limit = evidence_limit()
    results = []
    with open_db() as store:
        for path in files:
            results.append(import_bundle(store, path, evidence_limit=limit))
    if fmt == "json":
        _print_json([r.as_json() for r in results] if len(results) != 1 else results[0].as_json())
        return
    from nanxian_cli.render.sync import show_imports

    show_imports(results)


@app.command("status")
def status(fmt: VisitFormatOption = None) -> None:
    """This database's device, its last export, the bundles it imported, held facts and open conflicts."""
    from nanxian_cli.services.sync import status as sync_status

    with open_db(create=False) as store:
        data = sync_status(store, device_name())
    if fmt == "json":
        _print_json(data)
        return
    from nanxian_cli.render.sync import show_status

    show_status(data)


@app.command("conflicts")
def conflicts(
    all_: Annotated[bool, typer.Option("--all", help="Settled conflicts too")] = False,
    fmt: VisitFormatOption = None,
) -> None:
    """Conflicts found while importing (open ones; --all for settled ones too)."""
    from nanxian_cli.services.sync import conflict_list

    with open_db(create=False) as store:
        data = conflict_list(store, include_settled=all_)
    if fmt == "json":
        _print_json(data)
        return
    from nanxian_cli.render.sync import show_conflicts

    show_conflicts(data)


@app.command("resolve")
def resolve(
    conflict_id: Annotated[int, typer.Argument(help="Conflict number (from sync conflicts)")],
    keep: Annotated[str, typer.Option("--keep", help="The revision to keep (its id, 8+ characters)")],
    reason: Annotated[str, typer.Option("--reason", help="Why this one is kept")],
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default: config `inspector`)")] = None,
) -> None:
    """Settle a parallel edit: the kept answer becomes a new revision that travels like any other
    (example: nanxian sync resolve 3 --keep 1a2b3c4d --reason "confirmed with the school")."""
    from nanxian_cli.services.sync import resolve_conflict

    reason = plain_text(reason, "--reason") or ""
    by = plain_text(by, "--by", 100)
    today()  # the county's time zone is valid before anything is written
    with open_db(create=False) as store:
        from nanxian_cli.cli.inspect import _author

        author = _author(store, by)
        result = resolve_conflict(store, conflict_id, keep.strip(), reason, author)
    typer.echo(tr(f"冲突 {result['conflict']} 已处理：保留修订 {result['kept'][:8]}",
                  f"Conflict {result['conflict']} settled: revision {result['kept'][:8]} kept"))
