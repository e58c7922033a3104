"""The shared point library of a checklist folder (`<checklist folder>/library/*.yaml`, a mapping
`{points: [item…]}`): its files validated into points, and a checklist's `ref` items resolved to the library point
whole before validation (so that the stored content of a checklist version holds the library point)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.core.words import Said
from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.files.checklist_checks import _located, raw_checklist_problems
from nanxian_cli.files.checklist_paths import _folder_files, _inside, _outside_message
from nanxian_cli.files.yaml import Document, read_yaml, validation_lines

LIBRARY_FOLDER = "library"
"""The shared points live in `<checklist folder>/library/*.yaml`."""
REF_OVERRIDES = ("severity", "weight", "applies_to", "when", "plan")
"""What a checklist item `{ref: x}` may set beside `ref`; everything else comes from library point x."""


@dataclass
class LibraryPoint:
    raw: dict
    """The point as written in its library file."""
    path: Path
    line: int


@dataclass
class Library:
    """The shared points of one checklist folder, and what is wrong with its files."""

    folder: Path
    points: dict[str, LibraryPoint] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0

    def __post_init__(self) -> None:
        self.exists = self.folder.is_dir()


def is_library_document(doc: Document) -> bool:
    """A library file is a mapping with `points` (a checklist has `items`)."""
    return isinstance(doc.data, dict) and "points" in doc.data and "items" not in doc.data


def _library_file(doc: Document, library: Library) -> None:
    """Validate one library file into `library` (its points, problems and warnings)."""
    from pydantic import ValidationError

    from nanxian_cli.core.checklist_models import Item
    from nanxian_cli.core.lint import point_warnings

    path = doc.path
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("points"), list) or not data["points"]:
        library.problems.append(Said(f"{path}:1: 共用要点库文件应为映射 `points:`，下面是要点列表",
                                     f"{path}:1: a library file is a mapping `points:` with a list of points"))
        return
    for key in data:
        if key != "points":
            where = f"{path}:{doc.line_of((key,))}: {key}: "
            library.problems.append(Said(where + "未知字段（共用要点库文件只有 `points:`）",
                                         where + "unknown field (a library file holds `points:` only)"))
    raw_problems = raw_checklist_problems(doc, "points")
    library.problems.extend(raw_problems)
    for i, raw in enumerate(data["points"]):
        loc = ("points", i)
        if not isinstance(raw, dict):
            library.problems.append(Said(f"{path}:{doc.line_of(loc)}: points[{i}]: 应为映射（一个要点）",
                                         f"{path}:{doc.line_of(loc)}: points[{i}]: expected a mapping (a point)"))
            continue
        bad = [k for k in ("ref", "when") if k in raw]
        for k in bad:
            why = ("a library point cannot refer to another" if k == "ref" else
                   "skip logic names a point of a checklist: set `when` on the checklist item that uses this point")
            why_zh = ("共用要点不能再引用其他要点" if k == "ref" else
                      "跳题条件要引用检查表中的要点：请在使用该要点的检查表条目上设置 `when`")
            where = f"{path}:{doc.line_of(loc + (k,))}: points[{i}].{k}: "
            library.problems.append(Said(where + why_zh, where + why))
        if bad:
            continue
        try:
            item = Item.model_validate(raw)
        except ValidationError as exc:
            # a point's rule errors the raw checks gave with their exact lines are not repeated
            told = any(f": points[{i}]." in line or f": points[{i}]:" in line for line in raw_problems)
            lines = validation_lines(doc, exc, prefix=loc, skip_model_errors=told)
            library.problems.extend(line for line in lines if line not in library.problems)
            continue
        first = library.points.get(item.id)
        if first is not None:
            where = f"{path}:{doc.line_of(loc + ('id',))}: points[{i}].id: "
            library.problems.append(Said(where + f"共用要点 id {item.id!r} 也定义在 {first.path}:{first.line}",
                                         where + f"library point id {item.id!r} is also defined in "
                                                 f"{first.path}:{first.line}"))
            continue
        line = doc.line_of(loc + ("id",))
        library.points[item.id] = LibraryPoint(raw=raw, path=path, line=line)
        library.warnings.extend(_located(f"{path}:{doc.line_of(loc + (name,))}: points[{i}].{name}: ", message)
                                for name, message in point_warnings(item))


def load_library(checklist_folder: Path) -> Library:
    """The shared points of a checklist folder (`library/*.yaml` in it); every problem is collected, none raised."""
    folder = checklist_folder / LIBRARY_FOLDER
    library = Library(folder)
    if folder.is_symlink() and not _inside(folder, checklist_folder):
        library.problems.append(_outside_message(folder, checklist_folder))
        library.exists = False
        return library
    if not library.exists:
        return library
    found, outside = _folder_files(folder)
    library.problems.extend(_outside_message(link, folder) for link in outside)
    for path in found:
        library.files += 1
        try:
            _library_file(read_yaml(path), library)
        except ValidationFailed as exc:
            library.problems.extend(exc.details or [exc.message])
        except InputError as exc:
            library.problems.append(exc.message)
    return library


def _resolve_refs(doc: Document, library: Library | None) -> tuple[Document, list[str]]:
    """The checklist with every item `{ref: x, …}` replaced by library point x (with the allowed overrides and
    `ref` kept), and the problems: an unknown point, a field that may not be overridden, a broken library."""
    import re

    from nanxian_cli.core.model_base import ITEM_ID

    items = doc.data.get("items") if isinstance(doc.data, dict) else None
    if not isinstance(items, list) or not any(isinstance(it, dict) and "ref" in it for it in items):
        return doc, []
    if library is None:
        library = load_library(doc.path.parent)
    problems: list[str] = []
    resolved: list[Any] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "ref" not in item:
            resolved.append(item)
            continue
        ref = item["ref"]
        at = f"{doc.path}:{doc.line_of(('items', i, 'ref'))}: items[{i}].ref"
        for key in item:
            if key != "ref" and key not in REF_OVERRIDES:
                where = f"{doc.path}:{doc.line_of(('items', i, key))}: items[{i}].{key}: "
                problems.append(Said(
                    where + f"`ref` 要点整体取自共用要点 {ref!r}；`ref` 旁只能设置 {', '.join(REF_OVERRIDES)}"
                            "（请修改共用要点，或不用 `ref` 把要点完整写出）",
                    where + f"a `ref` point takes library point {ref!r} whole; only {', '.join(REF_OVERRIDES)} may "
                            "be set beside `ref` (change the library point, or write the point out without `ref`)"))
        if not isinstance(ref, str) or not re.fullmatch(ITEM_ID, ref):
            problems.append(Said(f"{at}: 应为共用要点的 id（字母、数字和 - _ .），收到 {ref!r}",
                                 f"{at}: expected the id of a library point (letters, digits, '-', '_', '.'), "
                                 f"got {ref!r}"))
            continue
        point = library.points.get(ref)
        if point is None:
            if library.problems:
                problems.extend(p for p in library.problems if p not in problems)
            if not library.exists:
                problems.append(Said(f"{at}: 没有共用要点 {ref!r}：共用要点库文件夹 {library.folder} 不存在",
                                     f"{at}: unknown library point {ref!r}: there is no library folder "
                                     f"{library.folder}"))
            elif ref not in library.points:
                known = ", ".join(sorted(library.points)[:12])
                more = "…" if len(library.points) > 12 else ""
                problems.append(Said(f"{at}: 没有共用要点 {ref!r}（{library.folder} 中有：{known or '无'}{more}）",
                                     f"{at}: unknown library point {ref!r} (in {library.folder}: "
                                     f"{known or 'none'}{more})"))
            continue
        merged = {**point.raw, **{k: v for k, v in item.items() if k in REF_OVERRIDES}, "ref": ref}
        resolved.append(merged)
    data = {**doc.data, "items": resolved}
    return Document(path=doc.path, data=data, lines=doc.lines, numbers_as_written=doc.numbers_as_written), problems
