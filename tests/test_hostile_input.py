"""Hostile input: every form and every list page's query parameters get random and malicious values (huge
strings, control characters and NUL, markup, SQL, wrong types, missing and repeated fields, odd Unicode,
huge and negative numbers, far dates). Whatever comes in: never a server error, every answer escaped, a
refused form shown again with what was typed and nothing written; what a valid form saved reads back and
renders escaped. Login and signup are rate-limited; a business's website is never a javascript: link.

Each example runs in a savepoint rolled back afterwards, so every example starts from the fixtures' state.
Run it on PostgreSQL too: NUL bytes and over-long values behave differently there. HOSTILE_EXAMPLES=200
draws more examples per test (15 by default)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import example as case
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from accounts.time_zones import zone_names
from businesses.models import (
    Assessment,
    Blackout,
    Business,
    Competitor,
    Invitation,
    Membership,
    Mode,
    Need,
    Offer,
    Practice,
)
from feedback.models import (
    ExchangeReview,
    FollowUp,
    Measurement,
    ObjectiveProgress,
    ObjectiveRating,
    WeeklyReport,
    WeeklyReview,
)
from feedback.services.followups import record_follow_up, schedule_follow_ups
from internships.models import ImplementationPlan, Internship, Match, Objective, PlanStep, Task
from notifications.models import MutedKind
from tests.factories import (
    PASSWORD,
    BusinessFactory,
    ImplementationPlanFactory,
    InternshipFactory,
    MatchFactory,
    MembershipFactory,
    NeedFactory,
    ObjectiveFactory,
    OfferFactory,
    PlanStepFactory,
    TaskFactory,
)
from tests.helpers import business_url
from tests.hostile import (
    MARKUP,
    assert_escaped,
    example,
    follow,
    form_data,
    fuzz,
    get_hostile,
    hostile_choice,
    hostile_date,
    hostile_number,
    hostile_text,
    post_hostile,
    sent,
)

pytestmark = pytest.mark.django_db

LEVELS = range(1, 6)


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# Accounts: allauth's forms and the profile.


@fuzz
@given(data=form_data({"login": hostile_text(), "password": hostile_text(), "remember": hostile_text()}))
def test_hostile_logins_never_fail_and_never_sign_in(client: Client, user: Any, data: dict[str, Any]) -> None:
    with example():
        response = post_hostile(client, reverse("account_login"), data, kept=["login"])
        assert response.status_code in {200, 400, 429}
        assert "_auth_user_id" not in client.session


@fuzz
@given(
    data=form_data(
        {
            "email": st.one_of(hostile_text(), st.emails().map(str)),
            "password1": hostile_text(),
            "password2": hostile_text(),
        }
    )
)
def test_hostile_signups_create_an_account_only_when_valid(client: Client, data: dict[str, Any]) -> None:
    with example():
        response = post_hostile(client, reverse("account_signup"), data, unchanged=[User, EmailAddress])
        if response.status_code == 302:
            user = User.objects.get()
            assert user.email.casefold() == sent(data["email"]).strip().casefold()
            assert "\x00" not in user.email


@fuzz
@given(data=form_data({"email": st.one_of(hostile_text(), st.emails().map(str))}))
def test_hostile_password_reset_requests_never_fail(client: Client, user: Any, data: dict[str, Any]) -> None:
    with example():
        response = post_hostile(client, reverse("account_reset_password"), data, kept=["email"])
        assert response.status_code in {200, 302, 400, 429}


@fuzz
@given(
    data=form_data({"oldpassword": hostile_text(), "password1": hostile_text(), "password2": hostile_text()})
)
def test_hostile_password_changes_never_fail(client: Client, user: Any, data: dict[str, Any]) -> None:
    signed_in(client, user)
    with example():
        post_hostile(client, reverse("account_change_password"), data)
        user.refresh_from_db()
        assert user.check_password(PASSWORD) or sent(data.get("oldpassword", "")) == PASSWORD


@fuzz
@given(
    data=form_data({"email": st.one_of(hostile_text(), st.emails().map(str)), "action_add": hostile_text()})
)
def test_hostile_email_addresses_never_fail(client: Client, user: Any, data: dict[str, Any]) -> None:
    signed_in(client, user)
    with example():
        post_hostile(client, reverse("account_email"), data, unchanged=[EmailAddress], kept=["email"])


@fuzz
@given(
    data=form_data(
        {"name": hostile_text(), "time_zone": hostile_choice(["Asia/Kolkata", "UTC", "Europe/Paris"])}
    )
)
def test_hostile_profiles_save_only_valid_values(client: Client, user: Any, data: dict[str, Any]) -> None:
    signed_in(client, user)
    url = reverse("accounts:profile")
    with example():
        response = post_hostile(
            client,
            url,
            data,
            kept=["name"],
            snapshot=lambda: User.objects.values_list("name", "time_zone").get(pk=user.pk),
        )
        if response.status_code == 302:
            user.refresh_from_db()
            assert user.name == sent(data.get("name", "")).strip()
            assert user.time_zone in zone_names()
            assert_escaped(follow(client, response), data)


# Rate limits: allauth's defaults are on (ACCOUNT_RATE_LIMITS is unset).


def test_failed_logins_are_refused_after_five_tries_even_with_the_right_password(
    client: Client, user: Any
) -> None:
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": user.email, "password": "wrong"})
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(url, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signups_from_one_address_are_refused_after_twenty_a_minute(client: Client) -> None:
    url = reverse("account_signup")
    for number in range(20):
        response = client.post(url, {"email": f"x{number}", "password1": "a", "password2": "b"})
        assert response.status_code == 200
    response = client.post(
        url,
        {"email": "new@example.com", "password1": "learn-by-doing-2026", "password2": "learn-by-doing-2026"},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "Wait a few minutes, then try again." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_password_reset_emails_to_one_address_are_refused_after_five_a_minute(
    client: Client, user: Any
) -> None:
    url = reverse("account_reset_password")
    for _ in range(5):
        assert client.post(url, {"email": user.email}).status_code == 302
    response = client.post(url, {"email": user.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


# Businesses: the profile, its members, the self-assessment, competitors, offers and needs.


def profile_fields() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "name": hostile_text(),
        "industry": hostile_choice(["541", "54", "999"]),
        "city": hostile_text(),
        "country": hostile_choice(["IN", "FR", "XX", "in"]),
        "size_band": hostile_choice([choice.value for choice in Business.SizeBand]),
        "website": st.one_of(
            hostile_text(),
            st.sampled_from(
                [
                    "javascript:alert(1)",
                    "JAVASCRIPT:alert(1)",
                    " javascript:alert(1)",
                    "java\tscript:alert(1)",
                    "javascript://example.com/%0Aalert(1)",
                    "data:text/html,<script>alert(1)</script>",
                    "vbscript:msgbox(1)",
                    "//evil.example",
                    'https://example.com/"><script>alert(1)</script>',
                    "https://example.com",
                    "http://xn--e1afmkfd.xn--p1ai/",
                    "http://пример.рф/",
                    "ftp://example.com/file",
                ]
            ),
        ),
        "description": hostile_text(),
        "sells": hostile_text(),
        "sells_to": hostile_text(),
        "languages": hostile_text(),
    }


PROFILE_TEXTS = ["name", "city", "website", "description", "sells", "sells_to", "languages"]


def assert_no_script_link(html: str) -> None:
    lowered = html.casefold()
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert f'href="{scheme}' not in lowered and f"href='{scheme}" not in lowered


@fuzz
@given(data=form_data(profile_fields()))
def test_hostile_new_businesses_are_created_only_when_valid(
    client: Client, user: Any, data: dict[str, Any]
) -> None:
    signed_in(client, user)
    with example():
        response = post_hostile(
            client, reverse("businesses:create"), data, unchanged=[Business, Membership], kept=PROFILE_TEXTS
        )
        if response.status_code == 302:
            business = Business.objects.get(memberships__user=user)
            assert business.name == " ".join(sent(data["name"]).split())
            assert business.sells == sent(data["sells"]).strip()
            assert (
                business.website.startswith(("http://", "https://", "ftp://", "ftps://"))
                or not business.website
            )
            page = follow(client, response)
            assert_escaped(page, data)
            assert_no_script_link(page)


@fuzz
@given(data=form_data(profile_fields()))
def test_hostile_profile_edits_save_only_valid_values(
    client: Client, business: Business, owner: Any, moderator: Any, data: dict[str, Any]
) -> None:
    signed_in(client, owner)
    with example():

        def stored() -> tuple[Any, ...]:
            return tuple(Business.objects.filter(pk=business.pk).values_list(*PROFILE_TEXTS).get())

        response = post_hostile(
            client, business_url("edit", business), data, kept=PROFILE_TEXTS, snapshot=stored
        )
        if response.status_code == 302:
            saved = Business.objects.get(pk=business.pk)
            assert saved.description == sent(data.get("description", "")).strip()
            page = follow(client, response)
            assert_escaped(page, data)
            assert_no_script_link(page)
            # The moderator's page of the business shows the website too.
            client.force_login(moderator)
            moderation = client.get(reverse("internships:moderation_business", args=[business.slug]))
            assert moderation.status_code == 200
            assert_escaped(moderation.content.decode(), data)
            assert_no_script_link(moderation.content.decode())
            client.force_login(owner)


@pytest.mark.parametrize(
    "website",
    ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>"],
)
def test_a_script_address_is_refused_as_a_website(
    client: Client, business: Business, owner: Any, website: str
) -> None:
    signed_in(client, owner)
    data = {
        "name": business.name,
        "industry": business.industry_id,
        "city": "Pune",
        "country": "IN",
        "size_band": business.size_band,
        "website": website,
        "sells": "Staffing",
        "sells_to": "Hotels",
    }
    response = client.post(business_url("edit", business), data)
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert escape(website) in response.content.decode()
    business.refresh_from_db()
    assert business.website == ""


@fuzz
@given(
    data=form_data(
        {
            "email": st.one_of(hostile_text(), st.emails().map(str)),
            "role": hostile_choice(["owner", "manager", "employee"]),
        }
    )
)
def test_hostile_invitations_are_sent_only_when_valid(
    client: Client, business: Business, manager: Any, data: dict[str, Any]
) -> None:
    signed_in(client, manager)
    with example():
        response = post_hostile(
            client, business_url("invite", business), data, unchanged=[Invitation, Membership], kept=["email"]
        )
        if response.status_code == 302:
            invitation = Invitation.objects.get(business=business)
            assert invitation.email == sent(data["email"]).strip().lower()
            # A manager cannot make anyone an owner.
            assert invitation.role in {Membership.Role.MANAGER, Membership.Role.EMPLOYEE}
            assert_escaped(follow(client, response), data)


@fuzz
@given(data=form_data({"role": hostile_choice(["owner", "manager", "employee"])}))
def test_hostile_role_changes_save_only_a_valid_role(
    client: Client, business: Business, manager: Any, member: Any, data: dict[str, Any]
) -> None:
    signed_in(client, manager)
    membership = Membership.objects.get(business=business, user=member)
    url = reverse("businesses:change_role", args=[business.slug, membership.pk])
    with example():
        response = post_hostile(
            client,
            url,
            data,
            snapshot=lambda: list(Membership.objects.values_list("pk", "role").order_by("pk")),
        )
        if response.status_code == 302:
            membership.refresh_from_db()
            assert membership.role == sent(data["role"])
            assert membership.role != Membership.Role.OWNER


@fuzz
@given(
    levels=st.lists(
        st.tuples(hostile_choice(["", *LEVELS]), hostile_text(max_size=5), hostile_text(max_size=5)),
        min_size=3,
        max_size=3,
    )
)
def test_hostile_self_assessments_save_only_a_valid_grid(
    client: Client, business: Business, owner: Any, levels: list[tuple[str, str, str]]
) -> None:
    signed_in(client, owner)
    practices = list(Practice.objects.order_by("pk")[:3])
    data: dict[str, Any] = {}
    for practice, (level, host, learn) in zip(practices, levels, strict=True):
        data |= {f"level_{practice.pk}": level, f"host_{practice.pk}": host, f"learn_{practice.pk}": learn}
    data["level_999999999999999999999"] = "5"  # a practice that does not exist is ignored
    with example():
        response = post_hostile(
            client, business_url("assessment", business), data, unchanged=[Assessment, Offer, Need]
        )
        if response.status_code == 302:
            saved = {a.practice_id: a.level for a in Assessment.objects.filter(business=business)}
            for practice, (level, _, _) in zip(practices, levels, strict=True):
                assert saved.get(practice.pk) == (int(level) if level else None)


@fuzz
@given(data=form_data({"name": hostile_text()}))
def test_hostile_competitor_names_are_declared_only_when_valid(
    client: Client, business: Business, owner: Any, other_business: Business, data: dict[str, Any]
) -> None:
    signed_in(client, owner)
    with example():
        response = post_hostile(
            client, business_url("competitors", business), data, unchanged=[Competitor], kept=["name"]
        )
        if response.status_code == 302:
            declared = Competitor.objects.get(business=business)
            assert declared.name == " ".join(sent(data["name"]).split())
            assert_escaped(follow(client, response), data)


@pytest.fixture
def offer(business: Business, lead_generation: Practice) -> Offer:
    return OfferFactory.create(business=business, practice=lead_generation)


@pytest.fixture
def need(business: Business, lead_generation: Practice) -> Need:
    return NeedFactory.create(business=business, practice=lead_generation)


@pytest.fixture
def browsable_offer(other_business: Business, lead_generation: Practice) -> Offer:
    return OfferFactory.create(business=other_business, practice=lead_generation)


def offer_fields(practice: Practice) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "practice": hostile_choice([practice.pk, 999999, -1]),
        "level": hostile_choice(LEVELS),
        "description": hostile_text(),
        "capacity": hostile_choice([1, 2, 50, 51]),
        "mode": hostile_choice([mode.value for mode in Mode]),
        "available_from": hostile_choice([timezone.localdate().isoformat()]) | hostile_date(),
        "available_until": hostile_choice([(timezone.localdate() + timedelta(days=60)).isoformat()])
        | hostile_date(),
        "min_days": hostile_choice([1, 3, 365, 366]),
        "max_days": hostile_choice([5, 10, 365]),
        "blackouts-TOTAL_FORMS": hostile_choice([0, 1, 2]),
        "blackouts-INITIAL_FORMS": hostile_choice([0, 1]),
        "blackouts-MIN_NUM_FORMS": hostile_choice([0]),
        "blackouts-MAX_NUM_FORMS": hostile_choice([1000]),
        "blackouts-0-start": hostile_date(),
        "blackouts-0-end": hostile_date(),
        "blackouts-0-reason": hostile_text(),
        "blackouts-0-id": hostile_number(),
        "blackouts-0-DELETE": hostile_text(max_size=5),
    }


def offer_texts(posted: dict[str, Any]) -> list[str]:
    """The offer's texts, and the blackout row's reason when the posted row count includes that row."""
    counted = sent(posted.get("blackouts-TOTAL_FORMS")) in {"1", "2"}
    return ["description", "blackouts-0-reason"] if counted else ["description"]


@fuzz
@given(data=st.data())
def test_hostile_new_offers_are_saved_only_when_valid(
    client: Client, business: Business, owner: Any, lead_generation: Practice, data: st.DataObject
) -> None:
    signed_in(client, owner)
    posted = data.draw(form_data(offer_fields(lead_generation)))
    with example():
        response = post_hostile(
            client,
            business_url("offer_create", business),
            posted,
            unchanged=[Offer, Blackout],
            kept=offer_texts(posted),
        )
        if response.status_code == 302:
            offer = Offer.objects.get(business=business)
            assert offer.description == sent(posted["description"]).strip()
            assert 1 <= offer.min_days <= offer.max_days <= 365
            assert_escaped(follow(client, response), posted)


@fuzz
@given(data=st.data())
def test_hostile_offer_edits_save_only_valid_values(
    client: Client,
    business: Business,
    owner: Any,
    offer: Offer,
    lead_generation: Practice,
    data: st.DataObject,
) -> None:
    signed_in(client, owner)
    posted = data.draw(form_data(offer_fields(lead_generation)))
    with example():
        response = post_hostile(
            client,
            business_url("offer_edit", business, offer),
            posted,
            unchanged=[Offer, Blackout],
            kept=offer_texts(posted),
            snapshot=lambda: Offer.objects.filter(pk=offer.pk).values().get(),
        )
        if response.status_code == 302:
            offer.refresh_from_db()
            assert offer.description == sent(posted["description"]).strip()
            assert_escaped(follow(client, response), posted)


def need_fields(practice: Practice) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "practice": hostile_choice([practice.pk, 999999]),
        "current_level": hostile_choice(LEVELS),
        "target_level": hostile_choice(LEVELS),
        "outcome": hostile_text(),
        "urgency": hostile_choice([urgency.value for urgency in Need.Urgency]),
        "earliest_start": hostile_choice([timezone.localdate().isoformat()]) | hostile_date(),
        "preferred_days": hostile_choice([1, 5, 365, 366]),
    }


@fuzz
@given(data=st.data())
def test_hostile_new_needs_are_saved_only_when_valid(
    client: Client, business: Business, owner: Any, lead_generation: Practice, data: st.DataObject
) -> None:
    signed_in(client, owner)
    posted = data.draw(form_data(need_fields(lead_generation)))
    with example():
        response = post_hostile(
            client, business_url("need_create", business), posted, unchanged=[Need], kept=["outcome"]
        )
        if response.status_code == 302:
            need = Need.objects.get(business=business)
            assert need.outcome == sent(posted["outcome"]).strip()
            assert need.current_level < need.target_level
            assert_escaped(follow(client, response), posted)


@fuzz
@given(data=st.data())
def test_hostile_need_edits_save_only_valid_values(
    client: Client, business: Business, owner: Any, need: Need, lead_generation: Practice, data: st.DataObject
) -> None:
    signed_in(client, owner)
    posted = data.draw(form_data(need_fields(lead_generation)))
    with example():
        response = post_hostile(
            client,
            business_url("need_edit", business, need),
            posted,
            unchanged=[Need],
            kept=["outcome"],
            snapshot=lambda: Need.objects.filter(pk=need.pk).values().get(),
        )
        if response.status_code == 302:
            need.refresh_from_db()
            assert need.outcome == sent(posted["outcome"]).strip()


# The browse page's filters (a django-filter GET form) and the list pages' page numbers.


@fuzz
@given(
    params=form_data(
        {
            "q": hostile_text(),
            "department": hostile_number(),
            "practice": hostile_number(),
            "city": hostile_text(),
            "remote": hostile_text(max_size=5),
            "page": hostile_number(),
        }
    )
)
# A search that finds offers, past any page OFFSET can take (found in review: a 500 once).
@case(params={"q": "lead generation", "page": "9" * 20})
def test_hostile_searches_of_offers_never_fail(
    client: Client, owner: Any, browsable_offer: Offer, params: dict[str, Any]
) -> None:
    signed_in(client, owner)
    with example():
        response = get_hostile(client, reverse("businesses:browse"), params)
        assert response.status_code == 200


@fuzz
@given(params=form_data({"business": hostile_text(), "page": hostile_number()}))
def test_hostile_filters_of_the_internships_list_never_fail(
    client: Client, owner: Any, requested: Internship, params: dict[str, Any]
) -> None:
    signed_in(client, owner)
    with example():
        assert get_hostile(client, reverse("internships:index"), params).status_code == 200


# Internships: the request, the host's answers, the learner's, cancelling; tasks, the plan, the assessment.

TODAY = timezone.localdate()


def day_after(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


@pytest.fixture
def approved_match(business: Business, other_business: Business, lead_generation: Practice) -> Match:
    """Afreen's staffing firm (learner) may learn lead generation at Pixelcraft UX (host)."""
    return MatchFactory.create(
        need__business=business,
        need__practice=lead_generation,
        offer__business=other_business,
        status=Match.Status.APPROVED,
    )


