"""The outcome pages: the exchange review each business writes at completion, the follow-ups at +30, +60
and +90 days with their chart, and a host's impact page — what its teaching achieved."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.access import member_access
from businesses.models import Business
from feedback.charts_followups import follow_up_chart
from feedback.forms_outcomes import ExchangeReviewForm, FollowUpForm
from feedback.models import ExchangeReview, FollowUp
from feedback.selectors.outcomes import (
    follow_ups_of,
    hosted_outcomes,
    hosted_with_outcomes,
    impact_of,
    metric_rows,
    objectives_of,
    reviews_of,
)
from feedback.services.followups import (
    DAYS,
    LAST_DAY,
    FollowUpError,
    check_due,
    check_recording,
    record_follow_up,
    schedule_follow_ups,
    target_level_of,
)
from feedback.services.outcomes import ReviewError, check_reviewing, save_exchange_review
from internships.access import InternshipRoles, internship_for, require
from internships.models import Internship, Objective

PER_PAGE = 20


# The exchange review.


@dataclass(frozen=True)
class SideReview:
    """One business's review as the page shows it; `hidden` until the viewer's side has written its own."""

    business: Business
    review: ExchangeReview | None
    ratings: list[tuple[Objective, int | None]]
    hidden: bool


def _review_url(internship: Internship, side: Business, sides: list[Business]) -> str:
    url = reverse("feedback:outcomes_review", kwargs={"pk": internship.pk})
    # Someone who manages both businesses chooses the side they write for.
    return f"{url}?side={side.slug}" if len(sides) > 1 else url


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    sides = [
        business
        for business, manages in (
            (internship.learner, roles.learner_manager),
            (internship.host, roles.host_manager),
        )
        if manages
    ]
    require(
        bool(sides) or roles.moderator,
        f"Only the owners and managers of {internship.learner.name} and {internship.host.name} review the "
        "exchange.",
    )
    chosen = request.POST.get("side") or request.GET.get("side")
    side = next((business for business in sides if business.slug == chosen), sides[0] if sides else None)
    if request.method == "POST":
        require(side is not None, "Moderators read the reviews; the two businesses write them.")
    reviews = reviews_of(internship)
    objectives = objectives_of(internship)
    form, notice = None, ""
    if side is not None:
        data = request.POST if request.method == "POST" else None
        instance = reviews.get(side.pk) or ExchangeReview(internship=internship, business=side)
        form = ExchangeReviewForm(data, objectives=objectives, instance=instance)
        try:
            check_reviewing(internship=internship, business_id=side.pk, author=request.user)
        except ReviewError as error:
            if data is None:
                form, notice = None, str(error)
            else:
                form.add_error(None, str(error))
        else:
            if data is not None and form.is_valid():
                try:
                    _, created = save_exchange_review(
                        internship_id=internship.pk,
                        business_id=side.pk,
                        author=request.user,
                        rating=form.cleaned_data["rating"],
                        testimonial=form.cleaned_data["testimonial"],
                        objective_ratings=form.objective_ratings(),
                    )
                except ReviewError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        f"Review saved for {side.name}. Thank you: it helps other businesses choose."
                        if created
                        else f"Review updated for {side.name}.",
                    )
                    return redirect(_review_url(internship, side, sides))
    shown = [
        SideReview(
            business=business,
            review=reviews.get(business.pk),
            ratings=_ratings(objectives, reviews.get(business.pk)),
            # Each side writes without reading the other's first, so that neither answers the other.
            hidden=not (roles.moderator or business in sides or (side is not None and side.pk in reviews)),
        )
        for business in (internship.learner, internship.host)
    ]
    return render(
        request,
        "feedback/outcome_review.html",
        {
            "internship": internship,
            "roles": roles,
            "side": side,
            "sides": sides,
            "form": form,
            "notice": notice,
            "reviews": shown,
        },
    )


def _ratings(
    objectives: list[Objective], review: ExchangeReview | None
) -> list[tuple[Objective, int | None]]:
    given = {one.objective_id: one.rating for one in review.objective_ratings.all()} if review else {}
    return [(objective, given.get(objective.pk)) for objective in objectives]


# The follow-ups.


def _require_follow_up_reader(internship: Internship, roles: InternshipRoles) -> None:
    require(
        roles.learner_manager or roles.moderator,
        f"The follow-ups are for the owners and managers of {internship.learner.name}; "
        f"{internship.host.name} sees what came of its teaching on its impact page.",
    )


def _follow_ups_url(internship: Internship, day: int | None = None) -> str:
    url = reverse("feedback:outcomes_follow_ups", kwargs={"pk": internship.pk})
    return f"{url}#follow-up-{day}" if day else url


@login_required
@require_http_methods(["GET"])
def follow_ups(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    _require_follow_up_reader(internship, roles)
    # Opening the page schedules the follow-ups of a completed internship (the reminders' beat does too).
    scheduled = schedule_follow_ups(internship=internship)
    rows = follow_ups_of(internship) if scheduled else []
    metrics = metric_rows(objectives_of(internship), rows)
    chart = None
    if metrics and any(row.recorded_at for row in rows):
        chart = follow_up_chart(
            chart_id="follow-up-chart",
            title=f"{internship.learner.name}'s metrics: baseline, target and each follow-up",
            series=[metric.series() for metric in metrics],
        )
    return render(
        request,
        "feedback/followup_list.html",
        {
            "internship": internship,
            "roles": roles,
            "follow_ups": rows,
            "metrics": metrics,
            "days": [FollowUp.Day(day).label for day in DAYS],
            "chart": chart,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: AuthenticatedHttpRequest, pk: int, day: int) -> HttpResponse:
    if day not in DAYS:
        raise Http404("Follow-ups are at +30, +60 and +90 days.")
    internship, roles = internship_for(request.user, pk)
    require(
        roles.learner_manager,
        f"Only the owners and managers of {internship.learner.name} record the follow-ups.",
    )
    try:
        check_recording(internship=internship, person=request.user)
    except FollowUpError as error:
        messages.error(request, str(error))
        return redirect(_follow_ups_url(internship))
    current = {row.day: row for row in schedule_follow_ups(internship=internship)}[day]
    objectives = objectives_of(internship)
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(
        data,
        objectives=objectives,
        actuals={measurement.objective_id: measurement.actual for measurement in current.measurements.all()},
        target_level=target_level_of(internship),
        instance=current,
    )
    opened_before = current.new_need_id
    try:
        check_due(current, today=timezone.localdate())
    except FollowUpError as error:
        if data is None:
            messages.warning(request, str(error))
            return redirect(_follow_ups_url(internship, day))
        form.add_error(None, str(error))
    else:
        if data is not None and form.is_valid():
            try:
                saved = record_follow_up(
                    internship_id=internship.pk,
                    day=day,
                    recorded_by=request.user,
                    actuals=form.actuals(),
                    adopted=form.cleaned_data["adopted"],
                    more_help=form.more_help(),
                    notes=form.cleaned_data["notes"],
                )
            except FollowUpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _recorded_message(internship, saved, opened_before=opened_before))
                return redirect(_follow_ups_url(internship, day))
    return render(
        request,
        "feedback/followup_form.html",
        {"internship": internship, "roles": roles, "follow_up": current, "form": form},
    )


def _recorded_message(internship: Internship, saved: FollowUp, *, opened_before: int | None) -> str:
    parts = [f"+{saved.day}-day follow-up recorded."]
    if saved.new_need_id and saved.new_need_id != opened_before:
        parts.append(
            f"{internship.learner.name} has an open need for this practice again: "
            "Peership looks for a host who can help."
        )
    if saved.day == LAST_DAY:
        parts.append("The internship is followed up: thank you for seeing it through.")
    return " ".join(parts)


# The host's impact.


@login_required
@require_http_methods(["GET"])
def impact(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = member_access(request.user, slug, allow_moderator=True)
    page = Paginator(hosted_with_outcomes(access.business), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/outcome_impact.html",
        {
            "business": access.business,
            "access": access,
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "outcomes": hosted_outcomes(page),
            "impact": impact_of(access.business),
        },
    )
