"""Email under faults: a worker killed with SIGKILL in the middle of a batch, a mail server down.

Everything is real: PostgreSQL, Redis (the shared server, a queue of our own), a `celery worker` of
two processes (as in production) and an SMTP server in this process that counts every message it
accepts by its Message-ID, which names the outbox row. Each test counts at that server and in the
database: nothing lost, nothing doubled, except the one message SMTP itself cannot settle (the second
test shows it).

The worker runs with the outbox's waits shortened (settings NOTIFICATIONS_*): the relay queues again
a row whose task was lost after 2 s instead of 5 min, releases a dead worker's claims after 30 s instead
of 15 min, and retries a failed send after 1, 2, 4, 8 s instead of 30 s, 1, 2, 4 min. The relay runs in
the worker, as beat would run it, only every second instead of every minute. Every process keeps the
real clock: travelling in time in this process only would leave the worker's clock behind, and the
relay (here) and the claims (there) would disagree on what is due.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from exchange.celery import app as celery_app
from notifications import services
from notifications.emails import message_id
from notifications.models import Notification
from notifications.tasks import relay_pending
from tests.conftest import free_port, missing
from tests.reliability.services import database_url
from tests.test_worker import ROOT

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

RELEASE_CLAIM_AFTER = 30  # seconds; above the longest a chunk of 100 takes here, even on a busy machine
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
Status = Notification.Status


class Sink:
    """A real SMTP server on loopback that counts each Message-ID it accepts.

    It can be stopped and started on the same port (an outage), hold every reply (each worker process
    then waits in the middle of a send), or take one message and never answer (the worker dies after
    the server took it, before it learned so)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller: Any = None
        self.holding = False
        self.waiting = 0  # connections waiting for the reply to their message
        self.hang_after: int | None = None  # take this many messages, then hang on the last
        self.hung = threading.Event()
        self.hung_message_id = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = MESSAGE_ID.search(envelope.content.partition(b"\r\n\r\n")[0])
        message = found.group(1).decode() if found else "(none)"
        if self.holding:
            with self.lock:
                self.waiting += 1
            try:
                while self.holding:
                    # A client killed meanwhile cancels this coroutine: like a real server that had not
                    # yet answered, this one does not keep the message.
                    await asyncio.sleep(0.05)
            finally:
                with self.lock:
                    self.waiting -= 1
            if server.transport is None or server.transport.is_closing():
                return "421 The client went away"
        with self.lock:
            self.counts[message] += 1
            hang = self.hang_after is not None and sum(self.counts.values()) == self.hang_after
            if hang:
                self.holding, self.hung_message_id = True, message
        if hang:
            self.hung.set()
            await asyncio.Event().wait()  # Taken, but the 250 reply never goes out.
        return "250 Message accepted for delivery"

    def resume_after_the_dead_are_gone(self) -> None:
        """Answer again, once the server has seen every waiting connection close (a killed worker's)."""
        wait_for(lambda: self.waiting == 0, seconds=30, what="the killed worker's connections to close")
        self.holding = False

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Worker:
    """`celery worker` with two processes on a queue of its own; SIGKILL takes the whole process group."""

    def __init__(self, *, queue: str, smtp_port: int) -> None:
        self.name = f"{queue}@{socket.gethostname()}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "exchange.settings",
            "CELERY_QUEUE": queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=10",
            "SITE_URL": settings.SITE_URL,  # the Message-IDs carry its host
            "LOG_LEVEL": "WARNING",
            "NOTIFICATIONS_REQUEUE_AFTER_SECONDS": "2",
            "NOTIFICATIONS_RELEASE_CLAIM_AFTER_SECONDS": str(RELEASE_CLAIM_AFTER),
            "NOTIFICATIONS_FIRST_RETRY_SECONDS": "1",
        }

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "exchange", "worker", "-c", "2"]
        command += ["-n", self.name, "-l", "warning", "--without-gossip", "--without-mingle"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 90
        while not celery_app.control.ping(destination=[self.name], timeout=1.0):
            assert self.process.poll() is None, "The worker stopped as it started."
            assert time.monotonic() < deadline, "The worker did not answer within 90 s."

    def kill(self) -> None:
        """SIGKILL, the worker and its pool processes at once: no warm shutdown, nothing acknowledged."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def sink() -> Iterator[Sink]:
    sink = Sink(free_port())
    sink.start()
    yield sink
    sink.holding = False
    sink.stop()


@pytest.fixture
def worker(sink: Sink) -> Iterator[Worker]:
    if not settings.REDIS_URL:
        missing("Redis (REDIS_URL)", required_by="REQUIRE_SERVICES")
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")
    queue = f"test-email-faults-{uuid.uuid4().hex[:12]}"
    eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    worker = Worker(queue=queue, smtp_port=sink.port)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = eager, default_queue
        forget_queue(queue)


@pytest.fixture
def moderator_client(moderators_group: None, client: Client, moderator: Any) -> Client:
    client.force_login(moderator)
    return client


@pytest.fixture
def moderators_group() -> None:
    """The Moderators group, which the flush after an earlier transactional test removed."""
    migration = importlib.import_module("accounts.migrations.0002_moderators_group")
    migration.create_group(apps, None)  # idempotent


def forget_queue(queue: str) -> None:
    """Delete the queue, and the tasks a killed worker held unacknowledged (Redis would give them back
    to this queue after the visibility timeout, an hour from now)."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)  # type: ignore[attr-defined]
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, held in client.hscan_iter("unacked"):
        if json.loads(held)[2] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def remind(count: int) -> list[str]:
    """Queue a weekly-report reminder to each of `count` people, as the reminders' beat task does (in
    chunks after commit); return the Message-IDs they must arrive with."""
    people = User.objects.bulk_create(
        User(email=f"intern{number}@example.com", name=f"Intern {number}", password="!")
        for number in range(count)
    )
    with transaction.atomic(), services.enqueue_together():
        for person in people:
            services.queue_email(
                to=person.email,
                kind="feedback.reminder_weekly_report_due",
                key=f"feedback.reminder_weekly_report_due:1:1:{person.pk}",
                template="emails/feedback/reminder_weekly_report_due",
                context={
                    "person": person,
                    "week": 1,
                    "host": {"name": "Pixelcraft UX"},
                    "learner": {"name": "On-Demand Staffing"},
                    "week_start": date(2026, 3, 2),
                    "week_end": date(2026, 3, 8),
                    "report_url": "http://testserver/internships/1/reports/1/",
                },
                recipient=person,
            )
    return [message_id(key) for key in Notification.objects.values_list("key", flat=True)]


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str, relay: bool = False) -> None:
    """Wait for `condition`; with `relay`, run the outbox relay every second meanwhile, as beat would."""
    deadline, next_relay = time.monotonic() + seconds, 0.0
    while time.monotonic() < deadline:
        if relay and time.monotonic() >= next_relay:
            relay_pending.delay()
            next_relay = time.monotonic() + 1
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {seconds} s waiting for {what}.")


