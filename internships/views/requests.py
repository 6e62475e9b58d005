"""Requesting an internship from an approved match, and the answers: the host accepts (naming a mentor),
declines or proposes other dates; the learner answers other dates, then confirms; either side cancels.

Each page shows its form on GET and acts on POST; a refusal (wrong state, no place left) shows its
message with everything typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from businesses.models import Offer
from internships.access import internship_for, requestable_match, require
from internships.models import Internship
from internships.request_forms import (
    AcceptForm,
    CancelForm,
    CounterDeclineForm,
    CounterForm,
    DeclineForm,
    ObjectiveFormSet,
    RequestForm,
)
from internships.selectors.requests import suggested_dates, suggested_length
from internships.services import requests as services
from internships.services.requests import CANCELLABLE, InternshipError

Status = Internship.Status


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = requestable_match(request.user, pk)
    offer = (
        Offer.objects.select_related("business", "practice")
        .prefetch_related("blackouts")
        .get(pk=match.offer_id)
    )
    if request.method == "POST":
        form = RequestForm(request.POST, offer=offer, learner=match.learner)
        objectives = ObjectiveFormSet(request.POST, prefix="objectives")
        # Both are checked, so every mistake is marked at once.
        form_valid, objectives_valid = form.is_valid(), objectives.is_valid()
        if form_valid and objectives_valid:
            data = form.cleaned_data
            try:
                internship = services.request_internship(
                    match_id=match.pk,
                    requested_by=request.user,
                    intern=data["intern"],
                    intern_email=data["intern_email"],
                    start=data["start"],
                    end=data["end"],
                    message=data["message"],
                    objectives=objectives.objectives(),
                    request=request,
                )
            except InternshipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, f"Request sent: {match.host.name} is told by email and answers on this page."
                )
                return redirect(internship)
    else:
        start, end = suggested_dates(match, today=timezone.localdate())
        form = RequestForm(initial={"start": start, "end": end}, offer=offer, learner=match.learner)
        objectives = ObjectiveFormSet(prefix="objectives")
    context = {
        "match": match,
        "offer": offer,
        "form": form,
        "objectives": objectives,
        "suggested_days": suggested_length(offer),
    }
    return render(request, "internships/request_form.html", context)


def _refused(
    request: AuthenticatedHttpRequest, internship: Internship, error: InternshipError
) -> HttpResponse:
    """Nothing typed to keep: say why on the internship's page."""
    messages.error(request, str(error))
    return redirect(internship)


# The host's answer: one page, three forms.


def _host_request(request: AuthenticatedHttpRequest, pk: int) -> Internship:
    internship, roles = internship_for(request.user, pk)
    require(
        roles.host_manager, f"Only the owners and managers of {internship.host.name} answer this request."
    )
    return internship


def _decision_page(
    request: AuthenticatedHttpRequest,
    internship: Internship,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    counter_form: CounterForm | None = None,
) -> HttpResponse:
    context = {
        "internship": internship,
        "objectives": list(internship.objectives.all()),
        "accept_form": accept_form or AcceptForm(internship=internship),
        "decline_form": decline_form or DeclineForm(),
        "counter_form": counter_form or CounterForm(internship=internship),
    }
    return render(request, "internships/request_decide.html", context)


