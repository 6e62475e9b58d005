"""The self-assessment grid and the offers and needs it proposes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import gaps_access, member_access
from businesses.forms.assessment import AssessmentForm
from businesses.models import Assessment, Need, Offer, Practice
from businesses.services.assessment import save_assessment
from businesses.services.offers import has_proposals


@login_required
@require_http_methods(["GET", "POST"])
def grid(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        access = member_access(request.user, slug, manage=True)
    else:
        access = gaps_access(request.user, slug)
    business = access.business
    practices = list(Practice.objects.select_related("department"))
    assessments = list(Assessment.objects.filter(business=business))
    if request.method == "POST":
        form = AssessmentForm(request.POST, practices=practices)
        if form.is_valid():
            proposed = save_assessment(business=business, ratings=form.ratings())
            if proposed.offers or proposed.needs:
                messages.success(
                    request,
                    f"Self-assessment saved. From your ticks we drafted "
                    f"{proposed.offers} offer{pluralize(proposed.offers)} and "
                    f"{proposed.needs} need{pluralize(proposed.needs)}: confirm or discard each below.",
                )
            else:
                messages.success(request, "Self-assessment saved.")
            next_page = "businesses:proposals" if has_proposals(business) else "businesses:assessment"
            return redirect(next_page, slug=slug)
    else:
        form = AssessmentForm(practices=practices, assessments=assessments)
    return render(
        request,
        "businesses/assessment.html",
        {
            "business": business,
            "access": access,
            "form": form,
            "sections": form.sections(),
            "assessed": len(assessments),
            "practice_count": len(practices),
        },
    )


@login_required
@require_http_methods(["GET"])
def proposals(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    business = access.business
    offers = Offer.objects.filter(business=business, status=Offer.Status.DRAFT).select_related(
        "practice__department"
    )
    needs = Need.objects.filter(business=business, status=Need.Status.DRAFT).select_related(
        "practice__department"
    )
    return render(
        request,
        "businesses/proposals.html",
        {"business": business, "access": access, "offers": list(offers), "needs": list(needs)},
    )
