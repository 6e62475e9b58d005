"""The internship's tasks: the mentor assigns one, the intern marks it done, the mentor reviews it.

The forms live on the internship page: each action posts here and goes back to
it. Wrong input, or a step no longer possible (someone else was quicker, the
internship changed state), re-renders the page with what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from internships.access import InternshipRoles, internship_for
from internships.models import Internship, Task
from internships.services import work as services
from internships.services.requests import InternshipError
from internships.views.internship import internship_page
from internships.work_forms import TaskDoneForm, TaskForm, TaskReviewForm


def back_to(internship: Internship, anchor: str) -> HttpResponse:
    return redirect(reverse("internships:detail", kwargs={"pk": internship.pk}) + f"#{anchor}")


def refused(
    request: AuthenticatedHttpRequest,
    internship: Internship,
    roles: InternshipRoles,
    error: InternshipError,
    **kept: Any,
) -> HttpResponse:
    """Say why the step cannot be taken, on the internship's page, with the form as it was typed."""
    messages.error(request, str(error))
    return internship_page(request, internship, roles, **kept)


@login_required
@require_http_methods(["POST"])
def task_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    form = TaskForm(request.POST, internship=internship)
    try:
        services.check_assigning(internship=internship, mentor=request.user)
    except InternshipError as error:
        return refused(request, internship, roles, error, task_form=form)
    if not form.is_valid():
        return internship_page(request, internship, roles, task_form=form)
    try:
        task = services.assign_task(
            internship=internship,
            mentor=request.user,
            title=form.cleaned_data["title"],
            good_looks_like=form.cleaned_data["good_looks_like"],
            due=form.cleaned_data["due"],
        )
    except InternshipError as error:
        return refused(request, internship, roles, error, task_form=form)
    messages.success(request, f"Task assigned: “{task.title}”. The intern is told by email.")
    return back_to(internship, f"task-{task.pk}")


@login_required
@require_http_methods(["POST"])
def task_done(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    task = get_object_or_404(Task, pk=task_pk, internship=internship)
    form = TaskDoneForm(request.POST, task=task)
    try:
        services.check_marking_done(internship=internship, task=task, intern=request.user)
    except InternshipError as error:
        return refused(request, internship, roles, error, task_forms={task.pk: form})
    if not form.is_valid():
        return internship_page(request, internship, roles, task_forms={task.pk: form})
    try:
        services.mark_task_done(
            internship=internship, task_id=task.pk, intern=request.user, note=form.cleaned_data["note"]
        )
    except InternshipError as error:
        return refused(request, internship, roles, error, task_forms={task.pk: form})
    messages.success(request, f"“{task.title}” is marked done; your mentor is asked to review it.")
    return back_to(internship, f"task-{task.pk}")


@login_required
@require_http_methods(["POST"])
def task_review(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    task = get_object_or_404(Task, pk=task_pk, internship=internship)
    form = TaskReviewForm(request.POST, task=task)
    try:
        services.check_reviewing(internship=internship, task=task, mentor=request.user)
    except InternshipError as error:
        return refused(request, internship, roles, error, task_forms={task.pk: form})
    if not form.is_valid():
        return internship_page(request, internship, roles, task_forms={task.pk: form})
    try:
        services.review_task(
            internship=internship,
            task_id=task.pk,
            mentor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except InternshipError as error:
        return refused(request, internship, roles, error, task_forms={task.pk: form})
    messages.success(request, f"Review saved for “{task.title}”; the intern is told by email.")
    return back_to(internship, f"task-{task.pk}")
