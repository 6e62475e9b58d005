"""Matching runs over the database: what is loaded, what is saved, re-runs, withdrawals and the tasks."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from businesses.models import Blackout, Business, Competitor, Industry, Mode, Need, Offer, Practice
from businesses.services.needs import close_need, save_need
from businesses.services.offers import (
    BlackoutDates,
    pause_offer,
    pause_stale_offers,
    resume_offer,
    save_offer,
)
from internships.matching import NeedInfo, OfferInfo, Platform, rules
from internships.matching.types import Mode as ModeName
from internships.matching.types import Urgency
from internships.models import Match, MatchEvent
from internships.services.matching import RunSummary, run_matching
from internships.services.platform import load_platform, name_tokens, sells_keywords
from internships.tasks import match_all, match_need, match_offer
from tests.conftest import missing
from tests.factories import BusinessFactory, NeedFactory, OfferFactory, PracticeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

LOAD_QUERIES = (
    7  # needs, related practices, offers (with their load), blackouts, businesses, competitors, rejections
)
# Needs; related practices, competitors and rejections together; offers (with their load); businesses;
# blackouts.
SCOPED_LOAD_QUERIES = 5


@pytest.fixture
def host(other_business: Business) -> Business:
    """Pixelcraft UX, in Pune like the learner, in another industry so that nothing is flagged."""
    other_business.industry = Industry.objects.get(code="512")
    other_business.save()
    return other_business


@pytest.fixture
def learner(business: Business) -> Business:
    business.industry = Industry.objects.get(code="561")
    business.save()
    return business


@pytest.fixture
def offer(host: Business, lead_generation: Practice) -> Offer:
    return OfferFactory.create(business=host, practice=lead_generation, capacity=1)


@pytest.fixture
def need(learner: Business, lead_generation: Practice) -> Need:
    return NeedFactory.create(business=learner, practice=lead_generation)


def another_business(name: str, **fields: Any) -> Business:
    fields.setdefault("industry", Industry.objects.get(code="311"))
    return BusinessFactory.create(name=name, **fields)


def pairs(*statuses: str) -> set[tuple[int, int]]:
    rows = Match.objects.filter(status__in=statuses or [Match.Status.PENDING])
    return set(rows.values_list("need_id", "offer_id"))


def events(match: Match) -> list[str]:
    return list(match.events.values_list("action", flat=True))


def decide(match: Match, status: str, note: str = "") -> None:
    """What a moderator's decision leaves in the row (the moderation service is tested on its own)."""
    Match.objects.filter(pk=match.pk).update(status=status, decision_note=note, decided_at=timezone.now())


# What is loaded


def test_the_platform_holds_what_the_rules_need(
    learner: Business, host: Business, offer: Offer, need: Need, lead_generation: Practice
) -> None:
    host.sells, host.sells_to, host.track_record = "UI design, UX research", "Software companies", 4.5
    host.save()
    Blackout.objects.create(offer=offer, start=offer.available_from, end=offer.available_from + timedelta(5))
    content = Practice.objects.get(slug="content-marketing")
    lead_generation.related.add(content)

    platform = load_platform()

    assert [n.id for n in platform.needs] == [need.pk]
    (info,) = platform.offers
    assert (info.id, info.business_id, info.practice_id, info.capacity) == (
        offer.pk,
        host.pk,
        lead_generation.pk,
        1,
    )
    assert info.blackouts == ((offer.available_from, offer.available_from + timedelta(5)),)
    pixelcraft = platform.businesses[host.pk]
    assert pixelcraft.verified and (pixelcraft.city, pixelcraft.country, pixelcraft.industry) == (
        "Pune",
        "IN",
        "512",
    )
    assert pixelcraft.sells_keywords == {"design", "research", "software"}  # no "ui", "ux" or "companies"
    assert pixelcraft.name_tokens == {"pixelcraft", "ux"}
    assert pixelcraft.track_record == 4.5
    assert {(lead_generation.pk, content.pk), (content.pk, lead_generation.pk)} <= platform.related_practices
    assert platform.today == timezone.localdate()


def test_keywords_and_names_leave_out_the_words_everyone_uses() -> None:
    assert sells_keywords("Bread, cakes & local catering services", "Small businesses") == {
        "bread",
        "cakes",
        "catering",
    }
    assert name_tokens("The Blue Bakery Pvt. Ltd.") == {"blue", "bakery"}


