"""Offers (strengths): saving, pausing, resuming, discarding proposals, pausing offers
nobody has looked after, the offers' full-text search vector, and re-matching after each change."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from businesses.models import Assessment, Blackout, Business, Membership, Need, Offer
from notifications.services import queue_email

# An active offer its business has not touched for this long is paused: its dates,
# capacity and description are probably out of date, and a learner should not
# build plans on them.
STALE_AFTER = datetime.timedelta(days=90)
STALE_REASON = "Not updated for 90 days"


class StateError(Exception):
    """The offer or need is not in a state that allows this action; the message says why."""


@dataclass(frozen=True)
class BlackoutDates:
    start: datetime.date
    end: datetime.date
    reason: str = ""


def refresh_search_vectors(
    *,
    offer_ids: Iterable[int] | None = None,
    business_id: int | None = None,
    practice_ids: Iterable[int] | None = None,
    missing_only: bool = False,
) -> int:
    """Recompute the full-text vector of the offers chosen (every offer if none is) in one UPDATE."""
    # SQLite has no full-text search: the browse page falls back to plain matching there.
    if connection.vendor != "postgresql":
        return 0
    # The vector copies the practice's, department's and business's names and the city,
    # so whatever renames one of them calls this: saving an offer or a profile, the admin.
    vector = (
        SearchVector("practice__name", "practice__department__name", weight="A", config="english")
        + SearchVector("description", weight="B", config="english")
        + SearchVector("business__name", "business__city", weight="C", config="english")
    )
    offers = Offer.objects.all()
    if offer_ids is not None:
        offers = offers.filter(pk__in=offer_ids)
    if business_id is not None:
        offers = offers.filter(business_id=business_id)
    if practice_ids is not None:
        offers = offers.filter(practice_id__in=practice_ids)
    if missing_only:
        offers = offers.filter(search_vector__isnull=True)
    # An UPDATE cannot refer to joined columns directly; a correlated subquery can.
    computed = Offer.objects.filter(pk=OuterRef("pk")).annotate(vector=vector).values("vector")[:1]
    return offers.update(search_vector=Subquery(computed))


@dataclass
class Rematch:
    """A matching task to queue after commit: `internships.tasks.<task>(*ids)`."""

    task: str
    ids: tuple[int, ...]
    # Run already: a transaction lists its callbacks until it commits, and a test that runs them in its
    # own transaction (captureOnCommitCallbacks) still sees them there; a run one is not a duplicate.
    queued: bool = field(default=False, compare=False)

    def __call__(self) -> None:
        # By name, not by import: internships imports businesses, never the other way round.
        current_app.tasks[f"internships.tasks.{self.task}"].delay(*self.ids)
        self.queued = True


def rematch_after_commit(task: str, *ids: int) -> None:
    """Queue the matching task `internships.tasks.<task>` once the transaction commits, once however
    often a transaction asks (verifying ten businesses at once is one full run, not ten)."""
    rematch = Rematch(task, ids)
    waiting = (entry[1] for entry in connection.run_on_commit if isinstance(entry[1], Rematch))
    if connection.in_atomic_block and any(other == rematch and not other.queued for other in waiting):
        return
    # Robust: the change is committed already, so a broker that cannot be reached is logged rather
    # than shown as an error page, and the nightly full run catches up.
    transaction.on_commit(rematch, robust=True)


def has_proposals(business: Business) -> bool:
    """Whether draft offers or needs wait for the owner's confirmation."""
    return (
        Offer.objects.filter(business=business, status=Offer.Status.DRAFT).exists()
        or Need.objects.filter(business=business, status=Need.Status.DRAFT).exists()
    )


@transaction.atomic
def save_offer(*, offer: Offer, blackouts: Sequence[BlackoutDates]) -> Offer:
    """Create or update an offer with its blackout dates; saving a proposal confirms it."""
    if offer.status == Offer.Status.DRAFT:
        offer.status = Offer.Status.ACTIVE
    offer.save()
    # Blackouts are a handful of rows edited together: replacing them is simpler than diffing.
    offer.blackouts.all().delete()
    Blackout.objects.bulk_create(
        Blackout(offer=offer, start=dates.start, end=dates.end, reason=dates.reason) for dates in blackouts
    )
    refresh_search_vectors(offer_ids=[offer.pk])
    rematch_after_commit("match_offer", offer.pk)
    return offer


