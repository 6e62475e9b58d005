from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from businesses.models import Business, Need, Offer

if TYPE_CHECKING:
    from accounts.models import User


class MatchQuerySet(models.QuerySet["Match"]):
    def pending(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.PENDING)

    def approved(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.APPROVED)

    def visible_to_owner(self, user: User) -> MatchQuerySet:
        """Approved matches of the businesses the user belongs to: owners never see pending ones."""
        return (
            self.approved()
            .filter(Q(learner__memberships__user=user) | Q(host__memberships__user=user))
            .distinct()
        )

    def moderation_queue(self) -> MatchQuerySet:
        """Pending matches, the riskiest first, then the best scored."""
        return self.pending().order_by("-risk", "-score", "pk")


class Match(models.Model):
    """A proposed pairing of a need (the learner's gap) with an offer (the host's strength).

    Proposed by the matching engine; a moderator approves it (the two businesses
    do not compete) before either side hears of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Kind(models.TextChoices):
        SINGLE = "single", "Single"
        SWAP = "swap", "Swap (each teaches the other)"
        CYCLE = "cycle", "Cycle of three"

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="matches")
    # Denormalised from need and offer: the queue filters and sorts by them.
    learner = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="matches_as_learner")
    host = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="matches_as_host")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    # Groups the matches of one swap or cycle, e.g. "cycle:3-8-5" (empty for singles).
    exchange = models.CharField(max_length=100, blank=True, db_index=True)
    score = models.FloatField()
    parts = models.JSONField(default=dict, help_text="The score's parts: why it was proposed.")
    flags = models.JSONField(default=list, help_text="Reasons a moderator should look twice.")
    risk = models.PositiveSmallIntegerField(default=0, help_text="How many flags: the queue sorts by it.")
    start = models.DateField(help_text="The first feasible start the engine found.")
    days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-created_at"]
        constraints = [
            # Re-runs update the pair's row; they never add a second one.
            models.UniqueConstraint(fields=["need", "offer"], name="match_unique_need_offer"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="match_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "swap", "cycle"]), name="match_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(learner=models.F("host")), name="match_not_same_business"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_note=""), name="match_rejection_has_reason"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="match_days_positive"),
        ]
        indexes = [models.Index(fields=["status", "-risk", "-score"], name="match_queue")]

    def __str__(self) -> str:
        return f"{self.host} teaches {self.learner}: {self.offer.practice.name}"

    def get_absolute_url(self) -> str:
        return reverse("internships:match", kwargs={"pk": self.pk})


class MatchEvent(models.Model):
    """The match's history: proposed, re-scored, approved, rejected, withdrawn — who, when, why."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        UPDATED = "updated", "Re-scored"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REPROPOSED = "reproposed", "Proposed again"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    action__in=["proposed", "updated", "approved", "rejected", "withdrawn", "reproposed"]
                ),
                name="match_event_action_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.action}"
