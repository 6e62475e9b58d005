"""Reminders: the rules of feedback/reminders.py (weekly report due, overdue, escalated; task reviews;
plan approval; follow-ups; the moderators' digest), each once per key, held until the recipient's local
morning, and skipped when muted or when the step was done before it went out."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.time_zones import next_local_morning
from businesses.models import Business, Membership
from feedback.models import FollowUp, WeeklyReport
from feedback.reminders import (
    FOLLOW_UP_DUE,
    MODERATOR_DIGEST,
    PLAN_APPROVAL,
    TASK_REVIEW,
    WEEKLY_REPORT_DUE,
    WEEKLY_REPORT_ESCALATION,
    queue_reminders,
)
from feedback.tasks import send_reminders
from internships.models import ImplementationPlan, Internship, Task
from notifications import services
from notifications.models import MutedKind, Notification
from notifications.reminders import register_reminder_check, step_is_done
from notifications.tasks import relay_pending, send_notification
from tests.factories import (
    ImplementationPlanFactory,
    InternshipFactory,
    MatchFactory,
    MembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A two-week internship, Monday 2 March to Sunday 15 March 2026: week 1's report is due on Sunday
# 8 March, week 2's on Sunday 15 March.
START, END = datetime.date(2026, 3, 2), datetime.date(2026, 3, 15)
UTC = datetime.UTC


def at(moment: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(moment)


@pytest.fixture
def mentor(other_business: Business) -> Any:
    return MembershipFactory.create(
        business=other_business,
        user=UserFactory.create(email="arjun@example.com", name="Arjun Mentor"),
        role=Membership.Role.EMPLOYEE,
    ).user


@pytest.fixture
def internship(business: Business, other_business: Business, owner: Any, member: Any, mentor: Any) -> Any:
    return InternshipFactory.create(
        match__need__business=business,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.ACTIVE,
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """One beat: the reminders task, then the outbox relay, with commits' callbacks run."""

    def tick() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders.delay()
            relay_pending.delay()

    return tick


def sent(mailoutbox: list[Any]) -> list[tuple[str, str]]:
    return [(message.to[0], message.subject) for message in mailoutbox]


