"""Photos and documents in the documents for the school (issue 15 point 4; DESIGN.md "Evidence"): the 督导意见书 and
the 整改通知书 show each failed point's photos as thumbnails with caption and short hash, downscaled and carrying no
EXIF (parsed back from the docx zip and from the html data URIs), a 整改报告 document by its name and hash, the
files of a finding's 整改报告 and 销号 with that finding; captions stay text; a missing or changed file is said, not
fatal. Everything through the real CLI with files made in the test."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from evidence_helpers import GPS_TEXT, db_state, docx, evidence_folder, folder_state, jpeg, jpeg_metadata, pdf, png
from test_documents import CHECKLIST, FIRST, SECOND, _record, configured, county  # noqa: F401 - and fixtures
from visit_helpers import rows

HOSTILE = "<script>alert(1)</script> [red]x[/red]"
FORMULA = "=SUM(1)"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def finding_of(db: Path, visit: str, item: str) -> int:
    ((number,),) = rows(db, "SELECT id FROM findings WHERE visit_id = ? AND item_id = ?", (visit, item))
    return number


@pytest.fixture
def photos(cli, tmp_path, monkeypatch, schools, supervisors, db_path, configured):  # noqa: F811
    """NX-001 visited twice (test_documents' checklist: five problems, then a re-check that finds three fixed),
    with evidence on the first visit's failed points (d-drill: two photos, one a 12-megapixel photo taken turned
    with EXIF GPS; d-class: a PNG and the school's PDF), on a point that passed (d-fees: never printed), on the
    d-drill finding's 整改报告 before the re-check (a photo and a Word document) and, at the re-check that found it
    fixed, on its point."""
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "d-visit.yaml").write_text(CHECKLIST, encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CHECKLISTS", str(folder))
    monkeypatch.setenv("NANXIAN_LANG", "zh")
    first = _record(cli, tmp_path, FIRST, "first.yaml", date="2020-11-02")
    made = {
        "drill-big": jpeg(tmp_path / "演练-1.jpg", size=(4000, 3000), noise=True, orientation=6),
        "drill": jpeg(tmp_path / "演练-2.jpg", colour=(40, 90, 200)),
        "class-png": png(tmp_path / "班额.png", size=(900, 700)),
        "class-pdf": pdf(tmp_path / "学校自查表.pdf"),
        "fees": jpeg(tmp_path / "公示栏.jpg", colour=(10, 200, 10)),
        "report-photo": jpeg(tmp_path / "整改后.jpg", colour=(200, 200, 30)),
        "report-doc": docx(tmp_path / "整改报告.docx"),
        "recheck": jpeg(tmp_path / "复查.jpg", colour=(120, 30, 160)),
    }
    for point, names, caption in (("d-drill", ["drill-big"], HOSTILE), ("d-drill", ["drill"], FORMULA),
                                  ("d-class", ["class-png", "class-pdf"], "初二(3)班58人"),
                                  ("d-fees", ["fees"], "收费公示栏")):
        result = cli("evidence", "add", first[:8], point, *[made[n] for n in names], "--caption", caption)
        assert result.exit_code == 0, result.output
    drill = finding_of(db_path, first, "d-drill")
    result = cli("finding", "report", str(drill), "--measures", "已补开展疏散演练", "--date", "2020-11-10",
                 "--by", "李明", "--evidence", made["report-photo"], "--evidence", made["report-doc"])
    assert result.exit_code == 0, result.output
    second = _record(cli, tmp_path, SECOND, "second.yaml", date="2020-12-01")
    result = cli("evidence", "add", second[:8], "d-drill", made["recheck"], "--caption", "复查：已演练")
    assert result.exit_code == 0, result.output
    return {"first": first, "second": second, "db": db_path, "files": {k: sha(p) for k, p in made.items()},
            "paths": made, "drill": drill}


def media(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]


def data_uris(html: str) -> list[bytes]:
    assert not re.search(r"""src=["']?(https?:|file:|//)""", html)  # self-contained: nothing fetched
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)]


def assert_clean_copy(data: bytes) -> tuple[int, int]:
    """A downscaled copy: a JPEG of at most 1600 px on its long side, a few hundred KB, with no EXIF, no GPS."""
    from PIL import Image

    im = Image.open(io.BytesIO(data))
    im.load()
    assert im.format == "JPEG" and max(im.size) <= 1600
    assert not im.getexif() and "exif" not in im.info and jpeg_metadata(data) == []
    assert len(data) < 900_000
    return im.size


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]

    def walk(table) -> None:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    walk(inner)

    for t in doc.tables:
        walk(t)
    return "\n".join(parts)


