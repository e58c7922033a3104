"""Terminal output of sync: what an import brought, the status of this database, the conflicts."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from nanxian_cli.i18n import local_time, tr
from nanxian_cli.render.table import make_console

_KIND_WORDS = {
    "visit-header": ("同一督导记录、表头不同", "same visit, different header"),
    "parallel-edit": ("同一回答被并行修改", "parallel edits of one answer"),
    "held": ("等待其前序记录", "waiting for its base"),
    "void-amend": ("作废与更正冲突（作废有效）", "void against amendment (the void stands)"),
}
_SHOWN_SCHOOLS = 10  # the terminal summary names this many new schools; --format json lists every one
_SHOWN_CONFLICTS = 20


def _kind(kind: str) -> str:
    zh, en = _KIND_WORDS.get(kind, (kind, kind))
    return tr(zh, en)


def show_imports(results: list[Any]) -> None:
    console = make_console()
    for r in results:
        source = f"{r.device.get('name') or '?'} ({r.device.get('id', '')[:8]})"
        if r.already and r.own:
            console.print(Text(tr(f"{r.file}：是本数据库导出的数据包，无需导入；未做任何改动",
                                  f"{r.file}: this bundle was exported by this database; nothing to import, "
                                  "nothing changed")))
            continue
        if r.already:
            day = local_time(r.created_at)[:10]
            console.print(Text(tr(f"{r.file}：已导入过（来自 {source}，{day}），未做任何改动",
                                  f"{r.file}: already imported (from {source}, {day}); nothing changed")))
            continue
        # the heading on its own line: a table's title is wrapped to the table's (narrow) width
        console.print(Text(tr(f"{r.file}（来自 {source}，{local_time(r.created_at)}）",
                              f"{r.file} (from {source}, {local_time(r.created_at)})")))
        table = Table()
        table.add_column(tr("内容", "what"))
        table.add_column(tr("新增", "new"), justify="right")
        rows = [(tr("督导记录", "visits"), r.new["visits"]), (tr("回答修订", "answer revisions"), r.new["revisions"]),
                (tr("整改动作", "finding events"), r.new["events"]), (tr("作废", "voids"), r.new["voids"]),
                (tr("检查表版本", "checklist versions"), r.new["checklists"]),
                (tr("学校", "schools"), r.new["schools"]), (tr("督学", "supervisors"), r.new["inspectors"]),
                (tr("责任督学分配", "assignments"), r.new["assignments"]),
                (tr("佐证材料文件", "evidence files"), r.new["evidence"]),
                (tr("佐证材料关联", "evidence attachments"), r.new["evidence_links"])]
        for label, n in rows:
            table.add_row(label, str(n))
        console.print(table)
        lines = [tr(f"已有而跳过：{r.skipped}", f"already here, skipped: {r.skipped}")]
        if r.held:
            lines.append(tr(f"暂存（等待其前序记录）：{r.held}", f"held (waiting for their base): {r.held}"))
        if r.released:
            lines.append(tr(f"此前暂存、现已应用：{r.released}", f"held earlier, now applied: {r.released}"))
        if r.new_schools:
            n, shown = len(r.new_schools), ", ".join(r.new_schools[:_SHOWN_SCHOOLS])
            if n <= _SHOWN_SCHOOLS:
                lines.append(tr(f"新增的学校（{n} 所）：{shown}", f"schools new here ({n}): {shown}"))
            else:  # a bureau's first import adds the whole roster: the codes of a few, the number of all
                lines.append(tr(f"新增的学校（{n} 所）：{shown} 等（--format json 列出全部）",
                                f"schools new here ({n}): {shown} and {n - _SHOWN_SCHOOLS} more "
                                "(--format json lists all)"))
        for diff in r.school_differences:
            fields = ", ".join(f"{k}: {v['here']!s} ≠ {v['bundle']!s}" for k, v in diff["fields"].items())
            lines.append(tr(f"学校 {diff['school']} 的信息与本机不同，保留本机的：{fields}",
                            f"school {diff['school']} differs from here; kept this database's: {fields}"))
        if r.conflicts:
            lines.append(tr(f"冲突：{len(r.conflicts)}（nanxian sync conflicts 查看）",
                            f"conflicts: {len(r.conflicts)} (see: nanxian sync conflicts)"))
            for c in r.conflicts[:_SHOWN_CONFLICTS]:
                lines.append(f"  - {_kind(c['kind'])}: {(c.get('visit') or '')[:8]} {c.get('item') or ''}")
            if len(r.conflicts) > _SHOWN_CONFLICTS:
                more = len(r.conflicts) - _SHOWN_CONFLICTS
                lines.append(tr(f"  …另有 {more} 个（nanxian sync conflicts 列出全部）",
                                f"  … and {more} more (nanxian sync conflicts lists all)"))
        for line in lines:
            console.print(Text(line))


def show_status(data: dict) -> None:
    console = make_console()
    device = data["device"]
    console.print(Text(tr(f"本机：{device['name']}（{device['id']}）",
                          f"This database: {device['name']} ({device['id']})")))
    last = data["last_export"]
    if last is None:
        console.print(Text(tr("尚未导出过数据包", "No bundle exported yet")))
    else:
        console.print(Text(tr(f"上次导出：{local_time(last['at'])} → {last['file']}",
                              f"Last export: {local_time(last['at'])} → {last['file']}")))
    if data["imported"]:
        table = Table(title=tr("已导入的数据包", "Bundles imported"), title_justify="left")
        for col in (tr("来自", "from"), tr("制作于", "created"), tr("导入于", "imported"), tr("督导记录", "visits"),
                    tr("回答修订", "revisions"), tr("整改动作", "events"), tr("跳过", "skipped")):
            table.add_column(col)
        for b in data["imported"]:
            c = b["counts"]
            table.add_row(Text(f"{b['device']['name']} ({b['device']['id'][:8]})"), local_time(b["created_at"]),
                          local_time(b["imported_at"]), str(c.get("visits", 0)), str(c.get("revisions", 0)),
                          str(c.get("events", 0)), str(c.get("skipped", 0)))
        console.print(table)
    else:
        console.print(Text(tr("尚未导入数据包", "No bundle imported yet")))
    console.print(Text(tr(f"暂存的记录：{len(data['held'])}", f"Held facts: {len(data['held'])}")))
    console.print(Text(tr(f"未处理的冲突：{data['open_conflicts']}", f"Open conflicts: {data['open_conflicts']}")))


def show_conflicts(items: list[dict]) -> None:
    console = make_console()
    if not items:
        console.print(Text(tr("没有冲突", "No conflicts")))
        return
    table = Table()
    for col in ("#", tr("类型", "kind"), tr("督导记录", "visit"), tr("要点", "point"), tr("详情", "detail"),
                tr("状态", "state")):
        table.add_column(col)
    for c in items:
        d = c["detail"]
        if c["kind"] == "parallel-edit":
            detail = tr("修订：", "revisions: ") + ", ".join(u[:8] for u in d.get("revisions", []))
        elif c["kind"] == "visit-header":
            detail = ", ".join(f"{k}: {v['here']} ≠ {v['bundle']}" for k, v in d.get("fields", {}).items())
        elif c["kind"] == "held":
            detail = tr(f"{d.get('fact')} 等待 {d.get('waits_for')}", f"{d.get('fact')} waits for {d.get('waits_for')}")
        else:
            detail = tr(f"修订 {str(d.get('revision'))[:8]}", f"revision {str(d.get('revision'))[:8]}")
        state = tr("未处理", "open") if c["settled_at"] is None else (c["settlement"] or tr("已处理", "settled"))
        table.add_row(str(c["id"]), _kind(c["kind"]), (c["visit"] or "")[:8], Text(c["item"] or ""), Text(detail),
                      Text(state))
    console.print(table)
