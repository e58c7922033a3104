"""Reading roster files (YAML, CSV or an Excel/WPS .xlsx workbook) into validated school rows.

Headers (CSV and .xlsx columns, YAML keys) may be written in English or Chinese (代码, 名称, 乡镇, 学段, 寄宿, 食堂,
校车, 性质, 集团, 普惠), and so may the values (幼儿园 小学 初中 高中 中职 特教; 是/否; 公办/民办)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from nanxian_cli.core.vocab import STAGES
from nanxian_cli.core.words import Said
from nanxian_cli.errors import InputError, ValidationFailed
from nanxian_cli.files.inputs import read_bytes
from nanxian_cli.files.yaml import decode_text, format_loc, parse_yaml, pydantic_zh
from nanxian_cli.i18n import tr

MAX_ROW_PROBLEMS = 10
"""Problems listed for one row; the rest are counted."""
ROSTER_FIELDS = ("code", "name", "town", "stages", "boarding", "canteen", "school_bus", "ownership", "group",
                 "inclusive")
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
"""An .xlsx is a zip: refused when its members unpack to more than this (a zip bomb), before it is opened."""
MAX_XLSX_ROWS = 100_000


def _field(header: Any) -> Any:
    """A column header or YAML key: the English field for a Chinese one (`代码` -> `code`), else as written."""
    from nanxian_cli.core.vocab import ROSTER_HEADERS

    if isinstance(header, str):
        text = header.strip()
        return ROSTER_HEADERS.get(text, text)
    return header


def _short(value: Any) -> str:
    """A value quoted in a message, cut to a readable length (a cell may hold a whole page)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}… ({len(str(value))} characters)"


def _csv_problem(exc: csv.Error) -> Said:
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return Said(f"有一个单元格超过 {limit} 个字符；拒绝导入"
                    "（若不该有这么长的单元格，请查找没有闭合的引号：它会让文件其余部分变成一个单元格）",
                    f"a cell is longer than {limit} characters; refused "
                    f"(if no cell should be that long, look for a quote left open: it makes the rest of the file one "
                    f"cell)")
    return Said("无法按 CSV 读取", f"not readable as CSV: {text}")


def _row(where: str, number: int, zh: str, en: str) -> Said:
    """`file:line: row N: message` in both languages."""
    return Said(f"{where}: 第 {number} 条: {zh}", f"{where}: row {number}: {en}")


def _no_schools(path: Path) -> Said:
    return Said(f"{path}：名册是空的", f"{path}: empty roster")


def _invalid(path: Path) -> Said:
    return Said(f"{path}：名册格式有误，未导入任何学校", f"{path}: invalid roster; nothing was imported")


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
            problem = _csv_problem(exc)
            found.append((number + 1, _row(f"{path}:{start}", number + 1, problem.zh, problem)))
            return
        number += 1
        yield number, record


