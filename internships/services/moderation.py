"""Moderators' decisions: approve or reject a proposed match (one by one or in bulk), verify a business.

Each decision locks its row, checks that it still makes sense (two moderators may
decide the same match at once; a need or an offer may have changed since the
proposal), saves and records who decided, when and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from businesses.models import Business, Competitor, Membership, Need, Offer
from businesses.services.partnerships import open_partnership
from businesses.services.profiles import set_verification
from internships.models import Match, MatchEvent
from notifications.services import queue_email


class ModerationError(Exception):
    """A decision the current state forbids; the message says why, for the moderator."""


class MatchGone(ModerationError):
    """The match no longer exists: its need or offer was deleted."""


class AlreadyDecided(ModerationError):
    """Someone else decided first, or the matching engine withdrew the proposal."""


class NoLongerPossible(ModerationError):
    """The need, the offer or one of the businesses changed since the proposal."""


class Flagged(ModerationError):
    """Bulk approval leaves flagged matches to be decided one by one."""


@dataclass(frozen=True)
class Skipped:
    """A match bulk approval left alone, and why."""

    match_id: int
    error: ModerationError


def approve_match(*, match_id: int, moderator: User, note: str = "") -> Match:
    """Approve a pending match: the two businesses become partners and both owners are told."""
    with transaction.atomic():
        match = _locked(match_id)
        _check_pending(match)
        need, offer = _check_still_possible(match)
        return _approve(match, need=need, offer=offer, moderator=moderator, note=note.strip())


def reject_match(*, match_id: int, moderator: User, reason: str) -> Match:
    """Reject a pending match with a reason; nobody is told (owners never hear of rejected proposals)."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("Say why you reject this match: a reason is required.")
    with transaction.atomic():
        match = _locked(match_id)
        _check_pending(match)
        match.status = Match.Status.REJECTED
        _record_decision(match, moderator=moderator, note=reason, action=MatchEvent.Action.REJECTED)
    return match


def bulk_approve(*, match_ids: Iterable[int], moderator: User) -> tuple[list[Match], list[Skipped]]:
    """Approve the unflagged pending matches among `match_ids`; return those approved and those skipped."""
    approved: list[Match] = []
    skipped: list[Skipped] = []
    for match_id in dict.fromkeys(match_ids):
        # One transaction per match: a match someone else just decided does not undo the others.
        try:
            with transaction.atomic():
                match = _locked(match_id)
                _check_pending(match)
                if match.risk or match.flags:
                    raise Flagged(f"{match} is flagged: decide it on its own page, after checking the flags.")
                need, offer = _check_still_possible(match)
                approved.append(_approve(match, need=need, offer=offer, moderator=moderator, note=""))
        except ModerationError as error:
            skipped.append(Skipped(match_id=match_id, error=error))
    return approved, skipped


def _locked(match_id: int) -> Match:
    # Only the match row is locked, and it is read alone: a join read under the lock
    # could show related rows as they were before the lock was granted.
    try:
        return Match.objects.select_for_update().get(pk=match_id)
    except Match.DoesNotExist:
        raise MatchGone(
            "This match no longer exists: its need or its offer was deleted since it was proposed."
        ) from None


