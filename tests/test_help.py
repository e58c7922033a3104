"""Help and the command line (issue 17, points 1–3): what each option takes in Click's words, examples on every
command, `-h`, Typer's shell completion, help in the user's language, the global options after the command."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from test_cli_foundation import all_commands

COMMANDS = all_commands()
PATHS = [path for path, _ in COMMANDS]


def _help(cli, *path: str, env: dict | None = None) -> str:
    result = cli(*path, "--help", env=env)
    assert result.exit_code == 0, (path, result.output)
    return result.stdout


def _row(help_text: str, option: str) -> str:
    """The line of the options panel that starts with `option`."""
    for line in help_text.splitlines():
        if re.match(rf"^│\s+{re.escape(option)}\s", line) or re.match(rf"^│ \*?\s*{re.escape(option)}\s", line):
            return line
    raise AssertionError(f"{option} not in help:\n{help_text}")


def _usage(help_text: str) -> str:
    return next(line.strip() for line in help_text.splitlines() if "Usage:" in line)


# -- point 1: what options take, examples ---------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "nanxian")
def test_help_names_what_options_take_in_clicks_words(cli, path):
    text = _help(cli, *path)
    # Python's own type names and Typer's lower-case placeholders never show
    for internal in ("<str>", "<bool>", "<boolean>", "<path>", "<int", "<list", "<float>", "{"):
        assert internal not in text, (path, internal)
    assert not re.search(r"Usage: .*\b[a-z]+_[a-z_]+\b", _usage(text)), _usage(text)


def test_help_shows_path_date_week_n_and_choices(cli):
    summary = _help(cli, "report", "summary")
    assert re.search(r"--from\s+DATE\s", _row(summary, "--from"))
    assert re.search(r"--format\s+-f\s+\[table\|json\|…\]\s", _row(summary, "--format"))
    assert re.search(r"--output\s+-o\s+FILE\s", _row(summary, "--output"))
    assert re.search(r"--by\s+\[school\|town\|…\]\s", _row(summary, "--by"))
    digest = _help(cli, "report", "digest")
    assert re.search(r"--week\s+WEEK\s", _row(digest, "--week"))
    assert re.search(r"--format\s+-f\s+\[text\|markdown\|…\]\s", _row(digest, "--format"))
    assert re.search(r"--email\s+Send by e-mail", _row(digest, "--email"))  # a flag: no type at all
    listing = _help(cli, "finding", "list")
    assert re.search(r"--severity\s+\[critical\|major\|minor\]\s", _row(listing, "--severity"))
    assert re.search(r"--due-within\s+DAYS \[0<=x<=3660\]\s", _row(listing, "--due-within"))
    demo = _help(cli, "demo")
    assert re.search(r"--schools\s+N \[1<=x<=5000\]\s", _row(demo, "--schools"))
    assert re.search(r"--seed\s+N\s", _row(demo, "--seed"))
    root = _help(cli)
    assert re.search(r"--db\s+FILE\s", _row(root, "--db"))
    assert re.search(r"--checklists\s+DIR\s", _row(root, "--checklists"))
    assert re.search(r"--lang\s+\[zh\|en\]\s", _row(root, "--lang"))
    assert re.search(r"--version\s+Show the version", _row(root, "--version"))
    assert _usage(_help(cli, "checklist", "show")) == "Usage: nanxian checklist show [OPTIONS] CHECKLIST"
    assert _usage(_help(cli, "checklist", "validate")) == "Usage: nanxian checklist validate [OPTIONS] [PATH]..."
    assert _usage(_help(cli, "sync", "import")) == "Usage: nanxian sync import [OPTIONS] FILE..."
    assert _usage(_help(cli, "inspect", "amend")) == "Usage: nanxian inspect amend [OPTIONS] VISIT POINT VALUE"
    assert re.search(r"│\s+PATH\s+PATH\s+Files or folders", _help(cli, "checklist", "validate"))


@pytest.mark.parametrize("columns", ["80", "100"])
def test_choice_lists_are_never_broken_mid_word(cli, columns):
    """Every option with choices shows them in brackets, opened and closed on its own line, at 80 and 100
    columns; each choice is named whole in the bracket or in the option's help."""
    checked, broken = 0, []
    for path, command in COMMANDS:
        text = _help(cli, *path, env={"COLUMNS": columns})
        for param in command.params:
            choices = getattr(param.type, "choices", None)
            if not choices or param.hidden:
                continue
            checked += 1
            name = next(o for o in param.opts if o.startswith("--"))
            row = _row(text, name)
            if not re.search(rf"{re.escape(name)}\s+(-\w\s+)?\[[^\]\s]+\]\s", row):
                broken.append((" ".join(path), name, row))
            words = set(re.findall(r"[\w-]+", " ".join(text.split())))
            broken += [(" ".join(path), name, c) for c in choices if c not in words]
    assert checked > 20 and broken == []