@pytest.fixture
def requested(approved_match: Match, member: Any) -> Internship:
    internship = InternshipFactory.create(
        match=approved_match, intern=member, start=TODAY + timedelta(days=7), end=TODAY + timedelta(days=11)
    )
    ObjectiveFactory.create(internship=internship)
    return internship


@pytest.fixture
def active(requested: Internship, mentor: Any) -> Internship:
    """Neha's internship at Pixelcraft UX, in its third week, mentored by Arjun."""
    Internship.objects.filter(pk=requested.pk).update(
        status=Internship.Status.ACTIVE,
        mentor=mentor,
        start=TODAY - timedelta(days=14),
        end=TODAY + timedelta(days=14),
    )
    requested.refresh_from_db()
    return requested


@pytest.fixture
def completed(active: Internship) -> Internship:
    """The internship ended 100 days ago: every follow-up is due."""
    Internship.objects.filter(pk=active.pk).update(
        status=Internship.Status.COMPLETED, start=TODAY - timedelta(days=110), end=TODAY - timedelta(days=100)
    )
    active.refresh_from_db()
    return active


@pytest.fixture
def countered(requested: Internship) -> Internship:
    """The host proposed other dates."""
    Internship.objects.filter(pk=requested.pk).update(
        counter_start=TODAY + timedelta(days=8), counter_end=TODAY + timedelta(days=12)
    )
    requested.refresh_from_db()
    return requested


