"""Evidence travels in bundles: the files as members named by their hash, restored byte-identical; descriptions
without GPS; links held until what they show arrives; a member whose content is not its name is refused; the
reference bundle carries the evidence of open findings; an import that fails leaves no file behind."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from evidence_helpers import GPS_TEXT, db_state, docx, evidence_folder, folder_state, jpeg, pdf
from test_sync import export, facts, import_, sync
from visit_helpers import FULL, record, rows, vdir  # noqa: F401


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in evidence_folder(db).rglob("*") if p.is_file()}


def listed(cli, db: Path) -> list[dict]:
    result = cli("--db", db, "evidence", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(json.loads(result.stdout), key=lambda f: f["sha256"])


@pytest.fixture
def laptop(cli, vdir, db_path, tmp_path):  # noqa: F811
    """A laptop's database: a visit failing t-drill with a photo on that point, a 整改报告 (docx) on its finding,
    and a passing visit elsewhere with a PDF."""
    visit = record(cli, tmp_path, {**FULL, "t-drill": "no"}, name="v1.yaml", date="2020-10-05")["id"]
    other = record(cli, tmp_path, FULL, name="v2.yaml", school="NX-002", date="2020-10-06")["id"]
    photo, report, plan = jpeg(tmp_path / "drill.jpg"), docx(tmp_path / "整改报告.docx"), pdf(tmp_path / "plan.pdf")
    assert cli("evidence", "add", visit[:8], "t-drill", str(photo), "--caption", "无演练记录").exit_code == 0
    assert cli("evidence", "add", other[:8], "t-remarks", str(plan)).exit_code == 0
    assert cli("finding", "report", "1", "--measures", "已演练", "--date", "2020-10-20", "--by", "李明",
               "--evidence", str(report)).exit_code == 0
    return {"db": db_path, "visit": visit, "other": other, "photo": photo, "report": report, "plan": plan}


def test_a_bundle_round_trip_restores_every_file_byte_identical(cli, laptop, tmp_path):
    a = laptop["db"]
    bundle = tmp_path / "week.nxb"
    manifest = export(cli, a, bundle, "--since", "all")
    shas = {sha(laptop[k]) for k in ("photo", "report", "plan")}
    assert manifest["counts"]["evidence"] == 3 and manifest["counts"]["evidence_link"] == 3
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        records = zf.read("records.ndjson").decode("utf-8")
    assert names == {"manifest.json", "records.ndjson"} | {f"evidence/{s}" for s in shas}
    assert {f"evidence/{s}" for s in shas} <= set(manifest["members"])
    assert all(manifest["members"][f"evidence/{s}"] == s for s in shas)
    assert "gps" not in records and not any(g in records for g in GPS_TEXT)
    b = tmp_path / "bureau.db"
    got = import_(cli, b, bundle)
    assert got["new"]["evidence"] == 3 and got["new"]["evidence_links"] == 3
    assert stored(b) == stored(a) and set(stored(b)) == shas
    assert all(stored(b)[s] == laptop[k].read_bytes() for k in ("photo", "report", "plan") for s in [sha(laptop[k])])
    for f in evidence_folder(b).rglob("*"):
        assert (f.stat().st_mode & 0o777) == (0o600 if f.is_file() else 0o700)
    assert listed(cli, b) == listed(cli, a)
    assert facts(b) == facts(a)
    finding = json.loads(cli("--db", b, "finding", "show", "1", "--format", "json").stdout)
    assert finding["evidence"] == [sha(laptop["photo"]), sha(laptop["report"])]
    # GPS stays private in the bundle, yet the receiving database has it from the file itself
    assert rows(b, "SELECT gps_lat IS NOT NULL FROM evidence WHERE sha256 = ?", (sha(laptop["photo"]),)) == [(1,)]
    verified = cli("--db", b, "evidence", "verify", "--format", "json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["files"] == 3
    # again: nothing new, nothing written
    before, files = db_state(b), folder_state(b)
    again = tmp_path / "again.nxb"
    export(cli, a, again, "--since", "all")
    repeat = import_(cli, b, again)
    assert repeat["new"]["evidence"] == 0 and repeat["new"]["evidence_links"] == 0
    assert folder_state(b) == files
    assert db_state(b)["evidence"] == before["evidence"] and db_state(b)["evidence_links"] == before["evidence_links"]
    # and back: the laptop already has everything
    back = tmp_path / "back.nxb"
    export(cli, b, back, "--since", "all")
    home = import_(cli, a, back)
    assert home["new"]["evidence"] == 0 and home["new"]["evidence_links"] == 0


def test_evidence_added_later_to_an_old_visit_travels_with_since_last(cli, laptop, tmp_path):
    a, b = laptop["db"], tmp_path / "bureau.db"
    first = tmp_path / "first.nxb"
    export(cli, a, first)
    import_(cli, b, first)
    later = jpeg(tmp_path / "later.jpg", colour=(1, 2, 3))
    assert cli("evidence", "add", laptop["other"][:8], "t-class", str(later)).exit_code == 0
    second = tmp_path / "second.nxb"
    manifest = export(cli, a, second)
    assert manifest["counts"].get("evidence") == 2  # the visit is sent whole, with its files
    got = import_(cli, b, second)
    assert got["new"]["evidence"] == 1 and got["new"]["evidence_links"] == 1
    assert stored(b) == stored(a)
    since_day = tmp_path / "day.nxb"
    assert "evidence" in export(cli, a, since_day, "--since", "2020-12-01")["counts"]


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy a bundle, changing its members with `change(name, data) -> (name, data) | None`; the manifest's
    hashes are made to fit and the bundle sealed again, so only the check of a member's name can catch it."""
    with zipfile.ZipFile(source) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
        manifest = json.loads(zf.read("manifest.json"))
    out: dict[str, bytes] = {}
    for name, data in members.items():
        changed = change(name, data)
        if changed is not None:
            out[changed[0]] = changed[1]
    manifest["members"] = {n: hashlib.sha256(d).hexdigest() for n, d in out.items()}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in out.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", text)
        zf.comment = b"nanxian-bundle sha256=" + hashlib.sha256(text).hexdigest().encode()


