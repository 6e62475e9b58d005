"""Requesting an internship from an approved match, and the answers to it: the host accepts (naming a
mentor), declines (with a reason) or proposes other dates; the learner answers them, then confirms;
either side cancels. Who may do each, from which state, with which message, and who is emailed."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from businesses.models import Blackout, Business, Invitation, Membership, Practice
from internships.models import Internship, InternshipEvent, Match, Objective
from internships.services.requests import (
    InternshipError,
    ObjectiveData,
    accept_internship,
    confirm_internship,
    propose_other_dates,
    request_internship,
)
from tests.factories import MatchFactory, MembershipFactory, NeedFactory, OfferFactory, UserFactory
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

Status = Internship.Status
LEADS = ObjectiveData(
    title="More organic leads", metric="organic leads per month", baseline=Decimal(5), target=Decimal(15)
)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


# The people: Afreen (owner), Manny (manager) and Neha (employee, the intern) of On-Demand Staffing, the
# learner; Rajeev owns Pixelcraft UX, the host, where Arjun (employee) mentors and Hana (employee) does not.


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
def host_employee(host: Business) -> Any:
    return MembershipFactory.create(
        business=host, user=UserFactory.create(email="hana@example.com", name="Hana")
    ).user


@pytest.fixture
def intern(member: Any) -> Any:
    return member


@pytest.fixture
def stranger(db: None) -> Any:
    """The owner of a third business: nothing to do with this internship."""
    return MembershipFactory.create(
        role=Membership.Role.OWNER, user=UserFactory.create(email="sam@example.com", name="Sam Stranger")
    ).user


@pytest.fixture
def match(
    business: Business, host: Business, lead_generation: Practice, owner: Any, host_owner: Any
) -> Match:
    """An approved match: Pixelcraft UX teaches On-Demand Staffing organic lead generation, 3 to 10 days,
    one intern at a time, from today for 120 days."""
    return MatchFactory.create(
        need=NeedFactory.create(business=business, practice=lead_generation),
        offer=OfferFactory.create(
            business=host, practice=lead_generation, capacity=1, min_days=3, max_days=10
        ),
        status=Match.Status.APPROVED,
        start=days(7),
        days=5,
    )


@pytest.fixture
def requested(match: Match, owner: Any, intern: Any) -> Internship:
    """Afreen asks Pixelcraft UX to take Neha from day 7 to day 11."""
    return request_internship(
        match_id=match.pk,
        requested_by=owner,
        intern=intern,
        start=days(7),
        end=days(11),
        objectives=[LEADS],
        message="Neha runs our social media.",
    )


@pytest.fixture
def countered(requested: Internship, host_owner: Any) -> Internship:
    return propose_other_dates(
        internship_id=requested.pk,
        proposed_by=host_owner,
        start=days(14),
        end=days(18),
        note="We are busier then",
    )


@pytest.fixture
def accepted(requested: Internship, host_owner: Any, mentor: Any) -> Internship:
    return accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)


@pytest.fixture
def scheduled(accepted: Internship, owner: Any) -> Internship:
    return confirm_internship(internship_id=accepted.pk, confirmed_by=owner)


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST as the browser would, running what the view defers to after its commit (the emails)."""

    def _post(path: str, data: dict[str, Any] | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {})

    return _post


def url(name: str, obj: Internship | Match) -> str:
    return reverse(f"internships:{name}", args=[obj.pk])


def request_data(
    intern: Any | None, start: datetime.date, end: datetime.date, **fields: str
) -> dict[str, str]:
    data = {
        "intern": str(intern.pk) if intern else "",
        "intern_email": "",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "message": "Neha runs our social media and wants to learn SEO.",
        "objectives-TOTAL_FORMS": "3",
        "objectives-INITIAL_FORMS": "0",
        "objectives-MIN_NUM_FORMS": "1",
        "objectives-MAX_NUM_FORMS": "10",
        "objectives-0-title": "More organic leads",
        "objectives-0-metric": "organic leads per month",
        "objectives-0-baseline": "5",
        "objectives-0-target": "15",
    }
    for row in (1, 2):
        for name in ("title", "metric", "baseline", "target"):
            data[f"objectives-{row}-{name}"] = ""
    data.update(fields)
    return data


def recipients(outbox: list[mail.EmailMessage]) -> set[str]:
    return {address for message in outbox for address in message.to}


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def events_of(internship: Internship) -> list[tuple[str, str, int | None]]:
    return list(
        InternshipEvent.objects.filter(internship=internship).values_list("action", "status", "actor")
    )


