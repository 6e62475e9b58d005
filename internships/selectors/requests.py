"""What an internship request reads: whether dates suit an offer, the suggested dates, who must answer."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils.formats import date_format

from accounts.models import User
from businesses.models import Membership, Offer
from internships.models import Internship, Match


@dataclass(frozen=True)
class DateProblem:
    """Why dates do not suit an offer; `field` is "start", "end" or None (both)."""

    field: str | None
    message: str


def day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def date_problems(
    offer: Offer, start: datetime.date, end: datetime.date, *, today: datetime.date
) -> list[DateProblem]:
    """What is wrong with an internship at `offer` from `start` to `end` (its last day); empty if nothing."""
    host = offer.business.name
    if end < start:
        return [DateProblem("end", "The last day cannot be before the first.")]
    problems: list[DateProblem] = []
    if start < today:
        problems.append(
            DateProblem("start", "The internship cannot start in the past: choose today or later.")
        )
    if start < offer.available_from:
        problems.append(
            DateProblem(
                "start", f"{host} takes interns from {day(offer.available_from)}: start then or later."
            )
        )
    if end > offer.available_until:
        problems.append(
            DateProblem(
                "end", f"{host} takes interns until {day(offer.available_until)}: end then or earlier."
            )
        )
    days = (end - start).days + 1
    if days < offer.min_days:
        problems.append(
            DateProblem(
                "end", f"{host} takes interns for {offer.min_days} days at least: these dates make {days}."
            )
        )
    elif days > offer.max_days:
        problems.append(
            DateProblem(
                "end", f"{host} takes interns for {offer.max_days} days at most: these dates make {days}."
            )
        )
    for blackout in offer.blackouts.all():
        if blackout.start <= end and blackout.end >= start:
            why = f" ({blackout.reason})" if blackout.reason else ""
            problems.append(
                DateProblem(
                    None,
                    f"{host} cannot host from {day(blackout.start)} to {day(blackout.end)}{why}: "
                    "choose dates before or after.",
                )
            )
    return problems


def suggested_length(offer: Offer) -> int:
    """The practice's usual length, within the offer's bounds."""
    return min(max(offer.practice.suggested_days, offer.min_days), offer.max_days)


def suggested_dates(match: Match, *, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The match's first feasible start (or the first day possible now) and the suggested length."""
    offer = match.offer
    start = max(match.start, today, offer.available_from)
    return start, start + datetime.timedelta(days=suggested_length(offer) - 1)


def owners_of(business_id: int) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            business_id=business_id, role=Membership.Role.OWNER, user__is_active=True
        ).select_related("user")
    ]


def waiting_since(*, ids: Iterable[int] | None = None) -> dict[int, datetime.datetime]:
    """When each request began waiting for its current answer: its last event, else its creation."""
    requests = Internship.objects.filter(status=Internship.Status.REQUESTED)
    if ids is not None:
        requests = requests.filter(pk__in=ids)
    since = requests.annotate(since=Coalesce(Max("events__created_at"), "created_at"))
    return dict(since.values_list("pk", "since"))
