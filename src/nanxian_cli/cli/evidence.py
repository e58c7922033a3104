"""`nanxian evidence add|list|export|verify`: photos and documents (佐证材料) on the points of visits and on
finding actions, kept beside the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nanxian_cli.cli.common import plain_text
from nanxian_cli.cli.groups import group_help
from nanxian_cli.cli.options import AllOption, ByOption, OutputOption, VisitArg, VisitFormatOption
from nanxian_cli.cli.runtime import open_db, settings
from nanxian_cli.cli.typer_classes import NanxianTyper
from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

app = NanxianTyper(name="evidence", lazy=True, no_args_is_help=True,
                   help=group_help("evidence"))

FilesArg = Annotated[list[Path], typer.Argument(help="Photos (JPEG, PNG, WEBP, HEIC) or documents (PDF, DOCX)")]


def evidence_limit() -> int:
    """The size limit of one file: config `[evidence] max_mb` (default 20)."""
    from nanxian_cli.files.evidence import max_bytes

    section = settings().raw_config.get("evidence") or {}
    if not isinstance(section, dict):
        raise InputError(tr("配置文件：[evidence] 应为一个表", "config.toml: [evidence] must be a table"))
    return max_bytes(section.get("max_mb"))


def checked_files(files: list[Path] | None, where: str | None = None) -> list:
    """Every file checked before anything is written (exit 2 naming each one refused)."""
    from nanxian_cli.services.evidence import check_files

    return check_files([(Path(f), where) for f in files or []], evidence_limit())


@app.command("add")
def add(
    visit: VisitArg,
    point: Annotated[str, typer.Argument(help="The point's id in the visit's checklist")],
    files: FilesArg,
    caption: Annotated[str | None, typer.Option("--caption", help="What the photo or document shows")] = None,
    by: ByOption = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Attach photos or documents to a point of a visit (example: nanxian evidence add 5e09fa15 rm-safety-guard
    门卫室.jpg --caption "门卫室无人值守")."""
    from nanxian_cli.services.evidence import add_to_point

    caption = plain_text(caption, "--caption", 500)
    by = plain_text(by, "--by", 100)
    point = plain_text(point, "POINT", 200) or ""
    checked = checked_files(files)
    with open_db(create=False) as store:
        from nanxian_cli.cli.inspect import _author
        from nanxian_cli.services.evidence import find_visit

        row = find_visit(store, visit)
        result = add_to_point(store, row["id"], point.strip(), checked, caption=(caption or "").strip() or None,
                              author=_author(store, by, row["inspector"]))
    if fmt == "json":
        from nanxian_cli.render import json_text

        typer.echo(json_text(result), nl=False)
        return
    from nanxian_cli.render.evidence import show_attached

    show_attached(result)


@app.command("list")
def list_(
    visit: Annotated[str | None, typer.Option("--visit", help="Only the files of this visit")] = None,
    finding: Annotated[str | None,
                       typer.Option("--finding", help="Only the files of this finding (42, #42, id)")] = None,
    fmt: VisitFormatOption = None,
    output: OutputOption = None,
    every_row: AllOption = False,
) -> None:
    """List the photos and documents kept, with the points and findings they show (never where they were taken)."""
    from nanxian_cli.render.emit import emit
    from nanxian_cli.render.evidence import evidence_listing
    from nanxian_cli.reports.evidence import evidence_files

    if visit is not None and finding is not None:
        raise InputError(tr("--visit 与 --finding 只能给一个", "give --visit or --finding, not both"))
    with open_db(create=False) as store:
        visit_id = finding_id = None
        if visit is not None:
            from nanxian_cli.services.recording import find_visit

            visit_id = find_visit(store, visit)["id"]
        if finding is not None:
            from nanxian_cli.services.findings import find_finding

            finding_id = find_finding(store.conn, finding)["id"]
        files = evidence_files(store, visit_id=visit_id, finding_id=finding_id)
    emit(evidence_listing(files), fmt, output, every_row)


@app.command("export")
def export(
    sha: Annotated[str | None, typer.Argument(help="The file's id: its sha256, or 8 or more of its first "
                                                   "characters")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The folder to copy the files into "
                                                                      "(made if missing)")] = None,
    visit: Annotated[str | None, typer.Option("--visit", help="Every file of this visit")] = None,
    fmt: VisitFormatOption = None,
) -> None:
    """Copy files out, each named by its id and kind (<sha256>.jpg), never by the name it came with
    (example: nanxian evidence export --visit 5e09fa15 --output 佐证材料/)."""
    from nanxian_cli.files.outputs import check_output
    from nanxian_cli.services.evidence import export as export_files
    from nanxian_cli.services.evidence import find_evidence

    if output is None:
        raise InputError(tr("--output：请给出要复制到的文件夹", "--output: give the folder to copy the files into"))
    if (sha is None) == (visit is None):
        raise InputError(tr("请给出一个佐证材料编号，或 --visit，二者选一",
                            "give one evidence id (SHA) or --visit, one of the two"))
    check_output(output)  # never the evidence folder, the database or a file beside it (exit 2)
    with open_db(create=False) as store:
        if visit is not None:
            from nanxian_cli.services.recording import find_visit

            written = export_files(store, output, visit_id=find_visit(store, visit)["id"])
        else:
            written = export_files(store, output, sha=find_evidence(store, sha or ""))
    if fmt == "json":
        from nanxian_cli.render import json_text

        typer.echo(json_text(written), nl=False)
        return
    from rich.text import Text

    from nanxian_cli.cli.common import console

    out = console()
    for f in written:
        out.print(Text(f"{f['name'] or ''} → {f['file']}"))


@app.command("verify")
def verify(fmt: VisitFormatOption = None) -> None:
    """Hash every kept file again: missing or changed ones (exit 1) and files no record refers to are listed.
    Reads only."""
    from nanxian_cli.services.evidence import verify as verify_files

    with open_db(create=False) as store:
        result = verify_files(store).as_json()
    if fmt == "json":
        from nanxian_cli.render import json_text

        typer.echo(json_text(result), nl=False)
    else:
        from nanxian_cli.render.evidence import show_verified

        show_verified(result)
    if not result["ok"]:
        raise typer.Exit(1)
