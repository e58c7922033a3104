"""The one registry of output formats: each format, the file extensions that pick it, and the formats each kind
of document offers. `--format` wins; otherwise `--output`'s extension picks the format; an extension that no
format of the command writes (`.pdf`) is refused, naming the formats. Nothing heavy is imported here."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


class Format(NamedTuple):  # a constant value: a NamedTuple costs a fifth of a frozen dataclass to define
    name: str
    extensions: tuple[str, ...]  # the first one names a file the command makes itself (the digest in a folder)
    binary: bool = False  # never to the terminal


FORMATS = {f.name: f for f in (
    Format("table", (".txt", ".text")),  # the Rich table as plain text
    Format("text", (".txt", ".text")),  # the digest's plain text (a mail body)
    Format("json", (".json",)),
    Format("csv", (".csv",)),
    Format("markdown", (".md", ".markdown")),
    Format("html", (".html", ".htm")),
    Format("xlsx", (".xlsx",), binary=True),
    Format("docx", (".docx",), binary=True),
)}

OFFERED = {
    "report": ("table", "json", "csv", "markdown", "html", "xlsx", "docx"),  # report summary|school|item|matrix|visit
    "listing": ("table", "json", "csv"),  # school, inspector, checklist, inspect and finding lists; plan coverage
    "record": ("table", "json"),  # one visit, school or checklist
    "digest": ("text", "markdown", "html", "json"),  # the weekly digest
    "notice": ("table", "json", "markdown", "html", "docx"),  # the 整改通知书: a document to print, not a sheet
}
"""Which formats each kind of document offers, the default first."""


def offered(kind: str) -> tuple[str, ...]:
    return OFFERED[kind]


def extension(fmt: str) -> str:
    """The extension of a file named by the command itself, e.g. `txt` for the digest's text."""
    return FORMATS[fmt].extensions[0].lstrip(".")


def _choices(names: tuple[str, ...]) -> tuple[str, str]:
    if len(names) == 1:
        return names[0], names[0]
    return "、".join(names[:-1]) + f" 或 {names[-1]}", ", ".join(names[:-1]) + f" or {names[-1]}"


def choose(kind: str, fmt: str | None, output: Path | str | None) -> str:
    """The format to write: `fmt` if given, else the one `output`'s extension names, else the kind's default.
    A format or an extension the kind does not offer is exit 2, naming the formats it offers."""
    names = OFFERED[kind]
    zh, en = _choices(names)
    if fmt is None and output is not None:
        suffix = Path(output).suffix.lower()
        if suffix:
            fmt = next((n for n in names if suffix in FORMATS[n].extensions), None)
            if fmt is None:
                from nanxian_cli.files.outputs import check_output

                check_output(output)  # a protected path (the database, an input) is refused as such first
                exts = " ".join(FORMATS[n].extensions[0] for n in names)
                raise InputError(tr(f"--output：本命令没有写 {suffix} 文件的格式；可选 {zh}（{exts}），"
                                    "或用 --format 指定",
                                    f"--output: no format of this command writes {suffix} files; choose {en} ({exts}) "
                                    f"or give --format"))
    if fmt is None:
        return names[0]
    if fmt not in names:
        raise InputError(tr(f"--format：可选 {zh}，而不是 {fmt!r}", f"--format: choose {en}, not {fmt!r}"))
    return fmt


def refuse_binary_on_terminal(fmt: str, output: object) -> None:
    if FORMATS[fmt].binary and output is None:
        raise InputError(tr(f"--format {fmt}：二进制文件不能输出到终端；请加上 --output 文件.{fmt}",
                            f"--format {fmt}: a binary file cannot go to the terminal; add --output FILE.{fmt}"))
