"""Service instances of the fault tests' own, to stop and start at will: a Redis, a PostgreSQL
cluster, the web process (gunicorn, as in production), a Celery worker, and a visitor who uses
the site over HTTP as a browser would.

The shared PostgreSQL (5432) and Redis (6379) are never touched: every instance here runs on a
free port, in a temporary directory removed when it is closed."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
# PostgreSQL's server refuses to run as root: root runs it as the postgres user, anyone else as themselves.
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
# Production settings (DEBUG off) with static files from the finders: see web_settings.py.
WEB_SETTINGS = "tests.reliability.web_settings"
SECRET_KEY = "fault-tests-only-" + "x" * 50


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {seconds}s waiting for {what}.")


def end(process: subprocess.Popen[Any] | None, *, grace: float = 10) -> None:
    """Stop a process we started: SIGTERM, then SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


class RedisServer:
    """A `redis-server` without persistence: stopping it loses whatever it held, as a crash would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="peership-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no"),
                *("--logfile", str(self.directory / "redis.log")),
            ]
        )
        wait_for(self.answers, seconds=10, what=f"Redis on port {self.port}")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def shutdown(self) -> None:
        """SHUTDOWN NOSAVE: clients' connections are closed, queued tasks are gone."""
        import redis

        # It closes the connection as it goes.
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(port=self.port, socket_timeout=2).shutdown(nosave=True)
        assert self.process is not None
        self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and connecting still works, but nothing answers (a hung
        server, or one cut off by the network without its connections being closed)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # also when it is frozen
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class PostgresCluster:
    """A PostgreSQL 15 cluster of our own (trust authentication), run as the postgres user by root."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="peership-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        if AS_POSTGRES:
            shutil.chown(self.directory, user="postgres", group="postgres")
        self.started = False

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [*AS_POSTGRES, str(POSTGRES_BIN / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise AssertionError(f"{program} failed:\n{result.stdout}\n{result.stderr}\n{tail(self.log)}")

    def init(self) -> None:
        self._as_postgres(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )

    def _pg_ctl(self, *args: str) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *args)

    def start(self) -> None:
        # Its socket goes in our directory, not /var/run/postgresql (the shared cluster's).
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "start")
        self.started = True

    def restart(self) -> None:
        """Fast mode: open connections are cut, as in a failover or an upgrade."""
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")
        self.started = False

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def connections(self, database: str) -> int:
        """How many clients are connected to `database` (this question aside)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            clients = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = %s"
            row = connection.execute(clients, [database, "client backend"]).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        if self.started:
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


def database_url() -> str:
    """The URL of the test database pytest-django made (PostgreSQL), for our processes to share."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def site_environment(
    *, database_url: str, redis_url: str = "", email_url: str = "console://", queue: str = "celery"
) -> dict[str, str]:
    """The environment of our web and worker processes: production settings against these services."""
    environment = {
        key: value
        for key, value in os.environ.items()
        # The test process's own services are not theirs.
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_QUEUE", "DJANGO_SETTINGS_MODULE"}
    }
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": WEB_SETTINGS,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": email_url,
        "CELERY_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }


def manage(environment: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class WebServer:
    """gunicorn with sync workers, as the Dockerfile runs it."""

    def __init__(self, port: int, environment: dict[str, str], *, workers: int = 2) -> None:
        self.port = port
        self.environment = {**environment, "SITE_URL": f"https://127.0.0.1:{port}"}
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Its log goes to the test's output, which pytest shows when the test fails.
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "exchange.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                *("--worker-class", "sync", "--timeout", "30"),
            ],
            cwd=ROOT,
            env=self.environment,
        )
        wait_for(self._answers, seconds=60, what="gunicorn to answer")

    def _answers(self) -> bool:
        """Whether a worker has loaded the site and answers (with any status)."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError("gunicorn exited (its log is in the captured output).")
        try:
            Visitor(self.port).open("/healthz")
        except OSError:
            return False
        return True

    def close(self) -> None:
        end(self.process, grace=15)
        self.process = None


class Worker:
    """A real `celery worker` process on the given environment's queue."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "exchange", "worker", "-c", "1", "-l", "warning"],
            cwd=ROOT,
            env=self.environment,
        )

    def close(self) -> None:
        end(self.process, grace=20)
        self.process = None


@dataclass
class Page:
    status: int
    url: str
    text: str
    seconds: float  # the whole answer, redirects followed

    def __str__(self) -> str:
        return f"{self.status} {self.url} in {self.seconds:.2f}s"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # The visitor follows them itself, counting the time.


class Visitor:
    """Someone using the site through a TLS-terminating proxy, as in production: requests carry
    X-Forwarded-Proto and Origin, and the session and CSRF cookies (Secure) are kept."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.origin = f"https://127.0.0.1:{port}"
        # The proxy speaks TLS to the browser; the cookies marked Secure travel to us in plain HTTP.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.cookies = http.cookiejar.CookieJar(policy)
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self.opener = urllib.request.build_opener(cookies, NoRedirects)

    def _once(self, path: str, data: dict[str, str] | None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (always http://)
        request.add_header("X-Forwarded-Proto", "https")
        if body is not None:
            request.add_header("Origin", self.origin)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "")
            return error.code, location, error.read().decode(errors="replace")

    def open(self, path: str, data: dict[str, str] | None = None) -> Page:
        """GET (or POST `data`), following redirects as a browser would."""
        started = time.monotonic()
        for _ in range(10):
            status, location, text = self._once(path, data)
            if status not in {301, 302, 303, 307, 308}:
                return Page(status, path, text, time.monotonic() - started)
            path = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
            data = None
        raise AssertionError(f"Too many redirects, last to {path}.")

    def csrf_token(self) -> str:
        return next(cookie.value or "" for cookie in self.cookies if cookie.name == "csrftoken")

    def submit(self, path: str, data: dict[str, str]) -> Page:
        """Post a form to `path` with the CSRF token from an earlier page's cookie."""
        return self.open(path, {"csrfmiddlewaretoken": self.csrf_token(), **data})

    def sign_in(self, email: str, password: str) -> Page:
        self.open("/accounts/login/")
        return self.submit("/accounts/login/", {"login": email, "password": password})
