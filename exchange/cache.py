"""The cache: Redis, and a memory of each process's own while Redis cannot be reached.

The cache holds allauth's rate limits (sign-in, sign-up, password reset) and its record of used
two-factor codes, nothing that must outlive an outage. Django's Redis cache raises when Redis is down,
which made those pages fail; this one keeps them working: while Redis is unreachable each process
counts in its own memory, so the limits still hold (per process), and after a failure it leaves Redis
alone for a few seconds, so that a Redis that hangs rather than refuses costs one timeout now and
then, not one per cache call."""

import logging
import time
from collections.abc import Iterable
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After Redis failed, the memory cache answers for this long before Redis is tried again.
RETRY_REDIS_AFTER = 5.0
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # LocMemCache keeps its entries per name and process: one memory for all of a process's threads.
        self._fallback = LocMemCache(f"redis-fallback:{server}", params)
        self._retry_redis_at = 0.0

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._retry_redis_at:
            try:
                return getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as error:
                self._retry_redis_at = time.monotonic() + RETRY_REDIS_AFTER
                logger.warning("Redis cache unreachable (%s); using this process's memory for now.", error)
        return getattr(self._fallback, method)(*args, **kwargs)

    def add(
        self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(
        self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        # A list, not a generator that a failed call to Redis would have used up.
        return dict(self._call("get_many", list(keys), version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return list(self._call("set_many", data, timeout, version))

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call("delete_many", list(keys), version)

    def clear(self) -> None:
        self._call("clear")
