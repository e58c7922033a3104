"""Digest e-mail over TLS: STARTTLS and SMTPS (implicit TLS), with login, against aiosmtpd on 127.0.0.1.

The server certificates come from a throwaway CA made by trustme. The product is not told about that CA:
`ssl.create_default_context()` loads OpenSSL's default verify paths, which honour the SSL_CERT_FILE
environment variable at the moment the context is made. So the in-process tests set SSL_CERT_FILE (and
an empty SSL_CERT_DIR) with monkeypatch, and one test runs the real CLI in an `env -i` subprocess, as cron
would, with SSL_CERT_FILE pointing at the CA.
"""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import pytest
import trustme  # a test dependency: a missing install must fail here, not skip the TLS tests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from test_digest_delivery import Collector, deliveries, free_port, parse, run_bare

USER = "dudao"
PASSWORD = "S3cret pw:+/=%!"  # spaces and base64/percent characters must survive AUTH PLAIN
WRONG_PASSWORD = "not-the-password-42"
SUBJECT = "南县责任督学督导周报 2020-W45（2020-11-02 至 2020-11-08）"
DIGEST = ("report", "digest", "--week", "2020-W45", "--as-of", "2020-11-09", "--email")


# -- certificates ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """Two unrelated CAs (the trusted one and a stranger), their PEM files, and an empty certificate folder."""
    folder = tmp_path_factory.mktemp("pki")
    trusted, stranger = trustme.CA(), trustme.CA()
    trusted.cert_pem.write_to_path(str(folder / "trusted-ca.pem"))
    stranger.cert_pem.write_to_path(str(folder / "stranger-ca.pem"))
    (folder / "no-certs").mkdir()
    return {"trusted": trusted, "stranger": stranger, "folder": folder}


