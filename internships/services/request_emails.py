"""The emails of an internship's request and start: who hears of each transition, once each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.time_zones import next_local_morning
from internships.models import Internship
from notifications.models import Notification
from notifications.services import queue_email

# Who a recipient is to the internship: the templates word the email for each.
Role = str  # "learner" or "host" (an owner of that business), "intern" or "mentor"


def name_of(user: User | None) -> str:
    return (user.name or user.email) if user is not None else ""


def tell(
    internship: Internship,
    action: str,
    recipients: Iterable[tuple[User | None, Role]],
    *,
    actor: User | None = None,
    once_per: int | None = None,
    hold_to_morning: bool = False,
    **context: Any,
) -> int:
    """Queue the email `internship_<action>` to each recipient once (never to the actor); return how many.

    The outbox key makes it once per internship, action and person, whatever retries or a second
    beat do; `once_per` (an event's id) allows one more for an action that can happen again. A reminder
    (`hold_to_morning`) waits for each recipient's working hours, as the other reminders do."""
    url = settings.SITE_URL + internship.get_absolute_url()
    seen: set[int] = set()
    queued = 0
    for user, role in recipients:
        if (
            user is None
            or not user.is_active
            or user.pk in seen
            or (actor is not None and user.pk == actor.pk)
        ):
            continue
        seen.add(user.pk)
        repeat = f"{once_per}:" if once_per is not None else ""
        key = f"internship:{internship.pk}:{action}:{repeat}{user.pk}"
        if Notification.objects.filter(key=key).exists():
            continue
        queue_email(
            to=user.email,
            kind=f"internships.internship_{action}",
            key=key,
            template=f"emails/internships/internship_{action}",
            context={
                "recipient": user,
                "role": role,
                "actor": actor,
                "internship": internship,
                "learner": internship.learner,
                "host": internship.host,
                "practice": internship.offer.practice,
                "internship_url": url,
                "intern_name": name_of(internship.intern) or internship.intern_email,
                "mentor_name": name_of(internship.mentor),
                "actor_name": name_of(actor),
                **context,
            },
            recipient=user,
            not_before=next_local_morning(user, timezone.now()) if hold_to_morning else None,
        )
        queued += 1
    return queued
