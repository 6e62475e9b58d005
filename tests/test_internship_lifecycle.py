"""The internship lifecycle: every transition recorded (who, when), refused from the wrong state or by
the wrong person, the database keeping the state valid, capacity under a lock with two real connections,
and the daily work: the day-3 reminder, the 7-day expiry, the "starts in 2 days" email and the start."""

import datetime
import os
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from businesses.models import Business, Membership, Practice
from internships import tasks as lifecycle_tasks
from internships.models import Internship, InternshipEvent, Match
from internships.services.daily import (
    NO_ANSWER,
    activate_due,
    expire_unanswered,
    notify_starting_soon,
    remind_unanswered,
)
from internships.services.requests import (
    InternshipError,
    ObjectiveData,
    accept_internship,
    accept_other_dates,
    cancel_internship,
    confirm_internship,
    decline_internship,
    decline_other_dates,
    propose_other_dates,
    request_internship,
)
from notifications.models import Notification
from notifications.services import relay_pending
from tests.conftest import missing
from tests.factories import (
    BusinessFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Internship.Status
LEADS = ObjectiveData(
    title="More organic leads", metric="organic leads per month", baseline=Decimal(5), target=Decimal(15)
)
# A Monday morning: the request is made then, and the days below count from it.
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def day(n: int) -> datetime.date:
    return MONDAY.date() + datetime.timedelta(days=n)


@pytest.fixture
def monday(time_machine: Any) -> Any:
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def host(other_business: Business) -> Business:
    return other_business


@pytest.fixture
def host_owner(outsider: Any) -> Any:
    return outsider


@pytest.fixture
def mentor(host: Business) -> Any:
    return MembershipFactory.create(
        business=host, user=UserFactory.create(email="arjun@example.com", name="Arjun")
    ).user


@pytest.fixture
def intern(member: Any) -> Any:
    return member


@pytest.fixture
def match(monday: Any, business: Business, host: Business, lead_generation: Practice, owner: Any) -> Match:
    return MatchFactory.create(
        need=NeedFactory.create(business=business, practice=lead_generation),
        offer=OfferFactory.create(business=host, practice=lead_generation, capacity=1),
        status=Match.Status.APPROVED,
    )


@pytest.fixture
def requested(match: Match, owner: Any, intern: Any, host_owner: Any) -> Internship:
    """Requested on Monday 2 March, 09:00, for day 14 to day 18."""
    return request_internship(
        match_id=match.pk, requested_by=owner, intern=intern, start=day(14), end=day(18), objectives=[LEADS]
    )


@pytest.fixture
def scheduled(requested: Internship, owner: Any, host_owner: Any, mentor: Any) -> Internship:
    accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)
    return confirm_internship(internship_id=requested.pk, confirmed_by=owner)


def emails_to(mailoutbox: list[Any]) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def run(django_capture_on_commit_callbacks: Any, work: Any, **kwargs: Any) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return int(work(**kwargs))


# Every transition is recorded: who and when.


def test_every_transition_is_recorded_with_who_and_when(
    monday: Any, requested: Internship, owner: Any, host_owner: Any, mentor: Any
) -> None:
    monday.shift(datetime.timedelta(hours=1))
    propose_other_dates(internship_id=requested.pk, proposed_by=host_owner, start=day(21), end=day(25))
    monday.shift(datetime.timedelta(hours=1))
    accept_other_dates(internship_id=requested.pk, accepted_by=owner)
    monday.shift(datetime.timedelta(hours=1))
    accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)
    monday.shift(datetime.timedelta(hours=1))
    confirm_internship(internship_id=requested.pk, confirmed_by=owner)
    monday.move_to(datetime.datetime(2026, 3, 23, 0, 5, tzinfo=datetime.UTC))
    assert activate_due() == 1

    events = list(InternshipEvent.objects.filter(internship=requested).order_by("created_at", "pk"))
    assert [(event.action, event.status, event.actor) for event in events] == [
        ("requested", Status.REQUESTED, owner),
        ("counter-proposed", Status.REQUESTED, host_owner),
        ("counter-accepted", Status.REQUESTED, owner),
        ("accepted", Status.ACCEPTED, host_owner),
        ("scheduled", Status.SCHEDULED, owner),
        ("started", Status.ACTIVE, None),
    ]
    assert [timezone.localtime(event.created_at).strftime("%d %H:%M") for event in events] == [
        "02 09:00",
        "02 10:00",
        "02 11:00",
        "02 12:00",
        "02 13:00",
        "23 00:05",
    ]
    requested.refresh_from_db()
    assert (requested.status, requested.start, requested.end) == (Status.ACTIVE, day(21), day(25))


