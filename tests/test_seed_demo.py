"""`manage.py seed_demo` (run by `make run`) builds the demo platform, idempotently."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from businesses.models import Business, Membership, Need, Offer

pytestmark = pytest.mark.django_db


def seed(count: int = 12) -> None:
    call_command("seed_demo", businesses=count, stdout=io.StringIO())


def test_it_tells_the_seed_articles_story():
    seed()
    afreen = Business.objects.get(slug="on-demand-staffing")
    rajeev = Business.objects.get(slug="pixelcraft-ux")
    assert afreen.is_verified and rajeev.is_verified
    assert Need.objects.get(business=afreen).practice.slug == "lead-generation-organic"
    assert set(Offer.objects.filter(business=rajeev).values_list("practice__slug", flat=True)) == {
        "lead-generation-organic",
        "content-marketing",
    }
    neha = Membership.objects.get(business=afreen, user__email="neha@ondemand-staffing.example")
    assert neha.role == Membership.Role.EMPLOYEE
    assert User.objects.get(email="moderator@peership.example").is_moderator


def test_demo_people_can_log_in_with_the_published_password():
    seed()
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "afreen@ondemand-staffing.example", "password": "peership-demo-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_running_it_again_changes_nothing():
    seed()

    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Business, Offer, Need, User, Membership))

    before = counts()
    seed()
    assert counts() == before


def test_it_adds_synthetic_businesses_across_cities_with_offers_and_needs():
    seed(30)
    synthetic = Business.objects.filter(slug__startswith="demo-")
    assert synthetic.count() == 30
    assert synthetic.values("city").distinct().count() >= 10
    assert Offer.objects.filter(business__in=synthetic).count() == 60
    assert Need.objects.filter(business__in=synthetic).count() == 60
    seed(40)  # asking for more adds only the missing ones
    assert synthetic.count() == 40