@transaction.atomic
def pause_offer(*, offer: Offer, reason: str = "") -> Offer:
    """Stop showing an active offer to other businesses."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.ACTIVE:
        raise StateError("Only an active offer can be paused.")
    offer.status = Offer.Status.PAUSED
    offer.paused_reason = reason
    offer.save(update_fields=["status", "paused_reason", "updated_at"])
    rematch_after_commit("match_offer", offer.pk)
    return offer


@transaction.atomic
def resume_offer(*, offer: Offer, today: datetime.date | None = None) -> Offer:
    """Show a paused offer again; its window must not be over."""
    today = today or timezone.localdate()
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.PAUSED:
        raise StateError("Only a paused offer can be resumed.")
    if offer.available_until < today:
        raise StateError(
            f"Its availability window ended on {offer.available_until:%d %b %Y}: edit the dates first."
        )
    offer.status = Offer.Status.ACTIVE
    offer.paused_reason = ""
    # updated_at moves too: resuming is looking after the offer, so it is not stale again tonight.
    offer.save(update_fields=["status", "paused_reason", "updated_at"])
    rematch_after_commit("match_offer", offer.pk)
    return offer


@transaction.atomic
def discard_offer(*, offer: Offer) -> None:
    """Delete a proposed offer, and untick "we can host" so it is not proposed again."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.DRAFT:
        raise StateError("Only a proposed offer can be discarded; pause this one instead.")
    Assessment.objects.filter(business_id=offer.business_id, practice_id=offer.practice_id).update(
        can_host=False
    )
    offer.delete()


def pause_stale_offers(*, now: datetime.datetime | None = None) -> int:
    """Pause active offers not updated for 90 days and tell each business's owners; return how many."""
    # The cut-off is a whole day (the start of the day 90 days ago), so a second run on
    # the same day finds nothing new and the per-day email key never hides an offer.
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    cutoff = start_of_today - STALE_AFTER
    with transaction.atomic():
        stale = list(
            Offer.objects.select_for_update(of=("self",))
            .filter(status=Offer.Status.ACTIVE, updated_at__lt=cutoff)
            .select_related("business", "practice")
            .order_by("business_id", "practice__name")
        )
        if not stale:
            return 0
        # update() leaves updated_at alone: the offer was paused, not looked after.
        Offer.objects.filter(pk__in=[offer.pk for offer in stale]).update(
            status=Offer.Status.PAUSED, paused_reason=STALE_REASON
        )
        by_business: dict[int, list[Offer]] = defaultdict(list)
        for offer in stale:
            by_business[offer.business_id].append(offer)
        owners = Membership.objects.filter(
            business_id__in=by_business, role=Membership.Role.OWNER
        ).select_related("user")
        for membership in owners:
            offers = by_business[membership.business_id]
            _tell_owner_offers_paused(
                owner=membership.user, business=offers[0].business, offers=offers, today=today
            )
        # Many offers at once: one full run withdraws their proposals.
        rematch_after_commit("match_all")
    return len(stale)


def _tell_owner_offers_paused(
    *, owner: User, business: Business, offers: list[Offer], today: datetime.date
) -> None:
    queue_email(
        to=owner.email,
        kind="businesses.offers_paused",
        # One email per owner, business and day, whatever retries or second beats do.
        key=f"offers_paused:{business.pk}:{owner.pk}:{today.isoformat()}",
        template="emails/businesses/offers_paused",
        context={
            "owner": owner,
            "business": business,
            "offers": [
                {"name": offer.practice.name, "url": settings.SITE_URL + offer.get_absolute_url()}
                for offer in offers
            ],
            "offers_url": settings.SITE_URL + reverse("businesses:offers", kwargs={"slug": business.slug}),
            "stale_days": STALE_AFTER.days,
        },
        recipient=owner,
    )
