"""The unsubscribe link of each reminder: List-Unsubscribe headers (RFC 2369, RFC 8058 one-click) and a
footer link; the link asks to confirm on GET and mutes on POST, without signing in; a changed or expired
link gets a 400 page that says so, and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from feedback.reminders import MODERATOR_DIGEST, WEEKLY_REPORT_DUE
from notifications import services
from notifications.models import MutedKind, Notification
from notifications.unsubscribe import SALT, make_token, unsubscribe_url
from tests.factories import UserFactory
from tests.helpers import html_of

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def queue_digest(person: Any, key: str = "digest:1") -> Notification:
    """A moderators' digest: a reminder kind, like every rule's."""
    return services.queue_email(
        to=person.email,
        kind=MODERATOR_DIGEST,
        key=key,
        template="emails/notifications/moderator_digest",
        context={
            "person": person,
            "today": datetime.date(2026, 3, 8),
            "pending_matches": 1,
            "businesses_to_verify": 0,
            "failed_emails": 0,
            "queue_url": "http://testserver/moderation/",
            "businesses_url": "http://testserver/moderation/businesses/",
            "failed_url": "http://testserver/notifications/failed/",
        },
        recipient=person,
    )


def url_for(person: Any, kind: str = WEEKLY_REPORT_DUE) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": make_token(user_id=person.pk, kind=kind)})


@pytest.fixture
def csrf_client() -> Client:
    """A client that checks CSRF tokens, as a browser session would be checked."""
    return Client(enforce_csrf_checks=True)


# The email


def test_a_reminder_has_list_unsubscribe_headers_and_a_footer_link(
    moderator: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_digest(moderator)
    [message] = mailoutbox
    link = notification.list_unsubscribe
    assert link.startswith("http://testserver/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert message.message()["List-Unsubscribe-Post"] == ONE_CLICK
    assert message.body.count(f"Stop this kind of reminder: {link}") == 1
    assert "http://testserver/notifications/settings/" in message.body
    html = message.alternatives[0].content
    assert html.count(f'href="{link}"') == 1
    assert html.index(link) < html.index("</body>")
    # The outbox row holds the email as it was sent (a moderator resending it sends the same).
    notification.refresh_from_db()
    assert (notification.body_text, notification.body_html) == (message.body, html)


def test_an_email_that_is_not_a_reminder_has_no_unsubscribe_link(
    member: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.queue_email(
            to=member.email,
            kind="internships.match_approved",
            key="match:1",
            template="emails/account/password_changed",
            context={"email": member.email},
            recipient=member,
        )
    assert notification.list_unsubscribe == ""
    [message] = mailoutbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Stop this kind" not in message.body


# The page


def test_the_link_asks_to_confirm_and_changes_nothing_on_get(client: Client, member: Any) -> None:
    response = client.get(url_for(member))
    assert response.status_code == 200
    assert "Stop “Weekly report due” emails?" in html_of(response)
    assert "neha@example.com" in html_of(response)
    assert not MutedKind.objects.exists()


def test_posting_the_link_mutes_the_kind_without_signing_in_or_a_csrf_token(
    csrf_client: Client, member: Any
) -> None:
    response = csrf_client.post(url_for(member))
    assert response.status_code == 200
    assert "Done: no more “Weekly report due” emails" in html_of(response)
    assert list(MutedKind.objects.values_list("user", "kind")) == [(member.pk, WEEKLY_REPORT_DUE)]


def test_a_mail_programs_one_click_post_mutes_the_kind(csrf_client: Client, member: Any) -> None:
    response = csrf_client.post(
        url_for(member), data=ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert MutedKind.objects.filter(user=member, kind=WEEKLY_REPORT_DUE).exists()


def test_the_link_mutes_once_and_then_says_it_is_done(client: Client, member: Any) -> None:
    url = url_for(member)
    client.post(url)
    again = client.post(url)
    assert again.status_code == 200
    assert "emails were already stopped" in html_of(again)
    assert MutedKind.objects.count() == 1
    page = client.get(url)
    assert "no longer gets “Weekly report due” emails" in html_of(page)
    assert "<form" not in html_of(page).split("<main", 1)[1]


def test_the_link_in_a_reminder_mutes_its_kind_for_its_recipient_only(
    client: Client, moderator: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory.create(email="mo@example.com", moderator=True)
    with django_capture_on_commit_callbacks(execute=True):
        queue_digest(moderator)
        queue_digest(other, key="digest:2")
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(link).status_code == 200
    assert list(MutedKind.objects.values_list("user__email", "kind")) == [
        ("moderator@example.com", MODERATOR_DIGEST)
    ]


# Bad links


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_with_a_clear_400_page(client: Client, member: Any, method: str) -> None:
    token = make_token(user_id=member.pk, kind=WEEKLY_REPORT_DUE)
    # Another person's id with the first person's signature.
    forged = signing.dumps([member.pk + 1, WEEKLY_REPORT_DUE], salt=SALT, compress=True)
    tampered = forged.rsplit(":", 1)[0] + ":" + token.rsplit(":", 1)[1]
    for bad in (tampered, token[:-2], "nonsense", token.replace(":", ".", 1)):
        response = getattr(client, method)(reverse("notifications:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 400
        assert "This link does not work" in html_of(response)
        assert "Nothing was changed." in html_of(response)
    assert not MutedKind.objects.exists()


def test_a_link_signed_for_something_else_is_refused(client: Client, member: Any) -> None:
    # Signed with our key but for another use, or naming an email that cannot be muted.
    for token in (
        signing.dumps([member.pk, WEEKLY_REPORT_DUE], compress=True),
        make_token(user_id=member.pk, kind="account.password_changed"),
        signing.dumps({"u": member.pk}, salt=SALT),
    ):
        response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))
        assert response.status_code == 400
    assert not MutedKind.objects.exists()


def test_an_expired_link_is_refused(client: Client, member: Any) -> None:
    with time_machine.travel("2026-01-01 10:00:00Z", tick=False) as traveller:
        url = url_for(member)
        traveller.shift(datetime.timedelta(days=366))
        response = client.post(url)
    assert response.status_code == 400
    assert "expired" in html_of(response)
    assert not MutedKind.objects.exists()


def test_a_link_of_a_closed_account_is_refused(client: Client) -> None:
    gone = UserFactory.create(is_active=False)
    response = client.post(url_for(gone))
    assert response.status_code == 400
    assert not MutedKind.objects.exists()


def test_the_link_answers_only_get_and_post(client: Client, member: Any) -> None:
    assert client.put(url_for(member)).status_code == 405


def test_the_link_is_absolute() -> None:
    assert unsubscribe_url(user_id=7, kind=WEEKLY_REPORT_DUE).startswith("http://testserver/notifications/")


def test_the_header_reaches_the_mail_server_as_one_plain_link(
    settings: Any, smtp_sink: Any, moderator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MAILERS = {"default": smtp_sink.mailer}
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_digest(moderator)
    [received] = smtp_sink.messages
    assert received["List-Unsubscribe"] == f"<{notification.list_unsubscribe}>"
    assert received["List-Unsubscribe-Post"] == ONE_CLICK
    assert "=?utf-8?" not in received.as_string()
