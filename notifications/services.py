"""The one way email leaves Peership: queue_email() writes an outbox row in the
caller's transaction and asks Celery to send it once that transaction commits.

A reminder is held until its `not_before` time (the recipient's local morning), carries an
unsubscribe link, and is skipped at send time if the recipient muted its kind or its step was
done meanwhile (see notifications/reminders.py)."""

import itertools
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.time_zones import zone_of
from notifications.emails import build_message, prepare, render_email, with_unsubscribe_footer
from notifications.models import MutedKind, Notification
from notifications.reminders import REMINDER_KINDS, is_reminder, step_is_done
from notifications.unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)

# How long the relay waits before it queues a row again (its task was lost: broker down, worker killed
# before acknowledging), releases a row claimed by a worker that never finished, and waits before the
# first retry of a failed send (then 2, 4, 8… times as long): settings NOTIFICATIONS_REQUEUE_AFTER,
# NOTIFICATIONS_RELEASE_CLAIM_AFTER and NOTIFICATIONS_FIRST_RETRY (5 min, 15 min, 30 s by default).
MAX_ATTEMPTS = 5
# Rows per send task: one SMTP connection carries a chunk, and the relay queues 10,000 rows in 100 tasks.
CHUNK_SIZE = 100

# The ids queue_email() collects inside enqueue_together(), per thread (None outside it).
_together = threading.local()


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
    text, html = rendered.text, rendered.html
    if list_unsubscribe:
        # Added here, once, rather than by the worker at each send: the row holds the email as sent.
        text, html = with_unsubscribe_footer(text=text, html=html, url=list_unsubscribe)
    try:
        # Made into bytes now, once: the worker only adds the date and sends them.
        message = prepare(
            build_message(
                to=to,
                subject=rendered.subject,
                text=text,
                html=html,
                list_unsubscribe=list_unsubscribe,
                key=key,
            )
        )
    except ValueError:
        # An address or header the email library refuses: the worker builds it at send time and
        # records the failure on the row, where moderators see it (as before there was a `message`).
        message = b""
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "recipient": recipient,
                "to_email": to,
                "subject": rendered.subject,
                "body_text": text,
                "body_html": html,
                "message": message,
                "reminder_of": reminder_of,
                "list_unsubscribe": list_unsubscribe,
                "next_attempt_at": not_before,
            },
        )
    # A held reminder is left to the relay, which queues it once its time has come.
    if created and (not_before is None or not_before <= timezone.now()):
        collected: list[int] | None = getattr(_together, "ids", None)
        if collected is not None:
            collected.append(notification.pk)
        else:
            transaction.on_commit(lambda: enqueue([notification.pk]))
    return notification


@contextmanager
def enqueue_together() -> Iterator[None]:
    """Hand the emails queue_email() queues inside this block to Celery together, in chunks, after commit.

    For code that queues many emails at once (the reminders): a task per CHUNK_SIZE emails, each sent
    over one SMTP connection, instead of a task and a connection per email."""
    if getattr(_together, "ids", None) is not None:
        yield  # Nested: the outermost block hands them over.
        return
    _together.ids = []
    try:
        yield
    finally:
        ids, _together.ids = _together.ids, None
        # Rows of a transaction that rolled back are not found by the task: nothing is sent for them.
        if ids:
            transaction.on_commit(lambda: enqueue(ids))


def enqueue(notification_ids: Sequence[int]) -> int:
    """Hand rows to Celery, CHUNK_SIZE to a task; return how many were handed over. If the broker is
    down the rest stay pending and the relay queues them later: nothing is lost."""
    handed_over = 0
    for chunk in itertools.batched(notification_ids, CHUNK_SIZE):
        ids = list(chunk)
        # Marked before the hand-over: an eager task may already have finished
        # (or failed and scheduled its retry) when delay() returns.
        Notification.objects.filter(pk__in=ids, status=Notification.Status.PENDING).update(
            queued_at=timezone.now()
        )
        if not _hand_over(ids):
            break
        handed_over += len(ids)
    return handed_over


def _hand_over(notification_ids: list[int]) -> bool:
    from notifications.tasks import send_notifications

    try:
        send_notifications.delay(notification_ids)
    except Exception:
        # The broker is unreachable: stop here; the relay queues the rest later.
        Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.PENDING).update(
            queued_at=None
        )
        logger.warning(
            "Could not queue %d notifications; the relay will retry.", len(notification_ids), exc_info=True
        )
        return False
    return True


