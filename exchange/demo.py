"""The demo platform: the seed article's story plus synthetic businesses, matched.

Everything is keyed by email or slug, and matching re-runs update rather than add, so
running it again changes nothing. Synthetic rows are written in bulk: 10,000 businesses
load in well under a minute."""

import random
from datetime import date, timedelta
from itertools import batched

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.services import add_authenticator_app, reset_recovery_codes
from businesses.models import Assessment, Business, Industry, Membership, Mode, Need, Offer, Practice
from businesses.services.offers import refresh_search_vectors
from internships.services.matching import run_matching

DEMO_PASSWORD = "peership-demo-2026"  # noqa: S105 (published in the README on purpose)
# Moderators sign in with a second factor: the demo moderator's authenticator-app secret and the seed
# of her recovery codes are published too (seed_demo prints both).
DEMO_TOTP_SECRET = "PEERSHIPDEMOMAYA"  # noqa: S105
DEMO_RECOVERY_SEED = "peership-demo-2026-recovery-codes"

PEOPLE = [
    # (email, name, is a moderator)
    ("moderator@peership.example", "Maya Moderator", True),
    ("afreen@ondemand-staffing.example", "Afreen Shaikh", False),
    ("neha@ondemand-staffing.example", "Neha Kapoor", False),
    ("rajeev@pixelcraft-ux.example", "Rajeev Menon", False),
    ("arjun@pixelcraft-ux.example", "Arjun Rao", False),
]

CITIES = [
    ("Pune", "IN"),
    ("Mumbai", "IN"),
    ("Bengaluru", "IN"),
    ("Delhi", "IN"),
    ("Chennai", "IN"),
    ("Hyderabad", "IN"),
    ("Ahmedabad", "IN"),
    ("Kolkata", "IN"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Leeds", "GB"),
    ("Dublin", "IE"),
    ("Berlin", "DE"),
    ("Hamburg", "DE"),
    ("Lyon", "FR"),
    ("Amsterdam", "NL"),
    ("Toronto", "CA"),
    ("Austin", "US"),
    ("Denver", "US"),
    ("Portland", "US"),
    ("Singapore", "SG"),
    ("Nairobi", "KE"),
    ("Lagos", "NG"),
    ("Melbourne", "AU"),
    ("Auckland", "NZ"),
]
FIRST = [
    "Blue",
    "North",
    "Bright",
    "Cedar",
    "Copper",
    "Summit",
    "River",
    "Maple",
    "Silver",
    "Harbor",
    "Prairie",
    "Lotus",
    "Granite",
    "Swift",
    "Evergreen",
    "Beacon",
    "Oak",
    "Falcon",
    "Saffron",
    "Coral",
]
SECOND = [
    "Works",
    "Studio",
    "Labs",
    "Partners",
    "Co",
    "Collective",
    "Group",
    "Supply",
    "Foods",
    "Crafts",
    "Logistics",
    "Consulting",
    "Textiles",
    "Packaging",
    "Design",
    "Media",
    "Systems",
    "Care",
    "Print",
    "Tools",
]
SIZES = [Business.SizeBand.MICRO, Business.SizeBand.SMALL, Business.SizeBand.SMALL, Business.SizeBand.MEDIUM]
OUTCOMES = [
    "Double qualified leads within a quarter.",
    "Cut the time this takes by half.",
    "A documented process the whole team follows.",
    "Fewer mistakes and a checklist new hires can use.",
    "Measurable results we can report to the owner every month.",
]


def seed_people() -> dict[str, User]:
    moderators = Group.objects.get(name="Moderators")
    people = {}
    for email, name, is_moderator in PEOPLE:
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "is_staff": is_moderator}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if is_moderator:
            user.groups.add(moderators)
            add_authenticator_app(user=user, secret=DEMO_TOTP_SECRET)
        people[email] = user
    return people


def seed_recovery_codes(people: dict[str, User]) -> dict[str, list[str]]:
    """The moderators' recovery codes, every one unused again (each code signs in once)."""
    return {
        email: reset_recovery_codes(user=people[email], seed=DEMO_RECOVERY_SEED)
        for email, _, is_moderator in PEOPLE
        if is_moderator
    }