def _parse(path: list[str], args: list[str]) -> None:
    """Parse `args` the way `nanxian` would, without running anything: an unknown option or command, or a
    missing argument, raises."""
    import typer.main

    from nanxian_cli.cli import app

    def rest(ctx) -> list[str]:  # what a group leaves for its command (Click keeps the command's name apart)
        return [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]

    command = typer.main.get_command(app)
    ctx = command.make_context("nanxian", list(args), resilient_parsing=True)
    while hasattr(command, "list_commands") and rest(ctx):
        name, sub, remaining = command.resolve_command(ctx, rest(ctx))
        ctx = sub.make_context(name, remaining, parent=ctx, resilient_parsing=True)
        command = sub
    assert ctx.command_path.split()[1:len(path) + 1] == path, (path, args)
    assert not hasattr(command, "list_commands"), args  # an example names a command, not only a group


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "nanxian")
def test_every_command_has_one_or_two_examples_that_parse(cli, path):
    text = _help(cli, *path)
    lines = [line.strip() for line in text.splitlines()]
    assert "Example:" in lines or "Examples:" in lines, text
    start = lines.index("Example:") + 1 if "Example:" in lines else lines.index("Examples:") + 1
    examples = []
    for line in lines[start:]:
        if not line.startswith("nanxian"):
            break
        examples.append(line)
    assert 1 <= len(examples) <= 2, examples
    for example in examples:
        _parse(path, shlex.split(example)[1:])  # each example runs the command it documents


# -- point 2: -h, completion ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "nanxian")
def test_dash_h_is_help(cli, path):
    short = cli(*path, "-h")
    assert short.exit_code == 0, short.output
    assert short.stdout == _help(cli, *path)


def _script() -> Path:
    script = Path(sys.executable).with_name("nanxian")
    assert script.is_file(), "the console script is installed with the package"
    return script


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "NANXIAN_DB": str(tmp_path / "x.db"), "NANXIAN_LANG": "en", "HOME": str(tmp_path),
            "SHELL": "/bin/bash", **env}
    return subprocess.run([str(_script()), *args], capture_output=True, text=True, env=full, timeout=60)


