"""`python -m bench {matching,web,email} … --json`: each benchmark prints one JSON object."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

# Each benchmark is a module of this package with add_arguments(parser) and run(args) -> dict.
BENCHMARKS = {
    "matching": "the matching engine on a synthetic platform",
    "web": "the key pages under load, served by gunicorn as in production",
    "email": "10,000 reminders through the outbox, Redis and two workers to an SMTP sink",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in BENCHMARKS.items():
        importlib.import_module(f"bench.{name}").add_arguments(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    figures = importlib.import_module(f"bench.{args.command}").run(args)
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
