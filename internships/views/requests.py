"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def accept(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def decline(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def counter(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def accept_counter(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def decline_counter(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def confirm(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def cancel(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
