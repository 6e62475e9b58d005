"""Browsing and searching the offers of other verified businesses."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.urls import reverse

from businesses.filters import NEWEST_FIRST
from businesses.models import Business, Department, Mode, Offer, Practice
from businesses.selectors.browse import PER_PAGE, offer_cards_page
from businesses.services.offers import refresh_search_vectors
from tests.conftest import missing
from tests.factories import BusinessFactory, OfferFactory, PracticeFactory

pytestmark = pytest.mark.django_db

URL = reverse("businesses:browse")
TODAY = date(2026, 3, 2)
# The session, the person with their standing, the navigation's memberships (which say whether they
# are in a verified business), the practices for both selects, the count and the page of offers (a
# search reads its count with its page).
QUERIES = 6


def texts(response) -> str:
    return response.content.decode()


def practice(slug: str) -> Practice:
    return Practice.objects.select_related("department").get(slug=slug)


@pytest.fixture
def lead_generation() -> Practice:
    return practice("lead-generation-organic")


def test_it_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_rejects_a_post(client: Client, owner) -> None:
    client.force_login(owner)
    assert client.post(URL).status_code == 405


@time_machine.travel(TODAY, tick=False)
def test_it_lists_only_active_offers_of_other_verified_businesses(
    client: Client, owner, business: Business, other_business: Business, lead_generation: Practice
) -> None:
    other_business.track_record = Decimal("4.60")
    other_business.save()
    shown = OfferFactory.create(
        business=other_business,
        practice=lead_generation,
        level=4,
        mode=Mode.HYBRID,
        description="Shown: run a content calendar with us.",
        available_from=date(2026, 3, 2),
        available_until=date(2026, 6, 30),
    )
    pending = BusinessFactory.create(name="Pending Bakery", verification=Business.Verification.PENDING)
    OfferFactory.create(business=other_business, description="Hidden: paused.", status=Offer.Status.PAUSED)
    OfferFactory.create(business=other_business, description="Hidden: a draft.", status=Offer.Status.DRAFT)
    OfferFactory.create(business=pending, description="Hidden: host not verified.")
    OfferFactory.create(business=business, description="Hidden: our own.")
    OfferFactory.create(
        business=other_business,
        description="Hidden: its window has ended.",
        available_from=date(2026, 1, 5),
        available_until=TODAY - timedelta(days=1),
    )
    OfferFactory.create(
        business=other_business,
        description="Ends today, still shown.",
        available_from=date(2026, 1, 5),
        available_until=TODAY,
    )
    client.force_login(owner)

    response = client.get(URL)

    assert response.status_code == 200
    html = texts(response)
    assert "Hidden" not in html
    assert "Shown: run a content calendar with us." in html
    assert reverse("businesses:offer_detail", args=[other_business.slug, shown.pk]) in html
    assert "Lead generation (organic)" in html
    assert "Pixelcraft UX" in html and "Pune" in html
    assert "4 · Strong" in html and "Hybrid" in html
    assert "2 Mar 2026" in html and "30 Jun 2026" in html
    assert "4.60" in html
    assert reverse("businesses:compare", args=[business.slug, other_business.slug]) in html
    assert "Ends today, still shown." in html
    assert "2 offers<" in html


def test_it_leaves_out_the_track_record_of_a_host_without_one(
    client: Client, owner, other_business: Business
) -> None:
    OfferFactory.create(business=other_business)
    client.force_login(owner)
    assert "track record" not in texts(client.get(URL))


def test_employees_of_verified_businesses_browse_too(
    client: Client, member, other_business: Business
) -> None:
    OfferFactory.create(business=other_business, description="Visible to employees.")
    client.force_login(member)
    assert "Visible to employees." in texts(client.get(URL))


def test_moderators_browse_every_verified_business(
    client: Client, moderator, other_business: Business
) -> None:
    OfferFactory.create(business=other_business, description="Visible to moderators.")
    client.force_login(moderator)
    assert "Visible to moderators." in texts(client.get(URL))


def test_it_explains_that_browsing_opens_once_the_business_is_verified(
    client: Client, owner, business: Business, other_business: Business
) -> None:
    # A normal page (200), not an error: nothing is wrong with the person, and the
    # page can say what happens next and link to their business.
    business.verification = Business.Verification.PENDING
    business.save()
    OfferFactory.create(business=other_business, description="Not for unverified eyes.")
    client.force_login(owner)

    response = client.get(URL)

    assert response.status_code == 200
    html = texts(response)
    assert "Browsing opens once your business is verified" in html
    assert "awaiting verification" in html
    assert reverse("businesses:detail", args=[business.slug]) in html
    assert "Not for unverified eyes." not in html
    assert 'role="search"' not in html


def test_it_tells_someone_without_a_business_how_to_start(
    client: Client, user, other_business: Business
) -> None:
    OfferFactory.create(business=other_business, description="Not for strangers.")
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    html = texts(response)
    assert "You do not belong to a business on Peership yet" in html
    assert reverse("businesses:create") in html
    assert "Not for strangers." not in html


def test_it_says_what_to_do_when_there_is_no_offer_yet(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    html = texts(client.get(URL))
    assert "No other verified business offers a practice yet" in html
    assert reverse("businesses:offers", args=[business.slug]) in html


def test_it_filters_by_department_practice_city_and_remote(
    client: Client, owner, other_business: Business, lead_generation: Practice
) -> None:
    recruitment = practice("recruitment-and-hiring")
    mumbai = BusinessFactory.create(name="Mumbai Metalworks", city="Mumbai")
    OfferFactory.create(
        business=other_business, practice=lead_generation, mode=Mode.ON_SITE, description="Leads on site."
    )
    OfferFactory.create(
        business=other_business, practice=recruitment, mode=Mode.REMOTE, description="Hiring remote."
    )
    OfferFactory.create(business=mumbai, practice=recruitment, mode=Mode.HYBRID, description="Hiring hybrid.")
    client.force_login(owner)

    def found(**params: str | int) -> set[str]:
        html = texts(client.get(URL, params))
        return {text for text in ("Leads on site.", "Hiring remote.", "Hiring hybrid.") if text in html}

    hr = Department.objects.get(slug="hr")
    assert found(department=hr.pk) == {"Hiring remote.", "Hiring hybrid."}
    assert found(practice=lead_generation.pk) == {"Leads on site."}
    assert found(city="mumbai") == {"Hiring hybrid."}
    assert found(remote="on") == {"Hiring remote.", "Hiring hybrid."}
    assert found(remote="on", city="Pune") == {"Hiring remote."}
    assert found() == {"Leads on site.", "Hiring remote.", "Hiring hybrid."}


def test_it_offers_the_practices_grouped_by_department(client: Client, owner) -> None:
    client.force_login(owner)
    html = texts(client.get(URL))
    assert '<optgroup label="Marketing">' in html
    assert ">Lead generation (organic)</option>" in html
    assert ">Customer Service</option>" in html


def test_it_ignores_a_filter_it_cannot_read_and_says_so(
    client: Client, owner, other_business: Business
) -> None:
    OfferFactory.create(business=other_business, description="Still listed.")
    client.force_login(owner)

    response = client.get(URL, {"practice": "not-a-practice", "city": "Pune"})

    assert response.status_code == 200
    html = texts(response)
    assert "Still listed." in html
    assert "Select a valid choice" in html
    assert 'value="Pune"' in html  # what the person typed stays in the form


def test_it_searches_by_substring_without_postgresql(
    client: Client, owner, other_business: Business, lead_generation: Practice
) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL searches with its full-text engine (tested below).")
    OfferFactory.create(business=other_business, practice=lead_generation, description="By practice.")
    OfferFactory.create(
        business=other_business,
        practice=practice("payroll-administration"),
        description="Webinars that bring leads.",
    )
    OfferFactory.create(
        business=BusinessFactory.create(name="Organic Farm Co"),
        practice=practice("payroll-administration"),
        description="By host.",
    )
    OfferFactory.create(
        business=other_business, practice=practice("payroll-administration"), description="Unrelated."
    )
    client.force_login(owner)

    html = texts(client.get(URL, {"q": "organic"}))
    assert "By practice." in html and "By host." in html
    assert "Webinars" not in html and "Unrelated." not in html

    html = texts(client.get(URL, {"q": "WEBINARS leads"}))
    assert "Webinars that bring leads." in html
    assert "By practice." not in html


def test_it_searches_the_department_and_the_city_without_postgresql(
    client: Client, owner, other_business: Business, lead_generation: Practice
) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL searches with its full-text engine (tested below).")
    OfferFactory.create(business=other_business, practice=lead_generation, description="Leads in Pune.")
    OfferFactory.create(
        business=BusinessFactory.create(name="Nagpur Works", city="Nagpur"),
        practice=practice("cash-flow-forecasting"),
        description="Pay runs.",
    )
    client.force_login(owner)

    def found(query: str) -> set[str]:
        html = texts(client.get(URL, {"q": query}))
        return {text for text in ("Leads in Pune.", "Pay runs.") if text in html}

    assert found("marketing") == {"Leads in Pune."}
    assert found("nagpur") == {"Pay runs."}
    assert found("finance nagpur") == {"Pay runs."}
    assert found("marketing nagpur") == set()


def test_it_uses_the_first_ten_words_without_postgresql(
    client: Client, owner, other_business: Business
) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL searches with its full-text engine.")
    words = [f"word{index}" for index in range(10)]
    OfferFactory.create(business=other_business, description=" ".join(words))
    client.force_login(owner)

    # Repeated words count once; an eleventh is left out.
    response = client.get(URL, {"q": " ".join([*words, "word0", "absent"])})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_it_refuses_an_over_long_search_and_says_so(client: Client, owner, other_business: Business) -> None:
    OfferFactory.create(business=other_business, description="Still listed.")
    client.force_login(owner)

    # A thousand words once made SQLite fail ("Expression tree is too large").
    response = client.get(URL, {"q": " ".join(["ab"] * 1000)})

    assert response.status_code == 200
    html = texts(response)
    assert "Ensure this value has at most 200 characters (it has 2999)." in html
    assert "Still listed." in html
    assert 'maxlength="200"' in html
    assert client.get(URL, {"q": "a" * 200}).status_code == 200


def test_it_searches_in_full_text_on_postgresql_ranked_by_relevance(
    client: Client, owner, other_business: Business, lead_generation: Practice
) -> None:
    if connection.vendor != "postgresql":
        missing("PostgreSQL", required_by="REQUIRE_SERVICES")
    payroll = practice("payroll-administration")
    in_description = OfferFactory.create(
        business=other_business, practice=payroll, description="We also generate leads from webinars."
    )
    in_practice = OfferFactory.create(
        business=other_business, practice=lead_generation, description="Blog posts."
    )
    excluded = OfferFactory.create(
        business=other_business, practice=lead_generation, description="Lead generation through webinars."
    )
    unrelated = OfferFactory.create(
        business=other_business, practice=payroll, description="Monthly pay runs."
    )
    refresh_search_vectors(offer_ids=[in_description.pk, in_practice.pk, excluded.pk, unrelated.pk])
    client.force_login(owner)

    # Stemming ("generating" → "generat"), and websearch syntax to exclude a word.
    response = client.get(URL, {"q": "generating lead -webinars"})

    found = [offer.pk for offer in response.context["page"]]
    assert found == [in_practice.pk]

    # A match in the practice's name (weight A) ranks above one in the description (B).
    response = client.get(URL, {"q": "lead generation"})
    found = [offer.pk for offer in response.context["page"]]
    assert found[0] in {in_practice.pk, excluded.pk}
    assert found[-1] == in_description.pk
    assert unrelated.pk not in found


def test_it_pages_results_and_keeps_the_search_in_page_links(
    client: Client, owner, other_business: Business, lead_generation: Practice
) -> None:
    OfferFactory.create_batch(45, business=other_business, practice=lead_generation)
    client.force_login(owner)

    first = client.get(URL, {"city": "Pune"})
    assert len(first.context["page"].object_list) == 20
    assert "45 offers" in texts(first)
    assert 'href="?city=Pune&amp;page=2"' in texts(first)

    last = client.get(URL, {"city": "Pune", "page": "3"})
    assert len(last.context["page"].object_list) == 5
    assert 'href="?city=Pune&amp;page=2"' in texts(last)

    # A page past the end shows the last one rather than an error.
    assert client.get(URL, {"page": 99}).context["page"].number == 3


@pytest.mark.parametrize("offers", [5, 40])
@pytest.mark.parametrize(("params", "queries"), [({"city": "Pune"}, QUERIES), ({"q": "Host"}, QUERIES - 1)])
def test_its_number_of_queries_does_not_grow_with_the_offers(
    client: Client,
    owner,
    other_business: Business,
    offers: int,
    params: dict,
    queries: int,
    django_assert_num_queries,
) -> None:
    for index in range(offers):
        host = BusinessFactory.create(name=f"Host {index}", track_record=Decimal("4.20"))
        OfferFactory.create(business=host, practice=PracticeFactory.create())
    refresh_search_vectors()
    client.force_login(owner)

    with django_assert_num_queries(queries):
        response = client.get(URL, params)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(offers, 20)


@pytest.mark.parametrize(
    "number",
    [None, "", "1", "2", "3", "4", "99", "0", "-1", "abc", "1.5", " 2 ", "500000000000000000", "9" * 20],
)
@pytest.mark.parametrize("offers", [0, 5, 45])
@pytest.mark.parametrize("count_with_rows", [True, False])
def test_its_pages_are_those_djangos_paginator_gives(
    other_business: Business,
    lead_generation: Practice,
    number: str | None,
    offers: int,
    count_with_rows: bool,
) -> None:
    OfferFactory.create_batch(offers, business=other_business, practice=lead_generation)
    queryset = Offer.objects.browsable().order_by(*NEWEST_FIRST)

    page = offer_cards_page(queryset, number, count_with_rows=count_with_rows)

    expected = Paginator(queryset, PER_PAGE).get_page(number)
    assert (page.number, page.paginator.count) == (expected.number, expected.paginator.count)
    assert [card.pk for card in page] == [offer.pk for offer in expected]
    assert [(card.level_display, card.mode_display) for card in page] == [
        (offer.get_level_display(), offer.get_mode_display()) for offer in expected
    ]
