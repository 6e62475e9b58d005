"""Background work of businesses/: thin tasks over the services, safe to run twice."""

from celery import shared_task

from businesses.services import offers


@shared_task
def pause_stale_offers() -> int:
    """Daily: pause active offers nobody updated for 90 days and tell their owners."""
    return offers.pause_stale_offers()