def kinds_to(email: str) -> list[str]:
    return list(
        Notification.objects.filter(to_email=email)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


def write_report(internship: Internship, week: int) -> WeeklyReport:
    return WeeklyReport.objects.create(
        internship=internship,
        week=week,
        learned="Keyword research",
        tasks_done="An outline",
        hours=Decimal(30),
    )


# The weekly report


def test_nothing_is_due_before_the_week_ends(internship: Any, run: Any, mailoutbox: list[Any]) -> None:
    with time_machine.travel(at("2026-03-07T12:00:00+00:00"), tick=False):
        run()
    assert mailoutbox == []
    assert Notification.objects.count() == 0


def test_the_report_due_reminder_reaches_the_intern_on_the_last_day_of_the_week(
    internship: Any, member: Any, run: Any, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(at("2026-03-08T10:00:00+00:00"), tick=False):
        run()
    assert sent(mailoutbox) == [
        ("neha@example.com", "Your weekly report for week 1 is due on Sunday 8 March")
    ]
    assert f"/internships/{internship.pk}/reports/1/" in mailoutbox[0].body
    notification = Notification.objects.get()
    assert notification.reminder_of == f"weekly_report:{internship.pk}:1"


def test_a_submitted_report_gets_no_reminder(internship: Any, run: Any, mailoutbox: list[Any]) -> None:
    write_report(internship, 1)
    with time_machine.travel(at("2026-03-08T10:00:00+00:00"), tick=False):
        run()
    assert mailoutbox == []


def test_an_overdue_report_reminds_the_intern_and_copies_the_sending_owners(
    internship: Any, member: Any, owner: Any, outsider: Any, run: Any, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(at("2026-03-10T10:00:00+00:00"), tick=False):
        run()
    assert sorted(sent(mailoutbox)) == [
        ("afreen@example.com", f"{member.name}'s report for week 1 is late"),
        ("neha@example.com", "Your report for week 1 is late"),
    ]
    # The host's owner is not the sending business: no copy.
    assert kinds_to(outsider.email) == []


def test_a_report_a_week_late_is_escalated_to_the_moderators_only(
    internship: Any, moderator: Any, run: Any, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(at("2026-03-15T10:00:00+00:00"), tick=False):
        run()
    # Week 1 is a week late (the moderators hear of it); week 2's report is due today (the intern).
    assert sorted(sent(mailoutbox)) == [
        ("moderator@example.com", f"A weekly report is a week late: Neha at {internship.host.name}"),
        ("neha@example.com", "Your weekly report for week 2 is due on Sunday 15 March"),
    ]
    assert kinds_to(moderator.email) == [WEEKLY_REPORT_ESCALATION]
    assert Notification.objects.filter(kind=WEEKLY_REPORT_ESCALATION).count() == 1


def test_a_second_beat_or_a_retried_task_queues_nothing_more(
    internship: Any, run: Any, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(at("2026-03-10T10:00:00+00:00"), tick=False):
        run()
        run()
        assert queue_reminders(now=timezone.now()) == {
            "weekly_reports": 0,
            "task_reviews": 0,
            "plan_approvals": 0,
            "follow_ups": 0,
            "moderator_digests": 0,
        }
    assert len(mailoutbox) == 2
    assert Notification.objects.count() == 2


def test_reports_of_an_internship_that_is_not_active_are_not_reminded(
    internship: Any, run: Any, mailoutbox: list[Any]
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)
    with time_machine.travel(at("2026-03-16T10:00:00+00:00"), tick=False):
        run()
    assert Notification.objects.filter(kind__startswith="feedback.reminder_weekly").count() == 0


# Tasks, plans, follow-ups


def test_a_task_done_two_days_ago_and_not_reviewed_reminds_the_mentor(
    internship: Any, mentor: Any, run: Any, mailoutbox: list[Any]
) -> None:
    task = TaskFactory.create(
        internship=internship,
        title="Draft the landing page",
        status=Task.Status.DONE,
        done_at=at("2026-03-04T15:00:00+00:00"),
    )
    with time_machine.travel(at("2026-03-06T14:00:00+00:00"), tick=False):
        run()
        assert kinds_to(mentor.email) == []  # 47 hours: not yet
    with time_machine.travel(at("2026-03-06T15:30:00+00:00"), tick=False):
        run()
    assert sent(mailoutbox) == [("arjun@example.com", "Waiting for your review: Draft the landing page")]
    assert f"#task-{task.pk}" in mailoutbox[0].body
    assert kinds_to(mentor.email) == [TASK_REVIEW]


def test_a_plan_waiting_three_days_reminds_the_sending_owners_once_per_submission(
    internship: Any, owner: Any, manager: Any, run: Any, mailoutbox: list[Any]
) -> None:
    plan = ImplementationPlanFactory.create(
        internship=internship,
        status=ImplementationPlan.Status.SUBMITTED,
        submitted_at=at("2026-03-12T10:00:00+00:00"),
    )
    with time_machine.travel(at("2026-03-15T11:00:00+00:00"), tick=False):
        run()
        run()
    assert [to for to, _ in sent(mailoutbox) if "plan" in _] == ["afreen@example.com"]
    # Sent back for changes and submitted again: a new wait, a new reminder.
    ImplementationPlan.objects.filter(pk=plan.pk).update(submitted_at=at("2026-03-16T10:00:00+00:00"))
    with time_machine.travel(at("2026-03-19T11:00:00+00:00"), tick=False):
        run()
    assert Notification.objects.filter(kind=PLAN_APPROVAL, status=Notification.Status.SENT).count() == 2
    assert kinds_to(manager.email) == []


def test_follow_ups_are_scheduled_at_completion_and_a_due_one_reminds_the_sending_owners(
    internship: Any, owner: Any, run: Any, mailoutbox: list[Any]
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.COMPLETED)
    with time_machine.travel(at("2026-03-20T10:00:00+00:00"), tick=False):
        run()
    assert list(FollowUp.objects.filter(internship=internship).values_list("day", "due")) == [
        (30, datetime.date(2026, 4, 14)),
        (60, datetime.date(2026, 5, 14)),
        (90, datetime.date(2026, 6, 13)),
    ]
    assert mailoutbox == []
    with time_machine.travel(at("2026-04-14T10:00:00+00:00"), tick=False):
        run()
        run()
    assert sent(mailoutbox) == [
        ("afreen@example.com", f"The +30-day follow-up of {internship.intern.name}'s internship is due")
    ]
    assert kinds_to(owner.email) == [FOLLOW_UP_DUE]
    assert f"http://testserver/internships/{internship.pk}/follow-ups/30/" in mailoutbox[0].body


# The moderators' digest


def test_moderators_get_one_digest_a_day_in_their_morning_when_something_waits(
    moderator: Any, run: Any, mailoutbox: list[Any]
) -> None:
    MatchFactory.create()
    moderator.time_zone = "Asia/Kolkata"
    moderator.save()
    with time_machine.travel(at("2026-03-02T02:00:00+00:00"), tick=False) as traveller:
        run()  # 07:30 in Kolkata: too early
        assert mailoutbox == []
        for _ in range(12):  # every hour until 14:00 UTC (19:30 in Kolkata)
            traveller.shift(datetime.timedelta(hours=1))
            run()
    assert sent(mailoutbox) == [
        ("moderator@example.com", "Moderation today: 1 match, 0 businesses, 0 failed emails")
    ]
    assert Notification.objects.get().sent_at == at("2026-03-02T04:00:00+00:00")  # 09:30 in Kolkata
    with time_machine.travel(at("2026-03-03T05:00:00+00:00"), tick=False):
        run()
    assert len(mailoutbox) == 2
    assert kinds_to(moderator.email) == [MODERATOR_DIGEST, MODERATOR_DIGEST]


def test_no_digest_on_a_quiet_day(moderator: Any, run: Any, mailoutbox: list[Any]) -> None:
    with time_machine.travel(at("2026-03-02T10:00:00+00:00"), tick=False):
        run()
    assert mailoutbox == []


# Muted, done, held


def test_a_muted_reminder_is_skipped(internship: Any, member: Any, run: Any, mailoutbox: list[Any]) -> None:
    services.mute(user=member, kind=WEEKLY_REPORT_DUE)
    with time_machine.travel(at("2026-03-08T10:00:00+00:00"), tick=False):
        run()
    assert mailoutbox == []
    notification = Notification.objects.get(kind=WEEKLY_REPORT_DUE)
    assert notification.status == Notification.Status.SKIPPED
    assert "muted" in notification.last_error


def test_an_account_email_can_never_be_muted(
    member: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Even a row written behind the settings page's back does not stop an account email.
    MutedKind.objects.create(user=member, kind="account.password_changed")
    with pytest.raises(ValueError, match="cannot be muted"):
        services.mute(user=member, kind="account.password_changed")
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_email(
            to=member.email,
            kind="account.password_changed",
            key="account.password_changed:neha:1",
            template="emails/account/password_changed",
            context={"email": member.email},
            recipient=member,
        )
    assert sent(mailoutbox) == [("neha@example.com", "Your Peership password was changed")]
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_a_decision_email_is_not_a_reminder_kind() -> None:
    from notifications.reminders import REMINDER_KINDS

    assert all(not kind.startswith("account.") for kind in REMINDER_KINDS)
    for decision in (
        "internships.match_approved",
        "internships.internship_accepted",
        "internships.internship_declined",
    ):
        assert decision not in REMINDER_KINDS


def test_a_reminder_whose_step_was_done_before_it_went_out_is_skipped(
    internship: Any, member: Any, run: Any, mailoutbox: list[Any]
) -> None:
    # Queued just after midnight on the due day, held until 09:00; the intern writes the report at 08:00.
    with time_machine.travel(at("2026-03-08T00:10:00+00:00"), tick=False) as traveller:
        run()
        assert Notification.objects.get().status == Notification.Status.PENDING
        assert mailoutbox == []
        traveller.move_to(at("2026-03-08T08:00:00+00:00"))
        write_report(internship, 1)
        traveller.move_to(at("2026-03-08T09:00:00+00:00"))
        run()
    assert mailoutbox == []
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.SKIPPED
    assert "step was done" in notification.last_error


def test_a_held_reminder_is_not_sent_early_even_if_its_task_is_delivered(
    internship: Any, run: Any, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(at("2026-03-08T00:10:00+00:00"), tick=False):
        run()
        notification = Notification.objects.get()
        assert notification.next_attempt_at == at("2026-03-08T09:00:00+00:00")
        send_notification.delay(notification.pk)  # a stray delivery before its time
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING


# The recipient's local hour


def test_next_local_morning_is_now_in_working_hours_else_the_next_nine_oclock() -> None:
    person = UserFactory.build(time_zone="Europe/Paris")
    # 08:00 in Paris (UTC+1 in winter): today at 09:00.
    assert next_local_morning(person, at("2026-03-02T07:00:00+00:00")) == at("2026-03-02T08:00:00+00:00")
    # 12:00 in Paris: now.
    assert next_local_morning(person, at("2026-03-02T11:00:00+00:00")) == at("2026-03-02T11:00:00+00:00")
    # 19:00 in Paris: tomorrow at 09:00.
    assert next_local_morning(person, at("2026-03-02T18:00:00+00:00")) == at("2026-03-03T08:00:00+00:00")
    # An unknown zone is read as UTC.
    assert next_local_morning(
        UserFactory.build(time_zone="Mars/Olympus"), at("2026-03-02T20:00:00+00:00")
    ) == at("2026-03-03T09:00:00+00:00")


def test_reminders_reach_each_intern_at_nine_on_their_own_clock(
    business: Business, other_business: Business, mentor: Any, run: Any, mailoutbox: list[Any]
) -> None:
    kolkata = UserFactory.create(email="priya@example.com", name="Priya", time_zone="Asia/Kolkata")
    denver = UserFactory.create(email="dale@example.com", name="Dale", time_zone="America/Denver")
    for intern in (kolkata, denver):
        MembershipFactory.create(business=business, user=intern)
        InternshipFactory.create(
            match__need__business=business,
            match__offer__business=other_business,
            intern=intern,
            mentor=mentor,
            start=START,
            end=END,
            status=Internship.Status.ACTIVE,
        )
    sent_at: dict[str, datetime.datetime] = {}
    # Every 15 minutes from Saturday 7 March 12:00 UTC to Monday 9 March 00:00 UTC.
    with time_machine.travel(at("2026-03-07T12:00:00+00:00"), tick=False) as traveller:
        while timezone.now() < at("2026-03-09T00:00:00+00:00"):
            run()
            for message in mailoutbox:
                sent_at.setdefault(message.to[0], timezone.now())
            traveller.shift(datetime.timedelta(minutes=15))
    # Sunday 8 March, 09:00 in Kolkata (03:30 UTC) and 09:00 in Denver, whose clocks went forward to
    # summer time (UTC-6) at 02:00 that very morning: 15:00 UTC.
    assert sent_at == {
        "priya@example.com": at("2026-03-08T03:30:00+00:00"),
        "dale@example.com": at("2026-03-08T15:00:00+00:00"),
    }
    assert len(mailoutbox) == 2
    # Queued as the Denver intern's Sunday began (00:00 MST, 07:00 UTC) and held until their 09:00.
    dale = Notification.objects.get(to_email="dale@example.com")
    assert dale.created_at == at("2026-03-08T07:00:00+00:00")
    assert dale.next_attempt_at == at("2026-03-08T15:00:00+00:00")


def test_dates_in_a_reminder_are_written_in_the_recipients_zone(
    internship: Any, mentor: Any, run: Any, mailoutbox: list[Any]
) -> None:
    mentor.time_zone = "Pacific/Auckland"
    mentor.save()
    # Wednesday 4 March 20:00 UTC is Thursday 5 March 09:00 in Auckland.
    TaskFactory.create(
        internship=internship, status=Task.Status.DONE, done_at=at("2026-03-04T20:00:00+00:00")
    )
    with time_machine.travel(at("2026-03-06T21:00:00+00:00"), tick=False):
        run()
    [message] = mailoutbox
    assert "Thursday 5 March" in message.body


# The registry of checks


def test_a_reminder_of_an_unregistered_step_is_sent_and_a_prefix_has_no_colon() -> None:
    assert step_is_done("") is False
    assert step_is_done("nobody_checks_this:1") is False
    with pytest.raises(ValueError, match="no colon"):
        register_reminder_check("weekly:report", lambda ids: True)


def test_a_broken_check_does_not_hold_the_reminder() -> None:
    assert step_is_done("weekly_report:not-a-number:1") is False


def test_the_beat_task_says_what_it_queued(internship: Any) -> None:
    with time_machine.travel(at("2026-03-10T10:00:00+00:00"), tick=False):
        result = send_reminders.delay().get()
    assert result["weekly_reports"] == 2
