from django.db.models import Q, QuerySet

from accounts.models import User


def moderators() -> QuerySet[User]:
    """Active people with accounts.moderate, directly or through a group, and superusers (as is_moderator)."""
    may_moderate = Q(
        user_permissions__codename="moderate", user_permissions__content_type__app_label="accounts"
    )
    through_group = Q(
        groups__permissions__codename="moderate", groups__permissions__content_type__app_label="accounts"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | may_moderate | through_group)
        .distinct()
        .order_by("pk")
    )