# Requesting: the form.


def test_the_request_form_suggests_the_practices_length_inside_the_offers_bounds(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    match.offer.practice.suggested_days = 15  # longer than the offer's longest stay
    match.offer.practice.save()
    client.force_login(owner)
    response = client.get(url("request", match))
    assert response.status_code == 200
    page = html_of(response)
    assert "We suggest 10 days" in page
    assert f'value="{days(7).isoformat()}"' in page
    assert f'value="{days(16).isoformat()}"' in page
    assert "Neha" in page  # a member to choose
    assert "Rajeev" not in page  # the host's owner is not one


def test_an_owner_requests_an_internship_and_the_host_and_intern_are_emailed(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    match: Match,
    intern: Any,
    host_owner: Any,
    mailoutbox: Any,
) -> None:
    client.force_login(owner)
    response = post(url("request", match), request_data(intern, days(7), days(11)))
    internship = Internship.objects.get()
    assert response.status_code == 302
    assert response["Location"] == internship.get_absolute_url()
    assert (internship.status, internship.intern, internship.requested_by) == (
        Status.REQUESTED,
        intern,
        owner,
    )
    assert (internship.start, internship.end, internship.offer, internship.host) == (
        days(7),
        days(11),
        match.offer,
        match.host,
    )
    assert list(Objective.objects.values_list("metric", "baseline", "target")) == [
        ("organic leads per month", Decimal(5), Decimal(15))
    ]
    assert events_of(internship) == [("requested", Status.REQUESTED, owner.pk)]
    assert recipients(mailoutbox) == {host_owner.email, intern.email}
    to_host = next(message for message in mailoutbox if message.to == [host_owner.email])
    assert "On-Demand Staffing asks Pixelcraft UX to host an intern" in to_host.subject
    assert f"http://testserver{url('accept', internship)}" in str(to_host.body)
    assert "Neha runs our social media" in str(to_host.body)


def test_a_manager_may_request_too(client: Client, manager: Any, match: Match, intern: Any) -> None:
    client.force_login(manager)
    assert client.post(url("request", match), request_data(intern, days(7), days(11))).status_code == 302
    assert Internship.objects.get().requested_by == manager


def test_the_request_emails_leave_only_once_the_request_is_saved(
    client: Client,
    owner: Any,
    match: Match,
    intern: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("request", match), request_data(intern, days(7), days(11)))
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2


def test_the_request_asks_anonymous_visitors_to_log_in(client: Client, match: Match) -> None:
    assert_asks_to_log_in(client.get(url("request", match)))


def test_the_request_is_not_found_by_strangers(client: Client, stranger: Any, match: Match) -> None:
    client.force_login(stranger)
    assert client.get(url("request", match)).status_code == 404


@pytest.mark.parametrize("persona", ["host_owner", "member", "moderator"])
def test_only_the_learners_owners_and_managers_request(
    client: Client, match: Match, persona: str, request: pytest.FixtureRequest, intern: Any
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("request", match)).status_code == 403
    assert client.post(url("request", match), request_data(intern, days(7), days(11))).status_code == 403
    assert not Internship.objects.exists()


@pytest.mark.parametrize("status", [Match.Status.PENDING, Match.Status.REJECTED, Match.Status.WITHDRAWN])
def test_an_internship_is_requested_only_from_an_approved_match(
    client: Client, owner: Any, match: Match, intern: Any, status: str
) -> None:
    Match.objects.filter(pk=match.pk).update(status=status, decision_note="They compete")
    client.force_login(owner)
    assert client.get(url("request", match)).status_code == 404
    with pytest.raises(InternshipError, match="only be requested from an approved match"):
        request_internship(
            match_id=match.pk,
            requested_by=owner,
            intern=intern,
            start=days(7),
            end=days(11),
            objectives=[LEADS],
        )


def test_the_request_rejects_other_methods(client: Client, owner: Any, match: Match) -> None:
    client.force_login(owner)
    assert client.put(url("request", match)).status_code == 405


def test_the_service_refuses_a_requester_who_does_not_manage_the_learner(
    match: Match, host_owner: Any, intern: Any
) -> None:
    with pytest.raises(PermissionDenied):
        request_internship(
            match_id=match.pk,
            requested_by=host_owner,
            intern=intern,
            start=days(7),
            end=days(11),
            objectives=[LEADS],
        )


# Requesting: bad input is explained, and nothing typed is lost.


def assert_refused(response: Any, *messages: str, existing: int = 0) -> str:
    assert response.status_code == 200
    page = html_of(response)
    assert "The request is not sent yet" in page
    for message in messages:
        assert message in page, message
    # What was typed is still there.
    assert "Neha runs our social media and wants to learn SEO." in page
    assert 'value="organic leads per month"' in page
    assert Internship.objects.count() == existing
    return page


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 3, "The internship cannot start in the past"),
        (110, 125, "Pixelcraft UX takes interns until"),
        (7, 8, "Pixelcraft UX takes interns for 3 days at least: these dates make 2."),
        (7, 20, "Pixelcraft UX takes interns for 10 days at most: these dates make 14."),
        (9, 7, "The last day cannot be before the first."),
    ],
)
def test_dates_outside_the_offers_bounds_are_explained(
    client: Client, owner: Any, match: Match, intern: Any, start: int, end: int, message: str
) -> None:
    client.force_login(owner)
    assert_refused(client.post(url("request", match), request_data(intern, days(start), days(end))), message)


