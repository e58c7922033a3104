"""Sync bundles through the real CLI: round trips, re-imports, damaged and hostile bundles, the reference bundle
and the offline re-check, every conflict kind. Real SQLite files and real bundle files in tmp_path."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from visit_helpers import FULL, answers_file, counts, record, rows, vdir  # noqa: F401


def sync(cli, db: Path, *args: str):
    return cli("--db", str(db), "sync", *args)


def export(cli, db: Path, out: Path, *args: str) -> dict:
    result = sync(cli, db, "export", "--output", str(out), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def import_(cli, db: Path, *bundles: Path) -> dict | list:
    result = sync(cli, db, "import", *map(str, bundles), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def facts(db: Path) -> dict:
    """Everything that travels, without local numbers: equal on two databases that hold the same facts."""
    from nanxian_cli.core.ids import revision_uid

    conn = sqlite3.connect(db)
    try:
        visits = sorted(conn.execute("SELECT id, school_code, checklist_hash, date, inspector, status, void_reason, "
                                     "n_pass, n_fail, n_na FROM visits WHERE status != 'draft'").fetchall())
        answers = sorted((vid, item, uid or revision_uid(vid, item, rev), base, value, outcome, note, at, current)
                         for vid, item, rev, uid, base, value, outcome, note, at, current in conn.execute(
                             "SELECT v.id, a.item_id, a.revision, a.uid, a.base, a.value, a.outcome, a.note, "
                             "a.recorded_at, a.is_current FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                             "WHERE v.status != 'draft'"))
        actions = sorted(conn.execute("SELECT uid, finding, kind, date, text, author, device, recorded_at "
                                      "FROM finding_actions").fetchall())
        # the findings the engine derives from those facts (a row kept only as local history — a finding shown
        # here before its visit was voided or its answer amended — is not derived and does not travel)
        findings = sorted(conn.execute("SELECT uid, school_code, point_key, opened, due, status, resolved_on, "
                                       "resolved_by_visit, recheck_count FROM findings WHERE derived = 1").fetchall())
    finally:
        conn.close()
    return {"visits": visits, "answers": answers, "actions": actions, "findings": findings}


def reports(cli, db: Path) -> tuple:
    summary = cli("--db", str(db), "report", "summary", "--from", "2020-01-01", "--to", "2020-12-31", "--format",
                              "json")
    listing = cli("--db", str(db), "finding", "list", "--as-of", "2020-12-31", "--format", "json")
    assert summary.exit_code == 0 and listing.exit_code == 0, (summary.output, listing.output)
    found = sorted(json.dumps({k: v for k, v in f.items() if k not in ("id",)}, sort_keys=True, ensure_ascii=False)
                    for f in json.loads(listing.stdout))
    return json.loads(summary.stdout), found


@pytest.fixture
def bureau(cli, vdir, db_path, tmp_path):  # noqa: F811
    """The bureau's database (the default one) with two visits at NX-001: one failing t-drill and t-class."""
    first = record(cli, tmp_path, {**FULL, "t-drill": "no", "t-class": 60}, name="v1.yaml", date="2020-10-05")
    second = record(cli, tmp_path, FULL, name="v2.yaml", school="NX-002", date="2020-10-06")
    return db_path, first["id"], second["id"]


# -- round trip ------------------------------------------------------------------------------------------


def test_round_trip_then_reimport_changes_nothing(cli, bureau, tmp_path):
    a, v1, _ = bureau
    b = tmp_path / "bureau-copy.db"
    out = tmp_path / "week45.nxb"
    manifest = export(cli, a, out)
    assert manifest["format"] == "nanxian-bundle" and manifest["version"] == 1
    assert manifest["counts"]["visit"] == 2 and manifest["counts"]["revision"] == 14
    assert out.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["manifest.json", "records.ndjson"]
        kinds = [json.loads(line)["kind"] for line in zf.read("records.ndjson").decode().splitlines()]
    # what a record refers to comes before it
    assert kinds.index("checklist") < kinds.index("school") < kinds.index("visit") < kinds.index("revision")
    first = import_(cli, b, out)
    assert first["new"]["visits"] == 2 and first["new"]["revisions"] == 14 and first["conflicts"] == []
    assert first["new_schools"] == ["NX-001", "NX-002"]
    assert facts(a) == facts(b)
    assert reports(cli, a)[1] == reports(cli, b)[1]
    before = counts(b)
    again = import_(cli, b, out)
    assert again["already_imported"] is True and counts(b) == before
    shown = sync(cli, b, "import", str(out))
    assert "already imported" in shown.stdout


