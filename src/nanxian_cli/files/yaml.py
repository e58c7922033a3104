"""The only place that reads YAML files: safe loading, exact file:line errors, alias-bomb guard.

`read_yaml` turns a file into plain Python values plus a map from each value's path
(`("items", 3, "max")`) to its line, so pydantic's error locations can be reported as
`path:line: items[3].max: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nanxian_cli.core.words import Said, Words
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
    bad_values: dict[tuple, Said] = field(default_factory=dict)
    """Values kept as their text though they could not be read (`keep_bad_dates`), with what is wrong."""

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
        byte = f"0x{raw[exc.start]:02x}"
        raise ValidationFailed(
            Said(f"{path}：不是 UTF-8 编码", f"{path}: not UTF-8"),
            [Said(f"{path}:{line}:{col}: 字节 {byte} 不是有效的 UTF-8（请把文件另存为 UTF-8）",
                  f"{path}:{line}:{col}: byte {byte} is not valid UTF-8 (save the file as UTF-8)")],
        ) from None


def _TAG_REFUSED(path: Path) -> Said:  # noqa: N802 - reads like the constant it stands for
    return Said(f"{path}：不允许的 YAML 标签", f"{path}: YAML tag not allowed")


def _BAD_KEY(path: Path) -> Said:  # noqa: N802
    return Said(f"{path}：键有误", f"{path}: bad key")


_SYNTAX_ZH = (
    ("did not find expected key", "缺少键（缩进不齐，或少了冒号？）"),
    ("did not find expected ',' or ']'", "缺少 , 或 ]"),
    ("did not find expected ',' or '}'", "缺少 , 或 }"),
    ("did not find expected node content", "缺少内容"),
    ("mapping values are not allowed here", "这里不能写冒号（文字中的冒号请加引号）"),
    ("could not find expected ':'", "缺少冒号"),
    ("found character '\\t' that cannot start any token", "不能用制表符缩进，请用空格"),
    ("found character", "这里有不能出现的字符"),
    ("found undefined alias", "引用了未定义的别名"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合？）"),
    ("found unknown escape character", "未知的转义字符"),
    ("expected alphabetic or numeric character", "别名或锚点中有不允许的字符"),
    ("found duplicate anchor", "锚点重复"),
)


def _syntax_zh(problem: str) -> str:
    """A YAML syntax problem in Chinese (PyYAML words it in English)."""
    for english, chinese in _SYNTAX_ZH:
        if problem.startswith(english):
            return f"YAML 语法错误：{chinese}"
    return "YAML 语法错误"


def _loader_class():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: Path, keep_bad_dates: bool = False) -> Document:
    """Safe-load one YAML document, keeping each value's line. `keep_bad_dates`: a value that looks like a date
    but is none (`2020-11-31`) is kept as its text, for the model to refuse with the file's other problems."""
    import yaml

    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}"
            msg = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
            raise ValidationFailed(Said(f"{path}：YAML 语法错误", f"{path}: YAML syntax error"),
                                   [Said(f"{where}: {_syntax_zh(exc.problem or '')}", f"{where}: {msg}")]) from None
        except yaml.YAMLError as exc:
            raise ValidationFailed(Said(f"{path}：YAML 错误", f"{path}: YAML error"),
                                   [Said(f"{path}: YAML 无法读取", f"{path}: {exc}")]) from None
        if node is None:
            raise ValidationFailed(Said(f"{path}：无法读取", f"{path}: cannot be read"),  # the line below says why
                                   [Said(f"{path}:1: 文件是空的", f"{path}:1: the file is empty")])
        lines: dict[tuple, int] = {}
        numbers_as_written: dict[tuple, str] = {}
        counter = [0]

        def build(n: Any, loc: tuple, depth: int) -> Any:
            counter[0] += 1
            if counter[0] > MAX_NODES or depth > MAX_DEPTH:
                at = f"{path}:{n.start_mark.line + 1}: "
                raise ValidationFailed(
                    Said(f"{path}：文件内容过大", f"{path}: document too large"),
                    [Said(at + f"文件展开后超过 {MAX_NODES} 个值或嵌套超过 {MAX_DEPTH} 层（YAML 别名？）；拒绝读取",
                          at + f"the document expands to more than {MAX_NODES} values "
                          f"or nests deeper than {MAX_DEPTH} (YAML aliases?); refused")],
                )
            lines.setdefault(loc, n.start_mark.line + 1)
            if n.tag not in ALLOWED_TAGS:
                # The node builder below ignores tags on lists and mappings, so a tag that safe loading
                # would reject (`!!python/object/apply:...`, `!!set`, a custom `!tag`) is refused here.
                mark = n.start_mark
                at = f"{path}:{mark.line + 1}:{mark.column + 1}: {format_loc(loc) + ': ' if loc else ''}"
                raise ValidationFailed(
                    _TAG_REFUSED(path),
                    [Said(at + f"不允许使用 YAML 标签 {n.tag!r}（只能用普通值、列表和映射）",
                          at + f"the YAML tag {n.tag!r} is not allowed (plain values, lists and mappings only)")],
                )
            if isinstance(n, yaml.MappingNode):
                result: dict = {}
                for key_node, value_node in n.value:
                    at = f"{path}:{key_node.start_mark.line + 1}: "
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise ValidationFailed(_BAD_KEY(path), [Said(at + "映射的键只能是普通值",
                                                                     at + "mapping keys must be plain values")])
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise ValidationFailed(Said(f"{path}：合并键", f"{path}: merge key"),
                                               [Said(at + "不支持合并键（<<）",
                                                     at + "merge keys (<<) are not supported")])
                    if key_node.tag not in ALLOWED_TAGS:
                        col = f"{path}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}: "
                        raise ValidationFailed(
                            _TAG_REFUSED(path),
                            [Said(col + f"不允许使用 YAML 标签 {key_node.tag!r}（只能用普通值、列表和映射）",
                                  col + f"the YAML tag {key_node.tag!r} is not allowed (plain values, lists and "
                                        "mappings only)")],
                        )
                    key = scalar(key_node, loc)
                    if key is None or isinstance(key, bool):
                        field_at = at + (format_loc(loc) + ": " if loc else "")
                        raise ValidationFailed(
                            _BAD_KEY(path),
                            [Said(field_at + f"YAML 把键 {key_node.value!r} 读成了 {key!r}；请加引号",
                                  field_at + f"YAML reads the key {key_node.value!r} as {key!r}; put it in quotes")],
                        )
                    if isinstance(key, (list, dict)):
                        raise ValidationFailed(_BAD_KEY(path), [Said(at + "键有误", at + "bad key")])
                    if key in result:
                        field_at = at + format_loc(loc + (key,)) + ": "
                        raise ValidationFailed(
                            Said(f"{path}：键重复", f"{path}: duplicate key"),
                            [Said(field_at + f"键 {key!r} 重复", field_at + f"duplicate key {key!r}")],
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
                at = f"{path}:{mark.line + 1}:{mark.column + 1}: {field}"
                raise ValidationFailed(
                    Said(f"{path}：YAML 错误", f"{path}: YAML error"),
                    [Said(at + _syntax_zh(exc.problem or ""), at + f"{exc.problem or exc}")],
                ) from None
            except (ValueError, TypeError, OverflowError) as exc:
                # `date: 2020-13-01` looks like a date to YAML but is none: name the field and the value
                shown = n.value if len(n.value) <= 60 else f"{n.value[:50]}… ({len(n.value)} characters)"
                is_date = n.tag == "tag:yaml.org,2002:timestamp"
                what = "is not a valid date" if is_date else "cannot be read"
                at = f"{path}:{n.start_mark.line + 1}: {field}"
                problem = Said(at + f"{shown} {'不是有效的日期' if is_date else '无法读取'}",
                               at + f"{shown} {what} ({exc})")
                if keep_bad_dates and is_date:
                    bad_values[loc] = problem
                    return n.value
                raise ValidationFailed(Said(f"{path}：YAML 错误", f"{path}: YAML error"), [problem]) from None
            return value

        bad_values: dict[tuple, Said] = {}
        data = build(node, (), 0)
        return Document(path=path, data=data, lines=lines, numbers_as_written=numbers_as_written,
                        bad_values=bad_values)
    finally:
        loader.dispose()


def read_yaml(path: Path, keep_bad_dates: bool = False) -> Document:
    return parse_yaml(decode_text(read_bytes(path), path), path, keep_bad_dates)


# What pydantic's error types mean, in Chinese (the English stays pydantic's own words, as before).
_KIND_ZH = {"boolean": "是/否（true/false）", "integer": "整数", "number": "数字", "string": "文字", "list": "列表",
            "date": "日期 YYYY-MM-DD", "dictionary": "映射（键: 值）", "mapping": "映射（键: 值）"}
_TYPE_KIND = {"bool_type": "boolean", "bool_parsing": "boolean", "int_type": "integer", "int_parsing": "integer",
              "int_from_float": "integer", "float_type": "number", "float_parsing": "number",
              "string_type": "string", "list_type": "list", "date_type": "date", "date_parsing": "date",
              "date_from_datetime_parsing": "date", "date_from_datetime_inexact": "date", "dict_type": "dictionary",
              "model_type": "mapping", "model_attributes_type": "mapping"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def pydantic_zh(err: dict, en: str) -> str:
    """pydantic's error in Chinese, from its type and context."""
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    got = f"，收到 {_shown(given)}" if "input" in err and not isinstance(given, (dict, list)) else ""
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "未知字段（请检查拼写）"
    if kind == "value_error":
        words = getattr(ctx.get("error"), "words", None)
        return words[0] if words else en
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")
        return f"应为 {expected} 之一{got}"
    if en.startswith("expected text, or"):
        return "应为文字，或 {zh: ..., en: ...}"
    if kind in _TYPE_KIND:
        return f"应为{_KIND_ZH[_TYPE_KIND[kind]]}{got}"
    limits = {"string_too_long": ("最多 {} 个字符", "max_length"), "string_too_short": ("至少 {} 个字符", "min_length"),
              "too_long": ("最多 {} 项", "max_length"), "too_short": ("至少 {} 项", "min_length"),
              "greater_than_equal": ("应不小于 {}", "ge"), "less_than_equal": ("应不大于 {}", "le"),
              "greater_than": ("应大于 {}", "gt"), "less_than": ("应小于 {}", "lt")}
    if kind in limits:
        text, key = limits[kind]
        return text.format(ctx.get(key)) + got
    if kind == "finite_number":
        return f"应为有限的数字{got}"
    return en


def _deeper_only(errors: list[dict]) -> list[dict]:
    """Of a union's errors, those about the member the value was written as: a mapping given where text or a
    mapping may stand is not also told it is no number (`answers.x: {value: 1, nots: 2}`: the unknown field only)."""
    def scalar_miss(err: dict) -> bool:
        return err["type"].endswith("_type") and isinstance(err.get("input"), (dict, list))

    kept = []
    for err in errors:
        head = err["loc"][:-1]
        if scalar_miss(err) and any(other is not err and not scalar_miss(other) and other["loc"][:len(head)] == head
                                    and len(other["loc"]) > len(head) for other in errors):
            continue
        kept.append(err)
    return kept


def validation_words(doc: Document, exc: Any, prefix: tuple = (), skip_model_errors: bool = False,
                     members: bool = True, skip: set[tuple] | None = None) -> list[Words]:
    """Turn a pydantic ValidationError into `path:line: loc: message` lines in both languages (the English is
    pydantic's message, the Chinese says the same from the error's type). See `validation_lines`; `members`
    False keeps, of a union's errors, only those of the member the value was written as; errors at a location in
    `skip` are left out."""
    from nanxian_cli.core.words import Words

    out: list[tuple[str, str, str]] = []  # (location, English message, Chinese message)
    errors = exc.errors(include_url=False)
    for err in errors if members else _deeper_only(errors):
        loc = prefix + tuple(p for p in err["loc"] if isinstance(p, (int, str)))
        if skip and loc in skip:  # already told (`skip`: locations the caller reports itself)
            continue
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
        where = f"{doc.path}:{doc.line_of(loc_t)}: {field + ': ' if field else ''}"
        out.append((where, msg, pydantic_zh(err, msg)))
    # unions report the same problem once per member: `a valid boolean`, `a valid integer`, ... become one line
    merged: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for where, msg, zh in out:
        head, sep, kind = msg.partition("Input should be a valid ")
        if sep and not head and "," not in kind:
            merged.setdefault((where, ""), []).append((kind, zh))
        else:
            merged.setdefault((where, msg), []).append(("", zh))
    unique: list[Words] = []
    for (where, msg), kinds in merged.items():
        if msg:
            unique.append(Words(where + kinds[0][1], where + msg))
            continue
        names = [k for k, _ in kinds]
        en = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        zh = "、".join(dict.fromkeys(_KIND_ZH.get(k.split(",")[0], k) for k in names))
        unique.append(Words(where + (kinds[0][1] if len(names) == 1 else f"应为{zh}"),
                            f"{where}Input should be a valid {en}"))
    return unique


def validation_lines(doc: Document, exc: Any, prefix: tuple = (), skip_model_errors: bool = False) -> list[str]:
    """Turn a pydantic ValidationError into `path:line: loc: message` lines (English; `validation_words` gives
    both languages).

    `skip_model_errors` drops whole-item/whole-file rule errors already reported, with exact lines,
    by the raw checks.
    """
    return [Said.of(w) for w in validation_words(doc, exc, prefix, skip_model_errors)]


def canonical_json(data: Any) -> str:
    import json  # lazily: the config file is read through this module on every start-up

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(canonical: str) -> str:
    import hashlib

    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
