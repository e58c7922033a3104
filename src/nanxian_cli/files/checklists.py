"""Checklists and the plan: find the files, validate them into models, hash their content."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nanxian_cli.core.answers import RULE_KEYS, TYPES
from nanxian_cli.errors import InputError, NotFound, ValidationFailed
from nanxian_cli.files.yaml import Document, canonical_json, content_hash, format_loc, read_yaml, validation_lines
from nanxian_cli.i18n import tr

if TYPE_CHECKING:
    from nanxian_cli.core.models import Checklist, Plan


@dataclass
class LoadedChecklist:
    checklist: Checklist
    path: Path
    canonical: str
    hash: str
    item_lines: dict[str, int] = field(default_factory=dict)
    """Line of each point's `id` in the file (for errors that span files)."""


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symbolic link followed, is inside `folder` (its links followed too)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """A folder's checklist files (*.yaml / *.yml, sorted), and the ones refused because they are
    symbolic links to a file outside the folder."""
    found, outside = [], []
    # dot files are editor locks and macOS `._name.yaml` copies, not checklists
    for p in sorted(folder.iterdir()):
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and (p.is_file() or p.is_symlink()):
            if p.is_symlink() and not _inside(p, folder):
                outside.append(p)
            elif p.is_file():
                found.append(p)
    return found, outside


def _outside_message(path: Path, folder: Path) -> str:
    return tr(f"{path}：是指向清单文件夹 {folder} 之外的符号链接，不读取（请把文件复制进文件夹）",
              f"{path}: a symbolic link to a file outside the checklist folder {folder}; not read (copy the file in)")


