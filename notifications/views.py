"""A person's email reminders (mute or unmute each kind), the unsubscribe link of each reminder, and the
moderators' list of emails that failed, with a resend button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from notifications import services
from notifications.forms import RemindersForm
from notifications.models import MutedKind, Notification
from notifications.reminders import REMINDER_KINDS
from notifications.unsubscribe import BadToken, read_token

FAILED_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    muted = set(MutedKind.objects.filter(user=request.user).values_list("kind", flat=True))
    form = RemindersForm(request.POST or None, user=request.user, muted=muted)
    if request.method == "POST" and form.is_valid():
        # Kinds this page does not show (a former moderator's) stay as they were.
        kept = muted - set(form.kinds)
        services.set_muted_kinds(user=request.user, muted=[*kept, *form.muted()])
        messages.success(request, "Email reminders saved.")
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


# No sign-in and no CSRF token: the link in the email is the credential (signed, naming one person and
# one kind), and mail programs POST to it without a session (RFC 8058 one-click unsubscribe).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (a person, or a mail program's one-click) mutes the kind."""
    try:
        wish = read_token(token)
    except BadToken as error:
        return render(request, "notifications/unsubscribe_invalid.html", {"reason": str(error)}, status=400)
    person = User.objects.filter(pk=wish.user_id, is_active=True).first()
    if person is None:
        reason = "This unsubscribe link is not valid: its account no longer exists."
        return render(request, "notifications/unsubscribe_invalid.html", {"reason": reason}, status=400)
    context = {"person": person, "kind": REMINDER_KINDS[wish.kind], "token": token}
    if request.method == "POST":
        muted_now = services.mute(user=person, kind=wish.kind)
        return render(request, "notifications/unsubscribe_done.html", {**context, "muted_now": muted_now})
    already = MutedKind.objects.filter(user=person, kind=wish.kind).exists()
    return render(request, "notifications/unsubscribe_confirm.html", {**context, "already": already})


def _moderator(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_moderator:
        raise PermissionDenied("Only moderators can see the emails that failed.")


@login_required
@require_http_methods(["GET"])
def failed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Emails that failed every try, the latest first, each with a button to try again."""
    _moderator(request)
    # The email's bytes are for the worker; the page shows the row's own fields.
    rows = (
        Notification.objects.filter(status=Notification.Status.FAILED)
        .defer("message")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, FAILED_PER_PAGE).get_page(request.GET.get("page"))
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(request, "notifications/failed.html", {"page": page, "page_numbers": page_numbers})


@login_required
@require_http_methods(["POST"])
def resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _moderator(request)
    if services.resend(notification_id=pk):
        messages.success(request, "The email is queued again: it gets five new tries.")
    else:
        messages.info(request, "That email is no longer failed: it was resent already or has gone.")
    return redirect("notifications:failed")
