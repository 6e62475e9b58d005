"""The self-assessment grid: one group of fields (level, can host, wants to learn) per practice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from businesses.models import LEVELS, Assessment, Department, Practice
from businesses.services.assessment import HOST_MIN_LEVEL, LEARN_MAX_LEVEL, Rating

LEVEL_CHOICES = [("", "Not assessed"), *((str(value), label) for value, label in LEVELS)]


@dataclass(frozen=True)
class Row:
    """One practice of the grid, as the template draws it."""

    practice: Practice
    level: forms.BoundField
    can_host: forms.BoundField
    wants_to_learn: forms.BoundField

    @property
    def selected_level(self) -> str:
        """The level as the select's option value ("" when not assessed)."""
        value = self.level.value()
        return "" if value in (None, "") else str(value)

    @property
    def level_label(self) -> str:
        return dict(LEVEL_CHOICES)[self.selected_level]

    @property
    def errors(self) -> list[str]:
        return [*self.level.errors, *self.can_host.errors, *self.wants_to_learn.errors]


@dataclass(frozen=True)
class Section:
    department: Department
    rows: list[Row]


class AssessmentForm(forms.Form):
    """Fields level_<practice id>, host_<practice id> and learn_<practice id> for every practice."""

    # A hand-built form rather than a formset: the grid always has every practice, and one
    # form validates the whole page in one pass with no per-row management data.

    level_choices = LEVEL_CHOICES

    def __init__(
        self,
        *args: Any,
        practices: Sequence[Practice],
        assessments: Iterable[Assessment] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.practices = practices
        current = {a.practice_id: a for a in assessments}
        for practice in practices:
            assessment = current.get(practice.pk)
            self.fields[f"level_{practice.pk}"] = forms.TypedChoiceField(
                label=f"Maturity in {practice.name}",
                choices=LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=assessment.level if assessment else "",
            )
            self.fields[f"host_{practice.pk}"] = forms.BooleanField(
                label=f"We can host an intern in {practice.name}",
                required=False,
                initial=assessment.can_host if assessment else False,
            )
            self.fields[f"learn_{practice.pk}"] = forms.BooleanField(
                label=f"We want to learn {practice.name}",
                required=False,
                initial=assessment.wants_to_learn if assessment else False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for practice in self.practices:
            level = cleaned.get(f"level_{practice.pk}")
            if cleaned.get(f"host_{practice.pk}") and (level is None or level < HOST_MIN_LEVEL):
                self.add_error(
                    f"host_{practice.pk}",
                    "You can host what you do well: rate it 4 or 5 to offer it, or untick “we can host”.",
                )
            if cleaned.get(f"learn_{practice.pk}"):
                if level is None:
                    self.add_error(
                        f"learn_{practice.pk}",
                        "Rate where you stand today (1 to 3) so a host knows where to start.",
                    )
                elif level > LEARN_MAX_LEVEL:
                    self.add_error(
                        f"learn_{practice.pk}",
                        "You rate it 4 or 5 already: lower the rating or untick “we want to learn”.",
                    )
        return cleaned

    def ratings(self) -> dict[int, Rating]:
        """The valid grid, keyed by practice id."""
        return {
            practice.pk: Rating(
                level=self.cleaned_data[f"level_{practice.pk}"],
                can_host=self.cleaned_data[f"host_{practice.pk}"],
                wants_to_learn=self.cleaned_data[f"learn_{practice.pk}"],
            )
            for practice in self.practices
        }

    def invalid_practices(self) -> list[Practice]:
        """The practices whose row has an error, to list them above the grid."""
        failed = {name.split("_", 1)[1] for name in self.errors}
        return [practice for practice in self.practices if str(practice.pk) in failed]

    def sections(self) -> list[Section]:
        """The grid by department, in the practices' order."""
        sections: list[Section] = []
        for practice in self.practices:
            if not sections or sections[-1].department.pk != practice.department_id:
                sections.append(Section(department=practice.department, rows=[]))
            sections[-1].rows.append(
                Row(
                    practice=practice,
                    level=self[f"level_{practice.pk}"],
                    can_host=self[f"host_{practice.pk}"],
                    wants_to_learn=self[f"learn_{practice.pk}"],
                )
            )
        return sections
