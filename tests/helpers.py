"""Helpers for the tests of a business's pages, and the project's URL patterns."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.urls import URLPattern, URLResolver, reverse

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


@dataclass(frozen=True)
class Pattern:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    route: str
    module: str


def walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            callback = entry.callback
            module = getattr(callback, "__module__", "") or ""
            view_class = getattr(callback, "view_class", None)
            if view_class is not None:
                module = view_class.__module__
            yield Pattern(name=name, route=prefix + str(entry.pattern), module=module)
