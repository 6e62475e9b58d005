"""Declared competitors: the list, adding and removing, and the named side never knowing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from businesses.models import Business, Competitor
from businesses.services.competitors import (
    CompetitorError,
    competitor_pairs,
    declare_competitor,
    remove_competitor,
)
from businesses.services.profiles import set_verification, update_business
from internships.models import Match
from internships.services.matching import run_matching
from tests.factories import BusinessFactory, NeedFactory, OfferFactory

pytestmark = pytest.mark.django_db

# Session and user, the navigation's memberships (two), the business and the
# membership (access), and the list with its named businesses.
QUERIES = 7


def index_url(business: Business) -> str:
    return reverse("businesses:competitors", args=[business.slug])


def delete_url(business: Business, entry: Competitor) -> str:
    return reverse("businesses:competitor_delete", args=[business.slug, entry.pk])


def test_it_asks_anonymous_visitors_to_log_in(client: Client, business) -> None:
    for response in (client.get(index_url(business)), client.post(index_url(business), {"name": "Rival"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not Competitor.objects.exists()


def test_it_hides_the_list_from_outsiders(client: Client, outsider, business) -> None:
    client.force_login(outsider)
    assert client.get(index_url(business)).status_code == 404
    assert client.post(index_url(business), {"name": "Rival"}).status_code == 404
    assert not Competitor.objects.exists()


def test_employees_may_not_see_or_change_it(client: Client, member, business) -> None:
    client.force_login(member)
    assert client.get(index_url(business)).status_code == 403
    assert client.post(index_url(business), {"name": "Rival"}).status_code == 403
    assert not Competitor.objects.exists()


def test_it_rejects_other_methods(client: Client, owner, business) -> None:
    client.force_login(owner)
    assert client.put(index_url(business)).status_code == 405
    entry = Competitor.objects.create(business=business, name="Rival")
    assert client.get(delete_url(business, entry)).status_code == 405


def test_it_lists_what_the_business_declared_and_says_what_to_do_when_empty(
    client: Client, owner, business, other_business
) -> None:
    client.force_login(owner)
    assert "You have not named any competitor yet" in client.get(index_url(business)).content.decode()

    Competitor.objects.create(business=business, competitor=other_business)
    Competitor.objects.create(business=business, name="Staffing Kings")
    html = client.get(index_url(business)).content.decode()
    assert "Pixelcraft UX" in html and "Staffing Kings" in html
    assert "As the business on Peership in Pune" in html and "By name" in html


def unverified(business: Business) -> Business:
    business.verification = Business.Verification.PENDING
    business.save(update_fields=["verification"])
    return business


@pytest.mark.parametrize("verification", [Business.Verification.VERIFIED, Business.Verification.PENDING])
def test_the_page_lists_no_other_business(client: Client, owner, business, verification) -> None:
    # A list of every verified business would let anyone who signs up enumerate the platform.
    business.verification = verification
    business.save(update_fields=["verification"])
    client.force_login(owner)

    def page_after_adding(count: int) -> str:
        for _ in range(count):
            BusinessFactory.create(city="Nagpur")
        return client.get(index_url(business)).content.decode()

    few, many = page_after_adding(3), page_after_adding(27)

    assert "<datalist" not in many and "Nagpur" not in many
    assert not any(other.name in many for other in Business.objects.exclude(pk=business.pk))
    assert len(few) == len(many)


@pytest.mark.parametrize("typed", ["Pixelcraft UX", "pixelcraft ux", "Pixelcraft UX (Pune)"])
def test_an_owner_names_a_business_on_peership(
    client: Client, owner, business, other_business, typed
) -> None:
    client.force_login(owner)

    response = client.post(index_url(business), {"name": typed})

    assert response.status_code == 302
    assert response["Location"] == index_url(business)
    entry = Competitor.objects.get(business=business)
    assert entry.competitor == other_business and entry.name == ""
    assert (
        "Pixelcraft UX is now on your competitors list." in client.get(index_url(business)).content.decode()
    )


def test_a_manager_names_a_business_not_on_peership(client: Client, manager, business) -> None:
    client.force_login(manager)

    response = client.post(index_url(business), {"name": "  Staffing   Kings "})

    assert response.status_code == 302
    entry = Competitor.objects.get(business=business)
    assert entry.competitor is None and entry.name == "Staffing Kings"


def test_a_business_cannot_name_itself(client: Client, owner, business) -> None:
    client.force_login(owner)

    response = client.post(index_url(business), {"name": "on-demand staffing"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "You cannot name your own business." in html
    assert 'value="on-demand staffing"' in html
    assert not Competitor.objects.exists()


@pytest.mark.parametrize("again", ["PIXELCRAFT UX", "Pixelcraft UX (Pune)"])
def test_it_refuses_the_same_business_twice(client: Client, owner, business, other_business, again) -> None:
    Competitor.objects.create(business=business, competitor=other_business)
    client.force_login(owner)

    response = client.post(index_url(business), {"name": again})

    assert response.status_code == 200
    assert "You have already named Pixelcraft UX." in response.content.decode()
    assert Competitor.objects.count() == 1


def test_it_refuses_the_same_name_twice(client: Client, owner, business) -> None:
    Competitor.objects.create(business=business, name="Staffing Kings")
    client.force_login(owner)

    response = client.post(index_url(business), {"name": "staffing kings"})

    assert response.status_code == 200
    assert "You have already named staffing kings." in response.content.decode()


def test_it_asks_which_one_when_two_businesses_share_a_name(client: Client, owner, business) -> None:
    BusinessFactory.create(name="Twin Labs", slug="twin-labs-pune", city="Pune")
    delhi = BusinessFactory.create(name="Twin Labs", slug="twin-labs-delhi", city="Delhi")
    client.force_login(owner)

    response = client.post(index_url(business), {"name": "Twin Labs"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Several businesses on Peership are called Twin Labs: add the city in brackets" in html

    assert client.post(index_url(business), {"name": "Twin Labs (Delhi)"}).status_code == 302
    assert Competitor.objects.get(business=business).competitor == delhi


def test_an_unverified_business_names_competitors_by_name_only(
    client: Client, owner, business, other_business
) -> None:
    unverified(business)
    client.force_login(owner)

    response = client.post(index_url(business), {"name": "pixelcraft ux"})

    assert response.status_code == 302
    entry = Competitor.objects.get(business=business)
    assert entry.competitor is None and entry.name == "pixelcraft ux"
    html = client.get(index_url(business)).content.decode()
    assert "pixelcraft ux is now on your competitors list." in html
    assert "kept as you type them" in html
    assert "Pixelcraft UX" not in html and "in Pune" not in html


def test_an_unverified_business_cannot_tell_from_the_answers_which_names_are_on_peership(
    client: Client, owner, business, other_business
) -> None:
    BusinessFactory.create(name="Twin Labs", slug="twin-labs-pune", city="Pune")
    BusinessFactory.create(name="Twin Labs", slug="twin-labs-delhi", city="Delhi")
    unverified(business)
    client.force_login(owner)

    def answers(name: str) -> tuple[int, str, str]:
        """What the form says, with the typed name taken out."""
        response = client.post(index_url(business), {"name": name}, follow=True)
        assert Competitor.objects.get(business=business).competitor is None
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        html = re.sub(r"/competitors/\d+/delete/", "/competitors/ID/delete/", html)
        html = re.sub(r'<time datetime="[^"]+"', "<time", html)
        Competitor.objects.all().delete()
        return response.status_code, response.redirect_chain[0][0], html.replace(name, "NAME")

    on_peership = [answers(name) for name in ("Pixelcraft UX", "Twin Labs", "Pixelcraft UX (Pune)")]
    not_on_peership = [answers(name) for name in ("Nobody Corp", "Ghost Labs", "Nobody Corp (Pune)")]

    assert on_peership == not_on_peership
    assert "Several businesses" not in str(on_peership)
    # Twice the same name: the answer is about its own list, whatever the name.
    client.post(index_url(business), {"name": "Ghost Labs"})
    again = client.post(index_url(business), {"name": "Ghost Labs"}).content.decode()
    assert "You have already named Ghost Labs." in again


def test_it_needs_a_name(client: Client, owner, business) -> None:
    client.force_login(owner)
    response = client.post(index_url(business), {"name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_it_refuses_an_over_long_name(client: Client, owner, business) -> None:
    client.force_login(owner)
    response = client.post(index_url(business), {"name": "x" * 151})
    assert response.status_code == 200
    assert "A name has at most 150 characters." in response.content.decode()


def test_an_owner_removes_a_competitor(client: Client, owner, business, other_business) -> None:
    entry = Competitor.objects.create(business=business, competitor=other_business)
    client.force_login(owner)

    response = client.post(delete_url(business, entry))

    assert response.status_code == 302
    assert response["Location"] == index_url(business)
    assert not Competitor.objects.exists()
    assert "no longer on your competitors list" in client.get(index_url(business)).content.decode()


def test_removing_is_for_owners_and_managers_of_that_business(
    client: Client, member, outsider, business, other_business
) -> None:
    entry = Competitor.objects.create(business=business, competitor=other_business)
    client.logout()
    response = client.post(delete_url(business, entry))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert client.post(delete_url(business, entry)).status_code == 403
    client.force_login(outsider)
    assert client.post(delete_url(business, entry)).status_code == 404
    # Through their own slug, still not another business's entry.
    assert client.post(delete_url(other_business, entry)).status_code == 404
    assert Competitor.objects.filter(pk=entry.pk).exists()


def test_the_named_business_never_learns_who_named_it(
    client: Client, owner, outsider, business, other_business
) -> None:
    pages = [
        index_url(other_business),
        reverse("businesses:detail", args=[other_business.slug]),
        reverse("businesses:compare", args=[other_business.slug, business.slug]),
        reverse("businesses:browse"),
        reverse("dashboard"),
    ]

    client.force_login(outsider)

    def seen_by_the_named_side() -> list[str]:
        # Forms carry a fresh CSRF token on every page view; nothing else may differ.
        return [
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(url).content.decode())
            for url in pages
        ]

    before = seen_by_the_named_side()
    declarer = Client()
    declarer.force_login(owner)
    declarer.post(index_url(business), {"name": "Pixelcraft UX"})
    assert Competitor.objects.filter(business=business, competitor=other_business).exists()

    after = seen_by_the_named_side()

    for url, old, new in zip(pages, before, after, strict=True):
        assert old == new, url
    assert "Pixelcraft UX" in after[0] and "You have not named any competitor yet" in after[0]


def test_declaring_the_same_business_twice_is_a_domain_error(business, other_business) -> None:
    declare_competitor(business=business, competitor=other_business)
    with pytest.raises(CompetitorError, match="already named"):
        declare_competitor(business=business, competitor=other_business)
    with pytest.raises(CompetitorError, match="cannot name itself"):
        declare_competitor(business=business, competitor=business)


def test_pairs_run_both_ways(business, other_business) -> None:
    third = BusinessFactory.create(name="Third Co")
    declare_competitor(business=business, competitor=other_business)
    declare_competitor(business=third, competitor=None, name="Pixelcraft UX")  # by name only: no pair

    assert competitor_pairs() == {(business.pk, other_business.pk), (other_business.pk, business.pk)}


def test_its_number_of_queries_does_not_grow_with_the_list(
    client: Client, owner, business, django_assert_max_num_queries
) -> None:
    client.force_login(owner)

    def queries_with(entries: int) -> int:
        """Add `entries` competitors, half of them on Peership; the page's number of queries."""
        for index in range(entries):
            if index % 2:
                Competitor.objects.create(business=business, name=f"Rival {index}")
            else:
                Competitor.objects.create(business=business, competitor=BusinessFactory.create())
        with django_assert_max_num_queries(QUERIES) as captured:
            response = client.get(index_url(business))
        assert response.status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(18)
    assert client.get(index_url(business)).content.decode().count("Remove<span") == 20


