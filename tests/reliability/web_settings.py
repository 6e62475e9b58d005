"""Settings of the fault tests' web and worker processes: production's (DJANGO_DEBUG=0), except
static files come from the finders (nothing is collected) and passwords hash fast, as in the tests."""

from exchange.settings import *  # noqa: F403
from exchange.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
