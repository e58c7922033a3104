"""Checklists and the plan: find the files, validate them into models, hash their content.

Format 2 (all optional): a checklist's validity window (`valid_from`/`valid_to`; several versions of one id may
sit side by side, e.g. `routine-monthly.yaml` and `routine-monthly.2020.yaml`, and a visit takes the one in force
on its date), `source`, a point's `standard`, `applies_to.months|inclusive|ownership`, and `ref` to a point of the
shared library `<checklist folder>/library/*.yaml` (a mapping `{points: [item…]}`), resolved here before
validation so that the stored content of a checklist version holds the library point whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanxian_cli.core.answers import RULE_KEYS, TYPES
from nanxian_cli.core.words import Said
from nanxian_cli.errors import InputError, NotFound, ValidationFailed
from nanxian_cli.files.yaml import Document, canonical_json, content_hash, format_loc, read_yaml, validation_lines
from nanxian_cli.i18n import tr

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
    return tr(f"{path}：是指向检查表文件夹 {folder} 之外的符号链接，不读取（请把文件复制进文件夹）",
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


def raw_checklist_problems(doc: Document, key: str = "items") -> list[str]:
    """Cross-field checks on the raw file, so every problem gets its own exact line
    (pydantic stops at the first failing validator of an item). `key`: `items` (a checklist) or `points`
    (a library file)."""
    data = doc.data
    items = data.get(key) if isinstance(data, dict) else None
    problems: list[str] = []

    def say(loc: tuple, msg: str, zh: str) -> None:
        where = f"{doc.path}:{doc.line_of(loc)}: {format_loc(loc)}: "
        problems.append(Said(where + zh, where + msg))

    if key == "items" and isinstance(data, dict):
        start, end = _day(data.get("valid_from")), _day(data.get("valid_to"))
        if start is not None and end is not None and end < start:
            say(("valid_to",), f"{end.isoformat()} is before valid_from {start.isoformat()}",
                f"{end.isoformat()} 早于 valid_from {start.isoformat()}")
    if not isinstance(items, list):
        return problems

    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in seen:
                say((key, i, "id"), f"duplicate item id {item_id!r} (first at {key}[{seen[item_id]}])",
                    f"要点 id {item_id!r} 重复（第一次在 {key}[{seen[item_id]}]）")
            else:
                seen[item_id] = i
        kind = item.get("type")
        if kind in TYPES:
            for rule_key in RULE_KEYS:
                if rule_key in item and rule_key not in TYPES[kind].rule_keys:
                    say((key, i, rule_key), f"`{rule_key}` does not fit type {kind}",
                        f"`{rule_key}` 不适用于类型 {kind}")
            if kind == "choice" and isinstance(item.get("choices"), dict) and isinstance(item.get("pass"), list):
                for j, option in enumerate(item["pass"]):
                    if option not in item["choices"]:
                        say((key, i, "pass", j),
                            f"{option!r} is not among choices ({', '.join(map(str, item['choices']))})",
                            f"{option!r} 不在选项中（{', '.join(map(str, item['choices']))}）")
        when = item.get("when")
        if isinstance(when, dict) and isinstance(when.get("item"), str):
            ref = when["item"]
            if ref not in seen or seen[ref] == i:
                later = any(isinstance(o, dict) and o.get("id") == ref for o in items[i:])
                say((key, i, "when", "item"),
                    f"{ref!r} is {'a later or the same' if later else 'an unknown'} item; "
                    "`when` must name an earlier item",
                    f"{ref!r} {'是本要点或其后的要点' if later else '不是本检查表的要点'}；`when` 只能引用前面的要点")
            elif "equals" in when and isinstance(items[seen[ref]], dict):
                expected = _when_value_problem(items[seen[ref]], when["equals"])
                if expected:
                    say((key, i, "when", "equals"),
                        f"{when['equals']!r} can never be the answer to {ref!r}; expected {expected}",
                        f"{when['equals']!r} 不可能是 {ref!r} 的回答；应为 {_expected_zh(expected)}")
    return problems


_WHAT_ZH = {"checklist": "检查表", "plan": "工作要点文件"}
_EXPECTED_ZH = {"yes or no": "是或否", "a number": "数字", "a rating 1..5": "1–5 的评分", "text": "文字"}


def _expected_zh(expected: str) -> str:
    if expected.startswith("one of "):
        return f"以下之一：{expected[len('one of '):]}"
    return _EXPECTED_ZH.get(expected, expected)


def _invalid(path: Any, what: str) -> Said:
    return Said(f"{path}：{_WHAT_ZH.get(what, what)}有误", f"{path}: invalid {what}")


def _located(where: str, message: Any) -> Said:
    """`where` (file:line: field: ) before a message in both languages (core.words.Words) or in English."""
    if isinstance(message, tuple):
        return Said(where + message[0], where + message[1])
    return Said(where + str(message), where + str(message))


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


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
        what_zh = _WHAT_ZH.get(what, what)
        raise ValidationFailed(Said(f"{doc.path}：不是{what_zh}", f"{doc.path}: not a {what}"),
                               [Said(f"{doc.path}:1: 应为映射（{what_zh}），收到 {type(doc.data).__name__}",
                                     f"{doc.path}:1: expected a mapping (a {what}), got {type(doc.data).__name__}")])
    raw = raw_checklist_problems(doc) if what == "checklist" else []
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        lines = validation_lines(doc, exc, skip_model_errors=bool(raw))
        raise ValidationFailed(_invalid(doc.path, what),
                               _by_line(doc, raw + [line for line in lines if line not in raw])) from None
    if raw:
        raise ValidationFailed(_invalid(doc.path, what), raw)
    return result


# -- the shared point library ---------------------------------------------------------------------------

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


# -- versions of one checklist id ---------------------------------------------------------------------------

def window_text(checklist: Any) -> str:
    """`2021-01-01 – 2020-12-31`-style validity window; `–` alone when the version has none."""
    start = checklist.valid_from.isoformat() if checklist.valid_from else ""
    end = checklist.valid_to.isoformat() if checklist.valid_to else ""
    return f"{start} – {end}".strip() if start or end else "–"


def _overlap(a: Any, b: Any) -> bool:
    low = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    high = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return low <= high


def version_on(versions: list[LoadedChecklist], day: dt.date) -> LoadedChecklist | None:
    """The version in force on `day` (validate_paths refuses overlapping windows, so there is at most one)."""
    for loaded in versions:
        if loaded.checklist.valid_on(day):
            return loaded
    return None


def newest(versions: list[LoadedChecklist]) -> LoadedChecklist:
    """The version that starts last (an open start counts as the earliest)."""
    return max(versions, key=lambda lc: lc.checklist.valid_from or dt.date.min)


def by_id(loaded: list[LoadedChecklist]) -> dict[str, list[LoadedChecklist]]:
    """Checklist id -> its versions, the oldest first."""
    out: dict[str, list[LoadedChecklist]] = {}
    for lc in loaded:
        out.setdefault(lc.checklist.id, []).append(lc)
    for versions in out.values():
        versions.sort(key=lambda lc: lc.checklist.valid_from or dt.date.min)
    return out


def _version_problems(good: list[LoadedChecklist]) -> list[str]:
    """Files sharing a checklist id must be versions of it: distinct `version`s whose windows do not overlap."""
    problems: list[str] = []
    for cid, versions in by_id(good).items():
        for i, later in enumerate(versions):
            for earlier in versions[:i]:
                line = later.header_lines.get("id", 1)
                if _overlap(earlier.checklist, later.checklist):
                    windows = f"{window_text(later.checklist)}、{window_text(earlier.checklist)}"
                    problems.append(Said(
                        f"{later.path}:{line}: id: 检查表 id {cid!r} 也用于 {earlier.path}，且有效期重叠（{windows}）："
                        "请给其中一份换一个 id；若是同一检查表的不同版本，请设置互不重叠的 `valid_from`/`valid_to`",
                        f"{later.path}:{line}: id: checklist id {cid!r} is also used by {earlier.path} and their "
                        f"validity windows overlap ({window_text(later.checklist)} and "
                        f"{window_text(earlier.checklist)}): give one of them another id, or, if they are versions "
                        f"of one checklist, `valid_from`/`valid_to` that do not overlap"))
                elif str(earlier.checklist.version) == str(later.checklist.version):
                    where = f"{later.path}:{later.header_lines.get('version', line)}: version: "
                    problems.append(Said(
                        where + f"检查表 {cid!r} 的第 {later.checklist.version} 版也在 {earlier.path} 中；每个版本要有"
                                "自己的 `version`",
                        where + f"checklist id {cid!r} version {later.checklist.version} is also in {earlier.path}; "
                                "give each version its own `version`"))
    return problems


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


def in_force(loaded: list[LoadedChecklist], day: dt.date) -> list[LoadedChecklist]:
    """The version of each checklist id in force on `day` (ids with none are left out)."""
    chosen = (version_on(versions, day) for versions in by_id(loaded).values())
    return [lc for lc in chosen if lc is not None]


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


class NoVersionOn(InputError):
    """A checklist has no version in force on the visit's date."""