@pytest.fixture
def assigned(active: Internship) -> Task:
    return TaskFactory.create(internship=active, due=TODAY)


@pytest.fixture
def done(active: Internship) -> Task:
    return TaskFactory.create(internship=active, due=TODAY, status=Task.Status.DONE, done_note="Done.")


@pytest.fixture
def plan(active: Internship) -> ImplementationPlan:
    """Neha's implementation plan, submitted to her business for approval."""
    plan = ImplementationPlanFactory.create(
        internship=active, status=ImplementationPlan.Status.SUBMITTED, submitted_at=timezone.now()
    )
    PlanStepFactory.create(plan=plan)
    return plan


@pytest.fixture
def week_one_report(active: Internship) -> WeeklyReport:
    return WeeklyReport.objects.create(
        internship=active, week=1, learned="SEO", tasks_done="Two articles", hours=30
    )


@pytest.fixture
def follow_ups(completed: Internship) -> list[FollowUp]:
    return schedule_follow_ups(internship=completed)


@pytest.fixture
def pending_match(business: Business, other_business: Business) -> Match:
    return MatchFactory.create(need__business=business, offer__business=other_business)


@pytest.fixture
def pending_business(db: None) -> Business:
    pending = BusinessFactory.create(name="New Bakery", verification=Business.Verification.PENDING)
    MembershipFactory.create(business=pending, role=Membership.Role.OWNER)
    return pending


