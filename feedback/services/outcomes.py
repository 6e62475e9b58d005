"""Exchange reviews: once the internship is completed, each business rates the exchange (each objective and
overall, 1–5) and writes a short testimonial, once per side (a second time edits it). The host's track
record is the average of the overall ratings its learners gave it, recomputed on each learner review."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, F

from accounts.models import User
from businesses.models import Business, Membership
from businesses.services.profiles import record_track_record
from feedback.models import ExchangeReview, ObjectiveRating
from internships.models import Internship, Objective
from internships.services.requests import MANAGERS, locked_internship

# The exchange is reviewed once it is completed, and may still be corrected after the follow-ups.
REVIEWABLE = (Internship.Status.COMPLETED, Internship.Status.FOLLOWED_UP)
RATING_RANGE = range(1, 6)


class ReviewError(Exception):
    """A review the internship's state or the input forbids; the message says why, for people."""


def check_reviewing(*, internship: Internship, business_id: int, author: User) -> None:
    """An owner or manager of either business reviews the exchange for it, once the internship completed."""
    if business_id not in (internship.learner_id, internship.host_id):
        raise PermissionDenied("Only the two businesses of the internship review the exchange.")
    if not Membership.objects.filter(user=author, business_id=business_id, role__in=MANAGERS).exists():
        raise PermissionDenied("Only the business's owners and managers review the exchange for it.")
    if internship.status not in REVIEWABLE:
        raise ReviewError(
            "The exchange is reviewed once the internship is completed; "
            f"this one is {internship.get_status_display().lower()}."
        )


def save_exchange_review(
    *,
    internship_id: int,
    business_id: int,
    author: User,
    rating: int,
    testimonial: str,
    objective_ratings: Mapping[int, int],
) -> tuple[ExchangeReview, bool]:
    """Write (or, for a side that has reviewed already, edit) a side's review; True when it is new.

    A review by the learner recomputes the host's track record in the same transaction."""
    testimonial = testimonial.strip()
    if not testimonial:
        raise ReviewError("Write a short testimonial: a few sentences other businesses can read.")
    if rating not in RATING_RANGE:
        raise ReviewError("Rate the exchange overall from 1 to 5.")
    with transaction.atomic():
        internship = locked_internship(internship_id)
        check_reviewing(internship=internship, business_id=business_id, author=author)
        objectives = set(Objective.objects.filter(internship=internship).values_list("pk", flat=True))
        if set(objective_ratings) != objectives or any(
            value not in RATING_RANGE for value in objective_ratings.values()
        ):
            raise ReviewError("Rate each objective of the internship from 1 to 5.")
        # The internship's lock serialises two managers of one side: the second finds the first's row.
        review = ExchangeReview.objects.filter(internship=internship, business_id=business_id).first()
        created = review is None
        if review is None:
            review = ExchangeReview.objects.create(
                internship=internship,
                business_id=business_id,
                author=author,
                rating=rating,
                testimonial=testimonial,
            )
        else:
            review.author, review.rating, review.testimonial = author, rating, testimonial
            review.save(update_fields=["author", "rating", "testimonial"])
            review.objective_ratings.all().delete()
        ObjectiveRating.objects.bulk_create(
            ObjectiveRating(review=review, objective_id=objective_id, rating=value)
            for objective_id, value in sorted(objective_ratings.items())
        )
        if business_id == internship.learner_id:
            refresh_track_record(host_id=internship.host_id)
    return review, created


def refresh_track_record(*, host_id: int) -> Decimal | None:
    """Recompute a host's track record from its learners' reviews, and store it through the businesses app."""
    # The host's row is the lock that serialises two learners' reviews of one host: the second
    # transaction averages after the first has committed, so neither review is left out.
    Business.objects.select_for_update().filter(pk=host_id).values_list("pk", flat=True).first()
    average = ExchangeReview.objects.filter(
        internship__host_id=host_id, business_id=F("internship__learner_id")
    ).aggregate(average=Avg("rating"))["average"]
    rating = None if average is None else Decimal(str(average))
    record_track_record(business_id=host_id, rating=rating)
    return rating