def _no_version_on(checklist_id: str, versions: list[LoadedChecklist], day: dt.date) -> InputError:
    listed = "; ".join(f"{lc.checklist.version}: {window_text(lc.checklist)} ({lc.path.name})" for lc in versions)
    return NoVersionOn(tr(
        f"检查表 {checklist_id} 没有在 {day.isoformat()} 有效的版本（各版本有效期：{listed}）；"
        f"督导记录使用其日期当天有效的版本",
        f"checklist {checklist_id!r} has no version valid on {day.isoformat()} (versions: {listed}); a visit is "
        f"recorded against the version in force on its date",
    ))


def find_checklist(directory: Path, checklist_id: str, on: dt.date | None = None, *,
                   or_newest: bool = False) -> LoadedChecklist:
    """One checklist by id, inside the configured folder only: the version in force on day `on` (refused,
    InputError, when there is none, unless `or_newest`), or without `on` the newest version. Tries `<id>.yaml`
    first so a visit does not validate the whole folder. The id is checked first: `../x`, `/abs/x` never reach the file
    system, and a symbolic link in the folder to a file elsewhere is refused, not followed."""
    check_checklist_id(checklist_id)
    for suffix in (".yaml", ".yml"):
        candidate = directory / f"{checklist_id}{suffix}"
        if candidate.is_symlink() and not _inside(candidate, directory):
            raise InputError(_outside_message(candidate, directory))
        if candidate.is_file():
            loaded = load_checklist(candidate)
            if loaded.checklist.id == checklist_id and (on is None and loaded.checklist.valid_to is None
                                                        or on is not None and loaded.checklist.valid_on(on)):
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


def load_plan(path: Path | None = None) -> Plan:
    from nanxian_cli.config import bundled_data_dir
    from nanxian_cli.core.checklist_models import Plan

    path = path or bundled_data_dir() / "plan-2020.yaml"
    return _validate(read_yaml(path), Plan, "plan")
