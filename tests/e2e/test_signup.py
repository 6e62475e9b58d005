"""A newcomer's whole account story, in a real browser against the live server.

Each page reached is screenshotted to tests/e2e/artifacts/, checked with axe-core
and checked for console errors (see ``checkpoint`` in conftest.py).
"""

import re
from typing import Any

import pytest
from django.core.mail import EmailMessage
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Checkpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "afreen@staffing.example"
PASSWORD = "learn-by-doing-2026"


def field(page: Page, label: str) -> Locator:
    """The form field labelled exactly ``label`` (crispy-forms marks required ones with a *)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def confirmation_link(message: EmailMessage, server_url: str) -> str:
    """The verification link in an email: http://<live server>/accounts/confirm-email/<key>/."""
    match = re.search(re.escape(server_url) + r"/accounts/confirm-email/[^/\s]+/", str(message.body))
    assert match, f"no confirmation link to {server_url} in:\n{message.body}"
    return match.group(0)


def test_a_newcomer_signs_up_verifies_logs_in_and_out(
    page: Page, live_server: Any, mailoutbox: list[EmailMessage], checkpoint: Checkpoint
) -> None:
    # Afreen, who runs a staffing firm, arrives on Peership as a visitor.
    response = page.goto("/")
    assert response is not None and response.ok
    # The site's strict CSP is in force (Django adds the nonce only to pages that use one):
    # the console checks below would catch its violations.
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    checkpoint("home-01-visitor")

    # She signs up with her email and a password typed twice.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    checkpoint("signup-01-form")
    field(page, "Email").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Peership asks her to confirm her address before she can log in.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    checkpoint("signup-02-verification-sent")

    # The verification email arrives with a link back to the site.
    [message] = mailoutbox
    assert message.to == [EMAIL]
    link = confirmation_link(message, live_server.url)

    # The link opens a page with a Confirm button: nothing changes until she presses it.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm")
    checkpoint("signup-03-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    # Confirmed, she is sent to log in.
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("confirmed")
    checkpoint("login-01-form")
    field(page, "Email").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Her dashboard welcomes her and says what to do next.
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_text("What to do next")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text(EMAIL)
    checkpoint("dashboard-01-welcome")

    # She logs out from the navigation bar (a POST form); allauth may ask her to confirm.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/(accounts/logout/)?$"))
    if page.url.endswith("/accounts/logout/"):
        checkpoint("logout-01-confirm")
        page.get_by_role("main").get_by_role("button", name="Sign out").click()

    # She is back on the home page as a visitor.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("alert")).to_contain_text("signed out")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    checkpoint("home-02-visitor-again")