def test_only_what_can_still_match_is_loaded(
    learner: Business, host: Business, lead_generation: Practice
) -> None:
    active = OfferFactory.create(business=host, practice=lead_generation)
    OfferFactory.create(business=host, practice=lead_generation, status=Offer.Status.PAUSED)
    OfferFactory.create(business=host, practice=lead_generation, status=Offer.Status.DRAFT)
    ended = timezone.localdate() - timedelta(days=1)
    OfferFactory.create(
        business=host, practice=lead_generation, available_from=ended - timedelta(30), available_until=ended
    )
    open_need = NeedFactory.create(business=learner, practice=lead_generation)
    NeedFactory.create(business=learner, practice=lead_generation, status=Need.Status.CLOSED)
    NeedFactory.create(business=learner, practice=lead_generation, status=Need.Status.DRAFT)

    platform = load_platform()

    assert [o.id for o in platform.offers] == [active.pk]
    assert [n.id for n in platform.needs] == [open_need.pk]


@pytest.mark.parametrize("side", ["learner", "host"])
def test_unverified_businesses_are_left_out_and_never_matched(
    learner: Business, host: Business, offer: Offer, need: Need, side: str
) -> None:
    unverified = learner if side == "learner" else host
    unverified.verification = Business.Verification.PENDING
    unverified.save()
    platform = load_platform()
    assert unverified.pk not in platform.businesses
    assert run_matching() == RunSummary()
    assert not Match.objects.exists()


@pytest.mark.parametrize("declared_by", ["learner", "host"])
def test_declared_competitors_are_never_matched(
    learner: Business, host: Business, offer: Offer, need: Need, declared_by: str
) -> None:
    by, named = (learner, host) if declared_by == "learner" else (host, learner)
    Competitor.objects.create(business=by, competitor=named)
    assert (by.pk, named.pk) in load_platform().competitor_pairs
    assert (by.pk, named.pk) in load_platform(need_ids=[need.pk]).competitor_pairs
    run_matching()
    assert not Match.objects.exists()


def test_paused_offers_are_never_matched(offer: Offer, need: Need) -> None:
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.PAUSED)
    run_matching()
    assert not Match.objects.exists()


def test_a_blackout_moves_the_proposed_start(offer: Offer, need: Need) -> None:
    today = timezone.localdate()
    Blackout.objects.create(offer=offer, start=today, end=today + timedelta(days=6))
    run_matching()
    match = Match.objects.get()
    assert match.start == today + timedelta(days=7)


def test_a_scoped_load_keeps_to_what_the_need_can_match(
    learner: Business, host: Business, need: Need, offer: Offer, onboarding: Practice
) -> None:
    elsewhere = another_business("Cedar Bakery")
    OfferFactory.create(business=elsewhere, practice=onboarding)
    NeedFactory.create(business=elsewhere, practice=onboarding)

    platform = load_platform(need_ids=[need.pk])

    assert [n.id for n in platform.needs] == [need.pk]
    assert [o.id for o in platform.offers] == [offer.pk]
    assert set(platform.businesses) == {learner.pk, host.pk}