def _tallies(db: Path) -> dict:
    """The counts an import writes beside the facts: per visit, per plan item of each visit, and the roll-ups."""
    return {
        "visits": rows(db, "SELECT id, n_pass, n_fail, n_na, n_info, w_pass, w_fail, n_critical_fail, n_items "
                           "FROM visits ORDER BY id"),
        "plan": rows(db, "SELECT v.id, p.plan_item, p.n_pass, p.n_fail, p.n_na, p.n_info, p.w_pass, p.w_fail, "
                         "p.n_critical_fail FROM visit_plan_counts p JOIN visits v ON v.seq = p.visit_seq "
                         "ORDER BY v.id, p.plan_item"),
        "rollups": rows(db, "SELECT * FROM visit_rollups ORDER BY period, school_code, checklist_hash"),
        "plan_rollups": rows(db, "SELECT * FROM plan_rollups ORDER BY period, school_code, plan_item, checklist_id"),
    }


def test_an_import_written_in_small_batches_holds_what_one_written_whole_holds(cli, bureau, tmp_path,
                                                                                  monkeypatch):
    """A new visit goes in with its counts once its answers are read; when the answer rows fill a batch in the
    middle of a visit, the visit goes in early and is counted again when its last answer is read. Either way
    the receiver holds the sender's facts, counts, roll-ups and findings."""
    from nanxian_cli.services import sync_apply

    a, v1, v2 = bureau
    record(cli, tmp_path, {**FULL, "t-class": 60}, name="v3.yaml", date="2020-11-05")  # re-checks NX-001
    assert cli("inspect", "amend", v1[:8], "t-class", "50", "--reason", "recounted", "--by", "李明").exit_code == 0
    assert cli("inspect", "void", v2[:8], "--reason", "wrong school", "--by", "李明").exit_code == 0
    listed = json.loads(cli("finding", "list", "--format", "json").stdout)
    assert cli("finding", "resolve", str(listed[0]["id"]), "--note", "drill held", "--date", "2020-11-20",
               "--by", "李明").exit_code == 0
    out = tmp_path / "all.nxb"
    export(cli, a, out, "--since", "all")
    whole, pieces = tmp_path / "whole.db", tmp_path / "pieces.db"
    first = import_(cli, whole, out)
    assert first["new"]["visits"] == 3
    monkeypatch.setattr(sync_apply, "ANSWER_BATCH", 3)
    assert import_(cli, pieces, out)["new"]["visits"] == 3
    # one visit held in memory at a time: each is put aside when the next is read, and read back for the void,
    # the re-check and the hand action that name it (as a city year's thousands of actions are)
    monkeypatch.setattr(sync_apply, "ANSWER_BATCH", 5000)
    monkeypatch.setattr(sync_apply, "VISITS_HELD", 1)
    aside = tmp_path / "aside.db"
    assert import_(cli, aside, out)["new"] == first["new"]
    assert facts(whole) == facts(pieces) == facts(aside) == facts(a)
    assert _tallies(whole) == _tallies(pieces) == _tallies(aside) == _tallies(a)
    assert reports(cli, whole) == reports(cli, pieces) == reports(cli, aside)
    assert reports(cli, whole)[1] == reports(cli, a)[1]  # the finding list (the summary counts the roster)


def test_since_last_sends_only_what_is_new_and_the_same_facts_again_are_skipped(cli, bureau, tmp_path):
    a, v1, _ = bureau
    b = tmp_path / "b.db"
    import_(cli, b, *[tmp_path / "w1.nxb"] if export(cli, a, tmp_path / "w1.nxb") else [])
    empty = export(cli, a, tmp_path / "w2.nxb")
    assert empty["counts"] == {}
    assert cli("inspect", "amend", v1[:8], "t-class", "50", "--reason", "recounted", "--by", "李明").exit_code == 0
    amended = export(cli, a, tmp_path / "w3.nxb")
    assert amended["counts"]["visit"] == 1 and amended["counts"]["revision"] == 8  # the visit whole, once more
    result = import_(cli, b, tmp_path / "w3.nxb")
    assert result["new"]["revisions"] == 1 and result["skipped"] >= 7
    everything = export(cli, a, tmp_path / "all.nxb", "--since", "all")
    assert everything["counts"]["visit"] == 2
    repeat = import_(cli, b, tmp_path / "all.nxb")
    assert repeat["already_imported"] is False and sum(repeat["new"].values()) == 0 and repeat["skipped"] > 0
    assert facts(a) == facts(b)
    # the amendment (60 -> 50, a pass) took back the t-class finding at both
    assert rows(b, "SELECT status FROM findings WHERE item_id = 't-class'") == [("withdrawn",)]


def test_export_refuses_the_database_and_a_wrong_name(cli, bureau, tmp_path):
    a, _, _ = bureau
    before = a.read_bytes()
    result = sync(cli, a, "export", "--output", str(a))
    assert result.exit_code == 2 and "database" in result.stderr
    result = sync(cli, a, "export", "--output", str(tmp_path / "x.zip"))
    assert result.exit_code == 2 and ".nxb" in result.stderr
    assert a.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