def request_fields(member: Any) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "intern": hostile_choice([member.pk, 999999999]),
        "intern_email": st.one_of(hostile_text(), st.emails().map(str)),
        "start": hostile_choice([day_after(7)]) | hostile_date(),
        "end": hostile_choice([day_after(11)]) | hostile_date(),
        "message": hostile_text(),
        "objectives-TOTAL_FORMS": hostile_choice([1, 3]),
        "objectives-INITIAL_FORMS": hostile_choice([0]),
        "objectives-MIN_NUM_FORMS": hostile_choice([1]),
        "objectives-MAX_NUM_FORMS": hostile_choice([10]),
        "objectives-0-title": hostile_text(),
        "objectives-0-metric": hostile_text(),
        "objectives-0-baseline": hostile_choice([5]) | hostile_number(),
        "objectives-0-target": hostile_choice([15]) | hostile_number(),
    }


@fuzz
@given(data=st.data())
def test_hostile_internship_requests_are_sent_only_when_valid(
    client: Client, owner: Any, member: Any, approved_match: Match, data: st.DataObject
) -> None:
    signed_in(client, owner)
    posted = data.draw(form_data(request_fields(member)))
    counted = sent(posted.get("objectives-TOTAL_FORMS")) in {"1", "3"}
    kept = ["message", "objectives-0-title", "objectives-0-metric"] if counted else ["message"]
    with example():
        response = post_hostile(
            client,
            reverse("internships:request", args=[approved_match.pk]),
            posted,
            unchanged=[Internship, Objective, Invitation],
            kept=kept,
        )
        if response.status_code == 302:
            internship = Internship.objects.get(match=approved_match)
            assert internship.message == sent(posted["message"]).strip()
            objective = internship.objectives.get()
            assert objective.title == sent(posted["objectives-0-title"]).strip()
            assert_escaped(follow(client, response), posted)


def internship_state(internship: Internship) -> tuple[Any, ...]:
    return tuple(Internship.objects.filter(pk=internship.pk).values().get().values())


@fuzz
@given(data=st.data())
def test_hostile_answers_of_the_host_change_the_request_only_when_valid(
    client: Client, host_owner: Any, mentor: Any, requested: Internship, data: st.DataObject
) -> None:
    signed_in(client, host_owner)
    action, posted = data.draw(
        st.one_of(
            form_data({"accept-mentor": hostile_choice([mentor.pk, requested.intern_id, 0])}).map(
                lambda posted: ("accept", posted)
            ),
            form_data({"decline-reason": hostile_text()}).map(lambda posted: ("decline", posted)),
            form_data(
                {
                    "counter-start": hostile_choice([day_after(8)]) | hostile_date(),
                    "counter-end": hostile_choice([day_after(12)]) | hostile_date(),
                    "counter-note": hostile_text(),
                }
            ).map(lambda posted: ("counter", posted)),
        )
    )
    kept = {"accept": [], "decline": ["decline-reason"], "counter": ["counter-note"]}[action]
    with example():
        response = post_hostile(
            client,
            reverse(f"internships:{action}", args=[requested.pk]),
            posted,
            kept=kept,
            snapshot=lambda: internship_state(requested),
        )
        if response.status_code == 302:
            requested.refresh_from_db()
            if action == "decline":
                assert requested.decline_reason == sent(posted["decline-reason"]).strip()
            if action == "counter":
                assert requested.counter_note == sent(posted.get("counter-note", "")).strip()
            assert_escaped(follow(client, response), posted)


@fuzz
@given(data=form_data({"counter_decline-reason": hostile_text()}))
def test_hostile_answers_to_other_dates_change_the_request_only_when_valid(
    client: Client, owner: Any, countered: Internship, data: dict[str, Any]
) -> None:
    requested = countered
    signed_in(client, owner)
    with example():
        response = post_hostile(
            client,
            reverse("internships:decline_counter", args=[requested.pk]),
            data,
            kept=["counter_decline-reason"],
            snapshot=lambda: internship_state(requested),
        )
        if response.status_code == 302:
            requested.refresh_from_db()
            assert requested.status == Internship.Status.CANCELLED
            assert_escaped(follow(client, response), data)


