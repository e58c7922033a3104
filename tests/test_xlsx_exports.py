"""Spreadsheets an analyst can use (issue 14, point 6): the matrix coloured with a legend, numbers numeric with
percent formats, dates as dates, columns as wide as what they show, a frozen header only where there is one,
print titles and landscape for wide sheets; CSV keeps its BOM (formulas stay neutralised:
tests/test_reports_hostile.py). Through the real CLI, parsed back with openpyxl."""

from __future__ import annotations

import datetime as dt

from test_reports_summary import PERIOD, report_db  # noqa: F401  (shared fixture)


def _book(cli, tmp_path, *args):
    from openpyxl import load_workbook

    out = tmp_path / f"{args[0]}.xlsx"
    result = cli("report", *args, "-o", out)
    assert result.exit_code == 0, result.output
    return load_workbook(out)


def test_matrix_is_coloured_with_a_legend(cli, report_db, tmp_path):
    wb = _book(cli, tmp_path, "matrix", *PERIOD)
    ws = wb["Matrix"]
    ranges = {str(cf.sqref): [r for r in cf.rules] for cf in ws.conditional_formatting}
    (area, rules), = ranges.items()
    assert area == f"D2:X{ws.max_row}"  # the 21 plan-item columns, every school's row
    assert [(r.operator, r.formula, r.dxf.fill.fgColor.rgb[-6:]) for r in rules] == [
        ("greaterThanOrEqual", ["0.9"], "D9F2D9"), ("between", ["0.75", "0.8999999"], "FFF2C2"),
        ("lessThan", ["0.75"], "F8D0D0")]
    rates = [c for row in ws.iter_rows(min_row=2, min_col=4) for c in row if c.value is not None]
    assert rates and all(isinstance(c.value, (int, float)) and c.number_format == "0.0%" for c in rates)
    about = wb["About"]
    legend = {row[1].value: row[0].fill.fgColor.rgb[-6:] for row in about.iter_rows() if row[1].value in (
        "≥ 90%", "75% – 90%", "< 75%")}
    assert legend == {"≥ 90%": "D9F2D9", "75% – 90%": "FFF2C2", "< 75%": "F8D0D0"}
    # 24 columns: printed landscape, fitted to the page width, the header row on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert about.freeze_panes is None  # no header row there, nothing frozen


def test_numbers_are_numbers_and_dates_are_dates(cli, report_db, tmp_path):
    wb = _book(cli, tmp_path, "summary", *PERIOD)
    ws = wb["Rows"]
    header = [c.value for c in ws[1]]
    last, rate, visits = (header.index(h) + 1 for h in ("last visit", "compliance", "visits"))
    cells = [ws.cell(row=r, column=last) for r in range(2, ws.max_row + 1)]
    dated = [c for c in cells if c.value is not None]  # schools not visited in the period have none
    assert len(dated) == 2 and all(isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd" for c in dated)
    assert ws.cell(row=2, column=rate).number_format == "0.0%"
    assert isinstance(ws.cell(row=2, column=visits).value, int)
    unvisited = wb["Unvisited"]
    before = [unvisited.cell(row=r, column=5).value for r in range(2, unvisited.max_row + 1)]
    assert all(v is None or isinstance(v, dt.datetime) for v in before)
    # a rate column is wide enough for 100.0% (the old sheets showed ###)
    from openpyxl.utils import get_column_letter

    assert ws.column_dimensions[get_column_letter(rate)].width >= len("100.0%") + 2
    assert ws.column_dimensions[get_column_letter(last)].width >= len("2020-12-31") + 2
    # a narrow sheet stays portrait
    assert wb["Totals"].page_setup.orientation in (None, "portrait")
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    # the CSV of the same report keeps its BOM (Excel and WPS read Chinese)
    out = tmp_path / "s.csv"
    assert cli("report", "summary", *PERIOD, "-o", out).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_item_report_dates_and_rates(cli, report_db, tmp_path):
    wb = _book(cli, tmp_path, "item", "1", *PERIOD)
    failing = wb["Failing schools"]
    header = [c.value for c in failing[1]]
    date = failing.cell(row=2, column=header.index("date") + 1)
    assert isinstance(date.value, dt.datetime) and date.value.date() == dt.date(2020, 11, 20)
    assert wb["By town"]["F2"].number_format == "0.0%"
