"""The forms of an internship request and its answers: the request with its objectives, the host's
accept, decline and other dates, the learner's answer to other dates, and cancelling."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from accounts.models import User
from businesses.forms.offers import TOO_LONG, date_input, within_reach
from businesses.models import Business, Offer
from internships.models import Internship
from internships.selectors.requests import date_problems
from internships.services.requests import ObjectiveData

TEXT_LENGTH = 2000
MAX_OBJECTIVES = 10


def _text_field(label: str, *, required: bool, help_text: str, required_message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LENGTH,
        strip=True,
        help_text=help_text,
        error_messages={**TOO_LONG, "required": required_message or "This field is required."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=date_input(),
        help_text=help_text,
        error_messages={"required": "Give a date.", "invalid": "Give a date, e.g. 2026-03-09."},
        validators=[within_reach],
    )


class _PlainForm(forms.Form):
    """A form the template wraps in its own <form> tag and button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its token


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user = cast(User, obj)
        return f"{user.name} ({user.email})" if user.name else user.email


def _members_of(business: Business) -> Any:
    return User.objects.filter(memberships__business=business, is_active=True).order_by("name", "email")


class _DatesForm(_PlainForm):
    """Dates checked against the offer: its window, its shortest and longest stays, its blackouts."""

    offer: Offer

    def check_dates(self, cleaned: dict[str, Any]) -> None:
        start, end = cleaned.get("start"), cleaned.get("end")
        if not (start and end):
            return
        for problem in date_problems(self.offer, start, end, today=timezone.localdate()):
            self.add_error(problem.field, problem.message)


