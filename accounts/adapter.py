"""allauth hooks: its emails leave through notifications/ like every other."""

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from accounts.models import User
from notifications.services import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth names its emails "account/email/<name>"; ours live in
        # templates/emails/account/<name>_*. Any allauth email we have not
        # restyled falls back to allauth's own templates, still via the outbox.
        name = template_prefix.rsplit("/", 1)[-1]
        template = f"emails/account/{name}"
        try:
            get_template(f"{template}_subject.txt")
        except TemplateDoesNotExist:
            template = template_prefix
        request = self.request
        user = context.get("user")
        queue_email(
            to=email,
            kind=f"account.{name}",
            # Each account email is its own event (a resent confirmation is a new one).
            key=f"account.{name}:{email}:{uuid.uuid4().hex}",
            template=template,
            context={"email": email, **context},
            recipient=user if isinstance(user, User) and user.pk else None,
            request=request,
        )
