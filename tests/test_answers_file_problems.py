"""An answers file with several problems (issue 17 point 7): every problem is listed at once, each with its line and
a message in the user's language; nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from visit_helpers import vdir  # noqa: F401

BROKEN = """\
school: 南州实验小学
checklist: t-visit
date: 2020/11/05
inspector: 李铭
answers:
  t-drill: maybe
  t-class: {value: 50, nots: 初二}
  t-no-such-point: yes
  t-homework: {value: heavy, fixed_on_site: perhaps}
  t-morale: 9
"""


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_every_problem_of_the_file_is_listed_with_its_line(cli, vdir, db_path, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    before = dump(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {path}: 8 problem(s); nothing was written"
    assert lines[1:] == [
        f"  {path}:1: school: no school matches '南州实验小学' (try `nanxian school list`)",
        "    closest schools: NX-001 南洲实验小学",
        f"  {path}:3: date: Input should be a valid date or datetime, invalid date separator, expected `-`",
        f"  {path}:4: inspector: no supervisor named '李铭' is registered; nothing was changed",
        "    closest registered names: 李明",
        "    to register a new one first: nanxian inspector add 李铭",
        f"  {path}:6: answers.t-drill: expected yes or no, got 'maybe'",
        f"  {path}:7: answers.t-class.nots: unknown field (check the spelling)",
        f"  {path}:8: answers.t-no-such-point: unknown point id for checklist 't-visit'",
        f"  {path}:9: answers.t-homework.fixed_on_site: Input should be a valid boolean",
        f"  {path}:10: answers.t-morale: expected a rating 1..5, got 9",
    ], result.stderr
    assert dump(db_path) == before


def test_in_chinese_every_message_is_chinese(cli, vdir, db_path, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(BROKEN.replace("南州实验小学", "NX-001"), encoding="utf-8")
    before = dump(db_path)
    result = cli("--lang", "zh", "inspect", "visit", "--answers", path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"错误: {path}: 7 处问题；未写入任何内容"
    assert f"  {path}:3: date: 应为日期 YYYY-MM-DD，收到 '2020/11/05'" in lines
    assert f"  {path}:7: answers.t-class.nots: 未知字段（请检查拼写）" in lines
    assert f"  {path}:9: answers.t-homework.fixed_on_site: 应为是/否（true/false），收到 'perhaps'" in lines
    assert f"  {path}:6: answers.t-drill: 应回答 是/否（y/n），收到 'maybe'" in lines
    assert "Input should" not in result.stderr and "unknown" not in result.stderr
    assert dump(db_path) == before


def test_a_header_problem_does_not_hide_the_answers(cli, vdir, db_path, tmp_path):
    """Only the date is unreadable: the answers are still judged, and their problems listed with it."""
    path = tmp_path / "answers.yaml"
    path.write_text("school: NX-001\nchecklist: t-visit\ndate: 2020-11-31\ninspector: 李明\n"
                    "answers:\n  t-drill: yes\n  t-class: lots\n", encoding="utf-8")
    before = dump(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {path}: invalid answers file",
        f"  {path}:3: date: 2020-11-31 is not a valid date (day is out of range for month)",
        f"  {path}:7: answers.t-class: expected a number, got 'lots'",
    ]
    assert dump(db_path) == before
    result = cli("--lang", "zh", "inspect", "visit", "--answers", path)
    assert result.stderr.splitlines()[1:] == [f"  {path}:3: date: 2020-11-31 不是有效的日期",
                                              f"  {path}:7: answers.t-class: 应填数字，收到 'lots'"]
    assert dump(db_path) == before


def test_a_broken_checklist_is_listed_with_the_files_other_problems_in_chinese(cli, vdir, db_path, tmp_path):
    (vdir / "t-broken.yaml").write_text("id: t-broken\nversion: 1\ntitle: 坏\nkind: weekly\nitems: []\n",
                                        encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text("school: NX-001\nchecklist: t-broken\ndate: 2020-11-02\ninspector: 李铭\nanswers: {}\n",
                    encoding="utf-8")
    before = dump(db_path)
    result = cli("--lang", "zh", "inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"错误: {path}: 2 处问题；未写入任何内容"
    assert f"    {vdir / 't-broken.yaml'}:4: kind: 应为 'routine'、'special'、'assessment' 之一，收到 'weekly'" in lines
    assert any(line.startswith(f"  {path}:4: inspector: 没有登记名为 '李铭' 的督学") for line in lines)
    assert dump(db_path) == before
