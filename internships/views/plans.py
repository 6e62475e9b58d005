"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def edit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def submit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def approve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def request_changes(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def final_assessment(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
