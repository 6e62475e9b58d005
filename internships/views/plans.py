"""Completion: the intern writes and submits the implementation plan, the sending business approves it
(the internship completes) or asks for changes, and the mentor writes the final assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from internships.access import internship_for
from internships.models import ImplementationPlan, Internship
from internships.services import plans as services
from internships.services.requests import InternshipError
from internships.views.internship import internship_page
from internships.views.work import back_to, refused
from internships.work_forms import (
    ApprovePlanForm,
    FinalAssessmentForm,
    PlanChangesForm,
    PlanForm,
    PlanStepFormSet,
)


def current_plan(internship: Internship) -> ImplementationPlan | None:
    return ImplementationPlan.objects.filter(internship=internship).first()


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, _ = internship_for(request.user, pk)
    plan = current_plan(internship)
    instance = plan or ImplementationPlan(internship=internship)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, instance=instance)
    steps = PlanStepFormSet(data, instance=instance, prefix="steps", internship=internship)
    try:
        services.check_writing(internship=internship, intern=request.user, plan=plan)
    except InternshipError as error:
        if data is None:
            messages.error(request, str(error))
            return back_to(internship, "plan")
        # It changed while the intern typed (submitted from another tab, the internship cancelled):
        # say so above the plan as typed, so nothing is lost.
        form.add_error(None, str(error))
    else:
        if data is not None and form.is_valid() and steps.is_valid():
            try:
                services.save_plan(
                    internship=internship,
                    intern=request.user,
                    summary=form.cleaned_data["summary"],
                    steps=steps.steps(),
                )
            except InternshipError as error:
                form.add_error(None, str(error))
            else:
                return saved(request, internship, submit=request.POST.get("then") == "submit")
    return render(
        request,
        "internships/plan_form.html",
        {"internship": internship, "plan": plan, "form": form, "steps": steps},
    )


def saved(request: AuthenticatedHttpRequest, internship: Internship, *, submit: bool) -> HttpResponse:
    """After saving: submit too if asked; a plan that cannot be submitted yet stays a saved draft."""
    if not submit:
        messages.success(request, "Plan saved. Submit it for approval when it is ready.")
        return back_to(internship, "plan")
    try:
        services.submit_plan(internship=internship, intern=request.user)
    except InternshipError as error:
        messages.warning(request, f"Plan saved, not submitted: {error}")
        return back_to(internship, "plan")
    messages.success(request, f"Plan submitted: {internship.learner} is asked to approve it.")
    return back_to(internship, "plan")


@login_required
@require_http_methods(["POST"])
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, _ = internship_for(request.user, pk)
    try:
        services.submit_plan(internship=internship, intern=request.user)
    except InternshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Plan submitted: {internship.learner} is asked to approve it.")
    return back_to(internship, "plan")


@login_required
@require_http_methods(["POST"])
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    form = ApprovePlanForm(request.POST)
    try:
        services.check_deciding(internship=internship, person=request.user, plan=current_plan(internship))
    except InternshipError as error:
        return refused(request, internship, roles, error, approve_form=form)
    if not form.is_valid():
        return internship_page(request, internship, roles, approve_form=form)
    try:
        services.approve_plan(internship=internship, approver=request.user, note=form.cleaned_data["note"])
    except InternshipError as error:
        return refused(request, internship, roles, error, approve_form=form)
    messages.success(
        request, "Plan approved: the internship is completed. The intern and the mentor are told."
    )
    return back_to(internship, "timeline")


@login_required
@require_http_methods(["POST"])
def request_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    form = PlanChangesForm(request.POST)
    try:
        services.check_deciding(internship=internship, person=request.user, plan=current_plan(internship))
    except InternshipError as error:
        return refused(request, internship, roles, error, changes_form=form)
    if not form.is_valid():
        return internship_page(request, internship, roles, changes_form=form)
    try:
        services.request_plan_changes(
            internship=internship, approver=request.user, feedback=form.cleaned_data["feedback"]
        )
    except InternshipError as error:
        return refused(request, internship, roles, error, changes_form=form)
    messages.success(request, "Changes asked for: the intern is told, revises the plan and submits it again.")
    return back_to(internship, "plan")


@login_required
@require_http_methods(["POST"])
def final_assessment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    form = FinalAssessmentForm(request.POST)
    try:
        services.check_assessing(internship=internship, mentor=request.user)
    except InternshipError as error:
        return refused(request, internship, roles, error, assessment_form=form)
    if not form.is_valid():
        return internship_page(request, internship, roles, assessment_form=form)
    try:
        services.write_final_assessment(
            internship=internship, mentor=request.user, assessment=form.cleaned_data["assessment"]
        )
    except InternshipError as error:
        return refused(request, internship, roles, error, assessment_form=form)
    messages.success(request, "Final assessment saved.")
    return back_to(internship, "assessment")
