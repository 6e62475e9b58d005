"""10,000 reminders through the outbox, Redis and two Celery workers to an SMTP sink, against the floor.

The reminders take the path every email takes: `queue_email` renders each one (a weekly-report-due
reminder to its own recipient, with an unsubscribe link) and writes its outbox row; the rows are
committed in one transaction and, through `enqueue_together`, handed to Celery in chunks; a real
`celery worker` (two processes by default) on a queue of its own claims, sends and marks each row, one
SMTP connection per chunk. The sink is aiosmtpd on a free loopback port, in this process: it counts
messages by their Message-ID (derived from the row's key), so a message sent twice shows up as a
duplicate.

`seconds` runs from just before the commit until every row is marked sent (rendering is apart, in
`queue_seconds`). `raw_seconds` is the floor, in the same run: the same rendered messages sent
straight to the sink over one SMTP connection from this process (no outbox, no Celery);
`ratio_to_raw` is raw_seconds / seconds. The reminders name no step, so the send skips the step check
a real reminder runs (one or two indexed lookups); the mute check is run.

Needs PostgreSQL and Redis: the database is `peership_bench_email` on the server of DATABASE_URL
(created if need be, its outbox emptied at each run, its bench users kept), the broker is REDIS_URL,
with a queue named for this run and deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.services import create_database, free_port

DATABASE = "peership_bench_email"
BASE_DIR = Path(__file__).resolve().parent.parent
KIND = "feedback.reminder_weekly_report_due"
TEMPLATE = "emails/feedback/reminder_weekly_report_due"
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reminders", type=int, default=10_000, help="reminders queued and sent")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (--concurrency)")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds to wait for every reminder to be sent"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.reminders < 1:
        raise SystemExit("--reminders must be at least 1.")
    queue = f"bench-email-{uuid.uuid4().hex[:12]}"
    sink = SmtpSink(free_port())
    os.environ.update(bench_environment(queue=queue, smtp_port=sink.port))
    import django

    django.setup()
    from django.conf import settings

    create_database(settings.DATABASES["default"])
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    recipients = bench_users(args.reminders)

    from notifications.models import Notification

    Notification.objects.all().delete()
    sink.start()
    try:
        with celery_worker(queue=queue, concurrency=args.workers):
            queue_seconds, started = queue_reminders(recipients)
            finished = wait_until_sent(args.reminders, sink, started=started, timeout=args.timeout)
        sent, duplicates = sink.unique(), sink.duplicates()
        statuses = dict(Counter(Notification.objects.values_list("status", flat=True)))
        raw_seconds = send_raw(sink, expected=args.reminders)
    finally:
        sink.stop()
        delete_queue(queue)
    seconds = (finished - started) if finished is not None else None
    return {
        "reminders": args.reminders,
        "workers": args.workers,
        "chunk_size": chunk_size(),
        "sent": sent,
        "duplicates": duplicates,
        "statuses": statuses,
        "seconds": round(seconds, 2) if seconds is not None else None,
        "per_second": round(args.reminders / seconds) if seconds else None,
        "raw_seconds": round(raw_seconds, 2),
        "ratio_to_raw": round(raw_seconds / seconds, 2) if seconds else None,
        "queue_seconds": round(queue_seconds, 2),
    }


def bench_environment(*, queue: str, smtp_port: int) -> dict[str, str]:
    """Production-like settings on the bench database, broker queue and sink (for this process and
    the worker)."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    address = urlsplit(database_url)
    if not address.scheme.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit(
            "The email benchmark needs PostgreSQL and Redis: set DATABASE_URL to a postgres:// URL (it "
            f"uses the database {DATABASE} on that server, created if need be, never the one named in "
            "the URL) and REDIS_URL to a redis:// URL (it uses a queue of its own there)."
        )
    return {
        "DATABASE_URL": address._replace(path=f"/{DATABASE}").geturl(),
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "DJANGO_DEBUG": "0",  # DEBUG keeps every query in memory
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "WARNING",  # the sink logs every SMTP command at INFO
        "CELERY_QUEUE": queue,
        # A generous timeout: a busy machine must not turn a slow sink into failed sends.
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=60",
    }


