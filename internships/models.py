from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from businesses.models import Business, Membership, Need, Offer

if TYPE_CHECKING:
    from accounts.models import User


# Pending matches, apart (singles) or in a swap or a cycle: the moderation queue's two kinds of item.
# The queue's SQL (internships.selectors.moderation.ITEMS) writes the same conditions, so that
# PostgreSQL reads each kind from its partial index below (tests/test_moderation_queue_sql.py compares).
QUEUE_SINGLES = Q(status="pending", exchange="")
QUEUE_EXCHANGES = Q(status="pending") & ~Q(exchange="")


class MatchQuerySet(models.QuerySet["Match"]):
    def pending(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.PENDING)

    def approved(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.APPROVED)

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
    # Indexed below, with the columns that count an offer's places held.
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="matches", db_index=False)
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
        indexes = [
            models.Index(fields=["status", "-risk", "-score"], name="match_queue"),
            # An offer's places held (approved matches, other needs' pending ones) are counted from this
            # index alone by an incremental matching run (PostgreSQL; SQLite ignores the included columns).
            models.Index(fields=["offer"], include=["status", "need"], name="match_offer_held"),
            # The moderation queue reads pending singles in its order, and groups the pending matches of
            # swaps and cycles, from these two alone (internships.selectors.moderation.QueueItems).
            models.Index(
                fields=["-risk", "-score", "id"], condition=QUEUE_SINGLES, name="match_queue_singles"
            ),
            models.Index(
                fields=["exchange", "risk", "score", "id"],
                condition=QUEUE_EXCHANGES,
                name="match_queue_exchanges",
            ),
        ]

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


class InternshipQuerySet(models.QuerySet["Internship"]):
    def visible_to(self, user: User) -> InternshipQuerySet:
        """The intern, the mentor, and the owners and managers of both businesses; moderators see all.

        Tasks, plans and weekly reports follow the internship's visibility (DESIGN: privacy)."""
        if user.is_moderator:
            return self.all()
        # EXISTS, not joins: joining memberships would repeat rows, and DISTINCT over them is costly.
        managers = Membership.objects.filter(user=user, role__in=["owner", "manager"])
        return self.filter(
            Q(intern=user)
            | Q(mentor=user)
            | Exists(managers.filter(business=OuterRef("learner")))
            | Exists(managers.filter(business=OuterRef("host")))
        )

    def holding_a_place(self) -> InternshipQuerySet:
        """Internships that use one of the offer's places (capacity)."""
        return self.filter(
            status__in=[Internship.Status.ACCEPTED, Internship.Status.SCHEDULED, Internship.Status.ACTIVE]
        )


class Internship(models.Model):
    """One employee of the learner business spending a few days at the host business.

    Lifecycle: requested → accepted | declined → scheduled → active → completed →
    followed_up; cancelled (with a reason) from any state before completed. Each
    transition is a service in internships/services/ and leaves an InternshipEvent."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        SCHEDULED = "scheduled", "Scheduled"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        FOLLOWED_UP = "followed_up", "Followed up"
        CANCELLED = "cancelled", "Cancelled"

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="internships")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="internships")
    learner = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="internships_received")
    host = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="internships_hosted")
    intern = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="internships"
    )
    # Set when the intern was invited by email and has not joined the learner business yet.
    intern_email = models.EmailField(blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentored_internships",
    )
    start = models.DateField()
    end = models.DateField(help_text="The last day of the internship.")
    message = models.TextField("message to the host", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # The host's counter-proposal, pending the learner's answer.
    counter_start = models.DateField(null=True, blank=True)
    counter_end = models.DateField(null=True, blank=True)
    counter_note = models.TextField(blank=True)
    decline_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    final_assessment = models.TextField("mentor's final assessment", blank=True)
    final_assessed_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InternshipQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "requested",
                        "accepted",
                        "declined",
                        "scheduled",
                        "active",
                        "completed",
                        "followed_up",
                        "cancelled",
                    ]
                ),
                name="internship_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="internship_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(intern__isnull=False) | ~Q(intern_email=""), name="internship_has_an_intern"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="internship_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="internship_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(counter_start__isnull=True, counter_end__isnull=True)
                | Q(counter_start__isnull=False, counter_end__gte=models.F("counter_start")),
                name="internship_counter_dates_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "declined", "cancelled"]) | Q(mentor__isnull=False),
                name="internship_accepted_has_mentor",
            ),
            models.CheckConstraint(
                condition=~Q(learner=models.F("host")), name="internship_not_same_business"
            ),
        ]
        indexes = [models.Index(fields=["status", "start"], name="internship_status_start")]

    def __str__(self) -> str:
        return f"{self.intern or self.intern_email} at {self.host} ({self.start} – {self.end})"

    def get_absolute_url(self) -> str:
        return reverse("internships:detail", kwargs={"pk": self.pk})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class InternshipEvent(models.Model):
    """A transition of an internship (or a counter-proposal): who, when, and why."""

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    status = models.CharField(max_length=12, choices=Internship.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.internship_id}: {self.action}"


class Objective(models.Model):
    """What the internship should achieve, with a measurable outcome: "organic leads per month: 5 → 15"."""

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    metric = models.CharField(
        max_length=120, help_text="What you will measure, e.g. organic leads per month."
    )
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(target=models.F("baseline")), name="objective_target_differs")
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {self.baseline} → {self.target}"


class Task(models.Model):
    """Work the host mentor gives the intern, done and then reviewed."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        DONE = "done", "Done, awaiting review"
        REVIEWED = "reviewed", "Reviewed"

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    good_looks_like = models.TextField("what good looks like")
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    done_note = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    review = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["assigned", "done", "reviewed"]), name="task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="task_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(status="reviewed") | Q(rating__isnull=False), name="task_review_has_rating"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ImplementationPlan(models.Model):
    """The intern's transition and implementation plan for the learner business."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        CHANGES_REQUESTED = "changes", "Changes requested"
        APPROVED = "approved", "Approved"

    internship = models.OneToOneField(Internship, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    feedback = models.TextField(blank=True, help_text="The sending owner's requested changes.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "changes", "approved"]),
                name="plan_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Plan for {self.internship}"


class PlanStep(models.Model):
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=300)
    owner = models.CharField(max_length=120, help_text="Who does it.")
    due = models.DateField()
    kpi = models.CharField("KPI it moves", max_length=200)
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "due", "pk"]

    def __str__(self) -> str:
        return self.action
