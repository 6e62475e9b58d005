"""exchange.crispy_fields writes crispy-bootstrap5's form and field templates in Python: the same markup
as crispy's templates (whitespace aside), for the internship page's forms and every kind of field it
writes, bound and unbound, with errors and hostile values."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.utils.safestring import mark_safe

from exchange.crispy_fields import crispy_field, crispy_form
from internships.models import Internship, Task
from internships.work_forms import (
    ApprovePlanForm,
    FinalAssessmentForm,
    PlanChangesForm,
    TaskDoneForm,
    TaskForm,
    TaskReviewForm,
)

HOSTILE = "\"><script>alert(1)</script> & 'quotes' {{ x }}"


def same(html: str) -> str:
    """The markup with each run of whitespace as one space: whitespace aside."""
    return re.sub(r"\s+", " ", str(html)).strip()


class EveryKindForm(forms.Form):
    """Each kind of field crispy_fields writes, with labels, help texts and choices that need escaping."""

    error_css_class = "has-error"
    required_css_class = "is-required"

    text = forms.CharField(label=f"Text {HOSTILE}", max_length=20, help_text="Help <em>marked up</em>")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": "special"}))
    number = forms.IntegerField(required=False, label="")
    # A help text is written as it is (crispy marks it safe): it is the developer's, never a user's.
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Day & <i>time</i>")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "class": "textarea wide"}))
    choice = forms.ChoiceField(choices=[("", "Pick"), ("a", f"A {HOSTILE}"), ("b", "B")])
    grouped = forms.ChoiceField(
        required=False,
        choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("Group 2", [("3", HOSTILE)])],
    )
    several = forms.MultipleChoiceField(required=False, choices=[("x", "X"), ("y", "Y & Z")])
    rating = forms.TypedChoiceField(
        choices=[(5, "5 — excellent"), (4, f"4 {HOSTILE}")],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Rate <b>it</b>",
    )
    grouped_radio = forms.ChoiceField(
        required=False,
        choices=[("G1", [("1", "One")]), ("G2", [("2", "Two"), ("3", "Three")])],
        widget=forms.RadioSelect(attrs={"data-x": HOSTILE, "title": mark_safe("a &amp; <b>")}),
    )
    boxes = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", HOSTILE)], widget=forms.CheckboxSelectMultiple, required=False
    )
    agree = forms.BooleanField(label=f"I agree {HOSTILE}", help_text="Really")
    optional_box = forms.BooleanField(required=False, label="")
    hidden = forms.CharField(widget=forms.HiddenInput(), required=False)
    locked = forms.CharField(disabled=True, required=False, initial=HOSTILE)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)

    def clean(self) -> dict[str, Any]:
        if self.data.get("text") == "clash":
            raise forms.ValidationError(f"The whole form is wrong: {HOSTILE}")
        return self.cleaned_data


EVERY_KIND_DATA = {
    "text": HOSTILE,
    "email": HOSTILE,
    "number": "twelve",
    "day": "2026-13-45",
    "note": f"{HOSTILE}\n   line two   \n",
    "choice": "zzz",
    "grouped": "3",
    "several": ["x", "y"],
    "rating": "4",
    "grouped_radio": "2",
    "boxes": ["q"],
    "hidden": HOSTILE,
    "locked": "forged",
    "password": HOSTILE,
}


def every_kind(data: dict[str, Any] | None, **kwargs: Any) -> EveryKindForm:
    form = EveryKindForm(data, **kwargs)
    if data is not None:
        form.is_valid()
        form.add_error("text", f"Another error: {HOSTILE}")
        form.add_error("rating", HOSTILE)
        form.add_error("agree", HOSTILE)
    return form


def internship_forms() -> list[Callable[[dict[str, Any] | None], forms.BaseForm]]:
    internship = Internship(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 31))
    task = Task(pk=7, internship=internship)
    return [
        lambda data: TaskForm(data, internship=internship),
        lambda data: TaskDoneForm(data, task=task),
        lambda data: TaskReviewForm(data, task=task),
        lambda data: ApprovePlanForm(data),
        lambda data: PlanChangesForm(data),
        lambda data: FinalAssessmentForm(data),
        every_kind,
        lambda data: every_kind(data, auto_id=False),
        lambda data: every_kind(data, prefix="p-<x>"),
    ]


DATA_SETS: list[dict[str, Any] | None] = [
    None,
    {},  # bound and empty: every required field in error
    {
        "task-title": HOSTILE,
        "task-good_looks_like": f"{HOSTILE}\nline two",
        "task-due": "2027-05-01",  # outside the internship: an error
        "done-7-note": HOSTILE,
        "review-7-rating": "3",
        "review-7-comment": HOSTILE,
        "approve-note": HOSTILE,
        "changes-feedback": "   ",
        "assessment-assessment": HOSTILE,
        **EVERY_KIND_DATA,
        **{f"p-<x>-{name}": value for name, value in EVERY_KIND_DATA.items()},
    },
    {"review-7-rating": "9", "task-due": "not a date", "text": "clash", "rating": "5", "agree": "on"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("data", DATA_SETS)
def test_a_form_is_written_as_crispys_templates_write_it(data: dict[str, Any] | None) -> None:
    for make in internship_forms():
        theirs_form, ours_form = make(data), make(data)
        theirs, ours = as_crispy_form(theirs_form), crispy_form(ours_form)
        assert same(ours) == same(theirs)
        assert "<script>" not in ours
        # crispy adds its classes to the widgets for good: the forms are left the same.
        for name in ours_form.fields:
            assert ours_form.fields[name].widget.attrs == theirs_form.fields[name].widget.attrs
        # A second rendering (the classes already there) is the same too.
        assert same(crispy_form(ours_form)) == same(as_crispy_form(theirs_form))


@pytest.mark.django_db
@pytest.mark.parametrize("data", DATA_SETS)
def test_each_field_is_written_as_crispys_template_writes_it(data: dict[str, Any] | None) -> None:
    for make in internship_forms():
        theirs_form, ours_form = make(data), make(data)
        for name in ours_form.fields:
            theirs, ours = as_crispy_field(theirs_form[name]), crispy_field(ours_form[name])
            assert same(ours) == same(theirs), name
            assert "<script>" not in ours


def test_the_markup_is_crispys_in_detail() -> None:
    form = every_kind(EVERY_KIND_DATA)
    html = same(crispy_form(form))
    assert '<div class="alert alert-block alert-danger">' not in html
    assert (
        '<label for="id_text" class="form-label requiredField"> Text &quot;&gt;&lt;script&gt;alert(1)'
        '&lt;/script&gt; &amp; &#x27;quotes&#x27; {{ x }}<span class="asteriskField">*</span> </label>'
    ) in html
    wrapper = r'<div id="div_id_text" class="mb-3 (has-error is-required|is-required has-error)">'
    assert re.search(wrapper, html)
    assert 'class="textinput form-control is-invalid"' in html
    assert '<div id="id_text_helptext" class="form-text">Help <em>marked up</em></div>' in html
    assert (
        '<p id="error_2_id_text"><strong>Another error: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
    ) in html
    assert '<fieldset aria-describedby="id_rating_helptext id_rating_error"> <legend class=' in html


def test_a_form_wide_error_is_escaped() -> None:
    form = every_kind({**EVERY_KIND_DATA, "text": "clash"})
    html = crispy_form(form)
    assert same(html) == same(as_crispy_form(every_kind({**EVERY_KIND_DATA, "text": "clash"})))
    assert "<li>The whole form is wrong: &quot;&gt;&lt;script&gt;" in html


class UploadForm(forms.Form):
    title = forms.CharField()
    upload = forms.FileField()


class HelpedForm(UploadForm):
    def __init__(self) -> None:
        super().__init__()
        self.helper = FormHelper()
        self.helper.label_class = "col-2"


def test_what_it_does_not_write_is_left_to_crispy() -> None:
    # A file input is crispy's own, and so is a whole form that has one.
    assert crispy_field(UploadForm()["upload"]) == as_crispy_field(UploadForm()["upload"])
    assert crispy_form(UploadForm()) == as_crispy_form(UploadForm())
    # So is a field of a form with a helper, whose settings the template reads.
    assert crispy_field(HelpedForm()["title"]) == as_crispy_field(HelpedForm()["title"])
    assert "col-2" in crispy_field(HelpedForm()["title"])
