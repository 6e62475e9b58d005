"""Completion: the intern's transition and implementation plan, its approval by the sending business
(which completes the internship), and the mentor's final assessment.

The internship completes only here, when an owner or manager of the sending
business approves a submitted plan: no approved plan, no completion."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from businesses.models import Membership
from internships.models import ImplementationPlan, Internship, InternshipEvent, Objective, PlanStep
from internships.services.requests import InternshipError
from internships.services.work import (
    day,
    email_people,
    lock_internship,
    managers_of,
    page_url,
)

# The mentor may write the final assessment in the last days or after completion.
ASSESSING = (Internship.Status.ACTIVE, Internship.Status.COMPLETED, Internship.Status.FOLLOWED_UP)


@dataclass(frozen=True)
class Step:
    """One step of the plan: what is done, by whom, by when, and the KPI it moves."""

    action: str
    owner: str
    due: datetime.date
    kpi: str
    objective_id: int | None = None


def _record(internship: Internship, *, action: str, actor: User, note: str = "") -> InternshipEvent:
    return InternshipEvent.objects.create(
        internship=internship, action=action, status=internship.status, actor=actor, note=note
    )


# The checks: who may act (else PermissionDenied, a 403) and what must hold (else InternshipError).
# The services run them on the locked rows; the views run them first (see services.work).


def check_writing(*, internship: Internship, intern: User, plan: ImplementationPlan | None) -> None:
    """The intern writes the plan while the internship is active, until it is submitted."""
    if internship.intern_id != intern.pk:
        raise PermissionDenied("Only the intern writes the implementation plan.")
    if internship.status != Internship.Status.ACTIVE:
        raise InternshipError(
            "The plan is written while the internship is active; "
            f"this one is {internship.get_status_display().lower()}."
        )
    if plan is None:
        return
    # A submitted plan waits for the sending business; an approved one is final.
    if plan.status == ImplementationPlan.Status.SUBMITTED:
        raise InternshipError(
            f"The plan is waiting for {internship.learner}'s approval: it can change again "
            "if they ask for changes."
        )
    if plan.status == ImplementationPlan.Status.APPROVED:
        raise InternshipError(f"The plan was approved on {day(plan.approved_at)}: it can no longer change.")


def check_deciding(
    *, internship: Internship, person: User, plan: ImplementationPlan | None
) -> ImplementationPlan:
    """An owner or manager of the sending business decides on a submitted plan of an active internship."""
    manages_learner = Membership.objects.filter(
        business_id=internship.learner_id,
        user=person,
        role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
    ).exists()
    if not manages_learner:
        raise PermissionDenied("Only the sending business's owners and managers decide on the plan.")
    if internship.status != Internship.Status.ACTIVE:
        raise InternshipError(
            f"The internship is {internship.get_status_display().lower()}: its plan can no longer be decided."
        )
    if plan is not None and plan.status == ImplementationPlan.Status.CHANGES_REQUESTED:
        raise InternshipError(
            "Changes were asked for already: the intern submits the plan again once it is revised."
        )
    if plan is None or plan.status != ImplementationPlan.Status.SUBMITTED:
        raise InternshipError(
            "There is no submitted plan to decide on: the intern writes it and submits it first."
        )
    return plan


def check_assessing(*, internship: Internship, mentor: User) -> None:
    if internship.mentor_id != mentor.pk:
        raise PermissionDenied("Only the internship's mentor writes the final assessment.")
    if internship.status not in ASSESSING:
        raise InternshipError(
            "The final assessment is written once the internship is under way; "
            f"this one is {internship.get_status_display().lower()}."
        )


def _locked_plan(internship: Internship) -> ImplementationPlan | None:
    return ImplementationPlan.objects.select_for_update().filter(internship=internship).first()


def save_plan(
    *, internship: Internship, intern: User, summary: str, steps: Sequence[Step]
) -> ImplementationPlan:
    """Write the intern's plan (a draft, or one sent back for changes); the steps replace the old ones."""
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        plan = _locked_plan(locked)
        check_writing(internship=locked, intern=intern, plan=plan)
        if plan is None:
            plan = ImplementationPlan.objects.create(internship=locked)
        objectives = set(Objective.objects.filter(internship=locked).values_list("pk", flat=True))
        if any(step.objective_id is not None and step.objective_id not in objectives for step in steps):
            raise InternshipError("A step can only move one of this internship's objectives.")
        plan.summary = summary.strip()
        plan.save(update_fields=["summary"])
        plan.steps.all().delete()
        PlanStep.objects.bulk_create(
            PlanStep(
                plan=plan,
                action=step.action.strip(),
                owner=step.owner.strip(),
                due=step.due,
                kpi=step.kpi.strip(),
                objective_id=step.objective_id,
                position=position,
            )
            for position, step in enumerate(steps)
        )
    return plan


