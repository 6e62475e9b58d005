"""Settings of the web benchmark: the production settings (DEBUG off), plus a trivial page to compare
the key pages with and the static files collected into the benchmark's own directory."""

import os
from pathlib import Path

from exchange.settings import *  # noqa: F403 (the production settings, unchanged but for the two below)

ROOT_URLCONF = "bench.web_urls"
STATIC_ROOT = Path(os.environ["PEERSHIP_BENCH_STATIC_ROOT"])
