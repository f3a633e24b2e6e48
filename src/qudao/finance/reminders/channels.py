"""The real clients of the reminder channels: SMTP through Django's email backend, and the
WeCom (企业微信) and DingTalk (钉钉) group-robot webhooks over HTTPS with the standard library.

Each answers a `Delivery`: sent, or why not, in words fit for the reminder log. Nothing here
raises for a network or protocol failure: the caller logs it and a later run retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

TIMEOUT_SECONDS: Final = 10
SMTP_BACKEND: Final = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str = ""


def send_email(*, to: str, subject: str, body: str) -> Delivery:
    """Send through the SMTP server of the settings (EMAIL_HOST, EMAIL_PORT, …)."""
    connection = get_connection(
        SMTP_BACKEND,  # reminders always go out by SMTP, whatever backend other mail uses
        fail_silently=False,
        timeout=settings.EMAIL_TIMEOUT or TIMEOUT_SECONDS,
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
    )
    try:
        sent = message.send()
    except smtplib.SMTPException as refused:
        return Delivery(False, f"SMTP: {refused}"[:500])
    except OSError as unreachable:
        return Delivery(False, f"SMTP: {unreachable}"[:500])
    return Delivery(True) if sent == 1 else Delivery(False, "SMTP: not accepted")


def _post_json(url: str, payload: dict[str, object]) -> Delivery:
    """POST the robot message; the robots answer {"errcode": 0, "errmsg": "ok"} when sent."""
    request = urllib.request.Request(  # noqa: S310 - the URL is checked to be http(s) on save
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as failed:
        return Delivery(False, f"HTTP {failed.code}")
    except (urllib.error.URLError, OSError) as unreachable:
        return Delivery(False, str(getattr(unreachable, "reason", unreachable))[:500])
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Delivery(False, "invalid response")
    if not isinstance(answer, dict):
        return Delivery(False, "invalid response")
    if answer.get("errcode") == 0:
        return Delivery(True)
    return Delivery(False, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])


def send_wecom(*, webhook: str, text: str) -> Delivery:
    """A text message to a WeCom group robot (…/cgi-bin/webhook/send?key=…)."""
    return _post_json(webhook, {"msgtype": "text", "text": {"content": text}})


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: Base64(HMAC-SHA256(key=secret, "timestamp\\nsecret"))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    """The webhook with `timestamp` and `sign` added (when the robot has a signing secret)."""
    if not secret:
        return webhook
    query = urllib.parse.urlencode(
        {"timestamp": timestamp_ms, "sign": dingtalk_signature(secret, timestamp_ms)}
    )
    return f"{webhook}{'&' if '?' in webhook else '?'}{query}"


def send_dingtalk(*, webhook: str, secret: str, text: str, timestamp_ms: int) -> Delivery:
    """A text message to a DingTalk group robot (…/robot/send?access_token=…), signed."""
    return _post_json(
        signed_url(webhook, secret, timestamp_ms), {"msgtype": "text", "text": {"content": text}}
    )
