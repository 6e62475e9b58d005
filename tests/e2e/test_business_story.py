"""An owner puts a business on Peership and a colleague joins it, in a real browser against the live server.

The owner signs up, describes the business, rates its practices, confirms the offer and the need the
self-assessment proposes, writes one more of each by hand and invites a colleague by email; the colleague,
in a browser of their own, follows the emailed link, signs up, accepts and finds the business on their
dashboard. Each page reached is screenshotted to tests/e2e/artifacts/business-*.png, checked with axe-core
and checked for console errors (see ``checkpoint`` in conftest.py).
"""

import datetime
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.mail import EmailMessage
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, expect

from businesses.models import Practice
from tests.e2e.conftest import AssertAccessible, Checkpoint
from tests.e2e.test_signup import confirmation_link, field

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OWNER = "afreen@staffing.example"
COLLEAGUE = "neha@staffing.example"
PASSWORD = "learn-by-doing-2026"
BUSINESS = "On-Demand Staffing"


@pytest.fixture
def reference_data() -> None:
    """The industries, departments and practices that migration 0002 loads, whatever ran before."""
    # A transactional test ends with a flush, which empties every table, the migration's rows included:
    # a browser test that runs after another one (test_signup, or any django_db(transaction=True) test)
    # finds no industry to choose. Serialized rollback, Django's answer, does not help here with
    # pytest-django 4.14:
    # * the `django_db_serialized_rollback` fixture is ignored when the database is set up if the test
    #   has a django_db marker (`_get_databases_for_test` reads only the marker), so nothing is
    #   serialized and there is nothing to restore;
    # * `django_db(transaction=True, serialized_rollback=True)` restores the rows, but fails with
    #   "UNIQUE constraint failed: django_content_type" whenever a plain transactional test ran first
    #   (its flush re-created the content types under new ids), and its own flush skips post_migrate,
    #   leaving the next transactional tests without content types and permissions.
    # So load the data again with the migration's own idempotent functions, as test_reference_data does.
    if Practice.objects.exists():
        return
    migration = importlib.import_module("businesses.migrations.0002_reference_data")
    for step in (migration.load_industries, migration.load_practices):
        step(apps, None)


def checkpoint_for(page: Page, artifacts: Path, assert_accessible: AssertAccessible) -> Checkpoint:
    """The same checks as conftest's ``checkpoint``, for a page of a second browser context."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} (at {message.location.get('url') or page.url})")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught {error.name}: {error.message} (on {page.url})")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    def _checkpoint(name: str) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)
        assert_accessible(page, name)
        seen = list(errors)
        errors.clear()
        assert not seen, f"the browser logged {len(seen)} error(s) by {name} ({page.url}):\n" + "\n".join(
            f"  {error}" for error in seen
        )

    return _checkpoint


def email_to(mailoutbox: list[EmailMessage], address: str, subject: str) -> EmailMessage:
    """The one email sent to ``address`` whose subject mentions ``subject``."""
    found = [m for m in mailoutbox if m.to == [address] and subject.lower() in str(m.subject).lower()]
    assert len(found) == 1, f"expected one email to {address} about {subject!r}, got: " + ", ".join(
        f"{m.to} {m.subject!r}" for m in mailoutbox
    )
    return found[0]


def invitation_link(message: EmailMessage, server_url: str) -> str:
    """The accept link in an invitation: http://<live server>/businesses/invitations/<token>/."""
    match = re.search(re.escape(server_url) + r"/businesses/invitations/[^/\s]+/", str(message.body))
    assert match, f"no invitation link to {server_url} in:\n{message.body}"
    return match.group(0)


def sign_up_and_confirm(
    page: Page,
    check: Callable[[str], None],
    *,
    email: str,
    mailoutbox: list[EmailMessage],
    server_url: str,
) -> None:
    """From the signup form: sign up, open the emailed link, confirm; ends on the login page."""
    check("signup")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    check("verification-sent")

    page.goto(confirmation_link(email_to(mailoutbox, email, "Confirm your email address"), server_url))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm")
    check("confirm-email")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("confirmed")