# A competitor named before it was on Peership (or before the namer was verified)


def test_a_competitor_named_before_it_joined_is_never_matched_once_verified(
    business: Business, moderator, lead_generation
) -> None:
    declare_competitor(business=business, competitor=None, name="pixelcraft ux")
    newcomer = BusinessFactory.create(
        name="Pixelcraft UX", verification=Business.Verification.PENDING, industry=business.industry
    )
    NeedFactory.create(business=business, practice=lead_generation)
    OfferFactory.create(business=newcomer, practice=lead_generation)

    set_verification(business=newcomer, status=Business.Verification.VERIFIED, moderator=moderator)

    [entry] = Competitor.objects.filter(business=business)
    assert (entry.competitor, entry.name) == (newcomer, "")
    assert {(business.pk, newcomer.pk), (newcomer.pk, business.pk)} <= competitor_pairs()
    run_matching()
    assert not Match.objects.exists()


def test_names_an_unverified_business_gave_are_linked_when_it_is_verified(
    business: Business, other_business: Business, moderator
) -> None:
    newcomer = BusinessFactory.create(name="Cedar Bakery", verification=Business.Verification.PENDING)
    declare_competitor(business=newcomer, competitor=None, name="Pixelcraft UX (pune)")
    declare_competitor(business=newcomer, competitor=None, name="Not On Peership Ltd")

    set_verification(business=newcomer, status=Business.Verification.VERIFIED, moderator=moderator)

    assert {(entry.competitor, entry.name) for entry in Competitor.objects.filter(business=newcomer)} == {
        (other_business, ""),
        (None, "Not On Peership Ltd"),
    }


