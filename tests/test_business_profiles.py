"""Business profiles: creating one (its creator becomes the owner), seeing it, editing it,
switching the business one acts for, and the moderator's verification."""

from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import reverse

from businesses.access import SESSION_KEY
from businesses.admin import BusinessAdmin
from businesses.models import Business, Membership
from businesses.services.offers import Rematch, rematch_after_commit
from businesses.services.profiles import create_business, set_verification, unique_slug
from tests.factories import BusinessFactory, MembershipFactory
from tests.helpers import assert_asks_to_log_in

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Greenleaf Bakery",
    "industry": "311",  # Food Manufacturing
    "city": "Lyon",
    "country": "FR",
    "size_band": Business.SizeBand.MICRO,
    "website": "https://greenleaf.example",
    "description": "Sourdough and pastries, baked at night.",
    "sells": "Bread and pastries",
    "sells_to": "Cafés and restaurants in Lyon",
    "languages": "French, English",
}


def detail_url(business: Business) -> str:
    return reverse("businesses:detail", kwargs={"slug": business.slug})


def edit_url(business: Business) -> str:
    return reverse("businesses:edit", kwargs={"slug": business.slug})


def switch_url(business: Business) -> str:
    return reverse("businesses:switch", kwargs={"slug": business.slug})


# Session, the person with their standing, the business, the membership, its four counts, the
# navigation's memberships.
PROFILE_QUERIES = 9


# Creating a business.


def test_a_signed_in_person_creates_a_business_and_becomes_its_owner(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("businesses:create"), PROFILE)
    business = Business.objects.get(name="Greenleaf Bakery")
    assert response.status_code == 302
    assert response["Location"] == detail_url(business)
    assert business.slug == "greenleaf-bakery"
    assert business.industry_id == "311"
    assert business.country == "FR"
    assert business.sells_to == "Cafés and restaurants in Lyon"
    assert business.verification == Business.Verification.PENDING
    membership = Membership.objects.get(business=business)
    assert membership.user == user and membership.role == Membership.Role.OWNER
    assert client.session[SESSION_KEY] == business.pk


def test_a_new_business_tells_its_members_it_awaits_a_moderator(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("businesses:create"), PROFILE, follow=True)
    html = response.content.decode()
    assert "Awaiting verification" in html
    assert "A moderator will verify Greenleaf Bakery" in html
    assert "invisible to other" in html and "never matched" in html


def test_a_name_already_taken_gets_a_numbered_slug(client: Client, user: Any) -> None:
    BusinessFactory.create(name="Greenleaf Bakery")
    BusinessFactory.create(name="Greenleaf Bakery 2", slug="greenleaf-bakery-2")
    client.force_login(user)
    client.post(reverse("businesses:create"), PROFILE)
    client.post(reverse("businesses:create"), PROFILE)
    slugs = set(Business.objects.filter(name="Greenleaf Bakery").values_list("slug", flat=True))
    assert slugs == {"greenleaf-bakery", "greenleaf-bakery-3", "greenleaf-bakery-4"}


def test_a_slug_is_found_even_for_a_name_without_latin_letters(db: None) -> None:
    assert unique_slug("Café Noël") == "cafe-noel"
    assert unique_slug("日本") == "business"


def test_the_creator_owns_only_the_business_they_created(user: Any, owner: Any, business: Business) -> None:
    created = create_business(
        owner=owner,
        business=Business(
            name="Second Shop",
            industry_id="541",
            city="Pune",
            country="IN",
            size_band="1-9",
            sells="Design",
            sells_to="Startups",
        ),
    )
    assert created.verification == Business.Verification.PENDING
    assert set(Membership.objects.filter(user=owner).values_list("business__slug", flat=True)) == {
        business.slug,
        "second-shop",
    }


