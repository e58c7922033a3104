"""Checklist format 2 through the real CLI: validity windows and versions side by side, `source`, `standard`,
`applies_to.months|inclusive`, `ref` to the shared point library (one finding per library point), the linter."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest

HEAD = """\
id: {id}
version: {version}
title: {{zh: 测试, en: Test}}
kind: routine
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def doc(checklist_id: str, version: int, body: str) -> str:
    """A checklist file: the header lines 1-4, then `body` (dedented)."""
    return HEAD.format(id=checklist_id, version=version) + textwrap.dedent(body)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def dump(db: Path) -> list[str]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def answers(tmp_path: Path, checklist: str, date: str, given: dict, school: str = "NX-001",
            name: str = "answers.yaml") -> Path:
    doc = {"school": school, "checklist": checklist, "date": date, "inspector": "李明", "answers": given}
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def visit(cli, path: Path) -> dict:
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


LIBRARY = """\
points:
  - id: lib-gate
    text: {zh: 上下学时段校门有人值守, en: The gate is guarded at school start and end}
    guidance: {zh: 现场查看，查值班记录, en: Look; read the duty log}
    plan: [21]
    type: yesno
    severity: major
    standard: {zh: 上下学时段至少1名保安值守, en: at least 1 guard at start and end of school}
    source:
      - {title: 中小学幼儿园安全管理办法, number: 教育部令第23号, year: 2006}
  - id: lib-sample
    text: {zh: 食品留样不少于125克、冷藏48小时, en: Food samples of 125 g kept 48 h}
    plan: [21]
    type: yesno
    severity: critical
    standard: 每样≥125克，≥48小时
"""


# -- the loader: new fields ---------------------------------------------------------------------------------

