"""The filters of the browse-offers page: search, department, practice, city, remote."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from businesses.models import Mode, Offer, Practice

# A page of results is ranked by relevance when searching, else newest first;
# the primary key keeps pages stable when two offers share a timestamp or a rank.
NEWEST_FIRST = ("-updated_at", "-pk")
QUERY_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
# Without PostgreSQL each word adds five LIKE conditions, and SQLite refuses a deep
# enough WHERE clause ("Expression tree is too large"); ten words narrow enough.
FALLBACK_MAX_WORDS = 10


class FilterForm(forms.Form):
    """The form of a list page's filters (a GET form), with Bootstrap's classes on its widgets.

    Templates write the markup around each field with filter_field.html (Jinja2): crispy-forms took a sixth
    of the offer search's time to write the same."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class SharedChoiceField(django_filters.fields.ChoiceField):
    """django-filter's choice field, whose copy in a form shares its choices, as the copy of its select
    does, instead of copying them one by one: copying the eighty practices was a twentieth of a search.
    A filter set builds them for itself, and nothing changes them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedChoiceField:
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = copy.copy(self._choices)
        return result


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = SharedChoiceField


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. organic lead generation"}),
    )
    department = ChoiceFilter(
        label="Department", field_name="practice__department", empty_label="All departments"
    )
    practice = ChoiceFilter(label="Practice", field_name="practice", empty_label="All practices")
    # As long as a city can be (Business.city): a longer value matches nothing, and SQLite refuses a
    # LIKE pattern of 50,000 characters or more ("pattern too complex").
    city = django_filters.CharFilter(
        label="City", field_name="business__city", lookup_expr="iexact", max_length=CITY_MAX_LENGTH
    )
    remote = django_filters.BooleanFilter(
        label="Remote or hybrid", method="remote_only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Offer
        fields = ["q", "department", "practice", "city", "remote"]
        form = FilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both selects come from one query over the ~80 practices: the departments are
        # those practices' departments, in the taxonomy's order.
        departments: dict[int, str] = {}
        grouped: dict[str, list[tuple[int, str]]] = {}
        # Plain values: building some 160 model instances on every search cost more than the query.
        practices = Practice.objects.values_list("pk", "name", "department_id", "department__name")
        for pk, name, department_id, department in practices:
            departments[department_id] = department
            grouped.setdefault(department, []).append((pk, name))
        self.filters["department"].extra["choices"] = list(departments.items())
        self.filters["practice"].extra["choices"] = list(grouped.items())

    def search(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        """Full-text search on PostgreSQL, ranked; a plain substring match elsewhere."""
        if connection.vendor == "postgresql":
            query = SearchQuery(value, search_type="websearch", config="english")
            return (
                queryset.filter(search_vector=query)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", *NEWEST_FIRST)
            )
        # Each word must appear in what the PostgreSQL vector holds: the practice, its
        # department, the description, or the host's name or city.
        words = list(dict.fromkeys(value.split()))[:FALLBACK_MAX_WORDS]
        for word in words:
            queryset = queryset.filter(
                Q(practice__name__icontains=word)
                | Q(practice__department__name__icontains=word)
                | Q(description__icontains=word)
                | Q(business__name__icontains=word)
                | Q(business__city__icontains=word)
            )
        return queryset

    def remote_only(self, queryset: QuerySet[Offer], name: str, value: bool | None) -> QuerySet[Offer]:
        if value:
            return queryset.filter(mode__in=[Mode.REMOTE, Mode.HYBRID])
        return queryset