def test_the_database_keeps_the_state_valid(requested: Internship) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Internship.objects.filter(pk=requested.pk).update(status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        Internship.objects.filter(pk=requested.pk).update(status=Status.CANCELLED)  # without a reason
    with pytest.raises(IntegrityError), transaction.atomic():
        Internship.objects.filter(pk=requested.pk).update(status=Status.ACCEPTED)  # without a mentor


# The wrong state, the wrong person.


@pytest.mark.parametrize(
    ("status", "transition", "message"),
    [
        (Status.DECLINED, "accept", "You cannot accept this request now: this internship was declined"),
        (
            Status.ACCEPTED,
            "decline",
            "You cannot decline this request now: this internship was already accepted",
        ),
        (
            Status.SCHEDULED,
            "counter",
            "You cannot propose other dates now: this internship was already confirmed",
        ),
        (Status.REQUESTED, "confirm", "You cannot confirm this internship now: this internship still waits"),
        (
            Status.ACTIVE,
            "confirm",
            "You cannot confirm this internship now: this internship has already started",
        ),
        (Status.COMPLETED, "cancel", "You cannot cancel this internship now: this internship is completed"),
        (Status.CANCELLED, "cancel", "You cannot cancel this internship now: this internship was cancelled"),
        (Status.CANCELLED, "accept_counter", "You cannot answer the proposed dates now"),
    ],
)
def test_a_transition_from_the_wrong_state_says_why(
    requested: Internship,
    owner: Any,
    host_owner: Any,
    mentor: Any,
    status: str,
    transition: str,
    message: str,
) -> None:
    Internship.objects.filter(pk=requested.pk).update(
        status=status, mentor=mentor, decline_reason="Full", cancel_reason="Ill"
    )
    InternshipEvent.objects.create(internship=requested, action=status, status=status, actor=host_owner)
    pk = requested.pk
    attempts = {
        "accept": lambda: accept_internship(internship_id=pk, accepted_by=host_owner, mentor=mentor),
        "decline": lambda: decline_internship(internship_id=pk, declined_by=host_owner, reason="No"),
        "counter": lambda: propose_other_dates(
            internship_id=pk, proposed_by=host_owner, start=day(21), end=day(25)
        ),
        "confirm": lambda: confirm_internship(internship_id=pk, confirmed_by=owner),
        "cancel": lambda: cancel_internship(internship_id=pk, cancelled_by=owner, reason="No"),
        "accept_counter": lambda: accept_other_dates(internship_id=pk, accepted_by=owner),
    }
    with pytest.raises(InternshipError, match=message):
        attempts[transition]()
    requested.refresh_from_db()
    assert requested.status == status


@pytest.mark.parametrize(
    "transition", ["accept", "decline", "counter", "confirm", "decline_counter", "cancel"]
)
def test_a_transition_by_the_wrong_person_is_forbidden(
    requested: Internship, owner: Any, intern: Any, mentor: Any, host_owner: Any, transition: str
) -> None:
    pk = requested.pk
    attempts = {
        # The learner's owner cannot answer for the host, nor the host's owner for the learner.
        "accept": lambda: accept_internship(internship_id=pk, accepted_by=owner, mentor=mentor),
        "decline": lambda: decline_internship(internship_id=pk, declined_by=intern, reason="No"),
        "counter": lambda: propose_other_dates(
            internship_id=pk, proposed_by=owner, start=day(21), end=day(25)
        ),
        "confirm": lambda: confirm_internship(internship_id=pk, confirmed_by=host_owner),
        "decline_counter": lambda: decline_other_dates(internship_id=pk, declined_by=host_owner),
        "cancel": lambda: cancel_internship(internship_id=pk, cancelled_by=intern, reason="No"),
    }
    with pytest.raises(PermissionDenied):
        attempts[transition]()
    assert InternshipEvent.objects.filter(internship=requested).count() == 1


# The reminder on day 3.


def test_the_hosts_owners_are_reminded_on_day_3_once(
    monday: Any,
    requested: Internship,
    host_owner: Any,
    host: Business,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    MembershipFactory.create(business=host, role=Membership.Role.MANAGER)  # managers are not reminded
    co_owner = MembershipFactory.create(business=host, role=Membership.Role.OWNER).user
    mailoutbox.clear()
    monday.shift(datetime.timedelta(days=2, hours=23))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 0
    monday.shift(datetime.timedelta(hours=1))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 2
    assert emails_to(mailoutbox) == sorted([host_owner.email, co_owner.email])
    assert "On-Demand Staffing waits for your answer" in mailoutbox[0].subject
    assert "Answer by 9 March 2026" in str(mailoutbox[0].body)
    monday.shift(datetime.timedelta(days=1))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 0
    assert len(mailoutbox) == 2


def test_the_day_3_reminder_waits_for_the_recipients_morning(
    monday: Any,
    requested: Internship,
    host_owner: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    host_owner.time_zone = "America/Los_Angeles"  # 09:00 UTC is 01:00 there
    host_owner.save(update_fields=["time_zone"])

    def reminders() -> list[str]:
        return [m.to[0] for m in mailoutbox if "waits for your answer" in m.subject]

    monday.shift(datetime.timedelta(days=3))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 1
    assert reminders() == []  # held, not sent at 01:00
    monday.shift(datetime.timedelta(hours=7, minutes=59))  # 08:59 in Los Angeles
    run(django_capture_on_commit_callbacks, relay_pending)
    assert reminders() == []
    monday.shift(datetime.timedelta(minutes=1))  # 09:00 in Los Angeles
    run(django_capture_on_commit_callbacks, relay_pending)
    assert reminders() == [host_owner.email]


def test_other_dates_waiting_for_the_learner_remind_the_learners_owners(
    monday: Any,
    requested: Internship,
    owner: Any,
    host_owner: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monday.shift(datetime.timedelta(days=1))
    propose_other_dates(internship_id=requested.pk, proposed_by=host_owner, start=day(21), end=day(25))
    mailoutbox.clear()
    monday.shift(datetime.timedelta(days=2, hours=12))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 0  # 2.5 days since the new dates
    monday.shift(datetime.timedelta(hours=12))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 1
    assert emails_to(mailoutbox) == [owner.email]
    assert "answer the dates Pixelcraft UX proposed" in mailoutbox[0].subject


def test_an_answered_request_is_not_reminded(
    monday: Any, scheduled: Internship, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monday.shift(datetime.timedelta(days=3))
    assert run(django_capture_on_commit_callbacks, remind_unanswered) == 0


# The expiry on day 7.


def test_a_request_unanswered_for_7_days_expires(
    monday: Any,
    requested: Internship,
    owner: Any,
    host_owner: Any,
    intern: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailoutbox.clear()
    monday.shift(datetime.timedelta(days=6, hours=23, minutes=59))
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 0
    monday.shift(datetime.timedelta(minutes=1))
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 1
    requested.refresh_from_db()
    assert (requested.status, requested.cancel_reason) == (Status.CANCELLED, NO_ANSWER)
    assert list(InternshipEvent.objects.filter(internship=requested).values_list("action", "actor"))[-1] == (
        "expired",
        None,
    )
    assert emails_to(mailoutbox) == sorted([owner.email, host_owner.email, intern.email])
    assert "Pixelcraft UX did not answer within 7 days" in str(mailoutbox[0].body)
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 0
    assert len(mailoutbox) == 3


def test_a_new_answer_restarts_the_seven_days(
    monday: Any, requested: Internship, host_owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monday.shift(datetime.timedelta(days=5))
    propose_other_dates(internship_id=requested.pk, proposed_by=host_owner, start=day(21), end=day(25))
    monday.shift(datetime.timedelta(days=5))
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 0
    monday.shift(datetime.timedelta(days=2))
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 1
    requested.refresh_from_db()
    assert requested.status == Status.CANCELLED


def test_an_accepted_request_never_expires(
    monday: Any, scheduled: Internship, django_capture_on_commit_callbacks: Any
) -> None:
    monday.shift(datetime.timedelta(days=8))
    assert run(django_capture_on_commit_callbacks, expire_unanswered) == 0
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


# Two days before the start; the start.


def test_the_intern_and_the_mentor_hear_two_days_before_the_start_once(
    monday: Any,
    scheduled: Internship,
    intern: Any,
    mentor: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailoutbox.clear()
    monday.move_to(datetime.datetime(2026, 3, 13, 7, 0, tzinfo=datetime.UTC))  # 3 days before day 14
    assert run(django_capture_on_commit_callbacks, notify_starting_soon) == 0
    monday.shift(datetime.timedelta(days=1))
    assert run(django_capture_on_commit_callbacks, notify_starting_soon) == 2
    assert emails_to(mailoutbox) == sorted([intern.email, mentor.email])
    assert all(message.subject.startswith("Starting Monday 16 March") for message in mailoutbox)
    monday.shift(datetime.timedelta(days=1))
    assert run(django_capture_on_commit_callbacks, notify_starting_soon) == 0
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(kind="internships.internship_starting_soon").count() == 2


def test_a_cancelled_internship_sends_no_starting_email(
    monday: Any, scheduled: Internship, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cancel_internship(internship_id=scheduled.pk, cancelled_by=owner, reason="Neha is ill.")
    monday.move_to(datetime.datetime(2026, 3, 14, 7, 0, tzinfo=datetime.UTC))
    assert run(django_capture_on_commit_callbacks, notify_starting_soon) == 0


def test_a_scheduled_internship_becomes_active_on_its_first_day(monday: Any, scheduled: Internship) -> None:
    monday.move_to(datetime.datetime(2026, 3, 15, 23, 59, tzinfo=datetime.UTC))
    assert activate_due() == 0
    monday.move_to(datetime.datetime(2026, 3, 16, 0, 1, tzinfo=datetime.UTC))
    assert lifecycle_tasks.activate_due_internships.delay().get() == 1
    scheduled.refresh_from_db()
    assert scheduled.status == Status.ACTIVE
    assert activate_due() == 0  # a second run finds nothing


def test_an_accepted_but_unconfirmed_internship_does_not_start(
    monday: Any, requested: Internship, host_owner: Any, mentor: Any
) -> None:
    accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)
    monday.move_to(datetime.datetime(2026, 3, 16, 8, 0, tzinfo=datetime.UTC))
    assert activate_due() == 0
    requested.refresh_from_db()
    assert requested.status == Status.ACCEPTED


def test_the_beat_tasks_run_their_services(monday: Any, requested: Internship) -> None:
    monday.shift(datetime.timedelta(days=3))
    assert lifecycle_tasks.remind_unanswered_requests.delay().get() == 1
    assert lifecycle_tasks.notify_internships_starting_soon.delay().get() == 0
    monday.shift(datetime.timedelta(days=4))
    assert lifecycle_tasks.expire_unanswered_requests.delay().get() == 1


# Two acceptances racing for the last place (PostgreSQL's row locks; SQLite serialises all writes anyway).


# Skipped before its database is set up: a transactional test empties the database when it ends.
@pytest.mark.skipif(
    connection.vendor != "postgresql" and os.environ.get("REQUIRE_SERVICES") != "1",
    reason="needs PostgreSQL's row locks (set REQUIRE_SERVICES=1 to make this a failure)",
)
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_racing_for_the_last_place_one_wins_and_the_other_is_told() -> None:
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")
    learner, host = BusinessFactory.create(name="Learner Ltd"), BusinessFactory.create(name="Host Ltd")
    practice = PracticeFactory.create()
    requester = MembershipFactory.create(business=learner, role=Membership.Role.OWNER).user
    rajeev = MembershipFactory.create(business=host, role=Membership.Role.OWNER, user__name="Rajeev").user
    arjun = MembershipFactory.create(business=host, role=Membership.Role.MANAGER, user__name="Arjun").user
    mentor = MembershipFactory.create(business=host).user
    match = MatchFactory.create(
        need=NeedFactory.create(business=learner, practice=practice),
        offer=OfferFactory.create(business=host, practice=practice, capacity=1),
        status=Match.Status.APPROVED,
    )
    start = timezone.localdate() + datetime.timedelta(days=7)
    first, second = (
        request_internship(
            match_id=match.pk,
            requested_by=requester,
            intern=MembershipFactory.create(business=learner).user,
            start=start,
            end=start + datetime.timedelta(days=4),
            objectives=[LEADS],
        )
        for _ in range(2)
    )
    first_holds_lock, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def accept(name: str, internship: Internship, manager: Any, hold: bool) -> None:
        try:
            with transaction.atomic():
                accept_internship(internship_id=internship.pk, accepted_by=manager, mentor=mentor)
                if hold:
                    first_holds_lock.set()
                    first_may_commit.wait(5)
            outcomes[name] = "accepted"
        except InternshipError as error:
            outcomes[name] = str(error)
        finally:
            connections.close_all()

    one = threading.Thread(target=accept, args=("first", first, rajeev, True))
    one.start()
    assert first_holds_lock.wait(5)
    two = threading.Thread(target=accept, args=("second", second, arjun, False))
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waiting for the offer's lock
    first_may_commit.set()
    one.join(5)
    two.join(5)

    assert outcomes["first"] == "accepted"
    assert outcomes["second"].startswith("The last place for these dates has just been taken")
    assert dict(Internship.objects.values_list("pk", "status")) == {
        first.pk: Status.ACCEPTED,
        second.pk: Status.REQUESTED,
    }
