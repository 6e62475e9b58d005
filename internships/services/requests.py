"""An internship from request to start: the learner's request, the host's answer (accept, decline or
other dates), the learner's answer to other dates, the learner's confirmation, and cancelling.
The daily work that reminds, expires and starts internships is in `daily.py`.

Every transition locks the internship's row, checks who may do it (PermissionDenied: 403) and what
must hold (InternshipError: the page shows its message), saves, records an InternshipEvent (who,
when, why) and queues its emails in the same transaction: they leave once it commits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from businesses.models import Business, Membership, Offer
from businesses.services.members import MembershipError, has_open_invitation, invite_member
from internships.models import Internship, InternshipEvent, Match, Objective
from internships.selectors.requests import date_problems, day, owners_of
from internships.services.request_emails import tell

Status = Internship.Status
MANAGERS = [Membership.Role.OWNER, Membership.Role.MANAGER]
# Open internships: not yet answered, or going ahead. They can be cancelled.
CANCELLABLE = [Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED, Status.ACTIVE]

LAST_PLACE_TAKEN = (
    "The last place for these dates has just been taken: {host} has no room left for another intern "
    "then. Propose other dates instead, or decline the request."
)


class InternshipError(Exception):
    """A transition the internship's state or rules forbid; the message says why, for people."""