def test_dates_before_the_offers_window_are_explained(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    match.offer.available_from = days(30)
    match.offer.save()
    client.force_login(owner)
    assert_refused(
        client.post(url("request", match), request_data(intern, days(7), days(11))),
        "Pixelcraft UX takes interns from",
    )


def test_dates_over_a_blackout_are_explained(client: Client, owner: Any, match: Match, intern: Any) -> None:
    Blackout.objects.create(offer=match.offer, start=days(10), end=days(12), reason="Trade fair")
    client.force_login(owner)
    assert_refused(
        client.post(url("request", match), request_data(intern, days(7), days(11))),
        "Pixelcraft UX cannot host from",
        "(Trade fair)",
    )


def test_an_intern_who_is_not_a_member_is_refused_clearly(
    client: Client, owner: Any, match: Match, mentor: Any
) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(url("request", match), request_data(mentor, days(7), days(11))),
        "Choose one of On-Demand Staffing&#x27;s members: this person is not a member.",
    )


def test_an_intern_is_required(client: Client, owner: Any, match: Match) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(url("request", match), request_data(None, days(7), days(11))),
        "Choose the colleague you send, or invite one by email.",
    )


def test_a_colleague_and_an_invitation_at_once_are_refused(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(
            url("request", match), request_data(intern, days(7), days(11), intern_email="new@example.com")
        ),
        "Choose a colleague or invite one by email, not both.",
    )


def test_an_objective_without_a_target_is_refused(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(
            url("request", match), request_data(intern, days(7), days(11), **{"objectives-0-target": ""})
        ),
        "Give the target: the number you want to reach.",
    )


def test_an_objective_whose_target_is_its_baseline_is_refused(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(
            url("request", match), request_data(intern, days(7), days(11), **{"objectives-0-target": "5"})
        ),
        "The target must differ from today&#x27;s number",
    )


def test_at_least_one_objective_is_required(client: Client, owner: Any, match: Match, intern: Any) -> None:
    data = request_data(intern, days(7), days(11))
    for name in ("title", "metric", "baseline", "target"):
        data[f"objectives-0-{name}"] = ""
    data["message"] = "Neha runs our social media and wants to learn SEO."
    client.force_login(owner)
    response = client.post(url("request", match), data)
    assert response.status_code == 200
    assert "Write at least one objective" in html_of(response)
    assert not Internship.objects.exists()


def test_a_second_objective_is_kept(client: Client, owner: Any, match: Match, intern: Any) -> None:
    data = request_data(
        intern,
        days(7),
        days(11),
        **{
            "objectives-1-title": "Faster replies",
            "objectives-1-metric": "hours to answer a lead",
            "objectives-1-baseline": "48",
            "objectives-1-target": "4.5",
        },
    )
    client.force_login(owner)
    assert client.post(url("request", match), data).status_code == 302
    assert list(Objective.objects.values_list("title", "target", "position")) == [
        ("More organic leads", Decimal(15), 0),
        ("Faster replies", Decimal("4.5"), 1),
    ]


def test_an_intern_already_away_then_is_refused(
    client: Client, owner: Any, requested: Internship, intern: Any
) -> None:
    client.force_login(owner)
    assert_refused(
        client.post(url("request", requested.match), request_data(intern, days(9), days(13))),
        "Neha already has an internship at Pixelcraft UX",
        existing=1,
    )