def test_a_scoped_load_is_the_part_of_the_platform_its_needs_can_match(
    lead_generation: Practice, onboarding: Practice
) -> None:
    """Against the rules of `load_platform` in plain Python, on a random platform of every kind of row."""
    rng = random.Random(7)
    today = timezone.localdate()
    practices = [
        lead_generation,
        onboarding,
        *Practice.objects.exclude(pk__in=[lead_generation.pk, onboarding.pk])[:2],
    ]
    lead_generation.related.add(practices[2])
    businesses = [
        another_business(
            f"Bakery {n}",
            city=rng.choice(["Pune", "Mumbai", " pune "]),
            verification=rng.choice([Business.Verification.VERIFIED] * 4 + [Business.Verification.PENDING]),
        )
        for n in range(8)
    ]
    offers = []
    for _ in range(60):
        first = today + timedelta(days=rng.randint(-60, 30))
        shortest = rng.randint(1, 5)
        offers.append(
            OfferFactory.create(
                business=rng.choice(businesses),
                practice=rng.choice(practices),
                level=rng.randint(2, 5),
                capacity=rng.randint(1, 3),
                mode=rng.choice(list(Mode)),
                status=rng.choice([Offer.Status.ACTIVE] * 4 + [Offer.Status.PAUSED, Offer.Status.DRAFT]),
                available_from=first,
                available_until=first + timedelta(days=rng.randint(20, 150)),
                min_days=shortest,
                max_days=shortest + rng.randint(0, 10),
            )
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            start = first + timedelta(days=rng.randint(-10, 40))
            Blackout.objects.create(
                offer=offers[-1], start=start, end=start + timedelta(days=rng.randint(0, 9))
            )
    needs = []
    for _ in range(25):
        current = rng.randint(1, 3)
        needs.append(
            NeedFactory.create(
                business=rng.choice(businesses),
                practice=rng.choice(practices),
                current_level=current,
                target_level=rng.randint(current + 1, 5),
                urgency=rng.choice(list(Need.Urgency)),
                status=rng.choice([Need.Status.OPEN] * 4 + [Need.Status.CLOSED, Need.Status.DRAFT]),
                earliest_start=today + timedelta(days=rng.randint(-5, 60)),
                preferred_days=rng.randint(1, 20),
            )
        )
    pairs_taken = set()
    for _ in range(50):
        # A third of the offers take the matches: some have several, up to and past their capacity.
        need, offer = rng.choice(needs), rng.choice(offers[:20])
        if need.business_id == offer.business_id or (need.pk, offer.pk) in pairs_taken:
            continue
        pairs_taken.add((need.pk, offer.pk))
        Match.objects.create(
            need=need,
            offer=offer,
            learner_id=need.business_id,
            host_id=offer.business_id,
            score=1.0,
            start=today,
            days=5,
            status=rng.choice([Match.Status.PENDING] * 3 + list(Match.Status)),
            decision_note="Not this one.",
        )
    for by, named in rng.sample([(a, b) for a in businesses for b in businesses if a != b], 5):
        Competitor.objects.create(business=by, competitor=named)

    everything = load_platform(today=today)
    scopes = [[need.pk] for need in needs] + [[n.pk for n in rng.sample(needs, 4)] for _ in range(5)]
    for wanted in scopes:
        loaded = load_platform(today=today, need_ids=wanted)
        expected = scoped_by_hand(everything, wanted)
        assert sorted(loaded.needs, key=lambda n: n.id) == expected.needs
        assert sorted(loaded.offers, key=lambda o: o.id) == expected.offers
        assert (loaded.businesses, dict(loaded.load)) == (expected.businesses, expected.load)
        assert loaded.related_practices == expected.related_practices
        assert loaded.competitor_pairs == expected.competitor_pairs
        assert loaded.excluded_pairs == expected.excluded_pairs


def scoped_by_hand(everything: Platform, wanted: list[int]) -> Platform:
    """What `load_platform(need_ids=wanted)` promises, from the full load and the rows themselves."""
    today = everything.today
    approved = set(Match.objects.filter(status=Match.Status.APPROVED).values_list("need_id", flat=True))
    needs = [
        NeedInfo(
            n.pk,
            n.business_id,
            n.practice_id,
            n.current_level,
            n.target_level,
            cast(Urgency, n.urgency),
            n.earliest_start,
            n.preferred_days,
        )
        for n in Need.objects.filter(pk__in=wanted, status=Need.Status.OPEN).order_by("pk")
        if n.pk not in approved
    ]
    if not needs:
        return Platform(businesses={}, offers=[], needs=[], today=today)
    learners = {n.business_id for n in needs}
    related = frozenset(
        (a, b) for a, b in everything.related_practices if a in {n.practice_id for n in needs}
    )
    practices = {n.practice_id for n in needs} | {b for _, b in related}
    offers, load = [], {}
    for offer in Offer.objects.filter(status=Offer.Status.ACTIVE).order_by("pk"):
        held = offer.matches.filter(
            Q(status=Match.Status.APPROVED) | Q(status=Match.Status.PENDING) & ~Q(need_id__in=wanted)
        ).count()
        if (
            offer.practice_id in practices
            and offer.level >= min(n.target_level for n in needs)
            and offer.available_until >= max(today, min(n.earliest_start for n in needs))
            and held < offer.capacity
        ):
            blackouts = offer.blackouts.filter(end__gte=today).values_list("start", "end")
            offers.append(
                OfferInfo(
                    offer.pk,
                    offer.business_id,
                    offer.practice_id,
                    offer.level,
                    offer.capacity,
                    cast(ModeName, offer.mode),
                    offer.available_from,
                    offer.available_until,
                    offer.min_days,
                    offer.max_days,
                    blackouts=tuple(sorted(blackouts)),
                )
            )
            if held:
                load[offer.pk] = held
    # Onsite offers away from every learner, which the engine would discard, are left out.
    place = {
        b: (rules.norm(info.city), rules.norm(info.country)) for b, info in everything.businesses.items()
    }
    near = {place[b] for b in learners if b in place}
    offers = [o for o in offers if o.mode != "onsite" or place.get(o.business_id) in near]
    load = {pk: held for pk, held in load.items() if pk in {o.id for o in offers}}
    hosts = {offer.business_id for offer in offers}
    return Platform(
        businesses={b: info for b, info in everything.businesses.items() if b in learners | hosts},
        offers=offers,
        needs=needs,
        competitor_pairs=frozenset(
            (a, b)
            for a, b in Competitor.objects.values_list("business_id", "competitor_id")
            if b is not None and (a in learners or b in learners)
        ),
        related_practices=related,
        load=load,
        today=today,
        excluded_pairs=frozenset(
            Match.objects.filter(status=Match.Status.REJECTED, need_id__in=wanted).values_list(
                "need_id", "offer_id"
            )
        ),
    )


def test_loading_takes_the_same_few_queries_however_many_rows(
    django_assert_num_queries: Callable[..., Any],
    learner: Business,
    host: Business,
    lead_generation: Practice,
) -> None:
    def add_rows(count: int) -> None:
        for n in range(count):
            other = another_business(f"Bakery {n}-{Business.objects.count()}")
            offer = OfferFactory.create(business=other, practice=lead_generation)
            Blackout.objects.create(offer=offer, start=offer.available_from, end=offer.available_from)
            NeedFactory.create(business=other, practice=lead_generation)
            Competitor.objects.create(business=other, competitor=learner)

    add_rows(2)
    run_matching()
    Match.objects.filter(pk=Match.objects.earliest("pk").pk).update(
        status=Match.Status.REJECTED, decision_note="No"
    )
    need_id = Need.objects.earliest("pk").pk
    with django_assert_num_queries(LOAD_QUERIES):
        load_platform()
    with django_assert_num_queries(SCOPED_LOAD_QUERIES):
        load_platform(need_ids=[need_id])
    add_rows(6)
    run_matching()
    with django_assert_num_queries(LOAD_QUERIES):
        assert len(load_platform().offers) == 8
    with django_assert_num_queries(SCOPED_LOAD_QUERIES):
        load_platform(need_ids=[need_id])


def test_an_incremental_run_takes_the_same_few_queries_however_many_rows(
    django_assert_max_num_queries: Callable[..., Any], lead_generation: Practice, need: Need
) -> None:
    for n in range(10):
        OfferFactory.create(business=another_business(f"Bakery {n}"), practice=lead_generation)
    with django_assert_max_num_queries(16):
        assert run_matching(need_ids=[need.pk]).proposed == 1


# What is saved


def test_a_run_saves_each_proposal_with_its_explanation(
    learner: Business, host: Business, offer: Offer, need: Need
) -> None:
    assert run_matching() == RunSummary(proposed=1)
    match = Match.objects.get()
    assert (match.need, match.offer, match.learner, match.host) == (need, offer, learner, host)
    assert match.status == Match.Status.PENDING
    assert (match.kind, match.exchange) == (Match.Kind.SINGLE, "")
    assert set(match.parts) == {
        "practice_fit",
        "level_gain",
        "urgency",
        "distance",
        "track_record",
        "reciprocity",
    }
    assert match.score == pytest.approx(sum(match.parts.values()))
    assert (match.flags, match.risk) == ([], 0)
    assert match.start == timezone.localdate() and match.days == need.preferred_days
    assert events(match) == ["proposed"]


def test_flags_make_the_risk(learner: Business, host: Business, offer: Offer, need: Need) -> None:
    Business.objects.filter(pk__in=[learner.pk, host.pk]).update(
        industry=Industry.objects.get(code="541"), sells="Brand design"
    )
    run_matching()
    match = Match.objects.get()
    assert match.flags == ["Same industry (NAICS 541) and same market (Pune, IN)", "Both sell: brand, design"]
    assert match.risk == 2


def test_running_again_changes_nothing(offer: Offer, need: Need, lead_generation: Practice) -> None:
    for n in range(3):
        NeedFactory.create(business=another_business(f"Bakery {n}"), practice=lead_generation, urgency="low")
    first = run_matching()
    rows = list(Match.objects.order_by("pk").values())
    assert first.proposed == 1  # one place: the other needs wait

    assert run_matching() == RunSummary(unchanged=1)
    assert run_matching(need_ids=[need.pk]) == RunSummary(unchanged=1)
    assert run_matching(offer_id=offer.pk) == RunSummary(unchanged=1)
    assert list(Match.objects.order_by("pk").values()) == rows
    assert MatchEvent.objects.count() == 1


def test_a_changed_need_updates_its_pending_match(need: Need, offer: Offer) -> None:
    run_matching()
    need.preferred_days, need.urgency = 8, Need.Urgency.HIGH
    need.save()
    assert run_matching(need_ids=[need.pk]) == RunSummary(updated=1)
    match = Match.objects.get()
    assert match.days == 8
    assert match.parts["urgency"] == 0.5
    event = match.events.last()
    assert event is not None and event.action == "updated"
    assert event.note == "Score 2.25 → 2.50; 5 → 8 days"


def test_a_need_that_no_longer_fits_is_withdrawn_with_the_reason(need: Need, offer: Offer) -> None:
    run_matching()
    Offer.objects.filter(pk=offer.pk).update(level=3)  # below the need's target of 4
    assert run_matching(offer_id=offer.pk) == RunSummary(withdrawn=1)
    match = Match.objects.get()
    assert match.status == Match.Status.WITHDRAWN
    assert events(match) == ["proposed", "withdrawn"]
    assert "no longer fit" in match.events.get(action="withdrawn").note


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda need, offer: Need.objects.filter(pk=need.pk).update(status="closed"), "The need was closed."),
        (
            lambda need, offer: Offer.objects.filter(pk=offer.pk).update(
                status="paused", paused_reason="Busy"
            ),
            "The offer was paused: Busy.",
        ),
        (
            lambda need, offer: Business.objects.filter(pk=offer.business_id).update(verification="rejected"),
            "The host business is no longer verified.",
        ),
        (
            lambda need, offer: Competitor.objects.create(
                business_id=need.business_id, competitor=offer.business
            ),
            "The two businesses are now declared competitors.",
        ),
    ],
    ids=["closed", "paused", "unverified", "competitors"],
)
def test_each_withdrawal_says_why(need: Need, offer: Offer, change: Callable[..., Any], reason: str) -> None:
    run_matching()
    change(need, offer)
    assert run_matching() == RunSummary(withdrawn=1)
    assert Match.objects.get().events.get(action="withdrawn").note == reason


