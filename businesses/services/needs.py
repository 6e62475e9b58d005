"""Needs (gaps): saving, closing, and discarding proposals; each change is re-matched after commit."""

from __future__ import annotations

from django.db import transaction

from businesses.models import Assessment, Need
from businesses.services.offers import StateError, rematch_after_commit


@transaction.atomic
def save_need(*, need: Need) -> Need:
    """Create or update a need; saving a proposal opens it."""
    if need.status == Need.Status.DRAFT:
        need.status = Need.Status.OPEN
    need.save()
    rematch_after_commit("match_need", need.pk)
    return need


@transaction.atomic
def close_need(*, need: Need) -> Need:
    """The gap is filled, or no longer wanted: stop matching it."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.OPEN:
        raise StateError("Only an open need can be closed.")
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status", "updated_at"])
    rematch_after_commit("match_need", need.pk)
    return need


@transaction.atomic
def discard_need(*, need: Need) -> None:
    """Delete a proposed need, and untick "we want to learn" so it is not proposed again."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.DRAFT:
        raise StateError("Only a proposed need can be discarded; close this one instead.")
    Assessment.objects.filter(business_id=need.business_id, practice_id=need.practice_id).update(
        wants_to_learn=False
    )
    need.delete()