def test_a_paused_offer_takes_no_request(client: Client, owner: Any, match: Match, intern: Any) -> None:
    match.offer.status = "paused"
    match.offer.save()
    client.force_login(owner)
    assert_refused(
        client.post(url("request", match), request_data(intern, days(7), days(11))),
        "Pixelcraft UX has paused this offer",
    )


# Requesting for a colleague not on Peership yet.


def test_an_intern_invited_by_email_is_invited_to_the_learner(
    post: Callable[..., Any], client: Client, owner: Any, match: Match, business: Business, mailoutbox: Any
) -> None:
    client.force_login(owner)
    response = post(
        url("request", match), request_data(None, days(7), days(11), intern_email="Ravi@Example.com")
    )
    assert response.status_code == 302
    internship = Internship.objects.get()
    assert (internship.intern, internship.intern_email) == (None, "ravi@example.com")
    invitation = Invitation.objects.get()
    assert (invitation.business, invitation.email, invitation.role) == (
        business,
        "ravi@example.com",
        "employee",
    )
    assert "ravi@example.com" in recipients(mailoutbox)  # the invitation


def test_an_email_of_a_member_names_that_member(
    client: Client, owner: Any, match: Match, intern: Any
) -> None:
    client.force_login(owner)
    client.post(url("request", match), request_data(None, days(7), days(11), intern_email="NEHA@example.com"))
    internship = Internship.objects.get()
    assert (internship.intern, internship.intern_email) == (intern, "")
    assert not Invitation.objects.exists()


# The host's answer: who may give it.


ANSWER_PAGES = ["accept", "decline", "counter"]


@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_the_host_sees_the_request_to_answer(
    client: Client, host_owner: Any, requested: Internship, page: str, mentor: Any
) -> None:
    client.force_login(host_owner)
    response = client.get(url(page, requested))
    assert response.status_code == 200
    body = html_of(response)
    assert "Answer the request of On-Demand Staffing" in body
    assert "organic leads per month from 5 to 15" in body
    assert "Arjun" in body  # a mentor to choose


@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_the_answer_asks_anonymous_visitors_to_log_in(
    client: Client, requested: Internship, page: str
) -> None:
    assert_asks_to_log_in(client.get(url(page, requested)))
    assert_asks_to_log_in(client.post(url(page, requested)))


@pytest.mark.parametrize("page", ANSWER_PAGES)
@pytest.mark.parametrize("persona", ["stranger", "host_employee", "user"])
def test_the_answer_is_not_found_by_anyone_else(
    client: Client, requested: Internship, page: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(page, requested)).status_code == 404
    assert client.post(url(page, requested)).status_code == 404


@pytest.mark.parametrize("page", ANSWER_PAGES)
@pytest.mark.parametrize("persona", ["owner", "manager", "intern", "moderator"])
def test_only_the_hosts_owners_and_managers_answer(
    client: Client, requested: Internship, page: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(page, requested)).status_code == 403
    assert client.post(url(page, requested), {"decline-reason": "No"}).status_code == 403
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


@pytest.mark.parametrize("page", ANSWER_PAGES)
def test_the_answer_rejects_other_methods(
    client: Client, host_owner: Any, requested: Internship, page: str
) -> None:
    client.force_login(host_owner)
    assert client.put(url(page, requested)).status_code == 405


# Accepting.


def test_the_host_accepts_naming_a_mentor(
    post: Callable[..., Any],
    client: Client,
    host_owner: Any,
    requested: Internship,
    mentor: Any,
    owner: Any,
    intern: Any,
    mailoutbox: Any,
) -> None:
    client.force_login(host_owner)
    mailoutbox.clear()
    response = post(url("accept", requested), {"accept-mentor": mentor.pk})
    assert response.status_code == 302
    assert response["Location"] == requested.get_absolute_url()
    requested.refresh_from_db()
    assert (requested.status, requested.mentor) == (Status.ACCEPTED, mentor)
    assert events_of(requested)[-1] == ("accepted", Status.ACCEPTED, host_owner.pk)
    assert recipients(mailoutbox) == {owner.email, intern.email, mentor.email}
    to_learner = next(message for message in mailoutbox if message.to == [owner.email])
    assert "Pixelcraft UX accepted" in to_learner.subject
    assert f"http://testserver{url('confirm', requested)}" in str(to_learner.body)


