"""The reminders that keep an exchange moving, and the moderators' daily digest.

One beat task (feedback.tasks.send_reminders, every 15 minutes) runs `queue_reminders`. Each reminder is
an outbox row with a unique key — kind, object, period, recipient — so a second beat or a retried task
finds it there and queues nothing. A reminder is held until the recipient's local morning (09:00–18:00
on their clock) and names its step in `reminder_of`: if the step is done by then, the outbox skips it
(the checks at the end of this module, registered in FeedbackConfig.ready).

The rules:
- weekly report due: on the last day of each week of an active internship, to the intern;
- overdue: two days later, still missing, to the intern and the sending business's owners;
- escalation: seven days later, still missing, to the moderators;
- task review: a task done two days ago and not reviewed, to the mentor;
- plan approval: a plan submitted three days ago and not decided, to the sending business's owners;
- follow-up due: a +30, +60 or +90-day follow-up due and not recorded, to the sending business's owners;
- moderators' digest: once a day, in the moderator's morning, when matches, businesses or failed
  emails wait for them.
Days are the intern's for the weeks (as on the report pages) and each owner's own for follow-ups."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Model, QuerySet
from django.urls import reverse

from accounts.models import User
from accounts.selectors import moderators
from accounts.time_zones import UTC, in_working_hours, local_now, next_local_morning, zone_of
from businesses.models import Business, Membership
from feedback.models import FollowUp, WeeklyReport
from feedback.services.followups import schedule_follow_ups
from internships.models import ImplementationPlan, Internship, Match, Task
from internships.selectors.internships import week_bounds
from notifications.models import Notification
from notifications.services import queue_email

WEEKLY_REPORT_DUE = "feedback.reminder_weekly_report_due"
WEEKLY_REPORT_OVERDUE = "feedback.reminder_weekly_report_overdue"
WEEKLY_REPORT_ESCALATION = "feedback.reminder_weekly_report_escalation"
TASK_REVIEW = "feedback.reminder_task_review"
PLAN_APPROVAL = "feedback.reminder_plan_approval"
FOLLOW_UP_DUE = "feedback.reminder_follow_up_due"
MODERATOR_DIGEST = "notifications.moderator_digest"

OVERDUE_AFTER_DAYS = 2
ESCALATE_AFTER_DAYS = 7
TASK_REVIEW_AFTER = datetime.timedelta(days=2)
PLAN_APPROVAL_AFTER = datetime.timedelta(days=3)
# The furthest ahead of UTC a clock runs (Kiribati): no one's today is later than UTC's now + 14 h.
LATEST_CLOCK = datetime.timedelta(hours=14)

Status = Internship.Status
REVIEWABLE = (Status.SCHEDULED, Status.ACTIVE, Status.COMPLETED, Status.FOLLOWED_UP)
INTERNSHIP_RELATIONS = ("intern", "mentor", "learner", "host", "offer__practice")


def queue_reminders(*, now: datetime.datetime) -> dict[str, int]:
    """Queue every reminder due at `now` that is not queued yet; return how many of each were queued."""
    return {
        "weekly_reports": queue_new(weekly_report_reminders(now=now), now=now),
        "task_reviews": queue_new(task_review_reminders(now=now), now=now),
        "plan_approvals": queue_new(plan_approval_reminders(now=now), now=now),
        "follow_ups": queue_new(follow_up_reminders(now=now), now=now),
        "moderator_digests": send_moderator_digests(now=now),
    }


@dataclass(frozen=True)
class Reminder:
    """One reminder a rule finds due: to whom, of which kind, about which object and period, which step."""

    person: User
    kind: str
    about: tuple[object, ...]
    reminder_of: str
    context: dict[str, Any]

    @property
    def key(self) -> str:
        return ":".join([self.kind, *(str(part) for part in self.about), str(self.person.pk)])


def queue_new(reminders: Iterable[Reminder], *, now: datetime.datetime) -> int:
    """Queue the reminders whose key is not in the outbox yet, each held until its person's morning."""
    due = {reminder.key: reminder for reminder in reminders}
    if not due:
        return 0
    # Most beats find every due reminder queued already: one query says so.
    queued_before = set(Notification.objects.filter(key__in=due).values_list("key", flat=True))
    queued = 0
    for key, reminder in due.items():
        if key in queued_before:
            continue
        queue_email(
            to=reminder.person.email,
            kind=reminder.kind,
            key=key,
            template=f"emails/feedback/{reminder.kind.removeprefix('feedback.')}",
            context={"person": reminder.person, **reminder.context},
            recipient=reminder.person,
            reminder_of=reminder.reminder_of,
            not_before=next_local_morning(reminder.person, now),
        )
        queued += 1
    return queued


