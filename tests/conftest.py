import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

# Live-server browser tests call the ORM from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.test import Client

from accounts.services import add_authenticator_app
from businesses.models import Business, Membership, Practice
from exchange.celery import app as celery_app
from tests.factories import TOTP_SECRET, BusinessFactory, MembershipFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that flush the database (browser, worker, races) after all the others.

    A flush also empties the reference data the migrations loaded. pytest-django orders them
    last, but pytest's own reordering for session-scoped parametrised fixtures (the browser)
    can move the browser tests forward again; this stable sort runs after both."""

    def flushes(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        return bool(
            (marker is not None and marker.kwargs.get("transaction"))
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        )

    items.sort(key=flushes)


def missing(what: str, *, required_by: str) -> None:
    """Skip a test whose service is absent, or fail it when CI requires the service."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{what} is required ({required_by}=1) but not available.")
    pytest.skip(f"{what} is not available (set {required_by}=1 to make this a failure).")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def tasks_run_in_process() -> Iterator[None]:
    """Tasks run eagerly in tests; the worker tests switch this off for themselves."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """allauth's rate limits live in the cache: one test's signups must not limit the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_url(settings: Any, request: pytest.FixtureRequest) -> None:
    # Email links point at the test client's host (or the live server's).
    if "live_server" not in request.fixturenames:
        settings.SITE_URL = "http://testserver"


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives; it can be
    stopped and started again on the same port (a mail server outage)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Any] = []
        self.controller: Any = None

    @property
    def mailer(self) -> dict[str, Any]:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        sink = self

        class Keep(Message):
            def handle_message(self, message: Any) -> None:
                sink.messages.append(message)

        # A controller's event loop cannot be restarted: a new one each time.
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port())
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def user(db: None) -> Any:
    """A signed-up person who belongs to no business."""
    return UserFactory(email="member@example.com", name="Mira Member")


@pytest.fixture
def moderator(db: None) -> Any:
    """A moderator with an authenticator app (tests.factories.TOTP_SECRET), as moderators must have."""
    return UserFactory(email="moderator@example.com", name="Maya Moderator", moderator=True)


# Personas around one verified business (Afreen's staffing firm): its owner, a
# manager, an employee member; and an outsider who owns another verified business.
@pytest.fixture
def business(db: None) -> Business:
    return BusinessFactory.create(name="On-Demand Staffing", slug="on-demand-staffing", city="Pune")


@pytest.fixture
def owner(business: Business) -> Any:
    return MembershipFactory(
        business=business,
        user=UserFactory(email="afreen@example.com", name="Afreen"),
        role=Membership.Role.OWNER,
    ).user


@pytest.fixture
def manager(business: Business) -> Any:
    return MembershipFactory(
        business=business,
        user=UserFactory(email="manny@example.com", name="Manny Manager"),
        role=Membership.Role.MANAGER,
    ).user


@pytest.fixture
def member(business: Business) -> Any:
    return MembershipFactory(
        business=business,
        user=UserFactory(email="neha@example.com", name="Neha"),
        role=Membership.Role.EMPLOYEE,
    ).user


@pytest.fixture
def other_business(db: None) -> Business:
    return BusinessFactory.create(name="Pixelcraft UX", slug="pixelcraft-ux", city="Pune")


@pytest.fixture
def outsider(other_business: Business) -> Any:
    return MembershipFactory(
        business=other_business,
        user=UserFactory(email="rajeev@example.com", name="Rajeev"),
        role=Membership.Role.OWNER,
    ).user


# Around an internship (Neha of `business` learns at `other_business`): the host's mentor, an employee,
# and its owner; a test file may define its own `mentor` where the internship is set up differently.
@pytest.fixture
def mentor(other_business: Business) -> Any:
    """Arjun, an employee of the host (Rajeev's Pixelcraft UX), named the mentor."""
    return MembershipFactory.create(
        business=other_business,
        user=UserFactory.create(email="arjun@example.com", name="Arjun Mentor"),
        role=Membership.Role.EMPLOYEE,
    ).user


@pytest.fixture
def host_owner(outsider: Any) -> Any:
    """Rajeev owns Pixelcraft UX, the host."""
    return outsider


@pytest.fixture
def admin_client_of(client: Client) -> Client:
    """The test client, logged in as a superuser (the back office), who has an authenticator app."""
    admin = UserFactory.create(email="admin@example.com", is_staff=True, is_superuser=True)
    add_authenticator_app(user=admin, secret=TOTP_SECRET)
    client.force_login(admin)
    return client


# Two practices of the reference data, the tests' usual offer and need.
@pytest.fixture
def lead_generation(db: None) -> Practice:
    return Practice.objects.get(slug="lead-generation-organic")


@pytest.fixture
def onboarding(db: None) -> Practice:
    return Practice.objects.get(slug="employee-onboarding")


# Browser tests: Debian's Chromium, since Playwright cannot download its own here.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        missing(f"Chromium at {CHROMIUM}", required_by="REQUIRE_BROWSER")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
