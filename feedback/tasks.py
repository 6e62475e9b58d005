"""Feedback's beat work: thin tasks over feedback.reminders, safe to run twice (each reminder has its key)."""

from celery import shared_task
from django.utils import timezone

from feedback.reminders import queue_reminders


@shared_task
def send_reminders() -> dict[str, int]:
    """Every 15 minutes: queue the reminders and digests now due; the outbox relay sends them."""
    return queue_reminders(now=timezone.now())
