"""One checklist file read and validated into a model, with its canonical content and hash; a stored
checklist version rebuilt; the plan file read.

Format 2 (all optional): a checklist's validity window (`valid_from`/`valid_to`; several versions of one id may
sit side by side, e.g. `routine-monthly.yaml` and `routine-monthly.2020.yaml`, and a visit takes the one in force
on its date), `source`, a point's `standard`, `applies_to.months|inclusive|ownership`, and `ref` to a point of the
shared library `<checklist folder>/library/*.yaml` (files/checklist_library.py), resolved before validation so that
the stored content of a checklist version holds the library point whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nanxian_cli.core.words import Said
from nanxian_cli.errors import ValidationFailed
from nanxian_cli.files.checklist_checks import _invalid, _located, _validate
from nanxian_cli.files.checklist_library import LIBRARY_FOLDER, Library, _resolve_refs, is_library_document
from nanxian_cli.files.yaml import Document, canonical_json, content_hash, read_yaml

if TYPE_CHECKING:
    from nanxian_cli.core.checklist_models import Checklist, Plan


@dataclass
class LoadedChecklist:
    checklist: Checklist
    path: Path
    canonical: str
    hash: str
    item_lines: dict[str, int] = field(default_factory=dict)
    """Line of each point's `id` in the file (for errors that span files)."""
    warnings: list[str] = field(default_factory=list)
    """`path:line: field: message` for each point a supervisor cannot verify (core/lint.py)."""
    header_lines: dict[str, int] = field(default_factory=dict)
    """Line of `id`, `version`, `valid_from`, `valid_to` in the file."""


def _lint(doc: Document, checklist: Checklist) -> list[str]:
    """Warnings on the points written in this file (a `ref` point is linted in its library file)."""
    from nanxian_cli.core.lint import point_warnings

    out = []
    for i, item in enumerate(checklist.items):
        if item.ref is None:
            out.extend(_located(f"{doc.path}:{doc.line_of(('items', i, name))}: items[{i}].{name}: ", message)
                       for name, message in point_warnings(item))
    return out


def load_checklist(path: Path, library: Library | None = None) -> LoadedChecklist:
    """One checklist file, its `ref` points taken from `library` (default: the `library/` folder beside it)."""
    from nanxian_cli.core.checklist_models import Checklist

    doc = read_yaml(path)
    if is_library_document(doc):
        raise ValidationFailed(Said(f"{path}：这是共用要点库文件，不是检查表",
                                    f"{path}: a library file, not a checklist"),
                               [Said(f"{path}:1: 共用要点库文件（`points:`）通过 `ref` 引用它的检查表读取；请放在检查表"
                                     f"文件夹的 `{LIBRARY_FOLDER}/` 文件夹中",
                                     f"{path}:1: a library file (`points:`) is read through the checklists that `ref` "
                                     f"its points; put it in the `{LIBRARY_FOLDER}/` folder of the checklist folder")])
    doc, ref_problems = _resolve_refs(doc, library)
    if ref_problems:
        raise ValidationFailed(_invalid(path, "checklist"), ref_problems)
    checklist = _validate(doc, Checklist, "checklist")
    canonical = canonical_json(checklist.model_dump(mode="json", by_alias=True, exclude_none=True))
    item_lines = {item.id: doc.line_of(("items", i, "id")) for i, item in enumerate(checklist.items)}
    header_lines = {key: doc.line_of((key,)) for key in ("id", "version", "valid_from", "valid_to")
                    if (key,) in doc.lines}
    return LoadedChecklist(checklist=checklist, path=path, canonical=canonical, hash=content_hash(canonical),
                           item_lines=item_lines, warnings=_lint(doc, checklist), header_lines=header_lines)


def checklist_from_snapshot(canonical: str):
    """Rebuild the exact checklist version a visit was recorded against (stored JSON)."""
    import json

    from nanxian_cli.core.checklist_models import Checklist

    return Checklist.model_validate(json.loads(canonical), context={"stored": True})


def load_plan(path: Path | None = None) -> Plan:
    from nanxian_cli.config import bundled_data_dir
    from nanxian_cli.core.checklist_models import Plan

    path = path or bundled_data_dir() / "plan-2020.yaml"
    return _validate(read_yaml(path), Plan, "plan")
