"""The benchmark runs end to end on a small platform and prints one JSON object."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import main

KEYS = {
    "full_run_s",
    "peak_rss_mb",
    "naive_s",
    "engine_s",
    "speedup_vs_naive",
    "matched",
    "greedy_matched",
    "swaps",
    "cycles3",
    "incremental_ms",
}


def test_the_matching_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matching", "--businesses", "300", "--subset", "100", "--seed", "4", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures.keys() >= KEYS
    assert figures["incremental_ms"] is None
    assert figures["matched"] >= figures["greedy_matched"] > 0
