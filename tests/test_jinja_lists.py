"""The long lists rendered by Jinja2 (exchange/jinja2.py): the offer search's cards and the moderation
queue's rows escape whatever a business typed, as the rest of each page does, and write numbers as
Django does."""

import datetime
import itertools
from datetime import UTC, date
from typing import Any

import pytest
from django.template import defaultfilters
from django.template.defaultfilters import floatformat, truncatewords
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in django-stubs)
from hypothesis import given
from hypothesis import strategies as st

from businesses.models import Business, Practice
from exchange.jinja2 import _url_layout
from exchange.jinja2 import date as jinja_date
from exchange.jinja2 import floatformat as jinja_floatformat
from exchange.jinja2 import truncatewords as jinja_truncatewords
from exchange.jinja2 import url as jinja_url
from tests.factories import MatchFactory, NeedFactory, OfferFactory
from tests.helpers import walk
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


FORMATS = [
    "D j M Y",
    "j M",
    "j M Y, H:i",
    "c",
    "Y-m-d",
    "l j F Y",
    "d/m/Y n",
    "H:i",
    "jS F",
    r"\j\M j",
    "N j",
]
FORMATS += ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", ""]


@given(
    st.dates() | st.datetimes() | st.datetimes(timezones=st.just(UTC)),
    st.sampled_from([*FORMATS, None]),
    st.sampled_from(["UTC", "Asia/Kolkata", "America/St_Johns"]),
)
def test_the_lists_dates_are_djangos(value: date, format_string: str | None, zone: str) -> None:
    with timezone.override(zone):
        try:
            djangos = defaultfilters.date(template_localtime(value), format_string)
        except TypeError:  # a time format for a date: Django refuses it, and so do the lists
            with pytest.raises(TypeError):
                jinja_date(value, format_string)
            return
        assert jinja_date(value, format_string) == djangos


# Whole numbers and slugs (written without reversing), and what is neither (reversed each time).
URL_ARGUMENTS = [0, 7, 1234567, "on-demand-staffing", "123", "A_b-9", "", "a b", "é", "a/b", -1, 1.5]


def test_the_lists_urls_are_djangos_for_every_url_of_whole_numbers_and_slugs() -> None:
    checked = 0
    for pattern in walk(get_resolver()):
        if pattern.name is None:
            continue
        name, arity = pattern.name, pattern.route.count("<")
        for args in itertools.product(URL_ARGUMENTS, repeat=arity):
            try:
                expected = reverse(name, args=args)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    jinja_url(name, *args)
                continue
            assert jinja_url(name, *args) == expected, (name, args)
            checked += 1
    assert checked > 500
    assert jinja_url("businesses:detail", "on-demand-staffing") == "/businesses/on-demand-staffing/"
    assert (
        jinja_url("businesses:offer_detail", "on-demand-staffing", 5)
        == "/businesses/on-demand-staffing/offers/5/"
    )
    with pytest.raises(NoReverseMatch):
        jinja_url("internships:moderation_match", -1)
    with pytest.raises(NoReverseMatch):
        jinja_url("internships:moderation_match", "on-demand-staffing")
    # The offer search's cards write theirs without reversing.
    assert _url_layout("/", "businesses:offer_detail", (True, False)) is not None
    assert _url_layout("/", "businesses:compare", (True, True)) is not None


def test_the_lists_urls_follow_the_script_prefix() -> None:
    path = reverse("internships:moderation_match", args=[5])
    compare = reverse("businesses:compare", args=["a", "b"])
    set_script_prefix("/peership/")
    try:
        assert jinja_url("internships:moderation_match", 5) == "/peership" + path
        assert jinja_url("businesses:compare", "a", "b") == "/peership" + compare
    finally:
        set_script_prefix("/")
    assert jinja_url("internships:moderation_match", 5) == path
    assert jinja_url("businesses:compare", "a", "b") == compare


def test_the_lists_dates_are_djangos_day_by_day() -> None:
    day, last = datetime.date(1999, 1, 1), datetime.date(2032, 12, 31)
    while day <= last:
        assert jinja_date(day, "j M Y") == defaultfilters.date(day, "j M Y")
        day += datetime.timedelta(days=1)
    for day in (datetime.date.min, datetime.date(999, 12, 31), datetime.date.max):
        assert jinja_date(day, "j M Y") == defaultfilters.date(day, "j M Y")


@pytest.mark.parametrize(
    "value", [datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)]
)
@pytest.mark.parametrize("arg", ["j M Y", "D j F Y", None])
def test_the_lists_dates_are_djangos_in_any_format_and_time_zone(
    value: datetime.date, arg: str | None
) -> None:
    with timezone.override("Asia/Kolkata"):
        assert jinja_date(value, arg) == defaultfilters.date(template_localtime(value), arg)


@given(
    st.text(st.sampled_from(["a", "b", " ", "\n", "\t", "…", "\u00a0", "\u2003", "<", "&"]), max_size=60)
    | st.text(max_size=60),
    st.integers(-2, 12),
)
def test_the_lists_truncatewords_writes_what_djangos_does(value: str, length: int) -> None:
    assert jinja_truncatewords(value, length) == truncatewords(value, length)


def test_the_lists_truncatewords_keeps_what_django_marks_safe() -> None:
    safe = mark_safe("<b>bold</b> words here")
    assert jinja_truncatewords(safe, 2) == truncatewords(safe, 2) == "<b>bold</b> words …"
    assert isinstance(jinja_truncatewords(safe, 2), SafeString)