def submit_plan(*, internship: Internship, intern: User) -> ImplementationPlan:
    """Send the plan to the sending business's owners and managers for approval."""
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        plan = _locked_plan(locked)
        check_writing(internship=locked, intern=intern, plan=plan)
        if plan is None or not plan.steps.exists():
            raise InternshipError("Add at least one step to the plan before you submit it.")
        plan.status = ImplementationPlan.Status.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["status", "submitted_at"])
        event = _record(locked, action="plan submitted", actor=intern)
        email_people(
            managers_of(locked.learner_id),
            internship=locked,
            name="plan_submitted",
            key=str(event.pk),
            context={"plan": plan, "intern": intern, "url": page_url(locked, "plan")},
            actor=intern,
        )
    return plan


def approve_plan(*, internship: Internship, approver: User, note: str = "") -> ImplementationPlan:
    """Approve the submitted plan: the internship is completed, and the intern and mentor are told."""
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        plan = check_deciding(internship=locked, person=approver, plan=_locked_plan(locked))
        now = timezone.now()
        plan.status = ImplementationPlan.Status.APPROVED
        plan.approved_at = now
        plan.approved_by = approver
        plan.save(update_fields=["status", "approved_at", "approved_by"])
        locked.status = Internship.Status.COMPLETED
        locked.save(update_fields=["status", "updated_at"])
        event = _record(locked, action="completed", actor=approver, note=note.strip() or "Plan approved.")
        email_people(
            [locked.intern, locked.mentor, *managers_of(locked.learner_id)],
            internship=locked,
            name="plan_approved",
            key=str(event.pk),
            context={"plan": plan, "approver": approver, "note": note.strip(), "url": page_url(locked)},
            actor=approver,
        )
    return plan


def request_plan_changes(*, internship: Internship, approver: User, feedback: str) -> ImplementationPlan:
    """Send the plan back to the intern with what to change; they edit it and submit it again."""
    feedback = feedback.strip()
    if not feedback:
        raise InternshipError("Say what should change: your feedback is required.")
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        plan = check_deciding(internship=locked, person=approver, plan=_locked_plan(locked))
        plan.status = ImplementationPlan.Status.CHANGES_REQUESTED
        plan.feedback = feedback
        plan.save(update_fields=["status", "feedback"])
        event = _record(locked, action="plan changes requested", actor=approver, note=feedback)
        email_people(
            [locked.intern],
            internship=locked,
            name="plan_changes_requested",
            key=str(event.pk),
            context={
                "plan": plan,
                "approver": approver,
                "feedback": feedback,
                "url": page_url(locked, "plan"),
            },
            actor=approver,
        )
    return plan


def write_final_assessment(*, internship: Internship, mentor: User, assessment: str) -> Internship:
    """The mentor's closing word on the intern's work, from the last days on; it may be revised."""
    assessment = assessment.strip()
    if not assessment:
        raise InternshipError("Write your assessment: it cannot be empty.")
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        check_assessing(internship=locked, mentor=mentor)
        first = not locked.final_assessment
        locked.final_assessment = assessment
        locked.final_assessed_at = timezone.now()
        locked.save(update_fields=["final_assessment", "final_assessed_at", "updated_at"])
        _record(
            locked, action="final assessment written" if first else "final assessment revised", actor=mentor
        )
    return locked
