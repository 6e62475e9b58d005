"""The work of an internship: the mentor assigns tasks, the intern marks them done, the mentor reviews them.

Each step locks the internship, checks who acts and what must hold, saves, and
tells the other person by email once the transaction commits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from businesses.models import Membership
from internships.models import Internship, Task
from internships.services.requests import InternshipError
from notifications.services import queue_email

# Tasks are given and done before and during the placement (a mentor may send reading ahead).
WORKING = (Internship.Status.SCHEDULED, Internship.Status.ACTIVE)
# A task done on the last day may still be reviewed once the internship has completed.
REVIEWING = (*WORKING, Internship.Status.COMPLETED, Internship.Status.FOLLOWED_UP)


def lock_internship(internship_id: int) -> Internship:
    """The internship's row, locked until the transaction ends; read alone (see moderation._locked)."""
    return Internship.objects.select_for_update().get(pk=internship_id)


def managers_of(business_id: int) -> list[User]:
    """The active owners and managers of a business: the people who act for it."""
    memberships = Membership.objects.filter(
        business_id=business_id,
        role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        user__is_active=True,
    ).select_related("user")
    return [membership.user for membership in memberships]


def page_url(internship: Internship, anchor: str = "") -> str:
    """The internship's page as an absolute link for an email."""
    url = settings.SITE_URL + reverse("internships:detail", kwargs={"pk": internship.pk})
    return f"{url}#{anchor}" if anchor else url


def email_people(
    people: Iterable[User | None],
    *,
    internship: Internship,
    name: str,
    key: str,
    context: dict[str, object],
    actor: User | None = None,
) -> None:
    """Queue one email `name` to each person (once each, never to the one who acted)."""
    seen: set[int] = set()
    for person in people:
        if person is None or not person.is_active or person.pk in seen or person == actor:
            continue
        seen.add(person.pk)
        queue_email(
            to=person.email,
            kind=f"internships.{name}",
            key=f"internship:{internship.pk}:{name}:{key}:{person.pk}",
            template=f"emails/internships/{name}",
            context={"person": person, "internship": internship, **context},
            recipient=person,
        )


def _status_label(internship: Internship) -> str:
    return internship.get_status_display().lower()


def day(value: datetime.date | datetime.datetime | None) -> str:
    """A date (or a moment, in local time) the way messages write it: 3 Mar 2026."""
    if value is None:
        return "an unknown date"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "j M Y")


# The checks: who may act (else PermissionDenied, a 403) and what must hold (else InternshipError).
# The services run them on the locked rows; the views run them first, so that a form for a step
# that is no longer possible says so rather than asking for its fields.


def check_assigning(*, internship: Internship, mentor: User) -> None:
    if internship.mentor_id != mentor.pk:
        raise PermissionDenied("Only the internship's mentor assigns tasks.")
    if internship.status not in WORKING:
        raise InternshipError(
            "Tasks are assigned once the internship is scheduled and until it completes; "
            f"this one is {_status_label(internship)}."
        )


def check_marking_done(*, internship: Internship, task: Task, intern: User) -> None:
    if internship.intern_id != intern.pk:
        raise PermissionDenied("Only the intern marks their tasks done.")
    if task.status != Task.Status.ASSIGNED:
        raise InternshipError(f"“{task.title}” was already marked done on {day(task.done_at)}.")
    if internship.status not in WORKING:
        raise InternshipError(
            f"The internship is {_status_label(internship)}: its tasks can no longer change."
        )


def check_reviewing(*, internship: Internship, task: Task, mentor: User) -> None:
    if internship.mentor_id != mentor.pk:
        raise PermissionDenied("Only the internship's mentor reviews tasks.")
    if task.status == Task.Status.ASSIGNED:
        raise InternshipError(
            f"“{task.title}” is not done yet: it can be reviewed once the intern marks it done."
        )
    if task.status == Task.Status.REVIEWED:
        raise InternshipError(f"“{task.title}” was already reviewed on {day(task.reviewed_at)}.")
    if internship.status not in REVIEWING:
        raise InternshipError(
            f"The internship is {_status_label(internship)}: its tasks can no longer change."
        )


def assign_task(
    *, internship: Internship, mentor: User, title: str, good_looks_like: str, due: datetime.date
) -> Task:
    """The mentor gives the intern a task, due inside the internship's dates; the intern is told."""
    with transaction.atomic():
        locked = lock_internship(internship.pk)
        check_assigning(internship=locked, mentor=mentor)
        if not locked.start <= due <= locked.end:
            raise InternshipError(
                f"The due date must fall inside the internship: {day(locked.start)} to {day(locked.end)}."
            )
        task = Task.objects.create(
            internship=locked, title=title.strip(), good_looks_like=good_looks_like.strip(), due=due
        )
        email_people(
            [locked.intern],
            internship=locked,
            name="task_assigned",
            key=str(task.pk),
            context={"task": task, "mentor": mentor, "url": page_url(locked, f"task-{task.pk}")},
            actor=mentor,
        )
    return task


def _locked_task(internship: Internship, task_id: int) -> tuple[Internship, Task]:
    locked = lock_internship(internship.pk)
    task = Task.objects.select_for_update().get(pk=task_id, internship=locked)
    return locked, task


def mark_task_done(*, internship: Internship, task_id: int, intern: User, note: str) -> Task:
    """The intern says a task is done, with a note on what they did; the mentor is asked to review it."""
    note = note.strip()
    if not note:
        raise InternshipError("Say what you did: a note is required.")
    with transaction.atomic():
        locked, task = _locked_task(internship, task_id)
        check_marking_done(internship=locked, task=task, intern=intern)
        task.status = Task.Status.DONE
        task.done_note = note
        task.done_at = timezone.now()
        task.save(update_fields=["status", "done_note", "done_at"])
        email_people(
            [locked.mentor],
            internship=locked,
            name="task_done",
            key=str(task.pk),
            context={"task": task, "intern": intern, "url": page_url(locked, f"task-{task.pk}")},
            actor=intern,
        )
    return task


def review_task(*, internship: Internship, task_id: int, mentor: User, rating: int, comment: str) -> Task:
    """The mentor rates a done task from 1 to 5 and says why; the intern is told."""
    comment = comment.strip()
    if not 1 <= rating <= 5:
        raise InternshipError("Rate the task from 1 to 5.")
    if not comment:
        raise InternshipError("Say what went well and what to improve: a comment is required.")
    with transaction.atomic():
        locked, task = _locked_task(internship, task_id)
        check_reviewing(internship=locked, task=task, mentor=mentor)
        task.status = Task.Status.REVIEWED
        task.rating = rating
        task.review = comment
        task.reviewed_at = timezone.now()
        task.save(update_fields=["status", "rating", "review", "reviewed_at"])
        email_people(
            [locked.intern],
            internship=locked,
            name="task_reviewed",
            key=str(task.pk),
            context={"task": task, "mentor": mentor, "url": page_url(locked, f"task-{task.pk}")},
            actor=mentor,
        )
    return task
