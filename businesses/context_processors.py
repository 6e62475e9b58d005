from typing import Any

from django.http import HttpRequest

from businesses.access import choose_current
from businesses.models import Membership


def current_business(request: HttpRequest) -> dict[str, Any]:
    """The business the signed-in person acts for, and the others they can switch to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    # One query for the whole navigation: the switcher's list and the current business.
    memberships = list(Membership.objects.filter(user=request.user).select_related("business"))
    current = choose_current(memberships, request)
    return {"current_membership": current, "my_memberships": memberships}
