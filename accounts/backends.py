"""The authentication backends of settings.AUTHENTICATION_BACKENDS (Django's and allauth's), loading
the signed-in person with their standing (moderator, authenticator app) in the same query: every
page checks it (accounts.middleware.SecondFactorMiddleware), so it would cost each request a query."""

import functools
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection

from accounts.models import User, standing_columns

# A primary key no person has, to find where the person's own goes in the query's parameters.
NOBODY = -7_231_911


@functools.cache
def with_standing_sql(vendor: str) -> tuple[str, tuple[Any, ...], int]:
    """The query of a person with their standing (on the database `vendor`), its parameters, and where
    the person's primary key goes in them.

    Built by the ORM once per process: every signed-in request runs it, and building it (the standing's
    two subqueries) cost more than running it."""
    sql, params = User.objects.annotate(**standing_columns()).filter(pk=NOBODY).query.sql_with_params()
    return sql, tuple(params), list(params).index(NOBODY)


def user_with_standing(user_id: Any) -> User | None:
    sql, params, position = with_standing_sql(connection.vendor)
    found = User.objects.raw(sql, [*params[:position], user_id, *params[position + 1 :]])
    return next(iter(found), None)


class StandingMixin:
    def get_user(self, user_id: Any) -> User | None:
        user = user_with_standing(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(StandingMixin, DjangoModelBackend):
    """Django's: email and password (the admin's and the tests' sign-in)."""


class AuthenticationBackend(StandingMixin, AllauthBackend):
    """allauth's: sign-in by email, with its rate limits."""
