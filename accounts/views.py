from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.http import AuthenticatedHttpRequest
from accounts.services import update_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(
            user=request.user, name=form.cleaned_data["name"], time_zone=form.cleaned_data["time_zone"]
        )
        messages.success(request, f"Profile saved. Dates are now shown in {request.user.time_zone}.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
