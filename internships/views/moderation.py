"""Stub: to be written."""

from django.http import Http404, HttpRequest, HttpResponse


def queue(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def bulk_approve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def match(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def approve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def reject(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def businesses(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def business(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