def log_in(page: Page, *, email: str) -> None:
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_owner_sets_up_a_business_and_a_colleague_joins_it(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    mailoutbox: list[EmailMessage],
    checkpoint: Checkpoint,
    assert_accessible: AssertAccessible,
    artifacts: Path,
    reference_data: None,
) -> None:
    today = datetime.date.today()
    owner_steps = iter(range(1, 100))

    def owner_check(name: str) -> None:
        checkpoint(f"business-{next(owner_steps):02d}-{name}")

    # Afreen, who runs a staffing firm, signs up, confirms her address and logs in.
    page.goto("/accounts/signup/")
    sign_up_and_confirm(
        page,
        lambda name: owner_check(f"owner-{name}"),
        email=OWNER,
        mailoutbox=mailoutbox,
        server_url=live_server.url,
    )
    owner_check("owner-login")
    log_in(page, email=OWNER)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    owner_check("owner-dashboard")

    # Her dashboard sends her to describe her business.
    page.get_by_role("main").get_by_role("link", name="Add your business").click()
    expect(page).to_have_url(re.compile(r"/businesses/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add your business")
    field(page, "Name").fill(BUSINESS)
    field(page, "Industry").select_option(label="Administrative and Support Services (561)")
    field(page, "City").fill("Pune")
    field(page, "Country").select_option(label="India")
    field(page, "Size").select_option(label="10–49 people")
    field(page, "Description").fill("Temporary and permanent staff for warehouses and offices.")
    field(page, "Languages").fill("English, Hindi, Marathi")
    field(page, "What you sell").fill("Temporary staffing and recruitment")
    field(page, "To whom").fill("Logistics companies and offices in Maharashtra")
    owner_check("create")
    page.get_by_role("button", name="Add the business").click()

    # The business exists, with her as its owner, awaiting a moderator's verification.
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BUSINESS)
    expect(page.get_by_role("alert")).to_contain_text("with you as its owner")
    expect(page.get_by_role("status")).to_contain_text("Awaiting verification")
    owner_check("profile")

    # She rates a few practices: recruitment is what the firm does best, lead generation what it lacks.
    sections = page.get_by_role("navigation", name=f"{BUSINESS} sections")
    sections.get_by_role("link", name="Self-assessment").click()
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/assessment/$"))
    expect(page.get_by_text("0 of 79 practices assessed")).to_be_visible()
    owner_check("assessment")
    ratings = {
        "Recruitment and hiring": "5 · Expert",
        "Employee onboarding": "4 · Strong",
        "Lead generation (organic)": "2 · Basic",
        "SEO": "1 · Starting",
    }
    for practice, level in ratings.items():
        page.get_by_label(f"Maturity in {practice}", exact=True).select_option(label=level)
    page.get_by_label("We can host an intern in Recruitment and hiring", exact=True).check()
    page.get_by_label("We want to learn Lead generation (organic)", exact=True).check()
    owner_check("assessment-rated")
    page.get_by_role("button", name="Save the self-assessment").click()

    # Each tick became a proposal for her to confirm.
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/proposals/$"))
    expect(page.get_by_role("alert")).to_contain_text("we drafted 1 offer and 1 need")
    offers_to_confirm = page.get_by_role("region", name=re.compile(r"^Offers to confirm"))
    needs_to_confirm = page.get_by_role("region", name=re.compile(r"^Needs to confirm"))
    expect(offers_to_confirm.get_by_role("row", name=re.compile("Recruitment and hiring"))).to_be_visible()
    expect(
        needs_to_confirm.get_by_role("row", name=re.compile(r"Lead generation \(organic\)"))
    ).to_be_visible()
    owner_check("proposals")

    # She confirms the offer, saying what an intern will do; the window and length are proposed for her.
    page.get_by_role("link", name="Confirm the offer of Recruitment and hiring").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Confirm the offer: Recruitment and hiring")
    expect(field(page, "Available from")).to_have_value(today.isoformat())
    field(page, "What an intern will do and learn").fill(
        "Write a job ad, screen CVs against a scorecard and sit in on structured interviews; "
        "go home able to run a hiring round end to end."
    )
    owner_check("confirm-offer")
    page.get_by_role("button", name="Confirm the offer").click()

    # The need is still waiting: she is back on the proposals.
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/proposals/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Offer confirmed: Recruitment and hiring is now offered"
    )
    expect(page.get_by_text("No offer to confirm.")).to_be_visible()
    owner_check("proposals-need-left")

    page.get_by_role("link", name="Confirm the need for Lead generation (organic)").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Confirm the need: Lead generation (organic)")
    expect(field(page, "Where you stand today")).to_have_value("2")
    expect(field(page, "Where you want to be")).to_have_value("4")
    field(page, "The outcome you want").fill(
        "Half of our new clients find us through our articles and LinkedIn, not through cold calls."
    )
    owner_check("confirm-need")
    page.get_by_role("button", name="Confirm the need").click()

    # Nothing left to confirm: she lands on the needs, where the confirmed one is open.
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/needs/$"))
    expect(page.get_by_role("alert")).to_contain_text("Need confirmed")
    needs_table = page.get_by_role("table", name=f"The needs of {BUSINESS}")
    expect(needs_table.get_by_role("row", name=re.compile(r"Lead generation \(organic\)"))).to_contain_text(
        "Open"
    )
    owner_check("needs-confirmed")

    # She writes one more offer by hand: onboarding, which the firm does well too.
    sections.get_by_role("link", name="Offers").click()
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/offers/$"))
    offers_table = page.get_by_role("table", name=f"The offers of {BUSINESS}")
    expect(offers_table.get_by_role("row", name=re.compile("Recruitment and hiring"))).to_contain_text(
        "Active"
    )
    owner_check("offers")
    page.get_by_role("main").get_by_role("link", name="New offer").click()
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/offers/new/$"))
    field(page, "Practice").select_option(label="Employee onboarding")
    field(page, "Your level in it").select_option(label="4 · Strong")
    field(page, "What an intern will do and learn").fill(
        "Shadow two new hires through their first week and draft a 90-day plan for one of your own roles."
    )
    field(page, "Available from").fill((today + datetime.timedelta(days=14)).isoformat())
    field(page, "Available until").fill((today + datetime.timedelta(days=120)).isoformat())
    field(page, "Shortest placement (days)").fill("2")
    field(page, "Longest placement (days)").fill("5")
    field(page, "Interns at a time").fill("2")
    page.get_by_label("Hybrid", exact=True).check()
    owner_check("new-offer")
    page.get_by_role("button", name="Save the offer").click()

    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/offers/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("Offer saved: Employee onboarding.")
    owner_check("offer-detail")

    # And one more need: SEO, where the firm is starting from nothing.
    page.goto("/businesses/on-demand-staffing/needs/")
    page.get_by_role("main").get_by_role("link", name="New need").click()
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/needs/new/$"))
    field(page, "Practice").select_option(label="SEO")
    field(page, "Where you stand today").select_option(label="1 · Starting")
    field(page, "Where you want to be").select_option(label="3 · Capable")
    field(page, "The outcome you want").fill(
        "Our service pages rank on the first page for 'staffing agency Pune'."
    )
    page.get_by_label("Low — within the year", exact=True).check()
    field(page, "Earliest start").fill((today + datetime.timedelta(days=30)).isoformat())
    field(page, "Preferred length (days)").fill("4")
    owner_check("new-need")
    page.get_by_role("button", name="Save the need").click()

    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/needs/$"))
    expect(page.get_by_role("alert")).to_contain_text("Need saved: SEO.")
    expect(needs_table.get_by_role("row")).to_have_count(3)  # the header and two needs
    expect(needs_table.get_by_role("row", name=re.compile("SEO"))).to_contain_text("Open")
    owner_check("needs")

    # She invites Neha, her operations manager, from the members page.
    sections.get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/members/$"))
    members_table = page.get_by_role("table", name=f"The members of {BUSINESS}")
    expect(members_table.get_by_role("row")).to_have_count(2)  # the header and Afreen
    expect(page.get_by_text("No invitation is waiting for an answer.")).to_be_visible()
    owner_check("members")
    field(page, "Email address").fill(COLLEAGUE)
    field(page, "Role").select_option(label="Manager")
    page.get_by_role("button", name="Send the invitation").click()

    expect(page).to_have_url(re.compile(r"/businesses/on-demand-staffing/members/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"We emailed an invitation to {COLLEAGUE}")
    invitations_table = page.get_by_role("table", name="Invitations not yet accepted")
    expect(invitations_table.get_by_role("row", name=re.compile(re.escape(COLLEAGUE)))).to_contain_text(
        "Manager"
    )
    owner_check("members-invited")

    # Neha, on her own computer, opens the link in the email she received.
    invitation = email_to(mailoutbox, COLLEAGUE, f"invites you to join {BUSINESS}")
    link = invitation_link(invitation, live_server.url)
    colleague = new_context().new_page()
    colleague.set_default_timeout(10_000)
    colleague_checkpoint = checkpoint_for(colleague, artifacts, assert_accessible)

    def colleague_check(name: str) -> None:
        colleague_checkpoint(f"business-{next(owner_steps):02d}-colleague-{name}")

    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"Join {BUSINESS} on Peership")
    expect(colleague.get_by_role("main")).to_contain_text(f"{OWNER} invited {COLLEAGUE}")
    colleague_check("invitation")

    # She has no account yet: she signs up with the invited address, confirms it and logs in.
    colleague.get_by_role("link", name=f"Sign up with {COLLEAGUE}").click()
    expect(colleague).to_have_url(re.compile(r"/accounts/signup/\?next="))
    sign_up_and_confirm(
        colleague, colleague_check, email=COLLEAGUE, mailoutbox=mailoutbox, server_url=live_server.url
    )
    colleague_check("login")
    log_in(colleague, email=COLLEAGUE)

    # Her dashboard shows the invitation waiting for her; she opens it and accepts.
    expect(colleague).to_have_url(re.compile(r"/dashboard/$"))
    waiting = colleague.get_by_role("region", name="Invitations for you")
    expect(waiting).to_contain_text(f"invited you to join {BUSINESS} as manager")
    colleague_check("dashboard-invited")
    waiting.get_by_role("link", name=f"See the invitation to {BUSINESS}").click()
    expect(colleague).to_have_url(link)
    colleague_check("invitation-signed-in")
    colleague.get_by_role("button", name=f"Accept and join {BUSINESS}").click()

    # She is a member now, acting for the business.
    expect(colleague).to_have_url(re.compile(r"/businesses/on-demand-staffing/$"))
    expect(colleague.get_by_role("alert")).to_contain_text(f"Welcome to {BUSINESS}!")
    colleague_check("profile")

    # Her dashboard lists the business, with the offers and needs Afreen wrote.
    colleague.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Dashboard").click()
    expect(colleague).to_have_url(re.compile(r"/dashboard/$"))
    expect(colleague.get_by_role("region", name="Invitations for you")).to_have_count(0)
    card = colleague.get_by_role("article", name=BUSINESS)
    expect(card).to_contain_text("Manager")
    expect(card.get_by_role("link", name="2 active offers")).to_be_visible()
    expect(card.get_by_role("link", name="2 open needs")).to_be_visible()
    colleague_check("dashboard")

    # Back on Afreen's side, the members page lists Neha and no invitation is pending any more.
    page.reload()
    expect(members_table.get_by_role("row")).to_have_count(3)
    expect(members_table.get_by_role("combobox", name=f"Role of {COLLEAGUE}")).to_have_value("manager")
    expect(page.get_by_text("No invitation is waiting for an answer.")).to_be_visible()
    owner_check("members-joined")