def relay_for(*, seconds: int) -> None:
    """Run the relay every second for a while, and give its last run a second to finish."""
    for _ in range(seconds):
        relay_pending.delay()
        time.sleep(1)
    time.sleep(1)


def statuses() -> Counter[str]:
    return Counter(Notification.objects.values_list("status", flat=True))


def all_sent(count: int) -> Callable[[], bool]:
    return lambda: Notification.objects.filter(status=Status.SENT).count() == count


# A worker killed with SIGKILL


def test_a_worker_killed_in_the_middle_of_1000_reminders_delivers_each_once_after_a_restart(
    sink: Sink, worker: Worker
) -> None:
    expected = remind(1000)
    wait_for(lambda: sink.total() >= 300, seconds=180, what="300 reminders to arrive")
    # The server stops answering: each worker process is soon waiting in the middle of a send.
    sink.holding = True
    wait_for(lambda: sink.waiting == 2, seconds=30, what="both worker processes to be mid-send")
    worker.kill()
    sink.resume_after_the_dead_are_gone()
    killed_at = sink.total()
    in_doubt = statuses()
    # The kill landed mid-chunk: rows claimed by the dead worker, and rows not sent yet.
    assert in_doubt[Status.SENDING] > 0
    assert in_doubt[Status.SENT] == killed_at < 1000

    worker.start()
    wait_for(all_sent(1000), seconds=RELEASE_CLAIM_AFTER + 180, what="every reminder to be sent", relay=True)

    assert sink.counts == Counter(expected)  # each reminder arrived, and only once
    assert statuses() == {Status.SENT: 1000}
    # Nothing counted a failed try: the rows the dead worker held were released, not failed.
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_after_the_server_took_a_message_sends_only_that_one_again_with_its_message_id(
    sink: Sink, worker: Worker
) -> None:
    # The one window left: the server took the message, the worker died before marking the row sent.
    # SMTP cannot close it (the server's "250" may always be lost); the row's stable Message-ID lets
    # mail programs show the second copy as the same email.
    sink.hang_after = 150
    expected = remind(400)
    wait_for(sink.hung.is_set, seconds=180, what="the server to take message 150")
    # The other worker process ends up waiting for its reply, which never comes before the kill.
    wait_for(lambda: sink.waiting == 1, seconds=30, what="the other worker process to be mid-send")
    worker.kill()
    sink.resume_after_the_dead_are_gone()
    in_doubt = Notification.objects.get(status=Status.SENDING, key__in=keys_of([sink.hung_message_id]))
    assert in_doubt.sent_at is None

    worker.start()
    wait_for(all_sent(400), seconds=RELEASE_CLAIM_AFTER + 180, what="every reminder to be sent", relay=True)

    assert sink.counts == Counter(expected) + Counter([sink.hung_message_id])
    assert statuses() == {Status.SENT: 400}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def keys_of(message_ids: list[str]) -> list[str]:
    keys = Notification.objects.values_list("key", flat=True)
    return [key for key in keys if message_id(key) in message_ids]


