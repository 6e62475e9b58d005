"""Follow-ups: 30, 60 and 90 days after the internship's last day, the sending business records what came
of it — each objective's metric, whether the practice is adopted, whether more help is needed (which opens
a new need) — and once the +90-day follow-up is recorded the internship is followed up."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from businesses.models import Membership, Need
from businesses.services.needs import save_need
from feedback.models import FollowUp, Measurement
from internships.models import Internship, Match, Objective
from internships.services.follow_up import mark_followed_up
from internships.services.requests import MANAGERS, locked_internship
from internships.services.work import day as day_text

DAYS: tuple[int, ...] = tuple(FollowUp.Day.values)
LAST_DAY = DAYS[-1]
# Follow-ups exist once the internship is completed; they may be corrected after the last one.
FOLLOWING = (Internship.Status.COMPLETED, Internship.Status.FOLLOWED_UP)


class FollowUpError(Exception):
    """A follow-up the internship's state, the calendar or the input forbids; the message says why."""


@dataclass(frozen=True)
class MoreHelp:
    """What the sending business says when it needs more help: where it stands now, and what it wants."""

    current_level: int
    outcome: str


def schedule_follow_ups(*, internship: Internship) -> list[FollowUp]:
    """The completed internship's three follow-ups, due 30, 60 and 90 days after its end; none before.

    Safe to call again and at the same time (the follow-up pages, the reminders' beat): each row is
    created once, like get_or_create, and the missing ones in one query."""
    if internship.status not in FOLLOWING:
        return []
    found = {follow_up.day: follow_up for follow_up in FollowUp.objects.filter(internship=internship)}
    missing = [day for day in DAYS if day not in found]
    if missing:
        # A concurrent caller may insert the same rows: the unique constraint keeps one, the other is skipped.
        FollowUp.objects.bulk_create(
            [
                FollowUp(internship=internship, day=day, due=internship.end + datetime.timedelta(days=day))
                for day in missing
            ],
            ignore_conflicts=True,
        )
        found = {follow_up.day: follow_up for follow_up in FollowUp.objects.filter(internship=internship)}
    return [found[day] for day in DAYS]


def check_recording(*, internship: Internship, person: User) -> None:
    """The sending business's owners and managers record follow-ups of a completed internship."""
    if not Membership.objects.filter(
        user=person, business_id=internship.learner_id, role__in=MANAGERS
    ).exists():
        raise PermissionDenied(
            f"Only the owners and managers of {internship.learner.name} record the follow-ups."
        )
    if internship.status not in FOLLOWING:
        raise FollowUpError(
            "Follow-ups begin once the internship is completed; "
            f"this one is {internship.get_status_display().lower()}."
        )


def check_due(follow_up: FollowUp, *, today: datetime.date) -> None:
    if follow_up.due > today:
        raise FollowUpError(
            f"The +{follow_up.day}-day follow-up is due on {day_text(follow_up.due)}: "
            "you can record it from that day."
        )


def record_follow_up(
    *,
    internship_id: int,
    day: int,
    recorded_by: User,
    actuals: Mapping[int, Decimal],
    adopted: bool,
    more_help: MoreHelp | None = None,
    notes: str = "",
    today: datetime.date | None = None,
) -> FollowUp:
    """Record a due follow-up (recording it again corrects it); the +90-day one follows the internship up.

    With `more_help`, a new open need of the same practice is saved for the sending business, unless
    this follow-up opened one already or an unmatched open need of that practice exists (it is reused)."""
    if day not in DAYS:
        raise FollowUpError("Follow-ups are recorded 30, 60 and 90 days after the internship.")
    today = today or timezone.localdate()
    with transaction.atomic():
        internship = locked_internship(internship_id)
        check_recording(internship=internship, person=recorded_by)
        schedule_follow_ups(internship=internship)
        follow_up = FollowUp.objects.select_for_update().get(internship=internship, day=day)
        check_due(follow_up, today=today)
        objectives = set(Objective.objects.filter(internship=internship).values_list("pk", flat=True))
        if set(actuals) != objectives:
            raise FollowUpError("Record where each objective's metric stands today.")
        follow_up.adopted = adopted
        follow_up.more_help_needed = more_help is not None
        follow_up.notes = notes.strip()
        follow_up.recorded_at = timezone.now()
        follow_up.recorded_by = recorded_by
        if more_help is not None and follow_up.new_need_id is None:
            follow_up.new_need = _need_for_more_help(internship=internship, more_help=more_help, today=today)
        follow_up.save()
        Measurement.objects.filter(follow_up=follow_up).delete()
        Measurement.objects.bulk_create(
            Measurement(follow_up=follow_up, objective_id=objective_id, actual=actual)
            for objective_id, actual in sorted(actuals.items())
        )
        if day == LAST_DAY:
            mark_followed_up(
                internship_id=internship.pk,
                actor=recorded_by,
                note=f"+{LAST_DAY}-day follow-up recorded.",
            )
    return follow_up


def target_level_of(internship: Internship) -> int:
    """The level the sending business aimed for: a new need aims for it again."""
    return Need.objects.values_list("target_level", flat=True).get(matches__pk=internship.match_id)


def _need_for_more_help(*, internship: Internship, more_help: MoreHelp, today: datetime.date) -> Need:
    """An open need of the learner for the practice it came to learn, from where it stands now."""
    original = Need.objects.get(matches__pk=internship.match_id)
    if not 1 <= more_help.current_level < original.target_level:
        raise FollowUpError(
            f"Say where you stand now, below the level you aimed for ({original.target_level}): "
            "a new need looks for help to reach it."
        )
    outcome = more_help.outcome.strip()
    if not outcome:
        raise FollowUpError("Say what help you still need: a host reads it with your new need.")
    # An open need of the practice not yet matched is already looking for a host: link it, open no twin.
    approved = Match.objects.filter(need=OuterRef("pk"), status=Match.Status.APPROVED)
    waiting = (
        Need.objects.open()
        .filter(business_id=internship.learner_id, practice_id=original.practice_id)
        .exclude(Exists(approved))
        .first()
    )
    if waiting is not None:
        return waiting
    # Saved open (not a draft to confirm): the owner has just asked for more help, on purpose.
    return save_need(
        need=Need(
            business_id=internship.learner_id,
            practice_id=original.practice_id,
            current_level=more_help.current_level,
            target_level=original.target_level,
            outcome=outcome,
            urgency=original.urgency,
            earliest_start=today,
            preferred_days=original.preferred_days,
            status=Need.Status.OPEN,
        )
    )
