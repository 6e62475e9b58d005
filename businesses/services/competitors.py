"""Declared competitors: businesses (or names) a business must never be matched with.

The named side never learns who named it: nothing here or on any page tells it."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from businesses.models import Business, Competitor


class CompetitorError(Exception):
    """The competitor cannot be declared; the message says why."""


def declare_competitor(*, business: Business, competitor: Business | None, name: str = "") -> Competitor:
    """Name a business on Peership (`competitor`) or, failing that, one by `name` only."""
    if competitor is not None and competitor.pk == business.pk:
        raise CompetitorError("A business cannot name itself as a competitor.")
    if competitor is None and not name.strip():
        raise CompetitorError("Name the competitor.")
    try:
        # A second request naming the same business at the same moment meets the unique constraint.
        with transaction.atomic():
            return Competitor.objects.create(
                business=business, competitor=competitor, name="" if competitor else name.strip()
            )
    except IntegrityError as error:
        raise CompetitorError(f"You have already named {competitor or name}.") from error


def remove_competitor(*, competitor: Competitor) -> None:
    competitor.delete()


def competitor_pairs() -> set[tuple[int, int]]:
    """Every (business id, competitor id) pair on Peership, in both directions, for the matching engine."""
    pairs: set[tuple[int, int]] = set()
    named = Competitor.objects.filter(competitor__isnull=False).values_list("business_id", "competitor_id")
    for business_id, competitor_id in named:
        if competitor_id is not None:
            pairs.add((business_id, competitor_id))
            pairs.add((competitor_id, business_id))
    return pairs