def test_a_place_given_to_a_better_need_withdraws_the_other(
    need: Need, offer: Offer, lead_generation: Practice
) -> None:
    run_matching()
    urgent = NeedFactory.create(
        business=another_business("Cedar Bakery", city="Pune"), practice=lead_generation, urgency="high"
    )
    assert run_matching() == RunSummary(proposed=1, withdrawn=1)
    assert pairs() == {(urgent.pk, offer.pk)}
    assert "Re-assigned" in Match.objects.get(need=need).events.get(action="withdrawn").note


def test_a_withdrawn_match_proposed_again_is_pending_again(need: Need, offer: Offer) -> None:
    run_matching()
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.PAUSED)
    run_matching()
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.ACTIVE)
    assert run_matching() == RunSummary(reproposed=1)
    match = Match.objects.get()
    assert match.status == Match.Status.PENDING
    assert events(match) == ["proposed", "withdrawn", "reproposed"]


def test_a_rejected_pair_never_comes_back(need: Need, offer: Offer, lead_generation: Practice) -> None:
    run_matching()
    rejected = Match.objects.get()
    decide(rejected, Match.Status.REJECTED, "They compete for the same clients.")
    second = OfferFactory.create(business=another_business("Cedar Studio"), practice=lead_generation)

    for run in (
        run_matching,
        lambda: run_matching(need_ids=[need.pk]),
        lambda: run_matching(offer_id=offer.pk),
    ):
        run()
        rejected.refresh_from_db()
        assert rejected.status == Match.Status.REJECTED
        assert events(rejected) == ["proposed"]
        assert pairs() == {(need.pk, second.pk)}


