"""Rendering: every email has a subject, a text part and an HTML part, from
templates/emails/<name>_subject.txt, _message.txt and _message.html."""

import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.timezone import get_current_timezone


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> RenderedEmail:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context, request).split())
    text = render_to_string(f"{template}_message.txt", context, request).strip() + "\n"
    try:
        html_template = get_template(f"{template}_message.html")
    except TemplateDoesNotExist:
        # An email without its own HTML (one of allauth's rarer ones) gets its
        # text part in the house layout, so every email has both parts.
        html_template = get_template("emails/generic_message.html")
    html = html_template.render({**context, "subject": subject, "text": text}, request)
    return RenderedEmail(subject=subject, text=text, html=html)


def with_unsubscribe_footer(*, text: str, html: str, url: str) -> tuple[str, str]:
    """The text and HTML parts with a reminder's footer: how to stop this kind, and all settings."""
    context = {"site_url": settings.SITE_URL, "unsubscribe_url": url}
    text = (
        text.rstrip("\n") + "\n\n" + render_to_string("emails/notifications/unsubscribe_footer.txt", context)
    )
    footer = render_to_string("emails/notifications/unsubscribe_footer.html", context)
    # Inside the layout's body when there is one (every email of ours), else after the part.
    head, body_end, tail = html.rpartition("</body>")
    html = f"{head}{footer}{body_end}{tail}" if body_end else html + footer
    return text, html


class HeaderClasses(HeaderRegistry):
    """Python's header registry makes a new class for every header it parses; one per header name is
    enough, and saves a third of the time an email takes to become bytes (10,000 reminders: ~10 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        key = name.lower()
        if key not in self.classes:
            self.classes[key] = super().__getitem__(name)
        return self.classes[key]


HEADER_CLASSES = HeaderClasses()


class PreparedMIME(EmailMessage):
    """An email already made into bytes: its headers can be read, and it is sent as the bytes say."""

    prepared: bytes = b""

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        return self.prepared

    __bytes__ = as_bytes


# The Date header, on a line of its own in the header block (dates are never folded).
DATE_LINE = re.compile(rb"^Date:[^\r\n]*\r\n", re.IGNORECASE | re.MULTILINE)


def prepare(message: EmailMultiAlternatives) -> bytes:
    """The email as the mail server receives it, less its Date header (each send adds the day's own)."""
    data = message.message(policy=email.policy.SMTP).as_bytes()
    header_end = data.index(b"\r\n\r\n") + 2
    return DATE_LINE.sub(b"", data[:header_end], count=1) + data[header_end:]


class OutboxMessage(EmailMultiAlternatives):
    """An email of the outbox, its headers made with HEADER_CLASSES.

    With `prepared` bytes (the row's, from prepare()), message() gives them back, dated now, instead
    of building the email again: that is a third of what a send costs the worker."""

    policy_changes: ClassVar[dict[str, Any]] = {}
    prepared: bytes = b""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        if self.prepared:
            now = datetime.now(get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC)
            data = b"Date: " + format_datetime(now).encode() + b"\r\n" + self.prepared
            # Only the header block is parsed, for whoever reads the headers (the test mailbox does).
            parser = BytesParser(_class=PreparedMIME, policy=policy or email.policy.default)
            parsed: PreparedMIME = parser.parsebytes(data, headersonly=True)
            parsed.prepared = data
            return parsed
        policy = (policy or email.policy.default).clone(header_factory=HEADER_CLASSES, **self.policy_changes)
        return super().message(policy=policy)


class ReminderMessage(OutboxMessage):
    """An email with a List-Unsubscribe header, kept on one line."""

    # The link is one long word: folded at 78 characters, Python would rewrite it as RFC 2047
    # encoded words, which mail programs do not read as a link. RFC 5322 allows lines of 998.
    policy_changes: ClassVar[dict[str, Any]] = {"max_line_length": 998}


def message_id(key: str) -> str:
    """The Message-ID of the outbox row with this key: the same for every send of it, from any worker.

    A message sent again (a worker killed after the mail server took it, before the row was marked
    sent) carries the Message-ID of the first, so mail programs can show it once."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = urlsplit(settings.SITE_URL).hostname or "peership.local"
    return f"<{digest}.notification@{domain}>"


def build_message(
    *, to: str, subject: str, text: str, html: str, list_unsubscribe: str = "", key: str = ""
) -> OutboxMessage:
    """The email of an outbox row; `key` (the row's) gives it a stable Message-ID. A reminder's text and
    HTML already end with their unsubscribe footer (queue_email adds it)."""
    headers = {"Message-ID": message_id(key)} if key else {}
    if list_unsubscribe:
        # RFC 2369 and RFC 8058: mail programs show an "Unsubscribe" button that POSTs to the link.
        headers["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message_class = ReminderMessage if list_unsubscribe else OutboxMessage
    message = message_class(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message
