"""The documents a county prints for a school (issue 14, points 3–5; DESIGN.md "Documents for the school"):
the 督导意见书 (`report visit`) in the county's section order, the 整改通知书 (`report notice`) numbered once, and
both printable: A4, GB/T 9704 margins, East Asian fonts named in the styles, columns sized to content, header
rows repeated, the signature block kept together. Everything through the real CLI, parsed back."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from test_output_safety import disk
from visit_helpers import answers_file, rows

CHECKLIST = """\
id: d-visit
version: 1
title: {zh: 责任督学月度检查, en: Monthly visit}
kind: routine
rectify_days: {critical: 7, major: 30, minor: 60}
items:
  - id: d-drill
    text: {zh: 本学期已开展应急疏散演练, en: An evacuation drill was held this term}
    plan: [21]
    type: yesno
    severity: major
  - id: d-tutoring
    text: {zh: 发现在职教师有偿补课, en: Paid tutoring by serving teachers was found}
    plan: [20]
    type: yesno
    expect: no
    severity: major
  - id: d-class
    text: {zh: 最大班额（人）, en: Largest class (pupils)}
    plan: [4]
    type: number
    max: 55
    severity: critical
  - id: d-pe
    text: {zh: 每周体育课课时, en: PE lessons per week}
    plan: [9]
    type: number
    min: 4
    severity: major
  - id: d-homework
    text: {zh: 作业量, en: Homework load}
    plan: [12]
    type: choice
    choices: {light: {zh: 适量, en: Within limits}, heavy: {zh: 过重, en: Too much}}
    pass: [light]
    severity: major
  - id: d-lesson
    text: {zh: 随堂听课质量（1–5分）, en: Quality of the lesson observed (1–5)}
    plan: [11]
    type: rating
    min: 3
    severity: minor
  - id: d-fees
    text: {zh: 收费项目和标准已公示, en: Fees are posted}
    plan: [3]
    type: yesno
    severity: minor
  - id: d-remarks
    text: {zh: 其他情况, en: Other remarks}
    plan: [8]
    type: text
