"""What the internship pages read: a person's internships, the week plan, the timeline, and each
business's give-and-get ledger."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import User
from businesses.models import Membership
from internships.models import ImplementationPlan, Internship, InternshipEvent, InternshipQuerySet, Task

LIST_RELATIONS = ("learner", "host", "offer__practice", "intern", "mentor")
WEEK = 7

# The internships that take (or took) real days of someone's work: the ledger counts these.
COUNTED = (
    Internship.Status.SCHEDULED,
    Internship.Status.ACTIVE,
    Internship.Status.COMPLETED,
    Internship.Status.FOLLOWED_UP,
)


def managed_business_ids(user: User) -> set[int]:
    """The businesses the user is an owner or manager of."""
    return set(
        Membership.objects.filter(
            user=user, role__in=[Membership.Role.OWNER, Membership.Role.MANAGER]
        ).values_list("business_id", flat=True)
    )


def internships_of(user: User, *, business_ids: Iterable[int] = ()) -> InternshipQuerySet:
    """The user's own internships: as intern, as mentor, or for a business they manage.

    Unlike `visible_to`, a moderator's list holds only their own: "my internships"."""
    managed = list(business_ids)
    mine = Q(intern=user) | Q(mentor=user)
    if managed:
        mine |= Q(learner_id__in=managed) | Q(host_id__in=managed)
    return Internship.objects.filter(mine).select_related(*LIST_RELATIONS).order_by("-start", "-pk")


@dataclass(frozen=True)
class Day:
    date: datetime.date
    tasks: list[Task]


@dataclass(frozen=True)
class Week:
    """Week `number` of an internship: weeks are counted from its start date, seven days each."""

    number: int
    start: datetime.date
    end: datetime.date
    days: list[Day]

    @property
    def report_due(self) -> datetime.date:
        """A weekly report is due on the week's last day."""
        return self.end

    def holds(self, date: datetime.date) -> bool:
        return self.start <= date <= self.end


def week_bounds(internship: Internship) -> list[tuple[int, datetime.date, datetime.date]]:
    """(number, first day, last day) of each week of the internship; the last week may be short."""
    bounds = []
    start = internship.start
    number = 1
    while start <= internship.end:
        end = min(start + datetime.timedelta(days=WEEK - 1), internship.end)
        bounds.append((number, start, end))
        start = end + datetime.timedelta(days=1)
        number += 1
    return bounds


def week_plan(internship: Internship, tasks: Iterable[Task]) -> list[Week]:
    """The internship's weeks, each with its days and the tasks due on each day."""
    due: dict[datetime.date, list[Task]] = {}
    for task in tasks:
        due.setdefault(task.due, []).append(task)
    weeks = []
    for number, start, end in week_bounds(internship):
        days = [
            Day(date=date, tasks=due.get(date, []))
            for date in (start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1))
        ]
        weeks.append(Week(number=number, start=start, end=end, days=days))
    return weeks


def tasks_of(internship: Internship) -> list[Task]:
    return list(Task.objects.filter(internship=internship).order_by("due", "pk"))


def plan_of(internship: Internship) -> ImplementationPlan | None:
    """The plan with its steps and their objectives, in two queries (none more per step)."""
    # An internship has one plan at most (a one-to-one field): a list, without first()'s ordering.
    plans = list(
        ImplementationPlan.objects.filter(internship=internship)
        .select_related("approved_by")
        .prefetch_related("steps__objective")
    )
    return plans[0] if plans else None


def timeline(internship: Internship) -> list[InternshipEvent]:
    """Every transition and step of the internship, oldest first, with who took it."""
    return list(InternshipEvent.objects.filter(internship=internship).select_related("actor"))


@dataclass
class Ledger:
    """A business's give and get: the intern-days it hosted and received, and its internships by state."""

    hosted_days: int = 0
    received_days: int = 0
    by_status: Counter[str] = field(default_factory=Counter)

    @property
    def balance(self) -> int:
        """Positive: the business has given more days than it received."""
        return self.hosted_days - self.received_days

    @property
    def gap(self) -> int:
        """How far from even, in intern-days, either way."""
        return abs(self.balance)

    @property
    def states(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for the states the business has internships in, in lifecycle order."""
        return [
            (value, label, self.by_status[value])
            for value, label in Internship.Status.choices
            if self.by_status[value]
        ]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def ledgers(business_ids: Iterable[int]) -> dict[int, Ledger]:
    """Each business's ledger, from one query whatever the number of businesses (none for no business)."""
    ids = set(business_ids)
    found = {business_id: Ledger() for business_id in ids}
    if not ids:
        return found
    rows = Internship.objects.filter(Q(learner_id__in=ids) | Q(host_id__in=ids)).values_list(
        "learner_id", "host_id", "status", "start", "end"
    )
    for learner_id, host_id, status, start, end in rows:
        days = (end - start).days + 1
        counted = status in COUNTED
        if host_id in found:
            found[host_id].by_status[status] += 1
            if counted:
                found[host_id].hosted_days += days
        if learner_id in found:
            found[learner_id].by_status[status] += 1
            if counted:
                found[learner_id].received_days += days
    return found
