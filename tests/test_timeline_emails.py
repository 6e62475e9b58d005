"""A whole internship and its follow-ups, through the calendar (time_machine): hour by hour until the
internship is completed, then every three hours until the last follow-up, the beat task runs twice each
time and the outbox relay after it, with the tasks in-process and the mail kept in memory. The test
asserts exactly which emails went to whom on which day of their own calendar, at a working hour of their
own clock, and that none went twice.

What the people do (submit a report, review a task, approve a plan, record a follow-up) is written
straight to the database at the hour they do it: this test is about the reminders, not those pages."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.time_zones import zone_of
from businesses.models import Business, Membership
from feedback.models import FollowUp, WeeklyReport
from feedback.reminders import (
    FOLLOW_UP_DUE,
    MODERATOR_DIGEST,
    PLAN_APPROVAL,
    TASK_REVIEW,
    WEEKLY_REPORT_DUE,
    WEEKLY_REPORT_ESCALATION,
    WEEKLY_REPORT_OVERDUE,
)
from feedback.tasks import send_reminders
from internships.models import ImplementationPlan, Internship, Match, Task
from notifications.models import Notification
from notifications.tasks import relay_pending
from tests.factories import (
    ImplementationPlanFactory,
    InternshipFactory,
    MatchFactory,
    MembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
START, END = datetime.date(2026, 3, 2), datetime.date(2026, 3, 15)  # Monday to Sunday, two weeks
FIRST_TICK = datetime.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
LAST_TICK = datetime.datetime(2026, 6, 21, 0, 0, tzinfo=UTC)
# After completion only follow-ups remain, weeks apart: a beat every three hours keeps the test quick and
# still finds each working day's first hours (09:00 in Denver is 15:00 UTC).
HOURLY_UNTIL = datetime.datetime(2026, 3, 26, 0, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def people(
    business: Business,
    other_business: Business,
    owner: Any,
    manager: Any,
    member: Any,
    outsider: Any,
    moderator: Any,
) -> dict[str, Any]:
    """The intern in Kolkata, the sending owner in Denver, the mentor in London, a moderator in UTC."""
    mentor = MembershipFactory.create(
        business=other_business,
        user=UserFactory.create(email="arjun@example.com", name="Arjun Mentor", time_zone="Europe/London"),
        role=Membership.Role.EMPLOYEE,
    ).user
    member.time_zone = "Asia/Kolkata"
    member.save()
    owner.time_zone = "America/Denver"
    owner.save()
    return {
        "intern": member,
        "owner": owner,
        "manager": manager,
        "mentor": mentor,
        "host_owner": outsider,
        "moderator": moderator,
    }


def test_a_whole_internship_and_its_follow_ups_send_exactly_these_emails(
    business: Business,
    other_business: Business,
    people: dict[str, Any],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="celery.app.trace")  # thousands of "task succeeded"
    with time_machine.travel(FIRST_TICK, tick=False) as traveller:
        internship = InternshipFactory.create(
            match__need__business=business,
            match__offer__business=other_business,
            intern=people["intern"],
            mentor=people["mentor"],
            start=START,
            end=END,
            status=Internship.Status.ACTIVE,
        )
        # A proposed match waits for the moderators until 3 March.
        waiting_match = MatchFactory.create()
        first_task = TaskFactory.create(internship=internship, title="Outline a blog article")
        second_task = TaskFactory.create(internship=internship, title="Draft the landing page")

        def done(task: Task) -> Callable[[], object]:
            return lambda: Task.objects.filter(pk=task.pk).update(
                status=Task.Status.DONE, done_at=timezone.now(), done_note="Done."
            )

        def reviewed(task: Task) -> Callable[[], object]:
            return lambda: Task.objects.filter(pk=task.pk).update(
                status=Task.Status.REVIEWED, rating=4, review="Good.", reviewed_at=timezone.now()
            )

        def report(week: int) -> Callable[[], object]:
            return lambda: WeeklyReport.objects.create(
                internship=internship, week=week, learned="Much", tasks_done="Some", hours=Decimal(35)
            )

        def submit_plan() -> None:
            ImplementationPlanFactory.create(
                internship=internship,
                status=ImplementationPlan.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )

        def approve_plan() -> None:
            ImplementationPlan.objects.filter(internship=internship).update(
                status=ImplementationPlan.Status.APPROVED, approved_at=timezone.now()
            )
            Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)

        def record(day: int) -> Callable[[], object]:
            return lambda: FollowUp.objects.filter(internship=internship, day=day).update(
                recorded_at=timezone.now(), adopted=True
            )

        def followed_up() -> None:
            Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.FOLLOWED_UP)

        # What people do, at the hour (UTC) they do it.
        actions: list[tuple[datetime.datetime, Callable[[], Any]]] = [
            (
                utc(3, 3, 12),
                lambda: Match.objects.filter(pk=waiting_match.pk).update(status=Match.Status.APPROVED),
            ),
            (utc(3, 4, 10), done(first_task)),
            (utc(3, 5, 8), done(second_task)),
            # Reviewed within two days: no reminder for this one.
            (utc(3, 6, 9), reviewed(second_task)),
            (utc(3, 7, 12), reviewed(first_task)),
            # Week 1's report, on its due day after the morning's reminder; week 2's never comes.
            (utc(3, 8, 6), report(1)),
            (utc(3, 14, 10), submit_plan),
            (utc(3, 24, 12), approve_plan),
            (utc(4, 15, 16), record(30)),
            # The +60-day follow-up is recorded at 08:00 in Denver, before its reminder was to leave.
            (utc(5, 14, 14), record(60)),
            (utc(6, 20, 16), record(90)),
            (utc(6, 20, 16), followed_up),
        ]

        log: list[tuple[datetime.datetime, str, str]] = []
        while timezone.now() <= LAST_TICK:
            now = timezone.now()
            while actions and actions[0][0] <= now:
                actions.pop(0)[1]()
            with django_capture_on_commit_callbacks(execute=True):
                send_reminders.delay()
                send_reminders.delay()  # a second beat, or a retried task: harmless
                relay_pending.delay()
            log += [(now, message.to[0], message.subject) for message in mailoutbox[len(log) :]]
            traveller.shift(datetime.timedelta(hours=1 if now < HOURLY_UNTIL else 3))

    by_email = {person.email: person for person in people.values()}

    def local(moment: datetime.datetime, email: str) -> datetime.datetime:
        return moment.astimezone(zone_of(by_email[email]))

    sent = Notification.objects.filter(status=Notification.Status.SENT).order_by("sent_at", "pk")
    assert [
        (local(n.sent_at, n.to_email).date().isoformat(), n.to_email, n.kind) for n in sent if n.sent_at
    ] == [
        ("2026-03-01", "moderator@example.com", MODERATOR_DIGEST),
        ("2026-03-02", "moderator@example.com", MODERATOR_DIGEST),
        ("2026-03-03", "moderator@example.com", MODERATOR_DIGEST),
        ("2026-03-06", "arjun@example.com", TASK_REVIEW),
        ("2026-03-08", "neha@example.com", WEEKLY_REPORT_DUE),
        ("2026-03-15", "neha@example.com", WEEKLY_REPORT_DUE),
        # The intern's 17 March begins while it is still the 16th in Denver.
        ("2026-03-16", "afreen@example.com", WEEKLY_REPORT_OVERDUE),
        ("2026-03-17", "neha@example.com", WEEKLY_REPORT_OVERDUE),
        ("2026-03-17", "afreen@example.com", PLAN_APPROVAL),
        ("2026-03-22", "moderator@example.com", WEEKLY_REPORT_ESCALATION),
        ("2026-04-14", "afreen@example.com", FOLLOW_UP_DUE),
        ("2026-06-13", "afreen@example.com", FOLLOW_UP_DUE),
    ]
    # The exact hours (UTC) of a few: each at the first beat in the recipient's working day.
    assert [(n.sent_at, n.to_email) for n in sent if n.kind in (WEEKLY_REPORT_DUE, PLAN_APPROVAL)] == [
        (utc(3, 8, 4), "neha@example.com"),  # 09:30 in Kolkata
        (utc(3, 15, 4), "neha@example.com"),
        (utc(3, 17, 15), "afreen@example.com"),  # 09:00 in Denver (summer time)
    ]
    for notification in sent:
        assert notification.sent_at is not None
        assert 9 <= local(notification.sent_at, notification.to_email).hour < 18

    # Every row sent was one message, at the hour it says; none went twice.
    assert sorted(log) == sorted((n.sent_at, n.to_email, n.subject) for n in sent)
    assert len(set(log)) == len(log) == 12

    # Reminders that were written but not sent: the +60-day follow-up, recorded before its morning.
    assert list(
        Notification.objects.exclude(status=Notification.Status.SENT).values_list(
            "to_email", "kind", "status"
        )
    ) == [("afreen@example.com", FOLLOW_UP_DUE, Notification.Status.SKIPPED)]
    # The sending business's manager, the host's owner: none of these reminders are theirs.
    assert not Notification.objects.filter(to_email__in=["manny@example.com", "rajeev@example.com"]).exists()
