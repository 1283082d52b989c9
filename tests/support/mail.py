"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

import email
import email.policy
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]  # the SMTP envelope (RCPT TO), not the To header
    message: EmailMessage

    def part(self, content_type: str) -> str:
        return self.message.get_body(preferencelist=(content_type.split("/")[1],)).get_content()


class Inbox:
    """aiosmtpd handler: accepts every message and keeps it."""

    def __init__(self):
        self.received: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Received]:
        return self.inbox.received

    def environment(self) -> dict:
        """Settings that send a job's mail here."""
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": self.port, "EMAIL_TIMEOUT": 10}


@contextmanager
def running_smtp_server():
    server = SMTPServer()
    server.controller.start()  # returns once the server answers
    try:
        yield server
    finally:
        server.controller.stop()
