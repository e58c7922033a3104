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