def test_shell_completion_is_typers_own(tmp_path):
    shown = _run(["--show-completion", "bash"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "_NANXIAN_COMPLETE=complete_bash" in shown.stdout and "complete" in shown.stdout
    # Click's spelling of the instruction (bash_source) and Typer's (source_bash) give the same script
    for instruction in ("bash_source", "source_bash"):
        source = _run([], tmp_path, _NANXIAN_COMPLETE=instruction)
        assert source.returncode == 0, source.stderr
        assert "_nanxian_completion" in source.stdout and source.stderr == ""
    zsh = _run([], tmp_path, _NANXIAN_COMPLETE="zsh_source")
    assert zsh.returncode == 0 and "#compdef nanxian" in zsh.stdout
    # the completion itself: commands, options, choices
    words = _run([], tmp_path, _NANXIAN_COMPLETE="complete_bash", COMP_WORDS="nanxian rep", COMP_CWORD="1")
    assert words.stdout.split() == ["report"]
    words = _run([], tmp_path, _NANXIAN_COMPLETE="complete_bash", COMP_WORDS="nanxian report summary --format ",
                 COMP_CWORD="4")
    assert words.stdout.split() == ["table", "json", "csv", "markdown", "html", "xlsx", "docx"]
    assert not (tmp_path / "x.db").exists()  # completing never opens the database


def test_install_completion_writes_the_shell_files(tmp_path):
    installed = _run(["--install-completion", "bash"], tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert "bash completion installed in" in installed.stdout
    script = tmp_path / ".bash_completions" / "nanxian.sh"
    assert "_nanxian_completion" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")


# -- point 3: language, the global options after the command ---------------------------------------------

def _chinese(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def test_help_in_chinese_from_the_environment(cli):
    root = _help(cli, env={"NANXIAN_LANG": "zh"})
    assert "县级责任督学的检查表、督导记录、整改项与报告。" in root
    assert "╭─ 选项" in root and "╭─ 命令" in root and "示例：" in root
    assert "数据库文件（环境变量 NANXIAN_DB；默认" in root
    summary = _help(cli, "report", "summary", env={"NANXIAN_LANG": "zh"})
    assert "合计及分组明细，最差的在前；并列出期间内未督导的学校。" in summary
    assert "（默认：school）" in summary and "[default" not in summary
    extend = _help(cli, "finding", "extend", env={"NANXIAN_LANG": "zh"})
    assert "（必填）" in extend and "[required]" not in extend
    assert _usage(extend) == "Usage: nanxian finding extend [OPTIONS] FINDING"  # still required in the usage
    english = _help(cli, "report", "summary")
    assert "合计" not in english and "选项" not in english and "Options" in english


@pytest.mark.parametrize(("args", "env", "zh"), [
    (["--lang", "zh"], {"NANXIAN_LANG": "en"}, True),
    (["--lang", "en"], {"NANXIAN_LANG": "zh"}, False),
    (["--lang", "zh", "report"], {"NANXIAN_LANG": "en"}, True),
    (["report", "summary", "--lang", "zh"], {"NANXIAN_LANG": "en"}, True),
    (["report", "summary", "--lang", "en"], {"NANXIAN_LANG": "zh"}, False),
])
def test_lang_option_decides_the_help(cli, args, env, zh):
    text = _help(cli, *args, env=env)
    assert (_chinese(text) > 20) is zh, text


@pytest.mark.parametrize(("locale", "zh"), [("zh_CN.UTF-8", True), ("en_US.UTF-8", False), ("C", True)])
def test_help_language_from_the_locale_and_the_config(cli, monkeypatch, tmp_path, locale, zh):
    monkeypatch.delenv("NANXIAN_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", locale)
    assert (_chinese(_help(cli)) > 20) is zh
    assert (_chinese(_help(cli, "school", "list")) > 10) is zh
    config = tmp_path / "config.toml"
    config.write_text('lang = "en"\n' if zh else 'lang = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    assert (_chinese(_help(cli)) > 20) is not zh  # the config file beats the locale, for the root's help too
    assert (_chinese(_help(cli, "school", "list")) > 10) is not zh


def test_every_help_text_has_its_chinese():
    from nanxian_cli.cli.help import translated
    from nanxian_cli.cli.help_zh import ZH

    missing = []
    for path, command in COMMANDS:
        ctx = typer.Context(command, info_name=path[-1] if path else "nanxian")
        texts = [command.help, command.short_help] + [p.help for p in command.get_params(ctx) if not p.hidden]
        for text in texts:
            for paragraph in (translated(text, False) or "").split("\n\n"):
                if paragraph and paragraph not in ZH:
                    missing.append((" ".join(path), paragraph))
    assert missing == []


@pytest.mark.parametrize("columns", ["80", "100", "200"])
def test_chinese_help_is_never_cut_short(cli, columns):
    """Rich wraps at spaces only and Typer's help tables cut a longer word with "…": Chinese help is broken
    into lines between characters, so nothing is cut at any width."""
    for path, _ in COMMANDS:
        text = _help(cli, *path, env={"NANXIAN_LANG": "zh", "COLUMNS": columns})
        without_choices = re.sub(r"\|…\]", "]", text)
        assert "…" not in without_choices, (path, text)
        from rich.cells import cell_len

        assert max(cell_len(line) for line in text.splitlines()) <= int(columns)
        # no line of a help column starts with a closing mark
        assert not re.search(r"│\s{10,}[，。；：、）]", text), text


def test_global_options_after_the_command(cli, schools, db_path, tmp_path, checklists_dir):
    other = tmp_path / "other.db"
    result = cli("school", "list", "--db", other)
    assert result.exit_code == 1 and str(other) in result.stderr and "no database yet" in result.stderr
    assert not other.exists()
    assert cli("school", "import", schools, "--db", other).exit_code == 0
    assert sqlite3.connect(other).execute("SELECT count(*) FROM schools").fetchone() == (5,)
    zh = cli("report", "summary", "--from", "2020-09-01", "--lang", "zh", "--to", "2020-12-31")
    assert zh.exit_code == 0, zh.output
    assert "督导合规汇总" in zh.stdout
    assert "督导合规汇总" in cli("report", "--lang", "zh", "summary", "--from", "2020-09-01").stdout
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copytree(checklists_dir / "library", mine / "library")  # the points routine-monthly shares (`ref:`)
    (mine / "tiny.yaml").write_text((checklists_dir / "routine-monthly.yaml").read_text(encoding="utf-8")
                                    .replace("id: routine-monthly", "id: tiny-one", 1), encoding="utf-8")
    listed = cli("checklist", "list", "--format", "json", "--checklists", mine)
    assert listed.exit_code == 0, listed.output
    assert [c["id"] for c in __import__("json").loads(listed.stdout)] == ["tiny-one"]


def test_a_bad_global_option_after_the_command_is_refused(cli, schools, db_path):
    before = db_path.read_bytes()
    result = cli("school", "list", "--lang", "fr")
    assert result.exit_code == 2
    assert "--lang / NANXIAN_LANG: expected zh or en, got 'fr'" in result.stderr
    assert result.stdout == ""
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_root_help_lists_each_group_with_its_own_help(cli, lang):
    """The root's help lists the groups without building them: each with the help its real group has."""
    from nanxian_cli.cli.help import translated

    rows = {}
    for line in _help(cli, env={"COLUMNS": "250", "NANXIAN_LANG": lang}).splitlines():
        match = re.match(r"^│ ([a-z]+) +(.+?) *│$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    groups = [(path[0], command) for path, command in COMMANDS if len(path) == 1]
    assert [name for name, _ in groups] == list(rows)
    for name, command in groups:
        assert rows[name] == translated(command.help, lang == "zh").split("\n\n")[0], name
