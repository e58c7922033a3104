"""One word per finding state and per count everywhere people read it (issue 12): an open finding is 待整改 in
the reports, the digest and the screens (never 未整改), overdue is the flag 逾期, and the digest's rates are
合格率/合格/不合格 like the reports (never 达标). The words live in core/vocab.py; JSON keeps its English keys.
"""

from __future__ import annotations

import json

from test_digest import weeks  # noqa: F401  (the digest's weeks fixture)
from test_reports_summary import PERIOD, report_db  # noqa: F401  (the reports' hand-computed fixture)

OLD_WORDS = ("未整改", "达标")


def zh(cli, *args):
    result = cli("--lang", "zh", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_reports_say_daizhenggai_for_an_open_finding(cli, report_db):
    ids = report_db
    for fmt in ("table", "markdown", "csv", "html"):
        summary = zh(cli, "report", "summary", *PERIOD, "--format", fmt)
        assert "待整改" in summary and "逾期待整改" in summary or fmt == "csv", fmt
        school = zh(cli, "report", "school", "NX-001", *PERIOD, "--format", fmt)
        assert "待整改问题" in school, fmt
        for text in (summary, school):
            assert not any(word in text for word in OLD_WORDS), fmt
    assert "待整改" in zh(cli, "report", "summary", *PERIOD, "--format", "csv")  # the column header
    item = json.loads(zh(cli, "report", "item", "1", *PERIOD, "--format", "json"))
    assert {f["finding"]: f["finding_label"] for f in item["failures"]}["open"] == "待整改"
    visit = json.loads(zh(cli, "report", "visit", ids["v2"], "--format", "json"))
    assert {r["status"]: r["status_label"] for r in visit["rectifications"]}["open"] == "待整改"
    english = json.loads(cli("report", "visit", ids["v2"], "--format", "json").stdout)
    assert {r["status"]: r["status_label"] for r in english["rectifications"]}["open"] == "open"


def test_the_screens_use_the_same_words(cli, report_db):
    ids = report_db
    findings = zh(cli, "finding", "list", "--as-of", "2020-11-21")
    assert "待整改" in findings and "逾期" in findings and "未整改" not in findings
    # an outcome reads as in the reports: n/a, not na (m-d was answered na)
    english = cli("inspect", "show", ids["v2"])
    assert english.exit_code == 0, english.output
    row = next(line for line in english.stdout.splitlines() if line.startswith("│ m-d"))
    assert [cell.strip() for cell in row.split("│")][4] == "n/a"


def test_the_digest_says_hegelv_like_the_reports(cli, weeks):
    for fmt in ("text", "markdown", "html"):
        text = zh(cli, "report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--format", fmt)
        assert "合格率" in text and "不合格" in text and "逾期待整改" in text, fmt
        assert not any(word in text for word in OLD_WORDS), fmt
