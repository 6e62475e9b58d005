"""The matching engine on a synthetic platform: time, memory, and needs served against the baselines.

The platform is seeded and built in memory: 79 practices in 11 departments with some related
pairs, businesses in 25 cities of 5 countries with 2 offers and 2 needs each, a few per cent of
them declared competitors of a neighbour in the same trade, and some not yet verified.

`incremental_ms` is measured apart, through the database: the demo's synthetic businesses
(`exchange.demo.seed_synthetic`) are stored in a throwaway database, and one new need at a time
is matched by `run_matching(need_ids=[...])`, the service the Celery task calls. The database is
`peership_bench` on the PostgreSQL server of DATABASE_URL when that is set, else an SQLite file
in the temporary directory; never the developer's own. It is kept between runs, so that the
businesses are seeded (and matched) once.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import random
import resource
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from bench.services import create_database
from internships.matching import (
    BusinessInfo,
    MatchResult,
    NeedInfo,
    OfferInfo,
    Platform,
    greedy,
    match,
    naive,
)
from internships.matching.types import Mode, Urgency

PRACTICES = 79
DEPARTMENTS = 11
COUNTRIES = {
    "IN": ["Pune", "Mumbai", "Bengaluru", "Delhi", "Chennai"],
    "DE": ["Berlin", "Hamburg", "Munich", "Cologne", "Leipzig"],
    "FR": ["Paris", "Lyon", "Lille", "Nantes", "Toulouse"],
    "KE": ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret"],
    "BR": ["São Paulo", "Recife", "Curitiba", "Salvador", "Belém"],
}
INDUSTRIES = [
    "236",
    "311",
    "423",
    "445",
    "448",
    "511",
    "517",
    "522",
    "531",
    "541",
    "561",
    "611",
    "621",
    "722",
]
KEYWORDS = [f"kw{number}" for number in range(80)]
NAME_TOKENS = [f"name{number}" for number in range(400)]
TODAY = date(2026, 3, 2)
MODES: list[Mode] = ["onsite", "hybrid", "remote"]
URGENCIES: list[Urgency] = ["low", "medium", "high"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument(
        "--subset", type=int, default=1_000, help="businesses in the naive-vs-engine comparison"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--incremental-runs",
        type=int,
        default=50,
        help="new needs matched one at a time through the database",
    )
    parser.add_argument(
        "--no-incremental", dest="incremental", action="store_false", help="skip the database part"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def generate(businesses: int, *, seed: int = 1) -> Platform:
    """A seeded synthetic platform; ids are 1..n for businesses, offers and needs alike."""
    rng = np.random.default_rng(seed)
    department = np.arange(PRACTICES) % DEPARTMENTS
    in_department = [np.flatnonzero(department == d) + 1 for d in range(DEPARTMENTS)]
    related = set()
    for practices in in_department:
        for practice in practices:
            if rng.random() < 0.5:
                other = int(rng.choice(practices))
                if other != practice:
                    related.add((int(practice), other))
    cities = [(city, country) for country, names in COUNTRIES.items() for city in names]
    city_weight = rng.uniform(0.5, 2.0, len(cities))
    city_weight /= city_weight.sum()

    infos: dict[int, BusinessInfo] = {}
    offers: list[OfferInfo] = []
    needs: list[NeedInfo] = []
    home = rng.choice(len(cities), businesses, p=city_weight)
    for business_id in range(1, businesses + 1):
        city, country = cities[home[business_id - 1]]
        infos[business_id] = BusinessInfo(
            id=business_id,
            verified=rng.random() < 0.95,
            city=city,
            country=country,
            industry=str(rng.choice(INDUSTRIES)),
            sells_keywords=frozenset(
                str(w) for w in rng.choice(KEYWORDS, int(rng.integers(2, 5)), replace=False)
            ),
            name_tokens=frozenset(
                str(w) for w in rng.choice(NAME_TOKENS, int(rng.integers(1, 3)), replace=False)
            ),
            track_record=None if rng.random() < 0.3 else round(float(rng.uniform(1, 5)), 1),
        )
        own = in_department[int(rng.integers(DEPARTMENTS))]
        for _ in range(2):
            offers.append(_offer(rng, len(offers) + 1, business_id, _practice(rng, own)))
            needs.append(_need(rng, len(needs) + 1, business_id, _practice(rng, own)))

    # Declared competitors: a few per cent of businesses name a neighbour of the same trade.
    by_market: dict[tuple[str, str, str], list[int]] = {}
    for info in infos.values():
        by_market.setdefault((info.city, info.country, info.industry), []).append(info.id)
    competitors = set()
    for business_id in rng.choice(businesses, businesses * 3 // 100, replace=False) + 1:
        info = infos[int(business_id)]
        rivals = [other for other in by_market[(info.city, info.country, info.industry)] if other != info.id]
        if rivals:
            competitors.add((info.id, int(rng.choice(rivals))))
    load = {offer.id: int(rng.integers(0, offer.capacity + 1)) for offer in offers if rng.random() < 0.15}
    return Platform(
        businesses=infos,
        offers=offers,
        needs=needs,
        competitor_pairs=frozenset(competitors),
        related_practices=frozenset(related),
        load=load,
        today=TODAY,
    )


def _practice(rng: np.random.Generator, own: np.ndarray[Any, Any]) -> int:
    """Mostly a practice of the business's own department, sometimes any."""
    return int(rng.choice(own)) if rng.random() < 0.7 else int(rng.integers(1, PRACTICES + 1))


