"""Follow-ups at +30, +60 and +90 days: the sending business's owners and managers record each objective's
metric (against its baseline and target), whether the practice is adopted, and whether more help is needed
(which opens a new need); once the +90-day follow-up is recorded the internship is followed up. The page
charts each metric: baseline → target → actual at each follow-up, with a table of the same figures."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from businesses.models import Business, Membership, Need, Practice
from feedback.charts_followups import MetricSeries, follow_up_chart
from feedback.models import FollowUp, Measurement
from feedback.services.followups import (
    FollowUpError,
    MoreHelp,
    record_follow_up,
    schedule_follow_ups,
)
from internships.models import Internship, InternshipEvent, Objective
from internships.services.follow_up import mark_followed_up
from internships.services.requests import InternshipError
from tests.factories import (
    BusinessFactory,
    InternshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    UserFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 13)
DUE = {30: date(2026, 4, 12), 60: date(2026, 5, 12), 90: date(2026, 6, 11)}


@pytest.fixture
def stranger(db: None) -> Any:
    return MembershipFactory.create(
        business=BusinessFactory.create(name="Third Shop"),
        user=UserFactory.create(email="stranger@example.com"),
        role=Membership.Role.OWNER,
    ).user


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
) -> Internship:
    """Neha from On-Demand Staffing learned organic lead generation at Pixelcraft UX (aiming 1 → 4)."""
    internship = InternshipFactory.create(
        match__need__business=business,
        match__need__practice=lead_generation,
        match__need__current_level=1,
        match__need__target_level=4,
        match__offer__business=other_business,
        intern=member,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.COMPLETED,
    )
    ObjectiveFactory.create(
        internship=internship,
        title="More organic leads",
        metric="organic leads per month",
        baseline=5,
        target=15,
    )
    ObjectiveFactory.create(
        internship=internship,
        title="Faster replies",
        metric="hours to reply",
        baseline=48,
        target=24,
        position=1,
    )
    return internship


def objectives(internship: Internship) -> list[Objective]:
    return list(internship.objectives.order_by("position"))


def list_url(internship: Internship) -> str:
    return reverse("feedback:outcomes_follow_ups", kwargs={"pk": internship.pk})


def record_url(internship: Internship, day: int) -> str:
    return reverse("feedback:outcomes_follow_up", kwargs={"pk": internship.pk, "day": day})


def form(
    internship: Internship, *, leads: str = "9", hours: str = "36", adopted: str = "yes", **more: str
) -> dict:
    first, second = objectives(internship)
    return {f"objective_{first.pk}": leads, f"objective_{second.pk}": hours, "adopted": adopted, **more}


def record(internship: Internship, day: int, person: Any, *, leads: int = 9, **kwargs: Any) -> FollowUp:
    first, second = objectives(internship)
    return record_follow_up(
        internship_id=internship.pk,
        day=day,
        recorded_by=person,
        actuals={first.pk: Decimal(leads), second.pk: Decimal(30)},
        adopted=kwargs.pop("adopted", True),
        today=kwargs.pop("today", DUE[day]),
        **kwargs,
    )


def status_of(internship: Internship) -> str:
    internship.refresh_from_db(fields=["status"])
    return internship.status


# Scheduling.


def test_a_completed_internship_gets_three_follow_ups_once(internship: Internship) -> None:
    first = schedule_follow_ups(internship=internship)
    again = schedule_follow_ups(internship=internship)
    assert [(f.day, f.due) for f in first] == sorted(DUE.items())
    assert [f.pk for f in again] == [f.pk for f in first]
    assert FollowUp.objects.count() == 3


@pytest.mark.parametrize("status", [Internship.Status.ACTIVE, Internship.Status.SCHEDULED])
def test_nothing_is_scheduled_before_completion(internship: Internship, status: str) -> None:
    internship.status = status
    assert schedule_follow_ups(internship=internship) == []
    assert not FollowUp.objects.exists()


# Recording.


def test_a_due_follow_up_records_each_metric(internship: Internship, owner: Any) -> None:
    saved = record(internship, 30, owner, leads=9, notes="  Two articles out.  ")
    assert (saved.adopted, saved.more_help_needed, saved.notes, saved.recorded_by) == (
        True,
        False,
        "Two articles out.",
        owner,
    )
    assert saved.recorded_at is not None and saved.new_need is None
    first, second = objectives(internship)
    assert dict(Measurement.objects.values_list("objective_id", "actual")) == {
        first.pk: Decimal("9.00"),
        second.pk: Decimal("30.00"),
    }
    assert status_of(internship) == Internship.Status.COMPLETED


def test_a_follow_up_before_its_due_date_is_refused(internship: Internship, owner: Any) -> None:
    with pytest.raises(FollowUpError, match=r"The \+30-day follow-up is due on 12 Apr 2026"):
        record(internship, 30, owner, today=DUE[30] - timedelta(days=1))
    assert not Measurement.objects.exists()
    assert not FollowUp.objects.filter(recorded_at__isnull=False).exists()


def test_recording_again_corrects_the_follow_up(internship: Internship, owner: Any, manager: Any) -> None:
    first = record(internship, 30, owner, leads=9)
    again = record(internship, 30, manager, leads=11, adopted=False)
    assert again.pk == first.pk and not again.adopted and again.recorded_by == manager
    assert Measurement.objects.count() == 2
    assert Measurement.objects.filter(objective=objectives(internship)[0]).get().actual == Decimal(11)


def test_every_metric_is_required(internship: Internship, owner: Any) -> None:
    first, _ = objectives(internship)
    with pytest.raises(FollowUpError, match="each objective's metric"):
        record_follow_up(
            internship_id=internship.pk,
            day=30,
            recorded_by=owner,
            actuals={first.pk: Decimal(9)},
            adopted=True,
            today=DUE[30],
        )


def test_only_the_sending_business_managers_record(
    internship: Internship, member: Any, host_owner: Any, stranger: Any
) -> None:
    for person in (member, host_owner, stranger):
        with pytest.raises(PermissionDenied):
            record(internship, 30, person)


def test_follow_ups_wait_for_completion(internship: Internship, owner: Any) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.ACTIVE)
    with pytest.raises(FollowUpError, match="once the internship is completed; this one is active"):
        record(internship, 30, owner)


def test_the_90_day_follow_up_follows_the_internship_up(internship: Internship, owner: Any) -> None:
    record(internship, 30, owner)
    record(internship, 60, owner)
    assert status_of(internship) == Internship.Status.COMPLETED
    record(internship, 90, owner)
    assert status_of(internship) == Internship.Status.FOLLOWED_UP
    event = InternshipEvent.objects.filter(internship=internship).last()
    assert event is not None
    assert (event.action, event.status, event.actor, event.note) == (
        "followed up",
        "followed_up",
        owner,
        "+90-day follow-up recorded.",
    )
    # Correcting it afterwards adds no second transition.
    record(internship, 90, owner, leads=12)
    assert InternshipEvent.objects.filter(internship=internship, action="followed up").count() == 1


def test_more_help_opens_a_new_need_for_the_same_practice(
    internship: Internship, owner: Any, lead_generation: Practice
) -> None:
    saved = record(
        internship,
        30,
        owner,
        more_help=MoreHelp(current_level=2, outcome="Help us turn the leads into sales."),
    )
    need = saved.new_need
    assert need is not None and saved.more_help_needed
    assert (need.business_id, need.practice, need.status) == (internship.learner_id, lead_generation, "open")
    assert (need.current_level, need.target_level) == (2, 4)
    assert need.outcome == "Help us turn the leads into sales."
    assert need.earliest_start == DUE[30]


def test_more_help_again_reuses_the_need_it_opened(internship: Internship, owner: Any) -> None:
    help_ = MoreHelp(current_level=2, outcome="Help us turn the leads into sales.")
    first = record(internship, 30, owner, more_help=help_)
    record(internship, 30, owner, more_help=help_)
    later = record(internship, 60, owner, more_help=MoreHelp(current_level=3, outcome="Still stuck."))
    assert later.new_need == first.new_need
    assert Need.objects.filter(business=internship.learner, matches__isnull=True).count() == 1


def test_a_level_at_the_target_cannot_ask_for_more_help(internship: Internship, owner: Any) -> None:
    with pytest.raises(FollowUpError, match=r"below the level you aimed for \(4\)"):
        record(internship, 30, owner, more_help=MoreHelp(current_level=4, outcome="More."))
    assert Need.objects.filter(business=internship.learner).count() == 1


def test_marking_followed_up_needs_a_completed_internship_and_a_sending_manager(
    internship: Internship, owner: Any, host_owner: Any
) -> None:
    with pytest.raises(PermissionDenied):
        mark_followed_up(internship_id=internship.pk, actor=host_owner)
    mark_followed_up(internship_id=internship.pk, actor=None)
    assert status_of(internship) == Internship.Status.FOLLOWED_UP
    # Again: nothing changes (a retried task).
    mark_followed_up(internship_id=internship.pk, actor=owner)
    assert InternshipEvent.objects.filter(internship=internship, action="followed up").count() == 1
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.ACTIVE)
    with pytest.raises(InternshipError, match="has already started"):
        mark_followed_up(internship_id=internship.pk, actor=owner)


# The chart.


def test_the_chart_draws_each_metric_with_its_target_and_actuals() -> None:
    svg = follow_up_chart(
        chart_id="chart",
        title="Metrics",
        series=[
            MetricSeries(
                metric="organic leads per month",
                baseline=Decimal(5),
                target=Decimal(15),
                actuals=[("+30 days", Decimal(9)), ("+60 days", None), ("+90 days", Decimal("16.5"))],
            )
        ],
    )
    assert 'role="img"' in svg and 'aria-labelledby="chart-title"' in svg and "style=" not in svg
    assert (
        "organic leads per month: baseline 5, target 15; +30 days 9, +60 days not recorded, +90 days 16.5."
        in svg
    )
    assert 'stroke-dasharray="6 4"' in svg and "<polyline" in svg and svg.count("<circle") == 3
    assert "not yet" in svg


# The pages.


def test_the_follow_ups_page_lists_the_three_and_charts_the_recorded(
    client: Client, internship: Internship, owner: Any
) -> None:
    record(internship, 30, owner, leads=9)
    client.force_login(owner)
    with time_machine.travel(DUE[60], tick=False):
        response = client.get(list_url(internship))
    assert response.status_code == 200
    html = html_of(response)
    assert "+30-day follow-up: due" in html and "Recorded by Afreen" in html
    assert "Record the +60-day follow-up" in html
    assert "Not due yet: you can record it from" in html and "11 June 2026" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<caption>Each objective&#x27;s metric" in html or "<caption>Each objective's metric" in html
    assert "<td>9</td>" in html and "<td>15</td>" in html


def test_before_completion_the_page_says_when_follow_ups_begin(
    client: Client, internship: Internship, owner: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.ACTIVE)
    client.force_login(owner)
    html = html_of(client.get(list_url(internship)))
    assert "Follow-ups begin once the internship is completed (it is active)" in html
    assert not FollowUp.objects.exists()


def test_the_follow_up_pages_ask_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.get(list_url(internship)))
    assert_asks_to_log_in(client.get(record_url(internship, 30)))
    assert_asks_to_log_in(client.post(record_url(internship, 30), form(internship)))


def test_the_follow_up_pages_do_not_exist_for_outsiders(
    client: Client, internship: Internship, stranger: Any, user: Any
) -> None:
    for person in (stranger, user):
        client.force_login(person)
        assert client.get(list_url(internship)).status_code == 404
        assert client.get(record_url(internship, 30)).status_code == 404
        assert client.post(record_url(internship, 30), form(internship)).status_code == 404
    assert not Measurement.objects.exists()


def test_the_host_the_intern_and_the_mentor_may_not_open_the_follow_ups(
    client: Client, internship: Internship, host_owner: Any, member: Any, mentor: Any
) -> None:
    for person in (host_owner, member, mentor):
        client.force_login(person)
        assert client.get(list_url(internship)).status_code == 403
        assert client.post(record_url(internship, 30), form(internship)).status_code == 403
    client.force_login(host_owner)
    assert "sees what came of its teaching on its impact page" in html_of(client.get(list_url(internship)))
    assert not Measurement.objects.exists()


def test_moderators_read_the_follow_ups_and_record_none(
    client: Client, internship: Internship, owner: Any, moderator: Any
) -> None:
    record(internship, 30, owner)
    client.force_login(moderator)
    with time_machine.travel(DUE[60], tick=False):
        html = html_of(client.get(list_url(internship)))
        assert "Due now: not recorded yet." in html and "Record the +60-day follow-up" not in html
        assert client.post(record_url(internship, 60), form(internship)).status_code == 403


def test_the_follow_up_pages_reject_other_methods(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    assert client.post(list_url(internship)).status_code == 405
    assert client.put(record_url(internship, 30)).status_code == 405


def test_a_day_other_than_30_60_or_90_does_not_exist(
    client: Client, internship: Internship, owner: Any
) -> None:
    client.force_login(owner)
    assert client.get(record_url(internship, 45)).status_code == 404


@time_machine.travel(DUE[30], tick=False)
def test_the_owner_records_a_due_follow_up(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    page = client.get(record_url(internship, 30))
    assert page.status_code == 200
    assert "Organic leads per month today" in html_of(page) and "baseline 5, target 15" in html_of(page)
    response = client.post(
        record_url(internship, 30), form(internship, notes="Two articles out."), follow=True
    )
    assert response.redirect_chain[-1][0] == list_url(internship) + "#follow-up-30"
    assert "+30-day follow-up recorded." in html_of(response)
    saved = FollowUp.objects.get(day=30)
    assert (saved.adopted, saved.notes, saved.recorded_by) == (True, "Two articles out.", owner)
    assert Measurement.objects.count() == 2


@time_machine.travel(DUE[30] - timedelta(days=1), tick=False)
def test_a_follow_up_not_yet_due_says_when_it_is(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    response = client.get(record_url(internship, 30), follow=True)
    assert response.redirect_chain[-1][0] == list_url(internship) + "#follow-up-30"
    assert "The +30-day follow-up is due on 12 Apr 2026: you can record it from that day." in html_of(
        response
    )
    response = client.post(record_url(internship, 30), form(internship, notes="Typed early."))
    assert response.status_code == 200
    assert "is due on 12 Apr 2026" in html_of(response) and "Typed early." in html_of(response)
    assert not Measurement.objects.exists()


@time_machine.travel(DUE[30], tick=False)
def test_bad_input_is_refused_and_kept(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    response = client.post(
        record_url(internship, 30), form(internship, leads="lots", adopted="", notes="Kept.")
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "Enter “organic leads per month” as a number, e.g. 12 or 12.5." in html
    assert "Say whether the practice is adopted: yes or no." in html
    assert 'value="lots"' in html and "Kept." in html
    response = client.post(record_url(internship, 30), form(internship, more_help_needed="on"))
    html = html_of(response)
    assert "Say where you stand now, for the new need." in html
    assert "Say what help you still need, for the new need." in html
    response = client.post(
        record_url(internship, 30),
        form(internship, more_help_needed="on", current_level="4", help_wanted="More."),
    )
    assert "Choose a level below the one you aimed for (4)" in html_of(response)
    assert not Measurement.objects.exists()
    assert Need.objects.filter(business=internship.learner).count() == 1


@time_machine.travel(DUE[30], tick=False)
def test_more_help_from_the_page_opens_a_need(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    data = form(internship, more_help_needed="on", current_level="2", help_wanted="Turn leads into sales.")
    response = client.post(record_url(internship, 30), data, follow=True)
    assert "On-Demand Staffing has an open need for this practice again" in html_of(response)
    need = FollowUp.objects.get(day=30).new_need
    assert need is not None and (need.status, need.current_level, need.target_level) == ("open", 2, 4)
    assert "a need for Lead generation (organic)</a> is open" in html_of(response)


@time_machine.travel(DUE[90], tick=False)
def test_the_90_day_follow_up_from_the_page_follows_the_internship_up(
    client: Client, internship: Internship, manager: Any
) -> None:
    client.force_login(manager)
    response = client.post(record_url(internship, 90), form(internship), follow=True)
    assert "The internship is followed up" in html_of(response)
    assert status_of(internship) == Internship.Status.FOLLOWED_UP
    # Its follow-ups stay open to corrections.
    assert client.get(record_url(internship, 90)).status_code == 200


# Session, user, moderator check, the internship and the viewer's roles (2), the follow-ups scheduled
# (the first time, 2 more to create them), the follow-ups shown, their measurements, the objectives, the
# navigation.
FOLLOW_UPS_QUERIES = 10


@time_machine.travel(DUE[90], tick=False)
def test_the_follow_ups_page_query_count_does_not_grow(
    client: Client, internship: Internship, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(owner)
    with django_assert_max_num_queries(FOLLOW_UPS_QUERIES + 2):
        client.get(list_url(internship))
    with django_assert_max_num_queries(FOLLOW_UPS_QUERIES):
        client.get(list_url(internship))
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(internship))
    for position in range(2, 8):
        ObjectiveFactory.create(internship=internship, metric=f"metric {position}", position=position)
    for day in (30, 60, 90):
        record_follow_up(
            internship_id=internship.pk,
            day=day,
            recorded_by=owner,
            actuals={objective.pk: Decimal(day) for objective in objectives(internship)},
            adopted=True,
            more_help=MoreHelp(current_level=2, outcome="More."),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(list_url(internship))
    assert html_of(response).count("<circle") == 8 * 4
    assert len(many) == len(few)
