"""SMS, configured like Django's e-mail backend: `settings.SMS_BACKEND` names the class.

`send_sms(mobile, text, code=None)` is the one entry point. It sends through the backend and
writes one `SmsLog` row with the code masked (``******``) and the outcome; a failure is logged
and answered False, never raised. Backends: console (prints), file (one file per message in
SMS_FILE_PATH), locmem (`outbox`, for the tests) and an HTTP gateway (POST with urllib; URL,
credentials from the environment, message template, sender name). No backend logs a secret.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from proposals.models import SmsLog

logger = logging.getLogger(__name__)
MASK = "******"


@dataclass(frozen=True)
class Message:
    mobile: str
    text: str


class BaseBackend:
    name = "base"

    def send(self, message: Message) -> None:  # raises on failure
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message (the default, for `make run` and the demo)."""

    name = "console"

    def send(self, message: Message) -> None:
        stream = sys.stdout
        stream.write(f"短信 → {message.mobile}：{message.text}\n")
        stream.flush()


class FileBackend(BaseBackend):
    """One file per message in SMS_FILE_PATH, like Django's filebased mail backend."""

    name = "file"
    _lock = threading.Lock()
    _count = 0

    def send(self, message: Message) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            FileBackend._count += 1
            count = FileBackend._count
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"{stamp}-{count}-{message.mobile}.txt"
        path.write_text(f"To: {message.mobile}\n\n{message.text}\n", encoding="utf-8")


outbox: list[Message] = []


class LocmemBackend(BaseBackend):
    """Keeps messages in `proposals.sms.outbox` (the tests read the codes from there)."""

    name = "locmem"

    def send(self, message: Message) -> None:
        outbox.append(message)


class GatewayBackend(BaseBackend):
    """POSTs JSON to SMS_GATEWAY_URL: {"sender", "mobile", "text"} rendered from
    SMS_GATEWAY_TEMPLATE; basic auth from SMS_GATEWAY_USER/PASSWORD or a bearer SMS_GATEWAY_TOKEN.
    Any non-2xx answer, timeout or network error is a failure."""

    name = "gateway"

    def send(self, message: Message) -> None:
        template = settings.SMS_GATEWAY_TEMPLATE
        text = template.format(text=message.text, sender=settings.SMS_SENDER)
        body = json.dumps(
            {"sender": settings.SMS_SENDER, "mobile": message.mobile, "text": text}, ensure_ascii=False
        ).encode()
        url = settings.SMS_GATEWAY_URL
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise RuntimeError("短信网关地址（SMS_GATEWAY_URL）须以 http:// 或 https:// 开头")
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        if settings.SMS_GATEWAY_TOKEN:
            request.add_header("Authorization", f"Bearer {settings.SMS_GATEWAY_TOKEN}")
        elif settings.SMS_GATEWAY_USER:
            pair = f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
        try:
            # The scheme is checked above: http(s) only, never file: or a custom handler.
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # nosec B310
                status = response.status
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"短信网关返回错误（HTTP {error.code}）") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RuntimeError(f"无法连接短信网关（{type(reason).__name__}）") from None
        if not 200 <= status < 300:
            raise RuntimeError(f"短信网关返回错误（HTTP {status}）")


def backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def masked(text: str, code: str | None) -> str:
    return text.replace(code, MASK) if code else text


def send_sms(mobile: str, text: str, *, code: str | None = None) -> bool:
    """Send `text` to `mobile`; log it (code masked) with the outcome; True when it went out."""
    sender = backend()
    ok, error = True, ""
    try:
        sender.send(Message(mobile, text))
    except Exception as problem:  # noqa: BLE001 — a failed SMS must never break the page
        ok, error = False, masked(str(problem), code)[:300] or type(problem).__name__
        logger.warning("SMS to %s****%s failed: %s", mobile[:3], mobile[-4:], error)
    SmsLog.objects.create(
        mobile=mobile,
        text=masked(text, code),
        backend=getattr(sender, "name", type(sender).__name__),
        ok=ok,
        error=error,
    )
    return ok
