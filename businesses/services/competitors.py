"""Declared competitors: businesses (or names) a business must never be matched with.

The named side never learns who named it: nothing here or on any page tells it."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from businesses.models import Business, Competitor
from businesses.services.offers import rematch_after_commit

# "Name (City)": how a business names one of several businesses on Peership that share a name
# (businesses.forms.competitors).
NAME_AND_CITY = re.compile(r"(?P<name>.+?)\s*\((?P<city>[^()]+)\)")


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
            declared = Competitor.objects.create(
                business=business, competitor=competitor, name="" if competitor else name.strip()
            )
    except IntegrityError as error:
        raise CompetitorError(f"You have already named {competitor or name}.") from error
    if competitor is not None:
        # A proposal already made between the two is withdrawn now, not at the nightly run.
        rematch_after_commit("match_all")
    return declared


def link_named_competitors(*, business: Business) -> int:
    """Once `business` is verified, point the competitors declared by name at the verified businesses
    the names stand for, both ways: names others gave that are this business's (as "Name" or "Name
    (City)"), and the names this business gave that are verified businesses'. Matching and approval
    read declared competitors by business, so a name alone would never keep the two apart.

    A name that several verified businesses share, without a city, stays a name: nobody can tell
    which one was meant (moderators see it on both businesses' pages). Nobody is told of a link.
    Returns how many declarations now point at a business."""
    linked = 0
    # Names that may be this business's ("Name" or "Name (City)"), and this business's own names.
    by_name = Competitor.objects.filter(
        Q(business=business) | Q(name__istartswith=business.name), competitor__isnull=True
    )
    for entry in by_name.select_related("business"):
        found = verified_businesses_named(entry.name, excluding=entry.business)
        if len(found) == 1 and business.pk in (entry.business_id, found[0].pk):
            linked += _link(entry, found[0])
    return linked


def verified_businesses_named(text: str, *, excluding: Business) -> list[Business]:
    """The verified businesses (two at most: enough to know the name is ambiguous) that `text` names,
    by name or by "Name (City)", other than `excluding`."""
    candidates = Business.objects.verified().exclude(pk=excluding.pk)
    found = list(candidates.filter(name__iexact=text)[:2])
    if not found and (parts := NAME_AND_CITY.fullmatch(text)):
        found = list(candidates.filter(name__iexact=parts["name"], city__iexact=parts["city"].strip())[:2])
    return found


def _link(entry: Competitor, competitor: Business) -> int:
    """Point a by-name declaration at `competitor`; a second declaration of the same business goes."""
    if Competitor.objects.filter(business_id=entry.business_id, competitor=competitor).exists():
        entry.delete()
        return 0
    entry.competitor, entry.name = competitor, ""
    entry.save(update_fields=["competitor", "name"])
    return 1


def remove_competitor(*, competitor: Competitor) -> None:
    competitor.delete()
    if competitor.competitor_id is not None:
        # The two may be matched again from now on.
        rematch_after_commit("match_all")


def competitor_pairs() -> set[tuple[int, int]]:
    """Every (business id, competitor id) pair on Peership, in both directions, for the matching engine."""
    pairs: set[tuple[int, int]] = set()
    named = Competitor.objects.filter(competitor__isnull=False).values_list("business_id", "competitor_id")
    for business_id, competitor_id in named:
        if competitor_id is not None:
            pairs.add((business_id, competitor_id))
            pairs.add((competitor_id, business_id))
    return pairs