def trust(monkeypatch, pki, which: str | None) -> None:
    """Make the client trust exactly one CA's PEM (`trusted`/`stranger`), or fall back to the system store."""
    if which is None:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        return
    monkeypatch.setenv("SSL_CERT_FILE", str(pki["folder"] / f"{which}-ca.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(pki["folder"] / "no-certs"))


def server_context(ca, *names: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


# -- the server -------------------------------------------------------------------------------------------

class TLSCollector(Collector):
    """Keeps each message with what the server knew about the session that carried it."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        self.sessions.append({
            "tls_version": tls.version() if tls is not None else None,
            "starttls_info": session.ssl,  # set by aiosmtpd only after a STARTTLS handshake
            "authenticated": session.authenticated,
            "login": getattr(session.auth_data, "login", None),
        })
        return await super().handle_DATA(server, session, envelope)


class Authenticator:
    """Accepts USER/PASSWORD, and only on a TLS connection; records every attempt."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, bytes, bytes, bool]] = []
        self.lock = threading.Lock()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        on_tls = server.transport.get_extra_info("ssl_object") is not None
        with self.lock:
            self.attempts.append((mechanism, auth_data.login, auth_data.password, on_tls))
        ok = on_tls and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def start(mode: str, ctx: ssl.SSLContext, handler, authenticator=None, *, smtps_auth: bool = True) -> Controller:
    """STARTTLS: plain port, TLS required before MAIL, AUTH only after TLS (aiosmtpd's default).

    SMTPS: TLS from the first byte. aiosmtpd does not see implicit TLS as TLS for AUTH (it neither offers
    nor accepts AUTH there while `auth_require_tls` is on, aio-libs/aiosmtpd#281), so with `smtps_auth` the
    flag is turned off and the Authenticator itself refuses any attempt not made over TLS.
    """
    kwargs = {"authenticator": authenticator} if authenticator else {}
    if mode == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=ctx,
                                require_starttls=True, **kwargs)
    else:
        if smtps_auth:
            kwargs["auth_require_tls"] = False
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ssl_context=ctx, **kwargs)
    controller.start()
    return controller


@pytest.fixture
def weeks(cli, schools, db_path: Path, tmp_path: Path):
    from test_digest import build_weeks, write_checklist

    return build_weeks(cli, db_path, write_checklist(tmp_path / "checklists"))


def configure(monkeypatch, mode: str, port: int, host: str = "127.0.0.1", password: str = PASSWORD) -> None:
    monkeypatch.setenv("NANXIAN_SMTP_HOST", host)
    monkeypatch.setenv("NANXIAN_SMTP_PORT", str(port))
    monkeypatch.setenv("NANXIAN_SMTP_TLS", mode)
    monkeypatch.setenv("NANXIAN_SMTP_FROM", "南县教育督导室 <dudao@nanxian.example>")
    monkeypatch.setenv("NANXIAN_SMTP_TO", "bureau@nanxian.example, Head@Nanxian.example")
    monkeypatch.setenv("NANXIAN_SMTP_USER", USER)
    monkeypatch.setenv("NANXIAN_SMTP_PASSWORD", password)


def assert_refused(result, handler, auth, db_path, port: int, *expected: str) -> None:
    """Exit 1, one clear line on stderr naming the server, no traceback, nothing sent, nothing recorded."""
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert "\n" not in err, err
    assert f"127.0.0.1:{port}" in err or f"localhost:{port}" in err, err
    assert "not sent" in err and "nothing was recorded" in err, err
    for text in expected:
        assert text in err, err
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output and WRONG_PASSWORD not in result.output
    assert handler.messages == [] and deliveries(db_path) == []
    if auth is not None:
        assert auth.attempts == [], "credentials were sent to a server whose certificate was not accepted"


# -- delivered over TLS -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_login_delivers(cli, weeks, monkeypatch, pki, db_path, mode):
    handler, auth = TLSCollector(), Authenticator()
    controller = start(mode, server_context(pki["trusted"], "127.0.0.1"), handler, auth)
    try:
        trust(monkeypatch, pki, "trusted")
        configure(monkeypatch, mode, controller.port)
        result = cli(*DIGEST, env={"NANXIAN_LANG": "zh"})  # Chinese as the usual language: recorded as before
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and PASSWORD not in result.output

    # The server saw one TLS session, logged in with the configured credentials, over TLS.
    assert auth.attempts == [("PLAIN", USER.encode(), PASSWORD.encode(), True)]
    assert len(handler.sessions) == 1
    session = handler.sessions[0]
    assert session["tls_version"] in {"TLSv1.2", "TLSv1.3"}
    assert session["authenticated"] is True and session["login"] == USER.encode()
    if mode == "starttls":
        assert session["starttls_info"] and session["starttls_info"].get("ssl_object") is not None
    else:
        assert session["starttls_info"] is None  # TLS from the first byte, no STARTTLS

    # The message itself, intact.
    assert len(handler.messages) == 1
    mail_from, rcpt, raw = handler.messages[0]
    assert mail_from == "dudao@nanxian.example"
    assert sorted(rcpt) == ["Head@Nanxian.example", "bureau@nanxian.example"]
    msg = parse(raw)
    assert msg["Subject"] == SUBJECT
    assert msg["From"].addresses[0].display_name == "南县教育督导室"
    assert msg.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in msg.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert all(p.get_content_charset() == "utf-8" for p in parts.values())
    assert "到校督导 3 次，涉及 3 所学校；检查点合格率 44.4%（合格 4，不合格 5）。" in parts["text/plain"].get_content()
    assert "<td>华阁镇中心学校（NX-002）</td>" in parts["text/html"].get_content()

    assert deliveries(db_path) == [("2020-W45", "email", "bureau@nanxian.example"),
                                   ("2020-W45", "email", "head@nanxian.example")]
    assert "已发送至 bureau@nanxian.example" in result.stdout


def test_cron_env_i_starttls_trusts_ca_from_ssl_cert_file(weeks, pki, db_path):
    """The real CLI in a subprocess with nothing but PATH, the database, the mail settings and SSL_CERT_FILE."""
    handler, auth = TLSCollector(), Authenticator()
    controller = start("starttls", server_context(pki["trusted"], "127.0.0.1"), handler, auth)
    env = {"NANXIAN_SMTP_HOST": "127.0.0.1", "NANXIAN_SMTP_PORT": str(controller.port),
           "NANXIAN_SMTP_TLS": "starttls", "NANXIAN_SMTP_FROM": "dudao@nanxian.example",
           "NANXIAN_SMTP_TO": "bureau@nanxian.example", "NANXIAN_SMTP_USER": USER,
           "NANXIAN_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(pki["folder"] / "trusted-ca.pem")}
    try:
        proc = run_bare(db_path, *DIGEST, **env)
        # The same run trusting the stranger CA is refused: SSL_CERT_FILE is what made the difference.
        env["SSL_CERT_FILE"] = str(pki["folder"] / "stranger-ca.pem")
        refused = run_bare(db_path, *DIGEST, "--force", **env)
    finally:
        controller.stop()
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert len(handler.messages) == 1 and handler.sessions[0]["tls_version"] in {"TLSv1.2", "TLSv1.3"}
    assert parse(handler.messages[0][2])["Subject"] == SUBJECT
    assert auth.attempts == [("PLAIN", USER.encode(), PASSWORD.encode(), True)]
    assert refused.returncode == 1
    err = refused.stderr.decode("utf-8")
    assert f"127.0.0.1:{controller.port}" in err and "证书" in err and "Traceback" not in err
    assert len(handler.messages) == 1 and len(auth.attempts) == 1
    assert deliveries(db_path) == [("2020-W45", "email", "bureau@nanxian.example")]


# -- refused: the certificate ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "ssl"])
@pytest.mark.parametrize("client_trusts", ["stranger", None], ids=["another-ca", "system-store"])
def test_untrusted_certificate_refused(cli, weeks, monkeypatch, pki, db_path, mode, client_trusts):
    handler, auth = TLSCollector(), Authenticator()
    controller = start(mode, server_context(pki["trusted"], "127.0.0.1"), handler, auth)
    try:
        trust(monkeypatch, pki, client_trusts)
        configure(monkeypatch, mode, controller.port)
        result = cli(*DIGEST)
    finally:
        controller.stop()
    assert_refused(result, handler, auth, db_path, controller.port,
                   "certificate was not accepted", "unable to get local issuer certificate")


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
@pytest.mark.parametrize(("host", "cert_for", "why"), [
    ("127.0.0.1", ("smtp.nanxian.example",), "IP address mismatch, certificate is not valid for '127.0.0.1')"),
    ("localhost", ("127.0.0.1",), "Hostname mismatch, certificate is not valid for 'localhost')"),
], ids=["ip", "name"])
def test_certificate_for_another_host_refused(cli, weeks, monkeypatch, pki, db_path, mode, host, cert_for, why):
    handler, auth = TLSCollector(), Authenticator()
    controller = start(mode, server_context(pki["trusted"], *cert_for), handler, auth)
    try:
        trust(monkeypatch, pki, "trusted")  # a good CA: only the name is wrong
        configure(monkeypatch, mode, controller.port, host=host)
        result = cli(*DIGEST)
    finally:
        controller.stop()
    assert_refused(result, handler, auth, db_path, controller.port, "certificate was not accepted", why)


def test_certificate_message_in_chinese(cli, weeks, monkeypatch, pki, db_path):
    handler = TLSCollector()
    controller = start("ssl", server_context(pki["trusted"], "127.0.0.1"), handler)
    try:
        trust(monkeypatch, pki, "stranger")
        configure(monkeypatch, "ssl", controller.port)
        result = cli("--lang", "zh", *DIGEST)
    finally:
        controller.stop()
    assert result.exit_code == 1
    assert f"SMTP 127.0.0.1:{controller.port}" in result.stderr and "服务器证书未通过验证" in result.stderr
    assert handler.messages == [] and deliveries(db_path) == []


# -- refused: the login -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_wrong_password_over_tls(cli, weeks, monkeypatch, pki, db_path, mode):
    handler, auth = TLSCollector(), Authenticator()
    controller = start(mode, server_context(pki["trusted"], "127.0.0.1"), handler, auth)
    try:
        trust(monkeypatch, pki, "trusted")
        configure(monkeypatch, mode, controller.port, password=WRONG_PASSWORD)
        result = cli(*DIGEST)
    finally:
        controller.stop()
    # The attempts reached the server, over TLS, and were refused (smtplib tries PLAIN, then LOGIN);
    # the password is not echoed.
    assert auth.attempts and {a[0] for a in auth.attempts} <= {"PLAIN", "LOGIN"}
    assert all(a[1:] == (USER.encode(), WRONG_PASSWORD.encode(), True) for a in auth.attempts)
    assert_refused(result, handler, None, db_path, controller.port, "login refused (535)")


def test_login_not_offered_is_not_called_a_starttls_problem(cli, weeks, monkeypatch, pki, db_path):
    """A TLS server that offers no AUTH while NANXIAN_SMTP_USER is set: say so, not "no STARTTLS"."""
    handler = TLSCollector()
    # aiosmtpd's defaults on an SMTPS port: AUTH is not offered (see `start`).
    controller = start("ssl", server_context(pki["trusted"], "127.0.0.1"), handler, Authenticator(),
                       smtps_auth=False)
    try:
        trust(monkeypatch, pki, "trusted")
        configure(monkeypatch, "ssl", controller.port)
        result = cli(*DIGEST)
    finally:
        controller.stop()
    assert_refused(result, handler, None, db_path, controller.port, "does not offer login (SMTP AUTH)")
    assert "STARTTLS" not in result.stderr


@pytest.mark.parametrize("var", ["NANXIAN_SMTP_PASSWORD", "NANXIAN_SMTP_USER"])
def test_non_ascii_login_exit_2_before_connecting(cli, weeks, monkeypatch, pki, db_path, tmp_path, var):
    """smtplib can only send an ASCII login; before the fix this was an 'internal error' after connecting."""
    handler, auth = TLSCollector(), Authenticator()
    controller = start("starttls", server_context(pki["trusted"], "127.0.0.1"), handler, auth)
    try:
        trust(monkeypatch, pki, "trusted")
        configure(monkeypatch, "starttls", controller.port)
        monkeypatch.setenv(var, "督导室2020")
        result = cli(*DIGEST, "--output", tmp_path)
    finally:
        controller.stop()
    assert result.exit_code == 2, result.output
    assert var in result.stderr and "non-ASCII" in result.stderr
    assert "督导室2020" not in result.output and "internal error" not in result.output
    assert auth.attempts == [] and handler.messages == [] and deliveries(db_path) == []
    assert not (tmp_path / "digest-2020-W45.txt").exists()
