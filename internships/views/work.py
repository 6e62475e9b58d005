"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def task_create(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def task_done(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def task_review(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
