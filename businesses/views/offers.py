"""A business's offers (strengths): the list, an offer's page, creating and editing, pausing, resuming,
and discarding a proposal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import Access, managed_offer, member_access, visible_offer
from businesses.forms.offers import BlackoutFormSet, OfferForm, offer_forms_valid
from businesses.models import Offer
from businesses.services import offers as services


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, allow_moderator=True)
    offers = (
        Offer.objects.filter(business=access.business)
        .select_related("practice__department")
        .prefetch_related("blackouts")
        .order_by("status", "practice__name")
    )
    return render(
        request,
        "businesses/offers.html",
        {"business": access.business, "access": access, "offers": list(offers)},
    )


@login_required
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = visible_offer(request.user, slug, pk)
    return render(
        request,
        "businesses/offer_detail.html",
        {"business": access.business, "access": access, "offer": offer},
    )


def offer_form_page(request: AuthenticatedHttpRequest, access: Access, offer: Offer | None) -> HttpResponse:
    """Create (offer None) or edit an offer with its blackout dates; confirming a proposal is an edit."""
    business = access.business
    instance = offer or Offer(business=business)
    was_draft = instance.status == Offer.Status.DRAFT and instance.pk is not None
    if request.method == "POST":
        form = OfferForm(request.POST, instance=instance)
        blackouts = BlackoutFormSet(request.POST, instance=instance, prefix="blackouts")
        if offer_forms_valid(form, blackouts):
            saved = services.save_offer(offer=form.save(commit=False), blackouts=blackouts.dates())
            if was_draft:
                messages.success(request, f"Offer confirmed: {saved.practice.name} is now offered.")
                if services.has_proposals(business):
                    return redirect("businesses:proposals", slug=business.slug)
            else:
                messages.success(request, f"Offer saved: {saved.practice.name}.")
            return redirect(saved.get_absolute_url())
    else:
        form = OfferForm(instance=instance)
        blackouts = BlackoutFormSet(instance=instance, prefix="blackouts")
    return render(
        request,
        "businesses/offer_form.html",
        {
            "business": business,
            "access": access,
            "form": form,
            "blackouts": blackouts,
            "offer": offer,
            "confirming": was_draft,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    return offer_form_page(request, access, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = managed_offer(request.user, slug, pk)
    return offer_form_page(request, access, offer)


@login_required
@require_http_methods(["POST"])
def pause(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, offer = managed_offer(request.user, slug, pk)
    try:
        services.pause_offer(offer=offer)
    except services.StateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Paused: other businesses no longer see {offer.practice.name}.")
    return redirect("businesses:offer_detail", slug=slug, pk=pk)


@login_required
@require_http_methods(["POST"])
def resume(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, offer = managed_offer(request.user, slug, pk)
    try:
        services.resume_offer(offer=offer)
    except services.StateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Resumed: other businesses can find {offer.practice.name} again.")
    return redirect("businesses:offer_detail", slug=slug, pk=pk)


@login_required
@require_http_methods(["POST"])
def discard(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = managed_offer(request.user, slug, pk)
    try:
        services.discard_offer(offer=offer)
    except services.StateError as error:
        messages.error(request, str(error))
        return redirect("businesses:offer_detail", slug=slug, pk=pk)
    messages.success(
        request,
        f"Proposal discarded. “We can host” is unticked for {offer.practice.name}, "
        "so it is not proposed again.",
    )
    next_page = "businesses:proposals" if services.has_proposals(access.business) else "businesses:offers"
    return redirect(next_page, slug=slug)
