"""One registry of output formats (issue 12; DESIGN.md v2 "General"): every command that writes a document picks
its format from `--format`, else from `--output`'s extension; an extension that no format of the command writes
(e.g. `.pdf`) is exit 2 naming the formats, and nothing is written, recorded or delivered.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from test_output_safety import county, disk  # noqa: F401  (the fixture and the helper)
from visit_helpers import FULL, answers_file, counts, record, vdir  # noqa: F401

# Every command that writes a document, and the formats (with the extension of each) it names when it refuses.
COMMANDS = [
    (["checklist", "list"], "table, json or csv (.txt .json .csv)"),
    (["checklist", "show", "t-visit"], "table or json (.txt .json)"),
    (["checklist", "coverage"], "table, json or csv (.txt .json .csv)"),
    (["school", "list"], "table, json or csv (.txt .json .csv)"),
    (["inspector", "list"], "table, json or csv (.txt .json .csv)"),
    (["inspect", "list"], "table, json or csv (.txt .json .csv)"),
    (["inspect", "show", "{visit}"], "table or json (.txt .json)"),
    (["finding", "list"], "table, json or csv (.txt .json .csv)"),
    (["report", "summary"], "table, json, csv, markdown, html, xlsx or docx (.txt .json .csv .md .html .xlsx .docx)"),
    (["report", "matrix"], "table, json, csv, markdown, html, xlsx or docx"),
    (["report", "school", "NX-001"], "table, json, csv, markdown, html, xlsx or docx"),
    (["report", "item", "21"], "table, json, csv, markdown, html, xlsx or docx"),
    (["report", "visit", "{visit}"], "table, json, csv, markdown, html, xlsx or docx"),
    (["report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09"],
     "text, markdown, html or json (.txt .md .html .json)"),
]


def _fill(command: list[str], county: dict) -> list[str]:
    return [part.format(**{k: str(v) for k, v in county.items()}) for part in command]


@pytest.mark.parametrize(("command", "formats"), COMMANDS, ids=lambda c: " ".join(c) if isinstance(c, list) else "")
def test_an_output_extension_no_format_writes_is_refused(cli, county, tmp_path: Path, command, formats):
    before, rows = disk(tmp_path), counts(county["db"])
    out = tmp_path / "report.pdf"
    result = cli(*_fill(command, county), "--output", out)
    assert result.exit_code == 2, result.output
    assert "--output: no format of this command writes .pdf files; choose " + formats in result.stderr
    assert "Traceback" not in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows
    # a format given with --format wins over the extension, as before
    given = cli(*_fill(command, county), "--format", "json", "--output", out)
    assert given.exit_code == 0, given.output
    assert out.read_text(encoding="utf-8").startswith(("{", "["))


@pytest.mark.parametrize(("command", "suffix"), [
    (["school", "list"], ".xlsx"), (["finding", "list"], ".docx"), (["inspect", "show", "{visit}"], ".csv"),
    (["checklist", "show", "t-visit"], ".md"),
    (["report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09"], ".csv"),
])
def test_an_extension_of_another_commands_format_is_refused_too(cli, county, tmp_path: Path, command, suffix):
    before, rows = disk(tmp_path), counts(county["db"])
    result = cli(*_fill(command, county), "--output", tmp_path / f"out{suffix}")
    assert result.exit_code == 2, result.output
    assert f"--output: no format of this command writes {suffix} files; choose " in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows


@pytest.mark.parametrize("suffix", [".pdf", ".csv"])
def test_inspect_visit_refuses_its_output_format_before_recording(cli, county, tmp_path: Path, suffix):
    """The visit is not recorded when its output cannot be written (before: a `.csv` was refused only after the
    visit was recorded, and a `.pdf` got the table)."""
    before, rows = disk(tmp_path), counts(county["db"])
    result = cli("inspect", "visit", "--answers", county["answers"], "--output", tmp_path / f"visit{suffix}")
    assert result.exit_code == 2, result.output
    assert f"--output: no format of this command writes {suffix} files; choose table or json" in result.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows
    interactive = cli("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date",
                      "2020-11-04", "--output", tmp_path / f"visit{suffix}", input="y\n50\ny\nlight\n4\nok\n")
    assert interactive.exit_code == 2, interactive.output
    assert "no format of this command writes" in interactive.stderr
    assert disk(tmp_path) == before and counts(county["db"]) == rows


def test_a_format_the_command_does_not_offer_is_one_message_naming_the_ones_it_does(cli, county, tmp_path: Path):
    result = cli("checklist", "show", "t-visit", "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --format: choose table or json, not 'csv'"
    zh = cli("--lang", "zh", "checklist", "show", "t-visit", "--format", "csv")
    assert zh.exit_code == 2 and "--format：可选 table 或 json，而不是 'csv'" in zh.stderr
    same = cli("school", "show", "NX-001", "--format", "csv")  # the message `school show` always gave
    assert same.exit_code == 2 and same.stderr.strip() == "Error: --format: choose table or json, not 'csv'"
    # a file without an extension gets the command's default format, as before
    plain = cli("checklist", "show", "t-visit", "--output", tmp_path / "checklist")
    assert plain.exit_code == 0, plain.output
    assert "t-visit" in (tmp_path / "checklist").read_text(encoding="utf-8")


def test_the_typer_choices_are_the_registry_formats():
    """`--format` choices come from the one registry (render/formats.py)."""
    from nanxian_cli.cli.options import DigestFormat, DocFormat, TableFormat, VisitFormat
    from nanxian_cli.render.formats import OFFERED

    assert get_args(TableFormat) == OFFERED["listing"]
    assert get_args(VisitFormat) == OFFERED["record"]
    assert get_args(DocFormat) == OFFERED["report"]
    assert get_args(DigestFormat) == OFFERED["digest"]


def test_json_output_is_jsons_own_indented_text():
    """The JSON writer is held to json.dumps(indent=2, ensure_ascii=False, default=str) character for character:
    `--format json` is the machine contract, and a faster writer must not change a byte of it."""
    import datetime as dt
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from nanxian_cli.render import json_text

    scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
               | st.dates() | st.just(Path("a/b.txt")))
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                          | st.dictionaries(st.text(max_size=8) | st.integers() | st.booleans(), inner, max_size=4),
                          max_leaves=30)

    @settings(max_examples=400, deadline=None)
    @given(values)
    def same(value):
        assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"

    same()
    assert json_text({"d": dt.date(2020, 11, 2), "x": [], "y": {}}) == (
        '{\n  "d": "2020-11-02",\n  "x": [],\n  "y": {}\n}\n')


def test_json_and_csv_written_in_pieces_are_the_same_text():
    """A long listing is written out in pieces as it is laid out (never one string): joined, the pieces are the
    JSON writer's text and the CSV writer's text exactly, whatever the cut."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from nanxian_cli.render import csv_pieces, csv_text, json_pieces

    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.tuples(inner, inner)
                          | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=5), max_leaves=40)

    @settings(max_examples=300, deadline=None)
    @given(values, st.integers(1, 12))
    def same(value, size):
        pieces = list(json_pieces(value, size=size))
        assert "".join(pieces) == json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"

    same()
    rows = [[i, f"=x{i}", None, True, [1, 2]] for i in range(10)]
    assert len(list(json_pieces([{"a": i} for i in range(100)], size=8))) > 5  # it does cut
    cut = list(csv_pieces(["n", "f", "none", "b", "l"], rows, size=3))
    assert len(cut) == 4 and "".join(cut) == csv_text(["n", "f", "none", "b", "l"], rows)
    assert cut[0].startswith("\ufeffn,f,none,b,l\r\n0,'=x0,,true,1 2\r\n")
