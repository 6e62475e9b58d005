"""Helpers for the tests of a business's pages."""

from typing import Any

from django.db.models import Model
from django.urls import reverse

from businesses.models import Business


def business_url(name: str, business: Business, item: Model | None = None) -> str:
    """The address of `business`'s page `businesses:<name>`, about `item` (an offer, a need…) if given."""
    kwargs: dict[str, Any] = {"slug": business.slug}
    if item is not None:
        kwargs["pk"] = item.pk
    return reverse(f"businesses:{name}", kwargs=kwargs)


def html_of(response: Any) -> str:
    return response.content.decode()


def assert_asks_to_log_in(response: Any) -> None:
    """The response sends an anonymous visitor to the login page (a success is often a redirect too)."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