# -- the pictures ------------------------------------------------------------------------------------------------

def test_docx_embeds_the_photos_of_failed_points_downscaled_and_without_exif(cli, photos, tmp_path):
    files = photos["files"]
    notice, opinion = tmp_path / "整改通知书.docx", tmp_path / "督导意见书.docx"
    assert cli("report", "notice", photos["first"], "-o", notice).exit_code == 0
    assert cli("report", "visit", photos["first"], "-o", opinion).exit_code == 0
    # the notice: d-drill's two photos and its 整改报告 photo, d-class's PNG; never the photo of a point that passed,
    # never the PDF or the Word document (listed by name)
    embedded = media(notice)
    assert len(embedded) == 4
    sizes = sorted(assert_clean_copy(m) for m in embedded)
    assert (768, 1024) in sizes  # the 4000 x 3000 photo taken turned: upright, a thumbnail's 1024 px on its long side
    assert (900, 700) in sizes and (800, 600) in sizes
    text = docx_text(notice)
    for name in ("drill-big", "drill", "class-png", "class-pdf", "report-photo", "report-doc"):
        assert files[name][:8] in text, name
    assert files["fees"][:8] not in text and "收费公示栏" not in text
    assert "学校自查表.pdf" in text and "整改报告.docx" in text
    assert HOSTILE in text and FORMULA in text  # captions are text, as typed
    # the opinion: the failed points' photos under 存在问题, the 整改报告 photo with the requirement it answers
    assert len(media(opinion)) == 4
    for m in media(opinion):
        assert_clean_copy(m)
    # the re-check: the 整改报告 photo (dated before it) and the photo taken when it found the point fixed
    recheck = tmp_path / "复查.docx"
    assert cli("report", "visit", photos["second"], "-o", recheck).exit_code == 0
    assert len(media(recheck)) == 2
    shown = docx_text(recheck)
    assert files["report-photo"][:8] in shown and files["recheck"][:8] in shown and "复查：已演练" in shown
    assert files["drill-big"][:8] not in shown  # the first visit's photos belong to the first visit
    for data in embedded:
        assert not any(g.encode() in data for g in GPS_TEXT)


def test_docx_thumbnails_are_sized_to_print_and_keep_with_their_point(cli, photos, tmp_path):
    from docx import Document
    from docx.shared import Mm

    path = tmp_path / "n.docx"
    assert cli("report", "notice", photos["first"], "-o", path).exit_code == 0
    doc = Document(str(path))
    shapes = doc.inline_shapes
    assert len(shapes) == 4
    for shape in shapes:  # about 5 cm wide, three to a line on the 156 mm text block
        assert Mm(15) <= shape.width <= Mm(50) and shape.height <= Mm(38)
    xml = doc.element.xml
    assert xml.count("<w:tblHeader") >= 1 and "<w:drawing>" in xml
    # the row above the photos keeps with them on one page
    table = doc.tables[0]
    for i, row in enumerate(table.rows):
        if row._tr.xpath(".//w:drawing"):
            above = table.rows[i - 1]
            assert all(p.paragraph_format.keep_with_next for c in above.cells for p in c.paragraphs)
    # photos make a notice longer: the closing words go over a page with the signatures, never the seal alone
    (closing,) = [p for p in doc.paragraphs if p.text == "特此通知。"]
    assert closing.paragraph_format.keep_with_next


def test_html_embeds_the_photos_as_data_uris_downscaled_and_without_exif(cli, photos, tmp_path):
    files = photos["files"]
    notice, opinion = tmp_path / "整改通知书.html", tmp_path / "督导意见书.html"
    assert cli("report", "notice", photos["first"], "-o", notice).exit_code == 0
    assert cli("report", "visit", photos["first"], "-o", opinion).exit_code == 0
    html = notice.read_text(encoding="utf-8")
    images = data_uris(html)
    assert len(images) == 4
    for data in images:
        assert_clean_copy(data)
    assert len(data_uris(opinion.read_text(encoding="utf-8"))) == 4
    # captions and names are escaped text; each thumbnail says its short hash
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; [red]x[/red]" in html
    assert FORMULA in html and "学校自查表.pdf" in html and "整改报告.docx" in html
    for name in ("drill-big", "drill", "class-png", "class-pdf", "report-photo", "report-doc"):
        assert files[name][:8] in html, name
    assert files["fees"][:8] not in html
    assert 'class="thumbs"' in html and "grid-template-columns: repeat(3" in html


