"""The only place that reads YAML files: safe loading, exact file:line errors, alias-bomb guard.

`read_yaml` turns a file into plain Python values plus a map from each value's path
(`("items", 3, "max")`) to its line, so pydantic's error locations can be reported as
`path:line: items[3].max: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.errors import ValidationFailed
from nanxian_cli.files.inputs import read_bytes  # the one bounded reader

MAX_NODES = 200_000
"""Values a document may expand to; a YAML alias bomb goes past this long before it costs memory."""
MAX_DEPTH = 64


ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)
"""Tags a nanxian file may use; everything else (python objects, binary, sets, custom tags) is refused."""


@dataclass
class Document:
    path: Path
    data: Any
    lines: dict[tuple, int]
    numbers_as_written: dict[tuple, str] = field(default_factory=dict)
    """The text of each plain scalar YAML read as a number (`0101` is octal 65 to YAML; a school code is not)."""

    def line_of(self, loc: tuple) -> int:
        """The line of the deepest known node on `loc` (1-based)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def format_loc(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def decode_text(raw: bytes, path: Path) -> str:
    """Strict UTF-8 (a BOM is accepted); a bad byte is reported with its line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ValidationFailed(
            f"{path}: not UTF-8",
            [f"{path}:{line}:{col}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 (save the file as UTF-8)"],
        ) from None


def _loader_class():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: Path) -> Document:
    """Safe-load one YAML document, keeping each value's line."""
    import yaml

    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}"
            msg = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
            raise ValidationFailed(f"{path}: YAML syntax error", [f"{where}: {msg}"]) from None
        except yaml.YAMLError as exc:
            raise ValidationFailed(f"{path}: YAML error", [f"{path}: {exc}"]) from None
        if node is None:
            raise ValidationFailed(f"{path}: empty file", [f"{path}:1: the file is empty"])
        lines: dict[tuple, int] = {}
        numbers_as_written: dict[tuple, str] = {}
        counter = [0]

        def build(n: Any, loc: tuple, depth: int) -> Any:
            counter[0] += 1
            if counter[0] > MAX_NODES or depth > MAX_DEPTH:
                raise ValidationFailed(
                    f"{path}: document too large",
                    [f"{path}:{n.start_mark.line + 1}: the document expands to more than {MAX_NODES} values "
                     f"or nests deeper than {MAX_DEPTH} (YAML aliases?); refused"],
                )
            lines.setdefault(loc, n.start_mark.line + 1)
            if n.tag not in ALLOWED_TAGS:
                # The node builder below ignores tags on lists and mappings, so a tag that safe loading
                # would reject (`!!python/object/apply:...`, `!!set`, a custom `!tag`) is refused here.
                mark = n.start_mark
                raise ValidationFailed(
                    f"{path}: YAML tag not allowed",
                    [f"{path}:{mark.line + 1}:{mark.column + 1}: {format_loc(loc) + ': ' if loc else ''}"
                     f"the YAML tag {n.tag!r} is not allowed (plain values, lists and mappings only)"],
                )
            if isinstance(n, yaml.MappingNode):
                result: dict = {}
                for key_node, value_node in n.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise ValidationFailed(f"{path}: bad key",
                                               [f"{path}:{key_node.start_mark.line + 1}: "
                                                "mapping keys must be plain values"])
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise ValidationFailed(f"{path}: merge key",
                                               [f"{path}:{key_node.start_mark.line + 1}: "
                                                "merge keys (<<) are not supported"])
                    if key_node.tag not in ALLOWED_TAGS:
                        raise ValidationFailed(
                            f"{path}: YAML tag not allowed",
                            [f"{path}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: "
                             f"the YAML tag {key_node.tag!r} is not allowed (plain values, lists and mappings only)"],
                        )
                    key = scalar(key_node, loc)
                    if key is None or isinstance(key, bool):
                        raise ValidationFailed(
                            f"{path}: bad key",
                            [f"{path}:{key_node.start_mark.line + 1}: {format_loc(loc) + ': ' if loc else ''}"
                             f"YAML reads the key {key_node.value!r} as {key!r}; put it in quotes"],
                        )
                    if isinstance(key, (list, dict)):
                        raise ValidationFailed(f"{path}: bad key", [f"{path}:{key_node.start_mark.line + 1}: bad key"])
                    if key in result:
                        raise ValidationFailed(
                            f"{path}: duplicate key",
                            [f"{path}:{key_node.start_mark.line + 1}: {format_loc(loc + (key,))}: "
                             f"duplicate key {key!r}"],
                        )
                    lines[loc + (key,)] = value_node.start_mark.line + 1
                    result[key] = build(value_node, loc + (key,), depth + 1)
                return result
            if isinstance(n, yaml.SequenceNode):
                return [build(child, loc + (i,), depth + 1) for i, child in enumerate(n.value)]
            value = scalar(n, loc)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not n.style:  # plain (C loader: "")
                numbers_as_written[loc] = n.value
            return value

        def scalar(n: Any, loc: tuple = ()) -> Any:
            field = f"{format_loc(loc)}: " if loc else ""
            try:
                value = loader.construct_object(n, deep=True)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or n.start_mark
                raise ValidationFailed(
                    f"{path}: YAML error",
                    [f"{path}:{mark.line + 1}:{mark.column + 1}: {field}{exc.problem or exc}"],
                ) from None
            except (ValueError, TypeError, OverflowError) as exc:
                # `date: 2020-13-01` looks like a date to YAML but is none: name the field and the value
                shown = n.value if len(n.value) <= 60 else f"{n.value[:50]}… ({len(n.value)} characters)"
                what = "is not a valid date" if n.tag == "tag:yaml.org,2002:timestamp" else "cannot be read"
                raise ValidationFailed(
                    f"{path}: YAML error", [f"{path}:{n.start_mark.line + 1}: {field}{shown} {what} ({exc})"],
                ) from None
            return value

        data = build(node, (), 0)
        return Document(path=path, data=data, lines=lines, numbers_as_written=numbers_as_written)
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Document:
    return parse_yaml(decode_text(read_bytes(path), path), path)


