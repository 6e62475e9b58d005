"""Every URL pattern of the project, opened by every persona: the status each gets is the one the matrix
(tests/authorization_matrix.py) says — never a 500, never a page where the object should not exist.

The world is built once for the module; each request runs in a savepoint that is rolled back, so an
allowed action (a task assigned, a member removed) does not change what the next persona meets. A denied
request must leave every row of the project's tables as it was."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import add_authenticator_app
from businesses.models import (
    Business,
    Competitor,
    Department,
    Industry,
    Invitation,
    Membership,
    Need,
    Offer,
    Practice,
)
from businesses.services.partnerships import open_partnership
from feedback.models import WeeklyReport
from internships.models import ImplementationPlan, Internship, Match, MatchEvent, Task
from notifications.models import Notification
from notifications.unsubscribe import make_token
from tests.authorization_matrix import (
    ACCOUNT_PAGES,
    ADMIN,
    ADMIN_LOGIN,
    ADMIN_NON_STAFF,
    ADMIN_STAFF,
    LOGIN,
    MATRIX,
    OK,
    PERSONAS,
    REDIRECT,
    Row,
    Status,
    expect,
)
from tests.factories import (
    TOTP_SECRET,
    BusinessFactory,
    ImplementationPlanFactory,
    InternshipFactory,
    InvitationFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    ObjectiveFactory,
    OfferFactory,
    PlanStepFactory,
    TaskFactory,
    UserFactory,
)
from tests.helpers import Pattern, walk

# The URL patterns, walked from the root resolver.

PATTERNS = list(walk(get_resolver()))
ROWS: dict[str, Row] = {**MATRIX, **ACCOUNT_PAGES}


def under_admin_rule(pattern: Pattern) -> bool:
    if pattern.name is not None:
        return pattern.name.split(":")[0] == ADMIN.namespace
    return pattern.route.startswith(ADMIN.route_prefix)


ADMIN_PATTERNS = [pattern for pattern in PATTERNS if under_admin_rule(pattern)]


# The world.


@dataclass
class World:
    people: dict[str, User]
    memberships: dict[str, Membership]
    staff: User
    learner: Business
    host: Business
    unverified: Business
    need: Need
    draft_need: Need
    host_need: Need
    learner_offer: Offer
    paused_offer: Offer
    draft_offer: Offer
    host_offer: Offer
    match: Match
    pending_match: Match
    invitation: Invitation
    host_invitation: Invitation
    competitor: Competitor
    host_competitor: Competitor
    failed_email: Notification
    unsubscribe_token: str
    active: Internship
    requested: Internship
    accepted: Internship
    completed: Internship
    assigned_task: Task
    done_task: Task
    other_task: Task
    foreign: Internship
    foreign_task: Task


def build_world() -> World:
    today = timezone.localdate()
    practices = list(Practice.objects.order_by("pk")[:4])
    learner = BusinessFactory.create(name="On-Demand Staffing", slug="on-demand-staffing")
    host = BusinessFactory.create(name="Pixelcraft UX", slug="pixelcraft-ux")
    third = BusinessFactory.create(name="Unrelated Bakery", slug="unrelated-bakery")
    unverified = BusinessFactory.create(
        name="Not Yet Verified", slug="not-yet-verified", verification=Business.Verification.PENDING
    )

    def join(business: Business, role: str, email: str) -> Membership:
        return MembershipFactory.create(business=business, role=role, user=UserFactory.create(email=email))

    Role = Membership.Role
    memberships = {
        "outsider": join(third, Role.OWNER, "outsider@example.com"),
        "member": join(learner, Role.EMPLOYEE, "member@example.com"),
        "intern": join(learner, Role.EMPLOYEE, "intern@example.com"),
        "mentor": join(host, Role.EMPLOYEE, "mentor@example.com"),
        "host_owner": join(host, Role.OWNER, "host-owner@example.com"),
        "owner": join(learner, Role.OWNER, "owner@example.com"),
    }
    join(unverified, Role.OWNER, "unverified@example.com")
    people = {persona: membership.user for persona, membership in memberships.items()}
    people["moderator"] = UserFactory.create(email="moderator@example.com", moderator=True)
    staff = UserFactory.create(email="staff@example.com", is_staff=True, is_superuser=True)
    add_authenticator_app(user=staff, secret=TOTP_SECRET)

    need = NeedFactory.create(business=learner, practice=practices[0])
    host_offer = OfferFactory.create(business=host, practice=practices[0])
    match = MatchFactory.create(
        need=need, offer=host_offer, status=Match.Status.APPROVED, decided_at=timezone.now()
    )
    open_partnership(business=learner, partner=host)
    MatchEvent.objects.create(
        match=match, action=MatchEvent.Action.APPROVED, actor=people["moderator"], note="A good fit."
    )
    pending_match = MatchFactory.create(
        need=NeedFactory.create(business=learner, practice=practices[1]),
        offer=OfferFactory.create(business=host, practice=practices[1]),
    )

    def internship(status: str, start: date, days: int, *, mentor: bool = True, **extra: Any) -> Internship:
        return InternshipFactory.create(
            match=match,
            intern=people["intern"],
            mentor=people["mentor"] if mentor else None,
            start=start,
            end=start + timedelta(days=days - 1),
            status=status,
            requested_by=people["owner"],
            **extra,
        )

    Status = Internship.Status
    active = internship(Status.ACTIVE, today - timedelta(days=10), 21)
    objective = ObjectiveFactory.create(internship=active)
    requested = internship(
        Status.REQUESTED,
        today + timedelta(days=20),
        5,
        mentor=False,
        counter_start=today + timedelta(days=30),
        counter_end=today + timedelta(days=34),
        counter_note="We are closed that week.",
    )
    accepted = internship(Status.ACCEPTED, today + timedelta(days=40), 5)
    completed = internship(Status.COMPLETED, today - timedelta(days=60), 10)
    ObjectiveFactory.create(internship=completed)
    for one in (requested, accepted):
        ObjectiveFactory.create(internship=one)

    assigned_task = TaskFactory.create(internship=active, due=today + timedelta(days=2))
    done_task = TaskFactory.create(
        internship=active,
        title="Audit the blog",
        status=Task.Status.DONE,
        done_note="Done.",
        done_at=timezone.now(),
    )
    other_task = TaskFactory.create(internship=completed, due=completed.start)
    WeeklyReport.objects.create(
        internship=active, week=1, learned="Keyword research.", tasks_done="Two outlines.", hours=30
    )
    plan = ImplementationPlanFactory.create(internship=active, status=ImplementationPlan.Status.DRAFT)
    PlanStepFactory.create(plan=plan, objective=objective)

    # An internship between two other businesses, with a mentor and an intern of their own.
    foreign = InternshipFactory.create(
        status=Status.ACTIVE, mentor=UserFactory.create(email="foreign-mentor@example.com")
    )
    invited_by = people["owner"]
    return World(
        people=people,
        memberships=memberships,
        staff=staff,
        learner=learner,
        host=host,
        unverified=unverified,
        need=need,
        draft_need=NeedFactory.create(business=learner, practice=practices[2], status=Need.Status.DRAFT),
        host_need=NeedFactory.create(business=host, practice=practices[2]),
        learner_offer=OfferFactory.create(business=learner, practice=practices[3]),
        paused_offer=OfferFactory.create(business=learner, practice=practices[1], status=Offer.Status.PAUSED),
        draft_offer=OfferFactory.create(business=learner, practice=practices[2], status=Offer.Status.DRAFT),
        host_offer=host_offer,
        match=match,
        pending_match=pending_match,
        invitation=InvitationFactory.create(
            business=learner, email="newcomer@example.com", invited_by=invited_by
        ),
        host_invitation=InvitationFactory.create(
            business=host, email="host-newcomer@example.com", invited_by=people["host_owner"]
        ),
        competitor=Competitor.objects.create(business=learner, name="Rival Staffing Co"),
        host_competitor=Competitor.objects.create(business=host, name="Rival Design Studio"),
        failed_email=Notification.objects.create(
            key="matrix:failed",
            kind="internships.requested",
            recipient=people["owner"],
            to_email=people["owner"].email,
            subject="An internship request",
            body_text="…",
            status=Notification.Status.FAILED,
            attempts=5,
        ),
        unsubscribe_token=make_token(user_id=people["intern"].pk, kind="feedback.reminder_weekly_report_due"),
        active=active,
        requested=requested,
        accepted=accepted,
        completed=completed,
        assigned_task=assigned_task,
        done_task=done_task,
        other_task=other_task,
        foreign=foreign,
        foreign_task=TaskFactory.create(internship=foreign),
    )


@dataclass
class Visitors:
    """The world, and a signed-in test client per persona (and one for a staff member)."""

    world: World
    clients: dict[str, Client]
    baseline: dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def visitors(django_db_setup: None, django_db_blocker: Any) -> Iterator[Visitors]:
    """Built once for the module in a transaction rolled back at its end; each test runs in a savepoint."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        world = build_world()
        clients = {persona: Client() for persona in (*PERSONAS, "staff")}
        for persona, client in clients.items():
            if persona == "staff":
                client.force_login(world.staff)
            elif persona != "anonymous":
                client.force_login(world.people[persona])
        yield Visitors(world, clients, snapshot())
        transaction.set_rollback(True)


