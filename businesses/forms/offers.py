"""The offer form with its blackout dates, and the practice, level and length fields the need form shares."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.formats import date_format

from businesses.models import LEVELS, Blackout, Offer, Practice
from businesses.services.offers import BlackoutDates

# The models' texts are unlimited TextFields; the forms keep them to what a reader takes in.
DESCRIPTION_LENGTH = 3000
TOO_LONG = {"max_length": "Keep it to %(limit_value)d characters or fewer: this text has %(show_value)d."}
MAX_BLACKOUTS = 50


def date_input() -> forms.DateInput:
    # The browser's date picker wants ISO dates whatever the locale.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5


def within_reach(value: datetime.date) -> None:
    """A date from 2000 to five years ahead: anything else is a slip of the keyboard (20226, 0226).

    It also keeps the calendar arithmetic of an internship possible: one ending on 31 December 9999
    has no next day for its calendar, its weeks or its follow-ups."""
    latest = timezone.localdate() + datetime.timedelta(days=365 * YEARS_AHEAD)
    if not EARLIEST_DATE <= value <= latest:
        first, last = date_format(EARLIEST_DATE, "j F Y"), date_format(latest, "j F Y")
        raise ValidationError(f"Choose a date between {first} and {last}.", code="out_of_reach")


def keep_within_reach(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        form.fields[name].validators.append(within_reach)


def days_field(label: str, *, initial: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=365,
        initial=initial,
        help_text=help_text,
        error_messages={"min_value": "An internship lasts at least one day."},
    )


def group_practices(field: forms.Field) -> None:
    """The practice select grouped by department, from one query."""
    assert isinstance(field, forms.ModelChoiceField)
    groups: dict[str, list[tuple[int, str]]] = {}
    for practice in Practice.objects.select_related("department").order_by(
        "department__position", "department__name", "name"
    ):
        groups.setdefault(practice.department.name, []).append((practice.pk, practice.name))
    field.choices = [("", "Choose a practice"), *groups.items()]


def prompt_for_level(field: forms.Field) -> None:
    """An empty level select says what to do, not "---------"."""
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", "Choose a level"), *LEVELS]


class OfferForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label="Interns at a time",
        min_value=1,
        max_value=50,
        initial=1,
        help_text="How many interns you can take at the same time.",
        error_messages={"min_value": "Take at least one intern at a time."},
    )
    min_days = days_field("Shortest placement (days)", initial=3)
    max_days = days_field("Longest placement (days)", initial=10)
    description = forms.CharField(
        label="What an intern will do and learn",
        max_length=DESCRIPTION_LENGTH,
        error_messages=TOO_LONG,
        help_text="The tasks an intern will do with you, and what they can do afterwards.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Offer
        fields = [
            "practice",
            "level",
            "description",
            "capacity",
            "mode",
            "available_from",
            "available_until",
            "min_days",
            "max_days",
        ]
        labels = {
            "level": "Your level in it",
            "available_from": "Available from",
            "available_until": "Available until",
            "mode": "Where the intern works",
        }
        widgets = {
            "mode": forms.RadioSelect,
            "available_from": date_input(),
            "available_until": date_input(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_practices(self.fields["practice"])
        prompt_for_level(self.fields["level"])
        keep_within_reach(self, "available_from", "available_until")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("available_from"), cleaned.get("available_until")
        min_days, max_days = cleaned.get("min_days"), cleaned.get("max_days")
        if start and end and end <= start:
            self.add_error("available_until", "The window must end after it starts.")
            end = None
        if min_days and max_days is not None and max_days < min_days:
            self.add_error(
                "max_days", f"The longest placement cannot be shorter than the shortest ({min_days} days)."
            )
        elif start and end and max_days and max_days > (end - start).days:
            self.add_error(
                "max_days",
                f"Your window is {(end - start).days} days long: the longest placement must fit in it.",
            )
        return cleaned


class BlackoutForm(forms.ModelForm):
    class Meta:
        model = Blackout
        fields = ["start", "end", "reason"]
        labels = {"start": "Unavailable from", "end": "Unavailable until", "reason": "Reason (optional)"}
        widgets = {"start": date_input(), "end": date_input()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The formset's empty row is optional: the dates are required only once a row is used.
        self.fields["start"].required = False
        self.fields["end"].required = False
        keep_within_reach(self, "start", "end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, "Give both dates, or leave the whole row empty.")
        if start and end and end < start:
            self.add_error("end", "The last unavailable day cannot be before the first.")
        return cleaned


class BaseBlackoutFormSet(BaseInlineFormSet):
    """Blackouts must lie inside the offer's window, which the offer form says."""

    default_error_messages = {"too_many_forms": "Keep to %(num)d unavailable periods at most."}
    window: tuple[datetime.date, datetime.date] | None = None

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove these dates"

    def clean(self) -> None:
        super().clean()
        if self.window is None:
            return
        start, end = self.window
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            first, last = form.cleaned_data.get("start"), form.cleaned_data.get("end")
            if first and first < start:
                form.add_error("start", f"Outside the window: it opens on {start:%d %b %Y}.")
            if last and last > end:
                form.add_error("end", f"Outside the window: it closes on {end:%d %b %Y}.")

    def dates(self) -> list[BlackoutDates]:
        """The kept rows, once valid."""
        return [
            BlackoutDates(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data.get("reason", ""),
            )
            for form in self.forms
            if form.cleaned_data.get("start") and not form.cleaned_data.get("DELETE")
        ]


BlackoutFormSet = cast(
    type[BaseBlackoutFormSet],
    inlineformset_factory(
        Offer,
        Blackout,
        form=BlackoutForm,
        formset=BaseBlackoutFormSet,
        extra=1,
        can_delete=True,
        # The page adds one empty row per save; a posted row count is capped, or a forged one
        # (TOTAL_FORMS=100000) makes the server build and draw 2,000 rows.
        max_num=MAX_BLACKOUTS,
        validate_max=True,
        absolute_max=MAX_BLACKOUTS,
    ),
)


def offer_forms_valid(form: OfferForm, blackouts: BaseBlackoutFormSet) -> bool:
    """Validate the offer first: its window is what the blackouts are checked against."""
    offer_valid = form.is_valid()
    start, end = form.cleaned_data.get("available_from"), form.cleaned_data.get("available_until")
    if start and end and end > start:
        blackouts.window = (start, end)
    return blackouts.is_valid() and offer_valid
