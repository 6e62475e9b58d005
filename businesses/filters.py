"""The filters of the browse-offers page: search, department, practice, city, remote."""

from __future__ import annotations

from typing import Any

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from businesses.models import Mode, Offer, Practice

# A page of results is ranked by relevance when searching, else newest first;
# the primary key keeps pages stable when two offers share a timestamp or a rank.
NEWEST_FIRST = ("-updated_at", "-pk")
QUERY_MAX_LENGTH = 200
# Without PostgreSQL each word adds five LIKE conditions, and SQLite refuses a deep
# enough WHERE clause ("Expression tree is too large"); ten words narrow enough.
FALLBACK_MAX_WORDS = 10


class OfferFilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The template writes the <form> (a GET form: no CSRF token in the URL) and its button.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("q", css_class="col-12")),
            Row(
                Column("department", css_class="col-md-3"),
                Column("practice", css_class="col-md-4"),
                Column("city", css_class="col-md-3"),
                Column("remote", css_class="col-md-2 d-flex align-items-center"),
            ),
        )


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. organic lead generation"}),
    )
    department = django_filters.ChoiceFilter(
        label="Department", field_name="practice__department", empty_label="All departments"
    )
    practice = django_filters.ChoiceFilter(
        label="Practice", field_name="practice", empty_label="All practices"
    )
    city = django_filters.CharFilter(label="City", field_name="business__city", lookup_expr="iexact")
    remote = django_filters.BooleanFilter(
        label="Remote or hybrid", method="remote_only", widget=forms.CheckboxInput
    )

    class Meta:
        model = Offer
        fields = ["q", "department", "practice", "city", "remote"]
        form = OfferFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both selects come from one query over the ~80 practices: the departments are
        # those practices' departments, in the taxonomy's order.
        departments: dict[int, str] = {}
        grouped: dict[str, list[tuple[int, str]]] = {}
        for practice in Practice.objects.select_related("department"):
            departments[practice.department_id] = practice.department.name
            grouped.setdefault(practice.department.name, []).append((practice.pk, practice.name))
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
