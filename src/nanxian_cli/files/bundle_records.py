"""The records of a bundle's records.ndjson: each kind's fields and their types, the check every record passes
(with its line in messages), and the compact JSON text they are written as."""

from __future__ import annotations

import json
import re
from operator import itemgetter
from typing import Any

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr

_STR, _OPT_STR, _INT, _OPT_INT, _BOOL, _ANY, _OPT_BOOL = "str", "str?", "int", "int?", "bool", "any", "bool?"
RECORD_FIELDS: dict[str, dict[str, str]] = {
    "checklist": {"hash": _STR, "content": _STR},
    "school": {"code": _STR, "name": _STR, "town": _STR, "stages": _ANY, "boarding": _BOOL, "canteen": _BOOL,
               "school_bus": _BOOL, "ownership": _STR, "group": _STR, "inclusive": _BOOL},
    "inspector": {"name": _STR, "phone": _OPT_STR},
    "assignment": {"school": _STR, "inspector": _STR, "since": _STR},
    "visit": {"id": _STR, "school": _STR, "checklist": _STR, "checklist_hash": _STR, "date": _STR,
              "inspector": _STR, "source": _STR, "created_at": _STR, "submitted_at": _STR, "device": _STR},
    "revision": {"uid": _STR, "base": _OPT_STR, "visit": _STR, "item": _STR, "value": _ANY, "outcome": _STR,
                 "note": _OPT_STR, "reason": _OPT_STR, "author": _OPT_STR, "device": _STR, "recorded_at": _STR,
                 "fixed_on_site": _BOOL},
    "void": {"visit": _STR, "reason": _STR, "at": _STR, "by": _OPT_STR, "device": _STR},
    "notice": {"uid": _STR, "visit": _STR, "year": _INT, "n": _INT, "number": _STR, "issued_on": _STR,
               "issued_by": _OPT_STR, "device": _STR, "issued_at": _STR},
    "action": {"uid": _STR, "finding": _STR, "opened_by_visit": _OPT_STR, "opened_by_item": _OPT_STR,
               "school": _STR, "point_key": _STR, "action": _STR, "date": _STR, "text": _OPT_STR, "due": _OPT_STR,
               "visit": _OPT_STR, "passed": _OPT_BOOL, "on_site": _BOOL, "author": _OPT_STR, "device": _STR,
               "recorded_at": _STR},
    # A file's description (never where it was taken); the file itself is the member `evidence/<sha256>`.
    "evidence": {"sha256": _STR, "size": _INT, "media_type": _STR, "name": _OPT_STR, "caption": _OPT_STR,
                 "taken_at": _OPT_STR, "added_by": _OPT_STR, "device": _STR, "added_at": _STR},
    # What a file shows: a point of a visit, or a finding action (and the finding it is on).
    "evidence_link": {"sha256": _STR, "visit": _OPT_STR, "item": _OPT_STR, "action": _OPT_STR, "finding": _OPT_STR,
                      "added_by": _OPT_STR, "device": _STR, "added_at": _STR},
}
MAX_TEXT = 20000
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
encode = ENCODER.encode
"""One JSON value as bundle text (compact, UTF-8 kept)."""
_quoted = json.encoder.encode_basestring  # what `encode` gives a str, without its per-call dispatch


def encode_text(value: str | None) -> str:
    """A text or None as `encode` writes it (an export writes millions of these)."""
    return "null" if value is None else _quoted(value)


_CONTENT_MAX = 900_000


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters and lone surrogates (all of them non-printable: a text that `isprintable()` has none)."""
_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "bool": (bool,), "any": (object,)}
_SPECS = {kind: [(name, _TYPES[t.rstrip("?")], t.endswith("?"), t.rstrip("?")) for name, t in fields.items()]
          for kind, fields in RECORD_FIELDS.items()}
_NAMES = {kind: set(fields) | {"kind"} for kind, fields in RECORD_FIELDS.items()}


def _check_text(value: str, where: str, limit: int) -> None:
    if len(value) > limit:
        raise InputError(tr(f"{where}：文本过长（最多 {limit} 个字符）",
                            f"{where}: text too long (at most {limit} characters)"))
    found = _CONTROL.search(value)
    if found is not None:
        o = ord(found.group())
        raise InputError(tr(f"{where}：含有控制字符 U+{o:04X}", f"{where}: contains the control character U+{o:04X}"))


_REVISION_SIZE = len(_NAMES["revision"])
REVISION_TEXT_FIELDS = ("uid", "visit", "item", "outcome", "device", "recorded_at")
REVISION_OPTIONAL_FIELDS = ("base", "note", "reason", "author")
"""With `kind`, `value` and `fixed_on_site`: every field of a revision, each read by the common case of
`check_record` (which, with their number, makes sure there are no others)."""
_REVISION_TEXT = itemgetter(*REVISION_TEXT_FIELDS)
_REVISION_OPTIONAL = itemgetter(*REVISION_OPTIONAL_FIELDS)


def check_record(record: Any, where: str) -> dict:
    """A record's shape: an object with a known `kind`, exactly the fields of that kind, each of its type."""
    if type(record) is dict and len(record) == _REVISION_SIZE and record.get("kind") == "revision":
        # the common case (nearly every line of a bundle), checked without the general loop: its fields are all
        # there (each one read, and no more of them), every text field a short string without control
        # characters (joined once: a value that is not a str, as JSON gives only str for text, stops the join;
        # the joined text is looked at once), the flag a bool
        try:
            texts = [*_REVISION_TEXT(record), *[v for v in _REVISION_OPTIONAL(record) if v is not None]]
            joined = "".join(texts)
            shaped = "value" in record and type(record["fixed_on_site"]) is bool
        except (KeyError, TypeError):
            shaped = False
        if shaped and max(map(len, texts)) <= 200 and (joined.isprintable() or not _CONTROL.search(joined)):
            return record
    if not isinstance(record, dict):
        raise InputError(tr(f"{where}：每行应为一个 JSON 对象", f"{where}: each line must be a JSON object"))
    kind = record.get("kind")
    spec = _SPECS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise InputError(tr(f"{where}：未知的记录类型 {kind!r}", f"{where}: unknown record kind {kind!r}"))
    if record.keys() != _NAMES[kind]:
        extra = sorted(set(record) - _NAMES[kind])
        if extra:
            raise InputError(tr(f"{where}：{kind} 记录不应有字段 {', '.join(extra)}",
                                f"{where}: a {kind} record has no field {', '.join(extra)}"))
    for name, types, optional, shown in spec:
        if name not in record:
            raise InputError(tr(f"{where}：{kind} 记录缺少字段 {name}",
                                f"{where}: {kind} record: field {name} is missing"))
        value = record[name]
        if value is None and optional:
            continue
        if not isinstance(value, types) or (shown == "int" and isinstance(value, bool)):
            at = f"{where}: {kind}.{name}"
            raise InputError(tr(f"{at}：类型不对（应为 {shown}）", f"{at}: wrong type (expected {shown})"))
        if type(value) is str and (len(value) > 200 or _CONTROL.search(value)):
            _check_text(value, f"{where}: {kind}.{name}", _CONTENT_MAX if name == "content" else MAX_TEXT)
    return record


REVISION_HEAD = re.compile(rb'\{"kind":"revision","uid":"([0-9a-f-]{36})","base":(?:null|"[0-9a-f-]{36}"),'
                           rb'"visit":"([0-9a-f-]{36})",')
"""The head of a revision line as nanxian writes it: its uid (group 1) and visit (group 2), read without parsing
the line; it matches no other line. A reader may skip a revision it already holds by these two alone (it would
look at nothing else)."""