@fuzz
@given(data=form_data({"reason": hostile_text()}))
def test_hostile_cancellations_cancel_only_with_a_reason(
    client: Client, owner: Any, requested: Internship, data: dict[str, Any]
) -> None:
    signed_in(client, owner)
    with example():
        response = post_hostile(
            client,
            reverse("internships:cancel", args=[requested.pk]),
            data,
            kept=["reason"],
            snapshot=lambda: internship_state(requested),
        )
        if response.status_code == 302:
            requested.refresh_from_db()
            assert requested.cancel_reason == sent(data["reason"]).strip()
            assert_escaped(follow(client, response), data)


@fuzz
@given(
    data=form_data(
        {
            "task-title": hostile_text(),
            "task-good_looks_like": hostile_text(),
            "task-due": hostile_choice([day_after(1)]) | hostile_date(),
        }
    )
)
def test_hostile_tasks_are_assigned_only_when_valid(
    client: Client, mentor: Any, active: Internship, data: dict[str, Any]
) -> None:
    signed_in(client, mentor)
    with example():
        response = post_hostile(
            client,
            reverse("internships:task_create", args=[active.pk]),
            data,
            unchanged=[Task],
            kept=["task-title", "task-good_looks_like"],
        )
        if response.status_code == 302:
            task = Task.objects.get(internship=active)
            assert task.title == sent(data["task-title"]).strip()
            assert_escaped(follow(client, response), data)


@fuzz
@given(data=st.data())
def test_hostile_task_notes_and_reviews_are_saved_only_when_valid(
    client: Client,
    member: Any,
    mentor: Any,
    active: Internship,
    assigned: Task,
    done: Task,
    data: st.DataObject,
) -> None:
    who, url, posted, kept = data.draw(
        st.one_of(
            form_data({f"done-{assigned.pk}-note": hostile_text()}).map(
                lambda posted: (member, "task_done", posted, [f"done-{assigned.pk}-note"])
            ),
            form_data(
                {
                    f"review-{done.pk}-rating": hostile_choice(LEVELS),
                    f"review-{done.pk}-comment": hostile_text(),
                }
            ).map(lambda posted: (mentor, "task_review", posted, [f"review-{done.pk}-comment"])),
        )
    )
    task = assigned if url == "task_done" else done
    signed_in(client, who)
    with example():
        response = post_hostile(
            client,
            reverse(f"internships:{url}", args=[active.pk, task.pk]),
            posted,
            kept=kept,
            snapshot=lambda: list(Task.objects.values().order_by("pk")),
        )
        if response.status_code == 302:
            task.refresh_from_db()
            assert (
                task.done_note == sent(posted[f"done-{task.pk}-note"]).strip()
                if url == "task_done"
                else task.rating
            )
            assert_escaped(follow(client, response), posted)


def plan_fields(objective: Objective) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "summary": hostile_text(),
        "steps-TOTAL_FORMS": hostile_choice([1, 2]),
        "steps-INITIAL_FORMS": hostile_choice([0]),
        "steps-MIN_NUM_FORMS": hostile_choice([0]),
        "steps-MAX_NUM_FORMS": hostile_choice([1000]),
        "steps-0-action": hostile_text(),
        "steps-0-owner": hostile_text(),
        "steps-0-due": hostile_choice([day_after(30)]) | hostile_date(),
        "steps-0-kpi": hostile_text(),
        "steps-0-objective": hostile_choice([objective.pk, ""]),
        "steps-0-id": hostile_number(),
        "then": hostile_choice(["submit", "save"]),
    }


@fuzz
@given(data=st.data())
def test_hostile_implementation_plans_are_saved_only_when_valid(
    client: Client, member: Any, active: Internship, data: st.DataObject
) -> None:
    signed_in(client, member)
    posted = data.draw(form_data(plan_fields(active.objectives.get())))
    counted = sent(posted.get("steps-TOTAL_FORMS")) in {"1", "2"}
    kept = ["summary", "steps-0-action", "steps-0-owner", "steps-0-kpi"] if counted else ["summary"]
    with example():
        response = post_hostile(
            client,
            reverse("internships:plan", args=[active.pk]),
            posted,
            unchanged=[ImplementationPlan, PlanStep],
            kept=kept,
        )
        if response.status_code == 302:
            plan = ImplementationPlan.objects.get(internship=active)
            assert plan.summary == sent(posted.get("summary", "")).strip()
            assert_escaped(follow(client, response), posted)


@fuzz
@given(data=st.data())
def test_hostile_decisions_on_a_plan_and_assessments_are_saved_only_when_valid(
    client: Client, owner: Any, mentor: Any, active: Internship, plan: ImplementationPlan, data: st.DataObject
) -> None:
    who, url, posted, kept = data.draw(
        st.one_of(
            form_data({"approve-note": hostile_text()}).map(
                lambda posted: (owner, "plan_approve", posted, ["approve-note"])
            ),
            form_data({"changes-feedback": hostile_text()}).map(
                lambda posted: (owner, "plan_changes", posted, ["changes-feedback"])
            ),
            form_data({"assessment-assessment": hostile_text()}).map(
                lambda posted: (mentor, "final_assessment", posted, ["assessment-assessment"])
            ),
        )
    )
    signed_in(client, who)
    with example():
        response = post_hostile(
            client,
            reverse(f"internships:{url}", args=[active.pk]),
            posted,
            kept=kept,
            snapshot=lambda: (
                internship_state(active),
                ImplementationPlan.objects.filter(pk=plan.pk).values_list("status", "feedback").get(),
            ),
        )
        if response.status_code == 302:
            active.refresh_from_db()
            if url == "final_assessment":
                assert active.final_assessment == sent(posted["assessment-assessment"]).strip()
            assert_escaped(follow(client, response), posted)


# Moderation: a match, bulk approval, a business to verify; and the queue's filters.


@fuzz
@given(data=st.data())
def test_hostile_moderation_decisions_are_taken_only_when_valid(
    client: Client, moderator: Any, pending_match: Match, data: st.DataObject
) -> None:
    match = pending_match
    signed_in(client, moderator)
    url, posted, kept = data.draw(
        st.one_of(
            form_data({"approve-note": hostile_text()}).map(
                lambda posted: ("moderation_approve", posted, [])
            ),
            form_data({"reject-reason": hostile_text()}).map(
                lambda posted: ("moderation_reject", posted, ["reject-reason"])
            ),
        )
    )
    with example():
        response = post_hostile(
            client,
            reverse(f"internships:{url}", args=[match.pk]),
            posted,
            kept=kept,
            snapshot=lambda: Match.objects.filter(pk=match.pk).values_list("status", "decision_note").get(),
        )
        if response.status_code == 302:
            match.refresh_from_db()
            note = posted.get("approve-note", posted.get("reject-reason", ""))
            assert match.decision_note == sent(note).strip()
            assert_escaped(follow(client, response), posted)