def read_roster(path: Path) -> list[Any]:
    """Validate every row of a roster file; any bad row fails the whole file with every problem listed."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml", ".xlsx"):  # decided before reading: `school import /dev/zero`
        hint = tr("（.xls 请在 Excel/WPS 中另存为 .xlsx）", " (save an .xls as .xlsx in Excel/WPS)") \
            if suffix == ".xls" else ""
        raise InputError(tr(f"{path}：名册应为 .yaml、.yml、.csv 或 .xlsx 文件{hint}",
                            f"{path}: expected a .yaml, .yml or .csv roster file, or an .xlsx workbook{hint}"))
    raw_bytes = read_bytes(path)
    rows: list[tuple[int, str, dict]] = []  # (row number, where, data)
    found: list[tuple[int, str]] = []  # (row number, problem): reported in file order
    if suffix == ".xlsx":
        header, records = _xlsx_rows(raw_bytes, path)
        _check_header(header, path)
        for number, (line, record) in enumerate(records, start=1):
            rows.append((number, f"{path}:{line}", record))
        return _validate_rows(rows, found, path)
    text = decode_text(raw_bytes, path)
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            problem = _csv_problem(exc)
            raise ValidationFailed(_invalid(path), [Said(f"{path}:1: 表头行：{problem.zh}",
                                                         f"{path}:1: header row: {problem}")]) from None
        header = [_field(h) if h else h for h in (fieldnames or [])]
        if not header:
            raise ValidationFailed(_no_schools(path), [Said(f"{path}:1: 没有表头行", f"{path}:1: no header row")])
        # Spreadsheets often save empty columns after the last one: no header and no values is fine.
        blank = {f"\x00column {i + 1}" for i, h in enumerate(header) if not h}
        header = [f"\x00column {i + 1}" if not h else h for i, h in enumerate(header)]
        reader.fieldnames = header
        _check_header(header, path, blank)
        for number, record in _csv_records(reader, path, found):
            if None in record:
                found.append((number, _row(f"{path}:{reader.line_num}", number, "单元格比表头的列多",
                                           "more cells than header columns")))
                continue
            stray = [key for key in blank if (record.pop(key, None) or "").strip()]
            for key in sorted(stray):
                column = key.lstrip(chr(0))
                found.append((number, _row(f"{path}:{reader.line_num}", number,
                                           f"第 {column.split()[-1]} 列有值但没有表头",
                                           f"{column} has a value but no header")))
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
            raise ValidationFailed(Said(f"{path}：名册格式有误", f"{path}: invalid roster"),
                                   [Said(f"{path}:1: 应为学校列表", f"{path}:1: expected a list of schools")])
        for index, record in enumerate(data):
            where = f"{path}:{doc.line_of(base + (index,))}"
            if not isinstance(record, dict):
                found.append((index + 1, _row(where, index + 1, "应为包含 code、name、stages 等的映射",
                                              "expected a mapping with code, name, stages, …")))
                continue
            fields: dict = {}
            origin: dict = {}
            twice = False
            for key, value in record.items():
                name = _field(key)
                if name in fields:
                    both = f"{_short(origin[name])} and {_short(key)}"
                    found.append((index + 1, _row(where, index + 1,
                                                  f"{name}：重复给出（{_short(origin[name])} 和 {_short(key)} "
                                                  "是同一字段）",
                                                  f"{name}: given twice ({both} name the same field)")))
                    twice = True
                origin[name] = key
                # text fields keep what was typed: `code: 0101` stays "0101", `name: 3.10` stays "3.10"
                written = doc.numbers_as_written.get(base + (index, key))
                fields[name] = written if written is not None and name in ("code", "name", "town", "group") else value
            if not twice:
                rows.append((index + 1, where, fields))
    return _validate_rows(rows, found, path)


def _check_header(header: list, path: Path, blank: set | frozenset = frozenset()) -> None:
    """A header row (CSV or .xlsx, Chinese headers already mapped to fields): no repeated, unknown or missing
    column; else every problem is listed and nothing is imported."""
    problems: list[str] = []
    repeated = sorted({h for h in header if header.count(h) > 1 and h not in blank})
    if repeated:
        listed = ", ".join(map(_short, repeated))
        problems.append(Said(f"{path}:1: 列 {listed} 出现了不止一次",
                             f"{path}:1: column(s) {listed} appear more than once"))
    unknown = [h for h in header if h not in ROSTER_FIELDS and h not in blank]
    if unknown:
        listed = ", ".join(map(_short, unknown))
        problems.append(Said(f"{path}:1: 未知的列 {listed}；可用的列：{', '.join(ROSTER_FIELDS)}（或中文表头）",
                             f"{path}:1: unknown column(s) {listed}; expected {', '.join(ROSTER_FIELDS)}"))
    for missing in ("code", "name", "stages"):
        if missing not in header:
            problems.append(Said(f"{path}:1: 缺少列 {missing!r}", f"{path}:1: missing column {missing!r}"))
    if problems:
        raise ValidationFailed(_invalid(path), problems)


def _cell(value: Any) -> Any:
    """A spreadsheet cell as the roster reads it: an empty cell is "", `101.0` is 101, a date is its ISO text."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _xlsx_rows(data: bytes, path: Path) -> tuple[list, list[tuple[int, dict]]]:
    """The header (fields) and the (sheet row, record) of every non-empty data row of a workbook's first sheet."""
    import zipfile

    bad = tr(f"{path}：不是可读的 .xlsx 工作簿", f"{path}: not a readable .xlsx workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed(bad, [Said(f"{path}:1: 不是 .xlsx 工作簿"
                                          "（.xlsx 文件是 zip 压缩包；请把名册另存为 .xlsx、.csv 或 .yaml）",
                                          f"{path}:1: not an .xlsx workbook (an .xlsx file is a zip archive; save the "
                                          f"roster as .xlsx, .csv or .yaml)")]) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValidationFailed(bad, [Said(f"{path}:1: 工作簿解压后有 {unpacked} 字节，"
                                          f"超过 {MAX_XLSX_UNPACKED}；拒绝导入",
                                          f"{path}:1: the workbook unpacks to {unpacked} bytes, more than "
                                          f"{MAX_XLSX_UNPACKED}; refused")])
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook  # noqa: BLE001
        raise ValidationFailed(bad, [Said(f"{path}:1: 不是可读的 .xlsx 工作簿（文件损坏？）",
                                          f"{path}:1: not a readable .xlsx workbook "
                                          f"({type(exc).__name__}: {exc})")]) from None
    try:
        if not book.worksheets:
            raise ValidationFailed(_no_schools(path), [Said(f"{path}:1: 工作簿中没有工作表",
                                                            f"{path}:1: the workbook has no sheet")])
        sheet = book.worksheets[0]
        header: list = []
        records: list[tuple[int, dict]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > MAX_XLSX_ROWS + 1:
                raise ValidationFailed(bad, [Said(f"{path}:{line}: 超过 {MAX_XLSX_ROWS} 行；拒绝导入",
                                                  f"{path}:{line}: more than {MAX_XLSX_ROWS} rows; refused")])
            cells = [_cell(v) for v in values]
            if not header:
                if all(c == "" for c in cells):
                    continue  # blank rows above the header
                header = [_field(str(c)) if c != "" else f"\x00column {i + 1}" for i, c in enumerate(cells)]
                header_line = line
                continue
            if all(str(c).strip() == "" for c in cells):
                continue
            record = {}
            for i, value in enumerate(cells):
                key = header[i] if i < len(header) else f"\x00column {i + 1}"
                if key.startswith("\x00"):
                    if str(value).strip():
                        column = key.lstrip(chr(0))
                        raise ValidationFailed(_invalid(path), [Said(
                            f"{path}:{line}: 第 {column.split()[-1]} 列有值但没有表头（第 {header_line} 行是表头）",
                            f"{path}:{line}: {column} has a value but no header (row {header_line} is the header)")])
                    continue
                record[key] = value
            records.append((line, record))
    finally:
        book.close()
    if not header:
        raise ValidationFailed(_no_schools(path), [Said(f"{path}:1: 没有表头行", f"{path}:1: no header row")])
    blank = {h for h in header if h.startswith("\x00")}
    return [h for h in header if h not in blank], records


def _validate_rows(rows: list[tuple[int, str, dict]], found: list[tuple[int, str]], path: Path) -> list[Any]:
    """Validate each row (number, where, record) as a school; any problem fails the whole file."""
    from pydantic import ValidationError

    from nanxian_cli.core.roster_models import SchoolRow

    valid = []
    seen: dict[str, int] = {}
    for number, where, record in rows:
        # A repeated code is reported even when one of the rows has other problems too.
        raw_code = record.get("code")
        code_key = str(raw_code).strip() if raw_code not in (None, "") else ""
        if code_key:
            if code_key in seen:
                found.append((number, _row(where, number, f"code：{_short(code_key)} 与第 {seen[code_key]} 条重复",
                                           f"code: {_short(code_key)} repeats row {seen[code_key]}")))
            else:
                seen[code_key] = number
        try:
            school = SchoolRow.model_validate(record)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            for err in errors[:MAX_ROW_PROBLEMS]:  # thousands of words in one `stages` cell: a few lines, not pages
                field = format_loc(tuple(p for p in err["loc"] if isinstance(p, (str, int))))
                msg = err["msg"].removeprefix("Value error, ")
                zh = pydantic_zh(err, msg)
                if err["type"] == "missing" or (err["type"] in ("string_too_short", "too_short")
                                                and not err.get("input")):
                    msg, zh = "field required", "缺少必填字段"
                elif err["type"] == "extra_forbidden":
                    msg, zh = "unknown field", "未知字段"
                elif err["type"] == "literal_error" and err["loc"] and err["loc"][0] == "stages":
                    msg = f"unknown stage {_short(err.get('input'))}; expected one of {', '.join(STAGES)}"
                    zh = (f"未知学段 {_short(err.get('input'))}；应为 幼儿园 小学 初中 高中 中职 特教 校外培训机构"
                          "（或对应的英文）")
                found.append((number, _row(where, number, f"{field}：{zh}", f"{field}: {msg}")))
            if len(errors) > MAX_ROW_PROBLEMS:
                more = len(errors) - MAX_ROW_PROBLEMS
                found.append((number, _row(where, number, f"…… 本条另有 {more} 个问题",
                                           f"… and {more} more problem(s) in this row")))
            continue
        valid.append(school)
    problems = [p for _, p in sorted(found, key=lambda pair: pair[0])]
    if problems:
        raise ValidationFailed(tr(f"{path}：{len(problems)} 个问题，未导入任何学校",
                                  f"{path}: {len(problems)} problem(s); nothing was imported"), problems)
    if not valid:
        raise ValidationFailed(Said(f"{path}：没有学校", f"{path}: no schools"),
                               [Said(f"{path}:1: 名册中没有任何学校", f"{path}:1: the roster has no rows")])
    return valid
