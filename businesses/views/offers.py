"""A business's offers (strengths) and needs (gaps)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import Access, can_see_profile, gaps_access, member_access
from businesses.forms.offers import BlackoutFormSet, NeedForm, OfferForm, offer_forms_valid
from businesses.models import Business, Membership, Need, Offer
from businesses.services import offers as services
from businesses.views.assessment import has_proposals

# Offers


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
    business = get_object_or_404(Business.objects.select_related("industry"), slug=slug)
    offer = get_object_or_404(
        Offer.objects.select_related("practice__department").prefetch_related("blackouts"),
        pk=pk,
        business=business,
    )
    membership = Membership.objects.filter(business=business, user=request.user).first()
    # Other businesses' members see only what browsing shows them: active offers of verified businesses.
    if (
        membership is None
        and not request.user.is_moderator
        and not (offer.status == Offer.Status.ACTIVE and can_see_profile(request.user, business))
    ):
        raise Http404("No such offer.")
    return render(
        request,
        "businesses/offer_detail.html",
        {"business": business, "access": Access(business, membership), "offer": offer},
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
                if has_proposals(business):
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
    access = member_access(request.user, slug, manage=True)
    offer = get_object_or_404(Offer.objects.select_related("practice"), pk=pk, business=access.business)
    return offer_form_page(request, access, offer)


@login_required
@require_http_methods(["POST"])
def pause(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    offer = get_object_or_404(Offer.objects.select_related("practice"), pk=pk, business=access.business)
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
    access = member_access(request.user, slug, manage=True)
    offer = get_object_or_404(Offer.objects.select_related("practice"), pk=pk, business=access.business)
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
    access = member_access(request.user, slug, manage=True)
    offer = get_object_or_404(Offer.objects.select_related("practice"), pk=pk, business=access.business)
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
    next_page = "businesses:proposals" if has_proposals(access.business) else "businesses:offers"
    return redirect(next_page, slug=slug)


# Needs


@login_required
@require_http_methods(["GET"])
def needs(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = gaps_access(request.user, slug)
    rows = Need.objects.filter(business=access.business).select_related("practice__department")
    if access.membership is None:
        # Proposals are the business's own unfinished notes.
        rows = rows.exclude(status=Need.Status.DRAFT)
    return render(
        request,
        "businesses/needs.html",
        {
            "business": access.business,
            "access": access,
            "needs": list(rows.order_by("status", "practice__name")),
        },
    )


def need_form_page(request: AuthenticatedHttpRequest, access: Access, need: Need | None) -> HttpResponse:
    """Create (need None) or edit a need; confirming a proposal is an edit."""
    business = access.business
    instance = need or Need(business=business)
    was_draft = instance.status == Need.Status.DRAFT and instance.pk is not None
    if request.method == "POST":
        form = NeedForm(request.POST, instance=instance)
        if form.is_valid():
            saved = services.save_need(need=form.save(commit=False))
            if was_draft:
                messages.success(request, f"Need confirmed: we will look for hosts of {saved.practice.name}.")
                if has_proposals(business):
                    return redirect("businesses:proposals", slug=business.slug)
            else:
                messages.success(request, f"Need saved: {saved.practice.name}.")
            return redirect("businesses:needs", slug=business.slug)
    else:
        form = NeedForm(instance=instance)
    return render(
        request,
        "businesses/need_form.html",
        {"business": business, "access": access, "form": form, "need": need, "confirming": was_draft},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    return need_form_page(request, access, None)


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    need = get_object_or_404(Need.objects.select_related("practice"), pk=pk, business=access.business)
    return need_form_page(request, access, need)


@login_required
@require_http_methods(["POST"])
def need_close(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    need = get_object_or_404(Need.objects.select_related("practice"), pk=pk, business=access.business)
    try:
        services.close_need(need=need)
    except services.StateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Closed: we stop looking for hosts of {need.practice.name}.")
    return redirect("businesses:needs", slug=slug)


@login_required
@require_http_methods(["POST"])
def need_discard(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    need = get_object_or_404(Need.objects.select_related("practice"), pk=pk, business=access.business)
    try:
        services.discard_need(need=need)
    except services.StateError as error:
        messages.error(request, str(error))
        return redirect("businesses:needs", slug=slug)
    messages.success(
        request,
        f"Proposal discarded. “We want to learn” is unticked for {need.practice.name}, "
        "so it is not proposed again.",
    )
    next_page = "businesses:proposals" if has_proposals(access.business) else "businesses:needs"
    return redirect(next_page, slug=slug)