def test_json_lists_each_failed_points_evidence_and_never_where_it_was_taken(cli, photos):
    files = photos["files"]
    notice = json.loads(cli("report", "notice", photos["first"], "--format", "json").stdout)
    by_item = {p["item"]: p["evidence"] for p in notice["problems"]}
    assert [e["sha256"] for e in by_item["d-drill"]] == [files["drill-big"], files["drill"], files["report-photo"],
                                                          files["report-doc"]]
    assert [e["sha256"] for e in by_item["d-class"]] == [files["class-png"], files["class-pdf"]]
    assert by_item["d-tutoring"] == [] and by_item["d-homework"] == []
    first = by_item["d-drill"][0]
    assert set(first) == {"sha256", "caption", "media_type", "original_name", "attached"}
    assert first == {"sha256": files["drill-big"], "caption": HOSTILE, "media_type": "image/jpeg",
                     "original_name": "演练-1.jpg", "attached": "point"}
    assert by_item["d-drill"][3]["attached"] == "report"
    assert by_item["d-drill"][3]["media_type"].endswith("wordprocessingml.document")
    opinion = json.loads(cli("report", "visit", photos["first"], "--format", "json").stdout)
    failed = {p["item"]: [e["sha256"] for e in p["evidence"]] for p in opinion["points"] if p["outcome"] == "fail"}
    assert failed["d-drill"] == [files["drill-big"], files["drill"]]
    assert failed["d-class"] == [files["class-png"], files["class-pdf"]]
    rect = {r["item"]: [e["sha256"] for e in r["evidence"]] for r in opinion["rectifications"]}
    assert rect["d-drill"] == [files["report-photo"], files["report-doc"]]
    again = json.loads(cli("report", "visit", photos["second"], "--format", "json").stdout)
    (drill,) = [r for r in again["rechecks"] if r["item"] == "d-drill"]
    assert [e["sha256"] for e in drill["evidence"]] == [files["report-photo"], files["report-doc"], files["recheck"]]
    for text in (json.dumps(notice), json.dumps(opinion), json.dumps(again)):
        assert "gps" not in text.lower() and not any(g in text for g in GPS_TEXT)


def test_markdown_and_table_list_captions_and_short_hashes_as_text(cli, photos):
    files = photos["files"]
    markdown = cli("report", "notice", photos["first"], "--format", "markdown")
    assert markdown.exit_code == 0
    assert "data:image" not in markdown.stdout
    # escaped for Markdown: only what it would read as markup (`<` and `[`), as every other text (issue 17)
    assert r"\<script>alert(1)\</script> \[red\]x\[/red\]" in markdown.stdout
    assert f"{files['drill-big'][:8]}" in markdown.stdout and "学校自查表.pdf" in markdown.stdout
    table = cli("report", "notice", photos["first"])
    assert table.exit_code == 0 and "data:image" not in table.stdout
    flat = re.sub(r"\s+", "", table.stdout)
    assert "[red]x[/red]" in flat and "<script>" in flat and FORMULA in flat  # Rich markup stays text
    assert files["drill"][:8] in flat and files["class-pdf"][:8] in flat and files["fees"][:8] not in flat


# -- a file that is not there any more --------------------------------------------------------------------------

