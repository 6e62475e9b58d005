import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from businesses.models import Business, Competitor

# The suggestions read "Name (City)", so that two businesses with the same name can be told apart.
NAME_AND_CITY = re.compile(r"(?P<name>.+?)\s*\((?P<city>[^()]+)\)")
DATALIST_ID = "competitor-names"
NAME_MAX_LENGTH = 150  # Competitor.name


def suggestion(name: str, city: str) -> str:
    return f"{name} ({city})"


class CompetitorForm(forms.ModelForm):
    """A competitor by name: a verified business on Peership when the name is one, else free text."""

    # Longer than the model's field: a suggestion adds the city to a business's name.
    name = forms.CharField(
        label="Business name",
        max_length=NAME_MAX_LENGTH + 110,
        help_text="Start typing to pick a business on Peership, or type the name of one that is not on "
        "Peership.",
        widget=forms.TextInput(attrs={"list": DATALIST_ID, "autocomplete": "off"}),
    )

    class Meta:
        model = Competitor
        fields = ["name"]

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.competitor: Business | None = None

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        own = self.business
        if name.casefold() in {own.name.casefold(), suggestion(own.name, own.city).casefold()}:
            raise ValidationError("You cannot name your own business.")
        self.competitor = self.find_business(name)
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
        candidates = Business.objects.verified().exclude(pk=self.business.pk)
        found = list(candidates.filter(name__iexact=text)[:2])
        if not found and (parts := NAME_AND_CITY.fullmatch(text)):
            found = list(
                candidates.filter(name__iexact=parts["name"], city__iexact=parts["city"].strip())[:2]
            )
        if len(found) > 1:
            raise ValidationError(
                f"Several businesses on Peership are called {text}: pick one from the suggestions, "
                "which add the city."
            )
        return found[0] if found else None


def competitor_suggestions(business: Business) -> list[str]:
    """The verified businesses it could name, as "Name (City)", for the form's <datalist>."""
    others = Business.objects.verified().exclude(pk=business.pk).values_list("name", "city")
    return [suggestion(name, city) for name, city in others]