def test_a_name_several_verified_businesses_share_stays_a_name_unless_its_city_says_which(
    business: Business, moderator
) -> None:
    BusinessFactory.create(name="Acme Studio", slug="acme-studio", city="Pune")
    mumbai = BusinessFactory.create(
        name="Acme Studio",
        slug="acme-studio-mumbai",
        city="Mumbai",
        verification=Business.Verification.PENDING,
    )
    declare_competitor(business=business, competitor=None, name="Acme Studio")
    declare_competitor(business=business, competitor=None, name="Acme Studio (Mumbai)")

    set_verification(business=mumbai, status=Business.Verification.VERIFIED, moderator=moderator)

    assert {(entry.competitor, entry.name) for entry in Competitor.objects.filter(business=business)} == {
        (None, "Acme Studio"),  # which of the two? Moderators see the name on both pages.
        (mumbai, ""),
    }


def test_a_business_named_twice_is_declared_once_after_linking(business: Business, moderator) -> None:
    newcomer = BusinessFactory.create(name="Pixelcraft UX", verification=Business.Verification.PENDING)
    Competitor.objects.create(business=business, competitor=newcomer)
    declare_competitor(business=business, competitor=None, name="Pixelcraft UX")

    set_verification(business=newcomer, status=Business.Verification.VERIFIED, moderator=moderator)

    assert list(Competitor.objects.filter(business=business).values_list("competitor", "name")) == [
        (newcomer.pk, "")
    ]