class RequestForm(_DatesForm):
    intern = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="The colleague you send",
        empty_label="Choose a colleague",
    )
    intern_email = forms.EmailField(
        label="Or invite a colleague by email",
        required=False,
        help_text="Not on Peership yet? We email them an invitation to join your business as an employee; "
        "you confirm the internship once they have joined.",
        error_messages={"invalid": "Give a whole email address, e.g. neha@example.com."},
    )
    start = _date_field("First day")
    end = _date_field("Last day")
    message = _text_field(
        "Message to the host",
        required=True,
        help_text="Who you send, what they already know, what you hope they bring back.",
        required_message="Write a few words to the host: who you send and what you hope to learn.",
    )

    def __init__(self, *args: Any, offer: Offer, learner: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer, self.learner = offer, learner
        intern = cast(forms.ModelChoiceField, self.fields["intern"])
        intern.queryset = _members_of(learner)
        intern.error_messages["invalid_choice"] = (
            f"Choose one of {learner.name}'s members: this person is not a member. "
            "To send someone new, invite them by email."
        )
        self.fields["message"].label = f"Message to {offer.business.name}"
        # Help texts are drawn unescaped ({{ help_text|safe }}): the business's name is escaped here.
        self.fields["start"].help_text = format_html(
            "{} takes interns from {} to {}.",
            offer.business.name,
            date_format(offer.available_from, "j F Y"),
            date_format(offer.available_until, "j F Y"),
        )
        self.fields[
            "end"
        ].help_text = f"Between {offer.min_days} and {offer.max_days} days, both ends included."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        intern, email = cleaned.get("intern"), cleaned.get("intern_email")
        if intern and email:
            self.add_error("intern_email", "Choose a colleague or invite one by email, not both.")
        elif not intern and not email and "intern" not in self.errors and "intern_email" not in self.errors:
            self.add_error("intern", "Choose the colleague you send, or invite one by email.")
        self.check_dates(cleaned)
        return cleaned


class ObjectiveForm(forms.Form):
    title = forms.CharField(
        label="Objective",
        max_length=200,
        error_messages={**TOO_LONG, "required": "Name the objective, e.g. more organic leads."},
    )
    metric = forms.CharField(
        label="What you will measure",
        max_length=120,
        help_text="e.g. organic leads per month",
        error_messages={**TOO_LONG, "required": "Say what you will measure, e.g. organic leads per month."},
    )
    baseline = forms.DecimalField(
        label="Today",
        max_digits=12,
        decimal_places=2,
        error_messages={"required": "Give the baseline: where you are today (0 if you start from nothing)."},
    )
    target = forms.DecimalField(
        label="Target",
        max_digits=12,
        decimal_places=2,
        error_messages={"required": "Give the target: the number you want to reach."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        baseline, target = cleaned.get("baseline"), cleaned.get("target")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target", "The target must differ from today's number: what should change?")
        return cleaned


class BaseObjectiveFormSet(BaseFormSet):
    default_error_messages = {
        "too_few_forms": (
            "Write at least one objective, with what you will measure, today's number and the target."
        ),
        "too_many_forms": "Keep to %(num)d objectives at most: the few that matter.",
    }

    def objectives(self) -> list[ObjectiveData]:
        """The filled rows, once valid."""
        return [
            ObjectiveData(
                title=form.cleaned_data["title"],
                metric=form.cleaned_data["metric"],
                baseline=form.cleaned_data["baseline"],
                target=form.cleaned_data["target"],
            )
            for form in self.forms
            if form.cleaned_data
        ]


ObjectiveFormSet = cast(
    type[BaseObjectiveFormSet],
    formset_factory(
        ObjectiveForm,
        formset=BaseObjectiveFormSet,
        extra=2,
        min_num=1,
        validate_min=True,
        max_num=MAX_OBJECTIVES,
        validate_max=True,
        # Without it a forged TOTAL_FORMS makes the server build up to 1,010 forms.
        absolute_max=MAX_OBJECTIVES,
    ),
)


# The host's answer.


class AcceptForm(_PlainForm):
    mentor = PersonChoiceField(
        queryset=User.objects.none(),
        label="Mentor",
        empty_label="Choose a mentor",
        help_text="The colleague who gives the intern tasks and feedback.",
        error_messages={"required": "Name the intern's mentor: one of your colleagues."},
    )

    def __init__(self, *args: Any, internship: Internship, **kwargs: Any) -> None:
        super().__init__(*args, prefix="accept", **kwargs)
        mentor = cast(forms.ModelChoiceField, self.fields["mentor"])
        mentor.queryset = _members_of(internship.host).exclude(pk=internship.intern_id)
        mentor.error_messages["invalid_choice"] = (
            f"Choose the mentor among {internship.host.name}'s members: this person is not one."
        )


class DeclineForm(_PlainForm):
    reason = _text_field(
        "Why you decline",
        required=True,
        help_text="The requesting business reads it: a reason helps them ask again, or ask elsewhere.",
        required_message="Say why you decline: the requesting business will read it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="decline", **kwargs)


class CounterForm(_DatesForm):
    start = _date_field("First day")
    end = _date_field("Last day")
    note = _text_field(
        "Note (optional)", required=False, help_text="Why these dates suit you better, for example."
    )

    def __init__(self, *args: Any, internship: Internship, **kwargs: Any) -> None:
        super().__init__(*args, prefix="counter", **kwargs)
        self.offer, self.internship = internship.offer, internship

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start, end) == (self.internship.start, self.internship.end):
            self.add_error(
                "start", "These are the requested dates: accept the request, or choose other dates."
            )
        else:
            self.check_dates(cleaned)
        return cleaned


# The learner's answer to other dates; cancelling.


class CounterDeclineForm(_PlainForm):
    reason = _text_field(
        "Why the dates do not suit you (optional)",
        required=False,
        help_text="The host reads it. Declining the dates cancels the request.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="counter_decline", **kwargs)


class CancelForm(_PlainForm):
    reason = _text_field(
        "Why you cancel",
        required=True,
        help_text="The other business, the intern and the mentor read it.",
        required_message="Say why you cancel: the other business, the intern and the mentor will read it.",
    )