def link(name: str, *args: int, anchor: str = "") -> str:
    url = settings.SITE_URL + reverse(name, args=args)
    return f"{url}#{anchor}" if anchor else url


def owners_by_business(business_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active owners of each business, in one query (none for no business)."""
    found: dict[int, list[User]] = defaultdict(list)
    business_ids = set(business_ids)
    if not business_ids:
        return found
    memberships = Membership.objects.filter(
        business_id__in=business_ids, role=Membership.Role.OWNER, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        found[membership.business_id].append(membership.user)
    return found


def intern_today(internship: Internship, now: datetime.datetime) -> datetime.date:
    """The date on the intern's calendar (UTC's for an intern invited by email who has not joined)."""
    if internship.intern is None:
        return now.astimezone(UTC).date()
    return local_now(internship.intern, now).date()


def internship_context(internship: Internship) -> dict[str, Any]:
    return {
        "internship": internship,
        "learner": internship.learner,
        "host": internship.host,
        "practice": internship.offer.practice,
        "intern_name": (internship.intern.name or internship.intern.email)
        if internship.intern is not None
        else internship.intern_email,
        "internship_url": link("internships:detail", internship.pk),
    }


def weekly_report_reminders(*, now: datetime.datetime) -> list[Reminder]:
    """Missing weekly reports of active internships: due, overdue (+2 days), escalated (+7 days)."""
    internships = list(
        Internship.objects.filter(status=Status.ACTIVE).select_related(*INTERNSHIP_RELATIONS).order_by("pk")
    )
    if not internships:
        return []
    written = set(
        WeeklyReport.objects.filter(internship__in=internships)
        .order_by()
        .values_list("internship_id", "week")
    )
    owners = owners_by_business(internship.learner_id for internship in internships)
    watchers: list[User] | None = None
    found = []
    for internship in internships:
        today = intern_today(internship, now)
        for week, start, end in week_bounds(internship):
            if end > today or (internship.pk, week) in written:
                continue
            late = (today - end).days
            step = f"weekly_report:{internship.pk}:{week}"
            context = {
                **internship_context(internship),
                "week": week,
                "week_start": start,
                "week_end": end,
                "report_url": link("feedback:reports_week", internship.pk, week),
                "reports_url": link("feedback:reports_index", internship.pk),
            }
            about = (internship.pk, week)
            if late < OVERDUE_AFTER_DAYS:
                people: list[tuple[User | None, str]] = [(internship.intern, "intern")]
                kind = WEEKLY_REPORT_DUE
            elif late < ESCALATE_AFTER_DAYS:
                people = [(internship.intern, "intern")]
                people += [(owner, "owner") for owner in owners[internship.learner_id]]
                kind = WEEKLY_REPORT_OVERDUE
            else:
                if watchers is None:
                    watchers = list(moderators())
                people = [(moderator, "moderator") for moderator in watchers]
                kind = WEEKLY_REPORT_ESCALATION
            found += [
                Reminder(person, kind, about, step, {**context, "role": role, "days_late": late})
                for person, role in people
                if person is not None
            ]
    return found


def with_internships[M: Model](rows: QuerySet[M]) -> list[M]:
    """The rows with their internship and its people, or [] — from one lean query when there are none,
    as on most beats."""
    ids = list(rows.order_by().values_list("pk", flat=True))
    if not ids:
        return []
    related = (f"internship__{relation}" for relation in INTERNSHIP_RELATIONS)
    return list(rows.model._default_manager.filter(pk__in=ids).select_related(*related).order_by("pk"))


def task_review_reminders(*, now: datetime.datetime) -> list[Reminder]:
    """Tasks marked done two days ago or more and not reviewed: remind the mentor."""
    tasks = with_internships(
        Task.objects.filter(
            status=Task.Status.DONE,
            done_at__lte=now - TASK_REVIEW_AFTER,
            internship__status__in=REVIEWABLE,
            internship__mentor__is_active=True,
        )
    )
    found = []
    for task in tasks:
        internship = task.internship
        assert internship.mentor is not None  # reviewable internships have one (a database constraint)
        context = {
            **internship_context(internship),
            "task": task,
            "task_url": link("internships:detail", internship.pk, anchor=f"task-{task.pk}"),
        }
        found.append(Reminder(internship.mentor, TASK_REVIEW, (task.pk,), f"task_review:{task.pk}", context))
    return found


def plan_approval_reminders(*, now: datetime.datetime) -> list[Reminder]:
    """Plans submitted three days ago or more and not decided: remind the sending business's owners."""
    plans = with_internships(
        ImplementationPlan.objects.filter(
            status=ImplementationPlan.Status.SUBMITTED,
            submitted_at__lte=now - PLAN_APPROVAL_AFTER,
            internship__status=Status.ACTIVE,
        )
    )
    owners = owners_by_business(plan.internship.learner_id for plan in plans)
    found = []
    for plan in plans:
        assert plan.submitted_at is not None  # a submitted plan has its time
        # A plan sent back for changes and submitted again waits anew: one reminder per submission.
        submission = int(plan.submitted_at.timestamp())
        context = {
            **internship_context(plan.internship),
            "plan": plan,
            "plan_url": link("internships:plan", plan.internship.pk),
        }
        found += [
            Reminder(
                owner, PLAN_APPROVAL, (plan.pk, submission), f"plan_approval:{plan.pk}:{submission}", context
            )
            for owner in owners[plan.internship.learner_id]
        ]
    return found


