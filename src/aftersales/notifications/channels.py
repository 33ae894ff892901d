"""Channel backends. Email goes through Django's mail backend; SMS and WeChat log until a
provider is configured (the gateway contract is the same `send` call)."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from .choices import Channel

logger = logging.getLogger("aftersales.notifications")


class ChannelBackend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None: ...


class EmailBackend:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)


class LoggingBackend:
    def __init__(self, channel: str):
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Says that a message left, never what it says nor to whom in full (R41)."""
        logger.info("[%s] to …%s: %d characters", self.channel, recipient[-4:], len(body))


BACKENDS: dict[str, ChannelBackend] = {
    Channel.EMAIL: EmailBackend(),
    Channel.SMS: LoggingBackend(Channel.SMS),
    Channel.WECHAT: LoggingBackend(Channel.WECHAT),
}


def backend_for(channel: str) -> ChannelBackend:
    return BACKENDS[channel]
