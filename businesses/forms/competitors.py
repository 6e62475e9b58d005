from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from businesses.models import Business, Competitor
from businesses.services.competitors import verified_businesses_named

NAME_MAX_LENGTH = 150  # Competitor.name
CITY_MAX_LENGTH = 100  # Business.city

VERIFIED_HELP = (
    "The name of a business on Peership, as on its profile, or of one that is not on Peership. "
    "When two businesses on Peership share a name, add the city in brackets, as in “Acme Studio (Pune)”."
)
UNVERIFIED_HELP = "The business's name, as you know it."


class CompetitorForm(forms.ModelForm):
    """A competitor by name: free text, or a verified business on Peership if a verified business names it."""

    # Longer than the model's field: "Name (City)" adds the city to a business's name.
    name = forms.CharField(
        label="Business name",
        max_length=NAME_MAX_LENGTH + CITY_MAX_LENGTH + 3,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Competitor
        fields = ["name"]

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.competitor: Business | None = None
        # Only a verified business learns whether a name is on Peership: its members see
        # the other verified businesses' profiles anyway, while anyone can sign up and
        # describe an unverified business, then try names one by one.
        self.resolves_names = business.is_verified
        self.fields["name"].help_text = VERIFIED_HELP if self.resolves_names else UNVERIFIED_HELP

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        own = self.business
        if name.casefold() in {own.name.casefold(), f"{own.name} ({own.city})".casefold()}:
            raise ValidationError("You cannot name your own business.")
        self.competitor = self.find_business(name) if self.resolves_names else None
        declared = Competitor.objects.filter(business=own)
        if self.competitor is not None:
            if declared.filter(competitor=self.competitor).exists():
                raise ValidationError(f"You have already named {self.competitor.name}.")
        elif len(name) > NAME_MAX_LENGTH:
            raise ValidationError(f"A name has at most {NAME_MAX_LENGTH} characters.")
        elif declared.filter(competitor__isnull=True, name__iexact=name).exists():
            raise ValidationError(f"You have already named {name}.")
        return name

    def find_business(self, text: str) -> Business | None:
        """The verified business the text names, by name or by "Name (City)"; None if it names none."""
        found = verified_businesses_named(text, excluding=self.business)
        if len(found) > 1:
            raise ValidationError(
                f"Several businesses on Peership are called {text}: add the city in brackets, "
                f"as in “{text} ({found[0].city})”."
            )
        return found[0] if found else None