@pytest.mark.parametrize("how", ["content swapped", "name not a hash", "uppercase hash", "path outside",
                                 "member without record", "record without member"])
def test_a_damaged_or_hostile_evidence_member_is_refused_and_nothing_is_written(cli, laptop, tmp_path, how):
    bundle, bad = tmp_path / "week.nxb", tmp_path / "bad.nxb"
    export(cli, laptop["db"], bundle, "--since", "all")
    photo = f"evidence/{sha(laptop['photo'])}"
    extra = b"\xff\xd8\xff" + b"x" * 100

    def change(name: str, data: bytes):
        if name != photo:
            return name, data
        return {"content swapped": (name, laptop["plan"].read_bytes()),
                "name not a hash": ("evidence/photo.jpg", data),
                "uppercase hash": (name.upper().replace("EVIDENCE", "evidence"), data),
                "path outside": ("../" + name, data),
                "member without record": None,
                "record without member": None}[how]

    _rewrite(bundle, bad, change)
    if how == "member without record":
        _rewrite(bundle, bad, lambda n, d: (n, d))
        with zipfile.ZipFile(bad, "a") as zf:
            zf.writestr(f"evidence/{hashlib.sha256(extra).hexdigest()}", extra)
        _rewrite(bad, bad, lambda n, d: (n, d))
    b = tmp_path / "bureau.db"
    assert cli("--db", b, "inspector", "add", "李明").exit_code == 0
    before, files = db_state(b), folder_state(b)
    result = sync(cli, b, "import", str(bad))
    assert result.exit_code == 2, result.output
    words = {"content swapped": "does not match its name",
             "name not a hash": "unexpected member 'evidence/photo.jpg'",
             "uppercase hash": "unexpected member",
             "path outside": "unexpected member '../evidence/",
             "member without record": "is described by no record",
             "record without member": "the bundle does not carry the file"}[how]
    assert words in result.stderr and "nothing was written" in result.stderr
    assert db_state(b) == before and folder_state(b) == files == {}