@fuzz
@given(
    data=form_data(
        {
            "matches": st.lists(hostile_number(), max_size=5),
            "query": st.one_of(
                hostile_text(),
                st.sampled_from(
                    ["flagged=yes&page=2", "x\r\nLocation: https://evil.example", "\n", "%0d%0a"]
                ),
            ),
        }
    )
)
def test_hostile_bulk_approvals_never_fail(
    client: Client, moderator: Any, pending_match: Match, data: dict[str, Any]
) -> None:
    match = pending_match
    signed_in(client, moderator)
    with example():
        response = post_hostile(client, reverse("internships:moderation_bulk_approve"), data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("internships:moderation_queue"))
        assert "\n" not in response["Location"] and "\r" not in response["Location"]
        if str(match.pk) not in [str(value).strip() for value in data.get("matches", [])]:
            assert Match.objects.get(pk=match.pk).status == Match.Status.PENDING
        assert_escaped(follow(client, response), data)


@fuzz
@given(
    data=form_data(
        {
            "action": hostile_choice(["verify", "reject"]),
            "verify-note": hostile_text(),
            "reject-reason": hostile_text(),
        }
    )
)
def test_hostile_verifications_of_a_business_are_taken_only_when_valid(
    client: Client, moderator: Any, pending_business: Business, data: dict[str, Any]
) -> None:
    pending = pending_business
    signed_in(client, moderator)
    action = sent(data.get("action"))
    kept = {"verify": ["verify-note"], "reject": ["reject-reason"]}.get(action, [])
    with example():
        response = post_hostile(
            client,
            reverse("internships:moderation_business", args=[pending.slug]),
            data,
            kept=kept,
            snapshot=lambda: (
                Business.objects.filter(pk=pending.pk).values_list("verification", "verification_note").get()
            ),
        )
        if response.status_code == 302:
            pending.refresh_from_db()
            assert pending.verification != Business.Verification.PENDING
            assert_escaped(follow(client, response), data)


@fuzz
@given(
    params=form_data(
        {
            "flagged": hostile_choice(["yes", "no"]),
            "kind": hostile_choice(["single", "swap", "cycle"]),
            "department": hostile_number(),
            "city": hostile_text(),
            "page": hostile_number(),
        }
    )
)
def test_hostile_filters_of_the_moderation_queue_never_fail(
    client: Client, moderator: Any, pending_match: Match, params: dict[str, Any]
) -> None:
    signed_in(client, moderator)
    with example():
        assert get_hostile(client, reverse("internships:moderation_queue"), params).status_code == 200
        for name in ("internships:moderation_businesses", "notifications:failed"):
            assert get_hostile(client, reverse(name), {"page": params.get("page", "")}).status_code == 200


# Feedback: weekly reports and their reviews, the exchange review, the follow-ups.


def report_fields(objective: Objective) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "report-learned": hostile_text(),
        "report-tasks_done": hostile_text(),
        "report-blockers": hostile_text(),
        "report-hours": hostile_choice(["37.5", "0", "168", "168.1", "-1"]) | hostile_number(),
        f"report-progress_{objective.pk}": hostile_choice(LEVELS),
    }


REPORT_TEXTS = ["report-learned", "report-tasks_done", "report-blockers"]


@fuzz
@given(data=st.data())
def test_hostile_weekly_reports_are_saved_only_when_valid(
    client: Client, member: Any, active: Internship, data: st.DataObject
) -> None:
    signed_in(client, member)
    posted = data.draw(form_data(report_fields(active.objectives.get())))
    with example():
        response = post_hostile(
            client,
            reverse("feedback:reports_week", args=[active.pk, 1]),
            posted,
            unchanged=[WeeklyReport, ObjectiveProgress],
            kept=REPORT_TEXTS,
        )
        if response.status_code == 302:
            report = WeeklyReport.objects.get(internship=active, week=1)
            assert report.learned == sent(posted["report-learned"]).strip()
            assert 0 <= report.hours <= 168
            page = client.get(reverse("feedback:reports_week", args=[active.pk, 1]))
            assert page.status_code == 200
            assert_escaped(page.content.decode(), posted)


@fuzz
@given(data=form_data({"review-rating": hostile_choice(LEVELS), "review-comment": hostile_text()}))
def test_hostile_reviews_of_a_week_are_saved_only_when_valid(
    client: Client, mentor: Any, active: Internship, week_one_report: WeeklyReport, data: dict[str, Any]
) -> None:
    signed_in(client, mentor)
    with example():
        response = post_hostile(
            client,
            reverse("feedback:reports_review", args=[active.pk, 1]),
            data,
            unchanged=[WeeklyReview],
            kept=["review-comment"],
        )
        if response.status_code == 302:
            review = WeeklyReview.objects.get()
            assert review.comment == sent(data["review-comment"]).strip()
            page = client.get(reverse("feedback:reports_week", args=[active.pk, 1]))
            assert_escaped(page.content.decode(), data)


@fuzz
@given(data=st.data())
def test_hostile_exchange_reviews_are_saved_only_when_valid(
    client: Client, owner: Any, completed: Internship, data: st.DataObject
) -> None:
    objective = completed.objectives.get()
    posted = data.draw(
        form_data(
            {
                "rating": hostile_choice(LEVELS),
                "testimonial": hostile_text(),
                f"objective_{objective.pk}": hostile_choice(LEVELS),
                "side": hostile_choice(["on-demand-staffing", "pixelcraft-ux"]),
            }
        )
    )
    signed_in(client, owner)
    url = reverse("feedback:outcomes_review", args=[completed.pk])
    with example():
        response = post_hostile(
            client, url, posted, unchanged=[ExchangeReview, ObjectiveRating], kept=["testimonial"]
        )
        if response.status_code == 302:
            review = ExchangeReview.objects.get()
            assert review.testimonial == sent(posted["testimonial"]).strip()
            assert_escaped(follow(client, response), posted)
        assert get_hostile(client, url, {"side": posted.get("side", "")}).status_code == 200


@fuzz
@given(data=st.data())
def test_hostile_follow_ups_are_recorded_only_when_valid(
    client: Client, owner: Any, completed: Internship, follow_ups: list[FollowUp], data: st.DataObject
) -> None:
    objective = completed.objectives.get()
    posted = data.draw(
        form_data(
            {
                f"objective_{objective.pk}": hostile_choice(["12", "12.5"]) | hostile_number(),
                "adopted": hostile_choice(["yes", "no"]),
                "more_help_needed": hostile_text(max_size=5),
                "current_level": hostile_choice(LEVELS),
                "help_wanted": hostile_text(),
                "notes": hostile_text(),
            }
        )
    )
    signed_in(client, owner)
    with example():
        response = post_hostile(
            client,
            reverse("feedback:outcomes_follow_up", args=[completed.pk, 30]),
            posted,
            unchanged=[Need, Measurement],
            kept=["help_wanted", "notes"],
            snapshot=lambda: list(
                FollowUp.objects.values_list("day", "recorded_at", "notes").order_by("day")
            ),
        )
        if response.status_code == 302:
            recorded = FollowUp.objects.get(internship=completed, day=30)
            assert recorded.notes == sent(posted.get("notes", "")).strip()
            assert_escaped(follow(client, response), posted)


