"""Completion: the intern writes the implementation plan (steps with action, owner, due date and the KPI it
moves) while the internship is active and submits it; the sending business's owner or manager approves it —
which completes the internship, the only way it completes — or asks for changes, and the intern revises and
submits again. The mentor writes a final assessment."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from businesses.models import Business, Membership, Practice
from internships.models import ImplementationPlan, Internship, InternshipEvent, Objective, PlanStep
from internships.services.plans import (
    Step,
    approve_plan,
    request_plan_changes,
    save_plan,
    submit_plan,
    write_final_assessment,
)
from internships.services.requests import InternshipError
from tests.factories import (
    ImplementationPlanFactory,
    InternshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    PlanStepFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 13)


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
):
    return InternshipFactory.create(
        match__need__business=business,
        match__need__practice=lead_generation,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.ACTIVE,
    )


@pytest.fixture
def objective(internship: Internship) -> Objective:
    return ObjectiveFactory.create(
        internship=internship, metric="organic leads per month", baseline=5, target=15
    )


@pytest.fixture
def submitted(internship: Internship) -> ImplementationPlan:
    plan = ImplementationPlanFactory.create(internship=internship, status=ImplementationPlan.Status.SUBMITTED)
    PlanStepFactory.create(plan=plan)
    return plan


def stranger() -> Any:
    return MembershipFactory.create(role=Membership.Role.OWNER).user


def url(name: str, internship: Internship) -> str:
    return reverse(f"internships:{name}", args=[internship.pk])


def plan_data(*steps: dict[str, str], summary: str = "Two articles a month, one landing page.", **extra: str):
    """The plan form's POST: the summary, then the formset's management form and rows."""
    data = {
        "summary": summary,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for index, step in enumerate(steps):
        for name, value in step.items():
            data[f"steps-{index}-{name}"] = value
    return data


STEP = {
    "action": "Publish a long-form article every fortnight",
    "owner": "Neha",
    "due": "2026-04-15",
    "kpi": "organic leads per month",
    "objective": "",
}


# Writing the plan.


def test_the_intern_opens_the_plan_form(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    response = client.get(url("plan", internship))
    assert response.status_code == 200
    html = html_of(response)
    assert "Your implementation plan" in html and 'name="steps-0-kpi"' in html


def test_the_intern_saves_a_draft_with_steps_linked_to_an_objective(
    client: Client, internship: Internship, member: Any, objective: Objective
) -> None:
    client.force_login(member)
    second = {**STEP, "action": "Add a lead form to the pricing page", "objective": str(objective.pk)}
    response = client.post(url("plan", internship), plan_data(STEP, second, then="draft"))
    assert response.status_code == 302
    assert response["Location"] == internship.get_absolute_url() + "#plan"
    plan = ImplementationPlan.objects.get(internship=internship)
    assert plan.status == ImplementationPlan.Status.DRAFT
    assert plan.summary == "Two articles a month, one landing page."
    steps = list(plan.steps.all())
    assert [step.action for step in steps] == [STEP["action"], "Add a lead form to the pricing page"]
    assert steps[1].objective == objective and steps[0].objective is None
    assert steps[0].due == date(2026, 4, 15) and steps[0].kpi == "organic leads per month"


def test_saving_again_replaces_the_steps(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    client.post(url("plan", internship), plan_data(STEP, {**STEP, "action": "Second"}, then="draft"))
    client.post(url("plan", internship), plan_data({**STEP, "action": "Only one now"}, then="draft"))
    assert list(PlanStep.objects.values_list("action", flat=True)) == ["Only one now"]


def test_a_bad_step_is_marked_and_everything_typed_is_kept(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    bad = {**STEP, "kpi": "", "due": "2026-02-01"}
    response = client.post(url("plan", internship), plan_data(bad, then="submit"))
    assert response.status_code == 200
    html = html_of(response)
    assert "The plan is not saved yet" in html
    assert "Name the KPI this step moves." in html
    assert "A step is due after the internship starts (2 Mar 2026)." in html
    assert STEP["action"] in html and "Two articles a month" in html
    assert not ImplementationPlan.objects.exists()


def test_an_objective_of_another_internship_is_refused(
    client: Client, internship: Internship, member: Any
) -> None:
    foreign = ObjectiveFactory.create()
    client.force_login(member)
    response = client.post(url("plan", internship), plan_data({**STEP, "objective": str(foreign.pk)}))
    assert response.status_code == 200
    assert not PlanStep.objects.exists()
    with pytest.raises(InternshipError, match="this internship's objectives"):
        save_plan(
            internship=internship,
            intern=member,
            summary="",
            steps=[Step(action="A", owner="B", due=END, kpi="K", objective_id=foreign.pk)],
        )


def test_save_and_submit_sends_the_plan_to_the_sending_owners_and_managers(
    client: Client,
    internship: Internship,
    member: Any,
    owner: Any,
    manager: Any,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("plan", internship), plan_data(STEP, then="submit"), follow=True)
    assert "Plan submitted: On-Demand Staffing is asked to approve it." in html_of(response)
    plan = ImplementationPlan.objects.get(internship=internship)
    assert plan.status == ImplementationPlan.Status.SUBMITTED and plan.submitted_at is not None
    assert sorted(message.to[0] for message in mailoutbox) == sorted([owner.email, manager.email])
    assert mailoutbox[0].subject.startswith("To approve: Neha's implementation plan")
    event = InternshipEvent.objects.get(internship=internship)
    assert (event.action, event.actor) == ("plan submitted", member)


def test_a_plan_without_steps_cannot_be_submitted(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    response = client.post(url("plan", internship), plan_data(then="submit"), follow=True)
    assert "Plan saved, not submitted: Add at least one step to the plan before you submit it." in html_of(
        response
    )
    assert ImplementationPlan.objects.get(internship=internship).status == ImplementationPlan.Status.DRAFT
    response = client.post(url("plan_submit", internship), follow=True)
    assert "Add at least one step" in html_of(response)


def test_the_submit_button_submits_a_saved_draft(
    client: Client, internship: Internship, member: Any, owner: Any
) -> None:
    plan = ImplementationPlanFactory.create(internship=internship)
    PlanStepFactory.create(plan=plan)
    client.force_login(member)
    assert reverse("internships:plan_submit", args=[internship.pk]) in html_of(
        client.get(internship.get_absolute_url())
    )
    response = client.post(url("plan_submit", internship))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ImplementationPlan.Status.SUBMITTED


@pytest.mark.parametrize("status", ["requested", "scheduled", "completed", "cancelled"])
def test_the_plan_is_written_only_while_the_internship_is_active(
    client: Client, internship: Internship, member: Any, status: str
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Budget cut")
    client.force_login(member)
    response = client.get(url("plan", internship), follow=True)
    assert "The plan is written while the internship is active" in html_of(response)
    response = client.post(url("plan", internship), plan_data(STEP))
    assert response.status_code == 200
    html = html_of(response)
    assert "The plan is written while the internship is active" in html
    assert STEP["action"] in html and "Two articles a month" in html  # what was typed is kept
    assert not ImplementationPlan.objects.exists()


def test_a_submitted_plan_cannot_be_edited_until_changes_are_asked(
    client: Client, internship: Internship, member: Any, submitted: ImplementationPlan
) -> None:
    client.force_login(member)
    response = client.post(url("plan", internship), plan_data({**STEP, "action": "Sneaky"}), follow=True)
    assert "The plan is waiting for On-Demand Staffing&#x27;s approval" in html_of(response)
    assert not PlanStep.objects.filter(action="Sneaky").exists()


@pytest.mark.parametrize("persona", ["mentor", "owner", "host_owner", "moderator"])
def test_only_the_intern_writes_and_submits_the_plan(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("plan", internship)).status_code == 403
    assert client.post(url("plan", internship), plan_data(STEP)).status_code == 403
    assert client.post(url("plan_submit", internship)).status_code == 403
    assert not ImplementationPlan.objects.exists()


def test_the_plan_pages_are_404_for_outsiders_and_ask_anonymous_visitors_to_log_in(
    client: Client, internship: Internship
) -> None:
    for name in ("plan", "plan_submit", "plan_approve", "plan_changes", "final_assessment"):
        assert_asks_to_log_in(client.post(url(name, internship)))
    client.force_login(stranger())
    for name in ("plan", "plan_submit", "plan_approve", "plan_changes", "final_assessment"):
        assert client.post(url(name, internship)).status_code == 404


def test_the_plan_actions_reject_the_wrong_method(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    assert client.delete(url("plan", internship)).status_code == 405
    for name in ("plan_submit", "plan_approve", "plan_changes", "final_assessment"):
        assert client.get(url(name, internship)).status_code == 405


# Approving: the internship completes.


@pytest.mark.parametrize("approver", ["owner", "manager"])
def test_the_sending_owner_or_manager_approves_and_the_internship_completes(
    client: Client,
    internship: Internship,
    submitted: ImplementationPlan,
    approver: str,
    request: pytest.FixtureRequest,
    owner: Any,
    manager: Any,
    member: Any,
    mentor: Any,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    person = request.getfixturevalue(approver)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("plan_approve", internship), {"approve-note": "Start with the blog."})
    assert response.status_code == 302
    internship.refresh_from_db()
    submitted.refresh_from_db()
    assert internship.status == Internship.Status.COMPLETED
    assert submitted.status == ImplementationPlan.Status.APPROVED
    assert (submitted.approved_by, submitted.approved_at is not None) == (person, True)
    event = InternshipEvent.objects.get(internship=internship)
    assert (event.action, event.status, event.actor, event.note) == (
        "completed",
        "completed",
        person,
        "Start with the blog.",
    )
    # The intern, the mentor and the sending business's other owner or manager: not the approver.
    other = manager if person == owner else owner
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [member.email, mentor.email, other.email]
    )
    assert all(message.subject.startswith("Completed:") for message in mailoutbox)


def test_the_timeline_on_the_page_shows_who_completed_it(
    client: Client, internship: Internship, submitted: ImplementationPlan, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(url("plan_approve", internship), {"approve-note": ""}, follow=True)
    html = html_of(response)
    assert "Plan approved: the internship is completed." in html
    timeline = html[html.index('id="timeline"') :]
    assert "Completed</strong>" in timeline and "by Afreen" in timeline and "Plan approved." in timeline


def test_an_internship_cannot_complete_without_a_submitted_plan(
    client: Client, internship: Internship, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(url("plan_approve", internship), {"approve-note": "Well done"})
    assert response.status_code == 200
    assert "There is no submitted plan to decide on" in html_of(response)
    assert "Well done" in html_of(response)
    plan = ImplementationPlanFactory.create(internship=internship)  # a draft
    PlanStepFactory.create(plan=plan)
    with pytest.raises(InternshipError, match="no submitted plan"):
        approve_plan(internship=internship, approver=owner)
    internship.refresh_from_db()
    assert internship.status == Internship.Status.ACTIVE


def test_approving_twice_says_it_is_completed_already(
    internship: Internship, submitted: ImplementationPlan, owner: Any, manager: Any
) -> None:
    approve_plan(internship=internship, approver=owner)
    with pytest.raises(InternshipError, match="completed: its plan can no longer be decided"):
        approve_plan(internship=internship, approver=manager)
    assert InternshipEvent.objects.filter(action="completed").count() == 1


@pytest.mark.parametrize("persona", ["member", "mentor", "host_owner", "moderator"])
def test_only_the_sending_business_decides_on_the_plan(
    client: Client,
    internship: Internship,
    submitted: ImplementationPlan,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("plan_approve", internship), {}).status_code == 403
    assert client.post(url("plan_changes", internship), {"changes-feedback": "More"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ImplementationPlan.Status.SUBMITTED


def test_a_too_long_approval_note_is_shown_back_with_the_plan(
    client: Client, internship: Internship, submitted: ImplementationPlan, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(url("plan_approve", internship), {"approve-note": "x" * 3001})
    assert response.status_code == 200
    assert "Keep it to 3000 characters or fewer" in html_of(response)
    internship.refresh_from_db()
    assert internship.status == Internship.Status.ACTIVE


# Asking for changes.


def test_asking_for_changes_needs_feedback_and_keeps_the_plan_submitted(
    client: Client, internship: Internship, submitted: ImplementationPlan, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(url("plan_changes", internship), {"changes-feedback": "  "})
    assert response.status_code == 200
    assert "Say what should change: your feedback is required." in html_of(response)
    submitted.refresh_from_db()
    assert submitted.status == ImplementationPlan.Status.SUBMITTED


def test_changes_go_back_to_the_intern_who_revises_and_submits_again(
    client: Client,
    internship: Internship,
    submitted: ImplementationPlan,
    owner: Any,
    member: Any,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("plan_changes", internship), {"changes-feedback": "Give each step a number to hit."})
    submitted.refresh_from_db()
    assert submitted.status == ImplementationPlan.Status.CHANGES_REQUESTED
    assert submitted.feedback == "Give each step a number to hit."
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "Give each step a number to hit." in mailoutbox[0].body
    event = InternshipEvent.objects.get(internship=internship)
    assert (event.action, event.actor, event.note) == ("plan changes requested", owner, submitted.feedback)

    client.force_login(member)
    html = html_of(client.get(url("plan", internship)))
    assert "Give each step a number to hit." in html  # the intern sees what to change
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("plan", internship), plan_data({**STEP, "kpi": "leads: 5 → 15"}, then="submit"))
    submitted.refresh_from_db()
    assert submitted.status == ImplementationPlan.Status.SUBMITTED
    assert len(mailoutbox) == 2 and mailoutbox[1].to == [owner.email]  # submitted again: told again
    with pytest.raises(InternshipError, match="waiting for On-Demand Staffing's approval"):
        submit_plan(internship=internship, intern=member)  # already submitted
    request_plan_changes(internship=internship, approver=owner, feedback="Still vague")
    with pytest.raises(InternshipError, match="Changes were asked for already"):
        request_plan_changes(internship=internship, approver=owner, feedback="Again")


def test_the_services_refuse_the_wrong_person(
    internship: Internship, submitted: ImplementationPlan, mentor: Any, member: Any
) -> None:
    with pytest.raises(PermissionDenied):
        save_plan(internship=internship, intern=mentor, summary="", steps=[])
    with pytest.raises(PermissionDenied):
        approve_plan(internship=internship, approver=member)
    with pytest.raises(PermissionDenied):
        request_plan_changes(internship=internship, approver=mentor, feedback="No")
    with pytest.raises(PermissionDenied):
        write_final_assessment(internship=internship, mentor=member, assessment="Self-praise")


# The mentor's final assessment.


def test_the_mentor_writes_the_final_assessment_and_may_revise_it(
    client: Client, internship: Internship, mentor: Any
) -> None:
    client.force_login(mentor)
    response = client.post(url("final_assessment", internship), {"assessment-assessment": "Quick learner."})
    assert response.status_code == 302
    internship.refresh_from_db()
    assert internship.final_assessment == "Quick learner." and internship.final_assessed_at is not None
    client.post(
        url("final_assessment", internship), {"assessment-assessment": "Quick learner; great drafts."}
    )
    internship.refresh_from_db()
    assert internship.final_assessment == "Quick learner; great drafts."
    assert list(InternshipEvent.objects.values_list("action", flat=True)) == [
        "final assessment written",
        "final assessment revised",
    ]
    assert "Quick learner; great drafts." in html_of(client.get(internship.get_absolute_url()))


def test_the_assessment_can_be_written_after_completion(
    internship: Internship, submitted: ImplementationPlan, owner: Any, mentor: Any
) -> None:
    approve_plan(internship=internship, approver=owner)
    write_final_assessment(internship=internship, mentor=mentor, assessment="Ready to lead the blog.")
    internship.refresh_from_db()
    assert internship.final_assessment == "Ready to lead the blog."


def test_an_empty_assessment_is_refused(client: Client, internship: Internship, mentor: Any) -> None:
    client.force_login(mentor)
    response = client.post(url("final_assessment", internship), {"assessment-assessment": ""})
    assert response.status_code == 200
    assert "Write your assessment: it cannot be empty." in html_of(response)


def test_no_assessment_before_the_internship_is_under_way(
    client: Client, internship: Internship, mentor: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.SCHEDULED)
    client.force_login(mentor)
    response = client.post(
        url("final_assessment", internship), {"assessment-assessment": "Early"}, follow=True
    )
    assert "The final assessment is written once the internship is under way" in html_of(response)
    internship.refresh_from_db()
    assert internship.final_assessment == ""


@pytest.mark.parametrize("persona", ["member", "owner", "host_owner", "moderator"])
def test_only_the_mentor_writes_the_assessment(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.post(url("final_assessment", internship), {"assessment-assessment": "Fine"})
    assert response.status_code == 403
