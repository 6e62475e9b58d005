"""Comparing two businesses: levels per department as a chart and a table, and where each can help."""

import itertools
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from businesses.charts import Series, radar_chart
from businesses.models import Assessment, Business, Competitor, Need, Offer, Practice
from businesses.services.partnerships import open_partnership
from tests.factories import BusinessFactory, MembershipFactory, NeedFactory, OfferFactory

pytestmark = pytest.mark.django_db

# At most: session and user, the navigation's memberships, access to the business,
# the other business and whether the viewer may see its profile and its needs; then
# my open needs (and their related practices), their offers, both self-assessments,
# the departments, whether I named them a competitor and, once a match is approved,
# my offers and their open needs (and related practices).
QUERIES = 23

SVG = "{http://www.w3.org/2000/svg}"


def compare_url(business: Business, other: Business) -> str:
    return reverse("businesses:compare", args=[business.slug, other.slug])


def practice(slug: str) -> Practice:
    return Practice.objects.get(slug=slug)


def chart_of(html: str) -> ElementTree.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ElementTree.fromstring(html[start:end])  # noqa: S314 - our own markup


def assess(business: Business, slug: str, level: int) -> None:
    Assessment.objects.create(business=business, practice=practice(slug), level=level)


@pytest.fixture
def gaps_of_the_other(other_business: Business) -> None:
    """Pixelcraft's private side: a need and a self-assessment nobody else may see yet."""
    NeedFactory.create(
        business=other_business,
        practice=practice("recruitment-and-hiring"),
        current_level=1,
        target_level=3,
        outcome="Secret: hire two designers without a recruiter.",
    )
    assess(other_business, "recruitment-and-hiring", 1)
    assess(other_business, "ux-research", 2)


def test_it_asks_anonymous_visitors_to_log_in(client: Client, business, other_business) -> None:
    response = client.get(compare_url(business, other_business))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_rejects_a_post(client: Client, owner, business, other_business) -> None:
    client.force_login(owner)
    assert client.post(compare_url(business, other_business)).status_code == 405


def test_it_hides_a_business_from_someone_who_does_not_belong_to_it(
    client: Client, outsider, business, other_business
) -> None:
    client.force_login(outsider)
    assert client.get(compare_url(business, other_business)).status_code == 404


def test_it_hides_a_business_the_viewer_may_not_see(client: Client, owner, business) -> None:
    pending = BusinessFactory.create(name="Pending Bakery", verification=Business.Verification.PENDING)
    client.force_login(owner)
    assert client.get(compare_url(business, pending)).status_code == 404
    assert (
        client.get(reverse("businesses:compare", args=[business.slug, "no-such-business"])).status_code == 404
    )


def test_it_does_not_compare_a_business_with_itself(client: Client, owner, business) -> None:
    client.force_login(owner)
    assert client.get(compare_url(business, business)).status_code == 404


def test_employees_compare_too(client: Client, member, business, other_business) -> None:
    client.force_login(member)
    assert client.get(compare_url(business, other_business)).status_code == 200


def test_it_draws_one_polygon_per_business_and_the_same_figures_in_a_table(
    client: Client, owner, business, other_business
) -> None:
    assess(business, "lead-generation-organic", 2)
    assess(business, "seo", 5)
    assess(business, "recruitment-and-hiring", 3)
    OfferFactory.create(business=other_business, practice=practice("ux-research"), level=4)
    OfferFactory.create(business=other_business, practice=practice("ui-design"), level=5)
    OfferFactory.create(
        business=other_business, practice=practice("seo"), level=3, status=Offer.Status.PAUSED
    )
    client.force_login(owner)

    response = client.get(compare_url(business, other_business))

    assert response.status_code == 200
    html = response.content.decode()
    svg = chart_of(html)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and svg.get("aria-labelledby") == title.get("id")
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text and "Marketing 3.5" in desc.text
    assert len(svg.findall(f".//{SVG}polygon")) == 2
    assert all(element.get("style") is None for element in svg.iter())
    rows = {row.department.name: (row.mine_text, row.theirs_text) for row in response.context["rows"]}
    assert len(rows) == 11
    assert rows["Marketing"] == ("3.5", "–")  # mine: (2 + 5) / 2; their SEO offer is paused
    assert rows["HR"] == ("3.0", "–")
    assert rows["Design"] == ("–", "4.5")  # theirs from their active offers
    assert '<th scope="row">Marketing</th>' in html
    assert "Pixelcraft UX (from their public offers)" in html


