from typing import Any

from crispy_forms.helper import FormHelper
from django import forms

from accounts.models import User
from accounts.time_zones import zone_names


class ProfileForm(forms.ModelForm):
    """A person's name and time zone (the zone their pages and reminders follow)."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Dates and times on Peership are shown in it, and reminders reach you between "
        "09:00 and 18:00 on its clock.",
        error_messages={"invalid_choice": "Choose a time zone from the list, e.g. Asia/Kolkata."},
    )

    class Meta:
        model = User
        fields = ["name", "time_zone"]
        help_texts = {"name": "As your colleagues and partners see it."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(name, name.replace("_", " ")) for name in zone_names()]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its token
