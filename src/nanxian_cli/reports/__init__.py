"""Report models: each report is computed once into a `Document` (plain dataclasses) and rendered per format.

A `Document` carries the stable JSON contract (`data`, English keys, rates as fractions) and the same
numbers laid out as titled sections of typed columns for the people-facing formats (table, csv,
markdown, html, xlsx, docx). No pydantic, no Rich here: this module is on the fast read path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nanxian_cli.errors import InputError
from nanxian_cli.i18n import tr


@dataclass
class Column:
    key: str
    header: str
    kind: str = "text"  # text | int | rate | number | date | bar
    priority: int = 3  # at narrow widths the table drops columns of the lowest priority first (3 = always kept)
    max_width: int | None = None
    title: str | None = None  # a longer description (HTML tooltip)


@dataclass
class Section:
    key: str  # machine name: xlsx sheet, csv block
    title: str
    columns: list[Column]
    rows: list[dict]
    layout: str = "table"  # table | fields (label/value pairs) | matrix | signatures
    empty: str = ""  # what to say when there are no rows
    sheet: str | None = None  # a short xlsx sheet name (default: the title)


@dataclass
class Document:
    kind: str
    title: str
    meta: list[tuple[str, str]]  # (label, value) lines under the title: period, filters
    sections: list[Section]
    data: dict  # the JSON contract
    csv_sections: list[str] | None = None  # sections written to CSV (default: all)
    landscape: bool = False


def totals_section(rows: list[dict]) -> Section:
    """A report's totals: label/value lines (`{label, value, kind}`), shown as fields, one xlsx sheet."""
    return Section("totals", tr("合计", "Totals"),
                   [Column("label", tr("项目", "item")), Column("value", tr("数值", "value"), "number")],
                   rows, layout="fields")


# -- numbers --------------------------------------------------------------------------------------

def rate(passed: float, failed: float) -> float | None:
    """pass / (pass + fail); None when nothing was checked (the same rule as evaluate.rate)."""
    total = passed + failed
    return None if total == 0 else passed / total


def rounded(value: float | None) -> float | None:
    """Rates in every export carry 4 decimals, so JSON, CSV and XLSX agree number for number."""
    return None if value is None else round(value, 4)


def rates(row: dict) -> None:
    """Add compliance_rate and score (from pass/fail and w_pass/w_fail) to a counts row."""
    row["compliance_rate"] = rounded(rate(row.get("pass") or 0, row.get("fail") or 0))
    row["score"] = rounded(rate(row.get("w_pass") or 0, row.get("w_fail") or 0))


def worst_first(rows: list[dict], key: str = "compliance_rate", tie: str = "key") -> list[dict]:
    """Lowest rate first, rows without a rate last; ties by `tie`."""
    def order(r: dict) -> tuple:
        t = r.get(tie)
        return (r[key] is None, r[key] if r[key] is not None else 0, (0, t, "") if isinstance(t, int) else (1, 0, str(t)))

    return sorted(rows, key=order)


# -- the period ---------------------------------------------------------------------------------

def school_year_start(day: dt.date) -> dt.date:
    """1 September of the school year that contains `day`."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def period(date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The report period. Defaults: --to is today (county time); --from is 1 September of the school year
    that contains --to (a 责任督学's year runs with the school year)."""
    end = date_to or today
    start = date_from or school_year_start(end)
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    return start, end


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def plan_label(titles: dict[int, tuple[str, str]], number: int) -> str:
    pair = titles.get(number)
    if pair is None:
        return tr(f"第{number}项", f"Item {number}")
    return tr(pair[0], pair[1])


FINDING_STATUS_LABELS = {"open": ("未整改", "open"), "resolved": ("已整改", "resolved"),
                         "withdrawn": ("已撤销", "withdrawn")}


def finding_status_label(status: str | None) -> str:
    if status is None:
        return ""
    pair = FINDING_STATUS_LABELS.get(status)
    return tr(pair[0], pair[1]) if pair else status


def severity_label(severity: str | None) -> str:
    from nanxian_cli.core.vocab import SEVERITY_LABELS

    pair = SEVERITY_LABELS.get(severity or "")
    return tr(pair[0], pair[1]) if pair else (severity or "")


def filters_meta(filters: dict[str, Any]) -> list[tuple[str, str]]:
    names = {"town": tr("乡镇", "Town"), "stage": tr("学段", "Stage"), "inspector": tr("责任督学", "Supervisor"),
             "checklist": tr("检查表", "Checklist"), "by": tr("分组", "Grouped by")}
    return [(names.get(k, k), str(v)) for k, v in filters.items() if v is not None]
