"""The self-assessment grid, and the proposals it drafts: assessment → proposals → confirm."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from businesses.models import Assessment, Business, Need, Offer, Practice
from businesses.services.partnerships import open_partnership
from tests.factories import NeedFactory, OfferFactory
from tests.helpers import assert_asks_to_log_in, business_url

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
# Session and user, the navigation's memberships (two), the business and the
# membership, the practices with their departments and the business's assessments.
GRID_QUERIES = 8


def grid_url(business: Business) -> str:
    return business_url("assessment", business)


def proposals_url(business: Business) -> str:
    return business_url("proposals", business)


def practice(slug: str) -> Practice:
    return Practice.objects.get(slug=slug)


def grid(rows: dict[str, tuple[int | str, bool, bool]]) -> dict[str, str]:
    """POST data for the grid: {practice slug: (level or "", can host, wants to learn)}."""
    data: dict[str, str] = {}
    for slug, (level, host, learn) in rows.items():
        pk = practice(slug).pk
        data[f"level_{pk}"] = str(level)
        if host:
            data[f"host_{pk}"] = "on"
        if learn:
            data[f"learn_{pk}"] = "on"
    return data


# The grid


def test_it_shows_every_department_and_practice_to_an_owner(
    client: Client, owner, business: Business, lead_generation: Practice, django_assert_max_num_queries
) -> None:
    Assessment.objects.create(business=business, practice=lead_generation, level=5, can_host=True)
    client.force_login(owner)
    with django_assert_max_num_queries(GRID_QUERIES):
        response = client.get(grid_url(business))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.context["sections"]) == 11
    assert sum(len(s.rows) for s in response.context["sections"]) == Practice.objects.count()
    assert "Marketing" in html and "Lead generation (organic)" in html
    assert '<option value="5" selected>5 · Expert</option>' in html
    assert f'name="host_{lead_generation.pk}" id="id_host_{lead_generation.pk}" checked' in html
    assert "<strong>1</strong> of" in html
    assert 'method="post"' in html
    assert "<select" in html and html.count("<option") == 6 * Practice.objects.count()


def test_its_query_count_does_not_grow_with_the_assessed_practices(
    client: Client, owner, business: Business, django_assert_max_num_queries
) -> None:
    Assessment.objects.bulk_create(
        Assessment(business=business, practice=p, level=3) for p in Practice.objects.all()
    )
    client.force_login(owner)
    with django_assert_max_num_queries(GRID_QUERIES):
        response = client.get(grid_url(business))
    assert f"<strong>{Practice.objects.count()}</strong> of" in response.content.decode()


def test_it_is_read_only_for_an_employee(
    client: Client, member, business: Business, lead_generation: Practice
) -> None:
    Assessment.objects.create(business=business, practice=lead_generation, level=4, can_host=True)
    client.force_login(member)
    response = client.get(grid_url(business))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<select" not in html and 'name="host_' not in html
    assert "4 · Strong" in html
    assert "read-only for you" in html


def test_moderators_and_approved_partners_may_read_it(
    client: Client, moderator, outsider, business: Business, other_business: Business
) -> None:
    client.force_login(moderator)
    assert client.get(grid_url(business)).status_code == 200
    client.force_login(outsider)
    assert client.get(grid_url(business)).status_code == 404
    open_partnership(business=business, partner=other_business)
    response = client.get(grid_url(business))
    assert response.status_code == 200
    assert "<select" not in response.content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client: Client, business: Business) -> None:
    assert_asks_to_log_in(client.get(grid_url(business)))
    assert_asks_to_log_in(
        client.post(grid_url(business), grid({"lead-generation-organic": (5, True, False)}))
    )
    assert not Assessment.objects.exists()


def test_it_hides_the_grid_from_outsiders(client: Client, outsider, user, business: Business) -> None:
    for person in (outsider, user):
        client.force_login(person)
        assert client.get(grid_url(business)).status_code == 404
        assert client.post(grid_url(business), {}).status_code == 404


def test_an_employee_cannot_save_it(client: Client, member, business: Business) -> None:
    client.force_login(member)
    response = client.post(grid_url(business), grid({"lead-generation-organic": (5, True, False)}))
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_moderator_or_partner_cannot_save_it(
    client: Client, moderator, outsider, business: Business, other_business: Business
) -> None:
    open_partnership(business=business, partner=other_business)
    for person in (moderator, outsider):
        client.force_login(person)
        assert client.post(grid_url(business), {}).status_code == 404
    assert not Assessment.objects.exists()


def test_it_rejects_other_methods(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    assert client.put(grid_url(business)).status_code == 405
    assert client.delete(grid_url(business)).status_code == 405


@time_machine.travel(TODAY, tick=False)
def test_saving_stores_rated_practices_and_proposes_offers_and_needs(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    client.force_login(owner)
    response = client.post(
        grid_url(business),
        grid(
            {
                "lead-generation-organic": (5, True, False),
                "employee-onboarding": (1, False, True),
                "payroll-administration": (3, False, False),
                "recruitment-and-hiring": ("", False, False),
            }
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == proposals_url(business)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "From your ticks we drafted 1 offer and 1 need" in message
    levels = dict(Assessment.objects.filter(business=business).values_list("practice__slug", "level"))
    assert levels == {"lead-generation-organic": 5, "employee-onboarding": 1, "payroll-administration": 3}

    offer = Offer.objects.get(business=business)
    assert offer.status == Offer.Status.DRAFT
    assert offer.practice == lead_generation
    assert offer.level == 5
    assert (offer.available_from, offer.available_until) == (TODAY, TODAY + timedelta(days=90))
    assert (offer.min_days, offer.max_days) == (
        max(1, lead_generation.suggested_days // 2),
        lead_generation.suggested_days * 2,
    )

    need = Need.objects.get(business=business)
    assert need.status == Need.Status.DRAFT
    assert (need.practice, need.current_level, need.target_level) == (onboarding, 1, 3)
    assert need.earliest_start == TODAY
    assert need.preferred_days == onboarding.suggested_days


def test_the_message_counts_the_proposals_in_plain_english(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    response = client.post(
        grid_url(business),
        grid({"lead-generation-organic": (5, True, False), "recruitment-and-hiring": (4, True, False)}),
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "From your ticks we drafted 2 offers and 0 needs: confirm or discard each below." in message


def test_a_target_is_capped_at_five(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    client.post(grid_url(business), grid({"employee-onboarding": (3, False, True)}))
    need = Need.objects.get(business=business)
    assert (need.current_level, need.target_level) == (3, 5)


def test_saving_again_proposes_nothing_twice_and_respects_existing_offers_and_needs(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    OfferFactory.create(business=business, practice=lead_generation, status=Offer.Status.PAUSED)
    NeedFactory.create(business=business, practice=onboarding, status=Need.Status.OPEN)
    data = grid(
        {
            "lead-generation-organic": (5, True, False),
            "employee-onboarding": (1, False, True),
            "payroll-administration": (4, True, False),
        }
    )
    client.force_login(owner)
    client.post(grid_url(business), data)
    client.post(grid_url(business), data)

    assert Offer.objects.filter(business=business).count() == 2  # the paused one, and payroll's draft
    assert (
        Offer.objects.get(business=business, status=Offer.Status.DRAFT).practice.slug
        == "payroll-administration"
    )
    assert Need.objects.filter(business=business).count() == 1


def test_a_closed_need_does_not_stop_a_new_proposal(
    client: Client, owner, business: Business, onboarding: Practice
) -> None:
    NeedFactory.create(business=business, practice=onboarding, status=Need.Status.CLOSED)
    client.force_login(owner)
    client.post(grid_url(business), grid({"employee-onboarding": (2, False, True)}))
    assert Need.objects.filter(business=business, status=Need.Status.DRAFT).count() == 1


def test_blanking_a_level_removes_its_assessment(
    client: Client, owner, business: Business, lead_generation: Practice
) -> None:
    Assessment.objects.create(business=business, practice=lead_generation, level=4)
    client.force_login(owner)
    response = client.post(grid_url(business), grid({"lead-generation-organic": ("", False, False)}))
    assert response.status_code == 302
    assert response["Location"] == grid_url(business)  # nothing to confirm
    assert not Assessment.objects.filter(business=business).exists()


def test_a_changed_rating_is_updated_in_place(
    client: Client, owner, business: Business, lead_generation: Practice
) -> None:
    assessment = Assessment.objects.create(business=business, practice=lead_generation, level=2)
    client.force_login(owner)
    client.post(grid_url(business), grid({"lead-generation-organic": (3, False, False)}))
    assessment.refresh_from_db()
    assert assessment.level == 3


def test_it_refuses_to_host_what_you_do_not_do_well_and_keeps_what_was_typed(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    client.force_login(owner)
    response = client.post(
        grid_url(business),
        grid(
            {
                "lead-generation-organic": (3, True, False),
                "employee-onboarding": (2, False, True),
                "payroll-administration": ("", True, False),
            }
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can host what you do well" in html
    assert html.count("You can host what you do well") == 2  # lead generation and payroll
    assert "Nothing is saved yet: the practices marked below need a change." in html
    # Everything typed is still there.
    assert f'<select class="form-select form-select-sm" name="level_{lead_generation.pk}"' in html
    assert '<option value="3" selected>3 · Capable</option>' in html
    assert '<option value="2" selected>2 · Basic</option>' in html
    assert f'id="id_learn_{onboarding.pk}" checked' in html
    assert f'id="id_host_{lead_generation.pk}" checked' in html
    assert f'aria-describedby="errors-{lead_generation.pk}"' in html
    # The message lists the rows to fix, with links to them.
    invalid = {p.slug for p in response.context["form"].invalid_practices()}
    assert invalid == {"payroll-administration", "lead-generation-organic"}
    assert f'href="#row-{lead_generation.pk}"' in html and f'id="row-{lead_generation.pk}"' in html
    assert not Assessment.objects.exists()
    assert not Offer.objects.exists() and not Need.objects.exists()


def test_it_refuses_to_learn_what_you_already_do_well(
    client: Client, owner, business: Business, onboarding: Practice
) -> None:
    client.force_login(owner)
    response = client.post(grid_url(business), grid({"employee-onboarding": (4, False, True)}))
    assert response.status_code == 200
    assert "You rate it 4 or 5 already" in response.content.decode()
    response = client.post(grid_url(business), grid({"employee-onboarding": ("", False, True)}))
    assert response.status_code == 200
    assert "Rate where you stand today" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_level_outside_one_to_five_is_an_error_not_a_crash(
    client: Client, owner, business: Business, lead_generation: Practice
) -> None:
    client.force_login(owner)
    response = client.post(grid_url(business), {f"level_{lead_generation.pk}": "9"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assessment.objects.exists()


# Proposals


def test_proposals_list_the_drafts_with_confirm_and_discard(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    offer = OfferFactory.create(business=business, practice=lead_generation, status=Offer.Status.DRAFT)
    need = NeedFactory.create(business=business, practice=onboarding, status=Need.Status.DRAFT)
    OfferFactory.create(business=business, description="An active offer is not a proposal.")
    client.force_login(owner)
    response = client.get(proposals_url(business))
    assert response.status_code == 200
    assert response.context["offers"] == [offer]
    assert response.context["needs"] == [need]
    html = response.content.decode()
    assert business_url("offer_edit", business, offer) in html
    assert business_url("offer_discard", business, offer) in html
    assert business_url("need_edit", business, need) in html
    assert business_url("need_discard", business, need) in html


def test_proposals_say_what_to_do_when_there_are_none(client: Client, manager, business: Business) -> None:
    client.force_login(manager)
    html = client.get(proposals_url(business)).content.decode()
    assert "No offer to confirm" in html and "No need to confirm" in html


def test_proposals_are_for_owners_and_managers(client: Client, member, outsider, business: Business) -> None:
    assert_asks_to_log_in(client.get(proposals_url(business)))
    client.force_login(member)
    assert client.get(proposals_url(business)).status_code == 403
    client.force_login(outsider)
    assert client.get(proposals_url(business)).status_code == 404


def test_proposals_reject_a_post(client: Client, owner, business: Business) -> None:
    client.force_login(owner)
    assert client.post(proposals_url(business)).status_code == 405


@time_machine.travel(TODAY, tick=False)
def test_the_whole_flow_from_assessment_to_confirmed_offer_and_need(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    client.force_login(owner)
    client.post(
        grid_url(business),
        grid({"lead-generation-organic": (4, True, False), "employee-onboarding": (2, False, True)}),
    )
    response = client.get(proposals_url(business))
    [offer] = response.context["offers"]
    [need] = response.context["needs"]

    # The offer form is prefilled from the assessment and the practice.
    edit_offer = business_url("offer_edit", business, offer)
    response = client.get(edit_offer)
    assert response.context["confirming"] is True
    html = response.content.decode()
    assert "Confirm the offer" in html
    assert 'value="2026-03-02"' in html and 'value="2026-05-31"' in html
    assert response.context["form"].initial["level"] == 4

    response = client.post(
        edit_offer,
        {
            "practice": lead_generation.pk,
            "level": 4,
            "description": "Write and publish two articles with our content lead.",
            "capacity": 1,
            "mode": "hybrid",
            "available_from": "2026-03-02",
            "available_until": "2026-05-31",
            "min_days": offer.min_days,
            "max_days": offer.max_days,
            "blackouts-TOTAL_FORMS": "1",
            "blackouts-INITIAL_FORMS": "0",
        },
    )
    # A need is still waiting: back to the proposals.
    assert response.status_code == 302
    assert response["Location"] == proposals_url(business)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACTIVE
    assert offer.mode == "hybrid"

    edit_need = business_url("need_edit", business, need)
    response = client.get(edit_need)
    assert response.context["form"].initial["target_level"] == 4
    response = client.post(
        edit_need,
        {
            "practice": onboarding.pk,
            "current_level": 2,
            "target_level": 4,
            "outcome": "New hires productive in their second week.",
            "urgency": "high",
            "earliest_start": "2026-03-16",
            "preferred_days": 4,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == business_url("needs", business)
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    assert need.outcome == "New hires productive in their second week."


def test_discarding_a_proposal_unticks_it_so_it_is_not_proposed_again(
    client: Client, owner, business: Business, lead_generation: Practice, onboarding: Practice
) -> None:
    client.force_login(owner)
    client.post(
        grid_url(business),
        grid({"lead-generation-organic": (5, True, False), "employee-onboarding": (1, False, True)}),
    )
    offer = Offer.objects.get(business=business)
    need = Need.objects.get(business=business)

    response = client.post(business_url("offer_discard", business, offer))
    assert response["Location"] == proposals_url(business)  # the need is still there
    response = client.post(business_url("need_discard", business, need))
    assert response["Location"] == business_url("needs", business)

    assert not Offer.objects.exists() and not Need.objects.exists()
    assessments = Assessment.objects.filter(business=business)
    assert not assessments.filter(can_host=True).exists()
    assert not assessments.filter(wants_to_learn=True).exists()
    assert set(assessments.values_list("level", flat=True)) == {5, 1}
