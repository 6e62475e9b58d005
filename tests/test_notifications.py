"""The outbox: every email is a row first, sent once, after the change commits."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def queue(key: str = "password_changed:mira:1") -> Notification:
    return services.queue_email(
        to="mira@example.com",
        kind="account.password_changed",
        key=key,
        template="emails/account/password_changed",
        context={"email": "mira@example.com"},
    )


def test_an_email_is_sent_once_the_transaction_commits(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()
        assert mailoutbox == []
    [message] = mailoutbox
    assert message.subject == "Your Peership password was changed"
    assert message.alternatives[0].mimetype == "text/html"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None


def test_the_same_key_is_queued_and_sent_only_once(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
        second = queue()
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_nothing_is_written_or_sent_when_the_change_rolls_back(
    mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_a_repeated_send_task_does_not_send_twice(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()
    send_notification.delay(notification.pk)  # as if the broker redelivered it
    assert len(mailoutbox) == 1


def test_the_relay_sends_what_was_never_queued(mailoutbox):
    # A row written while the broker was down: on_commit never queued it.
    notification = queue()
    assert notification.queued_at is None
    assert services.relay_pending() == 1
    assert len(mailoutbox) == 1
    assert services.relay_pending() == 0
    assert len(mailoutbox) == 1


def test_a_mail_server_that_is_down_is_retried_with_backoff_until_it_is_back(settings, smtp_sink):
    # The sink's port, but not listening yet: the mail server is down.
    smtp_sink.stop()
    settings.MAILERS = {"default": smtp_sink.mailer}
    with time_machine.travel("2026-11-27 10:00:00Z", tick=False) as traveller:
        notification = queue()
        services.enqueue([notification.pk])  # must not raise into the caller (a web request)
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
        assert "Connection refused" in notification.last_error

        # Too early for the next try: the relay leaves it alone.
        traveller.shift(timedelta(seconds=20))
        assert services.relay_pending() == 0

        traveller.shift(timedelta(seconds=15))  # past the 30 s backoff
        assert services.relay_pending() == 1
        notification.refresh_from_db()
        assert notification.attempts == 2

        smtp_sink.start()  # the server is back
        traveller.shift(timedelta(minutes=2))
        assert services.relay_pending() == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m["Subject"] for m in smtp_sink.messages] == ["Your Peership password was changed"]


def test_after_the_last_try_a_notification_is_marked_failed(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with time_machine.travel("2026-11-27 10:00:00Z", tick=False) as traveller:
        notification = queue()
        services.enqueue([notification.pk])
        for _ in range(services.MAX_ATTEMPTS - 1):
            traveller.shift(timedelta(hours=1))
            services.relay_pending()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == services.MAX_ATTEMPTS
    assert services.relay_pending() == 0
