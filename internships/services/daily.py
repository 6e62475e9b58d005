"""The lifecycle's daily work (beat): the day-3 reminder and the 7-day expiry of unanswered requests,
the "starts in 2 days" email, and the start of scheduled internships.

Each is safe to run twice: a second run finds nothing new, and each email has its unique key."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from internships.models import Internship, InternshipEvent
from internships.selectors.requests import owners_of, waiting_since
from internships.services.request_emails import tell
from internships.services.requests import Action, locked_internship, record_event

Status = Internship.Status

# A request nobody answers is reminded to whoever must answer on day 3, and expires on day 7.
REMIND_AFTER = datetime.timedelta(days=3)
EXPIRE_AFTER = datetime.timedelta(days=7)
NO_ANSWER = "No answer within 7 days"
# The intern and the mentor hear of the start this many days before it.
STARTING_SOON = datetime.timedelta(days=2)


def remind_unanswered(*, now: datetime.datetime | None = None) -> int:
    """Remind whoever must answer a request that has waited 3 days; return how many emails."""
    now = now or timezone.now()
    due = {
        pk: since for pk, since in waiting_since().items() if now - EXPIRE_AFTER < since <= now - REMIND_AFTER
    }
    reminded = 0
    for internship in Internship.objects.filter(pk__in=due).select_related(
        "learner", "host", "offer__practice", "intern", "mentor"
    ):
        since = due[internship.pk]
        last = InternshipEvent.objects.filter(internship=internship).order_by("created_at", "pk").last()
        counter = internship.counter_start is not None
        # The host answers a request; the learner answers the host's other dates.
        side, role = (internship.learner_id, "learner") if counter else (internship.host_id, "host")
        reminded += tell(
            internship,
            "request_reminder",
            [(owner, role) for owner in owners_of(side)],
            # One reminder per wait: other dates proposed, or accepted, start a new wait.
            once_per=last.pk if last else 0,
            hold_to_morning=True,
            waiting_since=timezone.localdate(since),
            expires_on=timezone.localdate(since + EXPIRE_AFTER),
            counter=counter,
        )
    return reminded


def expire_unanswered(*, now: datetime.datetime | None = None) -> int:
    """Cancel requests that have waited 7 days for an answer; return how many."""
    now = now or timezone.now()
    cutoff = now - EXPIRE_AFTER
    expired = 0
    for internship_id, since in waiting_since().items():
        if since > cutoff:
            continue
        with transaction.atomic():
            internship = locked_internship(internship_id)
            still = waiting_since(ids=[internship_id]).get(internship_id)
            if still is None or still > cutoff:
                continue  # answered meanwhile
            counter = internship.counter_start is not None
            internship.status = Status.CANCELLED
            internship.cancel_reason = NO_ANSWER
            internship.save(update_fields=["status", "cancel_reason", "updated_at"])
            record_event(internship, Action.EXPIRED, None, NO_ANSWER)
            tell(
                internship,
                "expired",
                [
                    *((owner, "learner") for owner in owners_of(internship.learner_id)),
                    *((owner, "host") for owner in owners_of(internship.host_id)),
                    (internship.intern, "intern"),
                ],
                counter=counter,
            )
            expired += 1
    return expired


def activate_due(*, today: datetime.date | None = None) -> int:
    """Start the scheduled internships whose first day has come; return how many."""
    today = today or timezone.localdate()
    started = 0
    due = Internship.objects.filter(status=Status.SCHEDULED, start__lte=today).values_list("pk", flat=True)
    for internship_id in due:
        with transaction.atomic():
            internship = locked_internship(internship_id)
            if internship.status != Status.SCHEDULED:
                continue  # cancelled meanwhile
            internship.status = Status.ACTIVE
            internship.save(update_fields=["status", "updated_at"])
            record_event(internship, Action.STARTED, None)
            started += 1
    return started


def notify_starting_soon(*, today: datetime.date | None = None) -> int:
    """Tell the intern and the mentor of internships starting within 2 days; return how many emails."""
    today = today or timezone.localdate()
    soon = Internship.objects.filter(
        status=Status.SCHEDULED, start__gt=today, start__lte=today + STARTING_SOON
    ).select_related("learner", "host", "offer__practice", "intern", "mentor")
    return sum(
        tell(internship, "starting_soon", [(internship.intern, "intern"), (internship.mentor, "mentor")])
        for internship in soon
    )
