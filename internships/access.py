"""Who may see a match or an internship, and the moderation pages.

Moderation pages are for moderators (the `accounts.moderate` permission): a
signed-in person without it gets 403 — the pages are not secret, only closed.
A match page is for the members of its two businesses once a moderator has
approved it (and for moderators): anyone else, and everyone while it is pending,
rejected or withdrawn, gets 404. An internship's pages are for its intern, its
mentor, the owners and managers of its two businesses, and moderators: anyone
else gets 404; one of them acting outside their role gets 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple, dataclass
from functools import wraps
from typing import Concatenate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from businesses.models import Membership
from internships.models import Internship, Match

# What the match's pages show of it (its industries and departments are not shown: fewer joins to plan).
MATCH_RELATIONS = ("learner", "host", "need__practice", "offer__practice")


def moderator_required[**P](
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]:
    """Sign in first (anonymous visitors go to the login page); then 403 unless a moderator."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_moderator:
            raise PermissionDenied("Only moderators can open the moderation pages.")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def visible_match(user: User, pk: int) -> Match:
    """An approved match, for the members of its two businesses and for moderators; 404 for anyone else.

    Membership is read in Python from the viewer's memberships, which the page's navigation reads anyway
    (as internship_for does): the query is the match's alone, with no subquery to plan."""
    match = get_object_or_404(Match.objects.approved().select_related(*MATCH_RELATIONS), pk=pk)
    if not user.is_moderator:
        held = user.business_ids_held
        if match.learner_id not in held and match.host_id not in held:
            raise Http404("No such match.")
    return match


# Internships.

INTERNSHIP_RELATIONS = ("learner", "host", "offer__practice", "intern", "mentor")


@dataclass(frozen=True)
class InternshipRoles:
    """What the viewer is to one internship; a person may be several at once (an owner who mentors)."""

    intern: bool = False
    mentor: bool = False
    learner_manager: bool = False  # an owner or manager of the sending business
    host_manager: bool = False  # an owner or manager of the host business
    moderator: bool = False


def internship_for(user: User, pk: int) -> tuple[Internship, InternshipRoles]:
    """An internship for its intern, its mentor, both businesses' owners and managers, and moderators.

    Anyone else gets 404, an employee of either business included: the internship is theirs only
    once they are its intern or mentor: the rule of Internship.objects.visible_to, read here in Python
    from the viewer's memberships, which the page's navigation reads anyway."""
    # A list rather than .get(): get()'s LIMIT 21 makes PostgreSQL plan this seven-table join for the
    # first rows as well as for all of them, twice the planning (1.2 ms, the page's costliest query).
    found = list(Internship.objects.select_related(*INTERNSHIP_RELATIONS).filter(pk=pk).order_by())
    if not found:
        raise Http404("No such internship.")
    internship = found[0]
    managing = (Membership.Role.OWNER, Membership.Role.MANAGER)
    managed = {membership.business_id for membership in user.memberships_held if membership.role in managing}
    roles = InternshipRoles(
        intern=internship.intern_id == user.pk,
        mentor=internship.mentor_id == user.pk,
        learner_manager=internship.learner_id in managed,
        host_manager=internship.host_id in managed,
        moderator=user.is_moderator,
    )
    if not any(astuple(roles)):
        raise Http404("No such internship.")
    return internship, roles


def require(allowed: bool, message: str) -> None:
    """403 with `message` unless `allowed`: the user may see the page but not do this."""
    if not allowed:
        raise PermissionDenied(message)


def requestable_match(user: User, pk: int) -> Match:
    """An approved match from which the user may request an internship: 404 for strangers,
    403 for anyone but the learner business's owners and managers."""
    match = visible_match(user, pk)
    manages_learner = Membership.objects.filter(
        user=user, business_id=match.learner_id, role__in=[Membership.Role.OWNER, Membership.Role.MANAGER]
    ).exists()
    require(
        manages_learner,
        f"Only the owners and managers of {match.learner.name} can request an internship from this match.",
    )
    return match
