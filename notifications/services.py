"""The one way email leaves Peership: queue_email() writes an outbox row in the
caller's transaction and asks Celery to send it once that transaction commits.

A reminder is held until its `not_before` time (the recipient's local morning), carries an
unsubscribe link, and is skipped at send time if the recipient muted its kind or its step was
done meanwhile (see notifications/reminders.py)."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.time_zones import zone_of
from notifications.emails import render_email
from notifications.models import MutedKind, Notification
from notifications.reminders import REMINDER_KINDS, is_reminder, step_is_done
from notifications.unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)

# A row still unsent this long after it was queued is queued again by the relay
# (its task was lost: broker down, worker killed before acknowledging).
REQUEUE_AFTER = timedelta(minutes=5)
# A row claimed by a worker that never finished is released after this long.
RELEASE_CLAIM_AFTER = timedelta(minutes=15)
# Sending is tried this many times, waiting 30 s, 1, 2, 4… minutes between tries.
MAX_ATTEMPTS = 5
FIRST_RETRY_DELAY = timedelta(seconds=30)


def queue_email(
    *,
    to: str,
    kind: str,
    key: str,
    template: str,
    context: dict[str, Any],
    recipient: User | None = None,
    request: HttpRequest | None = None,
    reminder_of: str = "",
    not_before: datetime | None = None,
) -> Notification:
    """Render an email and write it to the outbox once; send it after commit (or at `not_before`).

    `reminder_of` names the step a reminder is about ("weekly_report:12:3"): if it is done by the
    time the reminder would go out, the reminder is skipped."""
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    list_unsubscribe = ""
    if is_reminder(kind) and recipient is not None:
        list_unsubscribe = unsubscribe_url(user_id=recipient.pk, kind=kind)
    # Dates and times in the email read as on the recipient's pages: in their time zone.
    zone = zone_of(recipient) if recipient is not None else None
    with timezone.override(zone):
        rendered = render_email(template, context, request)
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "recipient": recipient,
                "to_email": to,
                "subject": rendered.subject,
                "body_text": rendered.text,
                "body_html": rendered.html,
                "reminder_of": reminder_of,
                "list_unsubscribe": list_unsubscribe,
                "next_attempt_at": not_before,
            },
        )
    # A held reminder is left to the relay, which queues it once its time has come.
    if created and (not_before is None or not_before <= timezone.now()):
        transaction.on_commit(lambda: enqueue([notification.pk]))
    return notification


def enqueue(notification_ids: list[int]) -> None:
    """Hand rows to Celery. If the broker is down the rows stay pending and the
    relay queues them later: nothing is lost."""
    from notifications.tasks import send_notification

    for notification_id in notification_ids:
        # Marked before the hand-over: an eager task may already have finished
        # (or failed and scheduled its retry) when delay() returns.
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
            queued_at=timezone.now()
        )
        try:
            send_notification.delay(notification_id)
        except Exception:
            # The broker is unreachable: stop here; the relay queues the rest later.
            Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
                queued_at=None
            )
            logger.warning(
                "Could not queue notification %s; the relay will retry.", notification_id, exc_info=True
            )
            return


def claim_for_sending(*, notification_id: int) -> Notification | None:
    """Take a pending row for this worker; None if another worker has it, it is done, or it is held."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Notification.Status.SENDING, claimed_at=now)
    )
    if not claimed:
        return None
    return Notification.objects.get(pk=notification_id)


def reason_to_skip(notification: Notification) -> str:
    """Why a claimed reminder must not be sent after all ("" to send it)."""
    if not is_reminder(notification.kind):
        return ""  # account and decision emails always go out
    recipient_id = notification.recipient_id
    if (
        recipient_id is not None
        and MutedKind.objects.filter(user_id=recipient_id, kind=notification.kind).exists()
    ):
        return "Skipped: the recipient muted this kind of reminder."
    if step_is_done(notification.reminder_of):
        return "Skipped: the step was done before the reminder went out."
    return ""


def mark_skipped(*, notification: Notification, reason: str) -> None:
    notification.status = Notification.Status.SKIPPED
    # The row's note says why it was not sent, as it would say why a send failed.
    notification.last_error = reason
    notification.save(update_fields=["status", "last_error"])


def mark_sent(*, notification: Notification) -> None:
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.attempts += 1
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "attempts", "last_error"])


def mark_attempt_failed(*, notification: Notification, error: str) -> None:
    """Record a failed try: the relay tries again after a growing delay, then gives up.

    Retries are driven by the outbox, not by Celery countdowns, so they survive a
    restarted worker and never outlive the broker's visibility timeout."""
    notification.attempts += 1
    notification.last_error = error[:2000]
    notification.queued_at = None
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        notification.next_attempt_at = None
    else:
        notification.status = Notification.Status.PENDING
        notification.next_attempt_at = timezone.now() + FIRST_RETRY_DELAY * 2 ** (notification.attempts - 1)
    notification.save(update_fields=["status", "attempts", "last_error", "queued_at", "next_attempt_at"])


def relay_pending(*, batch_size: int = 500) -> int:
    """Queue rows that were never queued or whose task was lost; return how many."""
    now = timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - RELEASE_CLAIM_AFTER
    ).update(status=Notification.Status.PENDING)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING)
            .exclude(queued_at__gte=now - REQUEUE_AFTER)
            .exclude(next_attempt_at__gt=now)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch_size]
        )
    enqueue(ids)
    return len(ids)


def resend(*, notification_id: int) -> bool:
    """Give a failed email a fresh set of tries (a moderator's action); False if it is not failed."""
    with transaction.atomic():
        reset = Notification.objects.filter(pk=notification_id, status=Notification.Status.FAILED).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=None, queued_at=None
        )
        if reset:
            transaction.on_commit(lambda: enqueue([notification_id]))
    return bool(reset)


def mute(*, user: User, kind: str) -> bool:
    """Stop a reminder kind for a person; False if it was already muted. Only reminder kinds can be."""
    if not is_reminder(kind):
        raise ValueError(f"{kind!r} is not a reminder: it cannot be muted.")
    _, created = MutedKind.objects.get_or_create(user=user, kind=kind)
    return created


def set_muted_kinds(*, user: User, muted: Iterable[str]) -> None:
    """Mute exactly these reminder kinds for a person, and unmute the others."""
    wanted = {kind for kind in muted if is_reminder(kind)}
    with transaction.atomic():
        MutedKind.objects.filter(user=user, kind__in=REMINDER_KINDS).exclude(kind__in=wanted).delete()
        for kind in wanted:
            MutedKind.objects.get_or_create(user=user, kind=kind)
