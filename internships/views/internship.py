"""A person's internships, and the internship page: objectives, week plan, tasks and reviews, the plan,
the mentor's final assessment and the timeline, with each person's next step."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from businesses.models import Membership
from internships.access import InternshipRoles, internship_for
from internships.models import ImplementationPlan, Internship, Task
from internships.selectors.internships import (
    internships_of,
    managed_business_ids,
    plan_of,
    tasks_of,
    timeline,
    week_plan,
)
from internships.services.plans import ASSESSING
from internships.services.work import REVIEWING, WORKING
from internships.work_forms import (
    ApprovePlanForm,
    FinalAssessmentForm,
    PlanChangesForm,
    TaskDoneForm,
    TaskForm,
    TaskReviewForm,
)

PER_PAGE = 25


@login_required
@require_http_methods(["GET"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    managed = managed_business_ids(request.user)
    internships = internships_of(request.user, business_ids=managed)
    business = None
    # Only a slug can name a business: anything else (a NUL byte would make PostgreSQL fail) is ignored.
    if (slug := request.GET.get("business", "")) and slug_re.fullmatch(slug):
        membership = (
            Membership.objects.filter(user=request.user, business__slug=slug, business_id__in=managed)
            .select_related("business")
            .first()
        )
        if membership is not None:
            business = membership.business
            internships = internships.filter(Q(learner=business) | Q(host=business))
    page = Paginator(internships, PER_PAGE).get_page(request.GET.get("page"))
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    rows = [(internship, parts_of(request.user, internship, managed)) for internship in page]
    return render(
        request,
        "internships/internship_index.html",
        {"page": page, "page_numbers": page_numbers, "rows": rows, "business": business},
    )


def parts_of(user: User, internship: Internship, managed: set[int]) -> list[str]:
    """The user's parts in one internship, in words, for the list."""
    parts = []
    if internship.intern_id == user.pk:
        parts.append("Intern")
    if internship.mentor_id == user.pk:
        parts.append("Mentor")
    if internship.learner_id in managed:
        parts.append(f"Sending: {internship.learner.name}")
    if internship.host_id in managed:
        parts.append(f"Hosting: {internship.host.name}")
    return parts


@dataclass(frozen=True)
class Actions:
    """What the viewer may do on the page now; the services check again when they act."""

    assign: bool
    work: bool
    review: bool
    write_plan: bool
    submit_plan: bool
    decide_plan: bool
    assess: bool
    calendar: bool


def actions_for(internship: Internship, roles: InternshipRoles, plan: ImplementationPlan | None) -> Actions:
    status = internship.status
    plan_open = plan is None or plan.status in (
        ImplementationPlan.Status.DRAFT,
        ImplementationPlan.Status.CHANGES_REQUESTED,
    )
    write_plan = roles.intern and status == Internship.Status.ACTIVE and plan_open
    return Actions(
        assign=roles.mentor and status in WORKING,
        work=roles.intern and status in WORKING,
        review=roles.mentor and status in REVIEWING,
        write_plan=write_plan,
        submit_plan=write_plan and plan is not None and bool(plan.steps.all()),
        decide_plan=(
            roles.learner_manager
            and status == Internship.Status.ACTIVE
            and plan is not None
            and plan.status == ImplementationPlan.Status.SUBMITTED
        ),
        assess=roles.mentor and status in ASSESSING,
        calendar=roles.intern or roles.mentor or roles.learner_manager or roles.host_manager,
    )


@dataclass(frozen=True)
class TaskRow:
    task: Task
    done_form: TaskDoneForm | None
    review_form: TaskReviewForm | None


def internship_page(
    request: AuthenticatedHttpRequest,
    internship: Internship,
    roles: InternshipRoles,
    *,
    task_form: TaskForm | None = None,
    task_forms: dict[int, TaskDoneForm | TaskReviewForm] | None = None,
    approve_form: ApprovePlanForm | None = None,
    changes_form: PlanChangesForm | None = None,
    assessment_form: FinalAssessmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The internship page with the forms the viewer may use now.

    An action whose input was wrong, or that is no longer possible, passes its bound form: the page
    shows it again with everything typed, whatever the state (status 200)."""
    tasks = tasks_of(internship)
    plan = plan_of(internship)
    can = actions_for(internship, roles, plan)
    bound = task_forms or {}
    rows = []
    for task in tasks:
        done_form = review_form = None
        kept = bound.get(task.pk)
        if isinstance(kept, TaskDoneForm):
            done_form = kept
        elif can.work and task.status == Task.Status.ASSIGNED:
            done_form = TaskDoneForm(task=task)
        if isinstance(kept, TaskReviewForm):
            review_form = kept
        elif can.review and task.status == Task.Status.DONE:
            review_form = TaskReviewForm(task=task)
        rows.append(TaskRow(task=task, done_form=done_form, review_form=review_form))
    if can.decide_plan:
        approve_form = approve_form or ApprovePlanForm()
        changes_form = changes_form or PlanChangesForm()
    if can.assess:
        assessment_form = assessment_form or FinalAssessmentForm(
            initial={"assessment": internship.final_assessment}
        )
    context = {
        "internship": internship,
        "roles": roles,
        "can": can,
        "objectives": list(internship.objectives.all()),
        "weeks": week_plan(internship, tasks),
        "task_rows": rows,
        "plan": plan,
        "events": timeline(internship),
        "task_form": task_form or (TaskForm(internship=internship) if can.assign else None),
        "approve_form": approve_form,
        "changes_form": changes_form,
        "assessment_form": assessment_form,
    }
    return render(request, "internships/internship_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    internship, roles = internship_for(request.user, pk)
    return internship_page(request, internship, roles)