@fuzz
@given(params=form_data({"page": hostile_number()}))
def test_hostile_page_numbers_of_the_impact_page_never_fail(
    client: Client, host_owner: Any, other_business: Business, params: dict[str, Any]
) -> None:
    signed_in(client, host_owner)
    with example():
        response = get_hostile(
            client, reverse("feedback:outcomes_impact", args=[other_business.slug]), params
        )
        assert response.status_code == 200


# Notifications: the reminders a person wants, and the unsubscribe link.


@fuzz
@given(
    data=form_data(
        {
            "wanted": st.lists(
                hostile_choice(
                    [
                        "feedback.reminder_weekly_report_due",
                        "feedback.reminder_task_review",
                        "notifications.moderator_digest",
                    ]
                ),
                max_size=4,
            )
        }
    )
)
def test_hostile_reminder_settings_are_saved_only_when_valid(
    client: Client, user: Any, data: dict[str, Any]
) -> None:
    signed_in(client, user)
    with example():
        response = post_hostile(client, reverse("notifications:settings"), data, unchanged=[MutedKind])
        if response.status_code == 302:
            assert_escaped(follow(client, response), data)


# Addresses: tokens and numbers in the path.


@fuzz
@given(token=st.one_of(hostile_text(max_size=200), st.sampled_from(["abc\x00", "%00", "..", "a" * 5000])))
def test_hostile_tokens_in_links_are_refused_clearly(client: Client, user: Any, token: str) -> None:
    token = token.replace("/", "") or "x"
    with example():
        for name in ("notifications:unsubscribe", "businesses:invitation"):
            url = reverse(name, args=["placeholder"]).replace("placeholder", quote(token, safe=""))
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in {302, 400, 404}
                assert_escaped(response.content.decode(errors="replace"), [token])
        # allauth's links: an email confirmation, a password reset (user id in base 36, then the key).
        quoted = quote(token, safe="")
        for url in (
            f"/accounts/confirm-email/{quoted}/",
            f"/accounts/password/reset/key/{user.pk:x}-{quoted}/",
            f"/accounts/password/reset/key/{quoted}-{quoted}/",
        ):
            response = client.get(url, follow=True)
            assert response.status_code in {200, 400, 404}
            assert_escaped(response.content.decode(errors="replace"), [token])
            assert response.status_code != 200 or "_auth_user_id" not in client.session


@fuzz
@given(data=form_data({"password": hostile_text()}))
def test_hostile_reauthentications_never_fail(client: Client, user: Any, data: dict[str, Any]) -> None:
    signed_in(client, user)
    with example():
        response = post_hostile(client, reverse("account_reauthenticate"), data)
        assert response.status_code in {200, 302, 400, 429}


@pytest.mark.parametrize("number", ["0", "99999999999999999999", "9223372036854775808", "2147483648"])
def test_huge_numbers_in_addresses_are_not_found(
    client: Client, owner: Any, active: Internship, number: str
) -> None:
    signed_in(client, owner)
    for path in (
        f"/internships/{number}/",
        f"/internships/{active.pk}/reports/{number}/",
        f"/internships/{active.pk}/follow-ups/{number}/",
        f"/matches/{number}/",
        f"/businesses/on-demand-staffing/offers/{number}/",
    ):
        assert client.get(path).status_code == 404, path


# Requests no form expects: malformed bodies, too many fields, too much data.


