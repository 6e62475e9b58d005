"""The authentication backends of settings.AUTHENTICATION_BACKENDS (Django's and allauth's), loading
the signed-in person with their standing (moderator, authenticator app) in the same query: every
page checks it (accounts.middleware.SecondFactorMiddleware), so it would cost each request a query."""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from accounts.models import User, standing_columns


class StandingMixin:
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.annotate(**standing_columns()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(StandingMixin, DjangoModelBackend):
    """Django's: email and password (the admin's and the tests' sign-in)."""


class AuthenticationBackend(StandingMixin, AllauthBackend):
    """allauth's: sign-in by email, with its rate limits."""