def test_the_reference_bundle_carries_the_evidence_of_open_findings(cli, laptop, tmp_path):
    a = laptop["db"]
    # a second finding, resolved, with its own photo: not carried
    visit = record(cli, tmp_path, {**FULL, "t-homework": "heavy"}, name="v3.yaml", school="NX-005",
                   date="2020-10-07")["id"]
    gone = jpeg(tmp_path / "homework.jpg", colour=(9, 9, 9))
    assert cli("evidence", "add", visit[:8], "t-homework", str(gone)).exit_code == 0
    resolved = json.loads(cli("finding", "list", "--school", "NX-005", "--format", "json").stdout)[0]["id"]
    done = cli("finding", "resolve", str(resolved), "--note", "ok", "--date", "2020-10-20", "--by", "李明")
    assert done.exit_code == 0, done.output
    reference = tmp_path / "reference.nxb"
    export(cli, a, reference, "--reference")
    with zipfile.ZipFile(reference) as zf:
        carried = {n.removeprefix("evidence/") for n in zf.namelist() if n.startswith("evidence/")}
    assert carried == {sha(laptop["photo"]), sha(laptop["report"])}
    other_laptop = tmp_path / "laptop2.db"
    import_(cli, other_laptop, reference)
    finding = json.loads(cli("--db", other_laptop, "finding", "show", "1", "--format", "json").stdout)
    assert finding["evidence"] == [sha(laptop["photo"]), sha(laptop["report"])]
    assert set(stored(other_laptop)) == carried


def test_a_link_whose_action_has_not_arrived_is_held_then_applied(cli, laptop, tmp_path):
    """The 整改报告's file travels in a bundle whose action waits for the visit that opened the finding."""
    a = laptop["db"]
    full = tmp_path / "full.nxb"
    export(cli, a, full, "--since", "all")
    with zipfile.ZipFile(full) as zf:
        lines = [json.loads(line) for line in zf.read("records.ndjson").decode("utf-8").splitlines()]
    # a bundle of only the action and its evidence, without the visits: the action and its link wait
    keep = {"checklist", "school", "inspector", "action", "evidence", "evidence_link"}
    report = sha(laptop["report"])
    partial = tmp_path / "partial.nxb"

    def only_action(name: str, data: bytes):
        if name == "records.ndjson":
            chosen = [r for r in lines if r["kind"] in keep and (r["kind"] not in ("evidence", "evidence_link")
                                                                 or r["sha256"] == report)]
            return name, ("\n".join(json.dumps(r, ensure_ascii=False) for r in chosen) + "\n").encode("utf-8")
        if name.startswith("evidence/") and name != f"evidence/{report}":
            return None
        return name, data

    _rewrite(full, partial, only_action)
    with zipfile.ZipFile(partial) as zf:  # the counts must match the records
        manifest = json.loads(zf.read("manifest.json"))
        kept = [json.loads(line) for line in zf.read("records.ndjson").decode("utf-8").splitlines()]
    counts = {}
    for r in kept:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    manifest["counts"] = counts
    manifest["bundle"] = "00000000-0000-4000-8000-000000000001"  # another bundle than the full one
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    members = {}
    with zipfile.ZipFile(partial) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
    with zipfile.ZipFile(partial, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
        zf.writestr("manifest.json", text)
        zf.comment = b"nanxian-bundle sha256=" + hashlib.sha256(text).hexdigest().encode()
    b = tmp_path / "bureau.db"
    first = import_(cli, b, partial)
    assert first["held"] == 2 and first["new"]["evidence"] == 1 and first["new"]["evidence_links"] == 0
    then = import_(cli, b, full)
    assert then["released"] == 2
    finding = json.loads(cli("--db", b, "finding", "show", "1", "--format", "json").stdout)
    assert finding["evidence"] == [sha(laptop["photo"]), sha(laptop["report"])]
    assert stored(b) == stored(a)
