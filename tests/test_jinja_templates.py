"""The navigation and the compare page's lists, rendered by Jinja2 (exchange/jinja2.py), write what the
Django templates they replaced wrote (kept in tests/replaced_templates/), for ordinary and hostile
values: the same markup, and every value escaped (Jinja2 writes a quote as &#34; or &#39;, Django as
&quot; or &#x27;)."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse

from businesses.access import SESSION_KEY
from businesses.models import Business, Department, Membership, Mode, Need, Offer, Practice
from businesses.selectors.compare import DepartmentLevels, Help
from tests.factories import BusinessFactory, MembershipFactory
from tests.hostile import MARKUP, assert_escaped

# The Django templates before they became Jinja2 (templates/base.html's <header>, the compare page's
# businesses/_compare_table.html and businesses/_compare_help.html), kept to compare with.
REPLACED = Path(__file__).parent / "replaced_templates"
DJANGO_NAV = (REPLACED / "nav.html").read_text()
DJANGO_COMPARE_TABLE = (REPLACED / "compare_table.html").read_text()
DJANGO_COMPARE_HELP = (REPLACED / "compare_help.html").read_text()

JINJA_NAV = (
    '{% load jinja %}{% jinja "nav.html" user=user request=request current_membership=current_membership '
    "my_memberships=my_memberships %}"
)
HOSTILE = [*MARKUP, 'Tom & Jerry\'s "Co"', "{{ request.user.password }}{% debug %}"]


def same_page(html: str) -> str:
    """The markup with the differences that do not matter removed: whitespace between tags, the CSRF
    tokens (new on each render), and how a quote is escaped."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    html = html.replace("&quot;", "&#34;").replace("&#x27;", "&#39;")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def django(source: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
    return engines["django"].from_string(source).render(context, request)


def request_for(user: Any, path: str, *, chosen: Business | None = None) -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.pk
    request.resolver_match = resolve(path)
    return request


def assert_same_nav(request: HttpRequest | None) -> None:
    new = django(JINJA_NAV, {}, request)
    assert same_page(new) == same_page(django(DJANGO_NAV, {}, request))
    assert_escaped(new, HOSTILE)


def test_the_navigation_of_a_visitor_and_of_an_error_page_without_a_request() -> None:
    assert_same_nav(request_for(AnonymousUser(), reverse("home")))
    assert_same_nav(None)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [reverse("dashboard"), reverse("internships:index")])
def test_the_navigation_of_someone_in_no_business(user: Any, path: str) -> None:
    assert_same_nav(request_for(user, path))


@pytest.mark.django_db
@pytest.mark.parametrize("memberships", [1, len(HOSTILE)])
def test_the_navigation_of_a_member_escapes_the_businesses_names(user: Any, memberships: int) -> None:
    businesses = [
        BusinessFactory.create(name=name, slug=f"hostile-{index}")
        for index, name in enumerate(HOSTILE[:memberships])
    ]
    for business, role in zip(businesses, Membership.Role.values, strict=False):
        MembershipFactory.create(user=user, business=business, role=role)
    for chosen in (None, businesses[-1]):
        user.__dict__.pop("memberships_held", None)
        request = request_for(user, reverse("dashboard"), chosen=chosen)
        html = django(JINJA_NAV, {}, request)
        assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
        assert html.count("Switch business") == (memberships > 1)
        assert_same_nav(request)


@pytest.mark.django_db
def test_the_navigation_of_a_moderator(moderator: Any) -> None:
    html = django(JINJA_NAV, {}, request_for(moderator, reverse("internships:moderation_queue")))
    assert reverse("internships:moderation_queue") in html
    assert_same_nav(request_for(moderator, reverse("internships:moderation_queue")))


def department(name: str) -> Department:
    return Department(pk=1, slug="d", name=name, position=1)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_compare_table_escapes_every_name(name: str) -> None:
    rows = [
        DepartmentLevels(department=department(name), mine=None, theirs=2.25),
        DepartmentLevels(department=department("Sales"), mine=3.0, theirs=None),
        DepartmentLevels(department=department("Finance"), mine=None, theirs=None),
        DepartmentLevels(department=department(name + " 2"), mine=4.95, theirs=1.0),
    ]
    context = {
        "business": Business(name=name),
        "theirs_label": f"{name} (from their public offers)",
        "rows": rows,
    }
    new = engines["jinja2"].get_template("businesses/compare_table.html").render(context)
    assert same_page(new) == same_page(django(DJANGO_COMPARE_TABLE, context))
    assert_escaped(new, [name])
    assert "<td>2.2</td>" in new  # the figures as the page writes them (DepartmentLevels.theirs_text)


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("needs_of", ["your", "their"])
def test_the_offers_that_meet_needs_escape_every_name(name: str, needs_of: str) -> None:
    practice = Practice(pk=3, name=name, department=department(name + " dept"))
    offer = Offer(pk=42, practice=practice, level=4, mode=Mode.HYBRID, min_days=3, max_days=10)
    long_outcome = " ".join([name] * 30)
    needs = [
        Need(pk=7, practice=practice, current_level=1, target_level=4, outcome=long_outcome),
        Need(pk=8, practice=Practice(pk=4, name="Other"), current_level=2, target_level=3, outcome=name),
    ]
    context = {
        "helps": [Help(offer=offer, needs=needs), Help(offer=offer, needs=needs[1:])],
        "host": Business(slug="pixelcraft-ux", name=name),
        "needs_of": needs_of,
    }
    new = engines["jinja2"].get_template("businesses/compare_help.html").render(context)
    assert same_page(new) == same_page(django(DJANGO_COMPARE_HELP, context))
    assert_escaped(new, [name])
    assert reverse("businesses:offer_detail", args=["pixelcraft-ux", 42]) in new
