"""The checklist folder as a whole: every file validated (validate_paths, never stopping at the first problem),
all of it loaded or refused (load_all), and one checklist found by id, inside the folder only (find_checklist)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nanxian_cli.core.validity import covers
from nanxian_cli.core.words import Said
from nanxian_cli.errors import InputError, NotFound, ValidationFailed
from nanxian_cli.files.checklist_file import LoadedChecklist, load_checklist
from nanxian_cli.files.checklist_library import LIBRARY_FOLDER, Library, is_library_document, load_library
from nanxian_cli.files.checklist_paths import _folder_files, _inside, _outside_message, checklist_files
from nanxian_cli.files.checklist_versions import _no_version_on, _version_problems, by_id, newest, version_on
from nanxian_cli.files.yaml import read_yaml
from nanxian_cli.files.yaml_header import peek_top_level
from nanxian_cli.i18n import tr


def validate_paths(paths: list[Path]) -> tuple[list[LoadedChecklist], list[str], list[str]]:
    """Validate every file; return the good ones, every problem line (never stops at the first) and every
    warning line (points a supervisor cannot verify)."""
    good: list[LoadedChecklist] = []
    problems: list[str] = []
    warnings: list[str] = []
    libraries: dict[Path, Library] = {}

    def library_of(folder: Path) -> Library:
        key = folder.resolve()
        if key not in libraries:
            libraries[key] = load_library(folder)
        return libraries[key]

    for path in paths:
        if path.is_dir():
            found, outside = _folder_files(path)
            problems.extend(_outside_message(link, path) for link in outside)
            library = library_of(path)
            problems.extend(library.problems)
            warnings.extend(library.warnings)
            if not found and not outside and not library.files:
                problems.append(Said(f"{path}: 此文件夹中没有检查表文件（*.yaml、*.yml）",
                                     f"{path}: no checklist files (*.yaml, *.yml) in this folder"))
    for path in checklist_files(paths):
        try:
            doc = read_yaml(path)
            if is_library_document(doc):
                if path.parent.name != LIBRARY_FOLDER:
                    problems.append(Said(f"{path}:1: 共用要点库文件（`points:`）应放在检查表文件夹的 "
                                         f"`{LIBRARY_FOLDER}/` 文件夹中，`ref` 在那里查找要点",
                                         f"{path}:1: a library file (`points:`) belongs in the `{LIBRARY_FOLDER}/` "
                                         "folder of the checklist folder, where `ref` finds its points"))
                    continue
                library = library_of(path.parent.parent)  # a library file named on its own: its whole library
                problems.extend(library.problems)
                warnings.extend(library.warnings)
                continue
            loaded = load_checklist(path, library_of(path.parent))
        except ValidationFailed as exc:
            problems.extend(exc.details or [exc.message])
            continue
        except InputError as exc:
            problems.append(exc.message)
            continue
        good.append(loaded)
        warnings.extend(loaded.warnings)
    problems.extend(_version_problems(good))
    # Findings are keyed by (school, checklist id/item id) or by the library id of a `ref` point: an item id
    # that is not a `ref` may belong to one checklist only, and may not be a library id.
    item_owner: dict[str, LoadedChecklist] = {}
    for loaded in good:
        library = library_of(loaded.path.parent)
        for index, item in enumerate(loaded.checklist.items):
            if item.ref is not None:
                continue
            where = f"{loaded.path}:{loaded.item_lines.get(item.id, 1)}: items[{index}].id"
            if item.id in library.points:
                point = library.points[item.id]
                problems.append(Said(f"{where}: 要点 id {item.id!r} 是共用要点（{point.path}:{point.line}）；"
                                     f"要使用它请写 `ref: {item.id}`，否则请换一个 id",
                                     f"{where}: item id {item.id!r} is a library point ({point.path}:{point.line}); "
                                     f"write `ref: {item.id}` to use it, or give this point another id"))
                continue
            owner = item_owner.setdefault(item.id, loaded)
            if owner is not loaded and owner.checklist.id != loaded.checklist.id:
                problems.append(Said(
                    f"{where}: 要点 id {item.id!r} 也用于检查表 {owner.checklist.id!r}（{owner.path}）；"
                    "各检查表的要点 id 不能相同",
                    f"{where}: item id {item.id!r} is also used by checklist "
                    f"{owner.checklist.id!r} ({owner.path}); item ids must be unique across checklists"
                ))
    return good, list(dict.fromkeys(problems)), list(dict.fromkeys(warnings))


def load_all(directory: Path) -> list[LoadedChecklist]:
    """Every checklist in the configured folder; any invalid file stops the command (exit 2)."""
    if not directory.is_dir():
        raise InputError(tr(f"{directory}：找不到检查表文件夹（--checklists / NANXIAN_CHECKLISTS）",
                            f"{directory}: checklist folder not found (--checklists / NANXIAN_CHECKLISTS)"))
    good, problems, _ = validate_paths([directory])
    if problems:
        raise ValidationFailed(tr(f"{directory}：检查表有误（运行 `nanxian checklist validate` 查看）",
                                  f"{directory}: invalid checklists (run `nanxian checklist validate`)"), problems)
    return good


def check_checklist_id(checklist_id: str) -> str:
    """A checklist id typed by a user or written in an answers file is an id, never a path."""
    import re

    from nanxian_cli.core.model_base import ITEM_ID

    if not isinstance(checklist_id, str) or not re.fullmatch(ITEM_ID, checklist_id):
        shown = repr(checklist_id) if len(repr(checklist_id)) <= 60 else repr(checklist_id)[:57] + "…"
        raise InputError(tr(
            f"{shown} 不是检查表 id：id 只含字母、数字和 - _ .，在检查表文件夹中查找，不能是路径"
            f"（见 `nanxian checklist list`）",
            f"{shown} is not a checklist id: an id is letters, digits, '-', '_' and '.', looked up in the checklist "
            f"folder, never a path (see `nanxian checklist list`)",
        ))
    return checklist_id


def _may_hold(path: Path, checklist_id: str, on: dt.date | None) -> bool:
    """Whether the file may hold the version sought, by the `id`, `valid_from` and `valid_to` written before its
    `items`: no only when one of them says so; a header that cannot be read that way, or that says nothing, says
    yes (the full reader then decides, and names what is wrong)."""
    head = peek_top_level(path, ("id", "valid_from", "valid_to"), until="items")
    if head is None:
        return True
    start, end = head.get("valid_from"), head.get("valid_to")
    if "id" in head and head["id"] != checklist_id:
        return not isinstance(head["id"], str)
    if any(v is not None and (not isinstance(v, dt.date) or isinstance(v, dt.datetime)) for v in (start, end)):
        return True  # a quoted date or a wrong value: the model decides
    return covers(start, end, on)


def find_checklist(directory: Path, checklist_id: str, on: dt.date | None = None, *,
                   or_newest: bool = False) -> LoadedChecklist:
    """One checklist by id, inside the configured folder only: the version in force on day `on` (refused,
    InputError, when there is none, unless `or_newest`), or without `on` the newest version. Tries `<id>.yaml`
    first, then the files of its other versions as the bundled folder names them (`<id>.2020.yaml`), so a visit does
    not validate the whole folder; only when none of them holds the version sought is every file read. The id is
    checked first: `../x`, `/abs/x` never reach the file system, and a symbolic link in the folder to a file
    elsewhere is refused, not followed."""
    import glob

    check_checklist_id(checklist_id)
    named = [directory / f"{checklist_id}{suffix}" for suffix in (".yaml", ".yml")]
    pattern = glob.escape(checklist_id)
    named += sorted(p for suffix in ("yaml", "yml") for p in directory.glob(f"{pattern}.*.{suffix}"))
    for candidate in named:
        if candidate.is_symlink() and not _inside(candidate, directory):
            raise InputError(_outside_message(candidate, directory))
        if candidate.is_file():
            if len(named) > 1 and not _may_hold(candidate, checklist_id, on):
                continue  # another version, by its header: not read in full (nor its library)
            loaded = load_checklist(candidate)
            checklist = loaded.checklist
            if checklist.id == checklist_id and covers(checklist.valid_from, checklist.valid_to, on):
                return loaded
    everything = load_all(directory)
    versions = by_id(everything).get(checklist_id)
    if not versions:
        from nanxian_cli.core.names import closest_names

        ids = sorted({lc.checklist.id for lc in everything})
        known = ", ".join(ids)
        close = closest_names(checklist_id, ids)
        raise NotFound(tr(f"没有检查表 {checklist_id!r}（现有：{known}）",
                          f"unknown checklist {checklist_id!r} (known: {known})"),
                       [tr(f"最接近的检查表：{', '.join(close)}", f"closest checklists: {', '.join(close)}")] if close
                       else None)
    if on is None:
        return newest(versions)
    found = version_on(versions, on)
    if found is None:
        if or_newest:
            return newest(versions)
        raise _no_version_on(checklist_id, versions, on)
    return found
