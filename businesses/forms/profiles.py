from collections.abc import Iterator
from itertools import groupby
from typing import Any

from django import forms

from businesses.models import Business, Industry

# The models' texts are unlimited TextFields; the form keeps them to what a reader takes in.
DESCRIPTION_LENGTH = 4000
MARKET_LENGTH = 2000
TOO_LONG = {"max_length": "Keep it to %(limit_value)d characters or fewer: this text has %(show_value)d."}


class SubsectorIterator(forms.models.ModelChoiceIterator):
    """NAICS subsectors grouped under their sector (an <optgroup> each), read in one query."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for sector, subsectors in groupby(self.queryset, key=lambda industry: industry.parent):
            yield (sector.title, [self.choice(subsector) for subsector in subsectors])


class SubsectorField(forms.ModelChoiceField):
    iterator = SubsectorIterator

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.code})"


class BusinessForm(forms.ModelForm):
    industry = SubsectorField(
        queryset=Industry.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__code", "code"),
        empty_label="Choose your industry",
        help_text="The NAICS subsector closest to what you do. We use it, with what you sell and to whom, "
        "to keep competitors apart.",
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_LENGTH,
        error_messages=TOO_LONG,
        help_text="What the business does and what it is good at, for the businesses you may host or visit.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sells = forms.CharField(
        label="What you sell",
        max_length=MARKET_LENGTH,
        error_messages=TOO_LONG,
        help_text="Products or services, in a few words.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sells_to = forms.CharField(
        label="To whom",
        max_length=MARKET_LENGTH,
        error_messages=TOO_LONG,
        help_text="Your customers: who buys from you.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Business
        fields = [
            "name",
            "industry",
            "city",
            "country",
            "size_band",
            "website",
            "description",
            "sells",
            "sells_to",
            "languages",
        ]
        labels = {"size_band": "Size"}
        help_texts = {
            "website": "Optional, e.g. https://example.com",
            "languages": "Languages spoken at work, comma-separated, e.g. English, Hindi.",
        }

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        if not any(character.isalnum() for character in name):
            raise forms.ValidationError("Enter the business's name, with at least one letter or digit.")
        return name
