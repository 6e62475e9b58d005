"""Seed the demo platform (idempotent): people, the seed article's story and
synthetic businesses; `--businesses N` for benchmarks."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand
from django.db import transaction

from exchange import demo


class Command(BaseCommand):
    help = (
        f"Seed the demo platform (password for every demo person: {demo.DEMO_PASSWORD}). Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--businesses", type=int, default=300, help="How many synthetic businesses (default 300)."
        )

    def handle(self, *args: object, businesses: int, **options: object) -> None:
        with transaction.atomic():
            people = demo.seed_people()
            recovery_codes = demo.seed_recovery_codes(people)
            demo.seed_story(people)
        created = demo.seed_synthetic(businesses)
        self.stdout.write(
            f"Demo ready: {created} new synthetic businesses. "
            f"Every demo person signs in with the password {demo.DEMO_PASSWORD!r}."
        )
        for email, codes in recovery_codes.items():
            self.stdout.write(
                f"The moderator {email} also enters a code from an authenticator app with the secret "
                f"{demo.DEMO_TOTP_SECRET} (e.g. oathtool --totp -b {demo.DEMO_TOTP_SECRET}), "
                f"or one of these recovery codes, each good once until the next seeding: {' '.join(codes)}"
            )
