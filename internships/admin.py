"""The back office's view of matches and their decisions: read-only, since every decision goes through the
moderation pages (their services record who decided, tell the owners and open the partnership)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from internships.models import Match, MatchEvent


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Flagged (risk above 0)"), ("no", "Not flagged")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(risk__gt=0)
        if self.value() == "no":
            return queryset.filter(risk=0)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


EVENT_FIELDS = ("created_at", "action", "actor", "note")


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["learner", "host", "practice", "status", "kind", "risk", "score", "created_at"]
    list_filter = ["status", "kind", FlaggedFilter, ("decided_by", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["learner__name", "host__name", "exchange"]
    list_select_related = ["learner", "host", "offer__practice"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["learner", "host", "need", "offer", "kind", "exchange"]}),
        ("Score", {"fields": ["score", "parts", "risk", "flags", "start", "days"]}),
        ("Decision", {"fields": ["status", "decided_by", "decided_at", "decision_note"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [MatchEventInline]

    @admin.display(description="practice", ordering="offer__practice__name")
    def practice(self, match: Match) -> str:
        return match.offer.practice.name


@admin.register(MatchEvent)
class MatchEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "match", "action", "actor", "note"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["match__learner__name", "match__host__name", "note"]
    list_select_related = ["match__learner", "match__host", "match__offer__practice", "actor"]
    date_hierarchy = "created_at"
    fields = ["match", "action", "actor", "note", "created_at"]
