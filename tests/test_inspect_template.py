"""`inspect template` (issue 17 point 18): a blank answers file that `inspect visit --answers` accepts once filled."""

from __future__ import annotations

import json
import re
import stat

import yaml

from visit_helpers import counts, vdir  # noqa: F401

FILLED = {"t-drill": "yes", "t-class": "50", "t-meal": "no", "t-homework": "light", "t-morale": "4",
          "t-remarks": "教室整洁", "t-kg-play": "yes"}


def fill(text: str, answers: dict) -> str:
    """Write each answer after its point's key, as a person filling the template would."""
    return re.sub(r"^(  ([a-z][\w.-]*)):$", lambda m: f"{m.group(1)}: {answers[m.group(2)]}", text, flags=re.M)


def test_template_for_a_school_lists_its_points_and_is_accepted_filled(cli, vdir, db_path, tmp_path):
    result = cli("inspect", "template", "t-visit", "--school", "南洲实验小学", "--date", "2020-11-02")
    assert result.exit_code == 0, result.output
    text = result.stdout
    data = yaml.safe_load(text)
    # the day asked for is the visit's day: filled in (left empty, a later filling-in would record today)
    assert data["school"] == "NX-001" and data["checklist"] == "t-visit" and str(data["date"]) == "2020-11-02"
    # every point that applies to a primary school with a canteen, in order, none answered yet
    assert list(data["answers"]) == ["t-drill", "t-class", "t-meal", "t-homework", "t-morale", "t-remarks"]
    assert set(data["answers"].values()) == {None}
    lines = text.splitlines()
    assert "  # 2. Largest class [critical]" in lines
    assert "  #    answer: a number (passes: ≤ 55)" in lines
    assert "  #    answer: light = Within limits ✓ / heavy = Too much (✓ passes)" in lines
    assert "  #    answer only when t-drill is yes; otherwise recorded as n/a" in lines
    assert "  #    answer: a rating 1–5 / na (passes: ≥ 3)" in lines
    # filled in, it is a visit
    path = tmp_path / "filled.yaml"
    path.write_text(fill(text, FILLED).replace("date:   #", "date: 2020-11-02   #")
                    .replace("inspector:   #", "inspector: 李明   #"), encoding="utf-8")
    recorded = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert recorded.exit_code == 0, recorded.output
    visit = json.loads(recorded.stdout)
    assert visit["status"] == "submitted" and visit["date"] == "2020-11-02" and visit["inspector"] == "李明"
    assert visit["counts"] == {"pass": 4, "fail": 1, "na": 1, "info": 1}  # t-meal fails; t-kg-play is n/a
    assert counts(db_path)["visits"] == 1


def test_template_without_a_school_and_in_chinese(cli, vdir, tmp_path):
    result = cli("--lang", "zh", "inspect", "template", "t-visit")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["school"] is None and len(data["answers"]) == 7
    assert data["date"] is None and "date:   # YYYY-MM-DD；留空为当天" in result.stdout  # no --date: left to fill in
    lines = result.stdout.splitlines()
    assert lines[0] == "# 答案文件：测试检查（t-visit 第 1 版）"
    assert "  # 1. 本学期开展疏散演练 [一般]" in lines
    assert "  #    回答：y 是 / n 否（合格：y）" in lines
    assert "  #    仅适用于：幼儿园" in lines
    # the blank template is an answers file with no answers: a draft once its school is given
    path = tmp_path / "blank.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    draft = cli("inspect", "visit", "NX-001", "--answers", path, "--date", "2020-11-02", "--inspector", "李明",
                "--format", "json")
    assert draft.exit_code == 0, draft.output
    assert json.loads(draft.stdout)["status"] == "draft"


def test_template_to_a_file_and_refusals(cli, vdir, db_path, tmp_path):
    out = tmp_path / "t.yaml"
    result = cli("inspect", "template", "t-visit", "--school", "NX-002", "--output", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["school"] == "NX-002"
    result = cli("inspect", "template", "t-vist")
    assert result.exit_code == 2
    assert "unknown checklist 't-vist'" in result.stderr and "  closest checklists: t-visit" in result.stderr
    result = cli("inspect", "template", "../t-visit")
    assert result.exit_code == 2 and "is not a checklist id" in result.stderr
    result = cli("inspect", "template", "t-visit", "--output", db_path)
    assert result.exit_code == 2
    assert counts(db_path)["visits"] == 0


def test_the_readme_answers_file_example_is_the_templates_own_start(cli, db_path):
    """The README's answers-file example is what `inspect template` writes, with the date, the supervisor and two
    answers filled in: every other line, comments included, is the command's own."""
    from pathlib import Path

    from nanxian_cli.config import bundled_data_dir

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Answers file \(command-line options override the header\):\n\n```yaml\n(.*?)```", readme, re.S)
    assert block, "README answers-file example not found"
    command = re.search(r"`nanxian (--lang en inspect template [^`]+)` writes, with the date", readme)
    assert command, "README does not name the command its example comes from"
    assert cli("school", "import", bundled_data_dir() / "schools.sample.yaml").exit_code == 0
    assert cli("inspector", "add", "李明").exit_code == 0
    result = cli(*command.group(1).split())
    assert result.exit_code == 0, result.output

    def blank(line: str) -> str:
        line = re.sub(r"^(date|inspector):.*?(?=\s+#)", r"\1:", line)
        return re.sub(r"^(  [a-z][\w.-]*):( .*)?$", r"\1:", line)

    shown = block.group(1).splitlines()
    written = result.stdout.splitlines()[:len(shown)]
    assert [blank(line) for line in shown] == [blank(line) for line in written]
    # the supervisor and two answers (the date is the one asked for with --date: the template writes it)
    assert sum(1 for a, b in zip(shown, written, strict=True) if a != b) == 3


def test_a_school_the_checklist_does_not_concern_is_refused_in_words(cli, vdir, db_path, tmp_path):
    """A template for a school the checklist does not concern: exit 2, nothing written; under zh the school's
    stages are said in Chinese, never as the roster's keys."""
    (vdir / "t-kg.yaml").write_text((vdir / "t-visit.yaml").read_text(encoding="utf-8")
                                    .replace("id: t-visit", "id: t-kg", 1)
                                    .replace("kind: routine\n", "kind: routine\napplies_to: {stages: [kindergarten]}\n",
                                             1), encoding="utf-8")
    before = db_path.read_bytes()
    out = tmp_path / "t.yaml"
    result = cli("--lang", "zh", "inspect", "template", "t-kg", "--school", "NX-002", "--output", out)
    assert result.exit_code == 2, result.output
    assert "不适用于" in result.stderr and "（小学、初中）" in result.stderr, result.stderr
    assert "primary" not in result.stderr and "junior" not in result.stderr
    assert not out.exists() and db_path.read_bytes() == before
