"""Sending the outbox: a task takes a chunk of rows and sends them over one SMTP connection."""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend

from notifications import services
from notifications.emails import OutboxMessage, build_message
from notifications.models import Notification

logger = logging.getLogger(__name__)


@shared_task
def send_notifications(notification_ids: list[int]) -> None:
    """Send these outbox rows over one connection to the mail server.

    The rows are claimed first (a row already taken or sent is left alone, so a redelivered or
    duplicated task never sends twice), and each is marked sent right after the server took it: a
    worker killed mid-chunk leaves one message in doubt, the one it was sending."""
    rows = services.claim(notification_ids)
    if not rows:
        return
    # Decided now, not when queued: a reminder held until the morning may have become moot.
    muted = services.muted_among(rows)
    mailer = mailers["default"]
    # Set when the connection itself failed (server down, timed out, hung up): the rest of the
    # chunk waits for its next try instead of each row waiting out its own timeout.
    connection_error = ""
    try:
        for position, notification in enumerate(rows):
            reason = services.reason_to_skip(notification, muted=muted)
            if reason:
                services.mark_skipped(notification=notification, reason=reason)
                continue
            if connection_error:
                services.mark_attempt_failed(notification=notification, error=connection_error)
                continue
            try:
                # Opened once, at the first message to send (a chunk of skipped reminders opens none);
                # send_messages() would open and close a connection of its own for each message.
                mailer.open()
                handed_over = mailer.send_messages([message_for(notification)])
            except SoftTimeLimitExceeded:
                # Out of time: this row is retried later, and the rest of the chunk is given back.
                services.mark_attempt_failed(notification=notification, error="Timed out while sending.")
                services.release(rows[position + 1 :])
                raise
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, ValueError) as error:
                # The server refused this message (or its address is invalid): the connection is fine.
                services.mark_attempt_failed(notification=notification, error=repr(error))
                continue
            except Exception as error:  # Any other failure to hand over the mail is retried later.
                connection_error = repr(error)
                services.mark_attempt_failed(notification=notification, error=connection_error)
                continue
            if handed_over:
                services.mark_sent(notification=notification)
            else:
                services.mark_attempt_failed(notification=notification, error="The mailer sent nothing.")
    finally:
        close_quietly(mailer)


@shared_task
def send_notification(notification_id: int) -> None:
    """Send one outbox row (tasks queued before sending went by chunks still arrive by this name)."""
    send_notifications([notification_id])


@shared_task
def relay_pending() -> int:
    return services.relay_pending()


def message_for(notification: Notification) -> OutboxMessage:
    """The row's email; sent as the bytes it was made into when queued, where it has them."""
    message = build_message(
        to=notification.to_email,
        subject=notification.subject,
        text=notification.body_text,
        html=notification.body_html,
        list_unsubscribe=notification.list_unsubscribe,
        key=notification.key,
    )
    message.prepared = bytes(notification.message)  # a memoryview on PostgreSQL
    return message


def close_quietly(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception:  # A connection that broke while sending may fail to say goodbye too.
        logger.debug("Closing the mail connection failed.", exc_info=True)
