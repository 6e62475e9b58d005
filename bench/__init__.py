"""Benchmarks run as `python -m bench <name>`; each prints its figures, or one JSON object with --json."""
