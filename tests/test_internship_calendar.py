"""The internship's .ics export, read back with icalendar: one all-day event for its dates (DTEND the day
after the last, as RFC 5545 wants) and one for each weekly report's due date (the last day of each week,
weeks counted from the start date), with stable UIDs and a DTSTAMP; for the intern, the mentor and the two
businesses' owners and managers."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from businesses.models import Business, Membership, Practice
from internships.models import Internship
from tests.factories import InternshipFactory, MembershipFactory
from tests.helpers import assert_asks_to_log_in

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 13)  # 12 days: week 1 is 2–8 March, week 2 is 9–13 March


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
):
    return InternshipFactory.create(
        match__need__business=business,
        match__need__practice=lead_generation,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.SCHEDULED,
    )


def calendar_url(internship: Internship) -> str:
    return reverse("internships:calendar", args=[internship.pk])


def download(client: Client, internship: Internship) -> Calendar:
    response = client.get(calendar_url(internship))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_the_intern_downloads_an_ics_file(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    response = client.get(calendar_url(internship))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="peership-internship-{internship.pk}.ics"'
    )
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_internship_is_one_all_day_event_whose_end_is_the_day_after_the_last(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    calendar = download(client, internship)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == "-//Peership//Internships//EN"
    event = calendar.events[0]
    assert event.start == date(2026, 3, 2) and not isinstance(event.start, datetime)  # all-day
    assert event.end == date(2026, 3, 14)  # exclusive: the internship's last day is the 13th
    assert str(event["SUMMARY"]) == "Internship: Lead generation (organic) at Pixelcraft UX"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "http://testserver" + internship.get_absolute_url()
    assert "Neha from On-Demand Staffing" in str(event["DESCRIPTION"])
    assert "mentored by Arjun Mentor" in str(event["DESCRIPTION"])


def test_each_weekly_report_due_date_is_an_event_on_the_last_day_of_its_week(
    client: Client, internship: Internship, mentor: Any
) -> None:
    client.force_login(mentor)
    reports = download(client, internship).events[1:]
    assert [(event.start, event.end) for event in reports] == [
        (date(2026, 3, 8), date(2026, 3, 9)),
        (date(2026, 3, 13), date(2026, 3, 14)),
    ]
    assert [str(event["SUMMARY"]) for event in reports] == [
        "Weekly report due: week 1 of the Lead generation (organic) internship",
        "Weekly report due: week 2 of the Lead generation (organic) internship",
    ]
    assert all(str(event["TRANSP"]) == "TRANSPARENT" for event in reports)


def test_uids_are_unique_and_stable_and_every_event_is_stamped(
    client: Client, internship: Internship, member: Any
) -> None:
    client.force_login(member)
    with time_machine.travel(datetime(2026, 2, 20, 9, 30, tzinfo=UTC), tick=False):
        first = download(client, internship)
    second = download(client, internship)
    uids = [str(event["UID"]) for event in first.events]
    assert len(set(uids)) == len(uids) == 3
    assert uids == [str(event["UID"]) for event in second.events]  # re-importing updates, not duplicates
    assert uids[0] == f"internship-{internship.pk}@testserver"
    stamp = first.events[0].DTSTAMP
    assert (stamp.date(), stamp.hour, stamp.minute, stamp.utcoffset()) == (
        date(2026, 2, 20),
        9,
        30,
        timedelta(0),
    )
    assert all(event.DTSTAMP is not None for event in second.events)


@pytest.mark.parametrize(("status", "expected"), [("requested", "TENTATIVE"), ("cancelled", "CANCELLED")])
def test_the_events_say_whether_the_internship_is_tentative_or_cancelled(
    client: Client, internship: Internship, owner: Any, status: str, expected: str
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Budget cut")
    client.force_login(owner)
    assert {str(event["STATUS"]) for event in download(client, internship).events} == {expected}


@pytest.mark.parametrize("persona", ["member", "mentor", "owner", "manager", "host_owner"])
def test_the_intern_the_mentor_and_both_businesses_managers_get_the_calendar(
    client: Client, internship: Internship, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(calendar_url(internship)).status_code == 200


def test_a_moderator_sees_the_internship_but_gets_no_calendar(
    client: Client, internship: Internship, moderator: Any
) -> None:
    client.force_login(moderator)
    assert client.get(calendar_url(internship)).status_code == 403


def test_the_calendar_is_404_for_outsiders_and_other_employees(
    client: Client, internship: Internship, business: Business
) -> None:
    client.force_login(MembershipFactory.create(role=Membership.Role.OWNER).user)
    assert client.get(calendar_url(internship)).status_code == 404
    client.force_login(MembershipFactory.create(business=business).user)
    assert client.get(calendar_url(internship)).status_code == 404


def test_the_calendar_asks_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.get(calendar_url(internship)))


def test_the_calendar_rejects_a_post(client: Client, internship: Internship, member: Any) -> None:
    client.force_login(member)
    assert client.post(calendar_url(internship)).status_code == 405


def test_the_page_links_to_the_calendar_for_those_who_may_download_it(
    client: Client, internship: Internship, member: Any, moderator: Any
) -> None:
    client.force_login(member)
    assert calendar_url(internship) in client.get(internship.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert calendar_url(internship) not in client.get(internship.get_absolute_url()).content.decode()