def _when(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i") if moment else "an unknown date"


def _check_pending(match: Match) -> None:
    if match.status == Match.Status.PENDING:
        return
    who = str(match.decided_by) if match.decided_by else "another moderator"
    if match.status == Match.Status.APPROVED:
        raise AlreadyDecided(f"This match was already approved by {who} on {_when(match.decided_at)}.")
    if match.status == Match.Status.REJECTED:
        raise AlreadyDecided(
            f"This match was already rejected by {who} on {_when(match.decided_at)}: “{match.decision_note}”."
        )
    raise AlreadyDecided(
        f"This match was withdrawn on {_when(match.updated_at)}: its need or its offer changed "
        "since it was proposed."
    )


def _check_still_possible(match: Match) -> tuple[Need, Offer]:
    """The need is still open, the offer still active, both businesses verified and not competitors."""
    need = Need.objects.select_related("business", "practice").get(pk=match.need_id)
    offer = Offer.objects.select_related("business", "practice").get(pk=match.offer_id)
    learner, host = need.business, offer.business
    if need.status != Need.Status.OPEN:
        what = "closed" if need.status == Need.Status.CLOSED else "unconfirmed"
        raise NoLongerPossible(
            f"Cannot approve: {learner.name} has {what} its need for {need.practice.name} "
            "since the match was proposed."
        )
    if offer.status == Offer.Status.PAUSED:
        why = f" ({offer.paused_reason})" if offer.paused_reason else ""
        raise NoLongerPossible(
            f"Cannot approve: the offer of {host.name} for {offer.practice.name} has been paused since{why}."
        )
    if offer.status != Offer.Status.ACTIVE:
        raise NoLongerPossible(
            f"Cannot approve: the offer of {host.name} for {offer.practice.name} is no longer active."
        )
    if offer.available_until < timezone.localdate():
        raise NoLongerPossible(
            f"Cannot approve: the offer of {host.name} for {offer.practice.name} ended on "
            f"{date_format(offer.available_until, 'j F Y')}."
        )
    for business in (learner, host):
        if not business.is_verified:
            raise NoLongerPossible(f"Cannot approve: {business.name} is no longer verified.")
    declared = Competitor.objects.filter(
        Q(business=learner, competitor=host) | Q(business=host, competitor=learner)
    )
    if declared.exists():
        raise NoLongerPossible(
            f"Cannot approve: {learner.name} and {host.name} are now declared competitors."
        )
    return need, offer


def _record_decision(match: Match, *, moderator: User, note: str, action: MatchEvent.Action) -> None:
    match.decided_by = moderator
    match.decided_at = timezone.now()
    match.decision_note = note
    match.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    MatchEvent.objects.create(match=match, action=action, actor=moderator, note=note)


def _approve(match: Match, *, need: Need, offer: Offer, moderator: User, note: str) -> Match:
    match.status = Match.Status.APPROVED
    _record_decision(match, moderator=moderator, note=note, action=MatchEvent.Action.APPROVED)
    # The need's and offer's businesses are the match's learner and host (denormalised on the match).
    open_partnership(business=need.business, partner=offer.business)
    _tell_owners_match_approved(match, need=need, offer=offer)
    return match


def _owners(*business_ids: int) -> list[Membership]:
    return list(
        Membership.objects.filter(
            business_id__in=business_ids, role=Membership.Role.OWNER, user__is_active=True
        ).select_related("user", "business")
    )


def _tell_owners_match_approved(match: Match, *, need: Need, offer: Offer) -> None:
    """Both businesses' owners, once each; the outbox sends it after commit."""
    learner, host = need.business, offer.business
    match_url = settings.SITE_URL + match.get_absolute_url()
    for membership in _owners(learner.pk, host.pk):
        owner, business = membership.user, membership.business
        learning = business.pk == learner.pk
        queue_email(
            to=owner.email,
            kind="internships.match_approved",
            key=f"match_approved:{match.pk}:{owner.pk}",
            template="emails/internships/match_approved",
            context={
                "owner": owner,
                "business": business,
                "other": host if learning else learner,
                "learning": learning,
                "practice": offer.practice,
                "need": need,
                "match": match,
                "match_url": match_url,
            },
            recipient=owner,
        )


# Businesses.


def verify_business(*, business: Business, moderator: User, note: str = "") -> Business:
    """Mark a business verified and tell its owners: it is now visible to others and can be matched."""
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        if locked.is_verified:
            who = locked.verified_by or "another moderator"
            raise ModerationError(
                f"{locked.name} was already verified by {who} on {_when(locked.verified_at)}."
            )
        verified = set_verification(
            business=locked, status=Business.Verification.VERIFIED, moderator=moderator, note=note.strip()
        )
        business_url = settings.SITE_URL + verified.get_absolute_url()
        for membership in _owners(verified.pk):
            owner = membership.user
            queue_email(
                to=owner.email,
                kind="internships.business_verified",
                key=f"business_verified:{verified.pk}:{owner.pk}",
                template="emails/internships/business_verified",
                context={"owner": owner, "business": verified, "business_url": business_url},
                recipient=owner,
            )
    return verified


def reject_business(*, business: Business, moderator: User, reason: str) -> Business:
    """Mark a business not verified, with the reason its members will read on its profile."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("Say why the business cannot be verified: its owners will read it.")
    return set_verification(
        business=business, status=Business.Verification.REJECTED, moderator=moderator, note=reason
    )
