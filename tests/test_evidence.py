"""Evidence (photos and documents) through the real CLI: attaching (evidence add, answers files, interactive `p PATH`,
finding report|resolve --evidence), how files are stored, what is accepted and refused (by content), listing,
exporting and verifying, and the downscaled EXIF-free copies for printed documents. Every file is made in the test:
Pillow photos with EXIF GPS, a PDF, a Word document, a text file named .jpg, a truncated JPEG, decompression bombs,
an over-limit file, /dev/zero, a folder."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from evidence_helpers import (
    GPS_TEXT,
    db_state,
    docx,
    evidence_folder,
    folder_state,
    heic,
    image_of,
    jpeg,
    jpeg_metadata,
    pdf,
    png,
    png_bomb,
    truncated_jpeg,
    webp,
)
from visit_helpers import FULL, answers_file, record, rows, vdir  # noqa: F401

START = ("inspect", "visit", "NX-001", "--checklist", "t-visit", "--inspector", "李明", "--date", "2020-11-02")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def visit(cli, vdir, tmp_path: Path) -> str:  # noqa: F811
    """A submitted visit at NX-001 failing t-drill (a finding) and t-class."""
    return record(cli, tmp_path, {**FULL, "t-drill": "no", "t-class": 60}, name="v1.yaml")["id"]


def add(cli, visit_id: str, point: str, *files, args=()):
    return cli("evidence", "add", visit_id[:8], point, *map(str, files), *args)


def listed(cli, *args) -> list[dict]:
    result = cli("evidence", "list", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- attaching and storing -------------------------------------------------------------------------------------

def test_a_photo_is_stored_once_by_its_hash_0600_with_its_exif_time_and_gps_kept_private(cli, visit, tmp_path,
                                                                                         db_path):
    photo = jpeg(tmp_path / "门卫室.jpg")
    result = add(cli, visit, "t-drill", photo, args=("--caption", "[bold]演练记录[/] 缺失"))
    assert result.exit_code == 0, result.output
    digest = sha(photo)
    assert "门卫室.jpg → t-drill (JPEG" in result.stdout and digest[:12] in result.stdout
    stored = evidence_folder(db_path) / digest[:2] / digest
    assert stored.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(evidence_folder(db_path).stat().st_mode) == 0o700
    # the same file again, on another point: stored once, tied to both points
    again = add(cli, visit, "t-class", tmp_path / "门卫室.jpg")
    assert again.exit_code == 0, again.output
    assert "already stored" in again.stdout
    assert [p.name for p in evidence_folder(db_path).rglob("*") if p.is_file()] == [digest]
    (row,) = rows(db_path, "SELECT sha256, size, media_type, original_name, caption, taken_at, gps_lat, gps_lon, "
                           "added_by FROM evidence")
    assert row == (digest, photo.stat().st_size, "image/jpeg", "门卫室.jpg", "[bold]演练记录[/] 缺失",
                   "2020-11-02T10:11:12", pytest.approx(29.3701389), pytest.approx(112.4002778), "李明")
    assert rows(db_path, "SELECT item_id FROM evidence_links ORDER BY item_id") == [("t-class",), ("t-drill",)]
    # attaching it to the same point again adds nothing
    third = add(cli, visit, "t-drill", photo)
    assert third.exit_code == 0 and "was attached there already" in third.stdout
    assert rows(db_path, "SELECT count(*) FROM evidence_links") == [(2,)]
    # listed with its points and caption as text; where it was taken is never shown
    (entry,) = listed(cli)
    assert entry["sha256"] == digest and entry["caption"] == "[bold]演练记录[/] 缺失"
    assert {(link["visit"], link["item"]) for link in entry["links"]} == {(visit, "t-drill"), (visit, "t-class")}
    assert not any("gps" in key for key in entry)
    table = cli("evidence", "list")
    shown = cli("inspect", "show", visit[:8], "--format", "json")
    for text in (table.stdout, shown.stdout, cli("evidence", "list", "--format", "json").stdout):
        assert not any(g in text for g in GPS_TEXT)
    assert "[bold]演练记录[/]" in table.stdout


@pytest.mark.parametrize(("make", "media"), [
    (lambda p: png(p / "a.png"), "image/png"),
    (lambda p: png(p / "alpha.png", alpha=True), "image/png"),
    (lambda p: webp(p / "a.webp"), "image/webp"),
    (lambda p: heic(p / "IMG_0001.HEIC"), "image/heic"),
    (lambda p: pdf(p / "整改报告.pdf"), "application/pdf"),
    (lambda p: docx(p / "整改报告.docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (lambda p: jpeg(p / "named-wrong.png"), "image/jpeg"),  # the content decides, not the name
])
def test_every_accepted_kind_is_decided_by_its_content(cli, visit, tmp_path, db_path, make, media):
    path = make(tmp_path)
    result = add(cli, visit, "t-drill", path)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT media_type, original_name FROM evidence") == [(media, path.name)]
    assert (evidence_folder(db_path) / sha(path)[:2] / sha(path)).read_bytes() == path.read_bytes()


def _refused(tmp_path: Path) -> dict:
    """name -> (how to make it, words the refusal says)."""
    good = jpeg(tmp_path / "good-source.jpg")
    zipped = tmp_path / "not-a-document.docx"
    import zipfile

    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("hello.txt", "a zip, but no Word document")
    macro = docx(tmp_path / "macro-source.docx")
    with zipfile.ZipFile(macro, "a") as zf:
        zf.writestr("word/vbaProject.bin", b"\x00" * 64)
    exe = tmp_path / "photo.jpg.exe"
    exe.write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(2000))
    renamed = tmp_path / "holiday.jpg"
    renamed.write_bytes(exe.read_bytes())
    text = tmp_path / "scan.jpg"
    text.write_text("this is not a photo\n", encoding="utf-8")
    cut = pdf(tmp_path / "cut-source.pdf")
    cut_pdf = tmp_path / "cut.pdf"
    cut_pdf.write_bytes(cut.read_bytes()[:-200])
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as fh:  # a sparse 21 MB file: over the default 20 MB
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(21 * 1024 * 1024)
    (tmp_path / "a-folder.jpg").mkdir()
    return {
        "text named .jpg": (text, "its content is text (it is named .jpg)"),
        "truncated JPEG": (truncated_jpeg(tmp_path / "cut.jpg", good), "the image is damaged or cut short"),
        "decompression bomb": (png_bomb(tmp_path / "bomb.png"), "too many pixels"),
        "decompression bomb, warning size": (png_bomb(tmp_path / "bomb2.png", side=10000), "too many pixels"),
        "renamed executable": (renamed, "its content is an executable program"),
        "zip that is no docx": (zipped, "word/document.xml is missing"),
        "docx with macros": (macro, "it holds macros"),
        "cut PDF": (cut_pdf, "the PDF is cut short"),
        "over the limit": (huge, "file too large (at most 20 MB)"),
        "/dev/zero": (Path("/dev/zero"), "/dev/zero: file too large (at most 20 MB)"),
        "a folder": (tmp_path / "a-folder.jpg", "is a directory"),
        "missing": (tmp_path / "nowhere.jpg", "file not found"),
        "empty": (tmp_path / "empty.jpg", "the file is empty"),
    }


REFUSED = ["text named .jpg", "truncated JPEG", "decompression bomb", "decompression bomb, warning size",
           "renamed executable", "zip that is no docx", "docx with macros", "cut PDF", "over the limit", "/dev/zero",
           "a folder", "missing", "empty"]


@pytest.mark.parametrize("case", REFUSED)
def test_a_broken_hostile_or_wrong_file_is_refused_and_nothing_is_stored(cli, visit, tmp_path, db_path, case):
    (tmp_path / "empty.jpg").write_bytes(b"")
    path, words = _refused(tmp_path)[case]
    before, files = db_state(db_path), folder_state(db_path)
    result = add(cli, visit, "t-drill", path)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output
    assert db_state(db_path) == before and folder_state(db_path) == files == {}


def test_one_refused_file_among_good_ones_stores_none_of_them(cli, visit, tmp_path, db_path):
    good, other = jpeg(tmp_path / "a.jpg"), pdf(tmp_path / "b.pdf")
    bad = tmp_path / "c.jpg"
    bad.write_text("text", encoding="utf-8")
    before = db_state(db_path)
    result = add(cli, visit, "t-drill", good, bad, other, tmp_path / "missing.png")
    assert result.exit_code == 2
    assert "2 evidence file(s) cannot be kept; nothing was written" in result.stderr
    assert f"{bad}: not a photo or document" in result.stderr and "missing.png: file not found" in result.stderr
    assert db_state(db_path) == before and folder_state(db_path) == {}


def test_the_size_limit_is_a_setting(cli, visit, tmp_path, db_path):
    photo = jpeg(tmp_path / "big.jpg", size=(1200, 1000), noise=True)
    assert photo.stat().st_size > 1024 * 1024
    Path(os.environ["NANXIAN_CONFIG"]).write_text("[evidence]\nmax_mb = 1\n", encoding="utf-8")
    result = add(cli, visit, "t-drill", photo)
    assert result.exit_code == 2 and "file too large (at most 1 MB)" in result.stderr
    assert "config [evidence] max_mb" in result.stderr
    assert folder_state(db_path) == {}
    Path(os.environ["NANXIAN_CONFIG"]).write_text("[evidence]\nmax_mb = 2\n", encoding="utf-8")
    assert add(cli, visit, "t-drill", photo).exit_code == 0
    Path(os.environ["NANXIAN_CONFIG"]).write_text('[evidence]\nmax_mb = "big"\n', encoding="utf-8")
    bad = add(cli, visit, "t-drill", photo)
    assert bad.exit_code == 2 and "[evidence] max_mb must be a number" in bad.stderr


def test_a_file_name_with_control_characters_is_refused(cli, visit, tmp_path, db_path):
    photo = jpeg(tmp_path / "evil\x1b[31m.jpg")
    result = add(cli, visit, "t-drill", photo)
    assert result.exit_code == 2 and "control character" in result.stderr and "U+001B" in result.stderr
    assert folder_state(db_path) == {}


def test_a_point_that_is_not_the_visits_and_a_void_visit_are_refused(cli, visit, tmp_path, db_path):
    photo = jpeg(tmp_path / "a.jpg")
    before = db_state(db_path)
    result = add(cli, visit, "t-dril", photo)
    assert result.exit_code == 2 and "'t-dril' is not a point of checklist 't-visit'; close ones: t-drill" in \
        result.stderr
    assert db_state(db_path) == before and folder_state(db_path) == {}
    unknown = cli("evidence", "add", "12345678", "t-drill", str(photo))
    assert unknown.exit_code == 2 and "no visit '12345678'" in unknown.stderr
    assert cli("inspect", "void", visit[:8], "--reason", "重复录入", "--by", "李明").exit_code == 0
    before = db_state(db_path)
    void = add(cli, visit, "t-drill", photo)
    assert void.exit_code == 2 and "is void; no evidence can be added to it" in void.stderr
    assert db_state(db_path) == before and folder_state(db_path) == {}


def test_heic_without_its_decoder_says_to_export_jpeg(cli, visit, tmp_path, db_path, monkeypatch):
    photo = heic(tmp_path / "IMG_0002.HEIC")
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as on a machine without the decoder
    result = add(cli, visit, "t-drill", photo)
    assert result.exit_code == 2
    assert "export the photo as JPEG" in result.stderr and "IMG_0002.HEIC" in result.stderr
    assert folder_state(db_path) == {}


# -- answers files ---------------------------------------------------------------------------------------------

def test_an_answers_file_attaches_evidence_relative_to_itself(cli, vdir, tmp_path, db_path):  # noqa: F811
    folder = tmp_path / "visit-files"
    folder.mkdir()
    photo, report = jpeg(folder / "drill.jpg"), pdf(folder / "plan.pdf")
    path = answers_file(folder, {**FULL, "t-drill": {"value": "no", "note": "无演练记录",
                                                    "evidence": ["drill.jpg", "plan.pdf"]},
                                 "t-class": {"value": 50, "evidence": "drill.jpg"}})
    result = cli("inspect", "visit", "--answers", path, "--format", "json")
    assert result.exit_code == 0, result.output
    vid = json.loads(result.stdout)["id"]
    shown = json.loads(cli("inspect", "show", vid[:8], "--format", "json").stdout)
    answers = {a["item"]: a["evidence"] for a in shown["answers"]}
    assert answers["t-drill"] == [sha(photo), sha(report)] and answers["t-class"] == [sha(photo)]
    assert answers["t-homework"] == []
    assert {(e["item"], e["name"]) for e in shown["evidence"]} == {("t-drill", "drill.jpg"), ("t-drill", "plan.pdf"),
                                                                   ("t-class", "drill.jpg")}
    table = cli("inspect", "show", vid[:8])
    assert "Evidence (3)" in table.stdout and "plan.pdf" in table.stdout
    # the finding t-drill opened has the photo of its point
    finding = json.loads(cli("finding", "show", "1", "--format", "json").stdout)
    assert finding["item"] == "t-drill" and finding["evidence"] == [sha(photo), sha(report)]
    assert sorted(p.name for p in evidence_folder(db_path).rglob("*") if p.is_file()) == sorted([sha(photo),
                                                                                               sha(report)])


def test_an_answers_file_naming_a_missing_or_refused_file_writes_nothing(cli, vdir, tmp_path, db_path):  # noqa: F811
    (tmp_path / "scan.jpg").write_text("not a photo", encoding="utf-8")
    path = answers_file(tmp_path, {**FULL, "t-drill": {"value": "no", "evidence": ["gone.jpg"]},
                                   "t-class": {"value": 61, "evidence": ["scan.jpg"]},
                                   "t-homework": "medium"})
    before = db_state(db_path)
    result = cli("inspect", "visit", "--answers", path)
    assert result.exit_code == 2, result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    drill = next(i for i, line in enumerate(lines, 1) if '"t-drill"' in line) + 2
    klass = next(i for i, line in enumerate(lines, 1) if '"t-class"' in line) + 2
    assert f"{path}:{drill}: answers.t-drill.evidence: {tmp_path / 'gone.jpg'}: file not found" in result.stderr
    assert f"{path}:{klass}: answers.t-class.evidence: {tmp_path / 'scan.jpg'}: not a photo" in result.stderr
    assert "answers.t-homework" in result.stderr  # the answers' own problems are listed with them
    assert db_state(db_path) == before and folder_state(db_path) == {}


# -- finding actions -------------------------------------------------------------------------------------------

def test_finding_report_and_resolve_keep_their_evidence(cli, visit, tmp_path, db_path):
    before_photo = jpeg(tmp_path / "整改前.jpg")
    assert add(cli, visit, "t-drill", before_photo).exit_code == 0
    report = docx(tmp_path / "整改报告.docx")
    result = cli("finding", "report", "1", "--measures", "已补开展疏散演练", "--date", "2020-11-10", "--by", "李明",
                 "--evidence", str(report))
    assert result.exit_code == 0, result.output
    assert "evidence kept: 整改报告.docx" in result.stdout
    after = jpeg(tmp_path / "整改后.jpg", colour=(30, 200, 30))
    result = cli("finding", "resolve", "1", "--note", "现场核实", "--date", "2020-11-20", "--by", "李明",
                 "--evidence", str(after), "--evidence", str(pdf(tmp_path / "记录.pdf")))
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("finding", "show", "1", "--format", "json").stdout)
    assert shown["evidence"] == [sha(before_photo), sha(report), sha(after), sha(tmp_path / "记录.pdf")]
    assert {f["name"] for f in shown["evidence_files"]} == {"整改前.jpg", "整改报告.docx", "整改后.jpg", "记录.pdf"}
    files = {f["name"]: f for f in listed(cli, "--finding", "1")}
    assert files["整改报告.docx"]["links"][0]["action_kind"] == "report"
    assert files["整改后.jpg"]["links"][0]["action_kind"] == "resolve"
    assert files["整改前.jpg"]["links"][0]["item"] == "t-drill"
    listing = json.loads(cli("finding", "list", "--status", "resolved", "--format", "json").stdout)
    assert [f["evidence"] for f in listing if f["id"] == 1] == [shown["evidence"]]
    assert "整改报告.docx" in cli("finding", "show", "1").stdout
    # the other finding (t-class) has none
    assert json.loads(cli("finding", "show", "2", "--format", "json").stdout)["evidence"] == []
    assert listed(cli, "--finding", "2") == []


def test_a_finding_action_with_a_refused_file_records_nothing(cli, visit, tmp_path, db_path):
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n")  # no %%EOF: cut short
    before = db_state(db_path)
    result = cli("finding", "report", "1", "--measures", "已整改", "--by", "李明", "--evidence", str(bad))
    assert result.exit_code == 2 and "the PDF is cut short" in result.stderr
    assert db_state(db_path) == before and folder_state(db_path) == {}


def test_a_finding_action_refused_after_its_files_were_checked_leaves_no_file(cli, visit, tmp_path, db_path):
    photo = jpeg(tmp_path / "a.jpg")
    assert cli("finding", "resolve", "1", "--note", "ok", "--date", "2020-11-20", "--by", "李明").exit_code == 0
    before = db_state(db_path)
    result = cli("finding", "report", "1", "--measures", "again", "--by", "李明", "--evidence", str(photo))
    assert result.exit_code == 2 and "finding #1 is resolved" in result.stderr
    assert db_state(db_path) == before and folder_state(db_path) == {}


# -- interactive entry -----------------------------------------------------------------------------------------

def test_p_path_at_a_point_attaches_confirms_and_asks_the_point_again(cli, vdir, tmp_path, db_path,  # noqa: F811
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    jpeg(tmp_path / "drill.jpg")
    (tmp_path / "notes.jpg").write_text("text", encoding="utf-8")
    result = cli(*START, input='p drill.jpg\np nowhere.jpg\np "notes.jpg"\nn\n没有记录\np drill.jpg\n50\ny\nlight\n4\n'
                               'ok\ny\n')
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "p FILE attach a photo or document" in out
    assert "attached drill.jpg (JPEG" in out and "now answer the point" in out
    assert "Not attached: nowhere.jpg: file not found" in out
    assert "Not attached: notes.jpg: not a photo or document nanxian keeps" in out
    assert out.count("1/7 · t-drill") == 1  # asked again at the same prompt, not skipped
    (vid, status), = rows(db_path, "SELECT id, status FROM visits")
    assert status == "submitted"
    assert rows(db_path, "SELECT item_id, sha256 FROM evidence_links") == [("t-drill", sha(tmp_path / "drill.jpg")),
                                                                         ("t-class", sha(tmp_path / "drill.jpg"))]
    assert rows(db_path, "SELECT outcome FROM answers WHERE item_id = 't-drill'") == [("fail",)]


def test_a_draft_holding_only_evidence_is_kept(cli, vdir, tmp_path, db_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    jpeg(tmp_path / "drill.jpg")
    result = cli(*START, input="p drill.jpg\nq\n")
    assert result.exit_code == 0, result.output
    assert "Draft saved (not submitted)" in result.stdout
    assert rows(db_path, "SELECT status FROM visits") == [("draft",)]
    assert rows(db_path, "SELECT count(*) FROM evidence_links") == [(1,)]


# -- export ------------------------------------------------------------------------------------------------------

def test_export_by_id_and_by_visit_names_files_by_hash(cli, visit, tmp_path, db_path):
    photo, document = jpeg(tmp_path / "../../etc-passwd.jpg"), docx(tmp_path / "报告.docx")
    assert add(cli, visit, "t-drill", photo, document).exit_code == 0
    out = tmp_path / "out"
    one = cli("evidence", "export", sha(photo)[:10], "--output", out)
    assert one.exit_code == 0, one.output
    assert sorted(p.name for p in out.iterdir()) == [f"{sha(photo)}.jpg"]
    assert (out / f"{sha(photo)}.jpg").read_bytes() == photo.read_bytes()
    assert stat.S_IMODE((out / f"{sha(photo)}.jpg").stat().st_mode) == 0o600
    every = cli("evidence", "export", "--visit", visit[:8], "--output", out, "--format", "json")
    assert every.exit_code == 0, every.output
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{sha(photo)}.jpg", f"{sha(document)}.docx"])
    assert {f["name"] for f in json.loads(every.stdout)} == {"etc-passwd.jpg", "报告.docx"}


@pytest.mark.parametrize("where", ["evidence folder", "inside it", "database", "wal"])
def test_export_never_writes_into_the_evidence_folder_or_over_the_database(cli, visit, tmp_path, db_path, where):
    photo = jpeg(tmp_path / "a.jpg")
    assert add(cli, visit, "t-drill", photo).exit_code == 0
    target = {"evidence folder": evidence_folder(db_path), "inside it": evidence_folder(db_path) / "x",
              "database": db_path, "wal": Path(f"{db_path}-wal")}[where]
    before, files = db_state(db_path), folder_state(db_path)
    result = cli("evidence", "export", sha(photo)[:8], "--output", target)
    assert result.exit_code == 2, result.output
    assert "refusing to write there" in result.stderr
    assert db_state(db_path) == before and folder_state(db_path) == files


def test_export_and_its_refusals(cli, visit, tmp_path, db_path):
    assert cli("evidence", "export", "--output", tmp_path / "o").exit_code == 2
    missing = cli("evidence", "export", "abcdef12", "--output", tmp_path / "o")
    assert missing.exit_code == 2 and "no evidence abcdef12" in missing.stderr
    short = cli("evidence", "export", "abc", "--output", tmp_path / "o")
    assert short.exit_code == 2 and "is not an evidence id" in short.stderr
    assert not (tmp_path / "o").exists()


# -- verify ------------------------------------------------------------------------------------------------------

def test_verify_finds_changed_missing_and_unreferenced_files_and_writes_nothing(cli, visit, tmp_path, db_path):
    a, b, c = jpeg(tmp_path / "a.jpg"), pdf(tmp_path / "b.pdf"), png(tmp_path / "c.png")
    assert add(cli, visit, "t-drill", a, b, c).exit_code == 0
    ok = cli("evidence", "verify", "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"files": 3, "bytes": sum(p.stat().st_size for p in (a, b, c)), "ok": True,
                                     "missing": [], "changed": [], "unreferenced": []}
    folder = evidence_folder(db_path)
    stray = folder / "ff" / ("f" * 64)
    stray.parent.mkdir(exist_ok=True)  # a real file's hash may begin with ff too
    stray.write_bytes(b"left by a crash")
    only_stray = cli("evidence", "verify", "--format", "json")
    assert only_stray.exit_code == 0 and json.loads(only_stray.stdout)["unreferenced"] == ["f" * 64]
    changed = folder / sha(a)[:2] / sha(a)
    changed.write_bytes(changed.read_bytes()[:-10] + b"0123456789")
    (folder / sha(b)[:2] / sha(b)).unlink()
    before, files = db_state(db_path), folder_state(db_path)
    bad = cli("evidence", "verify", "--format", "json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout) == {"files": 2, "bytes": a.stat().st_size + c.stat().st_size, "ok": False,
                                      "missing": [sha(b)], "changed": [sha(a)], "unreferenced": ["f" * 64]}
    table = cli("evidence", "verify")
    assert table.exit_code == 1
    assert f"missing: {sha(b)}" in table.stdout and f"changed or damaged: {sha(a)}" in table.stdout
    assert db_state(db_path) == before and folder_state(db_path) == files
    # exporting a changed file is refused; adding the file again repairs it
    assert cli("evidence", "export", sha(a)[:8], "--output", tmp_path / "out").exit_code == 1
    assert add(cli, visit, "t-class", a).exit_code == 0
    assert sha(a) not in json.loads(cli("evidence", "verify", "--format", "json").stdout)["changed"]


def test_verify_and_list_create_nothing(cli, tmp_path, db_path):
    before = sorted(tmp_path.rglob("*"))
    for command in (("evidence", "verify"), ("evidence", "list")):
        result = cli(*command)
        assert result.exit_code == 1 and "no database yet" in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_verify_of_a_database_without_evidence_makes_no_folder(cli, visit, db_path):
    result = cli("evidence", "verify")
    assert result.exit_code == 0 and "Checked 0 file(s)" in result.stdout
    assert not evidence_folder(db_path).exists()


# -- copies for printed documents --------------------------------------------------------------------------------

def test_the_copy_for_a_document_is_downscaled_upright_and_carries_no_exif(cli, visit, tmp_path, db_path):
    from nanxian_cli.services.evidence import embeddable_image
    from nanxian_cli.store import open_store

    big = jpeg(tmp_path / "big.jpg", size=(4000, 3000), noise=True, orientation=6)  # taken turned: 90° clockwise
    small, document = png(tmp_path / "small.png", alpha=True), pdf(tmp_path / "d.pdf")
    assert add(cli, visit, "t-drill", big, small, document).exit_code == 0
    assert b"Exif" in big.read_bytes()
    with open_store(db_path, create=False) as store:
        copy = embeddable_image(store, sha(big))
        little = embeddable_image(store, sha(small))
        assert embeddable_image(store, sha(document)) is None
    im = image_of(copy)
    assert im.format == "JPEG" and im.size == (1200, 1600)  # upright (portrait) and 1600 on the long side
    assert not im.getexif() and "exif" not in im.info and jpeg_metadata(copy) == []
    assert 20_000 < len(copy) < 900_000
    assert image_of(little).size == (320, 200) and image_of(little).mode == "RGB"


# -- the demo county -----------------------------------------------------------------------------------------------

def test_the_demo_county_has_generated_photos_on_failed_points(cli, tmp_path):
    from nanxian_cli.config import PACKAGE_DIR

    demo = tmp_path / "demo" / "demo.db"
    assert cli("demo", "--db", demo, "--schools", "6", "--visits-per-year", "3").exit_code == 0
    files = json.loads(cli("--db", demo, "evidence", "list", "--format", "json").stdout)
    assert 1 <= len(files) <= 8 and all(f["media_type"] == "image/jpeg" for f in files)
    points = [(link["visit"], link["item"]) for f in files for link in f["links"]]
    failed = rows(demo, "SELECT visit_id, item_id FROM findings WHERE status IN ('open', 'reported')")
    assert set(points) <= set(failed)
    verified = cli("--db", demo, "evidence", "verify", "--format", "json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["files"] == len(files)
    assert not [p for p in PACKAGE_DIR.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp")]
    # rebuilt: the old photos go with the old demo
    assert cli("demo", "--db", demo, "--schools", "6", "--visits-per-year", "3", "--seed", "9").exit_code == 0
    again = json.loads(cli("--db", demo, "evidence", "verify", "--format", "json").stdout)
    assert again["unreferenced"] == [] and again["ok"]