class Action(StrEnum):
    """What an InternshipEvent of this module records."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COUNTER_PROPOSED = "counter-proposed"
    COUNTER_ACCEPTED = "counter-accepted"
    COUNTER_DECLINED = "counter-declined"
    SCHEDULED = "scheduled"
    STARTED = "started"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ObjectiveData:
    title: str
    metric: str
    baseline: Decimal
    target: Decimal


# Checks shared by the transitions.


def _manages(user: User, business_id: int) -> bool:
    return Membership.objects.filter(user=user, business_id=business_id, role__in=MANAGERS).exists()


def _require_manager(user: User, business: Business, doing: str) -> None:
    if not _manages(user, business.pk):
        raise PermissionDenied(f"Only the owners and managers of {business.name} can {doing}.")


# How a refusal describes the state the internship is in; "by whom on which day" follows the past tenses.
STATE_PHRASES = {
    Status.REQUESTED: ("still waits for the host's answer", False),
    Status.ACCEPTED: ("was already accepted", True),
    Status.DECLINED: ("was declined", True),
    Status.SCHEDULED: ("was already confirmed", True),
    Status.ACTIVE: ("has already started", False),
    Status.COMPLETED: ("is completed", False),
    Status.FOLLOWED_UP: ("is completed", False),
    Status.CANCELLED: ("was cancelled", True),
}


def check_status(internship: Internship, allowed: Iterable[str], doing: str) -> None:
    """Raise, saying what happened and who did it, unless the internship is in one of `allowed`."""
    if internship.status in set(allowed):
        return
    phrase, past = STATE_PHRASES[Status(internship.status)]
    if past:
        last = (
            InternshipEvent.objects.filter(internship=internship, status=internship.status)
            .select_related("actor")
            .last()
        )
        if last is not None:
            by = f" by {last.actor}" if last.actor else ""
            phrase += f"{by} on {day(timezone.localdate(last.created_at))}"
    raise InternshipError(f"You cannot {doing} now: this internship {phrase}.")


def _check_dates(offer: Offer, start: datetime.date, end: datetime.date) -> None:
    problems = date_problems(offer, start, end, today=timezone.localdate())
    if problems:
        raise InternshipError(" ".join(problem.message for problem in problems))


def locked_internship(internship_id: int) -> Internship:
    """The internship, its row locked until the transaction ends."""
    # Only the internship's row is locked, and read alone: related rows are read after the lock.
    try:
        internship = Internship.objects.select_for_update().get(pk=internship_id)
    except Internship.DoesNotExist:
        raise InternshipError("This internship no longer exists.") from None
    return Internship.objects.select_related("learner", "host", "offer__practice", "intern", "mentor").get(
        pk=internship.pk
    )


def record_event(
    internship: Internship, action: Action, actor: User | None, note: str = ""
) -> InternshipEvent:
    """The transition's row in the internship's history: what, the state it led to, who, and why."""
    return InternshipEvent.objects.create(
        internship=internship, action=action, status=internship.status, actor=actor, note=note
    )


def _places_taken(offer: Offer, start: datetime.date, end: datetime.date, *, besides: Internship) -> int:
    """The most interns the offer already has on any one day from `start` to `end`."""
    overlapping = list(
        Internship.objects.holding_a_place()
        .filter(offer=offer, start__lte=end, end__gte=start)
        .exclude(pk=besides.pk)
        .values_list("start", "end")
    )
    most = 0
    on = start
    while on <= end and overlapping:
        most = max(most, sum(1 for first, last in overlapping if first <= on <= last))
        on += datetime.timedelta(days=1)
    return most


def _counter_note(start: datetime.date, end: datetime.date, note: str) -> str:
    dates = f"{day(start)} – {day(end)}"
    return f"{dates}: {note}" if note else dates


# The learner's request.


def request_internship(
    *,
    match_id: int,
    requested_by: User,
    start: datetime.date,
    end: datetime.date,
    objectives: Sequence[ObjectiveData],
    message: str = "",
    intern: User | None = None,
    intern_email: str = "",
    request: HttpRequest | None = None,
) -> Internship:
    """Ask the host of an approved match to take an intern; an intern named by email is invited."""
    with transaction.atomic():
        try:
            match = Match.objects.select_related("learner", "host", "offer__business", "offer__practice").get(
                pk=match_id
            )
        except Match.DoesNotExist:
            raise InternshipError("This match no longer exists.") from None
        learner, host, offer = match.learner, match.host, match.offer
        _require_manager(requested_by, learner, "request an internship for it")
        if match.status != Match.Status.APPROVED:
            raise InternshipError(
                "An internship can only be requested from an approved match, and this one is "
                f"{match.get_status_display().lower()}."
            )
        if offer.status != Offer.Status.ACTIVE:
            raise InternshipError(f"{host.name} has paused this offer: it takes no requests for now.")
        _check_dates(offer, start, end)
        if not objectives:
            raise InternshipError("Write at least one objective, with the outcome you will measure.")
        for objective in objectives:
            if objective.target == objective.baseline:
                raise InternshipError(f"“{objective.title}”: the target must differ from the baseline.")
        intern, intern_email = _resolve_intern(
            learner=learner,
            intern=intern,
            intern_email=intern_email,
            requested_by=requested_by,
            request=request,
        )
        _check_intern_free(intern=intern, intern_email=intern_email, start=start, end=end)
        internship = Internship.objects.create(
            match=match,
            offer=offer,
            learner=learner,
            host=host,
            intern=intern,
            intern_email=intern_email,
            start=start,
            end=end,
            message=message.strip(),
            requested_by=requested_by,
        )
        Objective.objects.bulk_create(
            Objective(
                internship=internship,
                title=objective.title,
                metric=objective.metric,
                baseline=objective.baseline,
                target=objective.target,
                position=position,
            )
            for position, objective in enumerate(objectives)
        )
        record_event(internship, Action.REQUESTED, requested_by, internship.message)
        tell(
            internship,
            "requested",
            [*((owner, "host") for owner in owners_of(host.pk)), (intern, "intern")],
            actor=requested_by,
        )
    return internship


def _resolve_intern(
    *,
    learner: Business,
    intern: User | None,
    intern_email: str,
    requested_by: User,
    request: HttpRequest | None,
) -> tuple[User | None, str]:
    """The intern as a member of the learner, or an invited address (invited now if need be)."""
    if intern is not None:
        if not Membership.objects.filter(business=learner, user=intern).exists():
            raise InternshipError(
                f"{intern} is not a member of {learner.name}: choose one of its members, "
                "or invite them by email."
            )
        return intern, ""
    email = intern_email.strip().lower()
    if not email:
        raise InternshipError("Choose the colleague you send, or invite them by email.")
    member = (
        Membership.objects.filter(business=learner, user__email__iexact=email).select_related("user").first()
    )
    if member is not None:
        return member.user, ""
    if not has_open_invitation(business=learner, email=email):
        try:
            invite_member(
                business=learner,
                email=email,
                role=Membership.Role.EMPLOYEE,
                invited_by=requested_by,
                request=request,
            )
        except MembershipError as error:
            raise InternshipError(str(error)) from None
    return None, email


def _check_intern_free(
    *,
    intern: User | None,
    intern_email: str,
    start: datetime.date,
    end: datetime.date,
    besides: int | None = None,
) -> None:
    """One person, one internship at a time: refuse dates that overlap another open one of theirs."""
    same_person = Q(intern=intern) if intern is not None else Q(intern_email__iexact=intern_email)
    others = Internship.objects.filter(same_person, start__lte=end, end__gte=start, status__in=CANCELLABLE)
    if besides is not None:
        others = others.exclude(pk=besides)
    other = others.select_related("host").first()
    if other is not None:
        raise InternshipError(
            f"{intern or intern_email} already has an internship at {other.host.name} from "
            f"{day(other.start)} to {day(other.end)}: choose other dates, or cancel the other one first."
        )


# The host's answer.


def accept_internship(*, internship_id: int, accepted_by: User, mentor: User) -> Internship:
    """Take the intern and name their mentor, if a place is left at the offer for these dates."""
    with transaction.atomic():
        internship = locked_internship(internship_id)
        host = internship.host
        _require_manager(accepted_by, host, "accept this request")
        check_status(internship, [Status.REQUESTED], "accept this request")
        if internship.counter_start is not None:
            raise InternshipError(
                f"You proposed other dates: wait for {internship.learner.name}'s answer before accepting."
            )
        if internship.start < timezone.localdate():
            raise InternshipError(
                f"The internship was to start on {day(internship.start)}, which has passed: "
                "propose other dates instead."
            )
        if not Membership.objects.filter(business=host, user=mentor).exists():
            raise InternshipError(
                f"{mentor} is not a member of {host.name}: choose one of its members as mentor."
            )
        if mentor.pk == internship.intern_id:
            raise InternshipError("The intern cannot be their own mentor: choose someone else.")
        # The offer's row is the lock that serialises acceptances: two managers accepting two
        # requests at once for the last place see each other's result, one after the other.
        offer = Offer.objects.select_for_update().get(pk=internship.offer_id)
        if _places_taken(offer, internship.start, internship.end, besides=internship) >= offer.capacity:
            raise InternshipError(LAST_PLACE_TAKEN.format(host=host.name))
        internship.status = Status.ACCEPTED
        internship.mentor = mentor
        internship.save(update_fields=["status", "mentor", "updated_at"])
        record_event(internship, Action.ACCEPTED, accepted_by, f"Mentor: {mentor}")
        tell(
            internship,
            "accepted",
            [
                *((owner, "learner") for owner in owners_of(internship.learner_id)),
                (internship.intern, "intern"),
                (mentor, "mentor"),
            ],
            actor=accepted_by,
        )
    return internship


def decline_internship(*, internship_id: int, declined_by: User, reason: str) -> Internship:
    """Say no, with a reason the learner reads."""
    reason = reason.strip()
    with transaction.atomic():
        internship = locked_internship(internship_id)
        _require_manager(declined_by, internship.host, "decline this request")
        check_status(internship, [Status.REQUESTED], "decline this request")
        if not reason:
            raise InternshipError(f"Say why you decline: {internship.learner.name} will read it.")
        internship.status = Status.DECLINED
        internship.decline_reason = reason
        internship.counter_start = internship.counter_end = None
        internship.counter_note = ""
        internship.save(
            update_fields=[
                "status",
                "decline_reason",
                "counter_start",
                "counter_end",
                "counter_note",
                "updated_at",
            ]
        )
        record_event(internship, Action.DECLINED, declined_by, reason)
        tell(
            internship,
            "declined",
            [
                *((owner, "learner") for owner in owners_of(internship.learner_id)),
                (internship.intern, "intern"),
            ],
            actor=declined_by,
        )
    return internship


def propose_other_dates(
    *, internship_id: int, proposed_by: User, start: datetime.date, end: datetime.date, note: str = ""
) -> Internship:
    """The host's counter-proposal: the request waits for the learner to accept or decline these dates."""
    note = note.strip()
    with transaction.atomic():
        internship = locked_internship(internship_id)
        _require_manager(proposed_by, internship.host, "propose other dates")
        check_status(internship, [Status.REQUESTED], "propose other dates")
        if (start, end) == (internship.start, internship.end):
            raise InternshipError("These are the requested dates: accept the request, or choose other dates.")
        _check_dates(Offer.objects.select_related("business").get(pk=internship.offer_id), start, end)
        internship.counter_start, internship.counter_end, internship.counter_note = start, end, note
        internship.save(update_fields=["counter_start", "counter_end", "counter_note", "updated_at"])
        event = record_event(
            internship, Action.COUNTER_PROPOSED, proposed_by, _counter_note(start, end, note)
        )
        tell(
            internship,
            "counter_proposed",
            [(owner, "learner") for owner in owners_of(internship.learner_id)],
            actor=proposed_by,
            once_per=event.pk,
        )
    return internship