def seed_story(people: dict[str, User]) -> None:
    """Afreen's staffing firm needs organic leads; Rajeev's UX consultancy has cracked them."""
    today = date.today()
    practices = {p.slug: p for p in Practice.objects.filter(slug__in=STORY_PRACTICES)}
    afreen, _ = Business.objects.get_or_create(
        slug="on-demand-staffing",
        defaults={
            "name": "On-Demand Staffing",
            "industry_id": "561",
            "city": "Pune",
            "country": "IN",
            "size_band": Business.SizeBand.SMALL,
            "website": "https://ondemand-staffing.example",
            "description": "Gig workers on demand: content writers, designers and developers for a few hours "
            "or a whole year. Three quarters of new business comes from paid advertising.",
            "sells": "On-demand staffing, gig workers, contract professionals",
            "sells_to": "Companies needing short-term skilled people",
            "languages": "English, Hindi, Marathi",
            "verification": Business.Verification.VERIFIED,
        },
    )
    rajeev, _ = Business.objects.get_or_create(
        slug="pixelcraft-ux",
        defaults={
            "name": "Pixelcraft UX",
            "industry_id": "541",
            "city": "Pune",
            "country": "IN",
            "size_band": Business.SizeBand.SMALL,
            "website": "https://pixelcraft-ux.example",
            "description": "A UI and UX design consultancy whose organic lead generation runs on blog "
            "articles, YouTube videos, email marketing and social networks.",
            "sells": "UI design, UX research, design systems",
            "sells_to": "Software companies and start-ups",
            "languages": "English, Hindi",
            "verification": Business.Verification.VERIFIED,
        },
    )
    for email, business, role in [
        ("afreen@ondemand-staffing.example", afreen, Membership.Role.OWNER),
        ("neha@ondemand-staffing.example", afreen, Membership.Role.EMPLOYEE),
        ("rajeev@pixelcraft-ux.example", rajeev, Membership.Role.OWNER),
        ("arjun@pixelcraft-ux.example", rajeev, Membership.Role.MANAGER),
    ]:
        Membership.objects.get_or_create(user=people[email], business=business, defaults={"role": role})
    for business, levels in [(afreen, AFREEN_LEVELS), (rajeev, RAJEEV_LEVELS)]:
        for slug, (level, host, learn) in levels.items():
            Assessment.objects.get_or_create(
                business=business,
                practice=practices[slug],
                defaults={"level": level, "can_host": host, "wants_to_learn": learn},
            )
    if not rajeev.offers.exists():
        for slug, text in [
            (
                "lead-generation-organic",
                "Join our marketing executives for a week: plan a blog article and a "
                "video, set up the email capture behind them, and see how each lead is traced to its source.",
            ),
            (
                "content-marketing",
                "Plan and write a piece with our content creators, from the editorial "
                "calendar to distribution on social networks.",
            ),
        ]:
            Offer.objects.create(
                business=rajeev,
                practice=practices[slug],
                level=5,
                description=text,
                capacity=2,
                mode=Mode.HYBRID,
                available_from=today,
                available_until=today + timedelta(days=180),
                min_days=3,
                max_days=10,
            )
    if not afreen.offers.exists():
        Offer.objects.create(
            business=afreen,
            practice=practices["recruitment-and-hiring"],
            level=5,
            capacity=1,
            description="See how we keep a roster of vetted gig workers and match them to a client in a day.",
            mode=Mode.ON_SITE,
            available_from=today,
            available_until=today + timedelta(days=180),
            min_days=2,
            max_days=5,
        )
    if not afreen.needs.exists():
        Need.objects.create(
            business=afreen,
            practice=practices["lead-generation-organic"],
            current_level=1,
            target_level=4,
            outcome="Organic leads are few and far between: we want a lead generation process for organic "
            "inquiries, so that paid advertising is no longer three quarters of new business.",
            urgency=Need.Urgency.HIGH,
            earliest_start=today,
            preferred_days=5,
        )
    # The offers above are created directly, without their full-text vector.
    refresh_search_vectors(missing_only=True)


STORY_PRACTICES = [
    "lead-generation-organic",
    "content-marketing",
    "seo",
    "email-marketing",
    "recruitment-and-hiring",
    "employee-onboarding",
    "ux-research",
    "ui-design",
]
AFREEN_LEVELS = {  # practice: (level, can host, wants to learn)
    "lead-generation-organic": (1, False, True),
    "content-marketing": (2, False, True),
    "seo": (2, False, False),
    "email-marketing": (2, False, False),
    "recruitment-and-hiring": (5, True, False),
    "employee-onboarding": (4, False, False),
}
RAJEEV_LEVELS = {
    "lead-generation-organic": (5, True, False),
    "content-marketing": (5, True, False),
    "seo": (4, False, False),
    "email-marketing": (4, False, False),
    "ux-research": (5, False, False),
    "ui-design": (5, False, False),
    "recruitment-and-hiring": (2, False, True),
}