# Requests.


def watched_tables() -> list[str]:
    """The project's tables (and allauth's and the groups'), but not reference data or sessions."""
    project = {"accounts", "businesses", "internships", "feedback", "notifications", "account", "mfa", "auth"}
    # Reference data (thousands of NAICS rows) never changes through these pages.
    unwatched = {Industry, Department, Practice, Permission}
    return [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in project and model not in unwatched
    ]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the watched tables, to tell whether a request changed any."""
    rows = {}
    with connection.cursor() as cursor:
        for table in watched_tables():
            # Table names come from the models, not from input.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            rows[table] = cursor.fetchall()
    return rows


@dataclass(frozen=True)
class Outcome:
    status: int | None
    location: str
    error: str
    changed: list[str]

    def describe(self) -> str:
        if self.error:
            return f"raised {self.error}"
        text = str(self.status)
        if self.location:
            text += f" → {self.location}"
        if self.changed:
            text += f", and changed {', '.join(self.changed)}"
        return text


def send(visitors: Visitors, persona: str, method: str, url: str, *, watch: bool) -> Outcome:
    """One request as `persona`, in a savepoint rolled back afterwards (nothing it does stays).

    With `watch`, every watched table must be as the world left it after the request."""
    client = visitors.clients[persona]
    # The session's row goes back with the savepoint: so must the cookies (a message, a new session key).
    cookies = copy.deepcopy(client.cookies)
    response: HttpResponseBase | None = None
    error = ""
    changed: list[str] = []
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url)
            elif method == "POST":
                response = client.post(url, {})
            else:
                response = client.generic(method, url)
        except Exception as exception:  # a 500: reported with the persona, not as a bare traceback
            error = f"{type(exception).__name__}: {exception}"
        if watch and not error:
            after = snapshot()
            changed = [table for table, rows in visitors.baseline.items() if after[table] != rows]
        transaction.set_rollback(True)
    client.cookies = cookies
    location = response.get("Location", "") if response is not None else ""
    return Outcome(response.status_code if response is not None else None, location, error, changed)


LOGIN_URL = reverse("account_login")
ADMIN_LOGIN_URL = reverse("admin:login")
DENIED = {400, 403, 404, 405, 410}


def matches(outcome: Outcome, want: Status, method: str) -> bool:
    if outcome.error or outcome.changed:
        return False
    status, location = outcome.status, outcome.location
    asks_to_log_in = status == 302 and location.startswith(LOGIN_URL + "?next=")
    if want == LOGIN:
        return asks_to_log_in
    if want == ADMIN_LOGIN:
        return status == 302 and location.startswith(ADMIN_LOGIN_URL + "?next=")
    if want == REDIRECT:
        return status == 302 and not asks_to_log_in
    if want == OK:
        if method == "GET":
            return status == 200
        return status == 200 or (status == 302 and not asks_to_log_in)
    return status == want


def denied(want: Status) -> bool:
    return want in (LOGIN, ADMIN_LOGIN) or want in DENIED


def check(visitors: Visitors, problems: list[str], persona: str, method: str, url: str, want: Status) -> None:
    # A refused request must change nothing; an allowed one may (its savepoint is rolled back anyway).
    outcome = send(visitors, persona, method, url, watch=denied(want))
    if not matches(outcome, want, method):
        problems.append(f"{method} {url} as {persona}: expected {want}, got {outcome.describe()}")


WRONG_METHOD = {("GET",): "POST", ("POST",): "GET", ("GET", "POST"): "PUT"}


# The tests.


def test_every_url_pattern_has_a_row_in_the_matrix_or_a_rule_that_covers_it() -> None:
    missing = [
        pattern.route if pattern.name is None else pattern.name
        for pattern in PATTERNS
        if not under_admin_rule(pattern) and pattern.name not in ROWS
    ]
    assert not missing, f"URL patterns with no row in tests/authorization_matrix.py: {missing}"


def test_every_row_of_the_matrix_names_a_url_pattern() -> None:
    names = {pattern.name or pattern.route for pattern in PATTERNS}
    stale = [name for name in (*ROWS, *ADMIN_NON_STAFF, *ADMIN_STAFF) if name not in names]
    assert not stale, f"Rows for URL patterns that no longer exist: {stale}"


def test_the_admin_rule_covers_only_the_admin_sites_own_views() -> None:
    hidden = [
        f"{pattern.name or pattern.route} ({pattern.module})"
        for pattern in ADMIN_PATTERNS
        if not pattern.route.startswith(ADMIN.route_prefix) or not pattern.module.startswith(ADMIN.modules)
    ]
    assert ADMIN_PATTERNS
    assert not hidden, f"The admin rule would hide these project views: {hidden}"


def test_every_row_says_what_every_persona_gets() -> None:
    for name, row in ROWS.items():
        assert row.methods, name
        for _, expected in row.methods:
            assert set(expected) == set(PERSONAS), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_persona_gets_the_status_the_matrix_says(visitors: Visitors, name: str) -> None:
    row = ROWS[name]
    url = reverse(name, kwargs=row.kwargs(visitors.world))
    problems: list[str] = []
    for method, expected in row.methods:
        for persona in PERSONAS:
            check(visitors, problems, persona, method, url, expected[persona])
    if name in MATRIX:
        allowed = tuple(method for method, _ in row.methods)
        check(visitors, problems, row.actor, WRONG_METHOD[allowed], url, 405)
    for kwargs in row.crossed:
        crossed = reverse(name, kwargs=kwargs(visitors.world))
        for method, _ in row.methods:
            check(visitors, problems, row.actor, method, crossed, 404)
    for also in row.also:
        other = reverse(name, kwargs=also.kwargs(visitors.world))
        for persona, want in also.expect.items():
            check(visitors, problems, persona, "GET", other, want)
    note = f"\n(The matrix says of {name}: {row.note}.)" if row.note else ""
    assert not problems, "\n".join(problems) + note


def admin_kwargs(pattern: Pattern, world: World) -> dict[str, Any] | None:
    """Kwargs for an admin pattern: an existing object of its model (a user for the user pages)."""
    route = pattern.route
    kwargs: dict[str, Any] = {}
    if "<path:object_id>" in route or "<id>" in route:
        if "/r/" in route:
            content_type = ContentType.objects.get_for_model(Business)
            return {"content_type_id": content_type.pk, "object_id": world.learner.pk}
        app_label, model_name = route.split("/")[1:3]
        model = apps.get_model(app_label, model_name)
        found = model._default_manager.order_by("pk").first()
        assert found is not None, f"No {model_name} to open in the admin"
        kwargs["id" if "<id>" in route else "object_id"] = found.pk
    elif "(?P<url>" in route:
        kwargs["url"] = "no-such-page/"
    elif "(?P<app_label>" in route:
        kwargs["app_label"] = "businesses"
    return kwargs


def admin_url(pattern: Pattern, world: World) -> str:
    kwargs = admin_kwargs(pattern, world)
    if pattern.name is not None:
        return reverse(pattern.name, kwargs=kwargs)
    # Unnamed: the old change-page address that redirects, and the catch-all.
    path = pattern.route.replace("<path:object_id>", str((kwargs or {}).get("object_id", "")))
    path = path.replace("(?P<url>.*)$", str((kwargs or {}).get("url", "")))
    return "/" + path.lstrip("^")


def admin_id(pattern: Pattern) -> str:
    return pattern.name or pattern.route


# The admin lets in staff only, whatever else a person is (its one check, admin_view): anonymous
# visitors, a business owner and a moderator (the most powerful non-staff persona) stand for the rest.
ADMIN_VISITORS = ("anonymous", "owner", "moderator")


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ADMIN_PATTERNS, ids=admin_id)
def test_the_admin_sends_non_staff_to_its_login_and_opens_for_staff(
    visitors: Visitors, pattern: Pattern
) -> None:
    url = admin_url(pattern, visitors.world)
    problems: list[str] = []
    non_staff = ADMIN_NON_STAFF.get(admin_id(pattern), expect(ADMIN_LOGIN, anonymous=ADMIN_LOGIN))
    for persona in ADMIN_VISITORS:
        check(visitors, problems, persona, "GET", url, non_staff[persona])
    staff: Status = ADMIN_STAFF.get(admin_id(pattern), OK)
    if pattern.name is None and "<path:object_id>" in pattern.route:
        staff = REDIRECT  # the old change address redirects to the new one
    check(visitors, problems, "staff", "GET", url, staff)
    assert not problems, "\n".join(problems)
