"""kill -9 during `evidence add` (real processes, killed at moments spread over a whole run): never a row without its
file, nor a file whose content is not its name; at most a file nobody refers to, which `evidence verify` lists."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from evidence_helpers import evidence_folder
from visit_helpers import FULL, record, rows, vdir  # noqa: F401

_NOISE = os.urandom(1500 * 1500 * 3)


def photo(path: Path, n: int) -> Path:
    """A 7 MB PNG (1500 x 1500 of noise, stored uncompressed) that differs from the others by its first pixel."""
    from PIL import Image

    im = Image.frombytes("RGB", (1500, 1500), _NOISE)
    im.putpixel((0, 0), (n % 256, n // 256, 7))
    im.save(path, format="PNG", compress_level=0)
    return path


def check_invariant(db: Path) -> None:
    folder = evidence_folder(db)
    for (sha,) in rows(db, "SELECT sha256 FROM evidence"):
        stored = folder / sha[:2] / sha
        assert stored.is_file(), f"a row without its file: {sha}"
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert rows(db, "SELECT count(*) FROM evidence_links l LEFT JOIN evidence e ON e.sha256 = l.sha256 "
                    "WHERE e.sha256 IS NULL") == [(0,)]


def test_kill_9_during_evidence_add_leaves_no_row_without_its_file(cli, vdir, tmp_path, db_path):  # noqa: F811
    visit = record(cli, tmp_path, {**FULL, "t-drill": "no"}, name="v1.yaml")["id"]
    command = [sys.executable, "-m", "nanxian_cli", "evidence", "add", visit[:8], "t-drill"]
    began = time.monotonic()
    done = subprocess.run([*command, str(photo(tmp_path / "p0.png", 0))], capture_output=True, env=dict(os.environ),
                          timeout=120)
    whole = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    killed = 0
    attempts = 10
    for n in range(1, attempts + 1):
        path = photo(tmp_path / f"p{n}.png", n)
        started = time.monotonic()
        proc = subprocess.Popen([*command, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ))
        time.sleep(whole * (0.3 + 0.7 * n / attempts))  # start-up comes first: most moments fall on the work
        proc.send_signal(signal.SIGKILL)
        if proc.wait(timeout=120) == -signal.SIGKILL:
            killed += 1
        else:  # it ended before the moment: the first run was slow (a loaded machine); aim by the fastest
            whole = min(whole, time.monotonic() - started)
        check_invariant(db_path)
    assert killed >= 1  # runs were cut off along the way (the later moments may come after a run ended)
    verified = cli("evidence", "verify", "--format", "json")
    data = json.loads(verified.stdout)
    assert verified.exit_code == 0 and data["missing"] == [] and data["changed"] == [], verified.output
    stored = rows(db_path, "SELECT count(*) FROM evidence")[0][0]
    assert 1 <= stored <= attempts + 1
