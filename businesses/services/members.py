"""Members of a business: invitations by email, roles, leaving, and the last-owner rule."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from businesses.models import Business, Invitation, Membership
from notifications.services import queue_email

Role = Membership.Role


class MembershipError(Exception):
    """A change to a business's members that its rules forbid; the message says why, for people."""


class InvitationClosed(MembershipError):
    """The invitation was revoked, has expired or was already used."""


class WrongAccount(MembershipError):
    """The invitation is addressed to another email than the signed-in person's."""


# Reads.


def members_of(business: Business) -> QuerySet[Membership]:
    """Owners first, then managers, then employees; by name within a role."""
    rank = Case(
        When(role=Role.OWNER, then=Value(0)),
        When(role=Role.MANAGER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(business=business)
        .select_related("user")
        .order_by(rank, "user__name", "user__email")
    )


def pending_invitations_of(business: Business) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked, expired ones included (they can be sent again)."""
    return (
        Invitation.objects.filter(business=business, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def open_invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations addressed to the user's email that they can still accept (not those of a business they
    belong to: read from the memberships the navigation reads anyway)."""
    return (
        Invitation.objects.filter(
            email__iexact=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exclude(business_id__in=user.business_ids_held)
        .select_related("business", "invited_by")
        .order_by("-created_at")
    )


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("businesses:invitation", kwargs={"token": invitation.token})


def has_open_invitation(*, business: Business, email: str) -> bool:
    return Invitation.objects.filter(
        business=business,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


def is_member(*, business: Business, email: str) -> bool:
    return Membership.objects.filter(business=business, user__email__iexact=email).exists()


# Writes.


def _lock(business: Business) -> Business:
    """Serialise changes to one business's members, so two owners cannot both step down at once."""
    return Business.objects.select_for_update().get(pk=business.pk)


def _owner_count(business: Business) -> int:
    return Membership.objects.filter(business=business, role=Role.OWNER).count()


@transaction.atomic
def invite_member(
    *, business: Business, email: str, role: str, invited_by: User, request: HttpRequest | None = None
) -> Invitation:
    """Invite an email address to join the business; the invitation is emailed after commit."""
    email = email.strip().lower()
    role = Role(role)
    _lock(business)
    if is_member(business=business, email=email):
        raise MembershipError(f"{email} is already a member of {business.name}.")
    inviter = Membership.objects.filter(business=business, user=invited_by).first()
    if inviter is None or not inviter.can_manage:
        raise MembershipError("Only the business's owners and managers can invite people.")
    if role == Role.OWNER and inviter.role != Role.OWNER:
        raise MembershipError("Only an owner can invite another owner.")
    # An expired invitation still counts as open for the database (one open per
    # address); it is closed here so the address can be invited again.
    now = timezone.now()
    Invitation.objects.filter(
        business=business, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                business=business, email=email, role=role, invited_by=invited_by
            )
    except IntegrityError:
        raise MembershipError(f"{email} has already been invited to {business.name}.") from None
    queue_email(
        to=email,
        kind="businesses.invitation",
        key=f"invitation:{invitation.pk}",
        template="emails/businesses/invitation",
        context={
            "invitation": invitation,
            "business": business,
            "inviter": invited_by,
            "role": invitation.get_role_display(),
            "accept_url": invitation_url(invitation),
        },
        recipient=User.objects.filter(email__iexact=email).first(),
        request=request,
    )
    return invitation


def check_invitation(invitation: Invitation, user: User | None = None) -> None:
    """Raise why this invitation cannot be accepted (by this user); return if it can."""
    if invitation.revoked_at is not None:
        raise InvitationClosed(
            "This invitation was withdrawn by the business. "
            "Ask them to invite you again if you still want to join."
        )
    if invitation.accepted_at is not None:
        if (
            user is not None
            and invitation.accepted_by_id == user.pk
            and Membership.objects.filter(business_id=invitation.business_id, user=user).exists()
        ):
            return  # accepting twice is harmless
        raise InvitationClosed("This invitation has already been accepted. Each invitation can be used once.")
    if invitation.expires_at <= timezone.now():
        expired_on = date_format(timezone.localtime(invitation.expires_at), "j F Y")
        raise InvitationClosed(
            f"This invitation expired on {expired_on}. Ask the business to invite you again."
        )
    if user is not None and user.email.lower() != invitation.email.lower():
        raise WrongAccount(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            f"Log out, then log in (or sign up) with {invitation.email} to accept it."
        )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Make the invited person a member with the invited role; accepting again changes nothing."""
    invitation = Invitation.objects.select_for_update().select_related("business").get(pk=invitation.pk)
    check_invitation(invitation, user)
    membership, _ = Membership.objects.get_or_create(
        user=user, business=invitation.business, defaults={"role": invitation.role}
    )
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been accepted; revoking twice changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise MembershipError(
            f"{invitation.email} has already accepted this invitation: remove the member instead."
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """Give a member another role; only an owner grants or takes away the owner role."""
    role = Role(role)
    business = _lock(membership.business)
    current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if current is None:
        raise MembershipError("This person is no longer a member.")
    membership = current
    actor = Membership.objects.filter(business=business, user=changed_by).first()
    if actor is None or not actor.can_manage:
        raise MembershipError("Only the business's owners and managers can change roles.")
    if role == membership.role:
        return membership
    if Role.OWNER in {role, membership.role} and actor.role != Role.OWNER:
        raise MembershipError("Only an owner can make someone an owner or take the owner role away.")
    if membership.role == Role.OWNER and _owner_count(business) == 1:
        raise MembershipError(
            f"{membership.user} is the last owner of {business.name}. "
            "Make someone else an owner first, then change this role."
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, removed_by: User) -> None:
    """Remove a member, or let a member leave. The last owner can do neither."""
    business = _lock(membership.business)
    current = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if current is None:
        return  # removed meanwhile: what was asked is done
    membership = current
    leaving = membership.user_id == removed_by.pk
    if not leaving:
        actor = Membership.objects.filter(business=business, user=removed_by).first()
        if actor is None or not actor.can_manage:
            raise MembershipError("Only the business's owners and managers can remove members.")
        if membership.role == Role.OWNER and actor.role != Role.OWNER:
            raise MembershipError("Only an owner can remove another owner.")
    if membership.role == Role.OWNER and _owner_count(business) == 1:
        who = "You are" if leaving else f"{membership.user} is"
        raise MembershipError(
            f"{who} the last owner of {business.name}. Make someone else an owner first: "
            "a business always needs an owner."
        )
    membership.delete()
