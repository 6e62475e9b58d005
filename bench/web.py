"""The key pages under load, served by gunicorn as in production: latency, throughput and queries.

The demo platform (`seed_demo --businesses N`: the story's people and N synthetic businesses, matched)
is stored in a throwaway database, `peership_bench_web` on the PostgreSQL server of DATABASE_URL, kept
between runs so that a data size is seeded once. The benchmark then approves one of the story
learner's proposed matches and takes it to a scheduled internship with objectives and tasks, through
the services people use, so that every key page has something to show.

gunicorn serves the site as in production (DEBUG off, 4 sync workers, persistent database
connections, static files collected into the benchmark's own directory) on a free loopback port, and
Apache Bench (`ab`, Debian's apache2-utils), a second process, sends a fixed number of requests to
each page with the session cookie of the person who uses it: at 2 concurrent users (`p95_ms_light`)
and at 20 (`p50_ms`, `p95_ms`, `rps`). `bare_rps` is the throughput of a trivial view (bench/web_urls.py)
at 20 users (the median of its runs before each page and after the last); a page's `ratio_to_bare`
is its throughput over the bare view's around it (the mean of the runs just before and after), and
`worst_ratio_to_bare` the lowest, on `slowest_page`. `queries` is counted in this process, with
Django's test client on the same database and settings.

Needs Apache Bench: `apt-get install apache2-utils`.
"""

from __future__ import annotations

import argparse
import csv
import functools
import http.client
import io
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.services import create_database, free_port

