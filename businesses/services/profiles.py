"""Business profiles: creating a business (its creator becomes the owner), editing it, verifying it, and
its track record as a host."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from businesses.models import Business, Membership
from businesses.services.competitors import link_named_competitors
from businesses.services.offers import refresh_search_vectors, rematch_after_commit

# Slug clashes are resolved with -2, -3…; a concurrent creation with the same name
# may take the suffix we picked between our check and our insert, so we try again.
SLUG_ATTEMPTS = 5
# Exchange reviews rate from 1 to 5, and so does the average of them.
MIN_RATING, MAX_RATING = Decimal(1), Decimal(5)


def unique_slug(name: str) -> str:
    """A slug from the name that no business has yet: acme, acme-2, acme-3…"""
    max_length = Business._meta.get_field("slug").max_length or 170
    base = slugify(name)[: max_length - 10].strip("-") or "business"
    taken = set(Business.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def create_business(*, owner: User, business: Business) -> Business:
    """Save a new business (an unsaved instance from the profile form) with `owner` as its owner."""
    # A new business awaits a moderator's verification: until then no other
    # business sees it and it is never matched.
    business.verification = Business.Verification.PENDING
    business.verified_at = None
    business.verified_by = None
    attempts = 0
    while True:
        attempts += 1
        business.slug = unique_slug(business.name)
        try:
            with transaction.atomic():
                business.save()
                Membership.objects.create(user=owner, business=business, role=Membership.Role.OWNER)
        except IntegrityError:
            # Only a slug taken meanwhile is worth another try; anything else is a bug.
            if attempts >= SLUG_ATTEMPTS or not Business.objects.filter(slug=business.slug).exists():
                raise
            business.pk = None
            business._state.adding = True
        else:
            return business


@transaction.atomic
def update_business(*, business: Business) -> Business:
    """Save an edited profile (the instance the profile form changed)."""
    business.save()
    # Its offers are found by the business's name and city, which may have just changed.
    refresh_search_vectors(business_id=business.pk)
    # A new name may be one that others named as a competitor before it was this business's.
    if business.is_verified and link_named_competitors(business=business):
        rematch_after_commit("match_all")
    return business


@transaction.atomic
def set_verification(
    *, business: Business, status: Business.Verification | str, moderator: User, note: str = ""
) -> Business:
    """Record a moderator's decision on a business: verified, not verified, or back to pending."""
    # verified_at and verified_by say when and by whom the latest decision was
    # taken, so a "not verified" also records its moderator.
    status = Business.Verification(status)
    locked = Business.objects.select_for_update().get(pk=business.pk)
    was_verified = locked.is_verified
    locked.verification = status
    locked.verification_note = note
    if status == Business.Verification.PENDING:
        locked.verified_at = None
        locked.verified_by = None
    else:
        locked.verified_at = timezone.now()
        locked.verified_by = moderator
    locked.save(
        update_fields=["verification", "verification_note", "verified_at", "verified_by", "updated_at"]
    )
    # Competitors named before either side was verified now keep the two apart by business.
    linked = link_named_competitors(business=locked) if locked.is_verified else 0
    if locked.is_verified != was_verified or linked:
        # Its needs and offers join the matching (or its proposals are withdrawn) now, not at night.
        rematch_after_commit("match_all")
    return locked


def record_track_record(*, business_id: int, rating: Decimal | None) -> None:
    """Set a host's track record (its learners' average exchange rating, 1–5; None for no review yet)."""
    # The only way feedback/ writes the figure: matching and the offer pages read it.
    if rating is not None and not MIN_RATING <= rating <= MAX_RATING:
        raise ValueError(f"A track record runs from {MIN_RATING} to {MAX_RATING}, not {rating}.")
    if rating is not None:
        rating = rating.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    Business.objects.filter(pk=business_id).update(track_record=rating)
