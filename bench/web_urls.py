"""The site's URLs plus /bench/bare, a trivial view: what a request costs before any page's own work."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from exchange.urls import urlpatterns as site


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench_bare"), *site]
