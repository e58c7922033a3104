"""Reading roster files (YAML or CSV) into validated school rows; matching schools by name."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.files.inputs import read_bytes
from nanxian_cli.files.yaml import decode_text, format_loc, parse_yaml
from nanxian_cli.i18n import tr

MAX_ROW_PROBLEMS = 10
"""Problems listed for one row; the rest are counted."""
ROSTER_FIELDS = ("code", "name", "town", "stages", "boarding", "canteen", "school_bus", "ownership", "group")


def _short(value: Any) -> str:
    """A value quoted in a message, cut to a readable length (a cell may hold a whole page)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}… ({len(str(value))} characters)"


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (f"a cell is longer than {csv.field_size_limit()} characters; refused "
                f"(if no cell should be that long, look for a quote left open: it makes the rest of the file one cell)")
    return f"not readable as CSV: {text}"


def _csv_records(reader: csv.DictReader, path: Path, found: list[tuple[int, str]]):
    """(row number, record) for each data row; a row the CSV reader cannot read is reported with its row
    and line, and ends the reading (after a broken row the reader no longer knows where rows start)."""
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            found.append((number + 1, f"{path}:{start}: row {number + 1}: {_csv_problem(exc)}"))
            return
        number += 1
        yield number, record


def read_roster(path: Path) -> list[Any]:
    """Validate every row of a roster file; any bad row fails the whole file with every problem listed."""
    from pydantic import ValidationError

    from nanxian_cli.core.models import SchoolRow

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):  # decided before reading: `school import /dev/zero`
        raise InputError(tr(f"{path}：名册应为 .yaml、.yml 或 .csv 文件",
                            f"{path}: expected a .yaml, .yml or .csv roster file"))
    text = decode_text(read_bytes(path), path)
    rows: list[tuple[int, str, dict]] = []  # (row number, where, data)
    problems: list[str] = []
    found: list[tuple[int, str]] = []  # (row number, problem): reported in file order
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            raise ValidationFailed(tr(f"{path}：名册格式有误，未导入任何学校",
                                      f"{path}: invalid roster; nothing was imported"),
                                   [f"{path}:1: header row: {_csv_problem(exc)}"]) from None
        header = [h.strip() if h else h for h in (fieldnames or [])]
        if not header:
            raise ValidationFailed(f"{path}: empty roster", [f"{path}:1: no header row"])
        # Spreadsheets often save empty columns after the last one: no header and no values is fine.
        blank = {f"\x00column {i + 1}" for i, h in enumerate(header) if not h}
        header = [f"\x00column {i + 1}" if not h else h for i, h in enumerate(header)]
        reader.fieldnames = header
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            problems.append(f"{path}:1: column(s) {', '.join(map(_short, repeated))} appear more than once")
        unknown = [h for h in header if h not in ROSTER_FIELDS and h not in blank]
        if unknown:
            problems.append(f"{path}:1: unknown column(s) {', '.join(map(_short, unknown))}; "
                            f"expected {', '.join(ROSTER_FIELDS)}")
        for missing in ("code", "name", "stages"):
            if missing not in header:
                problems.append(f"{path}:1: missing column {missing!r}")
        if problems:
            raise ValidationFailed(tr(f"{path}：名册格式有误，未导入任何学校",
                                      f"{path}: invalid roster; nothing was imported"), problems)
        for number, record in _csv_records(reader, path, found):
            if None in record:
                found.append((number, f"{path}:{reader.line_num}: row {number}: more cells than header columns"))
                continue
            stray = [key for key in blank if (record.pop(key, None) or "").strip()]
            for key in sorted(stray):
                found.append((number,
                              f"{path}:{reader.line_num}: row {number}: "
                              f"{key.lstrip(chr(0))} has a value but no header"))
            if stray:
                continue
            if all((v or "").strip() == "" for v in record.values()):
                continue
            rows.append((number, f"{path}:{reader.line_num}",
                         {k: (v if v is not None else "") for k, v in record.items()}))
    else:
        doc = parse_yaml(text, path)
        data = doc.data
        if isinstance(data, dict) and isinstance(data.get("schools"), list):
            data, base = data["schools"], ("schools",)
        else:
            base = ()
        if not isinstance(data, list):
            raise ValidationFailed(f"{path}: invalid roster", [f"{path}:1: expected a list of schools"])
        for index, record in enumerate(data):
            where = f"{path}:{doc.line_of(base + (index,))}"
            if not isinstance(record, dict):
                found.append((index + 1, f"{where}: row {index + 1}: expected a mapping with code, name, stages, …"))
                continue
            # text fields keep what was typed: `code: 0101` stays "0101", `name: 3.10` stays "3.10"
            for key in ("code", "name", "town", "group"):
                written = doc.numbers_as_written.get(base + (index, key))
                if written is not None:
                    record = {**record, key: written}
            rows.append((index + 1, where, record))

    valid = []
    seen: dict[str, int] = {}
    for number, where, record in rows:
        # A repeated code is reported even when one of the rows has other problems too.
        raw_code = record.get("code")
        code_key = str(raw_code).strip() if raw_code not in (None, "") else ""
        if code_key:
            if code_key in seen:
                found.append((number, f"{where}: row {number}: code: {_short(code_key)} repeats row {seen[code_key]}"))
            else:
                seen[code_key] = number
        try:
            school = SchoolRow.model_validate(record)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            for err in errors[:MAX_ROW_PROBLEMS]:  # thousands of words in one `stages` cell: a few lines, not pages
                field = format_loc(tuple(p for p in err["loc"] if isinstance(p, (str, int))))
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "missing" or (err["type"] in ("string_too_short", "too_short")
                                                and not err.get("input")):
                    msg = "field required"
                elif err["type"] == "extra_forbidden":
                    msg = "unknown field"
                elif err["type"] == "literal_error" and err["loc"] and err["loc"][0] == "stages":
                    msg = (f"unknown stage {_short(err.get('input'))}; "
                           "expected one of kindergarten, primary, junior, senior, vocational, special")
                found.append((number, f"{where}: row {number}: {field}: {msg}"))
            if len(errors) > MAX_ROW_PROBLEMS:
                found.append((number,
                              f"{where}: row {number}: "
                              f"… and {len(errors) - MAX_ROW_PROBLEMS} more problem(s) in this row"))
            continue
        valid.append(school)
    problems = [p for _, p in sorted(found, key=lambda pair: pair[0])]
    if problems:
        raise ValidationFailed(tr(f"{path}：{len(problems)} 个问题，未导入任何学校",
                                  f"{path}: {len(problems)} problem(s); nothing was imported"), problems)
    if not valid:
        raise ValidationFailed(f"{path}: no schools", [f"{path}:1: the roster has no rows"])
    return valid
