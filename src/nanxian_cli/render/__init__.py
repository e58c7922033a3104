"""Renderers: the same report data as a Rich table, JSON, CSV, Markdown, HTML or XLSX.

User text is data here: Rich cells are `Text` objects (never markup), HTML and Markdown are
escaped, and spreadsheet cells that start a formula are neutralised.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError, RuntimeFailure

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".html": "html",
              ".htm": "html", ".xlsx": "xlsx", ".txt": "table", ".docx": "docx"}


def infer_format(fmt: str | None, output: Path | None, default: str = "table") -> str:
    if fmt:
        return fmt
    if output is not None:
        guessed = EXTENSIONS.get(output.suffix.lower())
        if guessed:
            return guessed
    return default


def safe_cell(value: Any) -> Any:
    """Neutralise a spreadsheet formula: a text cell starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def csv_text(columns: list[str], rows: list[list[Any]]) -> str:
    """CSV with a UTF-8 BOM (so Excel/WPS read Chinese correctly) and neutralised formulas."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(_csv_value(v)) for v in row])
    return "\ufeff" + buf.getvalue()


def _csv_value(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v == v else ""
    return v


def escape_markdown(text: Any) -> str:
    s = "" if text is None else str(text)
    out = []
    for ch in s:
        if ch in "\\`*_{}[]()#+-.!|<>&~":
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def markdown_table(columns: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(escape_markdown(c) for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(_csv_value(v) if v is not None else "") for v in row) + " |")
    return "\n".join(lines) + "\n"


def write_output(content: str | bytes, output: Path, option: str = "--output") -> None:
    """Write an output file atomically: a temporary file in the same folder, fsync, rename, fsync the folder.

    Every output file goes through here. First the path is checked (`output_guard.check_output`): the
    database, the files beside it, its evidence folder and the command's own inputs are refused (exit 2)
    before anything is written. A new file is made readable by its owner only (0600: reports name schools,
    supervisors and their findings); writing over an existing file keeps that file's mode. A symlink is
    written through to the file it points at.
    """
    import errno
    import stat
    import tempfile  # here, not at the top: it costs start-up on every read path that renders

    from nanxian_cli.i18n import tr
    from nanxian_cli.output_guard import check_output

    shown = Path(output)
    target = check_output(shown, option)
    parent = target.parent
    if not parent.is_dir():
        raise InputError(tr(f"{shown}：文件夹 {shown.parent} 不存在", f"{shown}: folder {shown.parent} does not exist"))
    if target.is_dir():
        raise InputError(tr(f"{shown}：是文件夹；请给出文件名", f"{shown}: is a folder; give a file name"))
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        try:
            kept_mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            kept_mode = None  # mkstemp's 0600 stays
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if kept_mode is not None:
                os.chmod(tmp, kept_mode)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_folder(parent)
    except PermissionError:
        raise RuntimeFailure(tr(f"{shown}：无权写入", f"{shown}: permission denied")) from None
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise RuntimeFailure(tr(f"{shown}：磁盘已满（{why}）；未写入", f"{shown}: disk full ({why}); nothing was written")) from None
        if exc.errno == errno.EFBIG:
            raise RuntimeFailure(tr(f"{shown}：文件超出允许的大小（{why}）；未写入",
                                    f"{shown}: file too large for this file system or limit ({why}); nothing was written")) from None
        raise RuntimeFailure(tr(f"{shown}：无法写入：{why}", f"{shown}: cannot write: {why}")) from None


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
