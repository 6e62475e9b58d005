"""Redis and PostgreSQL fail under a running site: people keep working, and nothing is lost or doubled.

Each test starts its own Redis or PostgreSQL on a free port, the web process as production runs it
(gunicorn, sync workers, DJANGO_DEBUG=0) and, where email is concerned, a real Celery worker sending
to an SMTP sink. The shared services on 5432 and 6379 are never stopped."""

import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from businesses.models import Business, Membership
from exchange.celery import app as celery_app
from notifications.models import Notification
from tests.conftest import SmtpSink, free_port, missing
from tests.factories import PASSWORD
from tests.reliability.services import (
    AS_POSTGRES,
    POSTGRES_BIN,
    Page,
    PostgresCluster,
    RedisServer,
    Visitor,
    WebServer,
    Worker,
    database_url,
    manage,
    site_environment,
    wait_for,
)

pytestmark = [pytest.mark.reliability, pytest.mark.services]

# A page served while a service is down must still come quickly: a sync worker held for long
# is a site that stops answering (gunicorn kills it after 30 s).
QUICK = 3.0
# A service that hangs is noticed after a timeout: a page may wait a few of them.
HUNG = 6.0


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        missing("redis-server", required_by="REQUIRE_SERVICES")
    server = RedisServer(free_port())
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    if not (POSTGRES_BIN / "pg_ctl").exists() or (AS_POSTGRES and shutil.which("runuser") is None):
        missing(f"PostgreSQL's server programs in {POSTGRES_BIN}", required_by="REQUIRE_SERVICES")
    cluster = PostgresCluster(free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@dataclass
class Site:
    """The site on our own Redis: its web process, and a worker to start when the test wants one."""

    redis: RedisServer
    web: WebServer
    worker: Worker
    queue: str

    def relay(self) -> None:
        """Queue the relay task on our Redis, as beat does every minute."""
        celery_app.conf.task_always_eager = False  # (the tasks_run_in_process fixture restores it)
        with celery_app.connection_for_write(self.redis.url) as conn, conn.Producer() as producer:
            celery_app.send_task("notifications.tasks.relay_pending", queue=self.queue, producer=producer)


@pytest.fixture
def site(redis_server: RedisServer, smtp_sink: SmtpSink, transactional_db: None) -> Iterator[Site]:
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")
    queue = f"faults-{uuid.uuid4().hex[:12]}"
    environment = site_environment(
        database_url=database_url(),
        redis_url=redis_server.url,
        email_url=f"smtp://127.0.0.1:{smtp_sink.port}",
        queue=queue,
    )
    web = WebServer(free_port(), environment)
    # The relay queues again a row whose task was lost once it is this old (5 minutes in production).
    worker = Worker({**environment, "NOTIFICATIONS_REQUEUE_AFTER_SECONDS": "1"})
    try:
        web.start()
        yield Site(redis_server, web, worker, queue)
    finally:
        worker.close()
        web.close()


def invite(visitor: Visitor, business: Business, email: str) -> Page:
    return visitor.submit(
        f"/businesses/{business.slug}/members/invite/", {"email": email, "role": Membership.Role.EMPLOYEE}
    )


def slow_or_failed(pages: list[Page], *, within: float = QUICK) -> list[str]:
    return [str(page) for page in pages if page.status != 200 or page.seconds > within]


def all_sent(emails: set[str]) -> bool:
    outbox = list(Notification.objects.all())
    return {n.to_email for n in outbox} == emails and {n.status for n in outbox} == {Notification.Status.SENT}


def assert_sent_once(sink: SmtpSink, emails: set[str]) -> None:
    """Each address got its email once, and its row says so (sent at the first attempt)."""
    assert Counter(message["To"] for message in sink.messages) == Counter(emails)
    assert {(n.to_email, n.status, n.attempts) for n in Notification.objects.all()} == {
        (email, Notification.Status.SENT, 1) for email in emails
    }


@pytest.mark.django_db(transaction=True)
def test_while_redis_is_down_people_keep_working_and_no_email_is_lost_or_doubled(
    site: Site, smtp_sink: SmtpSink, owner: Any, manager: Any, business: Business
) -> None:
    afreen = Visitor(site.web.port)
    assert afreen.sign_in(owner.email, PASSWORD).status == 200
    # Before the outage, with no worker running yet: this invitation's task waits in Redis…
    assert invite(afreen, business, "ravi@example.com").status == 200
    # …and is lost with everything Redis held.
    site.redis.shutdown()

    pages = [
        afreen.open("/dashboard/"),
        afreen.open("/businesses/offers/"),
        afreen.open(f"/businesses/{business.slug}/members/"),
        invite(afreen, business, "sunita@example.com"),
        invite(afreen, business, "tom@example.com"),
    ]
    # Signing in and signing up go through allauth's rate limits, which live in the cache.
    manny = Visitor(site.web.port)
    mistyped = manny.sign_in(manager.email, "not-my-password")
    pages += [mistyped, manny.sign_in(manager.email, PASSWORD)]
    newcomer = Visitor(site.web.port)
    newcomer.open("/accounts/signup/")
    signup = {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD}
    pages.append(newcomer.submit("/accounts/signup/", signup))
    assert not slow_or_failed(pages), slow_or_failed(pages)
    assert "The email address and/or password you specified are not correct." in mistyped.text
    assert "Manny Manager" in pages[-2].text
    assert "sunita@example.com" in pages[3].text and "tom@example.com" in pages[4].text
    # Every email they caused is kept in the outbox.
    expected = {"ravi@example.com", "sunita@example.com", "tom@example.com", "newcomer@example.com"}
    outbox = Notification.objects.all()
    assert {n.to_email for n in outbox} == expected
    assert {n.status for n in outbox} == {Notification.Status.PENDING}

    # Redis is back, empty; a worker starts; beat's relay runs.
    site.redis.start()
    site.worker.start()
    site.relay()
    wait_for(lambda: all_sent(expected), seconds=60, what="the relay's emails to be sent")
    # The site uses Redis again: a new invitation goes out at once, without the relay.
    assert invite(afreen, business, "uma@example.com").status == 200
    expected.add("uma@example.com")
    wait_for(lambda: all_sent(expected), seconds=30, what="the invitation sent after the outage")
    # Once each, however often the relay runs.
    site.relay()
    time.sleep(2)
    assert_sent_once(smtp_sink, expected)


@pytest.mark.django_db(transaction=True)
def test_a_redis_that_hangs_costs_a_page_seconds_not_minutes_and_no_email_is_doubled(
    site: Site, smtp_sink: SmtpSink, owner: Any, manager: Any, business: Business
) -> None:
    afreen = Visitor(site.web.port)
    assert afreen.sign_in(owner.email, PASSWORD).status == 200
    site.redis.freeze()

    manny = Visitor(site.web.port)
    pages = [
        invite(afreen, business, "sunita@example.com"),
        invite(afreen, business, "tom@example.com"),
        afreen.open("/dashboard/"),
        manny.sign_in(manager.email, PASSWORD),
        manny.open("/dashboard/"),
    ]
    # Each wait on Redis is cut short after a second (settings.REDIS_TIMEOUT), not after gunicorn's 30.
    assert not slow_or_failed(pages, within=HUNG), slow_or_failed(pages, within=HUNG)

    # A task published as Redis froze may still be in its socket buffer, and the relay queues the row
    # again: two tasks for one email, which is sent once all the same.
    site.redis.thaw()
    site.worker.start()
    site.relay()
    expected = {"sunita@example.com", "tom@example.com"}
    wait_for(lambda: all_sent(expected), seconds=60, what="the emails to be sent")
    site.relay()
    time.sleep(2)
    assert_sent_once(smtp_sink, expected)


def test_after_postgresql_restarts_the_next_request_succeeds(postgres: PostgresCluster) -> None:
    name = "peership"
    postgres.create_database(name)
    environment = {
        **site_environment(database_url=postgres.url(name)),
        # Persistent connections with health checks, as in production.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    manage(environment, "migrate", "--noinput")
    manage(
        environment,
        "shell",
        "-c",
        "from tests.factories import UserFactory; "
        f"UserFactory.create(email='afreen@example.com', name='Afreen', password={PASSWORD!r})",
    )
    web = WebServer(free_port(), environment)
    try:
        web.start()
        afreen = Visitor(web.port)
        assert afreen.sign_in("afreen@example.com", PASSWORD).status == 200
        # Until each gunicorn worker holds a connection of its own.
        wait_for(
            lambda: afreen.open("/dashboard/").status == 200 and postgres.connections(name) == web.workers,
            seconds=30,
            what="each web worker to keep a database connection",
        )

        postgres.restart()
        after = [afreen.open("/dashboard/") for _ in range(6)]
        assert not slow_or_failed(after), slow_or_failed(after)
        assert "Afreen" in after[0].text

        # While it is down, a request gets the site's error page at once, not a hang or a traceback.
        postgres.stop()
        during = afreen.open("/dashboard/")
        postgres.start()
        assert during.status == 500 and during.seconds < QUICK
        assert "Something went wrong on our side" in during.text
        assert "Traceback" not in during.text
        back = afreen.open("/dashboard/")
        assert back.status == 200 and "Afreen" in back.text
    finally:
        web.close()
