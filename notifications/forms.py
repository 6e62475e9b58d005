from typing import Any

from crispy_forms.helper import FormHelper
from django import forms

from accounts.models import User
from notifications.reminders import REMINDER_KINDS


def kinds_for(user: User) -> list[str]:
    """The reminder kinds a person can get (moderators' kinds for moderators only)."""
    return [kind for kind, about in REMINDER_KINDS.items() if user.is_moderator or not about.moderators_only]


class RemindersForm(forms.Form):
    """The reminders a person wants: each one ticked is sent, each one unticked is muted."""

    wanted = forms.MultipleChoiceField(
        label="Send me these reminders",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Emails about your account and decisions (a match approved, a request accepted or "
        "declined…) always reach you.",
    )

    def __init__(self, *args: Any, user: User, muted: set[str], **kwargs: Any) -> None:
        kinds = kinds_for(user)
        kwargs.setdefault("initial", {"wanted": [kind for kind in kinds if kind not in muted]})
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        wanted = self.fields["wanted"]
        assert isinstance(wanted, forms.MultipleChoiceField)
        wanted.choices = [
            (kind, f"{REMINDER_KINDS[kind].label} — {REMINDER_KINDS[kind].description}") for kind in kinds
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its token

    def muted(self) -> list[str]:
        """The kinds the person unticked."""
        wanted = set(self.cleaned_data["wanted"])
        return [kind for kind in self.kinds if kind not in wanted]