def test_the_mentor_must_be_one_of_the_hosts_members(
    client: Client, host_owner: Any, requested: Internship, manager: Any
) -> None:
    client.force_login(host_owner)
    response = client.post(url("accept", requested), {"accept-mentor": manager.pk})
    assert response.status_code == 200
    assert "Choose the mentor among Pixelcraft UX&#x27;s members" in html_of(response)
    requested.refresh_from_db()
    assert (requested.status, requested.mentor) == (Status.REQUESTED, None)
    with pytest.raises(InternshipError, match="is not a member of Pixelcraft UX"):
        accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=manager)


def test_a_mentor_is_required(client: Client, host_owner: Any, requested: Internship) -> None:
    client.force_login(host_owner)
    response = client.post(url("accept", requested), {"accept-mentor": ""})
    assert response.status_code == 200
    assert "Name the intern&#x27;s mentor" in html_of(response)


def test_accepting_twice_says_who_accepted_first(
    client: Client, host_owner: Any, accepted: Internship, mentor: Any
) -> None:
    client.force_login(host_owner)
    response = client.post(url("accept", accepted), {"accept-mentor": mentor.pk})
    assert response.status_code == 200
    assert "You cannot accept this request now: this internship was already accepted by Rajeev on" in html_of(
        response
    )


def test_the_answer_page_of_an_answered_request_says_so(
    client: Client, host_owner: Any, accepted: Internship
) -> None:
    client.force_login(host_owner)
    response = client.get(url("accept", accepted))
    assert response.status_code == 302
    assert response["Location"] == accepted.get_absolute_url()
    [message] = messages_of(response)
    assert "this internship was already accepted by Rajeev" in message


def test_a_request_whose_start_has_passed_cannot_be_accepted(
    host_owner: Any, requested: Internship, mentor: Any
) -> None:
    Internship.objects.filter(pk=requested.pk).update(start=days(-1))
    with pytest.raises(InternshipError, match="which has passed: propose other dates instead"):
        accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)


def test_the_last_place_cannot_be_taken_twice(
    client: Client,
    host_owner: Any,
    requested: Internship,
    mentor: Any,
    match: Match,
    manager: Any,
    business: Business,
) -> None:
    other_intern = MembershipFactory.create(business=business).user
    second = request_internship(
        match_id=match.pk,
        requested_by=manager,
        intern=other_intern,
        start=days(9),
        end=days(13),
        objectives=[LEADS],
    )
    accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)
    client.force_login(host_owner)
    response = client.post(url("accept", second), {"accept-mentor": mentor.pk})
    assert response.status_code == 200
    assert "The last place for these dates has just been taken" in html_of(response)
    second.refresh_from_db()
    assert second.status == Status.REQUESTED


def test_a_place_is_free_again_on_other_days_or_with_more_capacity(
    host_owner: Any, requested: Internship, mentor: Any, match: Match, manager: Any, business: Business
) -> None:
    accept_internship(internship_id=requested.pk, accepted_by=host_owner, mentor=mentor)
    later = request_internship(
        match_id=match.pk,
        requested_by=manager,
        intern=MembershipFactory.create(business=business).user,
        start=days(12),
        end=days(15),
        objectives=[LEADS],
    )
    assert (
        accept_internship(internship_id=later.pk, accepted_by=host_owner, mentor=mentor).status
        == Status.ACCEPTED
    )
    match.offer.capacity = 2
    match.offer.save()
    meanwhile = request_internship(
        match_id=match.pk,
        requested_by=manager,
        intern=MembershipFactory.create(business=business).user,
        start=days(8),
        end=days(10),
        objectives=[LEADS],
    )
    assert (
        accept_internship(internship_id=meanwhile.pk, accepted_by=host_owner, mentor=mentor).status
        == Status.ACCEPTED
    )


# Declining.


def test_the_host_declines_with_a_reason_the_learner_reads(
    post: Callable[..., Any],
    client: Client,
    host_owner: Any,
    requested: Internship,
    owner: Any,
    intern: Any,
    mailoutbox: Any,
) -> None:
    client.force_login(host_owner)
    mailoutbox.clear()
    response = post(
        url("decline", requested), {"decline-reason": "Our marketing lead is on leave that month."}
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.decline_reason) == (
        Status.DECLINED,
        "Our marketing lead is on leave that month.",
    )
    assert events_of(requested)[-1] == ("declined", Status.DECLINED, host_owner.pk)
    assert recipients(mailoutbox) == {owner.email, intern.email}
    assert all("Our marketing lead is on leave that month." in str(message.body) for message in mailoutbox)
    client.force_login(owner)
    assert "Our marketing lead is on leave that month." in html_of(client.get(requested.get_absolute_url()))


