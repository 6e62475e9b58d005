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
            demo.seed_story(people)
        created = demo.seed_synthetic(businesses)
        self.stdout.write(
            f"Demo ready: {created} new synthetic businesses. "
            f"Every demo person signs in with the password {demo.DEMO_PASSWORD!r}."
        )