def accept_other_dates(*, internship_id: int, accepted_by: User) -> Internship:
    """The learner takes the host's dates; the host still accepts the request (and names a mentor)."""
    with transaction.atomic():
        internship = locked_internship(internship_id)
        _require_manager(accepted_by, internship.learner, "answer the proposed dates")
        check_status(internship, [Status.REQUESTED], "answer the proposed dates")
        start, end = internship.counter_start, internship.counter_end
        if start is None or end is None:
            raise InternshipError("There are no other dates to answer: the host has not proposed any.")
        _check_dates(Offer.objects.select_related("business").get(pk=internship.offer_id), start, end)
        _check_intern_free(
            intern=internship.intern,
            intern_email=internship.intern_email,
            start=start,
            end=end,
            besides=internship.pk,
        )
        internship.start, internship.end = start, end
        internship.counter_start = internship.counter_end = None
        internship.counter_note = ""
        internship.save(
            update_fields=["start", "end", "counter_start", "counter_end", "counter_note", "updated_at"]
        )
        event = record_event(internship, Action.COUNTER_ACCEPTED, accepted_by, _counter_note(start, end, ""))
        tell(
            internship,
            "counter_accepted",
            [(owner, "host") for owner in owners_of(internship.host_id)],
            actor=accepted_by,
            once_per=event.pk,
        )
    return internship