def test_declining_needs_a_reason(client: Client, host_owner: Any, requested: Internship) -> None:
    client.force_login(host_owner)
    response = client.post(url("decline", requested), {"decline-reason": "  "})
    assert response.status_code == 200
    assert "Say why you decline: the requesting business will read it." in html_of(response)
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_a_declined_request_cannot_be_accepted(
    client: Client, host_owner: Any, requested: Internship, mentor: Any
) -> None:
    client.force_login(host_owner)
    client.post(url("decline", requested), {"decline-reason": "Full."})
    response = client.post(url("accept", requested), {"accept-mentor": mentor.pk})
    assert response.status_code == 200
    assert "this internship was declined by Rajeev on" in html_of(response)


# Other dates.


def test_the_host_proposes_other_dates_and_the_learner_is_asked(
    post: Callable[..., Any],
    client: Client,
    host_owner: Any,
    requested: Internship,
    owner: Any,
    mailoutbox: Any,
) -> None:
    client.force_login(host_owner)
    mailoutbox.clear()
    response = post(
        url("counter", requested),
        {
            "counter-start": days(14).isoformat(),
            "counter-end": days(18).isoformat(),
            "counter-note": "Quieter then",
        },
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.counter_start, requested.counter_end, requested.counter_note) == (
        Status.REQUESTED,
        days(14),
        days(18),
        "Quieter then",
    )
    assert events_of(requested)[-1] == ("counter-proposed", Status.REQUESTED, host_owner.pk)
    assert recipients(mailoutbox) == {owner.email}  # the learner's owner; not the intern yet
    assert f"http://testserver{url('accept_counter', requested)}" in str(mailoutbox[0].body)


def test_other_dates_are_checked_like_the_request(
    client: Client, host_owner: Any, requested: Internship
) -> None:
    client.force_login(host_owner)
    response = client.post(
        url("counter", requested),
        {
            "counter-start": days(14).isoformat(),
            "counter-end": days(30).isoformat(),
            "counter-note": "Longer",
        },
    )
    assert response.status_code == 200
    page = html_of(response)
    assert "Pixelcraft UX takes interns for 10 days at most" in page
    assert "Longer</textarea>" in page
    requested.refresh_from_db()
    assert requested.counter_start is None


def test_other_dates_must_differ_from_the_request(
    client: Client, host_owner: Any, requested: Internship
) -> None:
    client.force_login(host_owner)
    response = client.post(
        url("counter", requested), {"counter-start": days(7).isoformat(), "counter-end": days(11).isoformat()}
    )
    assert response.status_code == 200
    assert "These are the requested dates" in html_of(response)


def test_the_host_waits_for_the_answer_to_its_dates_before_accepting(
    client: Client, host_owner: Any, countered: Internship, mentor: Any
) -> None:
    client.force_login(host_owner)
    assert "You proposed other dates" in html_of(client.get(url("accept", countered)))
    response = client.post(url("accept", countered), {"accept-mentor": mentor.pk})
    assert response.status_code == 200
    assert "wait for On-Demand Staffing&#x27;s answer" in html_of(response)


# The learner's answer to other dates.


COUNTER_PAGES = ["accept_counter", "decline_counter"]


@pytest.mark.parametrize("page", COUNTER_PAGES)
def test_the_learner_sees_the_other_dates(
    client: Client, owner: Any, countered: Internship, page: str
) -> None:
    client.force_login(owner)
    response = client.get(url(page, countered))
    assert response.status_code == 200
    assert "Pixelcraft UX proposes other dates" in html_of(response)
    assert "We are busier then" in html_of(response)


@pytest.mark.parametrize("page", COUNTER_PAGES)
def test_the_counter_answer_asks_anonymous_visitors_to_log_in(
    client: Client, countered: Internship, page: str
) -> None:
    assert_asks_to_log_in(client.get(url(page, countered)))


@pytest.mark.parametrize("page", COUNTER_PAGES)
def test_the_counter_answer_is_not_found_by_strangers(
    client: Client, stranger: Any, countered: Internship, page: str
) -> None:
    client.force_login(stranger)
    assert client.get(url(page, countered)).status_code == 404
    assert client.post(url(page, countered)).status_code == 404


@pytest.mark.parametrize("page", COUNTER_PAGES)
@pytest.mark.parametrize("persona", ["host_owner", "intern"])
def test_only_the_learners_owners_and_managers_answer_other_dates(
    client: Client, countered: Internship, page: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(page, countered)).status_code == 403
    assert client.post(url(page, countered)).status_code == 403