def test_v2_fields_are_read_and_shown(cli, tmp_path: Path, db_path: Path):
    folder = tmp_path / "cl"
    write(folder, "v2.yaml", doc("v2", 2, """\
        valid_from: 2021-01-01
        valid_to: 2030-12-31
        source:
          - {title: 《中小学校责任督学挂牌督导办法》, number: 国教督办〔2013〕2号, year: 2013}
        items:
          - id: v2-swim
            text: {zh: 开展防溺水“六不”教育并有记录, en: Drowning-prevention lessons are held and logged}
            plan: [21]
            type: yesno
            severity: critical
            applies_to: {months: [4, 5, 6, 7, 8, 9]}
            standard: {zh: 每学期不少于2次, en: at least twice a term}
            source: [{title: 湖南省中小学生防溺水工作规定, year: 2024}]
          - id: v2-kg
            text: {zh: 普惠性幼儿园收费按标准公示, en: Fees of an inclusive kindergarten are published}
            plan: [5]
            type: yesno
            applies_to: {stages: [kindergarten], inclusive: true}
            standard: 收费标准在园门口公示
        """))
    result = cli("--checklists", folder, "checklist", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 1 checklist(s), 2 point(s)"
    assert result.stderr == ""  # every point names its standard and a record: no warning

    data = json.loads(cli("--checklists", folder, "checklist", "show", "v2", "--format", "json").stdout)
    assert data["valid_from"] == "2021-01-01" and data["valid_to"] == "2030-12-31"
    assert data["source"] == [{"title": "《中小学校责任督学挂牌督导办法》", "number": "国教督办〔2013〕2号",
                               "year": 2013}]
    swim, kg = data["items"]
    assert swim["standard"] == {"zh": "每学期不少于2次", "en": "at least twice a term"}
    assert swim["source"] == [{"title": "湖南省中小学生防溺水工作规定", "year": 2024}]
    assert swim["applies_to"]["months"] == [4, 5, 6, 7, 8, 9]
    assert swim["ref"] is None
    assert kg["applies_to"]["inclusive"] is True
    assert kg["standard"] == {"zh": "收费标准在园门口公示", "en": "收费标准在园门口公示"}

    table = cli("--checklists", folder, "--lang", "zh", "checklist", "show", "v2")
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "《中小学校责任督学挂牌督导办法》 国教督办〔2013〕2号 (2013)" in out
    assert "标准: 每学期不少于2次" in out
    assert "《湖南省中小学生防溺水工作规定》 (2024)" in out
    assert "有效期: 2021-01-01 – 2030-12-31" in out
    assert not db_path.exists()


def test_old_file_keeps_its_hash_and_shows_null_v2_keys(cli, tmp_path: Path):
    folder = tmp_path / "cl"
    write(folder, "old.yaml", doc("old", 1, """\
        items:
          - {id: old-1, text: 本学期开展演练并有记录, plan: [21], type: yesno}
        """))
    data = json.loads(cli("--checklists", folder, "checklist", "show", "old", "--format", "json").stdout)
    # the content hash of a format-1 file is what nanxian computed before format 2 (old visits keep theirs)
    assert data["hash"] == "ab848352e2f40d8c5ed307dd5bfdf56990bc514b1a3701aabeeff9bd9227586d"
    assert (data["valid_from"], data["valid_to"], data["source"]) == (None, None, None)
    assert (data["items"][0]["standard"], data["items"][0]["source"], data["items"][0]["ref"]) == (None, None, None)


@pytest.mark.parametrize(("body", "line", "message"), [
    ("valid_from: 2021-01-01\nvalid_to: 2020-12-31\n" + "items:\n  - {id: a, text: t, plan: [1], type: yesno}\n",
     6, "valid_to: 2020-12-31 is before valid_from 2021-01-01"),
    ("valid_from: 2021\nitems:\n  - {id: a, text: t, plan: [1], type: yesno}\n",
     5, "valid_from: expected a date YYYY-MM-DD, got 2021"),
    ("items:\n  - {id: a, text: t, plan: [1], type: yesno, applies_to: {months: [0, 4]}}\n",
     6, "items[0].applies_to.months[0]: Input should be greater than or equal to 1"),
    ("items:\n  - id: a\n    text: t\n    plan: [1]\n    type: yesno\n    applies_to: {months: [4, 13]}\n",
     10, "items[0].applies_to.months[1]: Input should be less than or equal to 12"),
    ("source:\n  - {title: 某办法}\nitems:\n  - {id: a, text: t, plan: [1], type: yesno}\n",
     6, "source[0].year: field required"),
    ("items:\n  - {id: a, text: t, plan: [1], type: yesno, standard: {zh: 标准}}\n",
     6, "items[0].standard.en: field required"),
])
def test_bad_v2_fields_exit_2_with_file_and_line(cli, tmp_path: Path, db_path: Path, body: str, line: int,
                                                  message: str):
    folder = tmp_path / "cl"
    path = write(folder, "bad.yaml", HEAD.format(id="bad", version=1) + body)
    before = snapshot(folder)
    result = cli("checklist", "validate", path)
    assert result.exit_code == 2
    assert f"{path}:{line}: {message}" in result.stderr, result.stderr
    assert snapshot(folder) == before and not db_path.exists()


# -- the shared point library ---------------------------------------------------------------------------

def library_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cl"
    write(folder / "library", "safety.yaml", LIBRARY)
    write(folder, "a.yaml", doc("a", 1, """\
        items:
          - ref: lib-gate
            severity: critical
            plan: [20, 21]
          - {id: a-own, text: 本校自查记录齐全, plan: [21], type: yesno, standard: 记录齐全}
        """))
    write(folder, "b.yaml", doc("b", 1, """\
        items:
          - {ref: lib-gate}
          - {ref: lib-sample, applies_to: {requires: [canteen]}}
        """))
    return folder


def test_ref_takes_the_library_point_with_its_overrides(cli, tmp_path: Path):
    folder = library_folder(tmp_path)
    result = cli("--checklists", folder, "checklist", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 2 checklist(s), 4 point(s)"
    a = json.loads(cli("--checklists", folder, "checklist", "show", "a", "--format", "json").stdout)
    gate = a["items"][0]
    assert gate["id"] == "lib-gate" and gate["ref"] == "lib-gate"
    assert gate["text"] == {"zh": "上下学时段校门有人值守", "en": "The gate is guarded at school start and end"}
    assert gate["severity"] == "critical" and gate["plan"] == [20, 21]  # overridden
    assert gate["standard"]["zh"] == "上下学时段至少1名保安值守"  # from the library
    b = json.loads(cli("--checklists", folder, "checklist", "show", "b", "--format", "json").stdout)
    assert b["items"][0]["severity"] == "major" and b["items"][0]["plan"] == [21]
    assert b["items"][1]["applies_to"] == {"stages": [], "requires": ["canteen"]}
    table = cli("--checklists", folder, "checklist", "show", "b")
    assert "library point: lib-gate" in table.stdout


@pytest.mark.parametrize(("item", "line", "message"), [
    ("  - {ref: lib-nope}\n", 6, "items[0].ref: unknown library point 'lib-nope' (in {lib}: lib-gate, lib-sample)"),
    ("  - ref: lib-gate\n    text: 改过的文字\n", 7,
     "items[0].text: a `ref` point takes library point 'lib-gate' whole; only severity, weight, applies_to, when, plan "
     "may be set beside `ref`"),
    ("  - {ref: lib-gate, id: my-gate}\n", 6, "items[0].id: a `ref` point takes library point 'lib-gate' whole"),
    ("  - {ref: lib-gate, expect: no}\n", 6, "items[0].expect: a `ref` point takes library point 'lib-gate' whole"),
    ("  - {ref: ../lib-gate}\n", 6, "items[0].ref: expected the id of a library point"),
    ("  - {ref: lib-gate, severity: fatal}\n", 6, "items[0].severity: Input should be 'critical', 'major' or 'minor'"),
    ("  - {id: lib-gate, text: t, plan: [1], type: yesno}\n", 6,
     "items[0].id: item id 'lib-gate' is a library point ({lib}/safety.yaml:2); write `ref: lib-gate` to use it"),
])
def test_bad_ref_exit_2_naming_file_and_line(cli, tmp_path: Path, db_path: Path, item: str, line: int, message: str):
    folder = library_folder(tmp_path)
    path = write(folder, "c.yaml", HEAD.format(id="c", version=1) + "items:\n" + item)
    before = snapshot(folder)
    result = cli("--checklists", folder, "checklist", "validate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "Error: 1 problem(s) found", result.stderr
    assert f"{path}:{line}: {message.format(lib=folder / 'library')}" in result.stderr, result.stderr
    assert snapshot(folder) == before and not db_path.exists()


def test_bad_library_files_exit_2(cli, tmp_path: Path, db_path: Path):
    folder = library_folder(tmp_path)
    extra = write(folder / "library", "more.yaml", """\
        points:
          - {id: lib-gate, text: 重复, plan: [21], type: yesno, standard: s}
          - {id: lib-when, text: t, plan: [21], type: yesno, when: {item: x, equals: yes}}
          - {id: lib-bad, text: t, plan: [21], type: number}
        title: 不该有
        """)
    before = snapshot(folder)
    result = cli("--checklists", folder, "checklist", "validate")
    assert result.exit_code == 2
    err = result.stderr
    # library files are read in name order: more.yaml before safety.yaml
    assert (f"{folder / 'library' / 'safety.yaml'}:2: points[0].id: library point id 'lib-gate' is also defined in "
            f"{extra}:2") in err
    assert f"{extra}:3: points[1].when: skip logic names a point of a checklist" in err
    assert f"{extra}:4: points[2]: a number point needs `min` and/or `max`" in err
    assert f"{extra}:5: title: unknown field (a library file holds `points:` only)" in err
    assert snapshot(folder) == before and not db_path.exists()


def test_a_library_file_is_validated_in_its_folder_only(cli, tmp_path: Path):
    folder = library_folder(tmp_path)
    lib = folder / "library" / "safety.yaml"
    result = cli("checklist", "validate", lib)  # named on its own: its library is checked
    assert result.exit_code == 0, result.output
    stray = write(folder, "points.yaml", LIBRARY)  # beside the checklists, where `ref` does not look
    result = cli("checklist", "validate", folder)
    assert result.exit_code == 2
    assert f"{stray}:1: a library file (`points:`) belongs in the `library/` folder" in result.stderr
    result = cli("--checklists", folder, "checklist", "show", "a", "--format", "json")
    assert result.exit_code == 0  # `a.yaml` is read directly, as before
    result = cli("--checklists", folder, "checklist", "list")  # the whole folder is validated
    assert result.exit_code == 2 and "belongs in the `library/` folder" in result.stderr


def test_a_breach_seen_with_two_checklists_is_one_finding(cli, tmp_path: Path, schools, supervisors, monkeypatch):
    folder = library_folder(tmp_path)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    first = visit(cli, answers(tmp_path, "a", "2020-11-02", {"lib-gate": "no", "a-own": "yes"}))
    assert [f["item"] for f in first["findings"]] == ["lib-gate"]
    assert first["findings"][0]["severity"] == "critical"  # checklist a's override
    # checklist b, a week later: the same library point fails again -> a re-check of the same finding
    second = visit(cli, answers(tmp_path, "b", "2020-11-09", {"lib-gate": "no", "lib-sample": "yes"}, name="b1.yaml"))
    listed = json.loads(cli("finding", "list", "--format", "json").stdout)
    assert len(listed) == 1
    assert listed[0]["uid"] == first["findings"][0]["uid"] and listed[0]["status"] == "open"
    assert listed[0]["recheck_count"] == 1 and listed[0]["last_recheck"] == "2020-11-09"
    assert [f["uid"] for f in second["findings"]] == [listed[0]["uid"]]  # shown as re-checked by the b visit
    # a pass with checklist b resolves the finding opened with checklist a
    visit(cli, answers(tmp_path, "b", "2020-11-20", {"lib-gate": "yes", "lib-sample": "yes"}, name="b2.yaml"))
    every = json.loads(cli("finding", "list", "--format", "json").stdout)
    assert [(f["uid"], f["status"], f["resolved_on"]) for f in every] == [
        (first["findings"][0]["uid"], "resolved", "2020-11-20")]


# -- seasonal points and 普惠 ---------------------------------------------------------------------------

SEASONAL = doc("s", 1, """\
items:
  - {id: s-swim, text: 防溺水教育有记录, plan: [21], type: yesno, severity: critical, standard: 有记录,
     applies_to: {months: [5, 6, 7, 8]}}
  - {id: s-gate, text: 校门值守有记录, plan: [21], type: yesno, standard: 有记录}
  - {id: s-kg-fee, text: 普惠收费公示, plan: [5], type: yesno, standard: 公示, applies_to: {inclusive: true}}
  - {id: s-private, text: 民办学校年检报告, plan: [19], type: yesno, standard: 有报告, applies_to: {ownership: private}}
""")


def test_seasonal_point_is_na_outside_its_months(cli, tmp_path: Path, schools, supervisors, monkeypatch, db_path):
    folder = tmp_path / "cl"
    write(folder, "s.yaml", SEASONAL)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    given = {"s-swim": "no", "s-gate": "yes"}
    summer = visit(cli, answers(tmp_path, "s", "2020-06-15", given))
    assert summer["counts"] == {"pass": 1, "fail": 1, "na": 2, "info": 0}
    assert [f["item"] for f in summer["findings"]] == ["s-swim"]
    result = cli("inspect", "visit", "--answers", answers(tmp_path, "s", "2020-11-02", given, name="nov.yaml"),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    autumn = json.loads(result.stdout)
    assert autumn["counts"] == {"pass": 1, "fail": 0, "na": 3, "info": 0}
    assert autumn["findings"] == []
    assert "s-swim: does not apply to this school or its condition is not met; recorded as na" in result.stderr
    # amending the seasonal point of the November visit is refused: it stays na
    before = dump(db_path)
    amend = cli("inspect", "amend", autumn["id"], "s-swim", "no", "--reason", "补录", "--by", "李明")
    assert amend.exit_code == 2
    assert "s-swim: this point is checked in months 5, 6, 7, 8 only and the visit is dated 2020-11-02" in amend.stderr
    assert dump(db_path) == before


def test_interactive_visit_does_not_ask_a_seasonal_point_out_of_season(cli, tmp_path: Path, schools, supervisors,
                                                                        monkeypatch, db_path):
    folder = tmp_path / "cl"
    write(folder, "s.yaml", SEASONAL)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    start = ("inspect", "visit", "NX-001", "--checklist", "s", "--inspector", "李明", "--format", "json")
    result = cli(*start, "--date", "2020-11-02", input="y\ny\n")  # s-gate, then submit
    assert result.exit_code == 0, result.output
    assert "s-swim" not in result.stderr.split("End of the checklist")[0]
    assert json.loads(result.stdout)["counts"] == {"pass": 1, "fail": 0, "na": 3, "info": 0}
    result = cli(*start, "--date", "2020-06-01", input="n\n\ny\ny\n")  # s-swim fails (no note), s-gate, submit
    assert result.exit_code == 0, result.output
    assert "s-swim" in result.stderr
    data = json.loads(result.stdout)
    assert data["counts"] == {"pass": 1, "fail": 1, "na": 2, "info": 0}
    assert [f["item"] for f in data["findings"]] == ["s-swim"]


def test_inclusive_and_ownership_decide_applicability(cli, tmp_path: Path, supervisors, monkeypatch):
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        "- {代码: K-1, 名称: 普惠幼儿园, 学段: 幼儿园, 普惠: 是}\n"
        "- {代码: K-2, 名称: 民办幼儿园, 学段: 幼儿园, 性质: 民办, 普惠: 否}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    folder = tmp_path / "cl"
    write(folder, "s.yaml", SEASONAL)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    given = {"s-gate": "yes", "s-kg-fee": "yes", "s-private": "yes"}
    inclusive = visit(cli, answers(tmp_path, "s", "2020-11-02", given, school="K-1"))
    private = visit(cli, answers(tmp_path, "s", "2020-11-02", given, school="K-2", name="k2.yaml"))
    assert inclusive["counts"] == {"pass": 2, "fail": 0, "na": 2, "info": 0}  # fee point asked, private one not
    assert private["counts"] == {"pass": 2, "fail": 0, "na": 2, "info": 0}  # the other way round
    shown = {}
    for vid in (inclusive["id"], private["id"]):
        detail = json.loads(cli("inspect", "show", vid, "--format", "json").stdout)
        shown[vid] = {a["item"]: a["outcome"] for a in detail["answers"]}
    assert shown[inclusive["id"]]["s-kg-fee"] == "pass" and shown[inclusive["id"]]["s-private"] == "na"
    assert shown[private["id"]]["s-kg-fee"] == "na" and shown[private["id"]]["s-private"] == "pass"


def test_seasonal_checklist_refused_out_of_season(cli, tmp_path: Path, schools, supervisors, monkeypatch, db_path):
    folder = tmp_path / "cl"
    write(folder, "summer.yaml", doc("summer", 1, """\
        applies_to: {months: [6, 7]}
        items:
          - {id: su-1, text: 防溺水教育有记录, plan: [21], type: yesno, standard: 有记录}
        """))
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    before = dump(db_path)
    path = answers(tmp_path, "summer", "2020-11-02", {"su-1": "yes"})
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert "checklist 'summer' is used in months 6, 7 only; the visit is dated 2020-11-02" in result.stderr
    assert dump(db_path) == before


# -- versions of one checklist side by side ------------------------------------------------------------------

def versions_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cl"
    write(folder, "routine.2020.yaml", doc("routine", 1, """\
        valid_from: 2020-01-01
        valid_to: 2020-12-31
        items:
          - {id: r-phones, text: 手机不带入课堂, plan: [12], type: yesno, standard: 不带入课堂}
        """))
    write(folder, "routine.yaml", doc("routine", 2, """\
        valid_from: 2021-01-01
        items:
          - {id: r-phones, text: 手机原则上不带入校园, plan: [12], type: yesno, standard: 不带入校园}
          - {id: r-sleep, text: 上午上课不早于8点20分, plan: [12], type: yesno, standard: 不早于8:20}
        """))
    return folder


def test_a_visit_takes_the_version_in_force_on_its_date(cli, tmp_path: Path, schools, supervisors, monkeypatch):
    folder = versions_folder(tmp_path)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    listed = json.loads(cli("checklist", "list", "--format", "json").stdout)
    assert [(e["id"], e["version"], e["valid_from"], e["valid_to"], Path(e["file"]).name) for e in listed] == [
        ("routine", "1", "2020-01-01", "2020-12-31", "routine.2020.yaml"),
        ("routine", "2", "2021-01-01", None, "routine.yaml"),
    ]
    hashes = {e["version"]: e["hash"] for e in listed}
    table = cli("checklist", "list").stdout
    assert "2020-01-01 – 2020-12-31" in table and "2021-01-01 –" in table

    old = visit(cli, answers(tmp_path, "routine", "2020-11-02", {"r-phones": "yes"}))
    assert old["checklist_hash"] == hashes["1"] and old["counts"]["pass"] == 1
    new = visit(cli, answers(tmp_path, "routine", "2026-03-02", {"r-phones": "yes", "r-sleep": "no"}, name="n.yaml"))
    assert new["checklist_hash"] == hashes["2"] and new["counts"] == {"pass": 1, "fail": 1, "na": 0, "info": 0}
    # an answer for a point only the new version has is refused for a 2020 visit (the 2020 version is used)
    path = answers(tmp_path, "routine", "2020-12-01", {"r-phones": "yes", "r-sleep": "yes"}, name="x.yaml")
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2 and "answers.r-sleep: unknown point id for checklist 'routine'" in result.stderr
    # `checklist show` shows today's version, or the one of --date
    assert json.loads(cli("checklist", "show", "routine", "--format", "json").stdout)["version"] == 2
    shown = json.loads(cli("checklist", "show", "routine", "--date", "2020-05-01", "--format", "json").stdout)
    assert shown["version"] == 1 and shown["hash"] == hashes["1"]
    # coverage counts the versions in force today, or on --date
    def covered(*args: str) -> int:
        return json.loads(cli("checklist", "coverage", "--format", "json", *args).stdout)["points"]

    assert (covered(), covered("--date", "2020-05-01")) == (2, 1)


def test_demo_uses_the_version_in_force_on_each_visit_date(cli, tmp_path: Path):
    folder = versions_folder(tmp_path)
    demo_db = tmp_path / "demo" / "demo.db"
    result = cli("--checklists", folder, "demo", "--db", demo_db, "--schools", "4", "--visits-per-year", "12",
                 "--end", "2021-06-30")
    assert result.exit_code == 0, result.output
    hashes = {e["version"]: e["hash"] for e in json.loads(cli("--checklists", folder, "checklist", "list",
                                                                "--format", "json").stdout)}
    conn = sqlite3.connect(demo_db)
    try:
        used = conn.execute("SELECT checklist_hash, min(date), max(date), count(*) FROM visits "
                            "GROUP BY checklist_hash ORDER BY min(date)").fetchall()
    finally:
        conn.close()
    assert [(h, lo[:4], hi[:4]) for h, lo, hi, _ in used] == [(hashes["1"], "2020", "2020"),
                                                             (hashes["2"], "2021", "2021")]


def test_a_visit_outside_every_window_is_refused(cli, tmp_path: Path, schools, supervisors, monkeypatch, db_path):
    folder = versions_folder(tmp_path)
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    before = dump(db_path)
    path = answers(tmp_path, "routine", "2019-06-03", {"r-phones": "yes"})
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2
    assert ("checklist 'routine' has no version valid on 2019-06-03 (versions: 1: 2020-01-01 – 2020-12-31 "
            "(routine.2020.yaml); 2: 2021-01-01 – (routine.yaml)); a visit is recorded against the version in force "
            "on its date") in result.stderr
    # the same for an interactive visit, before any question
    result = cli("inspect", "visit", "NX-001", "--checklist", "routine", "--date", "2019-06-03", "--inspector", "李明",
                 input="")
    assert result.exit_code == 2 and "has no version valid on 2019-06-03" in result.stderr
    assert dump(db_path) == before


def test_overlapping_versions_are_refused(cli, tmp_path: Path, db_path: Path):
    folder = versions_folder(tmp_path)
    late = write(folder, "routine.late.yaml", doc("routine", 3, """\
        valid_from: 2024-09-01
        items:
          - {id: r-phones, text: 手机不带入校园, plan: [12], type: yesno, standard: 不带入校园}
        """))
    same = write(folder, "routine.copy.yaml", doc("routine", 1, """\
        valid_from: 2019-01-01
        valid_to: 2019-12-31
        items:
          - {id: r-phones, text: 手机不带入课堂, plan: [12], type: yesno, standard: 不带入课堂}
        """))
    before = snapshot(folder)
    result = cli("checklist", "validate", folder)
    assert result.exit_code == 2
    assert (f"{late}:1: id: checklist id 'routine' is also used by {folder / 'routine.yaml'} and their validity "
            f"windows overlap (2024-09-01 – and 2021-01-01 –)") in result.stderr
    assert (f"{folder / 'routine.2020.yaml'}:2: version: checklist id 'routine' version 1 is also in {same}") \
        in result.stderr
    assert snapshot(folder) == before and not db_path.exists()


# -- the linter ------------------------------------------------------------------------------------------

LINTED = doc("lint", 1, """\
items:
  - {id: l-vague, text: 加强师德师风建设, plan: [16], type: yesno, standard: 有}
  - {id: l-role, text: 党员教师发挥示范作用, plan: [1], type: yesno, standard: 有}
  - {id: l-counted, text: 加强体育锻炼，每天校内锻炼不少于1小时, plan: [13], type: yesno, standard: ≥1小时}
  - {id: l-record, text: 重视家校沟通，有家访记录, plan: [15], type: yesno, standard: 有记录}
  - {id: l-nostd, text: 最大班额（人）, plan: [4], type: number, max: 55}
  - {id: l-fact, text: 本校情况, plan: [19], type: text}
""")


def test_validate_warns_and_strict_refuses(cli, tmp_path: Path):
    folder = tmp_path / "cl"
    path = write(folder, "lint.yaml", LINTED)
    write(folder / "library", "lib.yaml",
          "points:\n  - {id: lib-x, text: 常态化开展安全教育, plan: [21], type: yesno}\n")
    lib = folder / "library" / "lib.yaml"
    expected = [
        f"{path}:6: items[0].text: '加强' with no number, document or record named: a supervisor cannot check this "
        "point (say what to count, read or see)",
        f"{path}:7: items[1].text: '发挥示范作用' with no number, document or record named",
        f"{path}:10: items[4].standard: this point can fail but has no `standard`",
        f"{lib}:2: points[0].text: '常态化' with no number, document or record named",
        f"{lib}:2: points[0].standard: this point can fail but has no `standard`",
    ]
    result = cli("checklist", "validate", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 1 checklist(s), 6 point(s)"
    lines = result.stderr.splitlines()
    assert lines[0] == "Warning: 5 warning(s) (errors with --strict)"
    assert len(lines) == 6
    for want in expected:
        assert any(want in line for line in lines), want
    assert not any("l-counted" in line or "items[2]" in line or "items[3]" in line or "items[5]" in line
                   for line in lines)

    strict = cli("checklist", "validate", "--strict", folder)
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert strict.stderr.splitlines()[0] == "Error: 5 problem(s) found (5 of them warnings, --strict)"
    for want in expected:
        assert want in strict.stderr
