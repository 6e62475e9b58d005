from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

if TYPE_CHECKING:
    from accounts.models import User

LEVELS = [(1, "1 · Starting"), (2, "2 · Basic"), (3, "3 · Capable"), (4, "4 · Strong"), (5, "5 · Expert")]
level_validators = [MinValueValidator(1), MaxValueValidator(5)]


class Industry(models.Model):
    """NAICS 2022 sectors (2 digits) and subsectors (3 digits); shipped as data."""

    code = models.CharField(max_length=6, primary_key=True)
    title = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_sector(self) -> bool:
        return self.parent_id is None


class Department(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    """A practice one business can master and another learn (department → practices)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="practices")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # How long an internship to learn it usually takes, by its complexity.
    suggested_days = models.PositiveSmallIntegerField(default=5)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        ordering = ["department__position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="practice_unique_name_per_department"
            ),
            models.CheckConstraint(
                condition=Q(suggested_days__gte=1), name="practice_suggested_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} → {self.name}"


class BusinessQuerySet(models.QuerySet["Business"]):
    def verified(self) -> BusinessQuerySet:
        return self.filter(verification=Business.Verification.VERIFIED)

    def of_member(self, user: User) -> BusinessQuerySet:
        return self.filter(memberships__user=user)


class Business(models.Model):
    class SizeBand(models.TextChoices):
        MICRO = "1-9", "1–9 people"
        SMALL = "10-49", "10–49 people"
        MEDIUM = "50-249", "50–249 people"
        LARGE = "250+", "250 or more"

    class Verification(models.TextChoices):
        PENDING = "pending", "Awaiting verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Not verified"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=170, unique=True)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="businesses")
    city = models.CharField(max_length=100)
    country = CountryField()
    size_band = models.CharField(max_length=10, choices=SizeBand.choices)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    sells = models.TextField("what it sells", help_text="Products or services, in a few words.")
    sells_to = models.TextField("to whom", help_text="Your customers: who buys from you.")
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages spoken at work, comma-separated."
    )
    verification = models.CharField(max_length=10, choices=Verification.choices, default=Verification.PENDING)
    verification_note = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A host's record from exchange reviews, written by feedback/ through a service.
    track_record = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "businesses"
        constraints = [
            models.CheckConstraint(
                condition=Q(verification__in=["pending", "verified", "rejected"]),
                name="business_verification_valid",
            ),
            models.CheckConstraint(
                condition=Q(size_band__in=["1-9", "10-49", "50-249", "250+"]), name="business_size_band_valid"
            ),
        ]
        indexes = [models.Index(fields=["verification", "city"], name="business_verification_city")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("businesses:detail", kwargs={"slug": self.slug})

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        EMPLOYEE = "employee", "Employee"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EMPLOYEE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["business__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="membership_unique_user_business"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "manager", "employee"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.business} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in {self.Role.OWNER, self.Role.MANAGER}


def invitation_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.EMPLOYEE)
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and business.
            models.UniqueConstraint(
                fields=["business", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "manager", "employee"]), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.business}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Assessment(models.Model):
    """A business's maturity (1–5) in one practice, with what it wants to do about it."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="assessments")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="assessments")
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)
    can_host = models.BooleanField("we can host", default=False)
    wants_to_learn = models.BooleanField("we want to learn", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice__department__position", "practice__name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "practice"], name="assessment_unique_practice"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="assessment_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.business}: {self.practice.name} = {self.level}"


class Mode(models.TextChoices):
    ON_SITE = "onsite", "On site"
    REMOTE = "remote", "Remote"
    HYBRID = "hybrid", "Hybrid"


class OfferQuerySet(models.QuerySet["Offer"]):
    def active(self) -> OfferQuerySet:
        """Active offers whose availability window has not ended: those an intern can still take."""
        return self.filter(status=Offer.Status.ACTIVE, available_until__gte=timezone.localdate())

    def browsable(self) -> OfferQuerySet:
        """Active offers of verified businesses: what other members may see."""
        return self.active().filter(business__verification=Business.Verification.VERIFIED)