def claim(notification_ids: Sequence[int]) -> list[Notification]:
    """Take the pending, due rows among these for this worker, in the order given; rows another worker
    has, rows done, and rows held are left out, so a duplicated or redelivered task sends nothing twice.

    A chunk is claimed at once (one commit, not one per row); a worker killed mid-chunk leaves its
    unsent rows claimed until the relay releases them (NOTIFICATIONS_RELEASE_CLAIM_AFTER)."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(due, pk__in=notification_ids, status=Notification.Status.PENDING)
            .order_by()
        )
        claimed = Notification.objects.filter(
            pk__in=[row.pk for row in rows], status=Notification.Status.PENDING
        ).update(status=Notification.Status.SENDING, claimed_at=now)
    if claimed != len(rows):
        # Only where rows cannot be locked (SQLite) may another worker have taken some meanwhile.
        owned = set(
            Notification.objects.filter(
                pk__in=[row.pk for row in rows], status=Notification.Status.SENDING, claimed_at=now
            ).values_list("pk", flat=True)
        )
        rows = [row for row in rows if row.pk in owned]
    by_id = {row.pk: row for row in rows}
    for row in rows:
        row.status, row.claimed_at = Notification.Status.SENDING, now
    return [by_id[pk] for pk in dict.fromkeys(notification_ids) if pk in by_id]


def release(notifications: Sequence[Notification]) -> None:
    """Give back claimed rows that were not tried: the relay queues them at its next run."""
    Notification.objects.filter(
        pk__in=[notification.pk for notification in notifications], status=Notification.Status.SENDING
    ).update(status=Notification.Status.PENDING, queued_at=None)


def muted_among(notifications: Sequence[Notification]) -> set[tuple[int, str]]:
    """The (recipient, kind) pairs of these rows that their recipient muted, in one query."""
    reminders = [n for n in notifications if n.recipient_id is not None and is_reminder(n.kind)]
    if not reminders:
        return set()
    pairs = MutedKind.objects.filter(
        user_id__in={n.recipient_id for n in reminders}, kind__in={n.kind for n in reminders}
    ).values_list("user_id", "kind")
    return set(pairs)


def reason_to_skip(notification: Notification, *, muted: set[tuple[int, str]] | None = None) -> str:
    """Why a claimed reminder must not be sent after all ("" to send it); `muted` is muted_among() of
    its chunk, looked up once for the chunk."""
    if not is_reminder(notification.kind):
        return ""  # account and decision emails always go out
    recipient_id = notification.recipient_id
    if recipient_id is not None:
        if muted is None:
            muted = muted_among([notification])
        if (recipient_id, notification.kind) in muted:
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
        delay = settings.NOTIFICATIONS_FIRST_RETRY * 2 ** (notification.attempts - 1)
        notification.next_attempt_at = timezone.now() + delay
    notification.save(update_fields=["status", "attempts", "last_error", "queued_at", "next_attempt_at"])


def relay_pending(*, batch_size: int = 1000, limit: int = 50_000) -> int:
    """Queue rows that were never queued, whose task was lost, or whose time has come; return how many.

    Runs every minute (beat): a morning's 10,000 held reminders go out in one run, not 500 a minute."""
    now = timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - settings.NOTIFICATIONS_RELEASE_CLAIM_AFTER
    ).update(status=Notification.Status.PENDING)
    relayed = 0
    while relayed < limit:
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Notification.Status.PENDING)
                .exclude(queued_at__gte=now - settings.NOTIFICATIONS_REQUEUE_AFTER)
                .exclude(next_attempt_at__gt=now)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            # Marked while locked: a second relay running at the same time skips these rows.
            Notification.objects.filter(pk__in=ids).update(queued_at=timezone.now())
        handed_over = enqueue(ids)
        relayed += handed_over
        if handed_over < len(ids):
            # The broker is down: the rows not handed over are queued again at the next run.
            Notification.objects.filter(pk__in=ids[handed_over:], status=Notification.Status.PENDING).update(
                queued_at=None
            )
            break
        if len(ids) < batch_size:
            break
    return relayed


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
