"""The digest in another language (issue 17, point 19): a delivery is per week, channel, target and language (and
format: the file's name carries it); the mail's plain-text part is wrapped at 78 columns."""

from __future__ import annotations

import re
import unicodedata

import pytest

from test_digest import record, write_checklist
from test_digest_delivery import deliveries, parse, smtp, weeks  # noqa: F401  (shared fixtures)

W45 = ("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09")


@pytest.fixture
def county_lang(monkeypatch):
    """The county's usual language is Chinese (NANXIAN_LANG; a config `lang` or the locale would do the same)."""
    monkeypatch.setenv("NANXIAN_LANG", "zh")


def test_english_after_chinese_writes_the_english_file(cli, weeks, county_lang, tmp_path, db_path):  # noqa: F811
    out = tmp_path / "digests"
    out.mkdir()
    zh = cli(*W45, "--output", out)
    assert zh.exit_code == 0, zh.output
    chinese = (out / "digest-2020-W45.txt").read_bytes()
    assert chinese.decode("utf-8").startswith("南县责任督学督导周报 2020-W45")
    en = cli("--lang", "en", *W45, "--output", out)
    assert en.exit_code == 0, en.output
    assert en.stdout.strip() == f"Digest 2020-W45 written to {(out / 'digest-2020-W45.en.txt').resolve()}"
    assert (out / "digest-2020-W45.en.txt").read_text(encoding="utf-8").startswith("Nanxian supervision digest")
    assert (out / "digest-2020-W45.txt").read_bytes() == chinese  # the Chinese file is left as it was
    # each language once; another format of the same language is another file
    again = cli("--lang", "en", *W45, "--output", out)
    assert again.exit_code == 0 and "was already delivered to" in again.stdout
    assert "digest-2020-W45.en.txt" in again.stdout
    assert cli(*W45, "--output", out, "--lang", "en", "--format", "json").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["digest-2020-W45.en.json", "digest-2020-W45.en.txt",
                                                    "digest-2020-W45.txt"]
    assert [t for _, _, t in deliveries(db_path)] == [str((out / name).resolve()) for name in
                                                      ("digest-2020-W45.en.json", "digest-2020-W45.en.txt",
                                                       "digest-2020-W45.txt")]


def test_a_named_file_in_another_language_is_another_delivery(cli, weeks, county_lang, tmp_path, db_path):  # noqa: F811
    target = tmp_path / "week.txt"
    assert cli(*W45, "--output", target).exit_code == 0
    en = cli("--lang", "en", *W45, "--output", target)
    assert en.exit_code == 0, en.output
    assert en.stdout.strip() == f"Digest 2020-W45 written to {target.resolve()} (en)"
    assert target.read_text(encoding="utf-8").startswith("Nanxian supervision digest")
    assert sorted(t for _, _, t in deliveries(db_path)) == [str(target.resolve()), f"{target.resolve()} (en)"]


def test_english_mail_after_the_chinese_one(cli, weeks, county_lang, smtp, db_path):  # noqa: F811
    assert cli(*W45, "--email").exit_code == 0
    en = cli("--lang", "en", *W45, "--email")
    assert en.exit_code == 0, en.output
    assert "Digest 2020-W45 sent to bureau@nanxian.example (en)" in en.stdout
    assert len(smtp.messages) == 2
    chinese, english = (parse(raw) for _, _, raw in smtp.messages)
    assert chinese["Subject"].startswith("南县责任督学督导周报")
    assert english["Subject"].startswith("Nanxian supervision")
    assert chinese["Message-ID"] != english["Message-ID"]
    assert sorted(t for _, _, t in deliveries(db_path)) == [
        "bureau@nanxian.example", "bureau@nanxian.example (en)", "head@nanxian.example", "head@nanxian.example (en)"]
    again = cli("--lang", "en", *W45, "--email")
    assert again.exit_code == 0 and again.stdout.count("already delivered") == 2 and len(smtp.messages) == 2


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mail_text_is_wrapped_at_78(cli, weeks, smtp, db_path, tmp_path, lang):  # noqa: F811
    long_name = "南县" + "第一" * 20 + "实验学校"
    roster = tmp_path / "long.yaml"
    roster.write_text(f"- {{code: NX-010, name: {long_name}, town: 南洲镇, stages: primary}}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    record(db_path, write_checklist(tmp_path / "checklists"), "NX-010", "2020-11-03", "李明", "no", 60, "no")
    result = cli("--lang", lang, *W45, "--email", env={"NANXIAN_LANG": lang})
    assert result.exit_code == 0, result.output
    parts = {p.get_content_type(): p.get_content() for p in parse(smtp.messages[0][2]).iter_parts()}
    text = parts["text/plain"]
    assert max(_cells(line) for line in text.splitlines()) <= 78
    # everything the digest says is in it: the long school name, and each row's point, severity and due date
    assert long_name in re.sub(r"\n\s*", "", text)  # wrapped, its continuation indented
    full = cli("--lang", lang, *W45).stdout  # the digest on the terminal is not wrapped
    assert max(_cells(line) for line in full.splitlines()) > 78
    for word in set(re.findall(r"[A-Za-z0-9][\w.%-]*", full)) - {"-" * n for n in range(200)}:
        assert word in text, word
