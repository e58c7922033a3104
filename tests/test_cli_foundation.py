"""The command line as a whole: version, help on every command, language, settings precedence, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer
import typer.main

from nanxian_cli import __version__
from nanxian_cli.cli import app

GOOD = """\
id: tiny
version: 1
title: {zh: 小清单, en: Tiny}
kind: routine
items:
  - {id: t-1, text: {zh: 一, en: one}, plan: [1], type: yesno}
"""


def all_commands() -> list[tuple[list[str], object]]:
    root = typer.main.get_command(app)
    found = []

    def walk(cmd, path, ctx):
        found.append((path, cmd))
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                walk(sub, path + [name], typer.Context(sub, parent=ctx, info_name=name))

    walk(root, [], typer.Context(root, info_name="nanxian"))
    return found


def subprocess_env(tmp_path: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({"NANXIAN_DB": str(tmp_path / "sub.db"), "NANXIAN_LANG": "en", "NO_COLOR": "1"}, **extra)
    return env


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"nanxian {__version__}\n"


def test_the_foundation_commands_are_mounted():
    paths = {" ".join(path) for path, _ in all_commands()}
    for expected in ("checklist list", "checklist show", "checklist validate", "checklist coverage",
                     "school import", "school list", "school show", "inspector add", "inspector list",
                     "inspector assign"):
        assert expected in paths


def test_every_command_and_sub_command_has_help(cli):
    commands = all_commands()
    assert len(commands) > 10
    missing = [" ".join(path) or "nanxian" for path, cmd in commands if not (cmd.help or cmd.short_help or "").strip()]
    assert missing == []
    for path, cmd in commands:
        result = cli(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.stdout, path
        first_words = " ".join((cmd.help or cmd.short_help).split()[:3])
        assert first_words in " ".join(result.stdout.split()), (path, first_words)


def test_root_help_lists_the_groups(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for group in ("checklist", "school", "inspector", "--db", "--checklists", "--lang", "--version"):
        assert group in result.stdout


def test_unknown_command_and_option_exit_2(cli):
    assert cli("frobnicate").exit_code == 2
    assert cli("school", "list", "--colour").exit_code == 2
    assert cli("school", "list", "--format", "yaml").exit_code == 2


def test_lang_changes_messages(cli, schools):
    result = cli("--lang", "zh", "school", "show", "zzz")
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误: 没有与 'zzz' 匹配的学校（可用 `nanxian school list` 查看）"
    result = cli("--lang", "en", "school", "show", "zzz")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no school matches 'zzz' (try `nanxian school list`)"
    result = cli("--lang", "zh", "school", "import", schools)
    assert result.stdout.strip() == "学校名册：新增 0，更新 0，未变 5"


def test_lang_zh_for_validate(cli, tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = cli("--lang", "zh", "checklist", "validate", path)
    assert result.stdout.strip() == "全部通过：1 份清单，1 个要点"
    path.write_text(GOOD.replace("plan: [1]", "plan: [99]"), encoding="utf-8")
    result = cli("--lang", "zh", "checklist", "validate", path)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "错误: 1 个问题"


@pytest.mark.parametrize("args", [("--lang", "fr"), ("--lang", "jp")])
def test_invalid_lang_option_exit_2(cli, args):
    result = cli(*args, "school", "list")
    assert result.exit_code == 2
    assert "expected zh or en" in result.stderr


def test_invalid_lang_environment_exit_2(cli, monkeypatch):
    monkeypatch.setenv("NANXIAN_LANG", "de")
    result = cli("school", "list")
    assert result.exit_code == 2
    assert "--lang / NANXIAN_LANG: expected zh or en, got 'de'" in result.stderr


def _clear_locale(monkeypatch):
    monkeypatch.delenv("NANXIAN_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(("locale", "expected"), [("zh_CN.UTF-8", "错误"), ("en_US.UTF-8", "Error"), ("C", "错误")])
def test_language_from_the_locale(cli, schools, monkeypatch, locale: str, expected: str):
    _clear_locale(monkeypatch)
    monkeypatch.setenv("LANG", locale)
    result = cli("school", "show", "zzz")
    assert result.exit_code == 2
    assert result.stderr.startswith(expected + ":")


def test_option_beats_environment_beats_config(cli, tmp_path: Path, monkeypatch):
    _clear_locale(monkeypatch)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    config = tmp_path / "config.toml"
    config.write_text('lang = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    assert cli("school", "show", "zzz").stderr.startswith("错误:")
    monkeypatch.setenv("NANXIAN_LANG", "en")
    assert cli("school", "show", "zzz").stderr.startswith("Error:")
    assert cli("--lang", "zh", "school", "show", "zzz").stderr.startswith("错误:")


def test_db_option_beats_environment_and_config(cli, tmp_path: Path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{tmp_path / "from-config.db"}"\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    monkeypatch.delenv("NANXIAN_DB")
    assert cli("inspector", "add", "甲").exit_code == 0
    assert (tmp_path / "from-config.db").is_file()
    monkeypatch.setenv("NANXIAN_DB", str(tmp_path / "from-env.db"))
    assert cli("inspector", "add", "乙").exit_code == 0
    assert (tmp_path / "from-env.db").is_file()
    assert cli("--db", tmp_path / "from-option.db", "inspector", "add", "丙").exit_code == 0
    assert (tmp_path / "from-option.db").is_file()
    result = cli("--db", tmp_path / "from-option.db", "inspector", "list", "--format", "json")
    assert [i["name"] for i in json.loads(result.stdout)] == ["丙"]


def test_checklists_from_config(cli, tmp_path: Path, monkeypatch):
    folder = tmp_path / "bureau"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(GOOD, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'checklists = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    result = cli("checklist", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [c["id"] for c in json.loads(result.stdout)] == ["tiny"]


def test_missing_named_config_file_exit_2(cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NANXIAN_CONFIG", str(tmp_path / "absent.toml"))
    result = cli("school", "list")
    assert result.exit_code == 2
    assert f"{tmp_path / 'absent.toml'}: config file not found" in result.stderr


def test_broken_config_file_exit_2(cli, tmp_path: Path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('lang = "zh\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    result = cli("school", "list")
    assert result.exit_code == 2
    assert str(config) in result.stderr
    assert "Traceback" not in result.output


def test_python_dash_m(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=subprocess_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"nanxian {__version__}\n"


def test_exit_codes_in_a_real_process(tmp_path: Path):
    env = subprocess_env(tmp_path)
    # a database to look in (a read-only command never creates one)
    subprocess.run([sys.executable, "-m", "nanxian_cli", "inspector", "add", "李明"], capture_output=True, cwd=tmp_path,
                   env=env, timeout=60, check=True)
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "school", "show", "zzz"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "Error: no school matches 'zzz' (try `nanxian school list`)"
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "--lang", "xx", "school", "list"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "expected zh or en" in done.stderr
    (tmp_path / "junk.db").write_bytes(b"\x00junk" * 100)
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "--db", "junk.db", "school", "list"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "junk.db" in done.stderr


HEAVY = ("pydantic", "sqlite_utils", "yaml", "openpyxl", "docx", "jinja2", "smtplib", "pypinyin")


def _modules_after(code: str, tmp_path: Path) -> list[str]:
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import sys
        print("MODULES:" + ",".join(sorted(m for m in {HEAVY!r} if m in sys.modules)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env=subprocess_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    marker = [line for line in done.stdout.splitlines() if line.startswith("MODULES:")]
    assert len(marker) == 1, done.stdout
    return [m for m in marker[0].removeprefix("MODULES:").split(",") if m]


def test_version_imports_nothing_heavy(tmp_path: Path):
    loaded = _modules_after("""
        import sys
        sys.argv = ["nanxian", "--version"]
        from nanxian_cli.cli import main
        try:
            main()
        except SystemExit:
            pass
    """, tmp_path)
    assert loaded == []


@pytest.mark.parametrize("args", [["school", "list", "--format", "json"], ["school", "show", "nzsyxx"],
                                  ["inspector", "list"], ["school", "list", "--town", "南洲镇"]])
def test_read_commands_import_no_pydantic_sqlite_utils_or_yaml(tmp_path: Path, args: list[str]):
    env = subprocess_env(tmp_path)
    roster = tmp_path / "roster.yaml"
    roster.write_text("- {code: NX-001, name: 南洲实验小学, town: 南洲镇, stages: primary}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "school", "import", str(roster)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = _modules_after(f"""
        import sys
        sys.argv = ["nanxian"] + {args!r}
        from nanxian_cli.cli import main
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
    """, tmp_path)
    assert loaded == []


def test_read_path_of_our_code_imports_no_pydantic_or_sqlite_utils(tmp_path: Path):
    """Listing schools from an existing database: store + render only."""
    done = subprocess.run([sys.executable, "-m", "nanxian_cli", "inspector", "add", "甲"], capture_output=True,
                          text=True, cwd=tmp_path, env=subprocess_env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = _modules_after(f"""
        from pathlib import Path
        import nanxian_cli.cli
        from nanxian_cli.render import json_text
        from nanxian_cli.store import open_store
        from nanxian_cli.store.schools import list_inspectors, list_schools
        with open_store(Path({str(tmp_path / "sub.db")!r}), create=False) as store:
            json_text(list_schools(store))
            json_text(list_inspectors(store))
    """, tmp_path)
    assert "pydantic" not in loaded and "sqlite_utils" not in loaded and "yaml" not in loaded


@pytest.mark.parametrize(("line", "key"),
                         [("lang = 1", "lang"), ('db = ["a"]', "db"), ("checklists = true", "checklists")])
def test_config_values_of_the_wrong_type_exit_2(cli, tmp_path: Path, monkeypatch, line: str, key: str):
    config = tmp_path / "config.toml"
    config.write_text(line + "\n", encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    monkeypatch.delenv("NANXIAN_DB")
    monkeypatch.chdir(tmp_path)
    result = cli("school", "list")
    assert result.exit_code == 2
    assert f"{config}: `{key}` must be a quoted string" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "no-config.toml"]


def test_answers_file_numbers_are_judged_as_typed(cli, schools, supervisors, tmp_path: Path):
    """`060` is octal 48 to YAML; a class of 60 pupils must fail a 55-pupil limit, not pass as 48."""
    folder = tmp_path / "cl"
    folder.mkdir()
    (folder / "size.yaml").write_text(
        "id: size\nversion: 1\ntitle: Size\nkind: routine\nitems:\n"
        "  - {id: s-class, text: Largest class, plan: [4], type: number, max: 55, severity: critical}\n"
        "  - {id: s-ratio, text: Ratio, plan: [4], type: number, max: 20}\n",
        encoding="utf-8",
    )
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "school: NX-001\nchecklist: size\ndate: 2020-11-02\ninspector: 李明\n"
        "answers:\n  s-class: 060\n  s-ratio: {value: 017, note: 初二}\n",
        encoding="utf-8",
    )
    result = cli("--checklists", folder, "inspect", "visit", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.output
    visit = json.loads(result.stdout)
    assert visit["counts"] == {"pass": 1, "fail": 1, "na": 0, "info": 0}
    assert [f["item"] for f in visit["findings"]] == ["s-class"]


def test_output_file_is_written_whole_or_not_at_all(cli, schools, tmp_path: Path):
    missing = tmp_path / "no-such-folder" / "schools.csv"
    result = cli("school", "list", "--output", missing)
    assert result.exit_code == 2
    assert f"{missing}: folder {missing.parent} does not exist" in result.stderr
    out = tmp_path / "out"
    out.mkdir()
    target = out / "schools.csv"
    target.write_text("old content", encoding="utf-8")
    result = cli("school", "list", "--output", target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes().decode("utf-8")
    assert data.startswith("\ufeffcode,name,") and data.count("\r\n") == 6
    assert sorted(p.name for p in out.iterdir()) == ["schools.csv"]  # no temporary file left behind
    result = cli("school", "list", "--output", out)  # a folder, not a file
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {out}: is a folder; give a file name"
    assert sorted(p.name for p in out.iterdir()) == ["schools.csv"]
