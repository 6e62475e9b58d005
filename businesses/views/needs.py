"""A business's needs (gaps): the list, creating and editing, closing, and discarding a proposal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import Access, gaps_access, managed_need, member_access
from businesses.forms.needs import NeedForm
from businesses.models import Need
from businesses.services import needs as services
from businesses.services.offers import has_proposals


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
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
def create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    return need_form_page(request, access, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, need = managed_need(request.user, slug, pk)
    return need_form_page(request, access, need)


@login_required
@require_http_methods(["POST"])
def close(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, need = managed_need(request.user, slug, pk)
    try:
        services.close_need(need=need)
    except services.StateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Closed: we stop looking for hosts of {need.practice.name}.")
    return redirect("businesses:needs", slug=slug)


@login_required
@require_http_methods(["POST"])
def discard(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, need = managed_need(request.user, slug, pk)
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
