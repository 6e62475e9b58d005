"""Feedback's beat work: thin tasks over feedback.reminders, safe to run twice (each reminder has its key)."""

from celery import shared_task
from django.utils import timezone

from feedback.reminders import queue_reminders
from notifications.services import enqueue_together


@shared_task
def send_reminders() -> dict[str, int]:
    """Every 15 minutes: queue the reminders and digests now due; the outbox relay sends them."""
    # Those due at once go to the workers in chunks, each chunk over one SMTP connection.
    with enqueue_together():
        return queue_reminders(now=timezone.now())
