"""Tasks during the internship: the mentor assigns them (title, what good looks like, a due date inside the
internship), the intern marks them done with a note, the mentor reviews them (rating 1–5, comment).
Each step emails the other person after commit; the wrong person gets 403, the wrong state a clear message
and nothing changes, an outsider 404."""

import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from businesses.models import Business, Membership, Practice
from internships.models import Internship, Task
from internships.services.requests import InternshipError
from internships.services.work import assign_task, mark_task_done, review_task
from notifications.models import Notification
from tests.factories import InternshipFactory, MembershipFactory, TaskFactory
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
def task(internship: Internship) -> Task:
    return TaskFactory.create(internship=internship, title="Outline a blog article", due=date(2026, 3, 4))


@pytest.fixture
def done_task(internship: Internship) -> Task:
    return TaskFactory.create(
        internship=internship,
        title="Draft the landing page",
        status=Task.Status.DONE,
        done_note="In the shared folder.",
        done_at=timezone.now(),
    )


def stranger() -> Any:
    return MembershipFactory.create(role=Membership.Role.OWNER).user


def create_url(internship: Internship) -> str:
    return reverse("internships:task_create", args=[internship.pk])


def done_url(task: Task) -> str:
    return reverse("internships:task_done", args=[task.internship_id, task.pk])


def review_url(task: Task) -> str:
    return reverse("internships:task_review", args=[task.internship_id, task.pk])


NEW_TASK = {
    "task-title": "Write three headlines",
    "task-good_looks_like": "Each under 60 characters, each promising one benefit.",
    "task-due": "2026-03-05",
}


# Assigning.


def test_the_mentor_assigns_a_task_and_the_intern_is_told(
    client: Client,
    internship: Internship,
    mentor: Any,
    member: Any,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(internship), NEW_TASK)
    task = Task.objects.get(internship=internship)
    assert response.status_code == 302
    assert response["Location"] == internship.get_absolute_url() + f"#task-{task.pk}"
    assert (task.title, task.due, task.status) == (
        "Write three headlines",
        date(2026, 3, 5),
        Task.Status.ASSIGNED,
    )
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "Write three headlines" in mailoutbox[0].subject
    assert "http://testserver" + internship.get_absolute_url() in mailoutbox[0].body
    assert "Each under 60 characters" in mailoutbox[0].alternatives[0][0]


def test_a_due_date_outside_the_internship_is_refused_and_everything_typed_is_kept(
    client: Client, internship: Internship, mentor: Any
) -> None:
    client.force_login(mentor)
    response = client.post(create_url(internship), {**NEW_TASK, "task-due": "2026-03-14"})
    assert response.status_code == 200
    html = html_of(response)
    assert "Choose a day inside the internship: 2 Mar 2026 to 13 Mar 2026." in html
    assert "Write three headlines" in html and "Each under 60 characters" in html
    assert not Task.objects.exists()


