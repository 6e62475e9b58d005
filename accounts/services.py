from accounts.models import User


def update_profile(*, user: User, name: str, time_zone: str) -> User:
    """Save a person's name and time zone."""
    user.name = name.strip()
    user.time_zone = time_zone
    user.save(update_fields=["name", "time_zone"])
    return user
