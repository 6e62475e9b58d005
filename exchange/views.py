from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User
from businesses.models import Membership, Need, Offer
from businesses.services.members import open_invitations_for
from exchange.health import broker_state, database_state
from internships.models import Internship, Match
from internships.selectors.internships import ledgers

# The seed article's checklist, which is the product (see DESIGN.md).
CHECKLIST = [
    (
        "Compare strengths and gaps",
        "Rate your departments' practices; see them side by side with a partner's.",
    ),
    (
        "Find where you need help and where you can give it",
        "Your gaps become needs, your strengths offers, and we match them.",
    ),
    (
        "Never with a rival",
        "Competitors are screened out, and a moderator approves every match.",
    ),
    (
        "Choose whom to send",
        "Pick an employee of your business as the intern; the host names a mentor.",
    ),
    (
        "Decide the duration",
        "Each offer says how long a placement can be; we suggest a length per practice.",
    ),
    (
        "Write specific objectives",
        "Every internship has objectives, each with a measurable outcome.",
    ),
    (
        "Learn by doing",
        "The host mentor gives tasks and feedback; the intern reports every week.",
    ),
    (
        "Come back with a plan, then check it worked",
        "An implementation plan at the end, and follow-ups at 30, 60 and 90 days.",
    ),
]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "exchange/home.html", {"checklist": CHECKLIST})


def counted(relation: str, status: str, *, extra: Q | None = None) -> Count:
    """How many of a member's business's offers or needs are in one state (and meet `extra`)."""
    in_state = Q(**{f"business__{relation}__status": status})
    if extra is not None:
        in_state &= extra
    return Count(f"business__{relation}", filter=in_state, distinct=True)


# The dashboard lists the latest approved matches (each owner also had an email with its link).
DASHBOARD_MATCHES = 20


def approved_matches(business_ids: list[int]) -> Sequence[Mapping[str, Any]]:
    """The latest approved matches of the businesses someone manages: one query (none if they manage none).

    Only the columns the dashboard shows: building the query and the rows of whole models (three of them
    joined) cost some 5,000 function calls more."""
    if not business_ids:
        return []
    matches = (
        Match.objects.approved()
        .filter(Q(learner_id__in=business_ids) | Q(host_id__in=business_ids))
        .order_by("-decided_at", "-pk")
        .values(
            "pk",
            "decided_at",
            practice=F("offer__practice__name"),
            host_name=F("host__name"),
            learner_name=F("learner__name"),
        )
    )
    return list(matches[:DASHBOARD_MATCHES])


# The dashboard lists the latest internships the user is intern or mentor in; the rest are on their page.
DASHBOARD_INTERNSHIPS = 10


def own_internships(user: User) -> list[Internship]:
    """The latest internships the user is the intern or the mentor of: one query, of the columns the
    dashboard shows (whole rows of six joined tables cost some 6,000 function calls more)."""
    internships = (
        Internship.objects.filter(Q(intern=user) | Q(mentor=user))
        .select_related("offer__practice", "host")
        .only("start", "end", "status", "intern", "offer__practice__name", "host__name")
        .order_by("-start", "-pk")
    )
    return list(internships[:DASHBOARD_INTERNSHIPS])


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # login_required
    memberships: list[Membership] = list(
        Membership.objects.filter(user=request.user)
        .select_related("business")
        .annotate(
            # An active offer whose window has ended can no longer be matched: not counted as active.
            active_offers=counted(
                "offers",
                Offer.Status.ACTIVE,
                extra=Q(business__offers__available_until__gte=timezone.localdate()),
            ),
            open_needs=counted("needs", Need.Status.OPEN),
            drafts=counted("offers", Offer.Status.DRAFT) + counted("needs", Need.Status.DRAFT),
        )
        .order_by("business__name")
    )
    # These are the user's memberships (User.memberships_held, with counts): the navigation and the
    # invitations read them for the rest of the request instead of reading them again.
    request.user.memberships_held = memberships
    managed = [m.business_id for m in memberships if m.can_manage]
    # The give-and-get ledger is the business's own: shown to those who act for it.
    business_ledgers = ledgers(managed)
    # The columns the list shows (whole rows of the business and the inviter cost 1,000 calls more).
    invitations = open_invitations_for(request.user).only(
        "role", "token", "expires_at", "business__name", "invited_by__name"
    )
    context = {
        "memberships": memberships,
        "cards": [(m, business_ledgers.get(m.business_id)) for m in memberships],
        "invitations": list(invitations),
        "matches": approved_matches(managed),
        "internships": own_internships(request.user),
    }
    return render(request, "exchange/dashboard.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_state(), "broker": broker_state()}
    # Pages need the database; without the broker they are still served (emails wait in the
    # outbox), so a Redis outage reports "degraded" and keeps the web process in the load balancer.
    if checks["database"] == "error":
        return JsonResponse({"status": "error", **checks}, status=503)
    status = "degraded" if checks["broker"] == "error" else "ok"
    return JsonResponse({"status": status, **checks})
