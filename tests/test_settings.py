"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exchange.settings import mailer_from_url

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "-production-secret-key-for-tests-0123456789"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_says_what_to_set() -> None:
    result = run_manage("check", env={"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "peership.example"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_says_what_to_set() -> None:
    result = run_manage("check", env={"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": GOOD_KEY})
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DJANGO_ALLOWED_HOSTS": "peership.example",
            "EMAIL_URL": "smtp://mail.peership.example:587",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_cookies_to_https_and_asks_moderators_for_a_second_factor() -> None:
    result = run_manage(
        "diffsettings",
        "--all",
        env={"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "peership.example"},
    )
    assert result.returncode == 0, result.stderr
    # diffsettings marks the settings left at Django's default with "###".
    lines = {line.removeprefix("### ").removesuffix("  ###") for line in result.stdout.splitlines()}
    for line in [
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SESSION_COOKIE_HTTPONLY = True",
        "SESSION_COOKIE_AGE = 1209600",
        "MFA_SUPPORTED_TYPES = ['totp', 'recovery_codes']",
    ]:
        assert line in lines, line
    assert "'allauth.mfa'" in result.stdout
    assert "'accounts.middleware.SecondFactorMiddleware'" in result.stdout
    assert "MFA_TOTP_INSECURE_BYPASS_CODE" not in result.stdout


def test_the_deploy_check_catches_a_console_mailer_in_production() -> None:
    result = run_manage(
        "check",
        "--deploy",
        env={"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "peership.example"},
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", {"host": "127.0.0.1", "port": 1025, "use_tls": False, "use_ssl": False}),
        ("smtp+tls://me%40x.com:p%40ss@mail.example", {"port": 587, "use_tls": True, "username": "me@x.com"}),
        ("smtp+ssl://mail.example", {"port": 465, "use_ssl": True}),
    ],
)
def test_email_url_becomes_an_smtp_mailer(url: str, expected: dict) -> None:
    mailer = mailer_from_url(url)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert expected.items() <= mailer["OPTIONS"].items()


def test_an_unknown_email_url_scheme_is_refused_with_a_hint() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="smtp://"):
        mailer_from_url("sendgrid://key")


def test_pages_carry_the_security_headers(client, db) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
