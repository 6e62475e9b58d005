from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from businesses.models import Business, Need
from internships.models import Internship, Objective

one_to_five = [MinValueValidator(1), MaxValueValidator(5)]


class WeeklyReport(models.Model):
    """The intern's report on one week of the internship (weeks numbered from its start date)."""

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="weekly_reports")
    week = models.PositiveSmallIntegerField()
    learned = models.TextField("what I learned")
    tasks_done = models.TextField("tasks done")
    blockers = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["internship", "week"]
        constraints = [
            models.UniqueConstraint(fields=["internship", "week"], name="weekly_report_one_per_week"),
            models.CheckConstraint(condition=Q(week__gte=1), name="weekly_report_week_positive"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=168), name="weekly_report_hours_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Week {self.week} of {self.internship}"


class ObjectiveProgress(models.Model):
    """How far one objective got in one week, 1–5, as the intern sees it."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="progress")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="weekly_progress")
    progress = models.PositiveSmallIntegerField(validators=one_to_five)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "objective"], name="objective_progress_once_per_report"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=1, progress__lte=5), name="objective_progress_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.progress}/5"


class WeeklyReview(models.Model):
    """The host mentor's review of a weekly report; once reviewed, the report is final."""

    report = models.OneToOneField(WeeklyReport, on_delete=models.CASCADE, related_name="review")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(validators=one_to_five)
    comment = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="weekly_review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.report}"


class ExchangeReview(models.Model):
    """At completion, each business rates the exchange (per objective) and writes a testimonial."""

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="exchange_reviews")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="exchange_reviews_written")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField("overall rating", validators=one_to_five)
    testimonial = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["internship", "business"], name="exchange_review_once_per_side"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="exchange_review_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} on {self.internship}"


class ObjectiveRating(models.Model):
    review = models.ForeignKey(ExchangeReview, on_delete=models.CASCADE, related_name="objective_ratings")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=one_to_five)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "objective"], name="objective_rating_once_per_review"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="objective_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.rating}/5"


class FollowUp(models.Model):
    """The sending owner's check, 30, 60 and 90 days after the internship: did it work?"""

    class Day(models.IntegerChoices):
        D30 = 30, "+30 days"
        D60 = 60, "+60 days"
        D90 = 90, "+90 days"

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="follow_ups")
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    due = models.DateField()
    adopted = models.BooleanField("the practice is adopted", null=True)
    more_help_needed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    new_need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["internship", "day"]
        constraints = [
            models.UniqueConstraint(fields=["internship", "day"], name="follow_up_once_per_day"),
            models.CheckConstraint(condition=Q(day__in=[30, 60, 90]), name="follow_up_day_valid"),
        ]

    def __str__(self) -> str:
        return f"+{self.day} days: {self.internship}"


class Measurement(models.Model):
    """An objective's metric as measured at a follow-up (against its baseline and target)."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="measurements")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    actual = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "objective"], name="measurement_once_per_follow_up")
        ]

    def __str__(self) -> str:
        return f"{self.objective.metric}: {self.actual}"
