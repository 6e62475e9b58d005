"""The moderators' pages: the queue of proposed matches, a match to approve or reject, bulk approval,
and the businesses awaiting verification."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.models import Business, Membership
from internships.access import moderator_required
from internships.forms import (
    ApproveForm,
    BulkApproveForm,
    QueueFilter,
    RejectBusinessForm,
    RejectForm,
    VerifyBusinessForm,
)
from internships.models import Match
from internships.selectors.moderation import (
    PER_PAGE,
    businesses_to_verify,
    match_for_moderation,
    queue_page,
    review,
)
from internships.services import moderation as services
from internships.services.moderation import Flagged, MatchGone, ModerationError


def queue_url(query: str = "") -> str:
    """The queue, with the filters and page the moderator was on."""
    url = reverse("internships:moderation_queue")
    return f"{url}?{query}" if query else url


@moderator_required
@require_http_methods(["GET"])
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset = QueueFilter(request.GET, queryset=Match.objects.moderation_queue())
    page, items = queue_page(filterset.qs, request.GET.get("page"))
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request,
        "internships/moderation_queue.html",
        {
            "filter": filterset,
            "page": page,
            "page_numbers": page_numbers,
            "items": items,
            "query": request.GET.urlencode(),
        },
    )


@moderator_required
@require_http_methods(["POST"])
def bulk_approve(request: AuthenticatedHttpRequest) -> HttpResponse:
    back = queue_url(request.POST.get("query", "")[:500])
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for error in form["matches"].errors:
            messages.error(request, str(error))
        return redirect(back)
    approved, skipped = services.bulk_approve(match_ids=form.cleaned_data["matches"], moderator=request.user)
    if approved:
        messages.success(
            request,
            f"Approved {len(approved)} match{'es' if len(approved) != 1 else ''}: the owners of both sides "
            "are told by email.",
        )
    flagged = [entry for entry in skipped if isinstance(entry.error, Flagged)]
    if flagged:
        messages.warning(
            request,
            f"Skipped {len(flagged)} flagged match{'es' if len(flagged) != 1 else ''}: bulk approval leaves "
            "flagged matches alone, open each one to check its flags and decide.",
        )
    for entry in skipped:
        if not isinstance(entry.error, Flagged):
            messages.warning(request, f"Skipped match #{entry.match_id}: {entry.error}")
    return redirect(back)


def match_page(
    request: AuthenticatedHttpRequest,
    match: Match,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    details = review(match)
    context = {
        "match": match,
        "review": details,
        "learner_competitors": details.competitors[match.learner_id],
        "host_competitors": details.competitors[match.host_id],
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
    }
    return render(request, "internships/moderation_match.html", context, status=status)


def moderated_match(pk: int) -> Match:
    match = match_for_moderation(pk)
    if match is None:
        raise Http404("No such match.")
    return match


@moderator_required
@require_http_methods(["GET"])
def match(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return match_page(request, moderated_match(pk))


def decided(request: AuthenticatedHttpRequest, match: Match, error: ModerationError) -> HttpResponse:
    """The decision could not be taken: say why, on the match's page (or the queue if it is gone)."""
    messages.error(request, str(error))
    if isinstance(error, MatchGone):
        return redirect("internships:moderation_queue")
    return redirect("internships:moderation_match", pk=match.pk)


@moderator_required
@require_http_methods(["POST"])
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = moderated_match(pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return match_page(request, match, approve_form=form)
    try:
        approved = services.approve_match(
            match_id=match.pk, moderator=request.user, note=form.cleaned_data["note"]
        )
    except ModerationError as error:
        return decided(request, match, error)
    messages.success(request, f"Approved: {approved}. Both owners are told by email.")
    return redirect("internships:moderation_queue")


@moderator_required
@require_http_methods(["POST"])
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = moderated_match(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return match_page(request, match, reject_form=form)
    try:
        rejected = services.reject_match(
            match_id=match.pk, moderator=request.user, reason=form.cleaned_data["reason"]
        )
    except ModerationError as error:
        return decided(request, match, error)
    messages.success(request, f"Rejected: {rejected}. Nobody is told; the reason is in its history.")
    return redirect("internships:moderation_queue")


@moderator_required
@require_http_methods(["GET"])
def businesses(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(businesses_to_verify(), PER_PAGE).get_page(request.GET.get("page"))
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(
        request, "internships/moderation_businesses.html", {"page": page, "page_numbers": page_numbers}
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def business(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(
        Business.objects.select_related("industry__parent", "verified_by").annotate(
            member_count=Count("memberships")
        ),
        slug=slug,
    )
    action = request.POST.get("action")
    verify_form = VerifyBusinessForm(request.POST if action == "verify" else None)
    reject_form = RejectBusinessForm(request.POST if action == "reject" else None)
    if request.method == "POST":
        try:
            if action == "verify" and verify_form.is_valid():
                services.verify_business(
                    business=found, moderator=request.user, note=verify_form.cleaned_data["note"]
                )
                messages.success(request, f"{found.name} is verified; its owners are told by email.")
                return redirect("internships:moderation_businesses")
            if action == "reject" and reject_form.is_valid():
                services.reject_business(
                    business=found, moderator=request.user, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(
                    request, f"{found.name} is marked not verified; its members see your reason."
                )
                return redirect("internships:moderation_businesses")
        except ModerationError as error:
            messages.error(request, str(error))
            return redirect("internships:moderation_business", slug=found.slug)
        if action not in {"verify", "reject"}:
            messages.error(request, "Choose to verify the business or not.")
    owners = Membership.objects.filter(business=found, role=Membership.Role.OWNER).select_related("user")
    return render(
        request,
        "internships/moderation_business.html",
        {
            "business": found,
            "owners": list(owners),
            "verify_form": verify_form,
            "reject_form": reject_form,
        },
    )
