from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from allauth.account.authentication import get_authentication_records
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from accounts.models import User
from accounts.time_zones import zone_of

# A moderator's or staff member's session ends this long after they signed in: a working day.
PRIVILEGED_SESSION_AGE = timedelta(hours=12)
# Pages a moderator without an authenticator app may still open: their own account's pages
# (sign out, confirm the password, verify an address) and the two-factor pages themselves.
OPEN_PAGES = ("account_", "mfa_")


class UserTimeZoneMiddleware:
    """Show dates and times on pages in the signed-in person's time zone (the site's, UTC, otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            timezone.activate(zone_of(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The thread serves other people next: never leave someone's zone active.
            timezone.deactivate()


class SecondFactorMiddleware:
    """Moderators and staff use a second factor, and their sessions last a working day.

    Their powers reach past the moderation pages (every business's and match's pages, the admin), so
    until they have activated an authenticator app every page but their account's sends them to set
    one up; signing in then asks for its code (allauth's login stage). 12 hours after they signed in
    they are signed out, whatever "Remember me" said."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated or not user.must_use_second_factor:
            return None
        if _signed_in_before(request, user, timezone.now() - PRIVILEGED_SESSION_AGE):
            logout(request)
            messages.info(
                request, "For safety, moderators and staff are signed out after 12 hours. Sign in again."
            )
            return redirect_to_login(request.get_full_path())
        match = request.resolver_match
        if match is not None and (match.url_name or "").startswith(OPEN_PAGES):
            return None
        if user.has_authenticator_app:
            return None
        messages.warning(
            request,
            "Moderators and staff must use two-factor authentication. Set up an authenticator app "
            "to continue: you will then enter a code from it each time you sign in.",
        )
        return redirect("mfa_activate_totp")


def _signed_in_before(request: HttpRequest, user: User, moment: datetime) -> bool:
    """allauth records each step of a sign-in (password, code) with its time in the session."""
    times = [record.get("at") for record in get_authentication_records(request, user)]
    started = min((at for at in times if isinstance(at, int | float)), default=None)
    return started is not None and started < moment.timestamp()
