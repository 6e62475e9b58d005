"""The people of a business: the members list, invitations by email and their accept link."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import SESSION_KEY, Access, member_access
from businesses.forms.members import InviteForm, RoleForm
from businesses.models import Invitation, Membership
from businesses.services import members as service
from businesses.services.members import InvitationClosed, MembershipError, WrongAccount


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    is_you: bool
    role_form: RoleForm | None  # None: the viewer may not change this member's role
    can_remove: bool


def _may_touch(access: Access, membership: Membership) -> bool:
    """Owners and managers manage members; only an owner manages another owner."""
    return access.can_manage and (access.is_owner or membership.role != Membership.Role.OWNER)


def _render_index(
    request: AuthenticatedHttpRequest,
    access: Access,
    *,
    invite_form: InviteForm | None = None,
    bound_role_form: RoleForm | None = None,
) -> HttpResponse:
    """The members page; a form that failed is shown again as it was typed."""
    assert access.membership is not None
    rows = []
    for membership in service.members_of(access.business):
        role_form = None
        if _may_touch(access, membership):
            if bound_role_form is not None and bound_role_form.instance.pk == membership.pk:
                role_form = bound_role_form
            else:
                role_form = RoleForm(instance=membership, can_grant_owner=access.is_owner)
        is_you = membership.user_id == request.user.pk
        rows.append(
            MemberRow(membership, is_you, role_form, can_remove=is_you or _may_touch(access, membership))
        )
    if access.can_manage and invite_form is None:
        invite_form = InviteForm(business=access.business, inviter=access.membership)
    context = {
        "business": access.business,
        "access": access,
        "rows": rows,
        "invitations": list(service.pending_invitations_of(access.business)),
        "invite_form": invite_form,
    }
    return render(request, "businesses/members.html", context)


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _render_index(request, member_access(request.user, slug))


@login_required
@require_http_methods(["POST"])
def invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    assert access.membership is not None
    form = InviteForm(request.POST, business=access.business, inviter=access.membership)
    if form.is_valid():
        try:
            invitation = service.invite_member(
                business=access.business,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except MembershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"We emailed an invitation to {invitation.email}. It is valid for 14 days; "
                "it stays listed below until they accept it.",
            )
            return redirect("businesses:members", slug=access.business.slug)
    return _render_index(request, access, invite_form=form)


@login_required
@require_http_methods(["POST"])
def change_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, business=access.business)
    if not _may_touch(access, membership):
        raise PermissionDenied("Only an owner can change another owner's role.")
    form = RoleForm(request.POST, instance=membership, can_grant_owner=access.is_owner)
    if form.is_valid():
        try:
            changed = service.change_role(
                membership=membership, role=form.cleaned_data["role"], changed_by=request.user
            )
        except MembershipError as error:
            form.add_error("role", str(error))
            messages.error(request, str(error))
        else:
            messages.success(request, f"{changed.user} is now {changed.get_role_display().lower()}.")
            return redirect("businesses:members", slug=access.business.slug)
    return _render_index(request, access, bound_role_form=form)


@login_required
@require_http_methods(["POST"])
def remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, business=access.business)
    leaving = membership.user_id == request.user.pk
    if not leaving and not _may_touch(access, membership):
        raise PermissionDenied("Only the business's owners and managers can remove members.")
    try:
        service.remove_member(membership=membership, removed_by=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
        return redirect("businesses:members", slug=access.business.slug)
    if leaving:
        if request.session.get(SESSION_KEY) == access.business.pk:
            del request.session[SESSION_KEY]
        messages.success(request, f"You have left {access.business.name}.")
        return redirect("dashboard")
    messages.success(request, f"{membership.user} is no longer a member of {access.business.name}.")
    return redirect("businesses:members", slug=access.business.slug)


@login_required
@require_http_methods(["POST"])
def revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    invitation = get_object_or_404(Invitation, pk=pk, business=access.business)
    try:
        service.revoke_invitation(invitation=invitation)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The invitation to {invitation.email} is withdrawn; its link no longer works."
        )
    return redirect("businesses:members", slug=access.business.slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees whom it invites; the invited person, signed in, accepts it."""
    invitation = get_object_or_404(Invitation.objects.select_related("business", "invited_by"), token=token)
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST" and user is None:
        return redirect_to_login(request.get_full_path())
    problem, status = "", 200
    try:
        if request.method == "POST" and user is not None:
            service.accept_invitation(invitation=invitation, user=user)
            request.session[SESSION_KEY] = invitation.business_id
            messages.success(request, f"Welcome to {invitation.business.name}! You are now acting for it.")
            return redirect(invitation.business)
        service.check_invitation(invitation, user)
    except InvitationClosed as error:
        problem, status = str(error), 410
    except WrongAccount as error:
        # Showing the invitation to another account is fine; accepting it is forbidden.
        problem, status = str(error), 403 if request.method == "POST" else 200
    already_member = (
        user is not None and Membership.objects.filter(business=invitation.business, user=user).exists()
    )
    context = {
        "invitation": invitation,
        "problem": problem,
        "already_member": already_member,
        "path": request.get_full_path(),
    }
    return render(request, "businesses/invitation.html", context, status=status)
