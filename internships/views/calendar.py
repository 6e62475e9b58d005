"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def ics(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
