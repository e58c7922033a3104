"""A report on its way out: its data (the JSON contract) and the name of its layout (render/layouts/), which is
imported only for a format people read: `--format json` never loads the documents' code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ReportView:
    """A report (dataclasses) and its layout: JSON from the data, every other format from the laid-out document."""

    report: Any
    layout: str  # the module of render/layouts/ whose `layout` turns the report's JSON data into the document
    kind: str = "report"  # which formats it offers (render/formats.py)
    files: dict[str, Any] | None = None  # the files the document shows, checked (services.evidence.document_files)

    def data(self) -> Any:
        from nanxian_cli.render.data import as_data

        return as_data(self.report)

    def document(self) -> Any:
        from importlib import import_module

        doc = import_module(f"nanxian_cli.render.layouts.{self.layout}").layout(self.data())
        if self.files:
            doc.files = self.files
        return doc

    def show(self, console: Any, limit: int | None = None) -> None:
        """The table format; with `limit`, as a terminal shows it by default (`shortened`)."""
        from nanxian_cli.render.document import shortened
        from nanxian_cli.render.document_text import print_document

        doc = self.document()
        print_document(shortened(doc, limit) if limit is not None else doc, console)

    def content(self, fmt: str) -> str | bytes:
        if fmt == "json":
            from nanxian_cli.render import json_text

            return json_text(self.data())
        from nanxian_cli.render.document_text import render_document

        return render_document(self.document(), fmt)
