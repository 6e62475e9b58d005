"""Declared competitors: a business's list of those it must never be matched with (owners and managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import member_access
from businesses.forms.competitors import CompetitorForm
from businesses.models import Competitor
from businesses.services.competitors import CompetitorError, declare_competitor, remove_competitor


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    business = access.business
    form = CompetitorForm(request.POST or None, business=business)
    if request.method == "POST" and form.is_valid():
        try:
            declared = declare_competitor(
                business=business, competitor=form.competitor, name=form.cleaned_data["name"]
            )
        except CompetitorError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, f"{declared.competitor or declared.name} is now on your competitors list."
            )
            return redirect("businesses:competitors", slug=business.slug)
    context = {
        "business": business,
        "access": access,
        "form": form,
        "competitors": business.declared_competitors.select_related("competitor"),
    }
    return render(request, "businesses/competitors.html", context)


@login_required
@require_http_methods(["POST"])
def delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    competitor = get_object_or_404(
        Competitor.objects.select_related("competitor"), pk=pk, business=access.business
    )
    remove_competitor(competitor=competitor)
    messages.success(
        request, f"{competitor.competitor or competitor.name} is no longer on your competitors list."
    )
    return redirect("businesses:competitors", slug=access.business.slug)
