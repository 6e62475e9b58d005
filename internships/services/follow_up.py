"""After completion: once the sending business has recorded its last follow-up (+90 days), the internship
is followed up — the end of its story. feedback/ records the follow-ups and calls this."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from businesses.models import Membership
from internships.models import Internship, InternshipEvent
from internships.services.requests import MANAGERS, check_status, locked_internship

FOLLOWED_UP = "followed up"


def mark_followed_up(*, internship_id: int, actor: User | None, note: str = "") -> Internship:
    """Completed → followed up, with its timeline row; an internship already followed up is left as it is."""
    with transaction.atomic():
        internship = locked_internship(internship_id)
        if (
            actor is not None
            and not Membership.objects.filter(
                user=actor, business_id=internship.learner_id, role__in=MANAGERS
            ).exists()
        ):
            raise PermissionDenied(
                f"Only the owners and managers of {internship.learner.name} follow the internship up."
            )
        # A retried task, or the +90-day follow-up corrected after the fact, must not add a second row.
        if internship.status == Internship.Status.FOLLOWED_UP:
            return internship
        check_status(internship, [Internship.Status.COMPLETED], "mark this internship as followed up")
        internship.status = Internship.Status.FOLLOWED_UP
        internship.save(update_fields=["status", "updated_at"])
        # requests.record_event takes only that module's actions; this row has the same shape.
        InternshipEvent.objects.create(
            internship=internship, action=FOLLOWED_UP, status=internship.status, actor=actor, note=note
        )
    return internship
