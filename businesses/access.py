"""Who may see and change a business's pages.

Every view that takes a slug goes through here: a stranger gets 404 (the page
does not exist for them), a member without the right role gets 403."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import User
from businesses.models import Business, Membership, Need, Offer, Partnership

SESSION_KEY = "current_business_id"


@dataclass(frozen=True)
class Access:
    business: Business
    membership: Membership | None  # None for a moderator or another business's member

    @property
    def can_manage(self) -> bool:
        return self.membership is not None and self.membership.can_manage

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.role == Membership.Role.OWNER


def _membership(user: User, business: Business) -> Membership | None:
    return Membership.objects.filter(business=business, user=user).first()


def _belongs_to_a_verified_business(user: User) -> bool:
    return Business.objects.verified().of_member(user).exists()


def member_access(user: User, slug: str, *, manage: bool = False, allow_moderator: bool = False) -> Access:
    """The business `slug` as seen by one of its members.

    404 unless the user is a member (or, with allow_moderator, a moderator);
    403 when `manage` is asked and the member is not an owner or manager."""
    # A member (the usual case) costs one query: the membership, with its business.
    membership = (
        Membership.objects.select_related("business__industry").filter(user=user, business__slug=slug).first()
    )
    if membership is None:
        business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
        if allow_moderator and not manage and user.is_moderator:
            return Access(business, None)
        raise Http404("No such business.")
    if manage and not membership.can_manage:
        raise PermissionDenied("Only the business's owners and managers can do this.")
    return Access(membership.business, membership)


def shown_member_access(user: User, slug: str) -> Access:
    """member_access(user, slug) for a page that only shows the business (404 unless a member), without a
    query: from the user's memberships, which the page's navigation reads anyway. The business is the
    navigation's own instance, so a page that changes it (a form) uses member_access."""
    for membership in user.memberships_held:
        if membership.business.slug == slug:
            return Access(membership.business, membership)
    raise Http404("No such business.")


def can_see_profile(user: User, business: Business) -> bool:
    """Members and moderators always; members of verified businesses see verified ones."""
    if user.is_moderator or Membership.objects.filter(business=business, user=user).exists():
        return True
    return business.is_verified and _belongs_to_a_verified_business(user)


def profile_access(user: User, slug: str) -> Access:
    """The profile: for its members and moderators, and, once verified, for members of verified businesses."""
    business = get_object_or_404(Business.objects.select_related("industry__parent"), slug=slug)
    membership = _membership(user, business)
    if membership is None and not (
        user.is_moderator or (business.is_verified and _belongs_to_a_verified_business(user))
    ):
        # Anyone else is told nothing, not even that the business exists.
        raise Http404("No such business.")
    return Access(business, membership)


def visible_offer(user: User, slug: str, pk: int) -> tuple[Access, Offer]:
    """Any offer for its business's members and moderators; others see only what browsing shows them."""
    business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
    membership = _membership(user, business)
    offers = Offer.objects.select_related("practice__department").prefetch_related("blackouts")
    if membership is None and not user.is_moderator:
        if not _belongs_to_a_verified_business(user):
            raise Http404("No such offer.")
        offers = offers.browsable()
    offer = get_object_or_404(offers, pk=pk, business=business)
    return Access(business, membership), offer


def managed_offer(user: User, slug: str, pk: int) -> tuple[Access, Offer]:
    """An offer of `slug` for its owners and managers to change (404 for another business's offer)."""
    access = member_access(user, slug, manage=True)
    offer = get_object_or_404(Offer.objects.select_related("practice"), pk=pk, business=access.business)
    return access, offer


def managed_need(user: User, slug: str, pk: int) -> tuple[Access, Need]:
    """A need of `slug` for its owners and managers to change (404 for another business's need)."""
    access = member_access(user, slug, manage=True)
    need = get_object_or_404(Need.objects.select_related("practice"), pk=pk, business=access.business)
    return access, need


def can_see_gaps(user: User, business: Business) -> bool:
    """Needs and self-assessment: members, moderators, and members of an approved partner."""
    if user.is_moderator or Membership.objects.filter(business=business, user=user).exists():
        return True
    return Partnership.objects.filter(business=business, partner__memberships__user=user).exists()


def compared_business(user: User, mine: Business, slug: str) -> tuple[Business, bool]:
    """The business `slug` as a member of `mine` sees it on the compare page, and whether its gaps show.

    The rules of can_see_profile (else 404) and can_see_gaps, answered in one query: the user's own
    memberships are those the page's navigation reads anyway (User.memberships_held)."""
    try:
        theirs = Business.objects.annotate(
            user_is_partner=Exists(
                Partnership.objects.filter(business=OuterRef("pk"), partner__memberships__user=user)
            ),
        ).get(slug=slug)
    except Business.DoesNotExist:
        raise Http404("No such business.") from None
    insider = user.is_moderator or theirs.pk in user.business_ids_held
    if theirs.pk == mine.pk or not (insider or (theirs.is_verified and user.in_a_verified_business)):
        raise Http404("No such business.")
    return theirs, insider or theirs.user_is_partner


def gaps_access(user: User, slug: str) -> Access:
    """Needs and self-assessment pages: members and moderators; members of an approved partner read-only."""
    try:
        return member_access(user, slug, allow_moderator=True)
    except Http404:
        business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
        if not can_see_gaps(user, business):
            raise
        return Access(business, None)


def choose_current(memberships: Sequence[Membership], request: HttpRequest) -> Membership | None:
    """Of the user's memberships, the one chosen with the switcher, else the oldest."""
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.business_id == chosen:
            return membership
    return min(memberships, key=lambda m: m.joined_at, default=None)
