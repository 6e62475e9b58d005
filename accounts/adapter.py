"""allauth hooks: its emails leave through notifications/ like every other; moderators keep their
second factor."""

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
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


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "Moderators and staff keep two-factor authentication on. "
        "To move it to a new phone, ask an administrator to remove your authenticator app "
        "(Admin › Authenticators); you then set up the new one when you next sign in.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = User.objects.get(pk=authenticator.user_id)
        return not user.must_use_second_factor
