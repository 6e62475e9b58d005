"""The outbox: every email is a row first, sent once, after the change commits."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from notifications import services
from notifications.emails import message_id
from notifications.models import Notification
from notifications.tasks import send_notification, send_notifications
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


# Sending in chunks


def test_emails_queued_together_go_out_in_chunks_each_over_one_connection(
    settings, smtp_sink, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": smtp_sink.mailer}
    count = services.CHUNK_SIZE * 2 + 10
    with django_capture_on_commit_callbacks(execute=True), services.enqueue_together():
        for number in range(count):
            queue(f"password_changed:mira:{number}")
    assert len(smtp_sink.messages) == count
    # One connection (one client port) per chunk of CHUNK_SIZE.
    assert len({message["X-Peer"] for message in smtp_sink.messages}) == 3
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == count


def test_each_email_carries_a_message_id_made_from_its_key(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = queue("password_changed:mira:1"), queue("password_changed:mira:2")
    ids = [message.extra_headers["Message-ID"] for message in mailoutbox]
    assert ids == [message_id(first.key), message_id(second.key)]
    assert ids[0] != ids[1]
    assert message_id(first.key) == message_id("password_changed:mira:1")  # the same from any worker
    assert message_id(first.key).endswith("@testserver>")


def test_an_email_is_made_when_queued_and_dated_when_sent(settings, smtp_sink):
    settings.MAILERS = {"default": smtp_sink.mailer}
    with time_machine.travel("2026-11-27 18:00:00Z", tick=False):
        notification = queue()
    notification.refresh_from_db()
    made = bytes(notification.message)
    assert f"Message-ID: {message_id(notification.key)}\r\n".encode() in made
    assert b"Date:" not in made.partition(b"\r\n\r\n")[0]
    with time_machine.travel("2026-11-28 08:30:00Z", tick=False):
        send_notifications([notification.pk])
    [received] = smtp_sink.messages
    # The date is the send's, not the queueing's: a reminder held overnight is not dated the evening before.
    assert received["Date"] == "Sat, 28 Nov 2026 08:30:00 +0000"
    assert received["Message-ID"] == message_id(notification.key)
    assert received["Subject"] == "Your Peership password was changed"
    text, html = (
        part.get_payload(decode=True).decode().replace("\r\n", "\n") for part in received.get_payload()
    )
    assert (text, html) == (notification.body_text, notification.body_html)


def test_a_row_queued_without_its_bytes_is_built_when_sent(settings, smtp_sink):
    settings.MAILERS = {"default": smtp_sink.mailer}
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(message=b"")  # queued before rows kept them
    send_notifications([notification.pk])
    [received] = smtp_sink.messages
    assert received["Message-ID"] == message_id(notification.key)
    assert received["Subject"] == "Your Peership password was changed"
    assert received["Date"]


def test_a_chunk_delivered_twice_sends_nothing_twice(mailoutbox):
    notifications = [queue(f"password_changed:mira:{number}") for number in range(3)]
    ids = [notification.pk for notification in notifications]
    send_notifications.delay(ids)
    send_notifications.delay(ids)  # as if the broker redelivered it, or the relay queued it again
    assert len(mailoutbox) == 3


def test_an_email_the_server_cannot_take_fails_alone_and_the_rest_of_its_chunk_is_sent(
    settings, smtp_sink, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": smtp_sink.mailer}
    with django_capture_on_commit_callbacks(execute=True), services.enqueue_together():
        queue("password_changed:mira:1")
        broken = services.queue_email(
            to="mira@exa mple.com",  # no valid address
            kind="account.password_changed",
            key="password_changed:broken",
            template="emails/account/password_changed",
            context={"email": "mira@example.com"},
        )
        queue("password_changed:mira:2")
    assert [m["To"] for m in smtp_sink.messages] == ["mira@example.com", "mira@example.com"]
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (Notification.Status.PENDING, 1)
    assert "Invalid address" in broken.last_error


def test_when_the_server_is_down_the_whole_chunk_waits_for_its_next_try(settings, smtp_sink):
    smtp_sink.stop()
    settings.MAILERS = {"default": smtp_sink.mailer}
    with time_machine.travel("2026-11-27 10:00:00Z", tick=False):
        notifications = [queue(f"password_changed:mira:{number}") for number in range(3)]
        services.enqueue([notification.pk for notification in notifications])
    for notification in notifications:
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
        assert "Connection refused" in notification.last_error


def test_the_relay_queues_every_due_row_in_one_run_batch_after_batch(mailoutbox):
    for number in range(5):
        queue(f"password_changed:mira:{number}")  # written while the broker was down
    assert services.relay_pending(batch_size=2) == 5
    assert len(mailoutbox) == 5
    assert services.relay_pending(batch_size=2) == 0
