"""Exchange reviews and the host's track record and impact: at completion both businesses rate the exchange
(each objective and overall, 1–5) and write a testimonial, once per side (a second time edits it); the host's
track record is the average of its learners' overall ratings; its impact page shows what its teaching
achieved."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from businesses.models import Business, Membership, Practice
from businesses.services.profiles import record_track_record
from feedback.models import ExchangeReview, ObjectiveRating
from feedback.services.followups import record_follow_up
from feedback.services.outcomes import ReviewError, save_exchange_review
from internships.models import Internship, Objective
from tests.factories import (
    BusinessFactory,
    InternshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    UserFactory,
)
from tests.helpers import assert_asks_to_log_in, html_of

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 13)
AFTER = END + timedelta(days=100)  # every follow-up is due


@pytest.fixture
def stranger(db: None) -> Any:
    """The owner of a third business, with no part in the internship."""
    return MembershipFactory.create(
        business=BusinessFactory.create(name="Third Shop"),
        user=UserFactory.create(email="stranger@example.com"),
        role=Membership.Role.OWNER,
    ).user


def completed_internship(
    learner: Business, host: Business, *, intern: Any, mentor: Any, practice: Practice | None = None
) -> Internship:
    extra: dict[str, Any] = {"match__need__practice": practice} if practice else {}
    if intern is not None:
        extra["intern"] = intern
    internship = InternshipFactory.create(
        match__need__business=learner,
        match__offer__business=host,
        mentor=mentor,
        start=START,
        end=END,
        status=Internship.Status.COMPLETED,
        **extra,
    )
    ObjectiveFactory.create(
        internship=internship,
        title="More organic leads",
        metric="organic leads per month",
        baseline=5,
        target=15,
    )
    ObjectiveFactory.create(
        internship=internship,
        title="Faster replies",
        metric="hours to reply",
        baseline=48,
        target=24,
        position=1,
    )
    return internship


@pytest.fixture
def internship(
    business: Business, other_business: Business, member: Any, mentor: Any, lead_generation: Practice
) -> Internship:
    """Neha from On-Demand Staffing learned organic lead generation at Pixelcraft UX; it is completed."""
    return completed_internship(
        business, other_business, intern=member, mentor=mentor, practice=lead_generation
    )


def objectives(internship: Internship) -> list[Objective]:
    return list(internship.objectives.order_by("position"))


def review_url(internship: Internship) -> str:
    return reverse("feedback:outcomes_review", kwargs={"pk": internship.pk})


def impact_url(business: Business) -> str:
    return reverse("feedback:outcomes_impact", kwargs={"slug": business.slug})


def review_form(
    internship: Internship, *, rating: Any = 4, each: Any = 5, testimonial: str = "Generous hosts."
) -> dict:
    data = {"rating": str(rating), "testimonial": testimonial}
    for objective in objectives(internship):
        data[f"objective_{objective.pk}"] = str(each)
    return data


def review(
    internship: Internship, business: Business, author: Any, rating: int, *, each: int = 4
) -> ExchangeReview:
    saved, _ = save_exchange_review(
        internship_id=internship.pk,
        business_id=business.pk,
        author=author,
        rating=rating,
        testimonial=f"Rated {rating}.",
        objective_ratings={objective.pk: each for objective in objectives(internship)},
    )
    return saved


def track_record(business: Business) -> Decimal | None:
    business.refresh_from_db(fields=["track_record"])
    return business.track_record


# The service: reviews and the track record.


def test_a_learner_review_sets_the_host_track_record(
    internship: Internship, owner: Any, other_business: Business
) -> None:
    saved = review(internship, internship.learner, owner, 4, each=5)
    assert track_record(other_business) == Decimal("4.00")
    assert saved.author == owner and saved.testimonial == "Rated 4."
    assert sorted(ObjectiveRating.objects.filter(review=saved).values_list("rating", flat=True)) == [5, 5]


def test_the_track_record_averages_the_learners_reviews_only(
    internship: Internship, owner: Any, host_owner: Any, business: Business, other_business: Business
) -> None:
    second_learner = BusinessFactory.create(name="Second Learner")
    second_owner = MembershipFactory.create(business=second_learner, role=Membership.Role.OWNER).user
    second = completed_internship(second_learner, other_business, intern=None, mentor=internship.mentor)
    review(internship, business, owner, 5)
    review(second, second_learner, second_owner, 2)
    # The host's own reviews of its exchanges say nothing about how it teaches.
    review(internship, other_business, host_owner, 1)
    assert track_record(other_business) == Decimal("3.50")
    assert track_record(business) is None


def test_a_second_review_by_the_same_side_edits_the_first_and_recomputes_the_record(
    internship: Internship, owner: Any, manager: Any, other_business: Business
) -> None:
    first = review(internship, internship.learner, owner, 5)
    assert track_record(other_business) == Decimal("5.00")
    again, created = save_exchange_review(
        internship_id=internship.pk,
        business_id=internship.learner_id,
        author=manager,
        rating=3,
        testimonial="On reflection, good but slow.",
        objective_ratings={objective.pk: 2 for objective in objectives(internship)},
    )
    assert not created and again.pk == first.pk
    assert ExchangeReview.objects.filter(internship=internship).count() == 1
    assert ObjectiveRating.objects.filter(review=first).count() == 2
    assert set(ObjectiveRating.objects.filter(review=first).values_list("rating", flat=True)) == {2}
    assert track_record(other_business) == Decimal("3.00")


@pytest.mark.parametrize("status", [Internship.Status.ACTIVE, Internship.Status.CANCELLED])
def test_it_refuses_a_review_before_completion(internship: Internship, owner: Any, status: str) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=status, cancel_reason="Plans changed.")
    with pytest.raises(ReviewError, match="once the internship is completed"):
        review(internship, internship.learner, owner, 4)
    assert not ExchangeReview.objects.exists()


def test_it_refuses_ratings_outside_one_to_five_and_unrated_objectives(
    internship: Internship, owner: Any
) -> None:
    first, second = objectives(internship)
    attempts: list[tuple[int, dict[int, int]]] = [
        (6, {first.pk: 4, second.pk: 4}),
        (4, {first.pk: 0, second.pk: 4}),
        (4, {first.pk: 4}),
    ]
    for rating, each in attempts:
        with pytest.raises(ReviewError):
            save_exchange_review(
                internship_id=internship.pk,
                business_id=internship.learner_id,
                author=owner,
                rating=rating,
                testimonial="Fine.",
                objective_ratings=each,
            )
    with pytest.raises(ReviewError, match="testimonial"):
        save_exchange_review(
            internship_id=internship.pk,
            business_id=internship.learner_id,
            author=owner,
            rating=4,
            testimonial="   ",
            objective_ratings={first.pk: 4, second.pk: 4},
        )
    assert not ExchangeReview.objects.exists()


def test_only_a_sides_owners_and_managers_review_for_it(
    internship: Internship, owner: Any, member: Any, host_owner: Any, stranger: Any
) -> None:
    for author, business_id in [
        (member, internship.learner_id),  # the intern, an employee
        (host_owner, internship.learner_id),  # the other side
        (stranger, BusinessFactory.create().pk),  # a business with no part in it
    ]:
        with pytest.raises(PermissionDenied):
            save_exchange_review(
                internship_id=internship.pk,
                business_id=business_id,
                author=author,
                rating=4,
                testimonial="Fine.",
                objective_ratings={objective.pk: 4 for objective in objectives(internship)},
            )


def test_the_track_record_is_written_rounded_and_may_be_cleared(other_business: Business) -> None:
    record_track_record(business_id=other_business.pk, rating=Decimal("3.666"))
    assert track_record(other_business) == Decimal("3.67")
    record_track_record(business_id=other_business.pk, rating=None)
    assert track_record(other_business) is None
    with pytest.raises(ValueError, match="from 1 to 5"):
        record_track_record(business_id=other_business.pk, rating=Decimal("5.5"))


# The review page.


def test_the_learner_owner_reviews_the_exchange(
    client: Client, internship: Internship, owner: Any, other_business: Business
) -> None:
    client.force_login(owner)
    page = client.get(review_url(internship))
    assert page.status_code == 200
    html = html_of(page)
    assert "Review the exchange for On-Demand Staffing" in html
    assert "Objective: More organic leads" in html and "organic leads per month: 5 → 15" in html
    response = client.post(review_url(internship), review_form(internship, rating=4, each=5), follow=True)
    assert response.redirect_chain[-1][0] == review_url(internship)
    assert "Review saved for On-Demand Staffing" in html_of(response)
    saved = ExchangeReview.objects.get(internship=internship)
    assert (saved.business, saved.author, saved.rating, saved.testimonial) == (
        internship.learner,
        owner,
        4,
        "Generous hosts.",
    )
    assert track_record(other_business) == Decimal("4.00")


def test_the_host_reviews_for_the_host_and_its_record_stays(
    client: Client, internship: Internship, host_owner: Any, other_business: Business
) -> None:
    client.force_login(host_owner)
    assert "Review the exchange for Pixelcraft UX" in html_of(client.get(review_url(internship)))
    assert client.post(review_url(internship), review_form(internship, rating=5)).status_code == 302
    assert ExchangeReview.objects.get().business == other_business
    assert track_record(other_business) is None


def test_a_manager_reviews_too(client: Client, internship: Internship, manager: Any) -> None:
    client.force_login(manager)
    assert client.post(review_url(internship), review_form(internship)).status_code == 302
    assert ExchangeReview.objects.get().author == manager


def test_the_review_page_asks_anonymous_visitors_to_log_in(client: Client, internship: Internship) -> None:
    assert_asks_to_log_in(client.get(review_url(internship)))
    assert_asks_to_log_in(client.post(review_url(internship), review_form(internship)))
    assert not ExchangeReview.objects.exists()


def test_the_review_page_does_not_exist_for_outsiders(
    client: Client, internship: Internship, stranger: Any, user: Any, business: Business
) -> None:
    colleague = MembershipFactory.create(business=business, role=Membership.Role.EMPLOYEE).user
    for person in (stranger, user, colleague):
        client.force_login(person)
        assert client.get(review_url(internship)).status_code == 404
        assert client.post(review_url(internship), review_form(internship)).status_code == 404
    assert not ExchangeReview.objects.exists()


def test_the_intern_and_the_mentor_do_not_review_the_exchange(
    client: Client, internship: Internship, member: Any, mentor: Any
) -> None:
    for person in (member, mentor):
        client.force_login(person)
        assert client.get(review_url(internship)).status_code == 403
        assert client.post(review_url(internship), review_form(internship)).status_code == 403
    assert not ExchangeReview.objects.exists()


def test_the_review_page_rejects_other_methods(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    assert client.put(review_url(internship)).status_code == 405
    assert client.delete(review_url(internship)).status_code == 405


def test_a_rating_of_six_is_refused_and_the_form_keeps_what_was_typed(
    client: Client, internship: Internship, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post(
        review_url(internship), review_form(internship, rating=6, testimonial="Kept text.")
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "Rate the exchange overall from 1 (poor) to 5 (excellent)." in html
    assert "Kept text." in html
    response = client.post(review_url(internship), review_form(internship, each=0))
    assert "Rate “More organic leads” from 1 (poor) to 5 (excellent)." in html_of(response)
    assert not ExchangeReview.objects.exists()


def test_a_missing_testimonial_is_refused(client: Client, internship: Internship, owner: Any) -> None:
    client.force_login(owner)
    response = client.post(review_url(internship), review_form(internship, testimonial="  "))
    assert response.status_code == 200
    assert "Write a short testimonial" in html_of(response)
    assert '<option value="4" selected>' in html_of(response)
    assert not ExchangeReview.objects.exists()


def test_a_second_review_by_the_same_side_edits_it(
    client: Client, internship: Internship, owner: Any, manager: Any, other_business: Business
) -> None:
    client.force_login(owner)
    client.post(review_url(internship), review_form(internship, rating=5, testimonial="Superb."))
    client.force_login(manager)
    page = html_of(client.get(review_url(internship)))
    assert "Your review, for On-Demand Staffing" in page and "Superb." in page and "Save the changes" in page
    response = client.post(
        review_url(internship), review_form(internship, rating=2, testimonial="Slow."), follow=True
    )
    assert "Review updated for On-Demand Staffing." in html_of(response)
    saved = ExchangeReview.objects.get()
    assert (saved.rating, saved.testimonial, saved.author) == (2, "Slow.", manager)
    assert track_record(other_business) == Decimal("2.00")


def test_before_completion_the_page_says_when_the_review_opens(
    client: Client, internship: Internship, owner: Any
) -> None:
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.ACTIVE)
    client.force_login(owner)
    page = client.get(review_url(internship))
    assert page.status_code == 200
    assert "once the internship is completed; this one is active" in html_of(page)
    assert 'name="testimonial"' not in html_of(page)
    response = client.post(review_url(internship), review_form(internship, testimonial="Too early."))
    assert response.status_code == 200
    assert "once the internship is completed" in html_of(response) and "Too early." in html_of(response)
    assert not ExchangeReview.objects.exists()


def test_the_other_sides_review_shows_once_yours_is_written(
    client: Client, internship: Internship, owner: Any, host_owner: Any, other_business: Business
) -> None:
    review(internship, other_business, host_owner, 5)
    client.force_login(owner)
    html = html_of(client.get(review_url(internship)))
    assert "You read it once On-Demand Staffing has written its own review" in html
    assert "Rated 5." not in html
    client.post(review_url(internship), review_form(internship))
    html = html_of(client.get(review_url(internship)))
    assert "Rated 5." in html and "Generous hosts." in html


def test_a_moderator_reads_both_reviews_and_writes_none(
    client: Client, internship: Internship, owner: Any, host_owner: Any, moderator: Any
) -> None:
    review(internship, internship.learner, owner, 4)
    review(internship, internship.host, host_owner, 5)
    client.force_login(moderator)
    page = client.get(review_url(internship))
    assert page.status_code == 200
    assert "Rated 4." in html_of(page) and "Rated 5." in html_of(page)
    assert 'name="testimonial"' not in html_of(page)
    assert client.post(review_url(internship), review_form(internship)).status_code == 403


def test_someone_who_manages_both_businesses_chooses_the_side(
    client: Client, internship: Internship, owner: Any, other_business: Business
) -> None:
    MembershipFactory.create(business=other_business, user=owner, role=Membership.Role.MANAGER)
    client.force_login(owner)
    page = html_of(client.get(review_url(internship) + "?side=pixelcraft-ux"))
    assert "Review the exchange for Pixelcraft UX" in page
    response = client.post(review_url(internship), {**review_form(internship), "side": "pixelcraft-ux"})
    assert response["Location"] == review_url(internship) + "?side=pixelcraft-ux"
    assert ExchangeReview.objects.get().business == other_business


@time_machine.travel(date(2026, 3, 20), tick=False)
def test_the_host_offers_show_the_track_record(
    client: Client, internship: Internship, owner: Any, other_business: Business
) -> None:
    client.force_login(owner)
    client.post(review_url(internship), review_form(internship, rating=4))
    browse = html_of(client.get(reverse("businesses:browse")))
    assert "Host's track record</span> 4.00 from past exchange reviews" in browse


# The host's impact page.


def record_all(internship: Internship, owner: Any, *, leads: int, hours: int, adopted: bool = True) -> None:
    first, second = objectives(internship)
    for day in (30, 60):
        record_follow_up(
            internship_id=internship.pk,
            day=day,
            recorded_by=owner,
            actuals={first.pk: Decimal(leads - 60 // day), second.pk: Decimal(hours)},
            adopted=adopted,
            today=AFTER,
        )


def test_the_impact_page_shows_what_the_teaching_achieved(
    client: Client, internship: Internship, owner: Any, host_owner: Any, mentor: Any, other_business: Business
) -> None:
    record_all(internship, owner, leads=18, hours=30)
    review(internship, internship.learner, owner, 5, each=4)
    for person in (host_owner, mentor):  # any member of the host: its owner, an employee
        client.force_login(person)
        response = client.get(impact_url(other_business))
        assert response.status_code == 200
        html = html_of(response)
        assert "What Pixelcraft UX's teaching achieved" in html
        assert "5.00 out of 5, from 1 learner review" in html
        # Leads reached 17 (target 15): met; replies take 30 hours (target 24): not yet.
        assert "1 of 2 measured, at their latest follow-up" in html
        assert "1 of 1 learner, at their latest follow-up" in html
        assert '17 <span class="small">(+60 days)</span>' in html
        assert "the practice is adopted (+60 days)" in html
        assert "Rated 5." in html and "4 / 5" in html


def test_the_impact_page_says_what_to_expect_when_nothing_was_hosted(
    client: Client, host_owner: Any, other_business: Business
) -> None:
    client.force_login(host_owner)
    html = html_of(client.get(impact_url(other_business)))
    assert "No completed internship yet." in html and "No review by a learner yet" in html


def test_the_impact_page_asks_anonymous_visitors_to_log_in(client: Client, other_business: Business) -> None:
    assert_asks_to_log_in(client.get(impact_url(other_business)))


def test_the_impact_page_does_not_exist_for_outsiders(
    client: Client, internship: Internship, owner: Any, stranger: Any, other_business: Business
) -> None:
    # Not even for the business it taught: the page is the host's.
    for person in (owner, stranger):
        client.force_login(person)
        assert client.get(impact_url(other_business)).status_code == 404
    assert (
        client.get(reverse("feedback:outcomes_impact", kwargs={"slug": "no-such-business"})).status_code
        == 404
    )


def test_moderators_read_the_impact_page(client: Client, moderator: Any, other_business: Business) -> None:
    client.force_login(moderator)
    assert client.get(impact_url(other_business)).status_code == 200


def test_the_impact_page_rejects_other_methods(
    client: Client, host_owner: Any, other_business: Business
) -> None:
    client.force_login(host_owner)
    assert client.post(impact_url(other_business)).status_code == 405


# Session, user, the access check (2), the page (count, rows, objectives, follow-ups, measurements,
# reviews, their ratings), the figures (3), the navigation (2).
IMPACT_QUERIES = 16


def test_the_impact_page_query_count_does_not_grow_with_internships(
    client: Client,
    internship: Internship,
    owner: Any,
    host_owner: Any,
    other_business: Business,
    django_assert_max_num_queries: Any,
) -> None:
    record_all(internship, owner, leads=18, hours=30)
    review(internship, internship.learner, owner, 5)
    client.force_login(host_owner)
    with django_assert_max_num_queries(IMPACT_QUERIES):
        client.get(impact_url(other_business))
    with CaptureQueriesContext(connection) as few:
        client.get(impact_url(other_business))
    for index in range(4):
        learner = BusinessFactory.create(name=f"Learner {index}")
        learner_owner = MembershipFactory.create(business=learner, role=Membership.Role.OWNER).user
        more = completed_internship(learner, other_business, intern=None, mentor=internship.mentor)
        record_all(more, learner_owner, leads=10 + index, hours=20)
        review(more, learner, learner_owner, 3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(impact_url(other_business))
    assert html_of(response).count("<article") == 5
    assert len(many) == len(few)
