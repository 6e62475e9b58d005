from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt

from accounts.models import User


def update_profile(*, user: User, name: str, time_zone: str) -> User:
    """Save a person's name and time zone."""
    user.name = name.strip()
    user.time_zone = time_zone
    user.save(update_fields=["name", "time_zone"])
    return user


def add_authenticator_app(*, user: User, secret: str) -> Authenticator:
    """Give a person an authenticator app with a known base32 secret, as if they had scanned its QR code.

    For the demo and tests; people activate theirs at /accounts/2fa/totp/activate/."""
    authenticator, _ = Authenticator.objects.update_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return authenticator


def reset_recovery_codes(*, user: User, seed: str) -> list[str]:
    """Give a person recovery codes derived from `seed`, all unused again; returns the codes.

    For the demo, whose codes are published; allauth draws a random seed for everyone else."""
    authenticator, _ = Authenticator.objects.update_or_create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        defaults={"data": {"seed": encrypt(seed), "used_mask": 0}},
    )
    return list(authenticator.wrap().get_unused_codes())