# The mail server down


def test_reminders_queued_while_the_mail_server_is_down_arrive_once_when_it_is_back(
    sink: Sink, worker: Worker
) -> None:
    sink.stop()
    expected = remind(50)

    def tried_twice() -> bool:
        return not Notification.objects.filter(attempts__lt=2).exists()

    wait_for(tried_twice, seconds=60, what="every reminder to be tried twice", relay=True)
    assert statuses() == {Status.PENDING: 50}  # retried later, not given up
    assert "Connection refused" in Notification.objects.first().last_error  # type: ignore[union-attr]

    sink.start()
    wait_for(all_sent(50), seconds=60, what="the reminders to be sent", relay=True)
    assert sink.counts == Counter(expected)
    assert all(2 <= attempts <= 5 for attempts in Notification.objects.values_list("attempts", flat=True))


def test_an_email_that_failed_every_try_is_resent_by_a_moderator_and_arrives_once(
    sink: Sink, worker: Worker, moderator_client: Client
) -> None:
    client = moderator_client
    sink.stop()
    [expected] = remind(1)
    notification = Notification.objects.get()

    def failed() -> bool:
        notification.refresh_from_db()
        return notification.status == Status.FAILED

    # Tries at 0, 1, 2, 4 and 8 s; then it is given up.
    wait_for(failed, seconds=60, what="the email to fail its last try", relay=True)
    assert notification.attempts == services.MAX_ATTEMPTS
    # The relay leaves a failed email alone, and the server being back changes nothing by itself.
    sink.start()
    relay_for(seconds=3)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, sink.total()) == (Status.FAILED, 5, 0)

    page = client.get(reverse("notifications:failed")).content.decode()
    assert notification.subject in page
    assert notification.to_email in page
    response = client.post(reverse("notifications:resend", args=[notification.pk]))
    assert response.status_code == 302

    wait_for(all_sent(1), seconds=60, what="the resent email to be sent", relay=True)
    assert sink.counts == Counter([expected])
    # A second click (a double submit, a second moderator) sends nothing more.
    client.post(reverse("notifications:resend", args=[notification.pk]))
    relay_for(seconds=3)
    assert sink.counts == Counter([expected])
    assert statuses() == {Status.SENT: 1}