def bench_users(count: int) -> list[Any]:
    """`count` people to remind (made once, kept between runs)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    emails = [f"reader{number}@bench.peership.example" for number in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(email=email, name=f"Reader {number}", password=password)
            for number, email in enumerate(emails)
            if email not in existing
        ],
        batch_size=2_000,
    )
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [users[email] for email in emails]


def chunk_size() -> int:
    from notifications import services

    return services.CHUNK_SIZE


def queue_reminders(recipients: list[Any]) -> tuple[float, float]:
    """Render and write a reminder per recipient; commit them at once. Return the seconds spent
    rendering and writing, and the moment just before the commit (when delivery starts)."""
    from django.conf import settings
    from django.db import transaction

    from notifications import services

    week_start, week_end = date(2026, 3, 2), date(2026, 3, 8)
    context = {
        "week": 1,
        "host": {"name": "Pixelcraft UX"},
        "learner": {"name": "On-Demand Staffing"},
        "week_start": week_start,
        "week_end": week_end,
        "report_url": f"{settings.SITE_URL}/internships/1/reports/1/",
    }
    begun = time.perf_counter()
    with transaction.atomic():
        with services.enqueue_together():
            for person in recipients:
                services.queue_email(
                    to=person.email,
                    kind=KIND,
                    key=f"{KIND}:bench:1:{person.pk}",
                    template=TEMPLATE,
                    context={"person": person, **context},
                    recipient=person,
                )
        started = time.perf_counter()
    return started - begun, started


def wait_until_sent(expected: int, sink: SmtpSink, *, started: float, timeout: float) -> float | None:
    """The moment every row was marked sent; None if some failed, or after `timeout` seconds."""
    from django.db.models import Count

    from notifications.models import Notification

    Status = Notification.Status
    checked = started
    while time.perf_counter() - started < timeout:
        # The sink is counted in memory; the database when the sink has every message, and each second
        # to notice rows that failed.
        if sink.unique() >= expected or time.perf_counter() - checked > 1:
            checked = time.perf_counter()
            # One query, one snapshot: a row sent between two queries would be counted in neither.
            counts = dict(Notification.objects.values_list("status").annotate(rows=Count("pk")).order_by())
            if counts.get(Status.SENT, 0) >= expected:
                return time.perf_counter()
            if not counts.get(Status.PENDING) and not counts.get(Status.SENDING):
                return None  # some failed or were skipped
        time.sleep(0.02)
    return None


def send_raw(sink: SmtpSink, *, expected: int) -> float:
    """Seconds to send the same rendered messages straight to the sink over one SMTP connection."""
    from django.core.mail import mailers

    from notifications.models import Notification
    from notifications.tasks import message_for

    messages = [message_for(notification) for notification in Notification.objects.order_by("pk")]
    sink.reset()
    with mailers["default"] as connection:
        begun = time.perf_counter()
        connection.send_messages(messages)
        seconds = time.perf_counter() - begun
    if sink.total() != expected:
        raise SystemExit(f"The raw send delivered {sink.total()} messages of {expected}.")
    return seconds


# The worker, the broker queue and the sink.


@contextmanager
def celery_worker(*, queue: str, concurrency: int) -> Iterator[None]:
    """`celery worker` with `concurrency` processes on the bench's queue, ready when this yields."""
    from exchange.celery import app

    name = f"{queue}@{socket.gethostname()}"
    with tempfile.NamedTemporaryFile("w+", prefix="bench-email-worker-", suffix=".log") as log:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "exchange",
                "worker",
                "--concurrency",
                str(concurrency),
                "--hostname",
                name,
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE_DIR,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while not app.control.ping(destination=[name], timeout=1.0):
                if worker.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"The Celery worker did not start:\n{log.read()[-3000:]}")
            yield
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def delete_queue(queue: str) -> None:
    from exchange.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)  # type: ignore[attr-defined]


class SmtpSink:
    """An SMTP server on loopback that keeps only a count of each Message-ID it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.counts: Counter[bytes] = Counter()
        self.lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        found = MESSAGE_ID.search(content.partition(b"\r\n\r\n")[0])
        with self.lock:
            self.counts[found.group(1) if found else b"(none)"] += 1
        return "250 Message accepted for delivery"

    def unique(self) -> int:
        with self.lock:
            return len(self.counts)

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    def duplicates(self) -> int:
        with self.lock:
            return sum(self.counts.values()) - len(self.counts)

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
