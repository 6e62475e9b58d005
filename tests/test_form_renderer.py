"""exchange.form_renderer writes a <select> in Python: the same markup as Django's templates."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from exchange.form_renderer import FormRenderer


class PracticeForm(forms.Form):
    practice = forms.ChoiceField(
        choices=[
            ("", "Any practice"),
            ("Marketing <& sales>", [("1", 'Lead "generation"'), ("2", "SEO & content")]),
            (
                "Operations",
                [
                    ("3", "Hiring"),
                    ("4", mark_safe("<b>Safe</b> & sound")),
                    ("5", gettext_lazy("Lazy & <late>")),
                ],
            ),
            (mark_safe("<i>Safe group</i>"), [("'6'", "Quote's")]),
        ],
        required=False,
    )
    kinds = forms.MultipleChoiceField(choices=[("a", "Swap"), ("b", "Cycle")], required=False)
    flagged = forms.TypedChoiceField(
        choices=[("", "All"), ("1", "Flagged")],
        widget=forms.Select(attrs={"class": "form-select", "disabled": True, "hidden": False}),
        required=False,
    )


def test_a_select_is_written_as_djangos_templates_write_it() -> None:
    data = {"practice": "2", "kinds": ["a", "b"], "flagged": "1"}
    ours = PracticeForm(data, renderer=FormRenderer()).as_div()
    djangos = PracticeForm(data, renderer=DjangoTemplates()).as_div()
    assert ours == djangos
    assert "&lt;&amp; sales&gt;" in ours and "Lead &quot;generation&quot;" in ours
    assert '<option value="2" selected>SEO &amp; content</option>' in ours
    assert "<b>Safe</b> & sound" in ours and "Lazy &amp; &lt;late&gt;" in ours and "&#x27;6&#x27;" in ours


class EveryInputForm(forms.Form):
    """Each input Django writes with input.html, and a textarea, with values that need escaping."""

    text = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 10}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}))
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "disabled": False}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(widget=forms.DateTimeInput())
    hour = forms.TimeField(widget=forms.TimeInput())
    site = forms.URLField(widget=forms.URLInput())
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}))
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput())
    agree = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "data-x": '"><script>'}))
    # An attribute marked safe is written as it is (the template's stringformat filter keeps it safe).
    marked = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("a &amp; <b>")}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def test_inputs_and_textareas_are_written_as_djangos_templates_write_them() -> None:
    hostile = "\"><script>alert(1)</script> & 'quotes'"
    for data in (
        {},
        {
            "text": hostile,
            "email": hostile,
            "number": "12",
            "day": "2026-11-27",
            "when": "2026-11-27 10:00",
            "hour": "10:00",
            "site": "javascript:alert(1)",
            "phone": hostile,
            "colour": "#ff0000",
            "secret": hostile,
            "hidden": hostile,
            "agree": "on",
            "search": hostile,
            "marked": hostile,
            "note": f"{hostile}\nline two",
        },
    ):
        ours = EveryInputForm(data or None, renderer=FormRenderer()).as_div()
        djangos = EveryInputForm(data or None, renderer=DjangoTemplates()).as_div()
        assert ours == djangos
        assert "<script>" not in ours
