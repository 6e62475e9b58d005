from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from businesses.access import choose_current


def current_business(request: HttpRequest) -> dict[str, Any]:
    """The business the signed-in person acts for, and the others they can switch to."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    # One query for the whole navigation: the switcher's list and the current business, shared with the
    # internship pages' access check (User.memberships_held). It is made only if the page uses them as
    # given here: a view that has read the user's memberships already (the dashboard) passes its own.
    user = request.user
    return {
        "current_membership": SimpleLazyObject(lambda: choose_current(user.memberships_held, request)),
        "my_memberships": SimpleLazyObject(lambda: user.memberships_held),
    }