def test_approved_matches_are_left_alone_and_their_needs_not_matched_again(
    need: Need, offer: Offer, lead_generation: Practice
) -> None:
    run_matching()
    approved = Match.objects.get()
    decide(approved, Match.Status.APPROVED)
    OfferFactory.create(business=another_business("Cedar Studio"), practice=lead_generation)
    waiting = NeedFactory.create(business=another_business("Oak Bakery"), practice=lead_generation)
    Offer.objects.filter(pk=offer.pk).update(description="Changed", min_days=1)

    run_matching()
    run_matching(need_ids=[need.pk])
    pause_offer(offer=offer)
    run_matching(offer_id=offer.pk)

    approved.refresh_from_db()
    assert approved.status == Match.Status.APPROVED
    assert events(approved) == ["proposed"]
    # The approved need has no second proposal; the other need gets the other host's place.
    assert set(Match.objects.filter(need=need).values_list("pk", flat=True)) == {approved.pk}
    assert Match.objects.pending().get().need == waiting


def test_an_approved_match_holds_its_place(need: Need, offer: Offer, lead_generation: Practice) -> None:
    run_matching()
    decide(Match.objects.get(), Match.Status.APPROVED)
    late = NeedFactory.create(business=another_business("Cedar Bakery"), practice=lead_generation)
    # Its only place is taken: the offer is not even loaded.
    assert load_platform().offers == []
    assert load_platform(need_ids=[late.pk]).offers == []
    offer.capacity = 2
    offer.save()
    assert load_platform().load == {offer.pk: 1}
    offer.capacity = 1
    offer.save()
    run_matching()
    run_matching(need_ids=[late.pk])
    assert not Match.objects.pending().exists()


