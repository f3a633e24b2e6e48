"""The outside world of reminders, as real local servers on loopback: a small SMTP server and a
group-robot HTTP server speaking the WeCom and DingTalk webhook protocol (the DingTalk side
checks the HMAC-SHA256 signature and the timestamp like the real one)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SmtpInbox:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    reject_recipients: bool = False


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    inbox: SmtpInbox

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        self._reply("220 fake-smtp ready")
        sender, recipients = "", []
        while raw := self.rfile.readline():
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-fake-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif verb == "HELO" or verb == "NOOP":
                self._reply("250 ok")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].split()[0].strip("<>"), []
                self._reply("250 ok")
            elif verb == "RCPT":
                if self.inbox.reject_recipients:
                    self._reply("550 mailbox unavailable")
                    continue
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                body = b""
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    body += line[1:] if line.startswith(b"..") else line
                message = message_from_bytes(body, policy=policy.default)
                self.inbox.messages.append(message)  # type: ignore[arg-type]
                self.inbox.envelopes.append((sender, recipients))
                self._reply("250 queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


@contextmanager
def smtp_server() -> Iterator[tuple[int, SmtpInbox]]:
    """A threaded SMTP server on 127.0.0.1; yields (port, inbox)."""
    inbox = SmtpInbox()
    handler = type("Handler", (_SmtpHandler,), {"inbox": inbox})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], inbox
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class RobotCalls:
    """What the robots received; `secret` is the DingTalk robot's signing secret."""

    secret: str = ""
    wecom: list[dict[str, object]] = field(default_factory=list)
    dingtalk: list[dict[str, object]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class _RobotHandler(BaseHTTPRequestHandler):
    calls: RobotCalls

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        return

    def _answer(self, errcode: int, errmsg: str) -> None:
        body = json.dumps({"errcode": errcode, "errmsg": errmsg}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if payload.get("msgtype") != "text" or not payload.get("text", {}).get("content"):
            self._answer(40008, "invalid message type")
        elif url.path == "/cgi-bin/webhook/send":
            if query.get("key") != "wecom-key":
                self.calls.refused.append("wecom: invalid key")
                self._answer(93000, "invalid webhook url")
                return
            self.calls.wecom.append(payload)
            self._answer(0, "ok")
        elif url.path == "/robot/send":
            if query.get("access_token") != "ding-token":
                self.calls.refused.append("dingtalk: token")
                self._answer(300001, "token is not exist")
                return
            if self.calls.secret and not self._signed(query):
                self.calls.refused.append("dingtalk: sign")
                self._answer(310000, "sign not match")
                return
            self.calls.dingtalk.append(payload)
            self._answer(0, "ok")
        else:
            self.send_error(404)

    def _signed(self, query: dict[str, str]) -> bool:
        try:
            timestamp = int(query["timestamp"])
        except (KeyError, ValueError):
            return False
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:  # DingTalk allows one hour
            return False
        digest = hmac.new(
            self.calls.secret.encode(), f"{timestamp}\n{self.calls.secret}".encode(), hashlib.sha256
        ).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), query.get("sign", ""))


@contextmanager
def robot_server(secret: str = "") -> Iterator[tuple[str, RobotCalls]]:
    """A threaded WeCom + DingTalk robot server on 127.0.0.1; yields (base URL, calls)."""
    calls = RobotCalls(secret=secret)
    handler = type("Handler", (_RobotHandler,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()
