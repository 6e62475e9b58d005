"""The forms of the outcome pages: a side's exchange review (each objective and overall, 1–5, and a
testimonial) and a follow-up (each metric's actual value, adoption, and whether more help is needed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.text import capfirst

from businesses.forms.offers import TOO_LONG
from businesses.models import LEVELS
from feedback.charts_followups import number
from feedback.models import ExchangeReview, FollowUp
from feedback.services.followups import MoreHelp
from internships.models import Objective
from internships.work_forms import RATINGS

TESTIMONIAL_LENGTH = 1000
NOTES_LENGTH = 3000
YES_NO = [("yes", "Yes"), ("no", "No")]


def _rating_field(label: str, *, missing: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Choose a rating"), *RATINGS],
        coerce=int,
        help_text=help_text,
        error_messages={"required": missing, "invalid_choice": missing},
    )


def objective_key(objective: Objective) -> str:
    return f"objective_{objective.pk}"


class ExchangeReviewForm(forms.ModelForm):
    """A side's review: a rating per objective, an overall rating, and a testimonial."""

    rating = _rating_field(
        "Overall rating",
        missing="Rate the exchange overall from 1 (poor) to 5 (excellent).",
        help_text="How well the exchange worked for you, all things considered.",
    )
    testimonial = forms.CharField(
        label="Testimonial",
        max_length=TESTIMONIAL_LENGTH,
        strip=True,
        help_text="A few sentences other businesses can read: what worked, what you would tell them.",
        error_messages={**TOO_LONG, "required": "Write a short testimonial: a few sentences are enough."},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = ExchangeReview
        fields = ["rating", "testimonial"]

    def __init__(self, data: Any = None, *, objectives: Iterable[Objective], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.objectives = list(objectives)
        given: dict[int, int] = {}
        if self.instance.pk is not None:
            given = {one.objective_id: one.rating for one in self.instance.objective_ratings.all()}
        fields = {}
        for objective in self.objectives:
            fields[objective_key(objective)] = _rating_field(
                f"Objective: {objective.title}",
                missing=f"Rate “{objective.title}” from 1 (poor) to 5 (excellent).",
                # Help texts are drawn unescaped ({{ help_text|safe }}): the metric is escaped here.
                help_text=format_html(
                    "{}: {} → {}", objective.metric, number(objective.baseline), number(objective.target)
                ),
            )
            if objective.pk in given:
                self.initial[objective_key(objective)] = given[objective.pk]
        # The objectives come first: the overall rating sums them up.
        self.fields = {**fields, **self.fields}

    def objective_ratings(self) -> dict[int, int]:
        """The ratings by objective id, once the form is valid."""
        return {objective.pk: self.cleaned_data[objective_key(objective)] for objective in self.objectives}


class FollowUpForm(forms.ModelForm):
    """A follow-up: where each objective's metric stands, whether the practice is adopted, and whether more
    help is needed — then where the business stands now and what it wants, for the new need."""

    adopted = forms.TypedChoiceField(
        label="Is the practice adopted?",
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        help_text="Does your business now work this way, as part of its routine?",
        error_messages={
            "required": "Say whether the practice is adopted: yes or no.",
            "invalid_choice": "Say whether the practice is adopted: yes or no.",
        },
    )
    more_help_needed = forms.BooleanField(
        label="We need more help with this practice",
        required=False,
        help_text="We then open a new need for it, so that Peership looks for a host again.",
    )
    current_level = forms.TypedChoiceField(
        label="If more help is needed: where you stand now",
        coerce=int,
        required=False,
        help_text="Your level in the practice today; the new need aims for the level you aimed for before.",
    )
    help_wanted = forms.CharField(
        label="If more help is needed: the help you still need",
        required=False,
        max_length=NOTES_LENGTH,
        strip=True,
        error_messages=TOO_LONG,
        help_text="In your own words, for the next host: what should change?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NOTES_LENGTH,
        strip=True,
        error_messages=TOO_LONG,
        help_text="What helped, what got in the way.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = FollowUp
        fields = ["adopted", "more_help_needed", "notes"]

    def __init__(
        self,
        data: Any = None,
        *,
        objectives: Iterable[Objective],
        actuals: Mapping[int, Decimal] | None = None,
        target_level: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.objectives = list(objectives)
        self.target_level = target_level
        fields: dict[str, forms.Field] = {}
        for objective in self.objectives:
            fields[objective_key(objective)] = forms.DecimalField(
                label=f"{capfirst(objective.metric)} today",
                max_digits=12,
                decimal_places=2,
                help_text=format_html(
                    "“{}”: baseline {}, target {}.",
                    objective.title,
                    number(objective.baseline),
                    number(objective.target),
                ),
                error_messages={
                    "required": f"Say where “{objective.metric}” stands today, as a number.",
                    "invalid": f"Enter “{objective.metric}” as a number, e.g. 12 or 12.5.",
                },
            )
            if actuals and objective.pk in actuals:
                self.initial[objective_key(objective)] = actuals[objective.pk]
        self.fields = {**fields, **self.fields}
        self.order_fields([*fields, "adopted", "more_help_needed", "current_level", "help_wanted", "notes"])
        level = self.fields["current_level"]
        assert isinstance(level, forms.TypedChoiceField)
        level.choices = [("", "Choose a level"), *(choice for choice in LEVELS if choice[0] < target_level)]
        level.error_messages["invalid_choice"] = (
            f"Choose a level below the one you aimed for ({target_level}): "
            "a new need looks for help to reach it."
        )
        # A follow-up recorded before shows its answers, to be corrected.
        if self.instance.adopted is not None:
            self.initial["adopted"] = "yes" if self.instance.adopted else "no"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A need opened by an earlier recording of this follow-up is kept: nothing more to say for it.
        if cleaned.get("more_help_needed") and self.instance.new_need_id is None:
            if not cleaned.get("current_level"):
                self.add_error("current_level", "Say where you stand now, for the new need.")
            if not cleaned.get("help_wanted"):
                self.add_error("help_wanted", "Say what help you still need, for the new need.")
        return cleaned

    def actuals(self) -> dict[int, Decimal]:
        """The measured values by objective id, once the form is valid."""
        return {objective.pk: self.cleaned_data[objective_key(objective)] for objective in self.objectives}

    def more_help(self) -> MoreHelp | None:
        """What the new need says, when more help is needed (None when not, or when opened already)."""
        if not self.cleaned_data.get("more_help_needed"):
            return None
        return MoreHelp(
            current_level=self.cleaned_data.get("current_level") or 0,
            outcome=self.cleaned_data.get("help_wanted") or "",
        )
