"""A report whose period holds no visit says so (issue 17 point 8): the latest visit and the --from/--to to try, on
stderr; the JSON stays as it was (empty lists, the same keys)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from visit_helpers import FULL, record, vdir  # noqa: F401


def this_school_year() -> tuple[str, str]:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return start.isoformat(), today.isoformat()


def test_the_default_period_without_visits_points_to_the_latest(cli, vdir, tmp_path):
    record(cli, tmp_path, FULL, date="2020-11-02")
    start, end = this_school_year()
    hint = "--from 2020-09-01 --to 2020-11-02"
    for args in (("summary",), ("matrix",), ("item", "21"), ("school", "NX-001"), ("summary", "--town", "南洲镇")):
        result = cli("report", *args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stderr.strip() == (f"Note: no visits between {start} and {end}; the latest visit is on "
                                         f"2020-11-02. Choose the period with --from/--to, e.g. {hint}"), args
    result = cli("--lang", "zh", "report", "summary")
    assert result.stderr.strip() == (f"注意：{start} 至 {end} 没有督导记录；最近一次督导在 2020-11-02。"
                                     f"可用 --from/--to 指定期间，例如 {hint}")
    # the JSON is what it was: no note, empty rows, every key
    result = cli("report", "summary", "--format", "json")
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["totals"]["visits"] == 0 and data["period"] == {"from": start, "to": end}
    # the period the note suggests holds the visit, and says nothing more
    result = cli("report", "summary", *hint.split())
    assert result.exit_code == 0 and result.stderr == ""
    assert "南洲实验小学" in result.stdout


def test_filters_that_never_saw_a_visit(cli, vdir, tmp_path):
    record(cli, tmp_path, FULL, date="2020-11-02")
    result = cli("report", "school", "NX-002", "--from", "2020-09-01", "--to", "2020-12-31")
    assert result.exit_code == 0
    assert result.stderr.strip() == ("Note: no visits between 2020-09-01 and 2020-12-31; none has been recorded for "
                                     "these filters yet.")
    result = cli("report", "summary", "--town", "华阁镇", "--from", "2020-09-01", "--to", "2020-12-31")
    assert "none has been recorded for these filters yet" in result.stderr
