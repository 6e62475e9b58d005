"""The forms of an internship's work and completion: a task, marking it done, reviewing it, the plan with
its steps, the sending business's decision on the plan, and the mentor's final assessment."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from businesses.forms.offers import TOO_LONG, date_input, keep_within_reach
from internships.models import ImplementationPlan, Internship, Objective, PlanStep, Task
from internships.services.plans import Step
from internships.services.work import day

# The models' texts are unlimited TextFields; the forms keep them to what a reader takes in.
TEXT_LENGTH = 3000
MAX_STEPS = 30
RATINGS = [(5, "5 — excellent"), (4, "4 — good"), (3, "3 — adequate"), (2, "2 — weak"), (1, "1 — poor")]


def rating_field(*, missing: str) -> forms.TypedChoiceField:
    """A mentor's 1–5 rating as radio buttons (of a task here, of a week in feedback/)."""
    return forms.TypedChoiceField(
        label="Rating",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": missing, "invalid_choice": missing},
    )


def _text(label: str, *, missing: str = "", rows: int = 3, help_text: str = "") -> forms.CharField:
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


class TaskForm(forms.ModelForm):
    """A task the mentor gives: its due date must fall inside the internship."""

    good_looks_like = _text(
        "What good looks like",
        help_text="How you will judge it, so the intern knows when it is done well.",
        missing="Say what a good result looks like.",
    )

    class Meta:
        model = Task
        fields = ["title", "good_looks_like", "due"]
        labels = {"title": "Task", "due": "Due on"}
        widgets = {"due": date_input()}
        error_messages = {
            "title": {"required": "Give the task a title."},
            "due": {"required": "Choose the day it is due.", "invalid": "Enter a date, e.g. 2026-03-14."},
        }

    def __init__(self, data: Any = None, *, internship: Internship, **kwargs: Any) -> None:
        super().__init__(data, prefix="task", **kwargs)
        self.internship = internship
        self.fields["due"].help_text = f"Between {day(internship.start)} and {day(internship.end)}."

    def clean_due(self) -> Any:
        due = self.cleaned_data["due"]
        start, end = self.internship.start, self.internship.end
        if not start <= due <= end:
            raise forms.ValidationError(f"Choose a day inside the internship: {day(start)} to {day(end)}.")
        return due


class TaskDoneForm(forms.Form):
    note = _text(
        "What you did",
        help_text="A few lines for your mentor: what you made, where to find it, what you learned.",
        missing="Say what you did: a note is required.",
    )

    def __init__(self, data: Any = None, *, task: Task, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"done-{task.pk}", **kwargs)


class TaskReviewForm(forms.Form):
    rating = rating_field(missing="Rate the task from 1 to 5.")
    comment = _text(
        "Your review",
        help_text="What went well, and what to do differently next time.",
        missing="Say what went well and what to improve: a comment is required.",
    )

    def __init__(self, data: Any = None, *, task: Task, **kwargs: Any) -> None:
        super().__init__(data, prefix=f"review-{task.pk}", **kwargs)


class PlanForm(forms.ModelForm):
    summary = _text(
        "Summary",
        rows=4,
        help_text="What you will change back at your business, and why, in a few sentences.",
    )

    class Meta:
        model = ImplementationPlan
        fields = ["summary"]


class PlanStepForm(forms.ModelForm):
    class Meta:
        model = PlanStep
        fields = ["action", "owner", "due", "kpi", "objective"]
        labels = {
            "action": "Action",
            "owner": "Owner",
            "due": "Due on",
            "kpi": "KPI it moves",
            "objective": "Objective (optional)",
        }
        help_texts = {
            "owner": "Who does it, e.g. you, or the sales lead.",
            "kpi": "e.g. organic leads per month.",
        }
        widgets = {"due": date_input()}
        error_messages = {
            "action": {"required": "Say what will be done."},
            "owner": {"required": "Say who does it."},
            "due": {"required": "Choose when it is due.", "invalid": "Enter a date, e.g. 2026-03-14."},
            "kpi": {"required": "Name the KPI this step moves."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep_within_reach(self, "due")


class BasePlanStepFormSet(BaseInlineFormSet):
    """The plan's steps: the objective choices are the internship's own, read once for every row."""

    default_error_messages = {"too_many_forms": "Keep to %(num)d steps at most: the ones that matter."}

    internship: Internship

    def __init__(self, *args: Any, internship: Internship, **kwargs: Any) -> None:
        self.internship = internship
        self.objectives = list(Objective.objects.filter(internship=internship))
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        objective = form.fields["objective"]
        assert isinstance(objective, forms.ModelChoiceField)
        objective.queryset = Objective.objects.filter(internship=self.internship)
        # Every row shares the list read once, rather than querying it per row.
        objective.choices = [("", "None"), *((o.pk, str(o)) for o in self.objectives)]
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this step"

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            due = form.cleaned_data.get("due")
            if due and due < self.internship.start:
                form.add_error(
                    "due", f"A step is due after the internship starts ({day(self.internship.start)})."
                )

    def steps(self) -> list[Step]:
        """The kept rows, once valid, in the order shown."""
        return [
            Step(
                action=form.cleaned_data["action"],
                owner=form.cleaned_data["owner"],
                due=form.cleaned_data["due"],
                kpi=form.cleaned_data["kpi"],
                objective_id=form.cleaned_data["objective"].pk
                if form.cleaned_data.get("objective")
                else None,
            )
            for form in self.forms
            if form.cleaned_data.get("action") and not form.cleaned_data.get("DELETE")
        ]


PlanStepFormSet = cast(
    type[BasePlanStepFormSet],
    inlineformset_factory(
        ImplementationPlan,
        PlanStep,
        form=PlanStepForm,
        formset=BasePlanStepFormSet,
        extra=1,
        can_delete=True,
        # A forged TOTAL_FORMS would otherwise make the server build and draw up to 2,000 rows.
        max_num=MAX_STEPS,
        validate_max=True,
        absolute_max=MAX_STEPS,
    ),
)


class ApprovePlanForm(forms.Form):
    note = _text(
        "Note (optional)",
        help_text="Kept in the internship's timeline, e.g. what you will start with.",
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="approve", **kwargs)


class PlanChangesForm(forms.Form):
    feedback = _text(
        "What should change",
        help_text="The intern sees this, changes the plan and submits it again.",
        missing="Say what should change: your feedback is required.",
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="changes", **kwargs)


class FinalAssessmentForm(forms.Form):
    assessment = _text(
        "Your final assessment",
        rows=5,
        help_text="How the intern did against the objectives, their strengths, and what to keep practising.",
        missing="Write your assessment: it cannot be empty.",
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, prefix="assessment", **kwargs)