DATABASE = "peership_bench_web"
BASE_DIR = Path(__file__).resolve().parent.parent
STATIC_ROOT = Path(tempfile.gettempdir()) / "peership_bench_web_static"
HEAVY, LIGHT = 20, 2  # concurrent users
STORY_LEARNER = "on-demand-staffing"
SEARCH = "lead generation"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--businesses", type=int, default=10_000, help="synthetic businesses seeded")
    parser.add_argument(
        "--requests", type=int, default=1_000, help=f"requests per page at {HEAVY} concurrent users"
    )
    parser.add_argument(
        "--requests-light", type=int, default=200, help=f"requests per page at {LIGHT} concurrent users"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    persona: str  # an email, or "" for an anonymous visitor


@dataclass(frozen=True)
class Load:
    rps: float
    percentiles: Mapping[int, float]  # per cent of requests served → ms


def run(args: argparse.Namespace) -> dict[str, Any]:
    ab = shutil.which("ab")
    if ab is None:
        raise SystemExit(
            "The web benchmark needs Apache Bench (ab) to send the requests: "
            "apt-get install apache2-utils (Debian/Ubuntu)."
        )
    if not (BASE_DIR / "node_modules" / "bootstrap" / "dist").is_dir():
        raise SystemExit("Bootstrap is not installed, so the pages cannot render: run `make deps` (npm ci).")
    environment = server_environment(os.environ.get("DATABASE_URL"))
    os.environ.update(environment)
    os.environ.pop("REDIS_URL", None)  # tasks run in-process while seeding; GET pages use no broker
    os.environ["EMAIL_URL"] = "locmem://"  # the emails of the scenario stay in memory

    import django

    django.setup()
    prepare_database(args.businesses)
    collect_static()
    pages, sessions = prepare_pages()
    queries = {page.name: count_queries(page, sessions) for page in pages}

    server_env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    with (
        tempfile.TemporaryDirectory(prefix="peership-bench-web-") as scratch,
        gunicorn(server_env, workers=args.workers, log=Path(scratch) / "gunicorn.log") as base,
    ):
        for page in pages:
            check_page(base, page, sessions)
        bare_url = f"{base}/bench/bare"
        send = functools.partial(load, ab, scratch=scratch)
        # Warm every worker (templates, connections) before anything is measured.
        for url, cookie in [(bare_url, ""), *((base + p.url, cookie_of(p, sessions)) for p in pages)]:
            send(url, cookie=cookie, requests=10 * args.workers, concurrency=args.workers)
        # The trivial view is measured before each page and after the last: on a shared machine the load
        # changes from one minute to the next, and each page is compared with the bare view around it.
        bare_runs: list[float] = []
        figures: dict[str, dict[str, Any]] = {}
        for page in pages:
            bare_runs.append(send(bare_url, cookie="", requests=2 * args.requests, concurrency=HEAVY).rps)
            url, cookie = base + page.url, cookie_of(page, sessions)
            light = send(url, cookie=cookie, requests=args.requests_light, concurrency=LIGHT)
            heavy = send(url, cookie=cookie, requests=args.requests, concurrency=HEAVY)
            figures[page.name] = {
                "url": page.url,
                "persona": page.persona or "anonymous",
                "p50_ms": round(heavy.percentiles[50], 1),
                "p95_ms": round(heavy.percentiles[95], 1),
                "p95_ms_light": round(light.percentiles[95], 1),
                "rps": round(heavy.rps, 1),
                "queries": queries[page.name],
            }
        bare_runs.append(send(bare_url, cookie="", requests=2 * args.requests, concurrency=HEAVY).rps)
    for measured, before, after in zip(figures.values(), bare_runs, bare_runs[1:], strict=False):
        measured["ratio_to_bare"] = round(measured["rps"] / ((before + after) / 2), 4)
    bare_rps = statistics.median(bare_runs)
    slowest = min(figures, key=lambda name: figures[name]["ratio_to_bare"])
    return {
        "businesses": args.businesses,
        "workers": args.workers,
        "requests": args.requests,
        "requests_light": args.requests_light,
        "pages": figures,
        "bare_rps": round(bare_rps, 1),
        "bare_rps_range": [round(min(bare_runs), 1), round(max(bare_runs), 1)],
        "worst_p95_ms": max(page["p95_ms"] for page in figures.values()),
        "worst_p95_ms_light": max(page["p95_ms_light"] for page in figures.values()),
        "slowest_page": slowest,
        "worst_ratio_to_bare": figures[slowest]["ratio_to_bare"],
        "max_queries": max(queries.values()),
    }


def server_environment(database_url: str | None) -> dict[str, str]:
    """The production settings' variables for a loopback run against the bench database."""
    address = urlsplit(database_url or "")
    if not address.scheme.startswith("postgres"):
        raise SystemExit(
            "The web benchmark needs PostgreSQL: set DATABASE_URL to a postgres:// URL; it uses the "
            f"database {DATABASE} on that server (created if need be), never the one named in the URL."
        )
    return {
        "DATABASE_URL": address._replace(path=f"/{DATABASE}").geturl(),
        "DATABASE_CONN_MAX_AGE": "600",  # persistent connections, as in production
        "DJANGO_SETTINGS_MODULE": "bench.web_settings",
        "PEERSHIP_BENCH_STATIC_ROOT": str(STATIC_ROOT),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain http on loopback
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


# The data.


def prepare_database(businesses: int) -> None:
    """Create, migrate and seed the bench database for this data size, unless it already is."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from businesses.models import Business
    from exchange.demo import PEOPLE

    database = settings.DATABASES["default"]
    create_database(database)
    call_command("migrate", verbosity=0)
    seeded = Business.objects.filter(slug__startswith="demo-").count()
    if seeded > businesses:
        # A larger platform than asked for: start again (seeding only ever adds).
        connection.close()
        create_database(database, drop=True)
        call_command("migrate", verbosity=0)
        seeded = 0
    people = User.objects.filter(email__in=[email for email, _, _ in PEOPLE]).count()
    if seeded < businesses or people < len(PEOPLE):
        call_command("seed_demo", businesses=businesses, stdout=io.StringIO())
    # Fresh statistics and visibility maps (index-only scans need them), as autovacuum keeps them in
    # any deployment: after a bulk load or a migration it may not have caught up yet.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@dataclass(frozen=True)
class Scenario:
    owner: Any  # the learner's owner: approved match, internship requested
    mentor: Any  # the host's owner, who mentors the intern
    moderator: Any
    internship: Any


def prepare_scenario() -> Scenario:
    """An approved match of the story's learner, taken to a scheduled internship with tasks (once)."""
    from django.utils import timezone

    from accounts.models import User
    from businesses.models import Membership
    from internships.models import Internship, Match
    from internships.selectors.requests import owners_of, suggested_dates
    from internships.services.moderation import ModerationError, approve_match
    from internships.services.requests import (
        ObjectiveData,
        accept_internship,
        confirm_internship,
        request_internship,
    )
    from internships.services.work import assign_task, mark_task_done, review_task

    moderator = User.objects.get(email="moderator@peership.example")
    give_second_factor(moderator)
    internship = (
        Internship.objects.filter(learner__slug=STORY_LEARNER, message=SCENARIO_MESSAGE)
        .select_related("match")
        .first()
    )
    if internship is not None:
        return Scenario(
            owner=owners_of(internship.learner_id)[0],
            mentor=internship.mentor,
            moderator=moderator,
            internship=internship,
        )
    match = Match.objects.approved().filter(learner__slug=STORY_LEARNER, internships__isnull=True).first()
    if match is None:
        for candidate in Match.objects.pending().filter(learner__slug=STORY_LEARNER).order_by("-score", "pk"):
            try:
                match = approve_match(match_id=candidate.pk, moderator=moderator, note="Benchmark.")
                break
            except ModerationError:
                continue
    if match is None:
        raise SystemExit(f"The demo proposed no match for {STORY_LEARNER}'s need: nothing to take further.")
    owner = owners_of(match.learner_id)[0]
    mentor = owners_of(match.host_id)[0]
    employee = (
        Membership.objects.filter(business_id=match.learner_id, role=Membership.Role.EMPLOYEE)
        .select_related("user")
        .first()
    )
    intern = employee.user if employee is not None else owner
    today = timezone.localdate()
    start, end = suggested_dates(
        Match.objects.select_related("offer__practice").get(pk=match.pk), today=today
    )
    objectives = [
        ObjectiveData(title=title, metric=metric, baseline=Decimal(baseline), target=Decimal(target))
        for title, metric, baseline, target in [
            ("More organic leads", "Organic leads per month", "4", "12"),
            ("A content calendar", "Articles published per month", "0", "4"),
            ("Traceable sources", "Share of leads with a known source (%)", "10", "90"),
        ]
    ]
    internship = request_internship(
        match_id=match.pk,
        requested_by=owner,
        start=start,
        end=end,
        objectives=objectives,
        intern=intern,
        message=SCENARIO_MESSAGE,
    )
    accept_internship(internship_id=internship.pk, accepted_by=mentor, mentor=mentor)
    confirm_internship(internship_id=internship.pk, confirmed_by=owner)
    internship.refresh_from_db()
    tasks = [
        assign_task(
            internship=internship,
            mentor=mentor,
            title=f"Task {number}: {title}",
            good_looks_like="A short write-up the team can reuse.",
            due=min(start + timedelta(days=number), end),  # inside the internship, however short
        )
        for number, title in enumerate(
            ["Read our lead log", "Draft an article outline", "Set up an email capture", "Trace ten leads"], 1
        )
    ]
    for task in tasks[:2]:
        mark_task_done(internship=internship, task_id=task.pk, intern=intern, note="Done, notes attached.")
    review_task(
        internship=internship, task_id=tasks[0].pk, mentor=mentor, rating=4, comment="Clear and useful."
    )
    return Scenario(owner=owner, mentor=mentor, moderator=moderator, internship=internship)


SCENARIO_MESSAGE = "Benchmark: we would like to learn how you generate organic leads."


def give_second_factor(moderator: Any) -> None:
    """Moderators must have an authenticator app: a database seeded before that rule has none."""
    from accounts.services import add_authenticator_app
    from exchange.demo import DEMO_TOTP_SECRET

    add_authenticator_app(user=moderator, secret=DEMO_TOTP_SECRET)


def prepare_pages() -> tuple[list[Page], dict[str, str]]:
    """The key pages, each with the person who uses it, and a fresh session key per person."""
    from django.test import Client

    scenario = prepare_scenario()
    internship = scenario.internship
    learner, host = internship.learner.slug, internship.host.slug
    owner, mentor, moderator = scenario.owner, scenario.mentor, scenario.moderator
    pages = [
        Page("home", "/", ""),
        Page("dashboard", "/dashboard/", owner.email),
        Page("offer_search", f"/businesses/offers/?q={SEARCH.replace(' ', '+')}", owner.email),
        Page("business", f"/businesses/{host}/", owner.email),
        Page("compare", f"/businesses/{learner}/compare/{host}/", owner.email),
        Page("match", f"/matches/{internship.match_id}/", owner.email),
        Page("internship", f"/internships/{internship.pk}/", mentor.email),
        Page("moderation_queue", "/moderation/", moderator.email),
    ]
    sessions = {}
    for person in (owner, mentor, moderator):
        client = Client()
        client.force_login(person)
        sessions[person.email] = client.cookies[session_cookie_name()].value
    return pages, sessions


def session_cookie_name() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def cookie_of(page: Page, sessions: Mapping[str, str]) -> str:
    return f"{session_cookie_name()}={sessions[page.persona]}" if page.persona else ""


def count_queries(page: Page, sessions: Mapping[str, str]) -> int:
    """The queries one request for the page makes, once the process is warm (as a gunicorn worker is)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if page.persona:
        client.cookies[session_cookie_name()] = sessions[page.persona]
    client.get(page.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    if response.status_code != 200:
        raise SystemExit(f"{page.url} answered {response.status_code} to {page.persona or 'a visitor'}.")
    return len(captured)


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


# The server and the load.


@contextmanager
def gunicorn(environment: Mapping[str, str], *, workers: int, log: Path) -> Iterator[str]:
    """gunicorn serving the site on a free loopback port; its base URL. Stopped on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "exchange.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command, cwd=BASE_DIR, env=dict(environment), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_serving(port, server, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if get(port, "/bench/bare", cookie="")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within a minute:\n{log.read_text()[-3000:]}")


def get(port: int, path: str, *, cookie: str) -> tuple[int, bytes]:
    """One GET, redirects not followed: a page that sends its visitor elsewhere is not the page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check_page(base: str, page: Page, sessions: Mapping[str, str]) -> None:
    port = urlsplit(base).port
    assert port is not None
    status, body = get(port, page.url, cookie=cookie_of(page, sessions))
    if status != 200:
        who = page.persona or "an anonymous visitor"
        raise SystemExit(
            f"{page.name}: {page.url} answered {status} to {who} under gunicorn:\n{body[:2000]!r}"
        )


def load(ab: str, url: str, *, cookie: str, requests: int, concurrency: int, scratch: str) -> Load:
    """Send `requests` GETs, `concurrency` at a time, with Apache Bench; throughput and percentiles."""
    percentiles = Path(scratch) / "percentiles.csv"
    # -l: pages differ in length from one request to the next (CSRF tokens, nonces), which is no failure.
    command = [
        ab,
        "-q",
        "-l",
        "-s",
        "60",
        "-n",
        str(requests),
        "-c",
        str(concurrency),
        "-e",
        str(percentiles),
    ]
    if cookie:
        command += ["-C", cookie]
    result = subprocess.run(  # noqa: S603 (ab, found on PATH, with our arguments)
        [*command, url], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"ab failed on {url}:\n{result.stderr or result.stdout}")
    report = result.stdout
    failed = _figure(report, r"Failed requests:\s+(\d+)")
    non_2xx = _figure(report, r"Non-2xx responses:\s+(\d+)", default=0)
    if failed or non_2xx:
        raise SystemExit(f"{url}: {failed:.0f} failed requests, {non_2xx:.0f} not answered 2xx:\n{report}")
    with percentiles.open() as rows:
        reader = csv.reader(rows)
        next(reader)  # the header
        served = {int(share): float(ms) for share, ms in reader}
    return Load(rps=_figure(report, r"Requests per second:\s+([\d.]+)"), percentiles=served)


def _figure(report: str, pattern: str, *, default: float | None = None) -> float:
    found = re.search(pattern, report)
    if found is None:
        if default is not None:
            return default
        raise SystemExit(f"Unexpected output from ab (no {pattern!r}):\n{report}")
    return float(found.group(1))
