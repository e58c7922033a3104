def test_help_and_version(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "checklist" in result.output
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == "nanxian 0.1.0"


def test_school_import_and_show(cli, schools):
    result = cli("school", "show", "nzsyxx", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"code": "NX-001"' in result.stdout


def _command_names(help_text: str) -> list[str]:
    """The command names listed in the Commands panel of a `--help` screen, in order."""
    import re

    panel = help_text.split("Commands", 1)[1]
    return re.findall(r"^│ ([a-z]+) ", panel, flags=re.MULTILINE)


def test_the_tests_run_the_command_tree_users_get(cli, tmp_path):
    """The console script (`python -m nanxian_cli`) and the tests' `app` are one command tree: the same
    commands, in the same order in `--help`, the demo last."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NANXIAN_LANG": "en", "NANXIAN_DB": str(tmp_path / "x.db"), "COLUMNS": "200"}
    shipped = subprocess.run([sys.executable, "-m", "nanxian_cli", "--help"], capture_output=True, text=True, env=env)
    assert shipped.returncode == 0, shipped.stderr
    tested = cli("--help")
    assert tested.exit_code == 0
    names = ["checklist", "school", "inspector", "inspect", "finding", "report", "sync", "demo"]
    assert _command_names(shipped.stdout) == names
    assert _command_names(tested.stdout) == names


def test_console_script_lists_and_runs_every_group(tmp_path):
    """Every group is listed in the console script's `--help` and answers its own `--help`."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NANXIAN_LANG": "en", "NANXIAN_DB": str(tmp_path / "x.db")}
    top = subprocess.run([sys.executable, "-m", "nanxian_cli", "--help"], capture_output=True, text=True, env=env)
    assert top.returncode == 0, top.stderr
    for name in ("checklist", "school", "inspector", "inspect", "finding", "report", "demo"):
        assert name in top.stdout
    for group, sub in (("report", "digest"), ("inspect", "amend"), ("finding", "resolve"), ("checklist", "coverage")):
        res = subprocess.run([sys.executable, "-m", "nanxian_cli", "--db", str(tmp_path / "y.db"), group, "--help"],
                             capture_output=True, text=True, env=env)
        assert res.returncode == 0, res.stderr
        assert sub in res.stdout
    demo = subprocess.run([sys.executable, "-m", "nanxian_cli", "demo", "--help"], capture_output=True, text=True,
                          env=env)
    assert demo.returncode == 0 and "--seed" in demo.stdout


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path):
    """A bug must not dump a traceback on a supervisor; NANXIAN_DEBUG=1 shows it."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; import nanxian_cli.store.schools as s\n"
        "def boom(*a, **k): raise ZeroDivisionError('simulated bug')\n"
        "s.list_schools = boom\n"
        "sys.argv = ['nanxian', 'school', 'list']\n"
        "from nanxian_cli.cli import main; main()\n"
    )
    from nanxian_cli.store import open_store

    open_store(tmp_path / "x.db").close()  # `school list` reads a database, it never creates one
    env = {**os.environ, "NANXIAN_LANG": "en", "NANXIAN_DB": str(tmp_path / "x.db")}
    env.pop("NANXIAN_DEBUG", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "internal error (ZeroDivisionError: simulated bug)" in res.stderr
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, "NANXIAN_DEBUG": "1"})
    assert res.returncode == 1 and "Traceback" in res.stderr