def _offer(rng: np.random.Generator, offer_id: int, business_id: int, practice: int) -> OfferInfo:
    available_from = TODAY + timedelta(days=int(rng.integers(-30, 60)))
    available_until = available_from + timedelta(days=int(rng.integers(30, 180)))
    blackouts = []
    for _ in range(int(rng.choice(3, p=[0.6, 0.3, 0.1]))):
        first = available_from + timedelta(days=int(rng.integers(0, 120)))
        blackouts.append((first, first + timedelta(days=int(rng.integers(2, 14)))))
    min_days = int(rng.integers(5, 15))
    return OfferInfo(
        id=offer_id,
        business_id=business_id,
        practice_id=practice,
        level=int(rng.choice([2, 3, 4, 5], p=[0.2, 0.35, 0.3, 0.15])),
        capacity=int(rng.choice([1, 2, 3], p=[0.7, 0.25, 0.05])),
        mode=MODES[rng.choice(3, p=[0.5, 0.25, 0.25])],
        available_from=available_from,
        available_until=available_until,
        min_days=min_days,
        max_days=min_days + int(rng.integers(10, 50)),
        blackouts=tuple(sorted(blackouts)),
        active=rng.random() < 0.95,
    )


def _need(rng: np.random.Generator, need_id: int, business_id: int, practice: int) -> NeedInfo:
    current = int(rng.integers(1, 4))
    return NeedInfo(
        id=need_id,
        business_id=business_id,
        practice_id=practice,
        current_level=current,
        target_level=min(5, current + int(rng.integers(1, 3))),
        urgency=URGENCIES[rng.choice(3, p=[0.4, 0.4, 0.2])],
        earliest_start=TODAY + timedelta(days=int(rng.integers(0, 90))),
        preferred_days=int(rng.integers(5, 45)),
        open=rng.random() < 0.95,
    )


def subset(platform: Platform, businesses: int) -> Platform:
    """The platform restricted to its first `businesses` business ids."""
    kept = {
        business_id: info for business_id, info in platform.businesses.items() if business_id <= businesses
    }
    return Platform(
        businesses=kept,
        offers=[offer for offer in platform.offers if offer.business_id in kept],
        needs=[need for need in platform.needs if need.business_id in kept],
        competitor_pairs=frozenset(
            pair for pair in platform.competitor_pairs if pair[0] in kept and pair[1] in kept
        ),
        related_practices=platform.related_practices,
        load=platform.load,
        today=platform.today,
    )