def decline_other_dates(*, internship_id: int, declined_by: User, reason: str = "") -> Internship:
    """The learner turns the host's dates down: the request is cancelled."""
    reason = reason.strip()
    with transaction.atomic():
        internship = locked_internship(internship_id)
        _require_manager(declined_by, internship.learner, "answer the proposed dates")
        check_status(internship, [Status.REQUESTED], "answer the proposed dates")
        if internship.counter_start is None:
            raise InternshipError("There are no other dates to answer: the host has not proposed any.")
        internship.status = Status.CANCELLED
        internship.cancel_reason = (
            f"The proposed dates did not suit us: {reason}"
            if reason
            else "The proposed dates did not suit us."
        )
        internship.counter_start = internship.counter_end = None
        internship.counter_note = ""
        internship.save(
            update_fields=[
                "status",
                "cancel_reason",
                "counter_start",
                "counter_end",
                "counter_note",
                "updated_at",
            ]
        )
        record_event(internship, Action.COUNTER_DECLINED, declined_by, internship.cancel_reason)
        tell(
            internship,
            "cancelled",
            [*((owner, "host") for owner in owners_of(internship.host_id)), (internship.intern, "intern")],
            actor=declined_by,
        )
    return internship


# After the host's yes.


def confirm_internship(*, internship_id: int, confirmed_by: User) -> Internship:
    """The sending business confirms its intern will attend: the internship is scheduled."""
    with transaction.atomic():
        internship = locked_internship(internship_id)
        learner = internship.learner
        _require_manager(confirmed_by, learner, "confirm this internship")
        check_status(internship, [Status.ACCEPTED], "confirm this internship")
        update = ["status", "updated_at"]
        if internship.intern is None:
            member = (
                Membership.objects.filter(business=learner, user__email__iexact=internship.intern_email)
                .select_related("user")
                .first()
            )
            if member is None:
                raise InternshipError(
                    f"{internship.intern_email} has not joined {learner.name} yet: once they accept the "
                    "invitation we emailed them, confirm again."
                )
            internship.intern, internship.intern_email = member.user, ""
            update += ["intern", "intern_email"]
        elif not Membership.objects.filter(business=learner, user=internship.intern).exists():
            raise InternshipError(
                f"{internship.intern} is no longer a member of {learner.name}: cancel this internship and "
                "request another for someone else."
            )
        internship.status = Status.SCHEDULED
        internship.save(update_fields=update)
        record_event(internship, Action.SCHEDULED, confirmed_by)
        tell(
            internship,
            "scheduled",
            [
                *((owner, "host") for owner in owners_of(internship.host_id)),
                (internship.intern, "intern"),
                (internship.mentor, "mentor"),
            ],
            actor=confirmed_by,
        )
    return internship


def cancel_internship(*, internship_id: int, cancelled_by: User, reason: str) -> Internship:
    """Either business calls it off, with a reason, at any time before it is completed."""
    reason = reason.strip()
    with transaction.atomic():
        internship = locked_internship(internship_id)
        sides = {
            business.pk
            for business in (internship.learner, internship.host)
            if _manages(cancelled_by, business.pk)
        }
        if not sides:
            raise PermissionDenied(
                f"Only the owners and managers of {internship.learner.name} or {internship.host.name} "
                "can cancel this internship."
            )
        check_status(internship, CANCELLABLE, "cancel this internship")
        if not reason:
            raise InternshipError(
                "Say why you cancel: the other business, the intern and the mentor will read it."
            )
        internship.status = Status.CANCELLED
        internship.cancel_reason = reason
        internship.save(update_fields=["status", "cancel_reason", "updated_at"])
        record_event(internship, Action.CANCELLED, cancelled_by, reason)
        # The other side's owners; both sides' when the person cancelling manages both.
        others = {internship.learner_id, internship.host_id} - sides or sides
        recipients = [
            (owner, "learner" if business_id == internship.learner_id else "host")
            for business_id in sorted(others)
            for owner in owners_of(business_id)
        ]
        tell(
            internship,
            "cancelled",
            [*recipients, (internship.intern, "intern"), (internship.mentor, "mentor")],
            actor=cancelled_by,
        )
    return internship
