"""Who may see a match, and the moderation pages.

Moderation pages are for moderators (the `accounts.moderate` permission): a
signed-in person without it gets 403 — the pages are not secret, only closed.
A match page is for the members of its two businesses once a moderator has
approved it (and for moderators): anyone else, and everyone while it is pending,
rejected or withdrawn, gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from internships.models import Match

MATCH_RELATIONS = ("learner__industry", "host__industry", "need__practice__department", "offer__practice")


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
    """An approved match, for the members of its two businesses and for moderators; 404 for anyone else."""
    matches = Match.objects.approved() if user.is_moderator else Match.objects.visible_to_owner(user)
    return get_object_or_404(matches.select_related(*MATCH_RELATIONS), pk=pk)
