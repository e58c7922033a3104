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


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(content: str | bytes, output: Path) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    import tempfile  # here, not at the top: it costs start-up on every read path that renders

    output = Path(output)
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{output}: folder {parent} does not exist")
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp makes 0600 files; an export is meant to be handed on, so use the usual umask mode.
            os.chmod(tmp, 0o666 & ~_current_umask())
            os.replace(tmp, output)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except PermissionError:
        raise RuntimeFailure(f"{output}: permission denied") from None
    except OSError as exc:
        raise RuntimeFailure(f"{output}: cannot write: {exc.strerror or exc}") from None