class Offer(models.Model):
    """A strength: a practice the business can teach an intern."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Proposed (to confirm)"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="offers")
    # Indexed below, with the columns a matching run reads.
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="offers", db_index=False)
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)
    description = models.TextField("what an intern will do and learn")
    capacity = models.PositiveSmallIntegerField("interns at a time", default=1)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    available_from = models.DateField()
    available_until = models.DateField()
    min_days = models.PositiveSmallIntegerField(default=3)
    max_days = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_reason = models.CharField(max_length=200, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "paused"]), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["onsite", "remote", "hybrid"]), name="offer_mode_valid"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offer_capacity_at_least_one"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="offer_level_1_to_5"),
            models.CheckConstraint(
                condition=Q(min_days__gte=1, min_days__lte=models.F("max_days")),
                name="offer_min_days_le_max_days",
            ),
            models.CheckConstraint(
                condition=Q(available_until__gt=models.F("available_from")),
                name="offer_window_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "practice"], name="offer_status_practice"),
            # The offer listing, newest first (businesses.views.browse): the first page from the index, not a
            # sort of every offer (20 ms on 20,000 offers, 0.1 with it).
            models.Index(fields=["-updated_at", "-id"], name="offer_newest"),
            # An incremental matching run reads the offers of a few practices from this index alone
            # (PostgreSQL; SQLite ignores the included columns): a third less time than from the table.
            models.Index(
                fields=["practice"],
                include=[
                    "id",
                    "business",
                    "level",
                    "capacity",
                    "mode",
                    "available_from",
                    "available_until",
                    "min_days",
                    "max_days",
                    "status",
                ],
                name="offer_practice_matching",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business}: teaches {self.practice.name}"

    def get_absolute_url(self) -> str:
        return reverse("businesses:offer_detail", kwargs={"slug": self.business.slug, "pk": self.pk})


class Blackout(models.Model):
    """Dates inside an offer's window when the host cannot take an intern."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="blackouts")
    start = models.DateField()
    end = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="blackout_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


class NeedQuerySet(models.QuerySet["Need"]):
    def open(self) -> NeedQuerySet:
        return self.filter(status=Need.Status.OPEN)


class Need(models.Model):
    """A gap: a practice the business wants its people to learn."""

    class Urgency(models.TextChoices):
        LOW = "low", "Low — within the year"
        MEDIUM = "medium", "Medium — within a quarter"
        HIGH = "high", "High — as soon as possible"

    class Status(models.TextChoices):
        DRAFT = "draft", "Proposed (to confirm)"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="needs")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="needs")
    current_level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)
    target_level = models.PositiveSmallIntegerField(choices=LEVELS, validators=level_validators)
    outcome = models.TextField("the outcome you want", help_text="In your own words: what should change?")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    earliest_start = models.DateField()
    preferred_days = models.PositiveSmallIntegerField("preferred length (days)", default=5)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="need_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=["low", "medium", "high"]), name="need_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(target_level__gt=models.F("current_level")), name="need_target_above_current"
            ),
            models.CheckConstraint(
                condition=Q(current_level__gte=1, target_level__lte=5), name="need_levels_1_to_5"
            ),
            models.CheckConstraint(condition=Q(preferred_days__gte=1), name="need_preferred_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.business}: wants {self.practice.name}"


class Competitor(models.Model):
    """A business (or a free-text name) this business must never be matched with.

    The named side never learns who named it."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="declared_competitors")
    competitor = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.CASCADE, related_name="named_as_competitor"
    )
    name = models.CharField(max_length=150, blank=True, help_text="A business not on Peership, by name.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(competitor__isnull=False) | ~Q(name=""), name="competitor_named_somehow"
            ),
            models.CheckConstraint(
                condition=~Q(competitor=models.F("business")), name="competitor_not_itself"
            ),
            models.UniqueConstraint(
                fields=["business", "competitor"],
                condition=Q(competitor__isnull=False),
                name="competitor_unique_business",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} ≠ {self.competitor or self.name}"


class Partnership(models.Model):
    """Two businesses whose match a moderator approved: each may now see the
    other's needs and self-assessment. Written by internships/ through
    businesses.services.open_partnership (one row per direction)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="partnerships")
    partner = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "partner"], name="partnership_unique_pair"),
            models.CheckConstraint(condition=~Q(partner=models.F("business")), name="partnership_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.business} ↔ {self.partner}"
