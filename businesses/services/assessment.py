"""The self-assessment: saving a business's ratings and proposing offers and needs from them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from businesses.models import Assessment, Business, Need, Offer, Practice

# You can host what you do well, and want to learn what you do not do well yet.
HOST_MIN_LEVEL = 4
LEARN_MAX_LEVEL = 3
# A proposal's availability window and start: from today, for a quarter.
PROPOSAL_WINDOW = datetime.timedelta(days=90)
# A proposed need aims two levels up, never past the top.
TARGET_STEP = 2
TOP_LEVEL = 5


@dataclass(frozen=True)
class Rating:
    """What the grid says about one practice; level None means "not assessed"."""

    level: int | None
    can_host: bool = False
    wants_to_learn: bool = False


@dataclass(frozen=True)
class Proposed:
    offers: int
    needs: int


@transaction.atomic
def save_assessment(
    *, business: Business, ratings: Mapping[int, Rating], today: datetime.date | None = None
) -> Proposed:
    """Store the grid (keyed by practice id) and propose draft offers and needs from its ticks."""
    # A practice rated None is "not assessed": its row, if any, goes.
    today = today or timezone.localdate()
    existing = {a.practice_id: a for a in Assessment.objects.filter(business=business)}
    to_create: list[Assessment] = []
    to_update: list[Assessment] = []
    to_delete: list[int] = []
    for practice_id, rating in ratings.items():
        current = existing.get(practice_id)
        if rating.level is None:
            if current is not None:
                to_delete.append(current.pk)
            continue
        if current is None:
            to_create.append(
                Assessment(
                    business=business,
                    practice_id=practice_id,
                    level=rating.level,
                    can_host=rating.can_host,
                    wants_to_learn=rating.wants_to_learn,
                )
            )
        elif (current.level, current.can_host, current.wants_to_learn) != (
            rating.level,
            rating.can_host,
            rating.wants_to_learn,
        ):
            current.level = rating.level
            current.can_host = rating.can_host
            current.wants_to_learn = rating.wants_to_learn
            current.updated_at = timezone.now()
            to_update.append(current)
    Assessment.objects.filter(pk__in=to_delete).delete()
    Assessment.objects.bulk_create(to_create)
    Assessment.objects.bulk_update(to_update, ["level", "can_host", "wants_to_learn", "updated_at"])
    return _propose(business=business, ratings=ratings, today=today)


def _propose(*, business: Business, ratings: Mapping[int, Rating], today: datetime.date) -> Proposed:
    """Draft an offer per "we can host" and a need per "we want to learn", unless one exists."""
    has_offer = set(Offer.objects.filter(business=business).values_list("practice_id", flat=True))
    # A closed need does not count: ticking "we want to learn" again means the gap is back.
    has_need = set(
        Need.objects.filter(business=business)
        .exclude(status=Need.Status.CLOSED)
        .values_list("practice_id", flat=True)
    )
    hosts = [
        (pid, r.level)
        for pid, r in ratings.items()
        if r.can_host and r.level is not None and r.level >= HOST_MIN_LEVEL and pid not in has_offer
    ]
    learns = [
        (pid, r.level)
        for pid, r in ratings.items()
        if r.wants_to_learn and r.level is not None and r.level <= LEARN_MAX_LEVEL and pid not in has_need
    ]
    suggested = dict(
        Practice.objects.filter(pk__in=[pid for pid, _ in hosts + learns]).values_list("pk", "suggested_days")
    )
    offers = [
        Offer(
            business=business,
            practice_id=practice_id,
            level=level,
            status=Offer.Status.DRAFT,
            available_from=today,
            available_until=today + PROPOSAL_WINDOW,
            min_days=max(1, suggested[practice_id] // 2),
            max_days=min(suggested[practice_id] * 2, PROPOSAL_WINDOW.days),
        )
        for practice_id, level in hosts
    ]
    needs = [
        Need(
            business=business,
            practice_id=practice_id,
            current_level=level,
            target_level=min(level + TARGET_STEP, TOP_LEVEL),
            status=Need.Status.DRAFT,
            earliest_start=today,
            preferred_days=suggested[practice_id],
        )
        for practice_id, level in learns
    ]
    Offer.objects.bulk_create(offers)
    Need.objects.bulk_create(needs)
    return Proposed(offers=len(offers), needs=len(needs))
