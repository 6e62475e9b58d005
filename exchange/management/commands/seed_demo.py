"""Create the demo people (idempotent): a moderator and the seed story's owners."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "peership-demo-2026"  # noqa: S105 (published in the README on purpose)
DEMO_PEOPLE = [
    # (email, name, is a moderator)
    ("moderator@peership.example", "Maya Moderator", True),
    ("afreen@ondemand-staffing.example", "Afreen Shaikh", False),
    ("rajeev@pixelcraft-ux.example", "Rajeev Menon", False),
    ("neha@ondemand-staffing.example", "Neha Kapoor", False),
    ("arjun@pixelcraft-ux.example", "Arjun Rao", False),
]


class Command(BaseCommand):
    help = f"Seed the demo people (password for all: {DEMO_PASSWORD}). Safe to run again."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        moderators = Group.objects.get(name="Moderators")
        for email, name, is_moderator in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(email=email, defaults={"name": name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if is_moderator:
                user.groups.add(moderators)
        self.stdout.write(f"Demo people ready; each signs in with the password {DEMO_PASSWORD!r}.")