def test_a_body_that_is_not_utf8_is_read_without_failing(client: Client, user: Any) -> None:
    signed_in(client, user)
    response = client.post(
        reverse("accounts:profile"),
        data=b"name=%FF%FE%00%C3%28&time_zone=UTC\xff",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in {200, 302}


def test_a_form_with_too_many_fields_is_refused_with_a_clear_page(
    client: Client, owner: Any, business: Business
) -> None:
    signed_in(client, owner)
    response = client.post(business_url("assessment", business), {f"field_{n}": "1" for n in range(1001)})
    assert response.status_code == 400
    assert "too large or malformed" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_form_with_megabytes_of_text_is_refused_with_a_clear_page(
    client: Client, owner: Any, business: Business
) -> None:
    signed_in(client, owner)
    response = client.post(business_url("competitors", business), {"name": "x" * 3_000_000})
    assert response.status_code == 400
    assert "too large or malformed" in response.content.decode()
    assert not Competitor.objects.exists()


def test_forged_row_counts_are_refused_without_building_thousands_of_rows(
    client: Client, owner: Any, business: Business, lead_generation: Practice
) -> None:
    signed_in(client, owner)
    data = {
        "practice": lead_generation.pk,
        "level": "5",
        "description": "Work alongside our content team.",
        "capacity": "1",
        "mode": "onsite",
        "available_from": day_after(10),
        "available_until": day_after(70),
        "min_days": "1",
        "max_days": "5",
        "blackouts-TOTAL_FORMS": "100000",
        "blackouts-INITIAL_FORMS": "0",
    }
    response = client.post(business_url("offer_create", business), data)
    assert response.status_code == 200
    assert "Keep to 50 unavailable periods at most." in response.content.decode()
    assert response.content.decode().count('name="blackouts-') < 60 * 5
    assert not Offer.objects.exists()


# Far dates: a window ending on 31 December 9999 let an internship end then, and its page, calendar,
# weekly reports and follow-ups failed (no day after it). Dates are kept between 2000 and five years ahead.


@pytest.mark.parametrize("until", ["9999-12-31", "20266-01-01", "1999-12-31"])
def test_an_offer_window_out_of_reach_is_refused_with_a_clear_message(
    client: Client, owner: Any, business: Business, lead_generation: Practice, until: str
) -> None:
    signed_in(client, owner)
    data = {
        "practice": lead_generation.pk,
        "level": "5",
        "description": "Work alongside our content team.",
        "capacity": "1",
        "mode": "onsite",
        "available_from": day_after(10),
        "available_until": until,
        "min_days": "1",
        "max_days": "5",
        "blackouts-TOTAL_FORMS": "1",
        "blackouts-INITIAL_FORMS": "0",
        "blackouts-0-start": "9999-12-30",
        "blackouts-0-end": "9999-12-31",
        "blackouts-0-reason": "The end of time",
    }
    response = client.post(business_url("offer_create", business), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a date between 1 January 2000 and" in html or "Enter a valid date." in html
    assert html.count("Choose a date between 1 January 2000 and") >= 2  # the blackout row's dates too
    assert not Offer.objects.exists()


def test_far_dates_of_a_need_and_a_plan_step_are_refused_with_a_clear_message(
    client: Client, owner: Any, member: Any, business: Business, lead_generation: Practice, active: Internship
) -> None:
    signed_in(client, owner)
    needs = Need.objects.count()
    need = {
        "practice": lead_generation.pk,
        "current_level": "1",
        "target_level": "4",
        "outcome": "More leads",
        "urgency": "high",
        "earliest_start": "9999-12-31",
        "preferred_days": "5",
    }
    response = client.post(business_url("need_create", business), need)
    assert "Choose a date between 1 January 2000 and" in response.content.decode()
    signed_in(client, member)
    plan = {
        "summary": "Publish twice a month.",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-action": "Publish",
        "steps-0-owner": "Neha",
        "steps-0-due": "9999-12-31",
        "steps-0-kpi": "leads",
    }
    response = client.post(reverse("internships:plan", args=[active.pk]), plan)
    assert "Choose a date between 1 January 2000 and" in response.content.decode()
    assert Need.objects.count() == needs and not ImplementationPlan.objects.exists()


# Charts draw user text (business names, objectives) into inline SVG, marked safe once ElementTree escaped it.


def test_charts_draw_names_and_objectives_escaped(
    client: Client,
    owner: Any,
    member: Any,
    business: Business,
    other_business: Business,
    completed: Internship,
) -> None:
    attack = MARKUP[0]
    Business.objects.filter(pk=other_business.pk).update(name=f"Pixel {attack}")
    Objective.objects.filter(internship=completed).update(title=attack, metric=MARKUP[1])
    WeeklyReport.objects.create(internship=completed, week=1, learned=attack, tasks_done=attack, hours=3)
    record_follow_up(
        internship_id=completed.pk,
        day=30,
        recorded_by=owner,
        actuals={completed.objectives.get().pk: Decimal(9)},
        adopted=True,
        notes=attack,
    )
    signed_in(client, owner)
    pages = [
        reverse("businesses:compare", args=[business.slug, other_business.slug]),
        reverse("feedback:reports_index", args=[completed.pk]),
        reverse("feedback:outcomes_follow_ups", args=[completed.pk]),
        reverse("internships:detail", args=[completed.pk]),
        reverse("dashboard"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert attack not in html and MARKUP[1] not in html, url
    assert "&lt;script&gt;" in client.get(pages[1]).content.decode()


# NUL bytes: PostgreSQL refuses them in text with an error, so none may reach a query. A form says so
# clearly; a filter or a query parameter with one is ignored. (These pass on SQLite; run them on PostgreSQL.)

NUL = "a\x00b"


def test_a_nul_byte_in_form_fields_gets_a_clear_message(
    client: Client, owner: Any, business: Business
) -> None:
    signed_in(client, owner)
    profile = {
        "name": NUL,
        "industry": "541\x00",
        "city": NUL,
        "country": "IN\x00",
        "size_band": "1-9\x00",
        "website": "https://example.com/\x00",
        "sells": NUL,
        "sells_to": NUL,
        "languages": NUL,
    }
    for url in (reverse("businesses:create"), business_url("edit", business)):
        response = client.post(url, profile)
        assert response.status_code == 200
        assert "Null characters are not allowed." in response.content.decode()
    response = client.post(business_url("competitors", business), {"name": NUL})
    assert "Null characters are not allowed." in response.content.decode()
    response = client.post(
        business_url("invite", business), {"email": "a\x00@example.com", "role": "employee"}
    )
    assert "Null characters are not allowed." in response.content.decode()
    assert (
        Business.objects.count() == 1 and not Competitor.objects.exists() and not Invitation.objects.exists()
    )


def test_a_nul_byte_in_the_sign_in_forms_gets_a_clear_message(client: Client, user: Any) -> None:
    for url, data in (
        (reverse("account_login"), {"login": f"{user.email}\x00", "password": "\x00"}),
        (
            reverse("account_signup"),
            {"email": "new\x00@example.com", "password1": "\x00", "password2": "\x00"},
        ),
        (reverse("account_reset_password"), {"email": "\x00"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert "Null characters are not allowed." in response.content.decode(), url


def test_a_nul_byte_in_query_parameters_is_ignored(
    client: Client, owner: Any, moderator: Any, browsable_offer: Offer, completed: Internship
) -> None:
    signed_in(client, owner)
    for url, params in (
        (
            reverse("businesses:browse"),
            {"q": NUL, "city": NUL, "department": NUL, "practice": NUL, "page": NUL},
        ),
        (reverse("internships:index"), {"business": NUL, "page": NUL}),
        (reverse("internships:index"), {"business": "on-demand-staffing\x00"}),
        (reverse("feedback:outcomes_review", args=[completed.pk]), {"side": NUL}),
        (reverse("account_login"), {"next": "/\x00"}),
    ):
        assert client.get(url, params).status_code in {200, 302}, url
    signed_in(client, moderator)
    params = {"flagged": NUL, "kind": NUL, "department": NUL, "city": NUL, "page": NUL}
    assert client.get(reverse("internships:moderation_queue"), params).status_code == 200


def test_a_session_cookie_with_a_nul_byte_is_a_signed_out_visitor(client: Client, user: Any) -> None:
    signed_in(client, user)
    # Servers refuse a raw NUL in a header, but a quoted cookie's octal escapes decode to one.
    forged = 'sessionid="' + "\\000" * 32 + '"'
    response = client.get(reverse("dashboard"), HTTP_COOKIE=forged)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Help texts are rendered unescaped by Django's and crispy's field templates ({{ help_text|safe }}): one
# that quotes a business's name or an objective must escape it (format_html).


def test_help_texts_that_quote_names_and_objectives_are_escaped(
    client: Client,
    owner: Any,
    member: Any,
    host_owner: Any,
    other_business: Business,
    approved_match: Match,
    active: Internship,
) -> None:
    attack, other = MARKUP[0], MARKUP[1]
    Business.objects.filter(pk=other_business.pk).update(name=f"Pixel {attack}")
    Objective.objects.filter(internship=active).update(title=other, metric=attack)
    signed_in(client, owner)
    pages = [(owner, reverse("internships:request", args=[approved_match.pk]))]
    pages.append((member, reverse("feedback:reports_week", args=[active.pk, 1])))
    for who, url in pages:
        signed_in(client, who)
        html = client.get(url).content.decode()
        assert attack not in html and other not in html, url
        assert escape(attack) in html, url
    Internship.objects.filter(pk=active.pk).update(
        status=Internship.Status.COMPLETED, start=TODAY - timedelta(days=110), end=TODAY - timedelta(days=100)
    )
    for who, url in (
        (host_owner, reverse("feedback:outcomes_review", args=[active.pk])),
        (owner, reverse("feedback:outcomes_review", args=[active.pk])),
        (owner, reverse("feedback:outcomes_follow_up", args=[active.pk, 30])),
    ):
        signed_in(client, who)
        html = client.get(url).content.decode()
        assert attack not in html and other not in html, url
        assert escape(attack) in html or escape(other) in html, url