"""
IDS = ("d-drill", "d-tutoring", "d-class", "d-pe", "d-homework", "d-lesson", "d-fees", "d-remarks", "d-visit")

FIRST = {  # five problems
    "d-drill": {"value": "no", "note": "本学期未组织演练"}, "d-tutoring": {"value": "yes", "note": "家长反映周末补课"},
    "d-class": {"value": 58, "note": "初二(3)班58人"}, "d-pe": 3, "d-homework": "heavy", "d-lesson": 4,
    "d-fees": "yes", "d-remarks": "校园整洁",
}
SECOND = {  # the re-check: three fixed, two not
    "d-drill": "yes", "d-tutoring": "no", "d-class": {"value": 57, "note": "仍超员"}, "d-pe": 4,
    "d-homework": "heavy", "d-lesson": 4, "d-fees": "yes", "d-remarks": "—",
}
ALL_PASS = {**SECOND, "d-class": 50, "d-homework": "light"}
HEADINGS = ["一、基本情况", "二、主要成绩", "三、存在问题", "四、整改意见", "五、复查情况"]
CONFIG = """\
inspector = "李明"
[documents]
issuer = "南县人民政府教育督导室"
county = "南县"
notice_prefix = "南督整"
reply_to = "县教育督导室（南洲镇人民路1号）"
"""


def _record(cli, tmp_path, answers, name, **header):
    path = answers_file(tmp_path, answers, name=name, checklist="d-visit", **header)
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["id"]


@pytest.fixture
def county(cli, tmp_path, monkeypatch, schools, supervisors, db_path):
    """NX-001 visited twice (five problems, then a re-check that finds three fixed); one answer of the first
    visit amended; a visit of NX-002 where everything passed."""
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "d-visit.yaml").write_text(CHECKLIST, encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    monkeypatch.setenv("NANXIAN_LANG", "zh")
    first = _record(cli, tmp_path, FIRST, "first.yaml", date="2020-11-02")
    amended = cli("inspect", "amend", first, "d-pe", "2", "--reason", "复核课表", "--note", "复核：实为2节",
                  "--by", "王芳")
    assert amended.exit_code == 0, amended.output
    second = _record(cli, tmp_path, SECOND, "second.yaml", date="2020-12-01")
    clean = _record(cli, tmp_path, ALL_PASS, "clean.yaml", date="2020-12-02", school="NX-002")
    return {"first": first, "second": second, "clean": clean, "db": db_path, "folder": folder}


@pytest.fixture
def configured(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(path))
    return path


def _json(cli, *args):
    result = cli("report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _docx_text(path: Path) -> tuple[list, list[list[str]], str]:
    from docx import Document

    doc = Document(str(path))
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    text = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in cells])
    return doc, cells, text


def _no_ids(text: str) -> None:
    for point in IDS:
        assert point not in text, point


# -- the 督导意见书 ------------------------------------------------------------------------------------------

def test_opinion_docx_is_in_the_county_order_and_in_words(cli, county, configured, tmp_path):
    out = tmp_path / "督导意见书.docx"
    result = cli("report", "visit", county["first"], "-o", out)
    assert result.exit_code == 0, result.output
    doc, cells, text = _docx_text(out)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:2] == ["南县人民政府教育督导室", "南洲实验小学督导意见书"]
    _no_ids(text)
    # 基本情况: the visit, two pairs to a row, how it was checked in one sentence
    assert ["学校", "南洲实验小学（南洲镇）", "督导日期", "2020年11月2日"] in cells
    assert ["责任督学", "李明", "记录号", county["first"][:8]] in cells
    assert any(r[0] == "检查情况" and "逐项检查8项：合格2项，不合格5项" in r[1] for r in cells)
    # 主要成绩: by plan section, not every passed point
    areas = [r for r in cells if len(r) == 5 and r[0][:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert areas == [["一、加强党对教育工作的全面领导", "1", "1", "0", "加强教育系统基层党建工作"],
                     ["二、努力确保教育公平", "1", "0", "1", ""],
                     ["三、培养德智体美劳全面发展的社会主义建设者和接班人", "3", "1", "2", "提高基础教育质量"],
                     ["五、破除制约教育发展的体制机制障碍", "2", "0", "2", ""]]
    assert not any("收费项目和标准已公示" in r for r in cells)  # a passed point is not listed one by one
    # 存在问题: what was found, the standard in words, choice labels, numbers with units, the amended value only
    problems = {r[1]: r for r in cells if len(r) == 6 and r[0].isdigit()}
    assert problems["本学期已开展应急疏散演练"][2:] == ["未达到", "本学期未组织演练", "应达到本条要求", "一般"]
    assert problems["发现在职教师有偿补课"][2:] == ["存在", "家长反映周末补课", "不得存在此情形", "一般"]
    assert problems["最大班额（人）"][2:] == ["58人", "初二(3)班58人", "不超过55人", "严重"]
    assert problems["每周体育课课时"][2:] == ["2节", "复核：实为2节", "不少于4节", "一般"]
    assert problems["作业量"][2:] == ["过重", "", "应为“适量”", "一般"]
    assert "heavy" not in text and "3节" not in text
    # 整改意见: each requirement with its deadline, as the finding stands now (the re-check fixed three)
    asked = {r[1]: r[2] for r in cells if len(r) == 3 and r[0].isdigit()}
    assert asked["最大班额（人）"] == "请于2020年11月9日前完成整改"
    assert "请学校按上述要求和期限完成整改，并将书面整改报告报送县教育督导室（南洲镇人民路1号）。" in paragraphs
    assert asked["本学期已开展应急疏散演练"] == "已于2020年12月1日整改完成，不再要求"
    assert asked["作业量"].startswith("请于2020年12月2日前完成整改")
    # 复查情况: the first visit re-checked nothing
    assert "本次督导没有需要复查的问题" in paragraphs
    # the signature block last, kept together on one page
    signs = [p for p in doc.paragraphs if p.style.name == "NX Signature"]
    assert [p.text for p in signs] == ["责任督学（签字）：__________    学校负责人（签字、盖章）：__________",
                                       "南县人民政府教育督导室", "2020年11月2日"]
    assert doc.paragraphs[-len(signs):] == signs or [p.text for p in doc.paragraphs[-len(signs):]] == [
        p.text for p in signs]
    assert all(p.paragraph_format.keep_with_next is not False for p in signs[:-1])
    assert all(p.style.paragraph_format.keep_together for p in signs)
    assert signs[-1].paragraph_format.keep_with_next is False


def test_opinion_docx_prints_on_a4_with_chinese_fonts_named(cli, county, configured, tmp_path):
    from docx.oxml.ns import qn

    out = tmp_path / "o.docx"
    assert cli("report", "visit", county["first"], "-o", out).exit_code == 0
    doc, _, _ = _docx_text(out)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(getattr(section, f"{s}_margin").mm) for s in ("top", "bottom", "left", "right")] == [37, 35, 28, 26]
    # the East Asian font is named in the styles themselves, theme fonts removed, the language zh-CN
    def east(style_name):
        fonts = doc.styles[style_name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsiaTheme")) is None
        return fonts.get(qn("w:eastAsia"))

    assert (east("Normal"), east("Title"), east("Heading 1"), east("NX Table")) == (
        "仿宋", "方正小标宋简体", "黑体", "宋体")
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    fonts = out.read_bytes()
    import zipfile

    table = zipfile.ZipFile(out).read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in table and fonts
    # tables: the header row repeats on every page, no row splits, columns sized to their content
    problems = next(t for t in doc.tables if t.rows[0].cells[1].text == "问题" and len(t.columns) == 6)
    header = problems.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in problems.rows)
    grid = [int(c.get(qn("w:w"))) for c in problems._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(grid)) > 3 and grid[0] < grid[1]  # 序号 narrow, the point's text wide
    assert sum(grid) / 56.7 == pytest.approx(156, abs=2)  # the text block of GB/T 9704
    # page numbers in the footer
    assert "PAGE" in section.footer._element.xml


def test_opinion_after_the_recheck_reports_each_earlier_finding(cli, county, configured):
    data = _json(cli, "visit", county["second"])
    assert [(r["item"], r["outcome"], r["status"]) for r in data["rechecks"]] == [
        ("d-drill", "resolved", "resolved"), ("d-tutoring", "resolved", "resolved"), ("d-class", "open", "open"),
        ("d-pe", "resolved", "resolved"), ("d-homework", "open", "open")]
    assert [(r["item"], r["relation"], r["status"]) for r in data["rectifications"]] == [
        ("d-class", "recheck", "open"), ("d-homework", "recheck", "open")]
    assert data["rectifications"][0]["requirement"].startswith("已逾期（原定2020年11月9日前整改），请立即整改")
    assert all(r["uid"] for r in data["rectifications"])
    points = {p["item"]: p for p in data["points"]}
    assert (points["d-homework"]["answer"], points["d-homework"]["standard"]) == ("过重", "应为“适量”")
    assert points["d-homework"]["value"] == "heavy"  # the JSON keeps the key
    assert [(a["section"], a["passed"], a["failed"]) for a in data["areas"]] == [(1, 1, 0), (2, 0, 1), (3, 2, 1),
                                                                                  (5, 2, 0)]
    text = cli("report", "visit", county["second"]).stdout
    assert text.index("五、复查情况") < text.index("责任督学（签字）")
    recheck = text[text.index("五、复查情况"):]
    assert re.search(r"本学期已开展应急疏散演练.*已整改", recheck) and re.search(r"最大班额（人）.*仍未整改", recheck)


def test_opinion_html_has_the_same_order_fonts_and_print_rules(cli, county, configured, tmp_path):
    from test_reports_summary import Tables

    out = tmp_path / "o.html"
    assert cli("report", "visit", county["second"], "-o", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert re.findall(r"<h2>(.*?)</h2>", html) == HEADINGS
    _no_ids(re.sub(r"<[^>]+>", " ", html))
    assert "margin: 37mm 26mm 35mm 28mm" in html and "size: A4" in html
    assert '"仿宋", "FangSong"' in html and '"宋体", "SimSun"' in html and '"方正小标宋简体"' in html
    assert "counter(page)" in html
    assert re.search(r"div\.signatures \{[^}]*break-inside: avoid", html)
    assert html.index('<div class="signatures">') > html.index("五、复查情况")
    assert "<thead>" in html and "<colgroup>" in html
    parser = Tables()
    parser.feed(html)
    problems = next(t for t in parser.tables if t[0][:3] == ["序号", "问题", "检查结果"])
    assert ["2", "作业量", "过重", "", "应为“适量”", "一般"] in problems
    widths = re.findall(r'<col width="([\d.]+)%"', html)
    assert len(set(widths)) > 3


def test_opinion_xlsx_keeps_every_point_for_the_analyst(cli, county, configured, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "o.xlsx"
    assert cli("report", "visit", county["first"], "-o", out).exit_code == 0
    wb = load_workbook(out)
    points = list(wb["检查明细"].iter_rows(values_only=True))
    assert len(points) == 1 + 8 and points[0][0] == "检查项"
    basics = wb["基本情况"]
    assert basics.freeze_panes == "A2" and basics["A1"].value == "项目"
    problems = wb["存在问题"]
    assert problems.print_title_rows == "$1:$1" and problems.freeze_panes == "A2"
    assert isinstance(problems["A2"].value, int)


# -- the 整改通知书 ------------------------------------------------------------------------------------------

def _notices(db: Path) -> list[tuple]:
    return rows(db, "SELECT visit_id, year, n, number, issued_on, issued_by FROM notices ORDER BY issued_at")


def test_notice_is_numbered_once_and_reprints_the_same(cli, county, configured, tmp_path):
    out = tmp_path / "整改通知书.docx"
    first = cli("report", "notice", county["first"], "--date", "2020-11-03", "-o", out)
    assert first.exit_code == 0, first.output
    assert "整改通知书编号 南督整〔2020〕1号（2020-11-03）" in first.stderr
    doc, cells, text = _docx_text(out)
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:4] == ["南县人民政府教育督导室", "整改通知书", "南督整〔2020〕1号", "南洲实验小学："]
    assert paragraphs[4].startswith("2020年11月2日，责任督学李明依据《责任督学月度检查》对你校进行了督导检查")
    _no_ids(text)
    problems = {r[1]: r for r in cells if r[0].isdigit()}
    assert problems["最大班额（人）"][2:] == ["58人；初二(3)班58人", "不超过55人", "按期整改到位", "2020-11-09"]
    assert problems["作业量"][2:] == ["过重", "应为“适量”", "按期整改到位", "2020-12-02"]
    assert problems["每周体育课课时"][2] == "2节；复核：实为2节"
    assert len(problems) == 5
    assert any("报送县教育督导室（南洲镇人民路1号）" in p for p in paragraphs)
    signs = [p.text for p in doc.paragraphs if p.style.name == "NX Signature"]
    assert signs[:2] == ["南县人民政府教育督导室（盖章）", "2020年11月3日"]
    assert signs[2].startswith("责任督学（签字）") and signs[3].startswith("学校签收人（签字）")
    # the same number and date on every reprint, in every format; stored once
    again = _json(cli, "notice", county["first"])
    assert (again["number"], again["year"], again["n"], again["issued_on"]) == (
        "南督整〔2020〕1号", 2020, 1, "2020-11-03")
    assert again["issued_by"] == "李明" and again["device"]
    assert [p["item"] for p in again["problems"]] == ["d-class", "d-drill", "d-tutoring", "d-pe", "d-homework"]
    assert "整改通知书编号" not in cli("report", "notice", county["first"], "-o", tmp_path / "n.html").stderr
    assert "南督整〔2020〕1号" in (tmp_path / "n.html").read_text(encoding="utf-8")
    assert _notices(county["db"]) == [(county["first"], 2020, 1, "南督整〔2020〕1号", "2020-11-03", "李明")]
    # the 督导意见书 names the notice that went with it
    opinion = cli("report", "visit", county["first"]).stdout
    assert "整改通知书（南督整〔2020〕1号）已于2020年11月3日另行送达。" in opinion


def test_notice_numbers_count_per_calendar_year(cli, county, configured, tmp_path):
    assert cli("report", "notice", county["second"], "--date", "2020-12-02", "--format", "json").exit_code == 0
    assert cli("report", "notice", county["first"], "--date", "2020-12-03", "--format", "json").exit_code == 0
    late = _record(cli, tmp_path, {**ALL_PASS, "d-drill": "no"}, "late.yaml", date="2021-01-05", school="NX-002")
    assert cli("report", "notice", late, "--date", "2021-01-06", "--format", "json").exit_code == 0
    numbers = [(n[1], n[2], n[3]) for n in _notices(county["db"])]
    assert numbers == [(2020, 1, "南督整〔2020〕1号"), (2020, 2, "南督整〔2020〕2号"), (2021, 1, "南督整〔2021〕1号")]
    assert len({n[2] for n in numbers}) == 3


def test_notice_numbers_stay_in_this_databases_range(cli, county, tmp_path, monkeypatch):
    """A laptop given 101–103 numbers inside them, above any number of the range it holds already (one merged in
    from another database), and refuses to cross into the next range."""
    config = tmp_path / "range.toml"
    config.write_text(CONFIG + "notice_first = 101\nnotice_last = 103\n", encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    conn = sqlite3.connect(county["db"])
    with conn:  # a notice issued on another laptop with an overlapping range, merged in
        conn.execute("INSERT INTO notices VALUES ('other-uid', 'other-visit', 2020, 101, '南督整〔2020〕101号', "
                     "'2020-11-20', '王芳', 'other-device', '2020-11-20T01:00:00+00:00')")
    conn.close()
    assert _json(cli, "notice", county["first"], "--date", "2020-11-03")["number"] == "南督整〔2020〕102号"
    assert _json(cli, "notice", county["second"], "--date", "2020-12-02")["number"] == "南督整〔2020〕103号"
    late = _record(cli, tmp_path, {**ALL_PASS, "d-drill": "no"}, "late.yaml", date="2020-12-10", school="NX-002")
    before, on_disk = _notices(county["db"]), disk(tmp_path)
    refused = cli("report", "notice", late, "--date", "2020-12-11", "-o", tmp_path / "n.docx")
    assert refused.exit_code == 2
    assert "notice numbers 101–103 of 2020 are used up" in refused.stderr or "编号区间 101–103 已用完" in refused.stderr
    assert _notices(county["db"]) == before and disk(tmp_path) == on_disk


def test_a_number_two_databases_both_issued_is_kept_and_reported(cli, county, configured):
    assert _json(cli, "notice", county["first"], "--date", "2020-11-03")["number"] == "南督整〔2020〕1号"
    conn = sqlite3.connect(county["db"])
    with conn:  # the same number from a laptop that was given no range, merged in later
        conn.execute("INSERT INTO notices VALUES ('other-uid', 'other-visit-0000', 2020, 1, '南督整〔2020〕1号', "
                     "'2020-11-05', '王芳', 'other-device-1234', '2020-11-05T01:00:00+00:00')")
    conn.close()
    result = cli("report", "notice", county["first"], "--format", "json")
    assert result.exit_code == 0
    assert "另有一份通知书也在用（督导记录 other-vi" in result.stderr
    assert json.loads(result.stdout)["shared_number"] == [
        {"uid": "other-uid", "visit": "other-visit-0000", "device": "other-device-1234", "issued_on": "2020-11-05"}]
    assert len(_notices(county["db"])) == 2  # both kept, neither renumbered


def test_notice_without_config_leaves_blanks_to_fill(cli, county, tmp_path):
    data = _json(cli, "notice", county["first"], "--date", "2020-11-03")
    assert (data["number"], data["issuer"], data["reply_to"]) == ("〔2020〕1号", None, None)
    text = cli("report", "notice", county["first"]).stdout
    assert "________县教育督导室" in text and "________〔2020〕1号" in text and "报送________________。" in text
    out = tmp_path / "n.docx"
    assert cli("report", "notice", county["first"], "-o", out).exit_code == 0
    doc, _, _ = _docx_text(out)
    assert [p.text for p in doc.paragraphs[:3]] == ["________县教育督导室", "整改通知书", "________〔2020〕1号"]


@pytest.mark.parametrize(("args", "message"), [
    (["{clean}"], "未发现需整改的问题"),
    (["{first}", "--date", "2031-01-01"], "是将来的日期"),
    (["{first}", "--date", "2020-11-01"], "早于督导日期 2020-11-02"),
    (["{first}", "--date", "11/03/2020"], "不是日期（应为 YYYY-MM-DD）"),
    (["{first}", "--by", "赵六"], "赵六"),
    (["{first}", "-o", "{tmp}/n.pdf"], "本命令没有写 .pdf 文件的格式；可选 table、json、markdown、html 或 docx"),
    (["{first}", "-o", "{tmp}/n.xlsx"], "本命令没有写 .xlsx 文件的格式"),
    (["{first}", "-o", "{tmp}/n.csv"], "本命令没有写 .csv 文件的格式"),
    (["deadbeef"], "没有督导记录"),
])
def test_bad_notice_requests_are_refused_and_write_nothing(cli, county, configured, tmp_path, args, message):
    args = [a.format(tmp=tmp_path, **{k: v for k, v in county.items() if isinstance(v, str)}) for a in args]
    before, on_disk = _notices(county["db"]), disk(tmp_path)
    result = cli("report", "notice", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _notices(county["db"]) == before and disk(tmp_path) == on_disk


def test_a_notice_is_refused_for_a_draft_or_a_void_visit(cli, county, configured, tmp_path):
    draft = answers_file(tmp_path, {"d-drill": "no"}, name="draft.yaml", checklist="d-visit", date="2020-12-05",
                         school="NX-003")
    result = cli("inspect", "visit", "--answers", draft, "--format", "json")
    assert result.exit_code == 0, result.output
    draft_id = json.loads(result.stdout)["id"]
    assert cli("inspect", "void", county["second"], "--reason", "录错学校").exit_code == 0
    before = _notices(county["db"])
    for visit, message in ((draft_id, "是草稿"), (county["second"], "已作废")):
        refused = cli("report", "notice", visit)
        assert refused.exit_code == 2 and message in refused.stderr
    assert _notices(county["db"]) == before == []


def test_a_reprint_on_another_date_is_refused(cli, county, configured):
    assert cli("report", "notice", county["first"], "--date", "2020-11-03", "--format", "json").exit_code == 0
    before = _notices(county["db"])
    refused = cli("report", "notice", county["first"], "--date", "2020-11-04")
    assert refused.exit_code == 2
    assert "已于 2020-11-03 发出（南督整〔2020〕1号）；编号和日期不再改变" in refused.stderr
    assert _notices(county["db"]) == before


@pytest.mark.parametrize(("documents", "message"), [
    ("notice_first = 0", "notice_first 应为 1 至 999999 的整数"),
    ("notice_first = 200\nnotice_last = 101", "notice_last（101）小于 notice_first（200）"),
    ("issuer = 3", "documents.issuer 应为带引号的字符串"),
    ("prefix = '南督'", "[documents] 中没有设置项 prefix"),
])
def test_bad_document_settings_are_refused(cli, county, tmp_path, monkeypatch, documents, message):
    config = tmp_path / "bad.toml"
    config.write_text(f"[documents]\n{documents}\n", encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    before = _notices(county["db"])
    for command in ("notice", "visit"):
        result = cli("report", command, county["first"])
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    assert _notices(county["db"]) == before


def test_every_problem_fixed_on_the_spot_needs_no_notice(cli, county, configured):
    """立行立改: a failing answer fixed during the visit counts as a fail and is resolved at once; a visit whose
    every problem was so fixed has nothing to rectify."""
    import datetime as dt

    from nanxian_cli.core.visit import GivenAnswer, prepare_visit
    from nanxian_cli.files.checklist_file import load_checklist
    from nanxian_cli.services.people import find_school
    from nanxian_cli.services.recording import record_visit
    from nanxian_cli.store import open_store

    loaded = load_checklist(county["folder"] / "d-visit.yaml")
    given = {k: GivenAnswer(v if not isinstance(v, dict) else v["value"], None, f"test:{k}")
             for k, v in ALL_PASS.items()}
    given["d-fees"] = GivenAnswer("no", "公示栏当场张贴", "test:d-fees", fixed_on_site=True)
    with open_store(county["db"]) as store:
        visit = prepare_visit(loaded, find_school(store, "NX-004"), dt.date(2020, 12, 3), "李明", given)
        record_visit(store, visit)
    refused = cli("report", "notice", visit.id)
    assert refused.exit_code == 2 and "均已现场整改（立行立改）" in refused.stderr
    data = _json(cli, "visit", visit.id)
    assert [(r["item"], r["fixed_on_site"], r["requirement"]) for r in data["rectifications"]] == [
        ("d-fees", True, "已现场整改（立行立改），请巩固整改成效")]
    assert _notices(county["db"]) == []


def test_notice_formats_are_the_registry_ones():
    from typing import get_args

    from nanxian_cli.cli.options import NoticeFormat
    from nanxian_cli.render.formats import OFFERED

    assert get_args(NoticeFormat) == OFFERED["notice"]


# -- rendered and looked at: LibreOffice to PDF, poppler to text (skipped without them) ------------------

def _soffice():
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_documents_render_to_pdf_on_one_page_with_the_signatures_together(cli, county, configured, tmp_path):
    import shutil
    import subprocess

    files = {}
    for name, args in (("opinion", ["visit", county["first"]]), ("notice", ["notice", county["first"]])):
        for ext in ("docx", "html"):
            files[f"{name}.{ext}"] = tmp_path / f"{name}.{ext}"
            assert cli("report", *args, "-o", files[f"{name}.{ext}"]).exit_code == 0
    profile = tmp_path / "lo-profile"
    for path in files.values():
        flt = ["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export"] if path.suffix == ".html" \
            else ["--convert-to", "pdf"]
        done = subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", *flt,
                               "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
        assert done.returncode == 0, done.stderr
        pdf = path.with_suffix(".pdf")
        assert pdf.exists(), done.stdout
        pdf.rename(tmp_path / f"{path.stem}-{path.suffix[1:]}.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")

    def pages(pdf: Path) -> list[str]:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, timeout=60,
                              check=True).stdout.decode("utf-8")
        return [p for p in text.split("\f") if p.strip()]

    for name in ("opinion", "notice"):
        docx = pages(tmp_path / f"{name}-docx.pdf")
        assert len(docx) == 1, f"{name}: {len(docx)} pages"  # five problems fit one A4 page
        page = docx[0]
        assert "责任督学（签字）" in page and ("学校负责人" in page or "学校签收人" in page)
        assert re.search(r"—\s*1\s*—", page)  # the page number in the footer
        for point in IDS:
            assert point not in page
        html = pages(tmp_path / f"{name}-html.pdf")
        signed = [i for i, p in enumerate(html) if "责任督学（签字）" in p]
        assert len(signed) == 1 and ("学校负责人" in html[signed[0]] or "学校签收人" in html[signed[0]])
    opinion = pages(tmp_path / "opinion-docx.pdf")[0]
    assert [opinion.index(h) for h in HEADINGS] == sorted(opinion.index(h) for h in HEADINGS)
