"""Browse and search the active offers of other verified businesses."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.filters import NEWEST_FIRST, OfferFilter
from businesses.models import Offer

PER_PAGE = 20


@login_required
@require_http_methods(["GET"])
def offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    # Offers are for members of verified businesses (and moderators). Anyone else
    # gets a normal page saying when browsing opens, not an error: nothing is wrong
    # with them, their business is simply not verified yet (or they have none). Read from
    # the memberships the navigation shows: no query of its own.
    in_verified_business = any(membership.business.is_verified for membership in user.memberships_held)
    if not in_verified_business and not user.is_moderator:
        return render(request, "businesses/browse.html", {"closed": True})
    offers = (
        Offer.objects.browsable()
        .exclude(business__memberships__user=user)
        .select_related("business", "practice__department")
        .order_by(*NEWEST_FIRST)
    )
    filterset = OfferFilter(request.GET, queryset=offers)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request, "businesses/browse.html", {"filter": filterset, "page": page, "page_numbers": page_numbers}
    )