def follow_up_reminders(*, now: datetime.datetime) -> list[Reminder]:
    """Follow-ups due on the owner's calendar and not recorded: remind the sending business's owners."""
    unscheduled = (
        Internship.objects.filter(status=Status.COMPLETED)
        .annotate(follow_up_count=Count("follow_ups"))
        .filter(follow_up_count__lt=len(FollowUp.Day))
        .order_by()
    )
    for completed in unscheduled:
        schedule_follow_ups(internship=completed)
    due = with_internships(
        FollowUp.objects.filter(
            recorded_at__isnull=True,
            internship__status=Status.COMPLETED,
            due__lte=(now + LATEST_CLOCK).date(),
        )
    )
    owners = owners_by_business(follow_up.internship.learner_id for follow_up in due)
    found = []
    for follow_up in due:
        internship = follow_up.internship
        context = {
            **internship_context(internship),
            "follow_up": follow_up,
            "follow_up_url": link("feedback:outcomes_follow_up", internship.pk, follow_up.day),
        }
        found += [
            Reminder(owner, FOLLOW_UP_DUE, (follow_up.pk,), f"follow_up:{follow_up.pk}", context)
            for owner in owners[internship.learner_id]
            if follow_up.due <= local_now(owner, now).date()
        ]
    return found


def send_moderator_digests(*, now: datetime.datetime) -> int:
    """Once a day per moderator, during their working hours, if anything waits for the moderators."""
    awake = [moderator for moderator in moderators() if in_working_hours(moderator, now)]
    if not awake:
        return 0
    waiting = {
        "pending_matches": Match.objects.pending().count(),
        "businesses_to_verify": Business.objects.filter(verification=Business.Verification.PENDING).count(),
        "failed_emails": Notification.objects.filter(status=Notification.Status.FAILED).count(),
    }
    # An empty digest every morning would teach moderators to ignore it: none on a quiet day.
    if not any(waiting.values()):
        return 0
    queued = 0
    for moderator in awake:
        today = now.astimezone(zone_of(moderator)).date()
        key = f"{MODERATOR_DIGEST}:{today.isoformat()}:{moderator.pk}"
        if Notification.objects.filter(key=key).exists():
            continue
        queue_email(
            to=moderator.email,
            kind=MODERATOR_DIGEST,
            key=key,
            template="emails/notifications/moderator_digest",
            context={
                "person": moderator,
                "today": today,
                **waiting,
                "queue_url": link("internships:moderation_queue"),
                "businesses_url": link("internships:moderation_businesses"),
                "failed_url": link("notifications:failed"),
            },
            recipient=moderator,
        )
        queued += 1
    return queued


# The checks the outbox runs just before sending a reminder: True when its step is done, or moot.


def weekly_report_done(ids: list[str]) -> bool:
    internship_id, week = int(ids[0]), int(ids[1])
    # Reports are written while the internship is active: once it is not, the reminder is moot.
    still_active = Internship.objects.filter(pk=internship_id, status=Status.ACTIVE).exists()
    return not still_active or WeeklyReport.objects.filter(internship_id=internship_id, week=week).exists()


def task_review_done(ids: list[str]) -> bool:
    return not Task.objects.filter(pk=int(ids[0]), status=Task.Status.DONE).exists()


def plan_approval_done(ids: list[str]) -> bool:
    plan_id, submission = int(ids[0]), int(ids[1])
    plan = ImplementationPlan.objects.filter(
        pk=plan_id, status=ImplementationPlan.Status.SUBMITTED, internship__status=Status.ACTIVE
    ).first()
    return plan is None or plan.submitted_at is None or int(plan.submitted_at.timestamp()) != submission


def follow_up_done(ids: list[str]) -> bool:
    return not FollowUp.objects.filter(
        pk=int(ids[0]), recorded_at__isnull=True, internship__status=Status.COMPLETED
    ).exists()


CHECKS = {
    "weekly_report": weekly_report_done,
    "task_review": task_review_done,
    "plan_approval": plan_approval_done,
    "follow_up": follow_up_done,
}
