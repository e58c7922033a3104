"""Language and words (issue 17 point 5): every word a person reads is in the chosen language, values have their
words (学段 小学, 性质 公办, 是否, 常规督导), command-line mistakes are said in Chinese, one glossary; and the scan
for English sentences under `--lang zh` (tests/zh_scan.py, run by the `cli` fixture on every refused command)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from visit_helpers import FULL, record, vdir  # noqa: F401
from zh_scan import english_sentences


def fields(text: str) -> dict[str, str]:
    return {parts[0]: " ".join(parts[1:]) for parts in (line.split() for line in text.splitlines()) if parts}


def test_values_have_their_words_in_chinese(cli, vdir, tmp_path):
    shown = fields(cli("--lang", "zh", "school", "show", "NX-002").stdout)
    assert (shown["代码"], shown["学段"], shown["性质"], shown["寄宿"]) == ("NX-002", "小学 初中", "公办", "是")
    out = cli("--lang", "zh", "checklist", "show", "t-visit").stdout
    assert "测试检查  (t-visit v1, 常规督导)" in out
    assert "是否" in out and "数值" in out and "选项" in out and "评分" in out and "yesno" not in out
    assert "常规督导" in cli("--lang", "zh", "checklist", "list").stdout
    record(cli, tmp_path, FULL)
    out = cli("--lang", "zh", "report", "summary", "--stage", "primary", "--from", "2020-09-01",
              "--to", "2020-12-31").stdout
    assert "学段: 小学" in out and "primary" not in out
    assert "学段: 小学" in cli("--lang", "zh", "report", "school", "NX-001", "--from", "2020-09-01",
                              "--to", "2020-12-31").stdout
    # English keeps the keys the options take
    assert fields(cli("school", "show", "NX-002").stdout)["stages"] == "primary junior"


@pytest.mark.parametrize(("args", "said"), [
    (("report", "summary", "--foo"), "错误: 没有选项 --foo（可用：--format、--from、--to）"),
    (("report", "summary", "--format", "pdf"),
     "错误: --format / -f：应为 table | json | csv | markdown | html | xlsx | docx 之一，收到 'pdf'"),
    (("report", "item", "abc"), "错误: N：应为整数，收到 'abc'"),
    (("finding", "list", "--due-within", "99999"), "错误: --due-within：应在 0–3660 之间，收到 99999"),
    (("reprt",), "错误: 没有命令 'reprt'；是否要用：report"),
    (("inspect", "vist"), "错误: 没有命令 'vist'；是否要用：visit、list"),
    (("inspect", "show"), "错误: 缺少参数 VISIT"),
    (("inspect", "discard", "12345678"), "错误: 缺少选项 --reason"),
    (("school", "show", "a", "b"), "错误: 多余的参数：b"),
    (("report", "summary", "--from"), "错误: 选项 --from 需要一个值"),
])
def test_command_line_mistakes_in_chinese(cli, vdir, args, said):
    result = cli("--lang", "zh", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(said), result.stderr
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", result.stderr), result.stderr  # arguments as help names them
    assert english_sentences(result.stderr) == []
    # English keeps Click's own words
    assert cli(*args).exit_code == 2


def test_pydantic_yaml_roster_and_checklist_problems_in_chinese(cli, vdir, tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_text("code,name,stages,ownership\r\n,甲校,primary,public\r\nB-2,乙校,college,公立\r\n",
                      encoding="utf-8")
    result = cli("--lang", "zh", "school", "import", roster)
    assert result.exit_code == 2
    assert f"  {roster}:2: 第 1 条: code：缺少必填字段" in result.stderr.splitlines()
    assert "未知学段 'college'" in result.stderr and "应为 'public'、'private' 之一，收到 '公立'" in result.stderr
    checklist = tmp_path / "cl" / "bad.yaml"
    checklist.parent.mkdir()
    checklist.write_text("id: bad\nversion: 1\ntitle: 坏\nkind: weekly\nitems:\n  - id: a\n    text: 甲\n"
                         "    plan: [22]\n    type: yesno\n    sevrity: major\n  - id: b\n    text: [乙\n",
                         encoding="utf-8")
    result = cli("--lang", "zh", "checklist", "validate", checklist)
    assert result.exit_code == 2 and "YAML 语法错误" in result.stderr and "flow" not in result.stderr
    checklist.write_text("id: bad\nversion: 1\ntitle: 坏\nkind: weekly\nitems:\n  - id: a\n    text: 甲\n"
                         "    plan: [22]\n    type: yesno\n    sevrity: major\n", encoding="utf-8")
    result = cli("--lang", "zh", "checklist", "validate", checklist)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"  {checklist}:4: kind: 应为 'routine'、'special'、'assessment' 之一，收到 'weekly'" in lines
    assert f"  {checklist}:8: items[0].plan[0]: 应不大于 21，收到 22" in lines
    assert f"  {checklist}:10: items[0].sevrity: 未知字段（请检查拼写）" in lines
    assert english_sentences(result.stderr) == []


def test_one_glossary_with_one_word_per_state():
    from nanxian_cli.core.vocab import FINDING_STATUS_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, VISIT_STATUS_LABELS

    text = (Path(__file__).parent.parent / "docs" / "glossary.md").read_text(encoding="utf-8")
    for key, (zh, _) in {**FINDING_STATUS_LABELS, **VISIT_STATUS_LABELS}.items():
        assert any(zh in line and f"`{key}`" in line for line in text.splitlines()), key
    for key, (zh, _) in {**OUTCOME_LABELS, **SEVERITY_LABELS}.items():
        assert zh in text and key in text, key
    assert "合格率" in text and "达标" not in text and "未整改" not in text


SAMPLES = [
    ("错误: --town：没有学校在 '南州镇'", []),
    ("  /tmp/a b/answers.yaml:3: date: 应为日期 YYYY-MM-DD，收到 '2020/11/05'", []),
    ("  最接近的检查表：routine-monthly", []),
    ("  查看用法：nanxian report summary --help", []),
    ("错误: --lang / NANXIAN_LANG: expected zh or en, got 'fr'（应为 zh 或 en）", []),
    ("Error: no school matches 'x'", ["school matches"]),
    ("错误: 1 个问题\n  x.yaml:6: items[0].plan[0]: Input should be less than or equal to 21",
     ["Input should be less than or equal to"]),
    ("Try 'nanxian --help' for help.", ["Try for help"]),
    ("错误: x.nxb：不是完好的 nanxian 数据包（无法读取 zip：File is not a zip file）", ["File is not", "zip file"]),
    ("继续查看：nanxian --db /x/demo.db report summary --from 2020-01-01", []),
]


def test_the_scan_finds_english_sentences_and_refused_commands_have_none(cli, vdir, tmp_path):
    """The scan allows ids, codes, paths and commands to type, and finds English sentences; every refused command
    of the suite goes through it in Chinese (the `cli` fixture), here a few of each command group explicitly."""
    for text, found in SAMPLES:
        assert english_sentences(text) == found, text
    record(cli, tmp_path, FULL)
    for args in (("report", "summary", "--foo"), ("school", "list", "--town", "x"), ("inspector", "remove", "x"),
                 ("inspect", "due", "--month", "13"), ("inspect", "template", "nope"), ("finding", "show", "99"),
                 ("checklist", "show", "nope"), ("report", "item", "22"), ("inspect", "list", "--from", "x")):
        result = cli("--lang", "zh", *args)
        assert result.exit_code == 2, args
        assert english_sentences(result.stderr) == [], (args, result.stderr)


def test_an_amendment_names_the_outcomes_in_chinese(cli, vdir, tmp_path):
    visit = record(cli, tmp_path, dict(FULL, **{"t-class": 60}))
    result = cli("--lang", "zh", "inspect", "amend", visit["id"][:8], "t-class", "50", "--reason", "重新清点")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "t-class：不合格 → 合格（第 2 版）"
