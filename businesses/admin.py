from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django_countries.filters import CountryFilter

from businesses.models import Business, Department, Industry, Invitation, Membership, Practice
from businesses.services.offers import refresh_search_vectors
from businesses.services.profiles import set_verification, update_business

# Reference data: NAICS industries, departments and practices. Loaded by the
# 0002_reference_data migration; the Moderators group may add, change and view it.


class SectorFilter(admin.SimpleListFilter):
    """Industries, or businesses by their industry, in a NAICS sector: the sector and its subsectors."""

    title = "sector"
    parameter_name = "sector"

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        self.industry = "" if model is Industry else "industry__"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(sector.code, str(sector)) for sector in Industry.objects.filter(parent__isnull=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(
                Q(**{f"{self.industry}code": self.value()}) | Q(**{f"{self.industry}parent_id": self.value()})
            )
        return queryset


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "parent"]
    list_filter = [SectorFilter]
    search_fields = ["code", "title"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]


class PracticeInline(admin.TabularInline):
    model = Practice
    fields = ["name", "slug", "suggested_days"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PracticeInline]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Offers are found by their department's and practices' names. This runs once the
        # department and its inline practices are saved; reordering (list_editable) renames nothing.
        renamed = "name" in form.changed_data or any(
            "name" in practice_form.changed_data for formset in formsets for practice_form in formset.forms
        )
        if renamed:
            refresh_search_vectors(practice_ids=form.instance.practices.values_list("pk", flat=True))


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["department", "name", "suggested_days"]
    list_display_links = ["name"]
    list_filter = ["department"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["department"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["related"]
    fields = ["department", "name", "slug", "description", "suggested_days", "related"]

    def save_model(self, request: HttpRequest, obj: Practice, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Offers are found by their practice's and department's names.
        if {"name", "department"} & set(form.changed_data):
            refresh_search_vectors(practice_ids=[obj.pk])


# Businesses and their members. Verification goes through the service, so that
# verified_at and verified_by are always set with it; roles and memberships can be
# corrected here (the back office), invitations only looked at and revoked on the site.


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["user"]
    extra = 0


INVITATION_INLINE_FIELDS = (
    "email",
    "role",
    "invited_by",
    "created_at",
    "expires_at",
    "accepted_at",
    "revoked_at",
)
INVITATION_FIELDS = ("business", *INVITATION_INLINE_FIELDS, "accepted_by")


class InvitationInline(admin.TabularInline):
    model = Invitation
    fields = INVITATION_INLINE_FIELDS
    readonly_fields = INVITATION_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Invitations are sent from the members page, which also emails them.
        return False


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "city", "country", "size_band", "verification", "created_at"]
    list_filter = ["verification", ("country", CountryFilter), SectorFilter]
    search_fields = ["name", "city"]
    list_select_related = ["industry"]
    autocomplete_fields = ["industry"]
    readonly_fields = [
        "verification",
        "verified_at",
        "verified_by",
        "track_record",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "industry", "city", "country", "size_band", "website", "languages"]},
        ),
        ("What it does", {"fields": ["description", "sells", "sells_to"]}),
        (
            "Verification",
            {
                "description": "Use the actions “Mark verified” and “Mark not verified” on the list.",
                "fields": ["verification", "verification_note", "verified_at", "verified_by"],
            },
        ),
        ("Record", {"fields": ["track_record", "created_at", "updated_at"]}),
    ]
    date_hierarchy = "created_at"
    actions = ["mark_verified", "mark_not_verified"]
    inlines = [MembershipInline, InvitationInline]

    def save_model(self, request: HttpRequest, obj: Business, form: ModelForm, change: bool) -> None:
        # An edit goes through the service, which also refreshes the search terms of the business's offers.
        if change:
            update_business(business=obj)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description="Mark verified", permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Business]) -> None:
        self._set_verification(request, queryset, Business.Verification.VERIFIED)

    @admin.action(description="Mark not verified", permissions=["change"])
    def mark_not_verified(self, request: HttpRequest, queryset: QuerySet[Business]) -> None:
        self._set_verification(request, queryset, Business.Verification.REJECTED)

    def _set_verification(
        self, request: HttpRequest, queryset: QuerySet[Business], status: Business.Verification
    ) -> None:
        assert request.user.is_authenticated
        businesses = list(queryset)
        # All or none, and one matching run after them (businesses.services.offers.rematch_after_commit).
        with transaction.atomic():
            for business in businesses:
                set_verification(
                    business=business, status=status, moderator=request.user, note=business.verification_note
                )
        self.message_user(
            request,
            f"{len(businesses)} business{'es' if len(businesses) != 1 else ''} marked "
            f"{status.label.lower()}.",
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "business", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__name", "business__name"]
    list_select_related = ["user", "business"]
    autocomplete_fields = ["user", "business"]
    readonly_fields = ["joined_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "business",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "business__name"]
    list_select_related = ["business", "invited_by"]
    fields = INVITATION_FIELDS
    readonly_fields = INVITATION_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
