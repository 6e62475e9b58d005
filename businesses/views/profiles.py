"""A business's profile: create it, see it, edit it, and act for it (the switcher)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import SESSION_KEY, member_access, profile_access
from businesses.forms.profiles import BusinessForm
from businesses.models import Business
from businesses.services.profiles import create_business, update_business


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BusinessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        business = create_business(owner=request.user, business=form.save(commit=False))
        request.session[SESSION_KEY] = business.pk
        messages.success(
            request,
            f"{business.name} is on Peership, with you as its owner. A moderator will verify it shortly; "
            "meanwhile, rate your practices and invite your colleagues.",
        )
        return redirect(business)
    return render(request, "businesses/create.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = profile_access(request.user, slug)
    business = access.business
    context: dict[str, object] = {"business": business, "access": access}
    if access.membership is not None:
        context["counts"] = {
            "members": business.memberships.count(),
            "assessments": business.assessments.count(),
            "offers": business.offers.count(),
            "needs": business.needs.count(),
        }
    return render(request, "businesses/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, manage=True)
    form = BusinessForm(request.POST or None, instance=access.business)
    if request.method == "POST" and form.is_valid():
        business = update_business(business=form.save(commit=False))
        messages.success(request, f"The profile of {business.name} is saved.")
        return redirect(business)
    # A failed save has already put the typed values on the instance: show the stored name.
    business = Business.objects.get(pk=access.business.pk) if form.is_bound else access.business
    return render(request, "businesses/edit.html", {"form": form, "business": business, "access": access})


@login_required
@require_http_methods(["POST"])
def switch(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug)
    request.session[SESSION_KEY] = access.business.pk
    messages.success(request, f"You are now acting for {access.business.name}.")
    return redirect("dashboard")