def test_it_lists_their_offers_that_meet_my_needs(client: Client, owner, business, other_business) -> None:
    NeedFactory.create(
        business=business, practice=practice("lead-generation-organic"), current_level=1, target_level=4
    )
    NeedFactory.create(business=business, practice=practice("payroll-administration"), target_level=5)
    NeedFactory.create(
        business=business,
        practice=practice("cash-flow-forecasting"),
        target_level=3,
        status=Need.Status.CLOSED,
    )
    same = OfferFactory.create(business=other_business, practice=practice("lead-generation-organic"), level=4)
    assert practice("lead-generation-organic").related.filter(slug="content-marketing").exists()
    by_relation = OfferFactory.create(
        business=other_business, practice=practice("content-marketing"), level=5
    )
    too_low = OfferFactory.create(
        business=other_business, practice=practice("payroll-administration"), level=4
    )
    paused = OfferFactory.create(
        business=other_business,
        practice=practice("lead-generation-organic"),
        level=5,
        status=Offer.Status.PAUSED,
    )
    for_a_closed_need = OfferFactory.create(
        business=other_business, practice=practice("cash-flow-forecasting"), level=5
    )
    client.force_login(owner)

    response = client.get(compare_url(business, other_business))

    helping = {help.offer.pk for help in response.context["they_help_me"]}
    assert helping == {same.pk, by_relation.pk}
    assert {too_low.pk, paused.pk, for_a_closed_need.pk}.isdisjoint(helping)
    assert (
        reverse("businesses:offer_detail", args=[other_business.slug, same.pk]) in response.content.decode()
    )


def test_it_says_what_to_do_without_a_need(client: Client, owner, business, other_business) -> None:
    client.force_login(owner)
    html = client.get(compare_url(business, other_business)).content.decode()
    assert "Your business has no open need yet" in html
    assert reverse("businesses:need_create", args=[business.slug]) in html


def test_their_needs_and_assessment_stay_private_before_a_match_is_approved(
    client: Client, owner, business, other_business, gaps_of_the_other
) -> None:
    OfferFactory.create(business=business, practice=practice("recruitment-and-hiring"), level=5)
    client.force_login(owner)

    response = client.get(compare_url(business, other_business))

    html = response.content.decode()
    assert "Secret: hire two designers" not in html
    assert "Recruitment and hiring" not in html
    assert response.context["i_help_them"] == []
    assert "This appears once a moderator approves a match" in html
    rows = {row.department.name: row.theirs for row in response.context["rows"]}
    assert rows["HR"] is None and rows["Design"] is None  # their assessment is not used
    assert "from their public offers" in html


def test_their_needs_and_assessment_show_once_a_match_is_approved(
    client: Client, owner, business, other_business, gaps_of_the_other
) -> None:
    mine = OfferFactory.create(business=business, practice=practice("recruitment-and-hiring"), level=5)
    open_partnership(business=business, partner=other_business)
    client.force_login(owner)

    response = client.get(compare_url(business, other_business))

    html = response.content.decode()
    assert "Secret: hire two designers" in html
    assert [help.offer.pk for help in response.context["i_help_them"]] == [mine.pk]
    assert reverse("businesses:offer_detail", args=[business.slug, mine.pk]) in html
    assert "from their public offers" not in html
    rows = {row.department.name: row.theirs for row in response.context["rows"]}
    assert rows["HR"] == 1.0 and rows["Design"] == 2.0
    assert len(chart_of(html).findall(f".//{SVG}polygon")) == 2