def seed_synthetic(count: int, *, rng_seed: int = 2026) -> int:
    """Create `count` verified synthetic businesses (slug demo-N) with owners, offers and needs; match all."""
    existing = set(Business.objects.filter(slug__startswith="demo-").values_list("slug", flat=True))
    wanted = [n for n in range(1, count + 1) if f"demo-{n}" not in existing]
    if wanted:
        _create_synthetic(wanted, rng_seed=rng_seed)
    # Every run, even one that adds nothing: an earlier run may have stopped between its inserts and this.
    refresh_search_vectors(missing_only=True)
    # Rows written here skip the services, so nothing was matched yet: one full run, the nightly one,
    # fills the moderator's queue (the story's match among it).
    run_matching()
    return len(wanted)


def _create_synthetic(wanted: list[int], *, rng_seed: int) -> None:
    """Insert the synthetic businesses numbered `wanted`, in bulk, a thousand per transaction."""
    rng = random.Random(rng_seed)  # noqa: S311 (demo data, reproducible on purpose)
    subsectors = list(Industry.objects.filter(parent__isnull=False).values_list("code", flat=True))
    practices = list(Practice.objects.values_list("pk", "suggested_days"))
    password = make_password(DEMO_PASSWORD)  # hashed once: 10,000 hashes would take minutes
    today = date.today()
    for chunk in batched(wanted, 1000):
        with transaction.atomic():
            businesses = []
            for n in chunk:
                city, country = CITIES[n % len(CITIES)]
                name = f"{FIRST[n % len(FIRST)]} {SECOND[(n // len(FIRST)) % len(SECOND)]} {n}"
                businesses.append(
                    Business(
                        name=name,
                        slug=f"demo-{n}",
                        industry_id=rng.choice(subsectors),
                        city=city,
                        country=country,
                        size_band=rng.choice(SIZES),
                        sells=f"{SECOND[n % len(SECOND)]} services",
                        sells_to="Local businesses",
                        description=f"{name} is a demo business in {city}.",
                        verification=Business.Verification.VERIFIED,
                    )
                )
            Business.objects.bulk_create(businesses, batch_size=1000)
            businesses = list(Business.objects.filter(slug__in=[f"demo-{n}" for n in chunk]).order_by("pk"))
            users = User.objects.bulk_create(
                [
                    User(email=f"owner@{b.slug}.example", name=f"Owner of {b.name}", password=password)
                    for b in businesses
                ],
                batch_size=1000,
            )
            users = list(User.objects.filter(email__in=[f"owner@{b.slug}.example" for b in businesses]))
            by_email = {u.email: u for u in users}
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
                batch_size=1000,
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=by_email[f"owner@{b.slug}.example"], business=b, role="owner")
                    for b in businesses
                ],
                batch_size=1000,
            )
            offers, needs = [], []
            for b in businesses:
                picks = rng.sample(practices, 4)
                for practice_id, days in picks[:2]:
                    start = today + timedelta(days=rng.randint(0, 60))
                    offers.append(
                        Offer(
                            business=b,
                            practice_id=practice_id,
                            level=rng.randint(4, 5),
                            capacity=rng.randint(1, 3),
                            description=f"Shadow our team and practise it on a real project at {b.name}.",
                            mode=rng.choice(list(Mode)),
                            available_from=start,
                            available_until=start + timedelta(days=rng.randint(60, 240)),
                            min_days=max(1, days // 2),
                            max_days=days * 2,
                        )
                    )
                for practice_id, days in picks[2:]:
                    current = rng.randint(1, 3)
                    needs.append(
                        Need(
                            business=b,
                            practice_id=practice_id,
                            current_level=current,
                            target_level=rng.randint(current + 1, 5),
                            outcome=rng.choice(OUTCOMES),
                            urgency=rng.choice(list(Need.Urgency)),
                            earliest_start=today + timedelta(days=rng.randint(0, 90)),
                            preferred_days=days,
                        )
                    )
            Offer.objects.bulk_create(offers, batch_size=1000)
            Need.objects.bulk_create(needs, batch_size=1000)
