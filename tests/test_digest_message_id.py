"""The digest mail's Message-ID is stable: derived from the database's identity, the week and the recipients,
so a mail sent again (a run killed after the server accepted it, before it was recorded; or --force) is
recognisably the same message. Through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

from test_digest_delivery import parse, smtp, weeks  # noqa: F401  (fixtures)

DIGEST = ("report", "digest", "--as-of", "2020-11-09", "--email")
MESSAGE_ID = re.compile(r"<digest\.(\d{4}-W\d\d)\.[0-9a-f]{24}@nanxian\.example>\Z")


def message_ids(handler) -> list[str]:
    return [parse(raw)["Message-ID"] for _, _, raw in handler.messages]


def device_id(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]


def test_resent_digest_has_the_same_message_id(cli, weeks, smtp, db_path, monkeypatch):
    identity = device_id(db_path)
    assert uuid.UUID(identity).version == 4
    assert cli(*DIGEST).exit_code == 0
    (first,) = message_ids(smtp)
    assert MESSAGE_ID.match(first).group(1) == "2020-W45"
    assert identity not in first  # a hash: the database's identity is not shown to recipients
    assert re.search(rb"^Message-ID: <digest\.2020-W45\.[0-9a-f]{24}@nanxian\.example>\r?$", smtp.messages[0][2], re.M)
    # killed after the server accepted the mail, before the delivery was recorded: the next run sends it again
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM digest_deliveries")
    assert cli(*DIGEST).exit_code == 0
    # and --force sends it once more
    assert cli(*DIGEST, "--force").exit_code == 0
    assert message_ids(smtp) == [first, first, first]
    assert device_id(db_path) == identity  # made once, kept across runs
    # another week, or other recipients, is another message
    assert cli("report", "digest", "--week", "2020-W44", "--as-of", "2020-11-09", "--email").exit_code == 0
    monkeypatch.setenv("NANXIAN_SMTP_TO", "office@nanxian.example")
    assert cli(*DIGEST).exit_code == 0
    ids = message_ids(smtp)
    assert len(ids) == 5 and MESSAGE_ID.match(ids[3]).group(1) == "2020-W44" and MESSAGE_ID.match(ids[4])
    assert len({first, ids[3], ids[4]}) == 3


def test_another_database_gives_another_message_id(cli, weeks, smtp, db_path, tmp_path):
    assert cli(*DIGEST).exit_code == 0
    copy = tmp_path / "other.db"
    with sqlite3.connect(db_path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with sqlite3.connect(copy) as conn:  # the same records in a database of its own identity
        conn.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", (str(uuid.uuid4()),))
        conn.execute("DELETE FROM digest_deliveries")
    assert cli("--db", copy, *DIGEST).exit_code == 0
    first, other = message_ids(smtp)
    assert MESSAGE_ID.match(other) and other != first
