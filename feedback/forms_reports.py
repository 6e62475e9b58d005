"""The intern's weekly report (with progress 1–5 on each objective) and the mentor's review of it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html

from businesses.forms.offers import TOO_LONG
from feedback.models import WeeklyReport, WeeklyReview
from internships.models import Objective
from internships.work_forms import TEXT_LENGTH, rating_field

PROGRESS = [
    (1, "1 — not started"),
    (2, "2 — first steps"),
    (3, "3 — halfway"),
    (4, "4 — nearly there"),
    (5, "5 — achieved"),
]
HOURS_MESSAGE = "Enter the hours you spent on the internship this week, from 0 to 168, e.g. 37.5."


def text_field(label: str, *, missing: str = "", rows: int = 3, help_text: str = "") -> forms.CharField:
    """A text area; required when `missing` says what to write."""
    return forms.CharField(
        label=label,
        required=bool(missing),
        max_length=TEXT_LENGTH,
        strip=True,
        help_text=help_text,
        error_messages={**TOO_LONG, "required": missing},
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def progress_field_name(objective: Objective) -> str:
    return f"progress_{objective.pk}"


class WeeklyReportForm(forms.ModelForm):
    """The week's report: texts, hours, and one progress field per objective of the internship."""

    learned = text_field(
        "What I learned",
        rows=4,
        help_text="The ideas and skills you picked up this week.",
        missing="Say what you learned this week.",
    )
    tasks_done = text_field(
        "Tasks done",
        help_text="What you worked on and finished.",
        missing="List the tasks you did this week.",
    )
    blockers = text_field(
        "Blockers (optional)", help_text="Anything that held you up, so your mentor can help."
    )
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal(0),
        max_value=Decimal(168),
        max_digits=4,
        decimal_places=1,
        help_text="Time spent on the internship this week.",
        error_messages={
            "required": HOURS_MESSAGE,
            "invalid": HOURS_MESSAGE,
            "min_value": HOURS_MESSAGE,
            "max_value": HOURS_MESSAGE,
            "max_digits": HOURS_MESSAGE,
            "max_decimal_places": "Give the hours to one decimal place at most, e.g. 37.5.",
            "max_whole_digits": HOURS_MESSAGE,
        },
    )

    class Meta:
        model = WeeklyReport
        fields = ["learned", "tasks_done", "blockers", "hours"]

    def __init__(
        self,
        data: Any = None,
        *,
        objectives: Sequence[Objective],
        report: WeeklyReport | None = None,
        **kwargs: Any,
    ) -> None:
        """`report`, when given, fills the form for editing; the service writes the row, not the form."""
        initial: dict[str, Any] = {}
        if report is not None:
            initial = {
                "learned": report.learned,
                "tasks_done": report.tasks_done,
                "blockers": report.blockers,
                "hours": report.hours,
            }
            for row in report.progress.all():
                initial[f"progress_{row.objective_id}"] = row.progress
        super().__init__(data, prefix="report", initial=initial, **kwargs)
        self.objectives = list(objectives)
        for objective in self.objectives:
            message = f"Rate your progress on “{objective.title}” from 1 to 5."
            self.fields[progress_field_name(objective)] = forms.TypedChoiceField(
                label=f"Progress on “{objective.title}”",
                choices=PROGRESS,
                coerce=int,
                widget=forms.RadioSelect,
                # Help texts are drawn unescaped ({{ help_text|safe }}): the metric is escaped here.
                help_text=format_html("Measured by {}.", objective.metric),
                error_messages={"required": message, "invalid_choice": message},
            )

    def progress(self) -> dict[int, int]:
        """Objective id → progress, once the form is valid."""
        return {
            objective.pk: self.cleaned_data[progress_field_name(objective)] for objective in self.objectives
        }

    def progress_fields(self) -> list[forms.BoundField]:
        return [self[progress_field_name(objective)] for objective in self.objectives]


class WeeklyReviewForm(forms.ModelForm):
    rating = rating_field(missing="Rate the week from 1 to 5.")
    comment = text_field(
        "Your review",
        rows=4,
        help_text="What went well this week, and what to focus on next. The intern reads it.",
        missing="Write a comment: what went well and what to improve.",
    )

    class Meta:
        model = WeeklyReview
        fields = ["rating", "comment"]

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="review", **kwargs)