def validation_lines(doc: Document, exc: Any, prefix: tuple = (), skip_model_errors: bool = False) -> list[str]:
    """Turn a pydantic ValidationError into `path:line: loc: message` lines.

    `skip_model_errors` drops whole-item/whole-file rule errors already reported, with exact lines,
    by the raw checks.
    """
    out: list[str] = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if isinstance(p, (int, str)))
        if skip_model_errors and err["type"] == "value_error" and (len(loc) <= 2):
            continue
        # pydantic adds type names for unions/tagged values (`bool`, `function-after[...]`); drop what is not in
        # the file
        clean: list = []
        for part in loc:
            trial = tuple(clean) + (part,)
            if trial in doc.lines or isinstance(part, int) or not clean and part in (doc.data or {}):
                clean.append(part)
            elif isinstance(part, str) and not any(c in part for c in "[]()") and part not in (
                "bool", "int", "float", "str", "LocalText", "AnswerEntry", "list", "dict",
            ):
                clean.append(part)
        loc_t = tuple(clean)
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            msg = "field required"
        if msg.startswith("Input should be a valid dictionary or instance of "):
            kind = msg.rsplit(" ", 1)[-1]
            msg = "expected text, or {zh: ..., en: ...}" if kind == "LocalText" else "expected a mapping (key: value)"
        field = format_loc(loc_t)
        out.append(f"{doc.path}:{doc.line_of(loc_t)}: {field + ': ' if field else ''}{msg}")
    # unions report the same problem once per member: `a valid boolean`, `a valid integer`, ... become one line
    merged: dict[str, list[str]] = {}
    for line in out:
        head, sep, kind = line.partition(": Input should be a valid ")
        if sep and "," not in kind:
            merged.setdefault(head, []).append(kind)
        else:
            merged.setdefault(line, [])
    unique = []
    for head, kinds in merged.items():
        if not kinds:
            unique.append(head)
        elif len(kinds) == 1:
            unique.append(f"{head}: Input should be a valid {kinds[0]}")
        else:
            unique.append(f"{head}: Input should be a valid {', '.join(kinds[:-1])} or {kinds[-1]}")
    return unique


def canonical_json(data: Any) -> str:
    import json  # lazily: the config file is read through this module on every start-up

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(canonical: str) -> str:
    import hashlib

    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