@pytest.mark.parametrize("page", COUNTER_PAGES)
def test_the_counter_answer_rejects_other_methods(
    client: Client, owner: Any, countered: Internship, page: str
) -> None:
    client.force_login(owner)
    assert client.put(url(page, countered)).status_code == 405


def test_the_learner_takes_the_other_dates_and_the_host_then_accepts(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    host_owner: Any,
    countered: Internship,
    mentor: Any,
    mailoutbox: Any,
) -> None:
    client.force_login(owner)
    mailoutbox.clear()
    response = post(url("accept_counter", countered))
    assert response.status_code == 302
    countered.refresh_from_db()
    assert (countered.status, countered.start, countered.end, countered.counter_start) == (
        Status.REQUESTED,
        days(14),
        days(18),
        None,
    )
    assert events_of(countered)[-1] == ("counter-accepted", Status.REQUESTED, owner.pk)
    assert recipients(mailoutbox) == {host_owner.email}
    assert f"http://testserver{url('accept', countered)}" in str(mailoutbox[0].body)
    accepted = accept_internship(internship_id=countered.pk, accepted_by=host_owner, mentor=mentor)
    assert accepted.status == Status.ACCEPTED


def test_the_learner_declines_the_other_dates_and_the_request_is_cancelled(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    host_owner: Any,
    intern: Any,
    countered: Internship,
    mailoutbox: Any,
) -> None:
    client.force_login(owner)
    mailoutbox.clear()
    response = post(url("decline_counter", countered), {"counter_decline-reason": "Neha is away then."})
    assert response.status_code == 302
    countered.refresh_from_db()
    assert (countered.status, countered.cancel_reason) == (
        Status.CANCELLED,
        "The proposed dates did not suit us: Neha is away then.",
    )
    assert events_of(countered)[-1] == ("counter-declined", Status.CANCELLED, owner.pk)
    assert recipients(mailoutbox) == {host_owner.email, intern.email}


def test_a_reason_typed_while_the_host_withdrew_the_dates_comes_back_in_the_message(
    client: Client, owner: Any, countered: Internship
) -> None:
    client.force_login(owner)
    Internship.objects.filter(pk=countered.pk).update(counter_start=None, counter_end=None, counter_note="")
    response = client.post(
        url("decline_counter", countered), {"counter_decline-reason": "Neha is away then."}
    )
    assert response.status_code == 302
    assert (
        "There are no other dates to answer: the host has not proposed any. "
        "Your reason was not sent; you wrote: “Neha is away then.”"
    ) in messages_of(response)
    countered.refresh_from_db()
    assert countered.status == Status.REQUESTED


def test_there_is_no_counter_answer_without_other_dates(
    client: Client, owner: Any, requested: Internship
) -> None:
    client.force_login(owner)
    response = client.get(url("accept_counter", requested))
    assert response.status_code == 302
    response = client.post(url("accept_counter", requested))
    assert response.status_code == 302
    assert "There are no other dates to answer: the host has not proposed any." in messages_of(response)


# Confirming.


def test_the_learner_confirms_and_the_internship_is_scheduled(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    host_owner: Any,
    intern: Any,
    mentor: Any,
    accepted: Internship,
    mailoutbox: Any,
) -> None:
    client.force_login(owner)
    assert client.get(url("confirm", accepted)).status_code == 200
    mailoutbox.clear()
    response = post(url("confirm", accepted))
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Status.SCHEDULED
    assert events_of(accepted)[-1] == ("scheduled", Status.SCHEDULED, owner.pk)
    assert recipients(mailoutbox) == {host_owner.email, intern.email, mentor.email}


def test_an_invited_intern_must_join_before_the_internship_is_confirmed(
    client: Client, owner: Any, host_owner: Any, mentor: Any, match: Match, business: Business
) -> None:
    internship = request_internship(
        match_id=match.pk,
        requested_by=owner,
        intern_email="ravi@example.com",
        start=days(7),
        end=days(11),
        objectives=[LEADS],
    )
    accept_internship(internship_id=internship.pk, accepted_by=host_owner, mentor=mentor)
    client.force_login(owner)
    response = client.post(url("confirm", internship))
    assert response.status_code == 302
    [message] = messages_of(response)
    assert "ravi@example.com has not joined On-Demand Staffing yet" in message
    internship.refresh_from_db()
    assert internship.status == Status.ACCEPTED

    ravi = MembershipFactory.create(business=business, user=UserFactory.create(email="ravi@example.com")).user
    client.post(url("confirm", internship))
    internship.refresh_from_db()
    assert (internship.status, internship.intern, internship.intern_email) == (Status.SCHEDULED, ravi, "")


