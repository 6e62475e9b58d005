"""A new moderator sets up two-factor authentication before moderating, in a real browser.

Omar has just been made a moderator and has no authenticator app yet. Signing in, he is sent to set one
up (after confirming his password): the QR code shows (a data: image the Content-Security-Policy allows),
he types the setup key's current code, gets ten recovery codes, and reaches the moderation queue. Signing
in again asks for a code; a recovery code does. Each page reached is screenshotted to
tests/e2e/artifacts/two-factor-*.png, checked with axe-core and checked for console errors.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import test_moderation_story
from tests.e2e.conftest import Checkpoint
from tests.e2e.test_moderation_story import sign_in
from tests.e2e.test_signup import field
from tests.factories import PASSWORD, UserFactory
from tests.mfa import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OMAR = "omar@peership.example"

# The moderation story's fixture, shared: the Moderators group again after a flush.
moderators_group = test_moderation_story.moderators_group


@pytest.fixture
def omar(moderators_group: None) -> None:
    UserFactory.create(email=OMAR, name="Omar Newcomer", moderator=True, moderator__authenticator_app=False)


def test_a_new_moderator_sets_up_an_authenticator_app_before_moderating(
    page: Page, checkpoint: Checkpoint, omar: None
) -> None:
    steps: Iterator[int] = iter(range(1, 100))

    def check(name: str) -> None:
        checkpoint(f"two-factor-{next(steps):02d}-{name}")

    # Signing in, Omar is asked to confirm his password before he sets up two-factor authentication.
    page.goto("/accounts/login/")
    sign_in(page, email=OMAR)
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    expect(page.get_by_role("alert").filter(has_text="must use two-factor authentication")).to_be_visible()
    check("confirm-password")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    # The setup page: a QR code that loads under the CSP, and the key to type in instead.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code for your authenticator app"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    check("setup")
    secret = page.get_by_label("Setup key, if you cannot scan").input_value()

    # A wrong code is refused with a message; the right one activates the app.
    field(page, "Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    check("wrong-code")
    field(page, "Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Ten recovery codes, then on to moderating.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.get_by_role("alert").filter(has_text="Authenticator app activated")).to_be_visible()
    codes = page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text().strip()
    check("recovery-codes")
    page.get_by_role("link", name="Continue to your dashboard").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Moderation").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))

    # Signing in again takes a code: a recovery code will do, once.
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    sign_in(page, email=OMAR)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    field(page, "Code").fill(recovery_code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    check("signed-in-with-a-recovery-code")

    # His two-factor settings: the app is on for good, 9 recovery codes are left.
    page.goto("/accounts/2fa/")
    expect(page.get_by_text("Moderators and staff must keep it on.")).to_be_visible()
    expect(page.get_by_text("9 of 10 codes unused")).to_be_visible()
    check("settings")