# -- damaged and hostile bundles ---------------------------------------------------------------------------


def _rewrite(src: Path, dst: Path, *, records: bytes | None = None, manifest: dict | None = None,
             extra: dict[str, bytes] | None = None, reseal: bool = True, fix_hashes: bool = False) -> None:
    """Copy a bundle, changing members; `reseal` recomputes the zip comment, `fix_hashes` the manifest's hashes
    (what a careful forger would do)."""
    with zipfile.ZipFile(src) as zf:
        old_records = zf.read("records.ndjson")
        old_manifest = json.loads(zf.read("manifest.json"))
        comment = zf.comment
    records = old_records if records is None else records
    manifest = old_manifest if manifest is None else manifest
    if fix_hashes:
        manifest = {**manifest, "members": {"records.ndjson": hashlib.sha256(records).hexdigest()}}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("records.ndjson", records)
        zf.writestr("manifest.json", text)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        zf.comment = (b"nanxian-bundle sha256=" + hashlib.sha256(text).hexdigest().encode()) if reseal else comment


@pytest.fixture
def bundle(cli, bureau, tmp_path) -> Path:
    out = tmp_path / "good.nxb"
    export(cli, bureau[0], out)
    return out


def _refused(cli, tmp_path, path: Path, *words: str) -> None:
    target = tmp_path / "target.db"
    if not target.exists():
        assert sync(cli, target, "status").exit_code == 1  # read-only: no database made
    result = sync(cli, target, "import", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    if target.exists():
        assert counts(target)["visits"] == 0 and rows(target, "SELECT count(*) FROM sync_bundles") == [(0,)]


def test_tampered_member_is_refused(cli, bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        records = zf.read("records.ndjson").replace(b'"outcome":"fail"', b'"outcome":"pass"', 1)
    bad = tmp_path / "tampered.nxb"
    _rewrite(bundle, bad, records=records)
    _refused(cli, tmp_path, bad, "records.ndjson does not match its sha256", "nothing was written")


def test_a_change_that_every_record_check_accepts_is_caught_by_the_hash_after_the_last_line(cli, bundle, tmp_path):
    """Records are hashed while they are applied (one pass): a bundle altered only in a way each record's checks
    accept (a later time on its last line) is still refused, and the transaction leaves nothing behind."""
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("records.ndjson").split(b"\n")
    last = max(i for i, line in enumerate(lines) if b'"recorded_at":"' in line)
    lines[last] = re.sub(rb'"recorded_at":"\d{4}', b'"recorded_at":"2099', lines[last], count=1)
    bad = tmp_path / "late.nxb"
    _rewrite(bundle, bad, records=b"\n".join(lines))
    _refused(cli, tmp_path, bad, "records.ndjson does not match its sha256", "nothing was written")


def test_tampered_manifest_is_refused(cli, bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    bad = tmp_path / "manifest.nxb"
    _rewrite(bundle, bad, manifest={**manifest, "device": {"id": "x", "name": "someone else"}}, reseal=False)
    _refused(cli, tmp_path, bad, "manifest.json was altered")
    forged = tmp_path / "counts.nxb"
    _rewrite(bundle, forged, manifest={**manifest, "counts": {**manifest["counts"], "visit": 1}})
    _refused(cli, tmp_path, forged, "do not match the manifest's counts")


def test_forged_outcome_is_refused_even_when_every_hash_is_recomputed(cli, bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        records = zf.read("records.ndjson").replace(b'"item":"t-drill","value":false,"outcome":"fail"',
                                                    b'"item":"t-drill","value":false,"outcome":"pass"', 1)
    assert b'"value":false,"outcome":"pass"' in records
    bad = tmp_path / "forged.nxb"
    _rewrite(bundle, bad, records=records, fix_hashes=True)
    _refused(cli, tmp_path, bad, "records.ndjson:", "outcome pass does not follow from the answer")


def test_truncated_zip_member_outside_and_newer_version_are_refused(cli, bundle, tmp_path):
    data = bundle.read_bytes()
    cut = tmp_path / "cut.nxb"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cli, tmp_path, cut, "not an intact nanxian bundle")
    outside = tmp_path / "outside.nxb"
    _rewrite(bundle, outside, extra={"../x": b"escape"})
    _refused(cli, tmp_path, outside, "unexpected member '../x'")
    assert not (tmp_path.parent / "x").exists()
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    newer = tmp_path / "newer.nxb"
    _rewrite(bundle, newer, manifest={**manifest, "version": 2})
    _refused(cli, tmp_path, newer, "bundle format version 2 is newer")
    _refused(cli, tmp_path, Path("/dev/zero"), "not a regular file")
    text = tmp_path / "notes.nxb"
    text.write_text("hello", encoding="utf-8")
    _refused(cli, tmp_path, text, "not an intact nanxian bundle")


def _revision_run(lines: list[bytes]) -> list[int]:
    """The indexes of the revision lines of the first visit that has four or more."""
    runs: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if line.startswith(b'{"kind":"revision"'):
            runs.setdefault(json.loads(line)["visit"], []).append(i)
    return next(run for run in runs.values() if len(run) >= 4)


def test_lines_that_only_parse_when_joined_are_refused_with_their_line(cli, bundle, tmp_path):
    """A visit's revision lines are parsed in one pass over their joined text; lines that would make sense only
    together (a value spread over two lines, two records on one line, the line counts still adding up) are
    parsed one by one, and the first that is not a JSON value is named."""
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("records.ndjson").split(b"\n")
    first, second, third, fourth = _revision_run(lines)[:4]
    head, _, rest = lines[second].partition(b'"value":')
    value_end = rest.index(b',"outcome"')
    # the second line opens a list the third closes; the third's own record rides on the fourth line
    lines[second], old_third = head + b'"value":[1,', lines[third]
    lines[third] = b"2]" + rest[value_end:]
    lines[fourth] = old_third + lines[fourth]
    joined = tmp_path / "joined.nxb"
    _rewrite(bundle, joined, records=b"\n".join(lines), fix_hashes=True)
    _refused(cli, tmp_path, joined, f"records.ndjson:{second + 1}", "not JSON")


def test_a_revision_line_with_spaces_around_it_is_read_as_before(cli, bundle, tmp_path):
    """A line with spaces after its record is still one JSON value: read alone, as every line was before runs
    were read in one pass, it imports the same facts."""
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("records.ndjson").split(b"\n")
    for i in _revision_run(lines)[1:3]:
        lines[i] = lines[i] + b"  "
    spaced = tmp_path / "spaced.nxb"
    _rewrite(bundle, spaced, records=b"\n".join(lines), fix_hashes=True)
    plain, other = tmp_path / "plain.db", tmp_path / "other.db"
    import_(cli, plain, bundle)
    import_(cli, other, spaced)
    assert facts(plain) == facts(other)


def test_parse_lines_takes_only_lines_that_are_each_one_value():
    from nanxian_cli.files.bundles import parse_lines

    assert parse_lines([b'{"a":1}', b'{"b":[2,3]}']) == [{"a": 1}, {"b": [2, 3]}]
    assert parse_lines([b'{"a":[1,', b'2]}']) is None  # a value over two lines
    assert parse_lines([b'{"a":1}{"b":2}', b'{"c":3}']) is None  # two values on one line
    assert parse_lines([b'{"a":[1,', b'2]}', b'{"c":3}{"d":4}']) is None  # the counts add up; still refused
    assert parse_lines([b'{"a":1} ', b'{"b":2}']) is None  # a space: the line is read alone
    assert parse_lines([b'{"a":"\xff"}']) is None  # not UTF-8
    assert parse_lines([b'{"a":"x', b'y"}']) is None  # a text over two lines
    assert parse_lines([b'']) is None


def test_zip_bomb_is_refused_before_it_is_expanded(cli, bundle, tmp_path):
    bomb = tmp_path / "bomb.nxb"
    _rewrite(bundle, bomb, records=b"\n" * (64 * 1024 * 1024), fix_hashes=True)
    assert bomb.stat().st_size < 1024 * 1024
    _refused(cli, tmp_path, bomb, "expands too much")


def test_a_bad_record_names_its_line_and_nothing_is_written(cli, bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        lines = zf.read("records.ndjson").decode().splitlines()
    visit_line = next(i for i, line in enumerate(lines) if '"kind":"visit"' in line)
    record = json.loads(lines[visit_line])
    record["date"] = 20201005
    lines[visit_line] = json.dumps(record, ensure_ascii=False)
    bad = tmp_path / "badtype.nxb"
    _rewrite(bundle, bad, records=("\n".join(lines) + "\n").encode(), fix_hashes=True)
    _refused(cli, tmp_path, bad, f"records.ndjson:{visit_line + 1}", "visit.date", "wrong type")
    record["date"] = "2020-10-05"
    record["note"] = "[bold]x[/bold]"
    lines[visit_line] = json.dumps(record, ensure_ascii=False)
    extra = tmp_path / "extra.nxb"
    _rewrite(bundle, extra, records=("\n".join(lines) + "\n").encode(), fix_hashes=True)
    _refused(cli, tmp_path, extra, "has no field note")


def test_the_summary_of_a_first_import_names_a_few_new_schools_and_counts_them_all(cli, bureau, tmp_path):
    """A bureau's roster arriving whole on a new laptop: the terminal names ten schools and says how many came;
    the JSON lists every one."""
    a, _, _ = bureau
    more = tmp_path / "more.yaml"
    more.write_text("".join(f"- {{code: NX-1{n:02d}, name: 学校{n}, town: 南洲镇, stages: primary}}\n"
                            for n in range(12)), encoding="utf-8")
    assert cli("--db", str(a), "school", "import", str(more)).exit_code == 0
    ref = tmp_path / "reference.nxb"
    assert export(cli, a, ref, "--reference")["counts"]["school"] == 17
    shown = sync(cli, tmp_path / "laptop.db", "import", str(ref))
    assert shown.exit_code == 0, shown.output
    line = next(x for x in shown.stdout.splitlines() if x.startswith("schools new here"))
    assert line == ("schools new here (17): NX-001, NX-002, NX-003, NX-004, NX-005, NX-100, NX-101, NX-102, "
                    "NX-103, NX-104 and 7 more (--format json lists all)")
    zh = cli("--lang", "zh", "--db", str(tmp_path / "laptop-zh.db"), "sync", "import", str(ref))
    assert "新增的学校（17 所）：NX-001, NX-002" in zh.stdout and "等（--format json 列出全部）" in zh.stdout
    listed = import_(cli, tmp_path / "laptop-json.db", ref)
    assert len(listed["new_schools"]) == 17 and listed["new_schools"][-1] == "NX-111"


# -- the reference bundle and the offline re-check ---------------------------------------------------------


def test_reference_bundle_lets_a_laptop_recheck_offline_and_the_recheck_resolves_at_the_bureau(cli, bureau, tmp_path):
    a, v1, _ = bureau
    laptop = tmp_path / "laptop.db"
    assert cli("inspector", "assign", "李明", "NX-001").exit_code == 0
    ref = tmp_path / "reference.nxb"
    manifest = export(cli, a, ref, "--reference")
    assert manifest["reference"] is True and manifest["counts"]["school"] == 5
    got = import_(cli, laptop, ref)
    assert got["new"]["assignments"] == 1 and got["new"]["schools"] == 5
    open_at_bureau = rows(a, "SELECT uid, item_id, status, due FROM findings WHERE status = 'open' ORDER BY uid")
    assert rows(laptop, "SELECT uid, item_id, status, due FROM findings WHERE status = 'open' ORDER BY uid") == \
        open_at_bureau
    assert len(open_at_bureau) == 2
    # offline: the laptop's next visit of NX-001 passes both points: the re-check resolves them there
    path = answers_file(tmp_path, FULL, name="recheck.yaml", date="2020-11-09")
    result = cli("--db", str(laptop), "inspect", "visit", "--answers", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    recheck = json.loads(result.stdout)["id"]
    assert rows(laptop, "SELECT count(*) FROM findings WHERE status = 'open'") == [(0,)]
    # back at the bureau
    back = tmp_path / "laptop-week46.nxb"
    sent = export(cli, laptop, back)
    # its first export: what it made and what it imported (the reference's visit of NX-001), so it can pass on
    assert sent["counts"]["visit"] == 2
    result = import_(cli, a, back)
    assert result["new"]["visits"] == 1 and result["skipped"] > 0
    assert rows(a, "SELECT status, resolved_by_visit FROM findings ORDER BY uid") == [("resolved", recheck)] * 2


# -- conflicts -------------------------------------------------------------------------------------------


def amend(cli, db: Path, visit: str, value: str, reason: str) -> None:
    """Amend the visit's t-class answer on one database, as 李明."""
    result = cli("--db", str(db), "inspect", "amend", visit[:8], "t-class", value, "--reason", reason, "--by", "李明")
    assert result.exit_code == 0, result.output


def _pair(cli, bureau, tmp_path) -> tuple[Path, Path]:
    a = bureau[0]
    b = tmp_path / "b.db"
    import_(cli, b, tmp_path / "ref.nxb") if export(cli, a, tmp_path / "ref.nxb", "--reference") else None
    import_(cli, b, tmp_path / "a0.nxb") if export(cli, a, tmp_path / "a0.nxb") else None
    return a, b


def _exchange(cli, x: Path, y: Path, tmp_path: Path, tag: str) -> None:
    export(cli, x, tmp_path / f"{tag}-x.nxb")
    export(cli, y, tmp_path / f"{tag}-y.nxb")
    import_(cli, y, tmp_path / f"{tag}-x.nxb")
    import_(cli, x, tmp_path / f"{tag}-y.nxb")


def test_parallel_edits_are_both_kept_reported_and_resolvable(cli, bureau, tmp_path):
    a, b = _pair(cli, bureau, tmp_path)
    v1 = bureau[1]
    amend(cli, a, v1, "58", "recount A")
    amend(cli, b, v1, "52", "recount B")
    _exchange(cli, a, b, tmp_path, "p")
    assert facts(a) == facts(b)
    listed = json.loads(sync(cli, a, "conflicts", "--format", "json").stdout)
    assert [c["kind"] for c in listed] == ["parallel-edit"]
    assert json.loads(sync(cli, b, "conflicts", "--format", "json").stdout)[0]["detail"] == listed[0]["detail"]
    # the later edit (B's) is current on both
    current = rows(a, "SELECT a.value FROM answers a JOIN visits v ON v.seq = a.visit_seq WHERE v.id = ? AND "
                      "a.item_id = 't-class' AND a.is_current = 1", (v1,))
    assert current == [("52",)]
    a_rev = next(u for u in listed[0]["detail"]["revisions"]
                 if rows(a, "SELECT value FROM answers WHERE uid = ?", (u,)) == [("58",)])
    bad = sync(cli, a, "resolve", str(listed[0]["id"]), "--keep", "zzzzzzzz", "--reason", "x", "--by", "李明")
    assert bad.exit_code == 2 and "not one of the revisions" in bad.stderr
    done = sync(cli, a, "resolve", str(listed[0]["id"]), "--keep", a_rev[:8], "--reason", "school's register",
                "--by", "李明")
    assert done.exit_code == 0, done.output
    assert json.loads(sync(cli, a, "conflicts", "--format", "json").stdout) == []
    _exchange(cli, a, b, tmp_path, "q")
    assert facts(a) == facts(b)
    assert rows(b, "SELECT a.value FROM answers a JOIN visits v ON v.seq = a.visit_seq WHERE v.id = ? AND "
                   "a.item_id = 't-class' AND a.is_current = 1", (v1,)) == [("58",)]


def _without(data, key: str):
    if isinstance(data, dict):
        return {k: _without(v, key) for k, v in data.items() if k != key}
    if isinstance(data, list):
        return [_without(v, key) for v in data]
    return data


def test_after_parallel_edits_every_report_reads_the_current_revision(cli, bureau, tmp_path):
    """A's edit (a pass) was made first, B's (a failure) later: B's is current on both databases. On B's database
    A's edit arrives last and gets the higher revision number; `report item` and `report visit` show the current
    revision there too, as the counts do, so both databases print the same reports."""
    a, b = _pair(cli, bureau, tmp_path)
    v1 = bureau[1]
    amend(cli, a, v1, "50", "recount A")
    amend(cli, b, v1, "58", "recount B")
    _exchange(cli, a, b, tmp_path, "p")
    numbers = rows(b, "SELECT a.value, a.revision, a.is_current FROM answers a JOIN visits v ON v.seq = a.visit_seq "
                      "WHERE v.id = ? AND a.item_id = 't-class' ORDER BY a.revision", (v1,))
    assert numbers == [("60", 1, 0), ("58", 2, 1), ("50", 3, 0)]  # the current one is not the highest number here
    period = ("--from", "2020-10-01", "--to", "2020-10-31", "--format", "json")
    for args in (("report", "item", "4", *period), ("report", "visit", v1, "--format", "json"),
                 ("report", "summary", *period)):
        on_a, on_b = (cli("--db", str(db), *args) for db in (a, b))
        assert on_a.exit_code == 0 and on_b.exit_code == 0, (on_a.output, on_b.output)
        # revision numbers are each database's own (the order the revisions arrived in); everything else is equal
        assert _without(json.loads(on_a.stdout), "revision") == _without(json.loads(on_b.stdout), "revision"), args
    item = cli("--db", str(b), "report", "item", "4", *period).stdout
    assert '"58"' in item or ": 58" in item  # the failing class of 58 is listed, not A's passing 50


def test_void_against_amendment_the_void_stands(cli, bureau, tmp_path):
    a, b = _pair(cli, bureau, tmp_path)
    v1 = bureau[1]
    amend(cli, b, v1, "52", "recount")
    assert cli("--db", str(a), "inspect", "void", v1[:8], "--reason", "wrong school", "--by", "李明").exit_code == 0
    _exchange(cli, a, b, tmp_path, "v")
    assert facts(a) == facts(b)
    assert rows(a, "SELECT status FROM visits WHERE id = ?", (v1,)) == [("void",)]
    listed = json.loads(sync(cli, a, "conflicts", "--all", "--format", "json").stdout) + \
        json.loads(sync(cli, b, "conflicts", "--all", "--format", "json").stdout)
    assert {c["kind"] for c in listed} == {"void-amend"}
    assert all(c["settlement"] == "void stands" for c in listed)


def test_a_fact_whose_base_has_not_arrived_is_held_then_applied(cli, bureau, tmp_path):
    a, b = _pair(cli, bureau, tmp_path)
    c = tmp_path / "c.db"
    export(cli, b, tmp_path / "b0.nxb")
    finding = rows(b, "SELECT id FROM findings WHERE item_id = 't-drill'")[0][0]
    assert cli("--db", str(b), "finding", "resolve", str(finding), "--note", "drill held", "--date", "2020-10-20",
               "--by", "李明").exit_code == 0
    export(cli, b, tmp_path / "b1.nxb")  # the action only: B sent its visits in b0
    first = import_(cli, c, tmp_path / "b1.nxb")
    assert first["held"] >= 1 and first["new"]["events"] == 0
    status = json.loads(sync(cli, c, "status", "--format", "json").stdout)
    assert len(status["held"]) >= 1 and status["open_conflicts"] >= 1
    second = import_(cli, c, tmp_path / "a0.nxb")  # the visit arrives
    assert second["released"] >= 1
    assert rows(c, "SELECT count(*) FROM sync_held") == [(0,)]
    assert rows(c, "SELECT status FROM findings WHERE item_id = 't-drill'") == [("resolved",)]
    assert json.loads(sync(cli, c, "conflicts", "--format", "json").stdout) == []


def test_same_visit_with_a_different_header_keeps_the_local_one(cli, bureau, tmp_path):
    a, b = _pair(cli, bureau, tmp_path)
    src = tmp_path / "a0.nxb"
    with zipfile.ZipFile(src) as zf:
        lines = zf.read("records.ndjson").decode().splitlines()
        manifest = json.loads(zf.read("manifest.json"))
    changed = [line.replace('"date":"2020-10-05"', '"date":"2020-10-07"') for line in lines]
    forged = tmp_path / "header.nxb"
    _rewrite(src, forged, records=("\n".join(changed) + "\n").encode(),
             manifest={**manifest, "bundle": "11111111-2222-3333-4444-555555555555"}, fix_hashes=True)
    before = facts(b)
    result = import_(cli, b, forged)
    assert [c["kind"] for c in result["conflicts"]] == ["visit-header"]
    assert result["conflicts"][0]["fields"] == {"date": {"here": "2020-10-05", "bundle": "2020-10-07"}}
    assert facts(b) == before
    shown = sync(cli, b, "conflicts")
    assert "2020-10-05" in shown.stdout and "2020-10-07" in shown.stdout


def test_status_without_a_database_creates_nothing(cli, tmp_path):
    target = tmp_path / "none.db"
    result = sync(cli, target, "status")
    assert result.exit_code == 1 and not target.exists()


def test_a_school_that_differs_keeps_the_receivers_details_and_says_so(cli, bureau, tmp_path, roster_file):
    a, b = _pair(cli, bureau, tmp_path)
    roster_file.write_text(roster_file.read_text(encoding="utf-8").replace("town: 南洲镇, stages: primary",
                                                                           "town: 华阁镇, stages: primary"),
                           encoding="utf-8")
    assert cli("--db", str(a), "school", "import", str(roster_file)).exit_code == 0
    result = import_(cli, b, tmp_path / "r2.nxb") if export(cli, a, tmp_path / "r2.nxb", "--reference") else None
    assert result["school_differences"] == [
        {"school": "NX-001", "fields": {"town": {"here": "南洲镇", "bundle": "华阁镇"}}}]
    assert rows(b, "SELECT town FROM schools WHERE code = 'NX-001'") == [("南洲镇",)]
    shown = sync(cli, b, "import", str(tmp_path / "r2.nxb"))
    assert "already imported" in shown.stdout


def test_round_trip_end_to_end_in_real_processes(bureau, tmp_path):
    """The command users run, in its own processes: export, import elsewhere, the same numbers."""
    import os
    import subprocess
    import sys

    a, _, _ = bureau
    b = tmp_path / "e2e.db"
    out = tmp_path / "e2e.nxb"
    env = dict(os.environ)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nanxian_cli", *args], capture_output=True, env=env, timeout=120)

    made = run("--db", str(a), "sync", "export", "--output", str(out))
    assert made.returncode == 0, made.stderr.decode()
    assert "Wrote bundle" in made.stdout.decode() and "2 visit(s)" in made.stdout.decode()
    got = run("--db", str(b), "sync", "import", str(out), "--format", "json")
    assert got.returncode == 0, got.stderr.decode()
    assert json.loads(got.stdout)["new"]["visits"] == 2
    status = run("--db", str(b), "sync", "status", "--format", "json")
    assert json.loads(status.stdout)["imported"][0]["counts"]["visits"] == 2
    bad = run("--db", str(b), "sync", "import", str(tmp_path / "missing.nxb"))
    assert bad.returncode == 2 and b"file not found" in bad.stderr


def test_an_older_database_upgraded_exports_everything_it_holds(cli, bureau, tmp_path):
    """A database made before sync (schema 7): its visits have no change mark; the first export sends them all."""
    a, _, _ = bureau
    conn = sqlite3.connect(a)
    conn.execute("UPDATE visits SET changed = NULL")
    conn.commit()
    conn.close()
    manifest = export(cli, a, tmp_path / "old.nxb")
    assert manifest["counts"]["visit"] == 2 and manifest["since"] == "all"
    assert export(cli, a, tmp_path / "next.nxb")["counts"] == {}


def test_a_notice_travels_with_its_number(cli, bureau, tmp_path):
    a, v1, _ = bureau
    issued = cli("--db", str(a), "report", "notice", v1[:8], "--format", "json")
    assert issued.exit_code == 0, issued.output
    number = json.loads(issued.stdout)["number"]
    b = tmp_path / "bureau2.db"
    got = import_(cli, b, tmp_path / "n.nxb") if export(cli, a, tmp_path / "n.nxb") else None
    assert got["new"]["notices"] == 1
    assert rows(b, "SELECT uid, number, year, n FROM notices") == rows(a, "SELECT uid, number, year, n FROM notices")
    again = cli("--db", str(b), "report", "notice", v1[:8], "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["number"] == number
    # issued after the last export: the next bundle carries it once more, and it is skipped
    later = import_(cli, b, tmp_path / "n2.nxb") if export(cli, a, tmp_path / "n2.nxb") else None
    assert later["new"]["notices"] == 0


def test_a_database_made_between_releases_is_upgraded_by_the_names_in_its_log(cli, bureau):
    """Migrations are applied by name: a database that got m010 before m009 existed (user_version counting
    m010 as the 9th) gets m009 and is not given m010 a second time."""
    a, _, _ = bureau
    conn = sqlite3.connect(a)
    conn.execute("DROP TABLE notices")
    conn.execute("DELETE FROM schema_migrations WHERE name = 'm009_notices'")
    conn.execute("PRAGMA user_version = 10")
    conn.commit()
    conn.close()
    result = cli("--db", str(a), "sync", "status")
    assert result.exit_code == 0, result.output
    names = [r[0] for r in rows(a, "SELECT name FROM schema_migrations ORDER BY name")]
    assert "m009_notices" in names and names.count("m010_school_inclusive") == 1
    assert rows(a, "SELECT count(*) FROM notices") == [(0,)]


# -- the check of a revision record (the common case has a path of its own) ---------------------------------

_REVISION = {"kind": "revision", "uid": "4856afd7-877c-5fe4-add3-1ff72b74647d", "base": None,
             "visit": "ee98f449-e331-4839-bd7b-1219d1739b9a", "item": "t-drill", "value": True, "outcome": "pass",
             "note": None, "reason": None, "author": "李明", "device": "e9aaa329-ba87-4f96-87ef-7d7ad50fe2a4",
             "recorded_at": "2026-12-02T04:01:07.958779+00:00", "fixed_on_site": False}


def test_the_revision_check_reads_every_field_of_a_revision():
    from nanxian_cli.files.bundle_records import (
        RECORD_FIELDS,
        REVISION_OPTIONAL_FIELDS,
        REVISION_TEXT_FIELDS,
    )

    assert {"kind", "value", "fixed_on_site", *REVISION_TEXT_FIELDS, *REVISION_OPTIONAL_FIELDS} == \
        {"kind", *RECORD_FIELDS["revision"]}


@pytest.mark.parametrize("change", [
    {"uid": 5}, {"visit": None}, {"item": ["t-drill"]}, {"outcome": True}, {"device": 1.5}, {"recorded_at": {}},
    {"base": 0}, {"note": False}, {"reason": 7}, {"author": ["李明"]}, {"fixed_on_site": 0},
    {"fixed_on_site": None}, {"note": "bell\x07"}, {"author": "a\x00b"}, {"item": "t\x9fdrill"},
    {"note": "x\ud800"}, {"note": "长" * 20001}, {"extra": 1},
], ids=repr)
def test_a_wrong_field_of_a_revision_is_refused_with_its_name(change):
    from nanxian_cli.errors import InputError
    from nanxian_cli.files.bundle_records import check_record

    record = {**_REVISION, **change}
    with pytest.raises(InputError) as caught:
        check_record(record, "b.nxb: records.ndjson:7")
    text = str(caught.value)
    assert "records.ndjson:7" in text
    assert next(iter(change)) in text


@pytest.mark.parametrize("field", ["uid", "base", "visit", "item", "value", "outcome", "note", "reason", "author",
                                   "device", "recorded_at", "fixed_on_site"])
def test_a_revision_missing_a_field_is_refused(field):
    from nanxian_cli.errors import InputError
    from nanxian_cli.files.bundle_records import check_record

    record = {k: v for k, v in _REVISION.items() if k != field}
    with pytest.raises(InputError, match=f"field {field} is missing|{field}"):
        check_record(record, "b.nxb: records.ndjson:7")


@pytest.mark.parametrize("note", [None, "", "走廊\u3000有积水", "无障碍\u00a0通道", "第一行\n第二行\t完", "长" * 5000])
def test_a_revision_with_any_proper_text_is_taken(note):
    from nanxian_cli.files.bundle_records import check_record

    record = {**_REVISION, "note": note}
    assert check_record(record, "b.nxb: records.ndjson:7") is record
