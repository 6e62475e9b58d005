"""The reference data migration: NAICS 2022 industries, departments and practices,
and the moderators' right to edit them in the admin."""

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.services import add_authenticator_app
from businesses.models import Department, Industry, Practice
from tests.factories import TOTP_SECRET

pytestmark = pytest.mark.django_db

DATA_DIR = Path(__file__).resolve().parent.parent / "businesses" / "data"
SECTORS = 20
SUBSECTORS = 96  # NAICS 2022 (the retail subsectors were reorganised in 2022)
DEPARTMENTS = [
    "HR",
    "Sales",
    "Marketing",
    "Design",
    "Operations",
    "Administration",
    "Production",
    "Supply Chain",
    "Finance",
    "IT",
    "Customer Service",
]


def sector_prefixes(code: str) -> set[str]:
    """The two-digit prefixes of a sector code: "31-33" covers 31, 32 and 33."""
    first, _, last = code.partition("-")
    return {str(number) for number in range(int(first), int(last or first) + 1)}


def test_twenty_sectors_and_all_subsectors():
    assert Industry.objects.filter(parent__isnull=True).count() == SECTORS
    assert Industry.objects.filter(parent__isnull=False).count() == SUBSECTORS
    assert set(Industry.objects.filter(parent__isnull=True).values_list("code", flat=True)) >= {
        "31-33",
        "44-45",
        "48-49",
    }


def test_every_subsector_belongs_to_its_sector():
    for subsector in Industry.objects.filter(parent__isnull=False).select_related("parent"):
        sector = subsector.parent
        assert sector is not None and sector.is_sector, subsector
        assert len(subsector.code) == 3, subsector
        assert subsector.code[:2] in sector_prefixes(sector.code), subsector


def test_naics_2022_retail_subsectors():
    retail = set(Industry.objects.get(code="44-45").children.values_list("code", flat=True))
    assert retail == {"441", "444", "445", "449", "455", "456", "457", "458", "459"}
    assert not Industry.objects.filter(
        code__in=["442", "443", "446", "447", "448", "451", "452", "453", "454"]
    )
    assert Industry.objects.get(code="456").title == "Health and Personal Care Retailers"


def test_the_database_matches_the_data_file():
    data = json.loads((DATA_DIR / "naics2022.json").read_text(encoding="utf-8"))
    assert "census.gov/naics" in data["source"]
    expected = {sector["code"]: sector["title"] for sector in data["sectors"]}
    expected |= {sub["code"]: sub["title"] for sector in data["sectors"] for sub in sector["subsectors"]}
    assert dict(Industry.objects.values_list("code", "title")) == expected


def test_departments_in_order_each_with_practices():
    assert list(Department.objects.values_list("name", flat=True)) == DEPARTMENTS
    for department in Department.objects.all():
        assert department.practices.count() >= 5, department
    assert Practice.objects.count() >= 60


def test_practices_have_descriptions_and_sensible_lengths():
    for practice in Practice.objects.all():
        assert practice.description, practice
        assert 1 <= practice.suggested_days <= 20, practice
    assert Practice.objects.get(slug="six-sigma").suggested_days >= 10


@pytest.mark.parametrize(
    ("slug", "department"),
    [
        ("lead-generation-organic", "marketing"),
        ("content-marketing", "marketing"),
        ("email-marketing", "marketing"),
        ("seo", "marketing"),
        ("paid-advertising", "marketing"),
        ("six-sigma", "operations"),
        ("project-management", "operations"),
    ],
)
def test_the_seed_examples_exist(slug, department):
    assert Practice.objects.get(slug=slug).department.slug == department


def test_related_practices_are_symmetric():
    Through = Practice.related.through
    pairs = set(Through.objects.values_list("from_practice_id", "to_practice_id"))
    assert pairs, "some practices are related"
    assert pairs == {(to, frm) for frm, to in pairs}
    seo = Practice.objects.get(slug="seo")
    lead_generation = Practice.objects.get(slug="lead-generation-organic")
    assert seo in lead_generation.related.all()
    assert lead_generation in seo.related.all()


def test_loading_again_changes_nothing():
    migration = importlib.import_module("businesses.migrations.0002_reference_data")
    before = (
        Industry.objects.count(),
        Department.objects.count(),
        Practice.objects.count(),
        Practice.related.through.objects.count(),
    )
    for step in (migration.load_industries, migration.load_practices, migration.grant_moderators):
        step(apps, None)
    after = (
        Industry.objects.count(),
        Department.objects.count(),
        Practice.objects.count(),
        Practice.related.through.objects.count(),
    )
    assert after == before


def test_moderators_may_edit_reference_data():
    codenames = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))
    for model in ["industry", "department", "practice"]:
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
    assert "delete_practice" not in codenames
    assert "moderate" in codenames


def test_moderator_opens_a_practice_in_the_admin(client, moderator):
    moderator.is_staff = True
    moderator.save()
    client.force_login(moderator)
    practice = Practice.objects.get(slug="six-sigma")
    response = client.get(reverse("admin:businesses_practice_change", args=[practice.pk]))
    assert response.status_code == 200
    assert b"Six Sigma" in response.content
    assert client.get(reverse("admin:businesses_practice_changelist")).status_code == 200
    industries = client.get(reverse("admin:businesses_industry_changelist"), {"sector": "44-45"})
    assert industries.status_code == 200
    assert b"Health and Personal Care Retailers" in industries.content
    assert b"Crop Production" not in industries.content


def test_plain_member_is_kept_out_of_the_admin(client, user):
    client.force_login(user)
    practice = Practice.objects.get(slug="six-sigma")
    url = reverse("admin:businesses_practice_change", args=[practice.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    # Staff status alone (with the authenticator app staff must have) does not grant the reference data.
    user.is_staff = True
    user.save()
    add_authenticator_app(user=user, secret=TOTP_SECRET)
    assert client.get(url).status_code == 403
