"""A person's settings: which reminders they get (the "Email reminders" page), their time zone (the profile
page, and the middleware that shows pages in it), and the moderators' list of failed emails with a resend
button.

The settings and profile pages are a person's own: there is no one else's to open, so no outsider (404)
or member without a role (403) case; the failed-emails page is for moderators (403 for anyone else)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import UserTimeZoneMiddleware
from feedback.reminders import (
    FOLLOW_UP_DUE,
    MODERATOR_DIGEST,
    TASK_REVIEW,
    WEEKLY_REPORT_DUE,
    WEEKLY_REPORT_ESCALATION,
)
from notifications.models import MutedKind, Notification
from notifications.reminders import REMINDER_KINDS
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

SETTINGS = "/notifications/settings/"
PROFILE = "/accounts/profile/"
FAILED = "/notifications/failed/"


def muted(person: Any) -> set[str]:
    return set(MutedKind.objects.filter(user=person).values_list("kind", flat=True))


def failed_email(number: int, **fields: Any) -> Notification:
    return Notification.objects.create(
        key=f"failed:{number}",
        kind="internships.task_assigned",
        to_email=f"person{number}@example.com",
        subject=f"New task {number}",
        body_text="Hello",
        status=Notification.Status.FAILED,
        attempts=5,
        last_error="ConnectionRefusedError(111, 'Connection refused')",
        **fields,
    )


def test_the_urls_are_named() -> None:
    assert reverse("notifications:settings") == SETTINGS
    assert reverse("accounts:profile") == PROFILE
    assert reverse("notifications:failed") == FAILED


# Email reminders


def test_the_reminders_page_lists_the_kinds_a_person_can_get_all_ticked(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.get(SETTINGS)
    assert response.status_code == 200
    html = html_of(response)
    assert '<h1 class="h2 mb-3">Email reminders</h1>' in html
    assert html.count('type="checkbox"') == len([k for k in REMINDER_KINDS.values() if not k.moderators_only])
    assert html.count("checked") == html.count('type="checkbox"')
    # Moderators' kinds are not offered to others.
    assert "Moderators&#x27; daily digest" not in html
    assert "always reach you" in html


def test_a_moderator_also_sees_the_moderators_kinds(client: Client, moderator: Any) -> None:
    client.force_login(moderator)
    html = html_of(client.get(SETTINGS))
    assert "Moderators&#x27; daily digest" in html
    assert html.count('type="checkbox"') == len(REMINDER_KINDS)


def test_unticking_a_kind_mutes_it_and_ticking_it_again_unmutes_it(client: Client, member: Any) -> None:
    client.force_login(member)
    wanted = [kind for kind in REMINDER_KINDS if not REMINDER_KINDS[kind].moderators_only]
    response = client.post(
        SETTINGS, {"wanted": [k for k in wanted if k not in (WEEKLY_REPORT_DUE, TASK_REVIEW)]}
    )
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    assert muted(member) == {WEEKLY_REPORT_DUE, TASK_REVIEW}
    page = html_of(client.get(SETTINGS))
    assert "Email reminders saved." in page
    assert page.count("checked") == len(wanted) - 2
    client.post(SETTINGS, {"wanted": [k for k in wanted if k != TASK_REVIEW]})
    assert muted(member) == {TASK_REVIEW}
    client.post(SETTINGS, {"wanted": wanted})
    assert muted(member) == set()


def test_a_former_moderators_muted_digest_is_kept(client: Client, member: Any) -> None:
    MutedKind.objects.create(user=member, kind=MODERATOR_DIGEST)
    client.force_login(member)
    client.post(SETTINGS, {"wanted": [FOLLOW_UP_DUE]})
    assert MODERATOR_DIGEST in muted(member)
    assert WEEKLY_REPORT_ESCALATION not in muted(member)


def test_an_unknown_kind_is_refused_with_a_message_and_nothing_changes(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.post(SETTINGS, {"wanted": [WEEKLY_REPORT_DUE, "account.password_changed"]})
    assert response.status_code == 200
    assert "Select a valid choice" in html_of(response)
    assert muted(member) == set()
    # What was ticked stays ticked.
    assert f'value="{WEEKLY_REPORT_DUE}"' in html_of(response)


def test_the_reminders_page_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    assert_asks_to_log_in(client.get(SETTINGS))
    assert_asks_to_log_in(client.post(SETTINGS, {"wanted": []}))


def test_the_reminders_page_answers_only_get_and_post(client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.put(SETTINGS).status_code == 405


# The profile: time zone


def test_the_profile_page_offers_every_time_zone(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.get(PROFILE)
    assert response.status_code == 200
    html = html_of(response)
    assert '<option value="Asia/Kolkata">Asia/Kolkata</option>' in html
    assert '<option value="America/Denver">America/Denver</option>' in html
    assert '<option value="UTC" selected>UTC</option>' in html


def test_saving_the_profile_sets_the_name_and_time_zone(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.post(PROFILE, {"name": "Neha Rao", "time_zone": "Asia/Kolkata"})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    member.refresh_from_db()
    assert (member.name, member.time_zone) == ("Neha Rao", "Asia/Kolkata")
    assert "Dates are now shown in Asia/Kolkata." in html_of(client.get(PROFILE))


def test_an_unknown_time_zone_is_refused_and_the_form_keeps_what_was_typed(
    client: Client, member: Any
) -> None:
    client.force_login(member)
    response = client.post(PROFILE, {"name": "Neha Rao", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Choose a time zone from the list" in html_of(response)
    assert 'value="Neha Rao"' in html_of(response)
    member.refresh_from_db()
    assert (member.name, member.time_zone) == ("Neha", "UTC")


def test_the_profile_page_asks_anonymous_visitors_to_log_in_and_answers_only_get_and_post(
    client: Client, member: Any
) -> None:
    assert_asks_to_log_in(client.get(PROFILE))
    client.force_login(member)
    assert client.delete(PROFILE).status_code == 405


def test_the_middleware_activates_the_persons_zone_and_forgets_it_after(member: Any) -> None:
    member.time_zone = "America/Denver"
    member.save()
    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = member
    UserTimeZoneMiddleware(view)(request)
    assert seen == ["America/Denver"]
    assert timezone.get_current_timezone_name() == "UTC"


def test_an_unknown_zone_shows_pages_in_utc(member: Any) -> None:
    member.time_zone = "Nowhere/Special"
    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = member
    UserTimeZoneMiddleware(view)(request)
    assert seen == ["UTC"]


def test_times_on_pages_are_shown_in_the_persons_zone(client: Client, moderator: Any) -> None:
    moderator.time_zone = "Asia/Kolkata"
    moderator.save()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC), tick=False):
        failed_email(1)
    client.force_login(moderator)
    # 20:00 UTC is 01:30 the next day in Kolkata.
    assert "3 Mar 2026 01:30" in html_of(client.get(FAILED))


# Failed emails


def test_moderators_see_the_failed_emails_and_resend_one(
    client: Client, moderator: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    notification = failed_email(1)
    Notification.objects.create(key="ok", kind="x", to_email="ok@example.com", subject="Fine", body_text="")
    client.force_login(moderator)
    html = html_of(client.get(FAILED))
    assert "1 email failed" in html
    assert "New task 1" in html
    assert "Fine" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:resend", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == FAILED
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert [message.subject for message in mailoutbox] == ["New task 1"]
    page = html_of(client.get(FAILED))
    assert "it gets five new tries" in page
    assert "No email has failed." in page


def test_resending_an_email_that_is_no_longer_failed_changes_nothing(
    client: Client, moderator: Any, mailoutbox: list[Any]
) -> None:
    notification = failed_email(1, sent_at=timezone.now())
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.SENT)
    client.force_login(moderator)
    client.post(reverse("notifications:resend", args=[notification.pk]))
    assert "no longer failed" in html_of(client.get(FAILED))
    assert mailoutbox == []


def test_the_failed_emails_are_for_moderators_only(client: Client, owner: Any) -> None:
    notification = failed_email(1)
    assert_asks_to_log_in(client.get(FAILED))
    assert_asks_to_log_in(client.post(reverse("notifications:resend", args=[notification.pk])))
    client.force_login(owner)
    assert client.get(FAILED).status_code == 403
    assert client.post(reverse("notifications:resend", args=[notification.pk])).status_code == 403
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_the_failed_pages_answer_only_their_methods(client: Client, moderator: Any) -> None:
    notification = failed_email(1)
    client.force_login(moderator)
    assert client.post(FAILED).status_code == 405
    assert client.get(reverse("notifications:resend", args=[notification.pk])).status_code == 405


def test_the_failed_list_takes_the_same_queries_whatever_its_length(
    client: Client, moderator: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(moderator)
    failed_email(0)
    with django_assert_max_num_queries(6):
        assert client.get(FAILED).status_code == 200
    for number in range(1, 30):
        failed_email(number)
    with django_assert_max_num_queries(6):
        html = html_of(client.get(FAILED))
    assert "30 emails failed" in html
