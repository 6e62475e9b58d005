"""Rendering: every email has a subject, a text part and an HTML part, from
templates/emails/<name>_subject.txt, _message.txt and _message.html."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string


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


def build_message(*, to: str, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message