def checklist_files(paths: list[Path]) -> list[Path]:
    """Each path a file or a folder (its *.yaml / *.yml files, sorted; links to outside it are left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_folder_files(path)[0])
        elif path.exists():
            files.append(path)
        else:
            raise InputError(tr(f"{path}：文件或文件夹不存在", f"{path}: no such file or folder"))
    return files


def raw_checklist_problems(doc: Document) -> list[str]:
    """Cross-field checks on the raw file, so every problem gets its own exact line
    (pydantic stops at the first failing validator of an item)."""
    data = doc.data
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    problems: list[str] = []

    def say(loc: tuple, msg: str) -> None:
        problems.append(f"{doc.path}:{doc.line_of(loc)}: {format_loc(loc)}: {msg}")

    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen:
                say(("items", i, "id"), f"duplicate item id {item_id!r} (first at items[{seen[item_id]}])")
            else:
                seen[item_id] = i
        kind = item.get("type")
        if kind in TYPES:
            for key in RULE_KEYS:
                if key in item and key not in TYPES[kind].rule_keys:
                    say(("items", i, key), f"`{key}` does not fit type {kind}")
            if kind == "choice" and isinstance(item.get("choices"), dict) and isinstance(item.get("pass"), list):
                for j, option in enumerate(item["pass"]):
                    if option not in item["choices"]:
                        say(("items", i, "pass", j),
                            f"{option!r} is not among choices ({', '.join(map(str, item['choices']))})")
        when = item.get("when")
        if isinstance(when, dict) and isinstance(when.get("item"), str):
            ref = when["item"]
            if ref not in seen or seen[ref] == i:
                later = any(isinstance(o, dict) and o.get("id") == ref for o in items[i:])
                say(("items", i, "when", "item"),
                    f"{ref!r} is {'a later or the same' if later else 'an unknown'} item; "
                    "`when` must name an earlier item")
            elif "equals" in when and isinstance(items[seen[ref]], dict):
                expected = _when_value_problem(items[seen[ref]], when["equals"])
                if expected:
                    say(("items", i, "when", "equals"),
                        f"{when['equals']!r} can never be the answer to {ref!r}; expected {expected}")
    return problems


def _when_value_problem(ref: dict, value: object) -> str | None:
    """What `when.equals` should be for the referenced point's type, or None if `value` can match.

    A value that can never match would silently turn the point into `na` on every visit.
    """
    kind = TYPES.get(ref.get("type"))  # type: ignore[arg-type]
    return kind.when_value_problem(ref, value) if kind is not None else None


def _by_line(doc: Document, lines: list[str]) -> list[str]:
    prefix = len(str(doc.path)) + 1

    def key(line: str) -> int:
        head = line[prefix:].split(":", 1)[0]
        return int(head) if head.isdigit() else 0

    return sorted(lines, key=key)


def _validate(doc: Document, model: type, what: str):
    from pydantic import ValidationError

    if not isinstance(doc.data, dict):
        raise ValidationFailed(f"{doc.path}: not a {what}",
                               [f"{doc.path}:1: expected a mapping (a {what}), got {type(doc.data).__name__}"])
    raw = raw_checklist_problems(doc) if what == "checklist" else []
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        lines = validation_lines(doc, exc, skip_model_errors=bool(raw))
        raise ValidationFailed(f"{doc.path}: invalid {what}",
                               _by_line(doc, raw + [line for line in lines if line not in raw])) from None
    if raw:
        raise ValidationFailed(f"{doc.path}: invalid {what}", raw)
    return result


def load_checklist(path: Path) -> LoadedChecklist:
    from nanxian_cli.core.models import Checklist

    doc = read_yaml(path)
    checklist = _validate(doc, Checklist, "checklist")
    canonical = canonical_json(checklist.model_dump(mode="json", by_alias=True, exclude_none=True))
    item_lines = {item.id: doc.line_of(("items", i, "id")) for i, item in enumerate(checklist.items)}
    return LoadedChecklist(checklist=checklist, path=path, canonical=canonical, hash=content_hash(canonical),
                           item_lines=item_lines)


def checklist_from_snapshot(canonical: str):
    """Rebuild the exact checklist version a visit was recorded against (stored JSON)."""
    import json

    from nanxian_cli.core.models import Checklist

    return Checklist.model_validate(json.loads(canonical), context={"stored": True})


def validate_paths(paths: list[Path]) -> tuple[list[LoadedChecklist], list[str]]:
    """Validate every file; return the good ones and every problem line (never stops at the first)."""
    good: list[LoadedChecklist] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found, outside = _folder_files(path)
            problems.extend(_outside_message(link, path) for link in outside)
            if not found and not outside:
                problems.append(f"{path}: no checklist files (*.yaml, *.yml) in this folder")
    for path in checklist_files(paths):
        try:
            good.append(load_checklist(path))
        except ValidationFailed as exc:
            problems.extend(exc.details or [exc.message])
        except InputError as exc:
            problems.append(exc.message)
    first_seen: dict[str, Path] = {}
    for loaded in good:
        cid = loaded.checklist.id
        if cid in first_seen:
            problems.append(f"{loaded.path}:1: id: checklist id {cid!r} is also used by {first_seen[cid]}")
        else:
            first_seen[cid] = loaded.path
    # Findings are keyed by (school, item id), so a point id may belong to one checklist only.
    item_owner: dict[str, LoadedChecklist] = {}
    for loaded in good:
        for index, item in enumerate(loaded.checklist.items):
            owner = item_owner.setdefault(item.id, loaded)
            if owner is not loaded and owner.checklist.id != loaded.checklist.id:
                problems.append(
                    f"{loaded.path}:{loaded.item_lines.get(item.id, 1)}: items[{index}].id: "
                    f"item id {item.id!r} is also used by checklist "
                    f"{owner.checklist.id!r} ({owner.path}); item ids must be unique across checklists"
                )
    return good, problems


def load_all(directory: Path) -> list[LoadedChecklist]:
    """Every checklist in the configured folder; any invalid file stops the command (exit 2)."""
    if not directory.is_dir():
        raise InputError(tr(f"{directory}：找不到清单文件夹（--checklists / NANXIAN_CHECKLISTS）",
                            f"{directory}: checklist folder not found (--checklists / NANXIAN_CHECKLISTS)"))
    good, problems = validate_paths([directory])
    if problems:
        raise ValidationFailed(tr(f"{directory}：清单有误（运行 `nanxian checklist validate` 查看）",
                                  f"{directory}: invalid checklists (run `nanxian checklist validate`)"), problems)
    return good


def check_checklist_id(checklist_id: str) -> str:
    """A checklist id typed by a user or written in an answers file is an id, never a path."""
    import re

    from nanxian_cli.core.models import ITEM_ID

    if not isinstance(checklist_id, str) or not re.fullmatch(ITEM_ID, checklist_id):
        shown = repr(checklist_id) if len(repr(checklist_id)) <= 60 else repr(checklist_id)[:57] + "…"
        raise InputError(tr(
            f"{shown} 不是清单 id：id 只含字母、数字和 - _ .，在清单文件夹中查找，"
            "不能是路径（见 `nanxian checklist list`）",
            f"{shown} is not a checklist id: an id is letters, digits, '-', '_' and '.', looked up in the checklist "
            f"folder, never a path (see `nanxian checklist list`)",
        ))
    return checklist_id


def find_checklist(directory: Path, checklist_id: str) -> LoadedChecklist:
    """One checklist by id, inside the configured folder only; tries `<id>.yaml` first so a visit does not
    validate the whole folder. The id is checked first: `../x`, `/abs/x` never reach the file system, and a
    symbolic link in the folder to a file elsewhere is refused, not followed."""
    check_checklist_id(checklist_id)
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{checklist_id}{suffix}"
        if candidate.is_symlink() and not _inside(candidate, directory):
            raise InputError(_outside_message(candidate, directory))
        if candidate.is_file():
            loaded = load_checklist(candidate)
            if loaded.checklist.id == checklist_id:
                return loaded
    everything = load_all(directory)
    for loaded in everything:
        if loaded.checklist.id == checklist_id:
            return loaded
    known = ", ".join(sorted(source.checklist.id for source in everything))
    raise NotFound(tr(f"没有清单 {checklist_id!r}（现有：{known}）",
                      f"unknown checklist {checklist_id!r} (known: {known})"))


def load_plan(path: Path | None = None) -> Plan:
    from nanxian_cli.config import bundled_data_dir
    from nanxian_cli.core.models import Plan

    path = path or bundled_data_dir() / "plan-2020.yaml"
    return _validate(read_yaml(path), Plan, "plan")
