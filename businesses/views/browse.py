"""Browse and search the active offers of other verified businesses."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.filters import NEWEST_FIRST, OfferFilter
from businesses.models import Offer
from businesses.selectors.browse import offer_cards_page


@login_required
@require_http_methods(["GET"])
def offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    # Offers are for members of verified businesses (and moderators). Anyone else
    # gets a normal page saying when browsing opens, not an error: nothing is wrong
    # with them, their business is simply not verified yet (or they have none). Read from
    # the memberships the navigation shows: no query of its own.
    if not user.in_a_verified_business and not user.is_moderator:
        return render(request, "businesses/browse.html", {"closed": True})
    # Not the offers of their own businesses: the same memberships again, as ids (a shorter query to
    # build and to plan than a subquery).
    offers = Offer.objects.browsable().exclude(business__in=user.business_ids_held).order_by(*NEWEST_FIRST)
    filterset = OfferFilter(request.GET, queryset=offers)
    found = filterset.qs
    searching = bool(filterset.form.cleaned_data.get("q"))  # (what OfferFilter.search ranks)
    page = offer_cards_page(found, request.GET.get("page"), count_with_rows=searching)
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request, "businesses/browse.html", {"filter": filterset, "page": page, "page_numbers": page_numbers}
    )