def test_an_incremental_run_leaves_other_needs_and_their_places_alone(
    need: Need, offer: Offer, lead_generation: Practice
) -> None:
    run_matching()
    newcomer = NeedFactory.create(
        business=another_business("Cedar Bakery", city="Pune"), practice=lead_generation, urgency="high"
    )
    # The only place is held by the first need's pending match until the next full run.
    assert load_platform(need_ids=[newcomer.pk]).offers == []
    assert load_platform(need_ids=[newcomer.pk, need.pk]).load == {}  # both needs compete for it
    assert run_matching(need_ids=[newcomer.pk]) == RunSummary()
    assert pairs() == {(need.pk, offer.pk)}


def test_a_swap_is_saved_as_one_exchange_and_re_matched_whole(
    learner: Business, host: Business, need: Need, offer: Offer, onboarding: Practice
) -> None:
    back = OfferFactory.create(business=learner, practice=onboarding)
    other_way = NeedFactory.create(business=host, practice=onboarding)
    run_matching()
    swap = list(Match.objects.order_by("pk"))
    assert {(m.need_id, m.offer_id) for m in swap} == {(need.pk, offer.pk), (other_way.pk, back.pk)}
    key = f"swap:{learner.pk}-{host.pk}" if learner.pk < host.pk else f"swap:{host.pk}-{learner.pk}"
    assert {(m.kind, m.exchange) for m in swap} == {(Match.Kind.SWAP, key)}
    assert all(m.parts["reciprocity"] == 0.5 for m in swap)

    # One side alone is re-matched with its partner, so the swap still holds.
    assert run_matching(need_ids=[need.pk]) == RunSummary(unchanged=2)
    close_need(need=need)
    assert run_matching(need_ids=[need.pk]) == RunSummary(withdrawn=1, updated=1)
    remaining = Match.objects.pending().get()
    assert (remaining.kind, remaining.exchange, remaining.parts["reciprocity"]) == (
        Match.Kind.SINGLE,
        "",
        0.0,
    )


def test_an_offer_run_withdraws_the_needs_of_its_former_practice(
    need: Need, offer: Offer, onboarding: Practice
) -> None:
    run_matching()
    offer.practice = onboarding
    offer.save()
    assert run_matching(offer_id=offer.pk) == RunSummary(withdrawn=1)
    assert not Match.objects.pending().exists()


def test_nothing_to_match_is_a_quiet_run(db: None) -> None:
    assert run_matching() == RunSummary()
    assert run_matching(need_ids=[123456]) == RunSummary()
    assert run_matching(offer_id=123456) == RunSummary()
    with pytest.raises(ValueError, match="not both"):
        run_matching(need_ids=[1], offer_id=1)


# The tasks and what enqueues them