def _timed(run: Callable[[], MatchResult], repeat: int = 1) -> tuple[float, MatchResult]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def run(args: argparse.Namespace) -> dict[str, Any]:
    platform = generate(args.businesses, seed=args.seed)
    full_run_s, result = _timed(lambda: match(platform))
    greedy_s, greedy_result = _timed(lambda: greedy(platform))
    small = subset(platform, args.subset)
    # Best of three for both: other work on the machine only ever adds time.
    naive_s, _ = _timed(lambda: naive(small), repeat=3)
    engine_s, _ = _timed(lambda: match(small), repeat=3)
    # Read before the database part, which seeds thousands of rows in this process.
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    incremental_ms = incremental_db = None
    if args.incremental:
        incremental_db = use_bench_database()
        # A log line per matching run would bury the JSON the benchmark prints.
        logging.getLogger("internships.services.matching").setLevel(logging.WARNING)
        incremental_ms = round(measure_incremental(args.businesses, runs=args.incremental_runs), 2)
    return {
        "businesses": args.businesses,
        "offers": len(platform.offers),
        "needs": len(platform.needs),
        "seed": args.seed,
        "full_run_s": round(full_run_s, 3),
        "peak_rss_mb": peak_rss_mb,
        "subset_businesses": args.subset,
        "naive_s": round(naive_s, 3),
        "engine_s": round(engine_s, 4),
        "speedup_vs_naive": round(naive_s / engine_s, 1),
        "matched": len(result.proposals),
        "greedy_matched": len(greedy_result.proposals),
        "greedy_s": round(greedy_s, 3),
        "swaps": sum(1 for exchange in result.exchanges if exchange.kind == "swap"),
        "cycles3": sum(1 for exchange in result.exchanges if exchange.kind == "cycle"),
        "incremental_ms": incremental_ms,  # p95
        "incremental_runs": args.incremental_runs if args.incremental else 0,
        "incremental_db": incremental_db,
    }


def bench_database_url(database_url: str | None) -> str:
    """`peership_bench` on the PostgreSQL server of `database_url`, else an SQLite file in the temp dir."""
    address = urlsplit(database_url or "")
    if address.scheme.startswith("postgres"):
        return address._replace(path="/peership_bench").geturl()
    return f"sqlite:///{Path(tempfile.gettempdir()) / 'peership_bench.sqlite3'}"


def use_bench_database() -> str:
    """Point Django at the bench database (created and migrated if need be); return its vendor."""
    os.environ["DATABASE_URL"] = bench_database_url(os.environ.get("DATABASE_URL"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")
    # As a Celery worker runs in production: DEBUG off (with it on, Django keeps every query's text).
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        create_database(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def measure_incremental(businesses: int, *, runs: int, warmup: int = 5, seed: int = 1) -> float:
    """p95, in ms, of matching one new need through `run_matching` with `businesses` synthetic ones stored."""
    from django.db import connection

    from businesses.models import Business, Need, Practice
    from exchange.demo import seed_synthetic
    from internships.services.matching import run_matching

    if Business.objects.filter(slug__startswith="demo-").count() < businesses:
        seed_synthetic(businesses)  # it ends with a full matching run, as the demo does
    # Fresh statistics for the query planner and no dead rows, as autovacuum keeps them in any
    # deployment: just after a bulk load PostgreSQL would plan for tables it believes empty, and where
    # autovacuum is off (as on the machines here) each run's deleted needs and matches would pile up.
    # (VACUUM cannot run inside a transaction, as in a test of the bench: there, ANALYZE alone.)
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    rng = random.Random(seed)  # noqa: S311 (synthetic needs, reproducible on purpose)
    learners = list(Business.objects.filter(slug__startswith="demo-").values_list("pk", flat=True))
    practices = list(Practice.objects.values_list("pk", flat=True))
    today = date.today()
    timings = []
    for run in range(warmup + runs):
        current = rng.randint(1, 3)
        need = Need.objects.create(
            business_id=rng.choice(learners),
            practice_id=rng.choice(practices),
            current_level=current,
            target_level=rng.randint(current + 1, 5),
            outcome="Benchmark need.",
            urgency=rng.choice(list(Need.Urgency)),
            earliest_start=today + timedelta(days=rng.randint(0, 60)),
            preferred_days=rng.randint(3, 10),
        )
        started = time.perf_counter()
        run_matching(need_ids=[need.pk])
        elapsed = time.perf_counter() - started
        need.delete()  # its match and events go with it: the next run sees the same platform
        if run >= warmup:
            timings.append(elapsed * 1000)
    timings.sort()
    return timings[max(math.ceil(0.95 * len(timings)) - 1, 0)]
