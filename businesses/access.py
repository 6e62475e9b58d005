"""Who may see and change a business's pages.

Every view that takes a slug goes through here: a stranger gets 404 (the page
does not exist for them), a member without the right role gets 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import User
from businesses.models import Business, Membership, Partnership

SESSION_KEY = "current_business_id"


@dataclass(frozen=True)
class Access:
    business: Business
    membership: Membership | None  # None for a moderator who is not a member

    @property
    def can_manage(self) -> bool:
        return self.membership is not None and self.membership.can_manage

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.role == Membership.Role.OWNER


def member_access(user: User, slug: str, *, manage: bool = False, allow_moderator: bool = False) -> Access:
    """The business `slug` as seen by one of its members.

    404 unless the user is a member (or, with allow_moderator, a moderator);
    403 when `manage` is asked and the member is not an owner or manager."""
    business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
    membership = Membership.objects.filter(business=business, user=user).first()
    if membership is None:
        if allow_moderator and not manage and user.is_moderator:
            return Access(business, None)
        raise Http404("No such business.")
    if manage and not membership.can_manage:
        raise PermissionDenied("Only the business's owners and managers can do this.")
    return Access(business, membership)


def verified_memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(
            user=user, business__verification=Business.Verification.VERIFIED
        ).select_related("business")
    )


def can_see_profile(user: User, business: Business) -> bool:
    """Members and moderators always; members of verified businesses see verified ones."""
    if user.is_moderator or Membership.objects.filter(business=business, user=user).exists():
        return True
    return (
        business.is_verified
        and Membership.objects.filter(
            user=user, business__verification=Business.Verification.VERIFIED
        ).exists()
    )


def can_see_gaps(user: User, business: Business) -> bool:
    """Needs and self-assessment: members, moderators, and members of an approved partner."""
    if user.is_moderator or Membership.objects.filter(business=business, user=user).exists():
        return True
    return Partnership.objects.filter(business=business, partner__memberships__user=user).exists()


def gaps_access(user: User, slug: str) -> Access:
    """Needs and self-assessment pages: members and moderators; members of an approved partner read-only."""
    try:
        return member_access(user, slug, allow_moderator=True)
    except Http404:
        business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
        if not can_see_gaps(user, business):
            raise
        return Access(business, None)


def current_membership(request: HttpRequest) -> Membership | None:
    """The business the user is acting for (chosen with the switcher), or their first."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("business")
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(business_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("joined_at").first()
