"""The cache while Redis cannot be reached (exchange/cache.py): the pages that use it keep working,
and allauth's rate limits still hold, counted in each process's memory."""

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from exchange.cache import FallbackRedisCache
from tests.conftest import free_port
from tests.factories import PASSWORD

TIMEOUTS = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}


def nobody_listening() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A server that accepts connections and never answers, as a frozen Redis does."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "exchange.cache.FallbackRedisCache",
            "LOCATION": nobody_listening(),
            "OPTIONS": TIMEOUTS,
        }
    }


def test_without_redis_the_cache_answers_from_the_process_memory() -> None:
    cache = FallbackRedisCache(nobody_listening(), {"OPTIONS": TIMEOUTS})
    assert cache.add("lock", True) is True
    assert cache.add("lock", True) is False  # a lock still locks
    cache.set_many({"tries": 1, "history": [1.5]})
    assert cache.get_many(key for key in ["tries", "history", "nothing"]) == {"tries": 1, "history": [1.5]}
    assert cache.incr("tries") == 2
    assert cache.delete("lock") is True
    assert cache.get("lock", "gone") == "gone"


def test_a_redis_that_does_not_answer_is_waited_for_once_not_at_every_call(hung_redis: str) -> None:
    cache = FallbackRedisCache(hung_redis, {"OPTIONS": TIMEOUTS})
    started = time.monotonic()
    for attempt in range(20):
        cache.set(f"key-{attempt}", attempt)
        assert cache.get(f"key-{attempt}") == attempt
    # One timeout (0.2 s), then the process's memory for a few seconds; not 40 timeouts (8 s).
    assert time.monotonic() - started < 2


@pytest.mark.usefixtures("redis_down")
def test_without_redis_people_sign_in_and_wrong_passwords_are_still_limited(
    client: Client, user: Any
) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    guesser = Client()
    for _ in range(10):
        guesser.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = guesser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in guesser.session
