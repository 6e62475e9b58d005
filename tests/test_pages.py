"""Site-wide pages: home, dashboard, health, error pages."""

import datetime
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import Membership, Need, Offer
from internships.models import Internship
from tests.conftest import free_port
from tests.factories import (
    BusinessFactory,
    InternshipFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_home_explains_the_exchange_to_visitors(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "non-competing businesses lend each other" in html
    assert "Write specific objectives" in html  # the seed's checklist
    assert reverse("account_signup") in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target


def test_home_sends_signed_in_people_to_their_dashboard(client: Client, user) -> None:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_home_rejects_a_post(client: Client) -> None:
    assert client.post("/").status_code == 405


def test_dashboard_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_says_what_to_do_next(client: Client, user, django_assert_max_num_queries) -> None:
    client.force_login(user)
    # Session, user, the navigation (memberships, moderator check), the dashboard's
    # businesses with their counts, the invitations waiting for the user, and the
    # internships they are the intern or mentor of.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What to do next" in html
    assert "Mira Member" in html
    assert reverse("businesses:create") in html


def test_dashboard_lists_my_businesses_with_their_offers_and_needs(client: Client, owner, business) -> None:
    OfferFactory.create(business=business)
    NeedFactory.create(business=business)
    NeedFactory.create(business=business, status=Need.Status.DRAFT)
    client.force_login(owner)
    html = client.get(reverse("dashboard")).content.decode()
    assert business.name in html
    assert "1 active offer" in html and "1 open need" in html
    assert "1 proposal from your self-assessment to confirm" in html


def test_dashboard_does_not_count_an_offer_whose_window_has_ended_as_active(
    client: Client, owner, business
) -> None:
    OfferFactory.create(business=business)
    ended = OfferFactory.create(business=business)
    Offer.objects.filter(pk=ended.pk).update(
        available_from=timezone.localdate() - datetime.timedelta(days=60),
        available_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(owner)
    html = client.get(reverse("dashboard")).content.decode()
    assert "1 active offer" in html and "2 active offers" not in html


def test_dashboard_queries_do_not_grow_with_businesses(client: Client, owner, django_assert_num_queries):
    client.force_login(owner)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for n in range(4):
        MembershipFactory.create(user=owner, business=BusinessFactory.create(name=f"Extra {n}"))
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("dashboard"))


def test_dashboard_queries_do_not_grow_with_internships(
    client: Client, owner, business, django_assert_num_queries
) -> None:
    def placement(**kwargs) -> Internship:
        return InternshipFactory.create(
            status=Internship.Status.ACTIVE, mentor=UserFactory.create(), **kwargs
        )

    placement(match__need__business=business)
    placement(intern=owner)
    client.force_login(owner)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for n in range(3):
        extra = BusinessFactory.create(name=f"Extra {n}")
        MembershipFactory.create(user=owner, business=extra, role=Membership.Role.OWNER)
        placement(match__need__business=extra)
        placement(match__offer__business=business)
        placement(intern=owner)
        InternshipFactory.create(mentor=owner, status=Internship.Status.SCHEDULED)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse("dashboard")).status_code == 200


def test_dashboard_lists_the_internships_i_am_intern_or_mentor_in(client: Client, member, outsider) -> None:
    learning = InternshipFactory.create(intern=member, status=Internship.Status.ACTIVE, mentor=outsider)
    mentoring = InternshipFactory.create(mentor=member, status=Internship.Status.SCHEDULED)
    elsewhere = InternshipFactory.create()
    client.force_login(member)
    html = client.get(reverse("dashboard")).content.decode()
    assert learning.get_absolute_url() in html and "as the intern" in html
    assert mentoring.get_absolute_url() in html and "as the mentor" in html
    assert elsewhere.get_absolute_url() not in html
    assert "None yet." not in html


def test_the_business_card_shows_the_give_and_get_ledger_to_its_owners(
    client: Client, owner, member, business
) -> None:
    # Hosted 5 days (active), received 3 (completed); a request counts as an internship but not as days.
    InternshipFactory.create(
        match__offer__business=business,
        start=date(2026, 3, 2),
        end=date(2026, 3, 6),
        status=Internship.Status.ACTIVE,
        mentor=owner,
    )
    InternshipFactory.create(
        match__need__business=business,
        start=date(2026, 4, 1),
        end=date(2026, 4, 3),
        status=Internship.Status.COMPLETED,
        mentor=UserFactory.create(),
    )
    InternshipFactory.create(match__need__business=business, status=Internship.Status.REQUESTED)
    client.force_login(owner)
    html = " ".join(client.get(reverse("dashboard")).content.decode().split())
    assert "Give and get" in html
    assert (
        "Hosted <strong>5 intern-days</strong>, received <strong>3</strong>: 2 more given than received."
        in html
    )
    assert "3 internships</a>: 1 requested, 1 active, 1 completed" in html
    assert reverse("internships:index") + "?business=on-demand-staffing" in html
    client.force_login(member)  # an employee sees the business, not its ledger
    assert "Give and get" not in client.get(reverse("dashboard")).content.decode()


def test_a_business_without_internships_says_what_the_ledger_will_show(client: Client, owner) -> None:
    client.force_login(owner)
    assert "No internships yet: days you host" in client.get(reverse("dashboard")).content.decode()


def test_dashboard_shows_invitations_waiting_for_me(client: Client, user, business, owner) -> None:
    InvitationFactory.create(business=business, email=user.email, invited_by=owner)
    client.force_login(user)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Invitations for you" in html
    assert business.name in html


def test_dashboard_rejects_a_post(client: Client, user) -> None:
    client.force_login(user)
    assert client.post(reverse("dashboard")).status_code == 405


def test_unknown_page_is_a_styled_404(client: Client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "Peership" in html and "bootstrap.min.css" in html


def test_a_bad_csrf_token_gets_a_clear_403(db) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_healthz_reports_database_and_broker(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"


def test_healthz_says_degraded_but_healthy_without_the_broker(client: Client, settings) -> None:
    # Pages are still served without Redis: the web process must stay in the load balancer.
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "error"}


def test_a_server_error_gets_the_styled_500_page(rf) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_a_forbidden_action_gets_the_styled_403_page(client: Client, member, business) -> None:
    client.force_login(member)  # an employee may not edit the profile
    response = client.get(reverse("businesses:edit", args=[business.slug]))
    assert response.status_code == 403
    assert "You are not allowed to do that" in response.content.decode()
