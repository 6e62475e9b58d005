"""Unsubscribe links: a signed token naming a person and a reminder kind, so that the link in a reminder
mutes that kind for that person without signing in, and a changed link is refused."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.reminders import is_reminder

SALT = "notifications.unsubscribe"
# Long enough for an old reminder read late; a link older than this asks to use the settings page.
MAX_AGE = datetime.timedelta(days=365)


class BadToken(Exception):
    """The link was changed, has expired, or names something that cannot be muted."""


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def make_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=SALT, compress=True)


def read_token(token: str) -> Unsubscribe:
    """The person and kind a token names; BadToken if it was changed, has expired or names no reminder."""
    try:
        user_id, kind = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as error:
        raise BadToken("This unsubscribe link has expired.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken("This unsubscribe link is not valid: it may have been cut or changed.") from error
    if not isinstance(user_id, int) or not isinstance(kind, str) or not is_reminder(kind):
        raise BadToken("This unsubscribe link is not valid: it may have been cut or changed.")
    return Unsubscribe(user_id=user_id, kind=kind)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    """The absolute link a reminder's List-Unsubscribe header and footer point at."""
    token = make_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})
