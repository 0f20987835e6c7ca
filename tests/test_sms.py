"""SMS backends (proposals/sms.py): console, file, in-memory and the HTTP gateway (against a
local server, including failures); every message logged with the code masked."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from proposals import sms
from proposals.models import SmsLog

pytestmark = pytest.mark.django_db
TEXT = "您的登录验证码是123456，5分钟内有效。"


def test_console_backend_prints_and_logs_masked(settings, capsys):
    settings.SMS_BACKEND = "proposals.sms.ConsoleBackend"
    assert sms.send_sms("13800001234", TEXT, code="123456")
    assert "13800001234" in capsys.readouterr().out
    log = SmsLog.objects.get()
    assert (log.backend, log.ok, log.text) == ("console", True, "您的登录验证码是******，5分钟内有效。")


def test_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "proposals.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    assert sms.send_sms("13800001234", "第一条")
    assert sms.send_sms("13900005678", "第二条")
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert any("第一条" in t and "13800001234" in t for t in texts)
    assert any("第二条" in t for t in texts)


def test_locmem_backend_keeps_the_outbox(sms_outbox):
    assert sms.send_sms("13800001234", TEXT, code="123456")
    assert [(m.mobile, m.text) for m in sms_outbox] == [("13800001234", TEXT)]
    assert "123456" not in SmsLog.objects.get().text


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 — http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(Gateway.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received, Gateway.status = [], 200
    settings.SMS_BACKEND = "proposals.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "suizhou", "s3cret-pass"
    settings.SMS_GATEWAY_TOKEN = ""
    settings.SMS_SENDER = "随州人大"
    settings.SMS_GATEWAY_TEMPLATE = "【{sender}】{text}"
    settings.SMS_GATEWAY_TIMEOUT = 3
    yield server
    server.shutdown()
    server.server_close()


def test_gateway_backend_posts_json_with_credentials(gateway):
    assert sms.send_sms("13800001234", TEXT, code="123456")
    ((auth, body),) = Gateway.received
    assert auth.startswith("Basic ")
    assert body == {"sender": "随州人大", "mobile": "13800001234", "text": f"【随州人大】{TEXT}"}
    log = SmsLog.objects.get()
    assert (log.backend, log.ok) == ("gateway", True)
    assert "123456" not in log.text and "s3cret" not in log.text


def test_gateway_failure_is_logged_not_raised(gateway, caplog):
    Gateway.status = 500
    assert sms.send_sms("13800001234", TEXT, code="123456") is False
    log = SmsLog.objects.get()
    assert log.ok is False and "HTTP 500" in log.error
    assert "s3cret" not in caplog.text and "123456" not in caplog.text


def test_gateway_unreachable_is_a_failure(gateway, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    assert sms.send_sms("13800001234", "通知") is False
    assert "无法连接短信网关" in SmsLog.objects.get().error


def test_gateway_token_is_a_bearer(gateway, settings):
    settings.SMS_GATEWAY_TOKEN = "tok-abc"
    assert sms.send_sms("13800001234", "通知")
    assert Gateway.received[0][0] == "Bearer tok-abc"


def test_gateway_only_speaks_http(gateway, settings):
    """A gateway address of another scheme (file:, ftp:) is refused before anything is opened."""
    settings.SMS_GATEWAY_URL = "file:///etc/passwd"
    assert sms.send_sms("13800001234", "通知") is False
    assert "须以 http:// 或 https:// 开头" in SmsLog.objects.get().error
    assert Gateway.received == []