def test_an_empty_task_says_what_is_missing(client: Client, internship: Internship, mentor: Any) -> None:
    client.force_login(mentor)
    response = client.post(
        create_url(internship), {"task-title": "", "task-good_looks_like": "", "task-due": ""}
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "Give the task a title." in html
    assert "Say what a good result looks like." in html
    assert "Choose the day it is due." in html


def test_a_scheduled_internship_takes_tasks_already(
    client: Client, internship: Internship, mentor: Any
) -> None:
    internship.status = Internship.Status.SCHEDULED
    internship.save()
    client.force_login(mentor)
    client.post(create_url(internship), NEW_TASK)
    assert Task.objects.filter(internship=internship).count() == 1


@pytest.mark.parametrize("status", ["requested", "accepted", "completed", "cancelled"])
def test_tasks_are_refused_outside_scheduled_and_active_with_a_clear_message(
    client: Client, internship: Internship, mentor: Any, status: str
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Budget cut")
    client.force_login(mentor)
    response = client.post(create_url(internship), NEW_TASK)
    assert response.status_code == 200
    html = html_of(response)
    assert "Tasks are assigned once the internship is scheduled and until it completes" in html
    assert "Write three headlines" in html and "Each under 60 characters" in html  # nothing typed is lost
    assert not Task.objects.exists()


@pytest.mark.parametrize("persona", ["member", "owner", "manager", "host_owner", "moderator"])
def test_only_the_mentor_assigns_tasks(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(create_url(internship), NEW_TASK).status_code == 403
    assert not Task.objects.exists()


def test_assigning_asks_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.post(create_url(internship), NEW_TASK))


def test_assigning_is_404_for_outsiders(client: Client, internship: Internship) -> None:
    client.force_login(stranger())
    assert client.post(create_url(internship), NEW_TASK).status_code == 404


def test_assigning_is_404_for_a_host_employee_who_is_not_the_mentor(
    client: Client, internship: Internship, other_business: Business
) -> None:
    client.force_login(MembershipFactory.create(business=other_business).user)
    assert client.post(create_url(internship), NEW_TASK).status_code == 404


def test_assigning_rejects_a_get(client: Client, internship: Internship, mentor: Any) -> None:
    client.force_login(mentor)
    assert client.get(create_url(internship)).status_code == 405


def test_the_service_checks_the_due_date_too(internship: Internship, mentor: Any) -> None:
    with pytest.raises(InternshipError, match="inside the internship"):
        assign_task(
            internship=internship, mentor=mentor, title="T", good_looks_like="G", due=date(2026, 3, 1)
        )


# Marking done.


def test_the_intern_marks_a_task_done_and_the_mentor_is_asked_to_review_it(
    client: Client, task: Task, member: Any, mentor: Any, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(done_url(task), {f"done-{task.pk}-note": "Outline in the shared drive."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.done_note == "Outline in the shared drive."
    assert task.done_at is not None
    assert [message.to for message in mailoutbox] == [[mentor.email]]
    assert mailoutbox[0].subject.startswith("To review:")
    assert "Outline in the shared drive." in mailoutbox[0].body


def test_a_task_is_not_done_without_a_note(client: Client, task: Task, member: Any) -> None:
    client.force_login(member)
    response = client.post(done_url(task), {f"done-{task.pk}-note": "   "})
    assert response.status_code == 200
    assert "Say what you did: a note is required." in html_of(response)
    task.refresh_from_db()
    assert task.status == Task.Status.ASSIGNED


def test_a_task_done_twice_says_so_and_keeps_the_first_note(
    client: Client, done_task: Task, member: Any
) -> None:
    client.force_login(member)
    response = client.post(done_url(done_task), {f"done-{done_task.pk}-note": "Second thoughts"})
    assert response.status_code == 200
    assert "was already marked done" in html_of(response)
    assert "Second thoughts" in html_of(response)
    done_task.refresh_from_db()
    assert done_task.done_note == "In the shared folder."


@pytest.mark.parametrize("persona", ["mentor", "owner", "host_owner", "moderator"])
def test_only_the_intern_marks_tasks_done(
    client: Client, task: Task, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(done_url(task), {f"done-{task.pk}-note": "Done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == Task.Status.ASSIGNED


def test_a_task_of_another_internship_is_404(client: Client, internship: Internship, member: Any) -> None:
    other = TaskFactory.create(internship=InternshipFactory.create(intern=member))
    client.force_login(member)
    url = reverse("internships:task_done", args=[internship.pk, other.pk])
    assert client.post(url, {f"done-{other.pk}-note": "Done"}).status_code == 404


def test_marking_done_is_404_for_outsiders_and_asks_anonymous_visitors_to_log_in(
    client: Client, task: Task
) -> None:
    assert_asks_to_log_in(client.post(done_url(task), {}))
    client.force_login(stranger())
    assert client.post(done_url(task), {}).status_code == 404


def test_marking_done_rejects_a_get(client: Client, task: Task, member: Any) -> None:
    client.force_login(member)
    assert client.get(done_url(task)).status_code == 405


def test_a_completed_internship_takes_no_more_done_tasks(
    task: Task, internship: Internship, member: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)
    with pytest.raises(InternshipError, match="completed"):
        mark_task_done(internship=internship, task_id=task.pk, intern=member, note="Late")


# Reviewing.


def review(
    task: Task, rating: str = "4", comment: str = "Clear structure; tighten the intro."
) -> dict[str, str]:
    return {f"review-{task.pk}-rating": rating, f"review-{task.pk}-comment": comment}


def test_the_mentor_reviews_a_done_task_and_the_intern_is_told(
    client: Client, done_task: Task, member: Any, mentor: Any, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(done_task), review(done_task))
    assert response.status_code == 302
    done_task.refresh_from_db()
    assert (done_task.status, done_task.rating, done_task.review) == (
        Task.Status.REVIEWED,
        4,
        "Clear structure; tighten the intro.",
    )
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "4 out of 5" in mailoutbox[0].subject


@pytest.mark.parametrize(("rating", "comment"), [("0", "Fine"), ("6", "Fine"), ("", "Fine"), ("3", "")])
def test_a_review_needs_a_rating_from_1_to_5_and_a_comment(
    client: Client, done_task: Task, mentor: Any, rating: str, comment: str
) -> None:
    client.force_login(mentor)
    response = client.post(review_url(done_task), review(done_task, rating, comment))
    assert response.status_code == 200
    html = html_of(response)
    if comment:
        assert "Rate the task from 1 to 5." in html
        assert comment in html  # what was typed is kept
    else:
        assert "Say what went well and what to improve: a comment is required." in html
    done_task.refresh_from_db()
    assert done_task.status == Task.Status.DONE


def test_a_task_not_done_yet_cannot_be_reviewed(client: Client, task: Task, mentor: Any) -> None:
    client.force_login(mentor)
    response = client.post(review_url(task), review(task), follow=True)
    assert "is not done yet" in html_of(response)
    task.refresh_from_db()
    assert task.status == Task.Status.ASSIGNED


def test_a_task_is_reviewed_once(done_task: Task, internship: Internship, mentor: Any) -> None:
    review_task(internship=internship, task_id=done_task.pk, mentor=mentor, rating=5, comment="Great")
    with pytest.raises(InternshipError, match="already reviewed"):
        review_task(
            internship=internship, task_id=done_task.pk, mentor=mentor, rating=1, comment="Changed my mind"
        )
    done_task.refresh_from_db()
    assert done_task.rating == 5


def test_a_task_done_on_the_last_day_is_still_reviewed_after_completion(
    done_task: Task, internship: Internship, mentor: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)
    review_task(internship=internship, task_id=done_task.pk, mentor=mentor, rating=3, comment="Good start")
    done_task.refresh_from_db()
    assert done_task.status == Task.Status.REVIEWED


@pytest.mark.parametrize("persona", ["member", "owner", "host_owner", "moderator"])
def test_only_the_mentor_reviews(
    client: Client, done_task: Task, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(review_url(done_task), review(done_task)).status_code == 403


def test_the_services_refuse_the_wrong_person(
    task: Task, done_task: Task, internship: Internship, owner: Any
) -> None:
    with pytest.raises(PermissionDenied):
        assign_task(internship=internship, mentor=owner, title="T", good_looks_like="G", due=START)
    with pytest.raises(PermissionDenied):
        mark_task_done(internship=internship, task_id=task.pk, intern=owner, note="N")
    with pytest.raises(PermissionDenied):
        review_task(internship=internship, task_id=done_task.pk, mentor=owner, rating=3, comment="C")


def test_reviewing_is_404_for_outsiders_and_asks_anonymous_visitors_to_log_in(
    client: Client, done_task: Task
) -> None:
    assert_asks_to_log_in(client.post(review_url(done_task), review(done_task)))
    client.force_login(stranger())
    assert client.post(review_url(done_task), review(done_task)).status_code == 404


def test_reviewing_rejects_a_get(client: Client, done_task: Task, mentor: Any) -> None:
    client.force_login(mentor)
    assert client.get(review_url(done_task)).status_code == 405


# Emails.


def test_each_task_gets_its_own_emails_and_a_retry_sends_none_twice(
    internship: Internship, mentor: Any, member: Any, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = assign_task(internship=internship, mentor=mentor, title="One", good_looks_like="G", due=START)
        assign_task(internship=internship, mentor=mentor, title="Two", good_looks_like="G", due=START)
        mark_task_done(internship=internship, task_id=first.pk, intern=member, note="Done")
    assert sorted(message.subject for message in mailoutbox) == [
        "A new task from Arjun Mentor: One",
        "A new task from Arjun Mentor: Two",
        "To review: Neha finished “One”",
    ]
    keys = set(Notification.objects.values_list("key", flat=True))
    assert f"internship:{internship.pk}:task_assigned:{first.pk}:{member.pk}" in keys
    assert f"internship:{internship.pk}:task_done:{first.pk}:{mentor.pk}" in keys


def test_nobody_is_emailed_about_their_own_action(
    internship: Internship, member: Any, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    # The intern mentors themselves: an odd set-up, but they are not told of the task they gave.
    Internship.objects.filter(pk=internship.pk).update(mentor=member)
    internship.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assign_task(internship=internship, mentor=member, title="Self", good_looks_like="G", due=START)
    assert mailoutbox == []


def test_the_pages_task_forms_carry_a_csrf_token_that_is_accepted(
    internship: Internship, done_task: Task, mentor: Any
) -> None:
    # Jinja2 writes the task forms with the Django page's token (templates/jinja2/internships/tasks.html).
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    page = client.get(reverse("internships:detail", args=[internship.pk])).content.decode()

    def token(action: str) -> str:
        found = re.search(
            f'action="{action}"[^>]*>\\s*<input type="hidden" name="csrfmiddlewaretoken" value="(\\w+)"', page
        )
        assert found is not None
        return found[1]

    assert client.post(review_url(done_task), review(done_task)).status_code == 403
    reviewed = client.post(
        review_url(done_task), {**review(done_task), "csrfmiddlewaretoken": token(review_url(done_task))}
    )
    assert reviewed.status_code == 302
    created = client.post(
        create_url(internship), {**NEW_TASK, "csrfmiddlewaretoken": token(create_url(internship))}
    )
    assert created.status_code == 302
