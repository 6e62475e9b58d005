"""The benchmark runs end to end on a small platform and prints one JSON object."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import main
from bench.matching import bench_database_url, measure_incremental

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
    argv = ["matching", "--businesses", "300", "--subset", "100", "--seed", "4", "--no-incremental", "--json"]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures.keys() >= KEYS
    assert figures["incremental_ms"] is None  # the database part was switched off
    assert figures["matched"] >= figures["greedy_matched"] > 0


@pytest.mark.django_db
def test_the_incremental_figure_matches_new_needs_through_the_service_and_leaves_no_trace() -> None:
    from businesses.models import Need
    from internships.models import Match, MatchEvent

    p95 = measure_incremental(20, runs=3, warmup=1)  # seeds 20 synthetic businesses, matched
    rows = (Need.objects.count(), Match.objects.count(), MatchEvent.objects.count())
    assert rows[1] > 0
    assert measure_incremental(20, runs=3, warmup=1) > 0 and p95 > 0
    assert (Need.objects.count(), Match.objects.count(), MatchEvent.objects.count()) == rows


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/peership?sslmode=disable",
            "postgres://postgres@127.0.0.1:5432/peership_bench?sslmode=disable",
        ),
        ("postgresql://me:secret@db/peership", "postgresql://me:secret@db/peership_bench"),
        ("sqlite:////work/main/db.sqlite3", "peership_bench.sqlite3"),
        (None, "peership_bench.sqlite3"),
    ],
)
def test_the_benchmark_never_uses_the_developers_own_database(
    database_url: str | None, expected: str
) -> None:
    found = bench_database_url(database_url)
    assert found.endswith(expected)
    assert "db.sqlite3" not in found and "/peership?" not in found