def test_saving_a_need_through_its_service_proposes_matches(
    django_capture_on_commit_callbacks: Callable[..., Any],
    learner: Business,
    offer: Offer,
    lead_generation: Practice,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        need = save_need(
            need=Need(
                business=learner,
                practice=lead_generation,
                current_level=1,
                target_level=3,
                outcome="More organic leads.",
                earliest_start=timezone.localdate(),
            )
        )
    assert not Match.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert pairs() == {(need.pk, offer.pk)}


def test_closing_a_need_withdraws_its_match(
    django_capture_on_commit_callbacks: Callable[..., Any], need: Need, offer: Offer
) -> None:
    run_matching()
    with django_capture_on_commit_callbacks(execute=True):
        close_need(need=need)
    assert pairs(Match.Status.WITHDRAWN) == {(need.pk, offer.pk)}


def test_pausing_an_offer_withdraws_its_pending_matches_and_resuming_proposes_them_again(
    django_capture_on_commit_callbacks: Callable[..., Any],
    need: Need,
    offer: Offer,
    lead_generation: Practice,
) -> None:
    offer.capacity = 2
    offer.save()
    other = NeedFactory.create(business=another_business("Cedar Bakery"), practice=lead_generation)
    run_matching()
    assert pairs() == {(need.pk, offer.pk), (other.pk, offer.pk)}

    with django_capture_on_commit_callbacks(execute=True):
        pause_offer(offer=offer, reason="Team on holiday")
    assert pairs(Match.Status.WITHDRAWN) == {(need.pk, offer.pk), (other.pk, offer.pk)}
    assert {e.note for e in MatchEvent.objects.filter(action="withdrawn")} == {
        "The offer was paused: Team on holiday."
    }

    with django_capture_on_commit_callbacks(execute=True):
        resume_offer(offer=offer)
    assert pairs() == {(need.pk, offer.pk), (other.pk, offer.pk)}


def test_saving_an_offer_matches_the_needs_it_can_serve(
    django_capture_on_commit_callbacks: Callable[..., Any],
    host: Business,
    need: Need,
    lead_generation: Practice,
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        offer = save_offer(
            offer=Offer(
                business=host,
                practice=lead_generation,
                level=5,
                description="Blog, video and email capture.",
                available_from=today,
                available_until=today + timedelta(days=60),
            ),
            blackouts=[BlackoutDates(today, today + timedelta(days=2))],
        )
    assert pairs() == {(need.pk, offer.pk)}
    assert Match.objects.get().start == today + timedelta(days=3)


def test_stale_offers_paused_at_night_lose_their_proposals(
    django_capture_on_commit_callbacks: Callable[..., Any], need: Need, offer: Offer
) -> None:
    run_matching()
    Offer.objects.filter(pk=offer.pk).update(updated_at=timezone.now() - timedelta(days=120))
    with django_capture_on_commit_callbacks(execute=True):
        assert pause_stale_offers() == 1
    assert pairs(Match.Status.WITHDRAWN) == {(need.pk, offer.pk)}


def test_the_tasks_take_ids_and_can_run_twice(need: Need, offer: Offer) -> None:
    assert match_all.delay().get() == {
        "proposed": 1,
        "reproposed": 0,
        "updated": 0,
        "withdrawn": 0,
        "unchanged": 0,
    }
    assert match_need.delay(need.pk).get()["unchanged"] == 1
    assert match_offer.delay(offer.pk).get()["unchanged"] == 1
    assert match_need.delay(need.pk + 1000).get()["unchanged"] == 0  # a need deleted since: nothing to do
    assert Match.objects.count() == 1


def test_a_web_process_finds_the_tasks_by_name_without_importing_them() -> None:
    # businesses/ looks the tasks up by name; a fresh process that never imported internships.tasks
    # (a web process under `make run`) must find them all the same.
    script = (
        "import django, sys; django.setup();"
        "from celery import current_app;"
        "assert 'internships.tasks' not in sys.modules;"
        "print(sorted(name for name in current_app.tasks if name.startswith('internships.tasks.match')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exchange.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == (
        "['internships.tasks.match_all', 'internships.tasks.match_need', 'internships.tasks.match_offer']"
    )


def test_the_nightly_full_run_is_scheduled() -> None:
    from exchange.celery import app

    entry = app.conf.beat_schedule["internships-match-all"]
    assert entry["task"] == "internships.tasks.match_all"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})


