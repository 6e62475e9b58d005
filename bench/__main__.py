"""`python -m bench matching --businesses 10000 --json`."""

from __future__ import annotations

import argparse
import json
import sys

from bench import matching


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    matching.add_arguments(
        commands.add_parser("matching", help="the matching engine on a synthetic platform")
    )
    args = parser.parse_args(argv)
    figures = matching.run(args)
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
