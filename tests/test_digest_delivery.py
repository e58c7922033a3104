"""Digest delivery by e-mail through a real SMTP server (aiosmtpd on 127.0.0.1), exactly once per week.

Also the cron situation: `env -i` (no HOME, no LANG) subprocesses, and two runs at once.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from test_digest import build_weeks, write_checklist


class Collector:
    """An aiosmtpd handler that keeps every message; it can refuse some recipients and be slow."""

    def __init__(self, refuse: tuple[str, ...] = (), delay: float = 0.0) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(handler: Collector):
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp(monkeypatch):
    handler = Collector()
    controller = start_server(handler)
    monkeypatch.setenv("NANXIAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NANXIAN_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("NANXIAN_SMTP_TLS", "none")
    monkeypatch.setenv("NANXIAN_SMTP_FROM", "南县教育督导室 <dudao@nanxian.example>")
    monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example, Head@Nanxian.example")
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def weeks(cli, schools, db_path: Path, tmp_path: Path):
    return build_weeks(cli, db_path, write_checklist(tmp_path / "checklists"))


def deliveries(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT week, channel, target FROM digest_deliveries ORDER BY channel, target").fetchall()


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


# -- the message --------------------------------------------------------------------------------------

def test_email_sent_and_read_back(cli, weeks, smtp, db_path):
    # the county's usual language is Chinese (a --lang other than the usual one is another delivery, see
    # test_digest_languages.py)
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email", env={"NANXIAN_LANG": "zh"})
    assert result.exit_code == 0, result.output
    assert len(smtp.messages) == 1
    mail_from, rcpt, raw = smtp.messages[0]
    assert mail_from == "dudao@nanxian.example"
    assert sorted(rcpt) == ["Head@Nanxian.example", "bureau@nanxian.example"]
    msg = parse(raw)
    assert msg["Subject"] == "南县责任督学督导周报 2020-W45（2020-11-02 至 2020-11-08）"
    assert msg["From"].addresses[0].display_name == "南县教育督导室"
    assert msg["From"].addresses[0].addr_spec == "dudao@nanxian.example"
    assert [a.addr_spec for a in msg["To"].addresses] == ["bureau@nanxian.example", "Head@Nanxian.example"]
    assert msg["Date"] and msg["Message-ID"].endswith("@nanxian.example>")
    assert msg.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in msg.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    text = parts["text/plain"].get_content()
    html = parts["text/html"].get_content()
    assert parts["text/plain"].get_content_charset() == "utf-8"
    assert "到校督导 3 次，涉及 3 所学校；检查点合格率 44.4%（合格 4，不合格 5）。" in text
    assert "华阁镇中心学校（NX-002）" in text and "南洲镇中心幼儿园（NX-004）" in text
    assert "<td>华阁镇中心学校（NX-002）</td>" in html
    assert "\x1b" not in text
    assert sorted(t for _, _, t in deliveries(db_path)) == ["bureau@nanxian.example", "head@nanxian.example"]
    assert "sent to bureau@nanxian.example" in result.stdout or "已发送至 bureau@nanxian.example" in result.stdout


def test_second_run_sends_nothing_then_force(cli, weeks, smtp, db_path):
    first = cli("report", "digest", "--week", "last", "--as-of", "2020-11-09", "--email")
    assert first.exit_code == 0, first.output
    second = cli("report", "digest", "--week", "last", "--as-of", "2020-11-09", "--email")
    assert second.exit_code == 0, second.output
    assert second.stdout.count("already delivered") == 2
    import re

    assert re.search(r"bureau@nanxian\.example at \d{4}-\d\d-\d\d \d\d:\d\d; not delivered again", second.stdout)
    assert len(smtp.messages) == 1
    forced = cli("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--email", "--force")
    assert forced.exit_code == 0, forced.output
    assert len(smtp.messages) == 2
    assert len(deliveries(db_path)) == 2
    # A different week is a different delivery.
    other = cli("report", "digest", "--week", "2020-W44", "--as-of", "2020-11-09", "--email")
    assert other.exit_code == 0 and len(smtp.messages) == 3
    assert "2020-W44" in parse(smtp.messages[2][2])["Subject"]


def test_new_recipient_gets_it_once_others_not_again(cli, weeks, smtp, monkeypatch):
    assert cli("report", "digest", "--as-of", "2020-11-09", "--email").exit_code == 0
    monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example, Head@Nanxian.example, new@nanxian.example")
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == 0, result.output
    assert [m[1] for m in smtp.messages] == [["bureau@nanxian.example", "Head@Nanxian.example"],
                                             ["new@nanxian.example"]]


def test_refused_connection_exit_1_nothing_recorded(cli, weeks, monkeypatch, db_path, tmp_path):
    monkeypatch.setenv("NANXIAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NANXIAN_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("NANXIAN_SMTP_TLS", "none")
    monkeypatch.setenv("NANXIAN_SMTP_FROM", "dudao@nanxian.example")
    monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example")
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == 1, result.output
    assert "not sent" in result.stderr and "next run" in result.stderr
    assert "Traceback" not in result.output
    assert deliveries(db_path) == []
    # The next run, with the server up, sends.
    handler = Collector()
    controller = start_server(handler)
    try:
        monkeypatch.setenv("NANXIAN_SMTP_PORT", str(controller.port))
        again = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    finally:
        controller.stop()
    assert again.exit_code == 0, again.output
    assert len(handler.messages) == 1
    assert deliveries(db_path) == [("2020-W45", "email", "bureau@nanxian.example")]


def test_smtp_failure_keeps_file_delivery_and_exit_1(cli, weeks, monkeypatch, db_path, tmp_path):
    monkeypatch.setenv("NANXIAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NANXIAN_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("NANXIAN_SMTP_TLS", "none")
    monkeypatch.setenv("NANXIAN_SMTP_FROM", "dudao@nanxian.example")
    monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example")
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email", "--output", tmp_path)
    assert result.exit_code == 1
    assert (tmp_path / "digest-2020-W45.txt").is_file()
    assert [d[1] for d in deliveries(db_path)] == ["file"]


def test_refused_recipient_recorded_apart(cli, weeks, monkeypatch, db_path):
    handler = Collector(refuse=("gone@nanxian.example",))
    controller = start_server(handler)
    try:
        monkeypatch.setenv("NANXIAN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("NANXIAN_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("NANXIAN_SMTP_TLS", "none")
        monkeypatch.setenv("NANXIAN_SMTP_FROM", "dudao@nanxian.example")
        monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example,gone@nanxian.example")
        result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
        assert result.exit_code == 1
        assert "gone@nanxian.example" in result.stderr
        assert deliveries(db_path) == [("2020-W45", "email", "bureau@nanxian.example")]
        # Every recipient refused: nothing sent, nothing recorded, exit 1.
        monkeypatch.setenv("NANXIAN_SMTP_TO", "gone@nanxian.example")
        result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
        assert result.exit_code == 1
        assert len(handler.messages) == 1
    finally:
        controller.stop()


@pytest.mark.parametrize(("unset", "named"), [
    ("NANXIAN_SMTP_HOST", "NANXIAN_SMTP_HOST"),
    ("NANXIAN_SMTP_FROM", "NANXIAN_SMTP_FROM"),
    ("NANXIAN_SMTP_TO", "NANXIAN_SMTP_TO"),
])
def test_missing_setting_exit_2_names_it(cli, weeks, smtp, monkeypatch, unset, named, tmp_path, db_path):
    monkeypatch.delenv(unset)
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email", "--output", tmp_path)
    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert smtp.messages == [] and deliveries(db_path) == []
    assert not (tmp_path / "digest-2020-W45.txt").exists()


@pytest.mark.parametrize(("var", "value", "exit_code"), [
    ("NANXIAN_SMTP_TLS", "maybe", 2),
    ("NANXIAN_SMTP_PORT", "smtp", 2),
    ("NANXIAN_SMTP_TO", "not-an-address", 2),
    ("NANXIAN_SMTP_FROM", "x@y\r\nBcc: evil@example.com", 2),
    ("NANXIAN_SMTP_USER", "dudao", 2),  # a user without NANXIAN_SMTP_PASSWORD
])
def test_bad_settings_exit_2(cli, weeks, smtp, monkeypatch, var, value, exit_code):
    monkeypatch.setenv(var, value)
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == exit_code, result.output
    assert smtp.messages == []


def test_starttls_not_offered_exit_1(cli, weeks, smtp, monkeypatch, db_path):
    monkeypatch.setenv("NANXIAN_SMTP_TLS", "starttls")
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == 1
    assert "STARTTLS" in result.stderr
    assert smtp.messages == [] and deliveries(db_path) == []


def test_settings_from_config_file(cli, weeks, smtp, monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\nfrom = "cfg@nanxian.example"\n'
        'to = ["cfg-to@nanxian.example"]\n', encoding="utf-8")
    monkeypatch.setenv("NANXIAN_CONFIG", str(config))
    for var in ("NANXIAN_SMTP_HOST", "NANXIAN_SMTP_PORT", "NANXIAN_SMTP_FROM", "NANXIAN_SMTP_TO", "NANXIAN_SMTP_TLS"):
        monkeypatch.delenv(var)
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == 0, result.output
    assert smtp.messages[0][0] == "cfg@nanxian.example" and smtp.messages[0][1] == ["cfg-to@nanxian.example"]


def test_hostile_school_in_email_html(cli, schools, smtp, db_path, tmp_path):
    from test_digest import record

    roster = tmp_path / "hostile.yaml"
    roster.write_text("- {code: NX-009, name: '<script>alert(1)</script>', stages: primary}\n", encoding="utf-8")
    assert cli("school", "import", roster).exit_code == 0
    record(db_path, write_checklist(tmp_path / "checklists"), "NX-009", "2020-11-03", "李明", "no", 60, "no")
    assert cli("report", "digest", "--as-of", "2020-11-09", "--email").exit_code == 0
    parts = {p.get_content_type(): p.get_content() for p in parse(smtp.messages[0][2]).iter_parts()}
    assert "<script>" not in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]
    assert "<script>alert(1)</script> (NX-009)" in parts["text/plain"]


# -- cron: env -i, and two runs at once -------------------------------------------------------------

def bare_env(db: Path, **extra: str) -> list[str]:
    """`env -i` with only PATH, NANXIAN_DB and the given variables: no HOME, no LANG, no terminal."""
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    return ["env", "-i", f"PATH={path}", f"NANXIAN_DB={db}", *(f"{k}={v}" for k, v in extra.items())]


def run_bare(db: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*bare_env(db, **extra), sys.executable, "-m", "nanxian_cli", *args],
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


def test_env_i_prints_plain_chinese(weeks, db_path):
    proc = run_bare(db_path, "report", "digest", "--week", "last", "--as-of", "2020-11-09")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8")
    assert b"\x1b" not in proc.stdout and b"\x1b" not in proc.stderr
    assert out.startswith("南县责任督学督导周报 2020-W45")  # no locale: Chinese, the county's language
    assert "到校督导 3 次" in out
    bad = run_bare(db_path, "report", "digest", "--week", "2020-W54")
    assert bad.returncode == 2 and b"\x1b" not in bad.stderr and b"Traceback" not in bad.stderr


def test_cron_line_twice_delivers_once(weeks, db_path, smtp, tmp_path):
    out = tmp_path / "digests"
    out.mkdir()
    env = {"NANXIAN_SMTP_HOST": "127.0.0.1", "NANXIAN_SMTP_PORT": str(smtp.port), "NANXIAN_SMTP_TLS": "none",
           "NANXIAN_SMTP_FROM": "dudao@nanxian.example", "NANXIAN_SMTP_TO": "bureau@nanxian.example"}
    args = ("report", "digest", "--week", "last", "--as-of", "2020-11-09", "--output", f"{out}/", "--email")
    first = run_bare(db_path, *args, **env)
    assert first.returncode == 0, first.stderr.decode()
    second = run_bare(db_path, *args, **env)
    assert second.returncode == 0, second.stderr.decode()
    assert len(smtp.messages) == 1
    assert second.stdout.decode("utf-8").count("本次不再重复") == 2
    assert sorted(p.name for p in out.iterdir()) == ["digest-2020-W45.txt"]
    assert b"\x1b" not in first.stdout + first.stderr + second.stdout + second.stderr
    assert "南县责任督学督导周报 2020-W45" in parse(smtp.messages[0][2])["Subject"]


def test_two_runs_at_once_deliver_one_message(weeks, db_path, monkeypatch):
    handler = Collector(delay=1.5)  # the first run holds the lock while the server takes its time
    controller = start_server(handler)
    env = {"NANXIAN_SMTP_HOST": "127.0.0.1", "NANXIAN_SMTP_PORT": str(controller.port), "NANXIAN_SMTP_TLS": "none",
           "NANXIAN_SMTP_FROM": "dudao@nanxian.example", "NANXIAN_SMTP_TO": "bureau@nanxian.example",
           "NANXIAN_LANG": "en"}
    cmd = [sys.executable, "-m", "nanxian_cli", "report", "digest", "--as-of", "2020-11-09", "--email"]
    try:
        procs = [subprocess.Popen([*bare_env(db_path, **env), *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
    finally:
        controller.stop()
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    assert len(handler.messages) == 1
    said = sorted("already delivered" in o[0].decode() for o in outs)
    assert said == [False, True]
    assert deliveries(db_path) == [("2020-W45", "email", "bureau@nanxian.example")]


def test_json_report_unaffected_by_deliveries(cli, weeks, smtp):
    assert cli("report", "digest", "--as-of", "2020-11-09", "--email").exit_code == 0
    data = json.loads(cli("report", "digest", "--as-of", "2020-11-09", "--format", "json").stdout)
    assert data["visits"] == 3


def test_ssl_against_a_plain_server_exit_1(cli, weeks, smtp, monkeypatch, db_path):
    monkeypatch.setenv("NANXIAN_SMTP_TLS", "ssl")
    result = cli("report", "digest", "--as-of", "2020-11-09", "--email")
    assert result.exit_code == 1, result.output
    assert "not sent" in result.stderr and "Traceback" not in result.output
    assert smtp.messages == [] and deliveries(db_path) == []
