"""Security settings a person or an operator notices: moderators sign in with a second factor, sessions
end, every response carries the security headers, and a password reset does not tell who has an account."""

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.middleware import PRIVILEGED_SESSION_AGE
from accounts.models import User
from accounts.services import reset_recovery_codes
from exchange import demo
from tests.factories import PASSWORD, UserFactory
from tests.helpers import html_of
from tests.mfa import totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("mfa_activate_totp")
AUTHENTICATE = reverse("mfa_authenticate")
QUEUE = reverse("internships:moderation_queue")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

# The pages only moderators (or staff) may open.
MODERATOR_PAGES = [
    QUEUE,
    reverse("internships:moderation_businesses"),
    reverse("notifications:failed"),
    reverse("feedback:dashboard"),
    reverse("feedback:dashboard_csv"),
    reverse("admin:index"),
]


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    """The login form, as a person fills it in."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def confirm_password(client: Client, response: Any) -> Any:
    """allauth asks for the password again before two-factor settings change (and not again for 5 minutes)."""
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    return client.get(confirmed["Location"])


@pytest.fixture
def newcomer(db: None) -> User:
    """A moderator (and staff, for the admin) who has not set up an authenticator app yet."""
    return UserFactory.create(
        email="omar@peership.example",
        name="Omar Newcomer",
        is_staff=True,
        moderator=True,
        moderator__authenticator_app=False,
    )


# Moderators and staff use a second factor.


@pytest.mark.parametrize("url", MODERATOR_PAGES)
def test_a_moderator_without_an_authenticator_app_is_sent_to_set_one_up(
    client: Client, newcomer: User, url: str
) -> None:
    client.force_login(newcomer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    # The next page says why.
    assert "Moderators and staff must use two-factor authentication" in html_of(
        client.get(reverse("mfa_index"))
    )


def test_so_is_a_staff_member_who_does_not_moderate(client: Client) -> None:
    staff = UserFactory.create(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index"))["Location"] == ACTIVATE
    assert client.get(reverse("dashboard"))["Location"] == ACTIVATE


def test_their_own_account_pages_stay_open_to_them(client: Client, newcomer: User) -> None:
    client.force_login(newcomer)
    for name in ("mfa_index", "account_email", "account_change_password"):
        assert client.get(reverse(name)).status_code == 200, name
    client.post(reverse("account_logout"))
    assert not signed_in(client)


def test_a_member_is_not_asked_for_a_second_factor(client: Client, owner: User) -> None:
    sign_in(client, owner.email)
    assert signed_in(client)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_moderator_sets_up_an_authenticator_app_gets_recovery_codes_then_moderates(
    client: Client, newcomer: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    response = sign_in(client, newcomer.email)
    assert response["Location"] == reverse("dashboard")
    assert client.get(response["Location"])["Location"] == ACTIVATE

    page = confirm_password(client, client.get(ACTIVATE))
    html = html_of(page)
    assert "Set up two-factor authentication" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, allowed by the CSP's img-src data:
    secret = page.context["form"].secret
    assert secret in html  # the setup key, for those who cannot scan

    wrong = client.post(ACTIVATE, {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in html_of(wrong)
    with django_capture_on_commit_callbacks(execute=True):
        activated = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert activated["Location"] == reverse("mfa_view_recovery_codes")
    codes = html_of(client.get(activated["Location"]))
    assert "10 of 10 codes unused" in codes
    assert len(re.findall(r"<li class=\"col\">\d{8}</li>", codes)) == 10
    assert [m.subject for m in mailoutbox] == ["Two-factor authentication is on for your Peership account"]

    assert client.get(QUEUE).status_code == 200


def test_signing_in_asks_a_moderator_for_the_code_from_the_app(client: Client, moderator: User) -> None:
    response = sign_in(client, moderator.email)
    assert response["Location"] == AUTHENTICATE
    assert not signed_in(client)
    assert "Enter the 6-digit code" in html_of(client.get(AUTHENTICATE))
    # Until the code is in, the moderation pages ask to sign in.
    assert client.get(QUEUE)["Location"].startswith(reverse("account_login"))

    wrong = client.post(AUTHENTICATE, {"code": "123456"})
    assert wrong.status_code == 200
    assert "Incorrect code" in html_of(wrong)
    assert not signed_in(client)

    right = client.post(AUTHENTICATE, {"code": totp_code()})
    assert right["Location"] == reverse("dashboard")
    assert signed_in(client)
    assert client.get(QUEUE).status_code == 200


def test_a_code_signs_in_once(moderator: User) -> None:
    code = totp_code()
    first, second = Client(), Client()
    sign_in(first, moderator.email)
    assert first.post(AUTHENTICATE, {"code": code})["Location"] == reverse("dashboard")
    sign_in(second, moderator.email)
    assert second.post(AUTHENTICATE, {"code": code}).status_code == 200
    assert not signed_in(second)


def test_a_recovery_code_signs_in_in_place_of_the_app_once(client: Client, moderator: User) -> None:
    codes = reset_recovery_codes(user=moderator, seed="a-seed-for-this-test")
    sign_in(client, moderator.email)
    assert client.post(AUTHENTICATE, {"code": codes[3]})["Location"] == reverse("dashboard")
    client.post(reverse("account_logout"))

    sign_in(client, moderator.email)
    assert "Incorrect code" in html_of(client.post(AUTHENTICATE, {"code": codes[3]}))
    assert not signed_in(client)


def test_a_moderator_cannot_turn_two_factor_authentication_off(client: Client, moderator: User) -> None:
    sign_in(client, moderator.email)
    client.post(AUTHENTICATE, {"code": totp_code()})
    confirm_password(client, client.get(reverse("mfa_deactivate_totp")))
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "Moderators and staff keep two-factor authentication on" in html_of(response)
    assert Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).exists()
    settings_page = html_of(client.get(reverse("mfa_index")))
    assert "Moderators and staff must keep it on." in settings_page
    assert "Turn it off" not in settings_page


def test_a_member_may_turn_it_on_and_off(client: Client, owner: User) -> None:
    sign_in(client, owner.email)
    secret = confirm_password(client, client.get(ACTIVATE)).context["form"].secret
    client.post(ACTIVATE, {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=owner, type=Authenticator.Type.TOTP).exists()
    assert "Two-factor authentication is on" in html_of(client.get(reverse("accounts:profile")))
    assert "Turn it off" in html_of(client.get(reverse("mfa_index")))

    assert client.post(reverse("mfa_deactivate_totp"))["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=owner).exists()


def test_the_admin_has_no_login_form_of_its_own_that_would_skip_the_code(
    client: Client, moderator: User
) -> None:
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    client.post(reverse("admin:login"), {"username": moderator.email, "password": PASSWORD})
    assert not signed_in(client)


def test_the_demo_moderator_signs_in_with_the_published_secret_or_a_printed_recovery_code() -> None:
    out = io.StringIO()
    call_command("seed_demo", businesses=2, stdout=out)
    printed = out.getvalue()
    assert demo.DEMO_TOTP_SECRET in printed
    recovery_code = re.findall(r"\b\d{8}\b", printed)[0]
    email = "moderator@peership.example"

    client = Client()
    sign_in(client, email, demo.DEMO_PASSWORD)
    assert client.post(AUTHENTICATE, {"code": totp_code(demo.DEMO_TOTP_SECRET)})["Location"] == "/dashboard/"
    assert client.get(QUEUE).status_code == 200

    other = Client()
    sign_in(other, email, demo.DEMO_PASSWORD)
    assert other.post(AUTHENTICATE, {"code": recovery_code})["Location"] == "/dashboard/"


# Sessions end.


def test_a_session_ends_two_weeks_after_signing_in(client: Client, owner: User) -> None:
    with time_machine.travel(NOW, tick=False) as traveller:
        sign_in(client, owner.email)
        traveller.shift(timedelta(days=13, hours=23))
        assert client.get(reverse("dashboard")).status_code == 200
        traveller.shift(timedelta(hours=1, minutes=1))
        response = client.get(reverse("dashboard"))
        assert response["Location"] == reverse("account_login") + "?next=/dashboard/"
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 60 * 60


def test_a_moderators_session_ends_12_hours_after_signing_in(client: Client, moderator: User) -> None:
    assert timedelta(hours=12) == PRIVILEGED_SESSION_AGE
    with time_machine.travel(NOW, tick=False) as traveller:
        sign_in(client, moderator.email)
        client.post(AUTHENTICATE, {"code": totp_code()})
        traveller.shift(timedelta(hours=11, minutes=59))
        assert client.get(QUEUE).status_code == 200
        traveller.shift(timedelta(minutes=2))
        response = client.get(QUEUE)
        assert response["Location"] == reverse("account_login") + "?next=/moderation/"
        assert not signed_in(client)
        page = html_of(client.get(response["Location"]))
    assert "moderators and staff are signed out after 12 hours" in page


# Security headers, on every kind of response.


def assert_secure_headers(response: Any) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" or directives["script-src"].startswith("'self' 'nonce-")
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"  # the TOTP QR code is a data: image
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def assert_no_inline_code(html: str) -> None:
    """No style attribute, no <style>, no inline script: the CSP would block them in the browser."""
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert "<style" not in html
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script or 'type="application/json"' in script, script


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/accounts/login/", 200), ("/accounts/password/reset/", 200), ("/no-such-page/", 404)],
)
def test_anonymous_responses_carry_the_security_headers(client: Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert_secure_headers(response)
    assert_no_inline_code(html_of(response))


def test_signed_in_pages_and_the_two_factor_pages_carry_them_too(client: Client, newcomer: User) -> None:
    sign_in(client, newcomer.email)
    activate = confirm_password(client, client.get(ACTIVATE))
    for response in (activate, client.get(reverse("mfa_index")), client.get("/no-such-page/")):
        assert response.status_code in {200, 404}
        assert_secure_headers(response)
        assert_no_inline_code(html_of(response))
    client.post(ACTIVATE, {"code": totp_code(activate.context["form"].secret)})
    for path in (reverse("mfa_view_recovery_codes"), QUEUE, reverse("dashboard"), "/accounts/profile/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secure_headers(response)
        assert_no_inline_code(html_of(response))

    client.post(reverse("account_logout"))
    sign_in(client, newcomer.email)
    response = client.get(AUTHENTICATE)
    assert_secure_headers(response)
    assert_no_inline_code(html_of(response))


def test_a_redirect_carries_them_too(client: Client) -> None:
    assert_secure_headers(client.get(reverse("dashboard")))


# A password reset does not tell who has an account.


def test_a_password_reset_looks_the_same_for_a_known_and_an_unknown_address(
    client: Client, owner: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("account_reset_password")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": owner.email}, follow=True)
        unknown = client.post(url, {"email": "stranger@example.com"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("account_reset_password_done"), 302)]
    assert html_of(known) == html_of(unknown)

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {owner.email, "stranger@example.com"}
    assert "/accounts/password/reset/key/" in str(by_address[owner.email].body)
    assert "/accounts/password/reset/key/" not in str(by_address["stranger@example.com"].body)


def test_a_password_reset_does_not_skip_the_moderators_code(
    client: Client, moderator: User, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": moderator.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", str(mailoutbox[0].body))
    assert link
    form_url = client.get(link.group(1))["Location"]
    new_password = "a-new-password-for-maya-2026"
    client.post(form_url, {"password1": new_password, "password2": new_password})
    assert not signed_in(client)
    assert sign_in(client, moderator.email, new_password)["Location"] == AUTHENTICATE
    assert not signed_in(client)