def test_only_an_accepted_internship_is_confirmed(client: Client, owner: Any, requested: Internship) -> None:
    client.force_login(owner)
    response = client.get(url("confirm", requested))
    assert response.status_code == 302
    response = client.post(url("confirm", requested))
    assert (
        "You cannot confirm this internship now: this internship still waits for the host's answer."
        in messages_of(response)
    )


def test_confirming_asks_anonymous_visitors_to_log_in(client: Client, accepted: Internship) -> None:
    assert_asks_to_log_in(client.get(url("confirm", accepted)))


def test_confirming_is_not_found_by_strangers(client: Client, stranger: Any, accepted: Internship) -> None:
    client.force_login(stranger)
    assert client.get(url("confirm", accepted)).status_code == 404


@pytest.mark.parametrize("persona", ["host_owner", "mentor", "intern"])
def test_only_the_learners_owners_and_managers_confirm(
    client: Client, accepted: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("confirm", accepted)).status_code == 403
    assert client.post(url("confirm", accepted)).status_code == 403
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


def test_confirming_rejects_other_methods(client: Client, owner: Any, accepted: Internship) -> None:
    client.force_login(owner)
    assert client.put(url("confirm", accepted)).status_code == 405


# Cancelling.


def test_the_learner_cancels_with_a_reason_and_the_others_are_told(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    host_owner: Any,
    intern: Any,
    mentor: Any,
    scheduled: Internship,
    mailoutbox: Any,
) -> None:
    client.force_login(owner)
    assert client.get(url("cancel", scheduled)).status_code == 200
    mailoutbox.clear()
    response = post(url("cancel", scheduled), {"reason": "Neha is ill."})
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.cancel_reason) == (Status.CANCELLED, "Neha is ill.")
    assert events_of(scheduled)[-1] == ("cancelled", Status.CANCELLED, owner.pk)
    assert recipients(mailoutbox) == {host_owner.email, intern.email, mentor.email}
    assert all("Neha is ill." in str(message.body) for message in mailoutbox)


def test_the_host_may_cancel_too_and_the_learner_is_told(
    post: Callable[..., Any],
    client: Client,
    owner: Any,
    host_owner: Any,
    accepted: Internship,
    mailoutbox: Any,
) -> None:
    client.force_login(host_owner)
    mailoutbox.clear()
    post(url("cancel", accepted), {"reason": "Our office floods."})
    accepted.refresh_from_db()
    assert accepted.status == Status.CANCELLED
    assert owner.email in recipients(mailoutbox)
    assert host_owner.email not in recipients(mailoutbox)


def test_cancelling_needs_a_reason(client: Client, owner: Any, requested: Internship) -> None:
    client.force_login(owner)
    response = client.post(url("cancel", requested), {"reason": ""})
    assert response.status_code == 200
    assert "Say why you cancel" in html_of(response)
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.FOLLOWED_UP, Status.DECLINED, Status.CANCELLED])
def test_a_finished_internship_cannot_be_cancelled(
    client: Client, owner: Any, scheduled: Internship, status: str
) -> None:
    Internship.objects.filter(pk=scheduled.pk).update(status=status, decline_reason="x", cancel_reason="x")
    client.force_login(owner)
    response = client.post(url("cancel", scheduled), {"reason": "Changed our minds."})
    assert response.status_code == 200
    assert "You cannot cancel this internship now" in html_of(response)
    assert "Changed our minds." in html_of(response)
    scheduled.refresh_from_db()
    assert scheduled.status == status
    assert client.get(url("cancel", scheduled)).status_code == 302


def test_cancelling_asks_anonymous_visitors_to_log_in(client: Client, requested: Internship) -> None:
    assert_asks_to_log_in(client.get(url("cancel", requested)))


def test_cancelling_is_not_found_by_strangers(client: Client, stranger: Any, requested: Internship) -> None:
    client.force_login(stranger)
    assert client.post(url("cancel", requested), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ["intern", "mentor"])
def test_the_intern_and_the_mentor_do_not_cancel(
    client: Client, scheduled: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("cancel", scheduled)).status_code == 403
    assert client.post(url("cancel", scheduled), {"reason": "x"}).status_code == 403


def test_cancelling_rejects_other_methods(client: Client, owner: Any, requested: Internship) -> None:
    client.force_login(owner)
    assert client.put(url("cancel", requested)).status_code == 405