def _answerable(request: AuthenticatedHttpRequest, internship: Internship, doing: str) -> HttpResponse | None:
    """On GET, a request no longer waiting for this answer sends the user to its page, saying why."""
    try:
        services.check_status(internship, [Status.REQUESTED], doing)
    except InternshipError as error:
        messages.info(request, str(error))
        return redirect(internship)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _host_request(request, pk)
    if request.method == "GET":
        return _answerable(request, internship, "answer this request") or _decision_page(request, internship)
    form = AcceptForm(request.POST, internship=internship)
    if form.is_valid():
        try:
            services.accept_internship(
                internship_id=internship.pk, accepted_by=request.user, mentor=form.cleaned_data["mentor"]
            )
        except InternshipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Accepted: {form.cleaned_data['mentor']} mentors the intern. "
                f"{internship.learner.name} now confirms the internship.",
            )
            return redirect(internship)
    return _decision_page(request, internship, accept_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _host_request(request, pk)
    if request.method == "GET":
        return _answerable(request, internship, "answer this request") or _decision_page(request, internship)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_internship(
                internship_id=internship.pk, declined_by=request.user, reason=form.cleaned_data["reason"]
            )
        except InternshipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Declined: {internship.learner.name} is told, with your reason.")
            return redirect(internship)
    return _decision_page(request, internship, decline_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def counter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _host_request(request, pk)
    if request.method == "GET":
        return _answerable(request, internship, "answer this request") or _decision_page(request, internship)
    form = CounterForm(request.POST, internship=internship)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.propose_other_dates(
                internship_id=internship.pk,
                proposed_by=request.user,
                start=data["start"],
                end=data["end"],
                note=data["note"],
            )
        except InternshipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Other dates proposed: {internship.learner.name} is asked to accept or decline them.",
            )
            return redirect(internship)
    return _decision_page(request, internship, counter_form=form)


# The learner's answer to other dates.


def _learner_internship(request: AuthenticatedHttpRequest, pk: int, doing: str) -> Internship:
    internship, roles = internship_for(request.user, pk)
    require(roles.learner_manager, f"Only the owners and managers of {internship.learner.name} {doing}.")
    return internship


def _counter_page(
    request: AuthenticatedHttpRequest, internship: Internship, form: CounterDeclineForm | None = None
) -> HttpResponse:
    if internship.status != Status.REQUESTED or internship.counter_start is None:
        messages.info(request, "There are no other dates to answer: the host has not proposed any.")
        return redirect(internship)
    context = {
        "internship": internship,
        "objectives": list(internship.objectives.all()),
        "form": form or CounterDeclineForm(),
    }
    return render(request, "internships/request_counter.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def accept_counter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _learner_internship(request, pk, "answer the proposed dates")
    if request.method == "GET":
        return _counter_page(request, internship)
    try:
        services.accept_other_dates(internship_id=internship.pk, accepted_by=request.user)
    except InternshipError as error:
        return _refused(request, internship, error)
    messages.success(
        request, f"Dates accepted. {internship.host.name} now accepts the request and names a mentor."
    )
    return redirect(internship)


@login_required
@require_http_methods(["GET", "POST"])
def decline_counter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _learner_internship(request, pk, "answer the proposed dates")
    if request.method == "GET":
        return _counter_page(request, internship)
    form = CounterDeclineForm(request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"].strip()
        try:
            services.decline_other_dates(internship_id=internship.pk, declined_by=request.user, reason=reason)
        except InternshipError as error:
            # The dates changed meanwhile, so there is no form to keep the reason in: it comes back
            # in the message instead, to be used on the internship's page.
            kept = f" Your reason was not sent; you wrote: “{reason}”" if reason else ""
            return _refused(request, internship, InternshipError(f"{error}{kept}"))
        messages.success(
            request, f"Dates declined: the request is cancelled and {internship.host.name} is told."
        )
        return redirect(internship)
    return _counter_page(request, internship, form)


# Confirming and cancelling.


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship = _learner_internship(request, pk, "confirm this internship")
    if request.method == "POST":
        try:
            services.confirm_internship(internship_id=internship.pk, confirmed_by=request.user)
        except InternshipError as error:
            return _refused(request, internship, error)
        messages.success(
            request, "Confirmed: the internship is scheduled. The intern and the mentor are told."
        )
        return redirect(internship)
    try:
        services.check_status(internship, [Status.ACCEPTED], "confirm this internship")
    except InternshipError as error:
        messages.info(request, str(error))
        return redirect(internship)
    context: dict[str, Any] = {"internship": internship, "objectives": list(internship.objectives.all())}
    return render(request, "internships/request_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    require(
        roles.learner_manager or roles.host_manager,
        f"Only the owners and managers of {internship.learner.name} or {internship.host.name} "
        "can cancel this internship.",
    )
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.cancel_internship(
                    internship_id=internship.pk, cancelled_by=request.user, reason=form.cleaned_data["reason"]
                )
            except InternshipError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, "Cancelled: the other business, the intern and the mentor are told."
                )
                return redirect(internship)
    else:
        try:
            services.check_status(internship, CANCELLABLE, "cancel this internship")
        except InternshipError as error:
            messages.info(request, str(error))
            return redirect(internship)
        form = CancelForm()
    return render(request, "internships/request_cancel.html", {"internship": internship, "form": form})
