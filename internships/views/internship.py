"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def index(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