def test_it_reminds_the_business_that_named_the_other_a_competitor(
    client: Client, owner, outsider, business, other_business
) -> None:
    Competitor.objects.create(business=business, competitor=other_business)
    client.force_login(owner)
    assert (
        "You named Pixelcraft UX as a competitor"
        in client.get(compare_url(business, other_business)).content.decode()
    )

    client.force_login(outsider)
    html = client.get(compare_url(other_business, business)).content.decode()
    assert "as a competitor" not in html


def test_the_chart_is_well_formed_svg_with_one_polygon_per_series() -> None:
    markup = radar_chart(
        chart_id="chart",
        title='Levels of "A & B" <compared>',
        axes=["HR", "Sales", "Marketing"],
        series=[Series(label="A & Co", values=[1, None, 5]), Series(label="B", values=[None, None, None])],
    )

    svg = ElementTree.fromstring(markup)  # noqa: S314 - our own markup

    assert svg.tag == f"{SVG}svg"
    assert len(svg.findall(f".//{SVG}polygon")) == 2
    title = svg.find(f"{SVG}title")
    assert title is not None and title.text == 'Levels of "A & B" <compared>'
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text and "A & Co: HR 1.0, Sales no value, Marketing 5.0." in desc.text
    # Markers only where there is a value.
    assert len(svg.findall(f".//{SVG}circle")) == 2


def test_a_member_of_both_businesses_sees_both_sides(client: Client, owner, business, other_business) -> None:
    MembershipFactory.create(business=other_business, user=owner)
    NeedFactory.create(
        business=other_business, practice=practice("seo"), outcome="Visible to a member of both."
    )
    OfferFactory.create(business=business, practice=practice("seo"), level=5)
    client.force_login(owner)
    assert (
        "Visible to a member of both." in client.get(compare_url(business, other_business)).content.decode()
    )


def test_an_offer_whose_window_has_ended_helps_nobody(
    client: Client, owner, business, other_business
) -> None:
    ended = {
        "available_from": date.today() - timedelta(days=30),
        "available_until": date.today() - timedelta(days=1),
    }
    NeedFactory.create(business=business, practice=practice("seo"), target_level=4)
    NeedFactory.create(business=other_business, practice=practice("ux-research"), target_level=4)
    OfferFactory.create(business=other_business, practice=practice("seo"), level=5, **ended)
    OfferFactory.create(business=business, practice=practice("ux-research"), level=5, **ended)
    client.force_login(owner)

    response = client.get(compare_url(business, other_business))

    assert response.context["they_help_me"] == []
    assert "None of Pixelcraft UX's active offers meets one of your open needs" in response.content.decode()
    rows = {row.department.name: row.theirs for row in response.context["rows"]}
    assert rows["Marketing"] is None  # their ended SEO offer does not count

    open_partnership(business=business, partner=other_business)
    response = client.get(compare_url(business, other_business))
    assert response.context["they_help_me"] == [] and response.context["i_help_them"] == []


@pytest.mark.parametrize("approved", [False, True])
def test_its_number_of_queries_does_not_grow_with_needs_offers_or_assessments(
    client: Client, owner, business, other_business, approved, django_assert_max_num_queries
) -> None:
    if approved:
        open_partnership(business=business, partner=other_business)
    client.force_login(owner)
    practices = iter(Practice.objects.all())

    def queries_with(count: int) -> int:
        """Add `count` needs, offers and assessments on each side; the page's number of queries."""
        for one in itertools.islice(practices, count):
            for side in (business, other_business):
                Assessment.objects.create(business=side, practice=one, level=3)
                NeedFactory.create(business=side, practice=one, current_level=1, target_level=3)
                OfferFactory.create(business=side, practice=one, level=4)
        with django_assert_max_num_queries(QUERIES) as captured:
            response = client.get(compare_url(business, other_business))
        assert response.status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(10)
    response = client.get(compare_url(business, other_business))
    assert len(response.context["they_help_me"]) == 12
    assert len(response.context["i_help_them"]) == (12 if approved else 0)
