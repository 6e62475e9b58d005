"""The moderation forms: the queue's filters, approving and rejecting a match, bulk approval, and
verifying a business."""

from __future__ import annotations

from typing import Any

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from businesses.filters import FilterForm
from businesses.forms.offers import TOO_LONG
from businesses.models import Department
from internships.models import Match

NOTE_LENGTH = 2000
# A page of the queue holds 25 items; a bulk approval of more ids than a few pages is not a person's.
BULK_MAX = 200


def _note_field(label: str, *, required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_LENGTH,
        strip=True,
        help_text=help_text,
        error_messages={**TOO_LONG, "required": "Say why: a reason is required."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _PlainForm(forms.Form):
    """A form the template wraps in its own <form> tag and button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ApproveForm(_PlainForm):
    note = _note_field(
        "Note (optional)",
        required=False,
        help_text="Kept in the match's history for other moderators; the businesses do not see it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="approve", **kwargs)


class RejectForm(_PlainForm):
    reason = _note_field(
        "Reason",
        required=True,
        help_text="Why these two should not be paired, e.g. they compete for the same customers. "
        "Kept in the match's history; the businesses are never told of a rejected proposal.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="reject", **kwargs)


class VerifyBusinessForm(_PlainForm):
    note = _note_field(
        "Note (optional)",
        required=False,
        help_text="What you checked, e.g. the website and the registration number.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="verify", **kwargs)


class RejectBusinessForm(_PlainForm):
    reason = _note_field(
        "Reason",
        required=True,
        help_text="Shown to the business's members on its profile: say what to correct.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="reject", **kwargs)


class MatchIdsField(forms.Field):
    """Several match ids from checkboxes of the same name."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Select at least one match to approve.",
        "invalid": "The selection could not be read: reload the queue and select again.",
        "too_many": "Select at most %(limit)d matches at a time.",
    }

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            ids = list(dict.fromkeys(int(item) for item in values))
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > BULK_MAX:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": BULK_MAX}
            )
        return ids


class BulkApproveForm(forms.Form):
    matches = MatchIdsField()


class QueueFilter(django_filters.FilterSet):
    """The moderation queue's filters, over pending matches."""

    flagged = django_filters.ChoiceFilter(
        label="Flags",
        method="filter_flagged",
        choices=[("yes", "Flagged only"), ("no", "Unflagged only")],
        empty_label="Flagged or not",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Match.Kind.choices, empty_label="All kinds")
    department = django_filters.ModelChoiceFilter(
        label="Department",
        queryset=Department.objects.all(),
        method="filter_department",
        empty_label="All departments",
    )
    city = django_filters.CharFilter(label="City", method="filter_city", max_length=100)

    class Meta:
        model = Match
        fields = ["flagged", "kind", "department", "city"]
        form = FilterForm

    def filter_flagged(self, queryset: QuerySet[Match], name: str, value: str) -> QuerySet[Match]:
        if value == "yes":
            return queryset.filter(risk__gt=0)
        if value == "no":
            return queryset.filter(risk=0)
        return queryset

    def filter_department(self, queryset: QuerySet[Match], name: str, value: Department) -> QuerySet[Match]:
        # The practice taught may be a related one, in another department: either side counts.
        return queryset.filter(Q(offer__practice__department=value) | Q(need__practice__department=value))

    def filter_city(self, queryset: QuerySet[Match], name: str, value: str) -> QuerySet[Match]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(learner__city__iexact=value) | Q(host__city__iexact=value))
