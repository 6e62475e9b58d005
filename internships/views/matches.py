"""An approved match, as its two businesses see it: why it was proposed, how they compare, and what next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import SESSION_KEY
from internships.access import visible_match
from internships.selectors.matches import exchange_partners, reasons, side_of


@login_required
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = visible_match(request.user, pk)
    side = side_of(request.user, match, request.session.get(SESSION_KEY))
    context = {
        "match": match,
        "side": side,
        "reasons": reasons(match, side),
        "exchange": exchange_partners(match, side),
        "can_request": side.learning and side.manages,
    }
    return render(request, "internships/match.html", context)
