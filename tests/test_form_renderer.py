"""exchange.form_renderer writes a <select> in Python: the same markup as Django's templates."""

from django import forms
from django.forms.renderers import DjangoTemplates

from exchange.form_renderer import FormRenderer


class PracticeForm(forms.Form):
    practice = forms.ChoiceField(
        choices=[
            ("", "Any practice"),
            ("Marketing <& sales>", [("1", 'Lead "generation"'), ("2", "SEO & content")]),
            ("Operations", [("3", "Hiring")]),
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