def test_the_demo_moderator_finds_the_story_match_in_the_queue() -> None:
    call_command("seed_demo", stdout=io.StringIO())  # as `make run` does: 300 synthetic businesses
    story = Match.objects.get(
        need__business__slug="on-demand-staffing",
        offer__business__slug="pixelcraft-ux",
        offer__practice__slug="lead-generation-organic",
    )
    assert story.status == Match.Status.PENDING
    assert Match.objects.pending().count() > 10
    before = list(Match.objects.order_by("pk").values_list("pk", "status", "score"))
    call_command("seed_demo", stdout=io.StringIO())
    assert list(Match.objects.order_by("pk").values_list("pk", "status", "score")) == before


# Two runs, or a run and a moderator, at the same time (PostgreSQL: real row locks)


def in_thread(
    work: Callable[[], Any], results: list[Any], start: threading.Barrier | None = None
) -> threading.Thread:
    def run() -> None:
        try:
            if start is not None:
                start.wait()
            results.append(work())
        except Exception as error:  # the main thread asserts on it
            results.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def skip_without_postgresql() -> None:
    if connection.vendor != "postgresql":
        missing("PostgreSQL (DATABASE_URL)", required_by="REQUIRE_SERVICES")


# Skipped before their database is set up: a transactional test empties the database when it ends,
# even when skipped. They make their own practices and businesses, as the reference data is gone
# once an earlier transactional test has emptied the database.
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql" and os.environ.get("REQUIRE_SERVICES") != "1",
    reason="needs PostgreSQL's row locks (set REQUIRE_SERVICES=1 to make this a failure)",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_full_run_and_an_incremental_one_at_once_neither_duplicate_nor_lose_updates() -> None:
    skip_without_postgresql()
    lead_generation = PracticeFactory.create(slug="lead-generation-test")
    content = PracticeFactory.create(slug="content-marketing-test")
    for n in range(25):
        business = BusinessFactory.create(name=f"Business {n}", city="Pune" if n % 2 else "Mumbai")
        OfferFactory.create(business=business, practice=lead_generation if n % 3 else content, capacity=2)
        NeedFactory.create(business=business, practice=content if n % 3 else lead_generation)
    run_matching()
    # Changes both runs see: a new need, a closed one and a changed one.
    newcomer = NeedFactory.create(business=Business.objects.first(), practice=lead_generation, urgency="high")
    proposed = list(Match.objects.pending().order_by("pk"))
    Need.objects.filter(pk=proposed[0].need_id).update(status=Need.Status.CLOSED)
    changed = proposed[-1].need
    changed.preferred_days = 9
    changed.save()

    start, results = threading.Barrier(2), list[Any]()
    threads = [
        in_thread(run_matching, results, start),
        in_thread(lambda: run_matching(need_ids=[newcomer.pk, changed.pk]), results, start),
    ]
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, RunSummary) for result in results), results

    rows = list(Match.objects.values_list("need_id", "offer_id"))
    assert len(rows) == len(set(rows))
    assert Match.objects.pending().filter(need=changed).get().days == 9
    # Every row's history agrees with its state: no update was lost between the two runs.
    for match in Match.objects.all():
        last = match.events.last()
        assert last is not None
        if match.status == Match.Status.WITHDRAWN:
            assert last.action == "withdrawn"
        else:
            assert last.action in {"proposed", "updated", "reproposed"}
    # Run again: nothing left to do.
    assert run_matching() == RunSummary(unchanged=Match.objects.pending().count())


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_run_waits_for_a_moderator_deciding_and_keeps_the_decision() -> None:
    skip_without_postgresql()
    practice = PracticeFactory.create(slug="lead-generation-test")
    offer = OfferFactory.create(business=BusinessFactory.create(name="Host"), practice=practice)
    NeedFactory.create(business=BusinessFactory.create(name="Learner"), practice=practice)
    run_matching()
    match = Match.objects.get()
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.PAUSED)
    locked, results = threading.Event(), list[Any]()

    def moderator_approves() -> None:
        with transaction.atomic():
            row = Match.objects.select_for_update().get(pk=match.pk)
            locked.set()
            time.sleep(0.5)  # the run starts meanwhile and must wait for this decision
            row.status = Match.Status.APPROVED
            row.save(update_fields=["status", "updated_at"])

    moderator = in_thread(moderator_approves, results)
    assert locked.wait(10)
    run = in_thread(run_matching, results)
    moderator.join(timeout=30)
    run.join(timeout=30)

    assert results[-1] == RunSummary()  # it found no pending match left to withdraw
    match.refresh_from_db()
    assert match.status == Match.Status.APPROVED
    assert events(match) == ["proposed"]
