"""Shared fixtures: every test gets its own database file, config and language; the real CLI via CliRunner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanxian_cli.cli import app
from nanxian_cli.config import bundled_checklists_dir, bundled_data_dir

FIXTURES = Path(__file__).parent / "fixtures"

ROSTER = """\
- {code: NX-001, name: 南洲实验小学, town: 南洲镇, stages: primary, canteen: true, group: 南洲实验小学教育集团}
- {code: NX-002, name: 华阁镇中心学校, town: 华阁镇, stages: primary junior, boarding: true, canteen: true, \
school_bus: true}
- {code: NX-003, name: 南县第一中学, town: 南洲镇, stages: [senior], boarding: true, canteen: true}
- {code: NX-004, name: 南洲镇中心幼儿园, town: 南洲镇, stages: kindergarten, canteen: true}
- {code: NX-005, name: 乌嘴乡中心学校, town: 乌嘴乡, stages: primary junior, canteen: false}
"""


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private database, no user config, English text, a wide plain terminal."""
    db = tmp_path / "nanxian.db"
    monkeypatch.setenv("NANXIAN_DB", str(db))
    monkeypatch.setenv("NANXIAN_CONFIG", str(tmp_path / "no-config.toml"))
    (tmp_path / "no-config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("NANXIAN_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("NANXIAN_CHECKLISTS", raising=False)
    monkeypatch.delenv("NANXIAN_INSPECTOR", raising=False)
    monkeypatch.delenv("NANXIAN_TIMEZONE", raising=False)
    for var in list(os.environ):
        if var.startswith("NANXIAN_SMTP_"):
            monkeypatch.delenv(var, raising=False)
    from nanxian_cli.i18n import set_lang

    set_lang("en")  # what code called directly (not through the CLI) speaks, like NANXIAN_LANG above
    return db


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner):
    """Run the real CLI: cli("school", "list") -> Result (stdout and stderr kept apart).

    Every refused command (exit 2, no input piped) is run once more under `--lang zh`, and what it says must hold
    no English sentence (tests/zh_scan.py): the scan of issue 17. A refused command writes nothing, so running it
    again changes nothing. NANXIAN_ZH_SCAN=FILE collects the findings in FILE instead of failing."""

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        argv = [str(a) for a in args]
        result = runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)
        if result.exit_code == 2 and input is None:
            _scan_in_chinese(runner, argv, env)
        return result

    return invoke


def _scan_in_chinese(runner: CliRunner, argv: list[str], env: dict | None) -> None:
    from zh_scan import english_sentences

    asked = [a.split("=", 1)[1] for a in argv if a.startswith("--lang=")]
    asked += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"]
    if any(lang not in ("zh", "en") for lang in asked):
        return  # the language itself is what was refused (said in both languages)
    # the language asked for anywhere on the command line becomes Chinese
    argv = ["--lang=zh" if a.startswith("--lang=") else a for a in argv]
    argv = [("zh" if i and argv[i - 1] == "--lang" else a) for i, a in enumerate(argv)]
    from nanxian_cli.i18n import get_lang, set_lang

    spoken = get_lang()
    # Chinese is the usual language too (NANXIAN_LANG), as for a Chinese user: a command whose output depends on
    # the language beside the usual one (the digest's `digest-YYYY-Www.zh.txt`) aims at the same files again
    zh_env = {**(env or {}), "NANXIAN_LANG": "zh"}
    try:
        zh = runner.invoke(app, ["--lang", "zh", *argv], env=zh_env, catch_exceptions=False)
    finally:
        set_lang(spoken)  # the test goes on in the language of its own run
    found = english_sentences(zh.stderr)
    if not found:
        return
    report = os.environ.get("NANXIAN_ZH_SCAN")
    if report:
        with open(report, "a", encoding="utf-8", errors="backslashreplace") as out:
            out.write(f"{' '.join(argv)}\n{zh.stderr}{found}\n\n")
        return
    raise AssertionError(f"English under --lang zh: {found}\n  nanxian --lang zh {' '.join(argv)}\n{zh.stderr}")


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture
def schools(cli, roster_file: Path):
    """A database with the five-school roster imported."""
    result = cli("school", "import", roster_file)
    assert result.exit_code == 0, result.output
    return roster_file


# The supervisors the visit tests record visits by: names must be registered (`inspector add`) before a
# visit, an amendment, a void or a finding action can name them.
SUPERVISORS = ("李明", "王芳", "张三", "李四", "王主任", "钱督学")


def register_supervisors(db: Path, *names: str) -> None:
    """Register supervisors straight through the store (what `nanxian inspector add NAME` does)."""
    from nanxian_cli.services.people import add_inspector
    from nanxian_cli.store import open_store

    with open_store(db) as store:
        for name in names or SUPERVISORS:
            add_inspector(store, name)


@pytest.fixture
def supervisors(db_path: Path) -> tuple[str, ...]:
    """The usual test supervisors (SUPERVISORS), registered in the test's database."""
    register_supervisors(db_path)
    return SUPERVISORS


@pytest.fixture
def checklists_dir() -> Path:
    return bundled_checklists_dir()


@pytest.fixture
def data_dir() -> Path:
    return bundled_data_dir()