def test_a_missing_or_changed_file_is_said_and_the_document_still_prints(cli, photos, tmp_path, monkeypatch):
    files, db = photos["files"], photos["db"]
    assert cli("report", "notice", photos["first"], "--format", "json").exit_code == 0  # issued (numbered) first
    folder = evidence_folder(db)
    (folder / files["drill"][:2] / files["drill"]).unlink()
    changed = folder / files["class-png"][:2] / files["class-png"]
    changed.write_bytes(changed.read_bytes() + b"x")
    before, on_disk = db_state(db), folder_state(db)
    path = tmp_path / "n.docx"
    result = cli("report", "notice", photos["first"], "-o", path)
    assert result.exit_code == 0, result.output
    assert f"佐证材料 {files['drill'][:8]} 文件缺失" in result.stderr
    assert f"佐证材料 {files['class-png'][:8]} 文件已被改动" in result.stderr
    text = docx_text(path)
    assert f"{FORMULA}（{files['drill'][:8]}，文件缺失）" in text
    assert f"初二(3)班58人（{files['class-png'][:8]}，文件已被改动）" in text
    assert len(media(path)) == 2  # the big photo and the 整改报告 photo; nothing of the two others is printed
    html = tmp_path / "n.html"
    assert cli("report", "notice", photos["first"], "-o", html).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert len(data_uris(page)) == 2 and f"{files['drill'][:8]}，文件缺失" in page
    monkeypatch.setenv("NANXIAN_LANG", "en")
    english = cli("report", "visit", photos["first"], "--format", "markdown")
    assert english.exit_code == 0
    assert f"{files['drill'][:8]}, file missing" in english.stdout
    assert f"{files['class-png'][:8]}, file changed" in english.stdout
    assert f"Warning: evidence {files['drill'][:8]}: its file is missing" in english.stderr
    assert db_state(db) == before and folder_state(db) == on_disk  # reads only
    # the records stand: JSON lists the files as recorded and reads none of them
    data = json.loads(cli("report", "notice", photos["first"], "--format", "json").stdout)
    assert files["drill"] in [e["sha256"] for p in data["problems"] for e in p["evidence"]]


def test_a_visit_without_evidence_prints_as_before(cli, county, configured, tmp_path):  # noqa: F811
    path = tmp_path / "n.docx"
    assert cli("report", "notice", county["first"], "-o", path).exit_code == 0
    assert media(path) == []
    text = cli("report", "notice", county["first"], "--format", "markdown").stdout
    assert "照片及佐证材料" not in text
    data = json.loads(cli("report", "notice", county["first"], "--format", "json").stdout)
    assert all(p["evidence"] == [] for p in data["problems"])


# -- printed: LibreOffice to PDF (skipped without it) -----------------------------------------------------------

def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_the_notice_with_photos_prints_on_a4_with_its_pictures_and_the_signatures_together(cli, photos,
                                                                                            tmp_path):
    path = tmp_path / "notice.docx"
    assert cli("report", "notice", photos["first"], "-o", path).exit_code == 0
    profile = tmp_path / "lo-profile"
    done = subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf_path = path.with_suffix(".pdf")
    if shutil.which("pdftotext") is None or shutil.which("pdfimages") is None:
        pytest.skip("poppler-utils is not installed")
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path)], capture_output=True, timeout=60, check=True)
    pictures = [line for line in listing.stdout.decode().splitlines()[2:] if line.strip()]
    assert len(pictures) == 4
    size = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, timeout=60, check=True).stdout.decode()
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d*", size)  # A4 portrait
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, timeout=60,
                          check=True).stdout.decode("utf-8")
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) <= 3
    signed = [i for i, p in enumerate(pages) if "责任督学（签字）" in p]
    assert len(signed) == 1 and "学校签收人" in pages[signed[0]]
    assert photos["files"]["drill-big"][:8] in text


# -- the checks of evidence add stay whole (a JPEG is decoded at a reduced scale) --------------------------------

@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_anywhere_is_still_refused(cli, county, tmp_path, progressive):  # noqa: F811
    """The check decodes a JPEG at 1/8 scale, which still reads and decodes every byte of its data: a photo cut
    just before its end is refused like one cut in half, and nothing is stored. (A guard for the speed-up: the
    full decode refused the same files.)"""
    import random

    from PIL import Image

    source = tmp_path / "source.jpg"
    noise = random.Random(progressive).randbytes(1200 * 900 * 3)  # the same photo on every run
    Image.frombytes("RGB", (1200, 900), noise).save(source, "JPEG", quality=90, progressive=progressive)
    data = source.read_bytes()
    before, on_disk = db_state(county["db"]), folder_state(county["db"])
    for n, cut in enumerate((len(data) // 10, len(data) // 2, int(len(data) * 0.99), len(data) - 200)):
        path = tmp_path / f"cut-{n}.jpg"
        path.write_bytes(data[:cut])
        result = cli("evidence", "add", county["first"][:8], "d-drill", path)
        assert result.exit_code == 2, (cut, len(data), result.output)
        assert "图片已损坏或不完整" in result.stderr and "未保存任何内容" in result.stderr
    assert db_state(county["db"]) == before and folder_state(county["db"]) == on_disk
    whole = cli("evidence", "add", county["first"][:8], "d-drill", source)
    assert whole.exit_code == 0, whole.output