def test_a_business_renamed_to_a_name_others_declared_is_tied_to_those_declarations(
    business: Business, other_business: Business
) -> None:
    declare_competitor(business=business, competitor=None, name="Bolt Studio")
    other_business.name = "Bolt Studio"
    update_business(business=other_business)
    [entry] = Competitor.objects.filter(business=business)
    assert (entry.competitor, entry.name) == (other_business, "")


# Matching follows at once (after commit), not at the nightly run.


def test_a_business_verified_is_matched_at_once(
    business: Business, moderator, lead_generation, django_capture_on_commit_callbacks
) -> None:
    newcomer = BusinessFactory.create(name="Cedar Bakery", verification=Business.Verification.PENDING)
    need = NeedFactory.create(business=newcomer, practice=lead_generation)
    OfferFactory.create(business=business, practice=lead_generation)
    with django_capture_on_commit_callbacks(execute=True):
        set_verification(business=newcomer, status=Business.Verification.VERIFIED, moderator=moderator)
    assert list(Match.objects.values_list("need", "status")) == [(need.pk, Match.Status.PENDING)]

    with django_capture_on_commit_callbacks(execute=True):
        set_verification(business=newcomer, status=Business.Verification.REJECTED, moderator=moderator)
    assert list(Match.objects.values_list("need", "status")) == [(need.pk, Match.Status.WITHDRAWN)]


def test_declaring_a_competitor_withdraws_a_proposal_between_the_two_at_once(
    business: Business, other_business: Business, lead_generation, django_capture_on_commit_callbacks
) -> None:
    NeedFactory.create(business=business, practice=lead_generation)
    OfferFactory.create(business=other_business, practice=lead_generation)
    run_matching()
    assert Match.objects.get().status == Match.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        declared = declare_competitor(business=other_business, competitor=business)
    assert Match.objects.get().status == Match.Status.WITHDRAWN

    with django_capture_on_commit_callbacks(execute=True):
        remove_competitor(competitor=declared)
    assert Match.objects.get().status == Match.Status.PENDING
