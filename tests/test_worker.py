"""A task through real Redis to a real Celery worker, its effect seen in PostgreSQL."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from exchange.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from notifications.tasks import relay_pending
from tests.conftest import SmtpSink, missing
from tests.reliability.services import database_url, wait_for

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(smtp_sink: SmtpSink) -> Iterator[dict[str, Any]]:
    """A real `celery worker` process on a queue of its own, sending to the SMTP sink."""
    if not settings.REDIS_URL:
        missing("Redis (REDIS_URL)", required_by="REQUIRE_SERVICES")
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "CELERY_QUEUE": queue,  # tasks the worker itself queues stay on this queue
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "exchange", "worker", "-c", "1", "-l", "warning"],
        cwd=ROOT,
        env=env,
    )
    eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield {"queue": queue, "sink": smtp_sink, "process": process}
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = eager, default_queue
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)  # type: ignore[attr-defined]


def sent(notification: Notification) -> bool:
    notification.refresh_from_db()
    return notification.status == Notification.Status.SENT


def test_an_email_queued_after_commit_is_sent_by_the_worker(worker: dict[str, Any]) -> None:
    notification = services.queue_email(
        to="afreen@staffing.example",
        kind="account.password_changed",
        key="worker-test:1",
        template="emails/account/password_changed",
        context={"email": "afreen@staffing.example"},
    )
    wait_for(lambda: sent(notification), seconds=60, what="the worker to send the email")
    assert notification.attempts == 1
    [message] = worker["sink"].messages
    assert message["To"] == "afreen@staffing.example"
    assert message["Subject"] == "Your Peership password was changed"


def test_the_relay_task_delivers_rows_that_never_reached_the_broker(worker: dict[str, Any]) -> None:
    # Written as if the broker had been down: a row, no task.
    notification = Notification.objects.create(
        key="worker-test:orphan",
        kind="account.password_changed",
        to_email="rajeev@pixelcraft.example",
        subject="Kept while Redis was down",
        body_text="Hello",
    )
    relay_pending.delay()
    wait_for(lambda: sent(notification), seconds=60, what="the relayed email to be sent")
    assert [m["Subject"] for m in worker["sink"].messages] == ["Kept while Redis was down"]
