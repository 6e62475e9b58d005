"""The long lists rendered by Jinja2 (exchange/jinja2.py): the offer search's cards and the moderation
queue's rows escape whatever a business typed, as the rest of each page does, and write numbers as
Django does."""

from typing import Any

import pytest
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from businesses.models import Business, Practice
from exchange.jinja2 import floatformat as jinja_floatformat
from tests.factories import MatchFactory, NeedFactory, OfferFactory
from tests.hostile import MARKUP, assert_escaped

NAME = '<img src=x onerror=alert(1)> & "Co"'
TEMPLATE_TEXT = "{{ request.user.password }}{% debug %}"


@pytest.mark.django_db
def test_offer_cards_escape_what_the_host_typed(
    client: Client, owner: Any, other_business: Business, lead_generation: Practice
) -> None:
    other_business.name, other_business.city = NAME, MARKUP[0]
    other_business.save()
    description = MARKUP[1] + TEMPLATE_TEXT
    OfferFactory.create(business=other_business, practice=lead_generation, description=description)
    client.force_login(owner)

    html = client.get(reverse("businesses:browse")).content.decode()

    assert "taught by <strong>&lt;img src=x onerror=alert(1)&gt; &amp; &#34;Co&#34;</strong>" in html
    assert_escaped(html, [NAME, *MARKUP[:2]])
    assert TEMPLATE_TEXT in html  # shown as typed, never run as a template


@pytest.mark.django_db
def test_queue_rows_escape_the_names_of_both_businesses(
    client: Client, moderator: Any, business: Business, other_business: Business, lead_generation: Practice
) -> None:
    business.name, other_business.name = NAME, MARKUP[0]
    business.save()
    other_business.save()
    MatchFactory.create(
        need=NeedFactory.create(business=business, practice=lead_generation),
        offer=OfferFactory.create(business=other_business, practice=lead_generation),
    )
    client.force_login(moderator)

    html = client.get(reverse("internships:moderation_queue")).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;Co&#34; <span aria-hidden" in html
    assert_escaped(html, [NAME, MARKUP[0]])


@given(
    st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=-100, max_value=100),
    st.integers(0, 6),
)
def test_the_lists_floatformat_writes_what_djangos_does(value: float, places: int) -> None:
    assert jinja_floatformat(value, places) == floatformat(value, places)
