"""What the outcome pages read: an internship's exchange reviews and follow-ups with each objective's
measurements, and a host's impact — what its teaching achieved across the internships it hosted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from businesses.models import Business
from feedback.charts_followups import MetricSeries
from feedback.models import ExchangeReview, FollowUp, Measurement
from feedback.services.followups import DAYS, FOLLOWING
from internships.models import Internship, InternshipQuerySet, Objective


def reached(*, baseline: Decimal, target: Decimal, actual: Decimal) -> bool:
    """Whether the actual value got to the target, whichever way the objective moves (up or down)."""
    return actual >= target if target > baseline else actual <= target


@dataclass(frozen=True)
class MetricRow:
    """One objective: its baseline and target, and the actual value at each follow-up (None: not recorded)."""

    objective: Objective
    actuals: dict[int, Decimal | None]

    @property
    def cells(self) -> list[Decimal | None]:
        return [self.actuals.get(day) for day in DAYS]

    @property
    def latest(self) -> tuple[int, Decimal] | None:
        """The most recent follow-up's (day, actual) for this objective."""
        recorded = [(day, value) for day, value in self.actuals.items() if value is not None]
        return max(recorded, key=lambda pair: pair[0], default=None)

    @property
    def met(self) -> bool | None:
        """Whether the latest actual reached the target; None while nothing is recorded."""
        latest = self.latest
        if latest is None:
            return None
        return reached(baseline=self.objective.baseline, target=self.objective.target, actual=latest[1])

    def series(self) -> MetricSeries:
        return MetricSeries(
            metric=self.objective.metric,
            baseline=self.objective.baseline,
            target=self.objective.target,
            actuals=[(FollowUp.Day(day).label, self.actuals.get(day)) for day in DAYS],
        )


def metric_rows(objectives: Iterable[Objective], follow_ups: Iterable[FollowUp]) -> list[MetricRow]:
    """Each objective's actuals by follow-up day, from follow-ups whose measurements are prefetched."""
    by_objective: dict[int, dict[int, Decimal | None]] = {}
    for follow_up in follow_ups:
        for measurement in follow_up.measurements.all():
            by_objective.setdefault(measurement.objective_id, {})[follow_up.day] = measurement.actual
    return [
        MetricRow(objective=objective, actuals=by_objective.get(objective.pk, {})) for objective in objectives
    ]


def follow_ups_of(internship: Internship) -> list[FollowUp]:
    """The internship's follow-ups, +30 first, with who recorded them, their measurements and any new need."""
    return list(
        FollowUp.objects.filter(internship=internship)
        .select_related("recorded_by", "new_need__practice")
        .prefetch_related("measurements")
        .order_by("day")
    )


def objectives_of(internship: Internship) -> list[Objective]:
    return list(Objective.objects.filter(internship=internship))


def reviews_of(internship: Internship) -> dict[int, ExchangeReview]:
    """The internship's exchange reviews by the id of the business that wrote each, with their ratings."""
    reviews = (
        ExchangeReview.objects.filter(internship=internship)
        .select_related("author")
        .prefetch_related("objective_ratings")
    )
    return {review.business_id: review for review in reviews}


# The host's impact.


@dataclass(frozen=True)
class HostedOutcome:
    """What one hosted internship came to: its metrics, its latest follow-up, the learner's review."""

    internship: Internship
    metrics: list[MetricRow]
    latest_follow_up: FollowUp | None
    review: ExchangeReview | None  # the learner's
    objective_ratings: dict[int, int] = field(default_factory=dict)  # the learner's, by objective id

    @property
    def rated(self) -> list[tuple[MetricRow, int | None]]:
        """Each objective's row with the learner's rating of it (None: not rated)."""
        return [(metric, self.objective_ratings.get(metric.objective.pk)) for metric in self.metrics]


def hosted(host: Business) -> InternshipQuerySet:
    """The completed internships the business hosted, the latest first."""
    return Internship.objects.filter(host=host, status__in=FOLLOWING).order_by("-end", "-pk")


def hosted_with_outcomes(host: Business) -> InternshipQuerySet:
    """The hosted internships with their businesses, practice and objectives (for `hosted_outcomes`)."""
    return hosted(host).select_related("learner", "offer__practice", "intern").prefetch_related("objectives")


def hosted_outcomes(internships: Iterable[Internship]) -> list[HostedOutcome]:
    """Each internship's outcome, in the same few queries however many internships there are."""
    internships = list(internships)
    ids = [internship.pk for internship in internships]
    follow_ups: dict[int, list[FollowUp]] = {}
    for follow_up in (
        FollowUp.objects.filter(internship_id__in=ids, recorded_at__isnull=False)
        .prefetch_related("measurements")
        .order_by("day")
    ):
        follow_ups.setdefault(follow_up.internship_id, []).append(follow_up)
    reviews = {
        review.internship_id: review
        for review in ExchangeReview.objects.filter(
            internship_id__in=ids, business_id=F("internship__learner_id")
        ).prefetch_related("objective_ratings")
    }
    outcomes = []
    for internship in internships:
        recorded = follow_ups.get(internship.pk, [])
        review = reviews.get(internship.pk)
        outcomes.append(
            HostedOutcome(
                internship=internship,
                metrics=metric_rows(internship.objectives.all(), recorded),
                latest_follow_up=recorded[-1] if recorded else None,
                review=review,
                objective_ratings=(
                    {rating.objective_id: rating.rating for rating in review.objective_ratings.all()}
                    if review
                    else {}
                ),
            )
        )
    return outcomes


@dataclass(frozen=True)
class Impact:
    """A host's figures across every internship it hosted (the page counts the internships themselves)."""

    reviews: int
    objectives_measured: int
    objectives_met: int
    adoption_answers: int
    adopted: int


def impact_of(host: Business) -> Impact:
    """The host's totals, in three queries: objectives met and adoption are as at each latest follow-up."""
    internships = hosted(host)
    latest: dict[int, tuple[int, bool]] = {}
    for objective_id, day, actual, baseline, target in Measurement.objects.filter(
        follow_up__internship__in=internships
    ).values_list("objective_id", "follow_up__day", "actual", "objective__baseline", "objective__target"):
        if objective_id not in latest or day > latest[objective_id][0]:
            latest[objective_id] = (day, reached(baseline=baseline, target=target, actual=actual))
    adoption: dict[int, tuple[int, bool | None]] = {}
    for internship_id, day, adopted in FollowUp.objects.filter(
        internship__in=internships, recorded_at__isnull=False
    ).values_list("internship_id", "day", "adopted"):
        if internship_id not in adoption or day > adoption[internship_id][0]:
            adoption[internship_id] = (day, adopted)
    answers = [adopted for _, adopted in adoption.values() if adopted is not None]
    return Impact(
        reviews=ExchangeReview.objects.filter(
            internship__in=internships, business_id=F("internship__learner_id")
        ).count(),
        objectives_measured=len(latest),
        objectives_met=sum(1 for _, met in latest.values() if met),
        adoption_answers=len(answers),
        adopted=sum(answers),
    )
