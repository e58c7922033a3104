"""Evidence for people: `evidence list`, what `evidence add` attached, what `evidence verify` found, and the files
of a visit in `inspect show` (Rich; every cell a `Text`: names and captions are data, never markup). Where a
photo was taken (GPS) is never among the data."""

from __future__ import annotations

from nanxian_cli.i18n import tr
from nanxian_cli.render.emit import Listing

COLUMNS = ["sha256", "name", "media_type", "size", "caption", "taken_at", "added_by", "added_at", "shows"]
_KINDS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIC",
          "application/pdf": "PDF",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX"}


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def kind(media_type: str) -> str:
    return _KINDS.get(media_type, media_type)


def link_text(link: dict) -> str:
    if "visit" in link:
        return f"{link['visit'][:8]} {link['item']}"
    what = {"report": tr("整改报告", "report"), "resolve": tr("销号", "resolve")}.get(link["action_kind"] or "",
                                                                                   link["action_kind"] or "")
    number = f"#{link['finding']}" if link["finding"] is not None else (link["finding_uid"] or "")[:8]
    return f"{tr('整改项', 'finding')} {number} {what}".strip()


def evidence_listing(files: list[dict]) -> Listing:
    """`evidence list`: JSON is the list (never GPS); CSV one row per file."""
    rows = [[f["sha256"], f["name"], f["media_type"], f["size"], f["caption"], f["taken_at"], f["added_by"],
             f["added_at"], "; ".join(link_text(link) for link in f["links"])] for f in files]
    return Listing(files, COLUMNS, rows, lambda limit=None: evidence_table(files[:limit]))


def evidence_table(files: list[dict], title: str | None = None, per_item: bool = False):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    title = title or tr(f"佐证材料（{len(files)}）", f"Evidence ({len(files)})")
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(tr("编号", "id"), no_wrap=True)
    if per_item:
        table.add_column(tr("要点", "point"), overflow="fold")
    for col in (tr("文件名", "name"), tr("类型", "kind"), tr("大小", "size"), tr("说明", "caption"),
                tr("拍摄时间", "taken")):
        table.add_column(col, overflow="fold")
    if not per_item:
        table.add_column(tr("所属", "shows"), overflow="fold")
    for f in files:
        row = [Text(f["sha256"][:12])]
        if per_item:
            row.append(Text(f["item"]))
        row += [Text(f["name"] or ""), Text(kind(f["media_type"])), Text(size_text(f["size"])),
                Text(f["caption"] or ""), Text((f["taken_at"] or "").replace("T", " "))]
        if not per_item:
            row.append(Text("\n".join(link_text(link) for link in f["links"])))
        table.add_row(*row)
    return table


def show_attached(result: dict) -> None:
    """One plain line per file (no Rich: `evidence add` is meant to start and end fast; the names are printed as
    they are, with their control characters refused when they were added)."""
    from nanxian_cli.render.emit import write_stdout
    from nanxian_cli.render.table import printable

    for f in result["files"]:
        state = (tr("已保存", "stored") if f["stored"] else tr("已有同一文件，未重复保存", "already stored, not stored "
                                                                                  "twice"))
        if not f["linked"]:
            state = tr("此前已添加到该处", "was attached there already")
        line = tr(f"{f['name']} → {result['item']}（{kind(f['media_type'])}，{size_text(f['size'])}，"
                  f"编号 {f['sha256'][:12]}）：{state}",
                  f"{f['name']} → {result['item']} ({kind(f['media_type'])}, {size_text(f['size'])}, "
                  f"id {f['sha256'][:12]}): {state}")
        write_stdout(printable(line) + "\n")


def show_verified(result: dict) -> None:
    from rich.text import Text

    from nanxian_cli.render.table import make_console

    out = make_console()
    mb = result["bytes"] / (1024 * 1024)
    out.print(Text(tr(f"已核对 {result['files']} 个文件（{mb:.1f} MB）", f"Checked {result['files']} file(s) "
                                                                     f"({mb:.1f} MB)")))
    for key, zh, en in (("missing", "文件缺失", "missing"), ("changed", "内容已改动或损坏", "changed or damaged"),
                        ("unreferenced", "无记录引用的文件", "not referred to by any record")):
        for name in result[key]:
            out.print(Text(f"  {tr(zh, en)}: {name}", style="red" if key != "unreferenced" else "yellow"))
    if result["ok"]:
        out.print(Text(tr("全部完好", "All files intact"), style="green"))
