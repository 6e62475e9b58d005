"""The need form."""

from __future__ import annotations

from typing import Any

from django import forms

from businesses.forms.offers import (
    TOO_LONG,
    date_input,
    days_field,
    group_practices,
    keep_within_reach,
    prompt_for_level,
)
from businesses.models import Need

OUTCOME_LENGTH = 2000


class NeedForm(forms.ModelForm):
    preferred_days = days_field(
        "Preferred length (days)",
        initial=5,
        help_text="How many working days an intern could spend with a host.",
    )
    outcome = forms.CharField(
        label="The outcome you want",
        max_length=OUTCOME_LENGTH,
        error_messages=TOO_LONG,
        help_text="In your own words: what should change?",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Need
        fields = [
            "practice",
            "current_level",
            "target_level",
            "outcome",
            "urgency",
            "earliest_start",
            "preferred_days",
        ]
        labels = {
            "current_level": "Where you stand today",
            "target_level": "Where you want to be",
            "earliest_start": "Earliest start",
        }
        widgets = {
            "urgency": forms.RadioSelect,
            "earliest_start": date_input(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_practices(self.fields["practice"])
        prompt_for_level(self.fields["current_level"])
        prompt_for_level(self.fields["target_level"])
        keep_within_reach(self, "earliest_start")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        current, target = cleaned.get("current_level"), cleaned.get("target_level")
        if current and target and target <= current:
            self.add_error("target_level", f"Aim above where you stand today (level {current}).")
        return cleaned
