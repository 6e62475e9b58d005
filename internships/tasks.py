"""Background work: matching (over `internships.services.matching`) and the internship lifecycle
(over `internships.services.daily`); every task is safe to run twice."""

from dataclasses import asdict

from celery import shared_task
from django.db import OperationalError

from internships.services import daily
from internships.services.matching import run_matching

# A deadlock, a dropped connection or SQLite's "database is locked": the run is rolled back whole,
# so trying it again is safe.
matching_task = shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)


@matching_task
def match_need(need_id: int) -> dict[str, int]:
    """Re-match one need after it was saved or closed."""
    return asdict(run_matching(need_ids=[need_id]))


@matching_task
def match_offer(offer_id: int) -> dict[str, int]:
    """Re-match the needs an offer concerns after it was saved, paused or resumed."""
    return asdict(run_matching(offer_id=offer_id))


@matching_task
def match_all() -> dict[str, int]:
    """Nightly, and after many offers changed at once: match every open need."""
    return asdict(run_matching())


@shared_task
def remind_unanswered_requests() -> int:
    """Hourly: remind whoever must answer a request that has waited 3 days."""
    return daily.remind_unanswered()


@shared_task
def expire_unanswered_requests() -> int:
    """Hourly: cancel requests that have waited 7 days for an answer."""
    return daily.expire_unanswered()


@shared_task
def activate_due_internships() -> int:
    """Daily, just after midnight: scheduled internships whose first day has come become active."""
    return daily.activate_due()


@shared_task
def notify_internships_starting_soon() -> int:
    """Daily: tell the intern and the mentor two days before the start."""
    return daily.notify_starting_soon()
