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


def test_invoked_command_skips_global_options():
    from nanxian_cli.cli import _invoked_command

    assert _invoked_command(["--db", "x.db", "--lang", "en", "report", "summary"]) == "report"
    assert _invoked_command(["--db=x.db", "school", "list"]) == "school"
    assert _invoked_command(["--help"]) is None
    assert _invoked_command([]) is None


def test_console_script_mounts_the_invoked_group_and_lists_all(tmp_path):
    """`main()` builds only the named group; every group must still work and be listed."""
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
    demo = subprocess.run([sys.executable, "-m", "nanxian_cli", "demo", "--help"], capture_output=True, text=True, env=env)
    assert demo.returncode == 0 and "--seed" in demo.stdout