def test_the_create_form_groups_subsectors_under_their_sector_in_one_query(
    client: Client, user: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(user)
    # Session, the person with their standing, the nav's memberships, and the industries: one query for all.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("businesses:create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<optgroup label="Manufacturing">' in html
    assert '<option value="311">Food Manufacturing (311)</option>' in html
    assert '<option value="31-33"' not in html  # a sector is a group, not a choice


def test_bad_input_is_explained_and_keeps_what_was_typed(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("businesses:create"), {**PROFILE, "sells": "", "website": "not a url"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The profile is not saved yet" in html
    assert "This field is required." in html
    assert "Enter a valid URL." in html
    assert 'value="Greenleaf Bakery"' in html
    assert 'value="Lyon"' in html
    assert '<option value="311" selected>' in html
    assert "Cafés and restaurants in Lyon</textarea>" in html
    assert not Business.objects.filter(name="Greenleaf Bakery").exists()


def test_a_sector_is_not_an_industry_one_can_choose(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("businesses:create"), {**PROFILE, "industry": "31-33"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Business.objects.exists()


def test_a_name_without_letters_or_digits_is_refused(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("businesses:create"), {**PROFILE, "name": "  ---  "})
    assert response.status_code == 200
    assert "at least one letter or digit" in response.content.decode()


def test_create_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    assert_asks_to_log_in(client.get(reverse("businesses:create")))
    assert_asks_to_log_in(client.post(reverse("businesses:create"), PROFILE))
    assert not Business.objects.exists()


def test_create_rejects_other_methods(client: Client, user: Any) -> None:
    client.force_login(user)
    assert client.put(reverse("businesses:create")).status_code == 405


# The profile page.


def test_a_member_sees_the_profile_and_what_to_do_next(
    client: Client, member: Any, business: Business
) -> None:
    client.force_login(member)
    response = client.get(detail_url(business))
    html = response.content.decode()
    assert response.status_code == 200
    assert "On-Demand Staffing" in html and "Pune" in html and "India" in html
    assert "What to do next" in html
    for name in ("assessment", "offers", "needs", "members"):
        assert reverse(f"businesses:{name}", kwargs={"slug": business.slug}) in html
    assert edit_url(business) not in html  # an employee does not edit the profile
    assert "Awaiting verification" not in html


def test_the_profile_looks_up_the_membership_once(
    client: Client, member: Any, business: Business, django_assert_max_num_queries: Any
) -> None:
    client.force_login(member)
    with django_assert_max_num_queries(PROFILE_QUERIES):
        assert client.get(detail_url(business)).status_code == 200


def test_members_get_tabs_for_the_business_pages(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    html = client.get(detail_url(business)).content.decode()
    assert 'aria-label="On-Demand Staffing sections"' in html
    for name in ("members", "assessment", "offers", "needs", "competitors"):
        assert f'href="{reverse(f"businesses:{name}", kwargs={"slug": business.slug})}"' in html


def test_moderators_get_tabs_for_the_pages_they_may_open(
    client: Client, moderator: Any, business: Business
) -> None:
    client.force_login(moderator)
    html = client.get(detail_url(business)).content.decode()
    assert 'aria-label="On-Demand Staffing sections"' in html
    for name in ("assessment", "offers", "needs"):
        path = reverse(f"businesses:{name}", kwargs={"slug": business.slug})
        assert f'href="{path}"' in html
        assert client.get(path).status_code == 200
    for name in ("members", "competitors"):
        assert reverse(f"businesses:{name}", kwargs={"slug": business.slug}) not in html


def test_other_businesses_get_no_tabs(client: Client, outsider: Any, business: Business) -> None:
    client.force_login(outsider)
    html = client.get(detail_url(business)).content.decode()
    assert 'aria-label="On-Demand Staffing sections"' not in html


def test_an_owner_sees_the_edit_link(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    assert edit_url(business) in client.get(detail_url(business)).content.decode()


def test_members_of_a_verified_business_see_other_verified_profiles_but_not_their_inside(
    client: Client, outsider: Any, business: Business
) -> None:
    client.force_login(outsider)
    response = client.get(detail_url(business))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Services" in html and "Small businesses" in html  # what it sells, to whom
    assert "What to do next" not in html
    assert reverse("businesses:members", kwargs={"slug": business.slug}) not in html


def test_a_pending_business_is_invisible_to_other_businesses(client: Client, outsider: Any) -> None:
    pending = BusinessFactory.create(name="New Shop", verification=Business.Verification.PENDING)
    client.force_login(outsider)
    assert client.get(detail_url(pending)).status_code == 404


def test_a_person_without_a_verified_business_sees_no_other_business(
    client: Client, user: Any, business: Business
) -> None:
    client.force_login(user)
    assert client.get(detail_url(business)).status_code == 404
    pending = BusinessFactory.create(name="New Shop", verification=Business.Verification.PENDING)
    MembershipFactory.create(user=user, business=pending, role=Membership.Role.OWNER)
    assert client.get(detail_url(business)).status_code == 404
    assert client.get(detail_url(pending)).status_code == 200


def test_a_moderator_sees_a_pending_business(client: Client, moderator: Any) -> None:
    pending = BusinessFactory.create(name="New Shop", verification=Business.Verification.PENDING)
    client.force_login(moderator)
    response = client.get(detail_url(pending))
    assert response.status_code == 200
    assert "Awaiting verification" in response.content.decode()  # the verification line of the profile


def test_a_rejected_business_shows_its_members_the_moderators_note(
    client: Client, owner: Any, business: Business
) -> None:
    business.verification = Business.Verification.REJECTED
    business.verification_note = "The website does not load."
    business.save()
    client.force_login(owner)
    html = client.get(detail_url(business)).content.decode()
    assert "Not verified" in html and "The website does not load." in html


def test_an_unknown_business_is_not_found(client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.get(reverse("businesses:detail", kwargs={"slug": "nope"})).status_code == 404


def test_detail_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(detail_url(business)))


def test_detail_rejects_a_post(client: Client, member: Any, business: Business) -> None:
    client.force_login(member)
    assert client.post(detail_url(business)).status_code == 405


# Editing the profile.


@pytest.mark.parametrize("persona", ["owner", "manager"])
def test_owners_and_managers_edit_the_profile(
    client: Client, business: Business, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(edit_url(business))
    assert response.status_code == 200
    assert 'value="On-Demand Staffing"' in response.content.decode()
    response = client.post(edit_url(business), {**PROFILE, "name": "On-Demand Staffing Pvt Ltd"})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.name == "On-Demand Staffing Pvt Ltd"
    assert business.city == "Lyon"
    assert business.slug == "on-demand-staffing"  # links keep working after a rename
    assert response["Location"] == detail_url(business)


def test_editing_with_bad_input_keeps_what_was_typed(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    response = client.post(edit_url(business), {**PROFILE, "name": "Renamed", "sells_to": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Renamed"' in html
    assert "This field is required." in html
    assert '<h1 class="h3 mb-0 me-2">On-Demand Staffing</h1>' in html  # the stored name, until saved
    business.refresh_from_db()
    assert business.name == "On-Demand Staffing"


@pytest.mark.parametrize(("field", "limit"), [("description", 4000), ("sells", 2000), ("sells_to", 2000)])
def test_a_text_past_its_limit_is_explained_and_keeps_what_was_typed(
    client: Client, owner: Any, business: Business, field: str, limit: int
) -> None:
    client.force_login(owner)
    response = client.post(edit_url(business), {**PROFILE, field: "a" * 200_000})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [f"Keep it to {limit} characters or fewer: this text has 200000."]
    assert 'value="Greenleaf Bakery"' in response.content.decode()
    business.refresh_from_db()
    assert business.name == "On-Demand Staffing"


def test_an_employee_cannot_edit_the_profile(client: Client, member: Any, business: Business) -> None:
    client.force_login(member)
    assert client.get(edit_url(business)).status_code == 403
    assert client.post(edit_url(business), PROFILE).status_code == 403
    business.refresh_from_db()
    assert business.name == "On-Demand Staffing"


def test_edit_rejects_outsiders(client: Client, outsider: Any, moderator: Any, business: Business) -> None:
    for person in (outsider, moderator):
        client.force_login(person)
        assert client.get(edit_url(business)).status_code == 404
        assert client.post(edit_url(business), PROFILE).status_code == 404


def test_edit_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(edit_url(business)))
    assert_asks_to_log_in(client.post(edit_url(business), PROFILE))
    business.refresh_from_db()
    assert business.name == "On-Demand Staffing"


def test_edit_rejects_other_methods(client: Client, owner: Any, business: Business) -> None:
    client.force_login(owner)
    assert client.delete(edit_url(business)).status_code == 405


# Switching the business one acts for.


def test_a_member_switches_to_another_of_their_businesses(
    client: Client, member: Any, business: Business, other_business: Business
) -> None:
    MembershipFactory.create(user=member, business=other_business)
    client.force_login(member)
    response = client.post(switch_url(other_business), follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert client.session[SESSION_KEY] == other_business.pk
    assert "You are now acting for Pixelcraft UX." in response.content.decode()
    client.post(switch_url(business))
    assert client.session[SESSION_KEY] == business.pk


def test_switch_rejects_outsiders(client: Client, outsider: Any, moderator: Any, business: Business) -> None:
    for person in (outsider, moderator):
        client.force_login(person)
        assert client.post(switch_url(business)).status_code == 404
        assert SESSION_KEY not in client.session


def test_switch_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.post(switch_url(business)))


def test_switch_rejects_a_get(client: Client, member: Any, business: Business) -> None:
    client.force_login(member)
    assert client.get(switch_url(business)).status_code == 405


# Verification by a moderator.


def test_verifying_records_who_and_when(moderator: Any) -> None:
    pending = BusinessFactory.create(name="New Shop", verification=Business.Verification.PENDING)
    verified = set_verification(business=pending, status="verified", moderator=moderator, note="Called them.")
    pending.refresh_from_db()
    assert pending.is_verified and verified.is_verified
    assert pending.verified_by == moderator and pending.verified_at is not None
    assert pending.verification_note == "Called them."
    set_verification(business=pending, status=Business.Verification.PENDING, moderator=moderator)
    pending.refresh_from_db()
    assert pending.verified_at is None and pending.verified_by is None


def test_an_unknown_verification_status_is_a_programming_error(moderator: Any, business: Business) -> None:
    with pytest.raises(ValueError):
        set_verification(business=business, status="maybe", moderator=moderator)


def test_the_admin_marks_businesses_verified_and_not_verified(admin_client_of: Client) -> None:
    first = BusinessFactory.create(name="First", verification=Business.Verification.PENDING)
    second = BusinessFactory.create(name="Second", verification=Business.Verification.PENDING)
    url = reverse("admin:businesses_business_changelist")
    response = admin_client_of.post(
        url, {"action": "mark_verified", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "2 businesses marked verified." in response.content.decode()
    first.refresh_from_db()
    assert (
        first.is_verified and first.verified_by is not None and first.verified_by.email == "admin@example.com"
    )
    admin_client_of.post(url, {"action": "mark_not_verified", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.verification == Business.Verification.REJECTED


def test_marking_businesses_verified_together_starts_one_matching_run(
    admin_client_of: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Each verification asks for a full run after commit; one action is one transaction, and one run."""
    pending = BusinessFactory.create_batch(3, verification=Business.Verification.PENDING)
    url = reverse("admin:businesses_business_changelist")
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client_of.post(url, {"action": "mark_verified", "_selected_action": [b.pk for b in pending]})
    assert [c for c in callbacks if isinstance(c, Rematch)] == [Rematch("match_all", ())]
    assert Business.objects.filter(pk__in=[b.pk for b in pending], verification="verified").count() == 3


def test_a_transaction_queues_each_matching_task_once(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        rematch_after_commit("match_need", 1)
        rematch_after_commit("match_need", 1)
        rematch_after_commit("match_need", 2)
        rematch_after_commit("match_all")
        rematch_after_commit("match_all")
    assert callbacks == [Rematch("match_need", (1,)), Rematch("match_need", (2,)), Rematch("match_all", ())]


def test_the_admin_lists_businesses_with_filters_and_search(
    admin_client_of: Client, business: Business
) -> None:
    BusinessFactory.create(
        name="Far Away", city="Lyon", country="FR", verification=Business.Verification.PENDING
    )
    url = reverse("admin:businesses_business_changelist")
    response = admin_client_of.get(url, {"verification": "verified", "country": "IN", "sector": "54"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "On-Demand Staffing" in html and "Far Away" not in html
    response = admin_client_of.get(url, {"q": "lyon"})
    assert "Far Away" in response.content.decode()
    assert (
        admin_client_of.get(reverse("admin:businesses_business_change", args=[business.pk])).status_code
        == 200
    )
    assert isinstance(admin_site._registry[Business], BusinessAdmin)


def test_the_admin_filters_industries_by_sector(admin_client_of: Client) -> None:
    response = admin_client_of.get(reverse("admin:businesses_industry_changelist"), {"sector": "54"})
    shown = {industry.code for industry in response.context["cl"].result_list}
    assert shown == {"54", "541"}


def test_a_moderator_verifies_a_business_in_the_admin(client, moderator, business):
    from businesses.models import Business as BusinessModel

    moderator.is_staff = True
    moderator.save(update_fields=["is_staff"])
    business.verification = BusinessModel.Verification.PENDING
    business.save(update_fields=["verification"])
    client.force_login(moderator)
    response = client.post(
        "/admin/businesses/business/",
        {"action": "mark_verified", "_selected_action": [business.pk]},
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.is_verified
    assert business.verified_by == moderator
